"""The one upload path for every image and attachment (hazard and 三违 photos, 答疑 photos, lesson files,
专项工作 attachments): one rule set for bytes, type, pixels and metadata.

- **Bytes while streaming**: ``LimitedUploadHandler`` (first in ``FILE_UPLOAD_HANDLERS``) counts every uploaded
  file's bytes as the request body arrives and drops a file past ``HONGLING_UPLOAD_MAX_BYTES`` at once (nothing more
  of it is stored) — it reaches the code as a ``RefusedUpload`` every check refuses with the reason. Each kind's own, smaller
  limit is checked again here by counting the stored chunks, never by reading the file whole.
- **Type by content**: the first bytes decide (a JPEG called ``.pdf`` is refused), and they must agree with the
  file name's extension.
- **Pixels**: the image header is read first; more than ``HONGLING_UPLOAD_MAX_PIXELS`` (50 MP) is refused before
  anything is decoded (a 164 KB PNG of 170 MP would take 1.5 GB). Pillow's own bomb limit is set to the same value.
- **Metadata**: every image is re-encoded as JPEG from its pixels (upright), so EXIF — GPS, device, time — is gone.

    from common.uploads import clean_attachment, clean_image, clean_photo, clean_photos
    photo = clean_photo(upload, field="photo")          # a record's photo: the same rules for every module
    images = clean_photos(uploads)                      # several photos (at most PHOTO_MAX_COUNT)
    photo = clean_image(upload, field="photos", max_bytes=12 * 1024 * 1024, max_side=1920)
    file, kind = clean_attachment(upload, field="attachment", max_bytes=..., kinds={"pdf", "video", "image"})

Both raise ``ValidationError({field: "中文原因"})``.
"""

import io
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

PHOTO_ERROR = "只接受 JPG / PNG / WebP 照片(苹果手机请在 设置-相机-格式 选“兼容性最佳”)"
IMAGE_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "HEIF"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".heif", ""}
# kind -> extensions a file of that kind may carry
EXTENSIONS = {
    "image": IMAGE_EXTENSIONS,
    "pdf": {".pdf"},
    "video": {".mp4", ".m4v", ".mov"},
    "office": {".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps"},
    "zip": {".zip"},
    "txt": {".txt"},
}
KIND_LABELS = {
    "image": "图片(JPG/PNG/WebP)",
    "pdf": "PDF",
    "video": "MP4 视频",
    "office": "Word/Excel/PPT/WPS",
    "zip": "ZIP",
    "txt": "TXT",
}


def max_pixels():
    return settings.HONGLING_UPLOAD_MAX_PIXELS


def _configure_pillow():
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = max_pixels()


# ---------------------------------------------------------------- streaming size limit


class RefusedUpload(UploadedFile):
    """What a file past ``HONGLING_UPLOAD_MAX_BYTES`` becomes: no content, only its name and the bytes received
    before it was dropped. Every check below (and the Excel import) refuses it with the reason."""

    refused = True

    def __init__(self, name, received):
        super().__init__(io.BytesIO(b""), name=name, content_type="application/octet-stream", size=received)


class LimitedUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive; past ``HONGLING_UPLOAD_MAX_BYTES`` the rest of the file is thrown
    away as it streams in (not stored, not kept in memory) and the field holds a ``RefusedUpload``."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0
        self.refused = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.refused or self.received > settings.HONGLING_UPLOAD_MAX_BYTES:
            self.refused = True
            return None  # the later handlers (memory, temporary file) get nothing more of it
        return raw_data

    def file_complete(self, file_size):
        if self.refused:
            return RefusedUpload(self.file_name, self.received)
        return None


def is_refused(upload):
    return bool(getattr(upload, "refused", False))


def too_large_message(upload):
    return f"“{_name(upload)}”超过 {size_text(settings.HONGLING_UPLOAD_MAX_BYTES)},未上传"


# ---------------------------------------------------------------- checks


def _fail(field, message):
    raise ValidationError({field: [message]})


def _check_size(upload, field, max_bytes):
    """Count the stored chunks (no whole read); past ``max_bytes`` the upload is refused."""
    if is_refused(upload):
        _fail(field, too_large_message(upload))
    total = 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > max_bytes:
            _fail(field, f"“{_name(upload)}”超过 {size_text(max_bytes)}")
    if total == 0:
        _fail(field, f"“{_name(upload)}”是空文件")
    upload.seek(0)
    return total


def size_text(n):
    return f"{n // 1024 // 1024} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


def _name(upload):
    return os.path.basename(getattr(upload, "name", "") or "文件")


def sniff(upload):
    """The kind of file the first bytes say it is: image, pdf, video, office, zip, txt, or None."""
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "image" if brand in (b"heic", b"heix", b"mif1", b"heif", b"avif") else "video"
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
        head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    ):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return "zip"  # docx/xlsx/pptx are zip files too (told apart by the extension)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "office"  # doc/xls/ppt/wps (OLE)
    sample = upload.read(4096)
    upload.seek(0)
    if b"\x00" not in sample:
        for encoding in ("utf-8", "gb18030"):
            try:
                sample.decode(encoding)
                return "txt"
            except UnicodeDecodeError:
                continue
    return None


def clean_image(upload, field, max_bytes, max_side=1920, quality=82):
    """The upload re-encoded as a JPEG of at most ``max_side`` px, upright, without EXIF; else ValidationError."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    _configure_pillow()
    _check_size(upload, field, max_bytes)
    if sniff(upload) != "image":
        _fail(field, PHOTO_ERROR)
    try:
        image = Image.open(upload)
        if image.format not in IMAGE_FORMATS:
            raise ValueError
        width, height = image.size
        if width * height > max_pixels():
            _fail(
                field,
                f"图片像素太大({width}×{height},约 {width * height // 10000} 万像素),"
                f"上限 {max_pixels() // 10000} 万像素;请用手机相机直接拍摄或缩小后再传",
            )
        image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        _fail(field, f"图片像素太大,上限 {max_pixels() // 10000} 万像素")
    except (UnidentifiedImageError, ValueError, OSError, SyntaxError, EOFError):
        _fail(field, PHOTO_ERROR)
    image = ImageOps.exif_transpose(image).convert("RGB")  # keep the orientation, then nothing but pixels
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)  # no exif= argument: EXIF (GPS, device, time) is not written
    return ContentFile(out.getvalue(), name="photo.jpg")


# the photo of a record (a hazard, a 三违, a 答疑 question): one size, one resolution, one count everywhere
PHOTO_MAX_BYTES = 12 * 1024 * 1024
PHOTO_MAX_SIDE = 1920
PHOTO_MAX_COUNT = 6


def clean_photo(upload, field="photos"):
    """A record's photo: at most ``PHOTO_MAX_BYTES``, re-encoded as a JPEG of at most ``PHOTO_MAX_SIDE`` px, upright,
    without EXIF; else ``ValidationError({field: …})``."""
    return clean_image(upload, field=field, max_bytes=PHOTO_MAX_BYTES, max_side=PHOTO_MAX_SIDE)


def clean_photos(uploads, field="photos", most=PHOTO_MAX_COUNT):
    """Every upload checked and re-encoded by ``clean_photo``, or a field error naming the photos."""
    uploads = list(uploads)
    if len(uploads) > most:
        _fail(field, f"最多 {most} 张照片")
    return [clean_photo(u, field=field) for u in uploads]


def clean_attachment(upload, field, max_bytes, kinds, max_side=2400):
    """``(file, kind)`` of an attachment of one of ``kinds``: images re-encoded by ``clean_image`` (no EXIF),
    the rest stored as uploaded once their content and extension agree."""
    _check_size(upload, field, max_bytes)
    kind = sniff(upload)
    ext = os.path.splitext(_name(upload))[1].lower()
    allowed = "、".join(KIND_LABELS[k] for k in kinds)
    if kind == "zip" and ext in EXTENSIONS["office"] and "office" in kinds:
        kind = "office"
    if kind not in kinds or (ext and ext not in EXTENSIONS[kind]):
        _fail(field, f"不支持的附件:{_name(upload)}(可传 {allowed};文件内容须与扩展名一致)")
    if kind == "image":
        return clean_image(upload, field, max_bytes, max_side=max_side, quality=85), kind
    return upload, kind


def clean_attachments(files, field, kinds, max_bytes, most):
    """Several attachments (at most ``most``), each checked by ``clean_attachment``; the file name must carry an
    extension of one of ``kinds``. Images come back re-encoded under their own name with ``.jpg``."""
    files = list(files)
    if len(files) > most:
        _fail(field, f"最多 {most} 个附件")
    accepted = set().union(*(EXTENSIONS[k] for k in kinds)) - {""}
    cleaned = []
    for f in files:
        stem, ext = os.path.splitext(_name(f))
        if ext.lower() not in accepted:
            _fail(field, f"不支持的附件类型:{_name(f)}(可传 {'、'.join(KIND_LABELS[k] for k in kinds)})")
        stored, kind = clean_attachment(f, field=field, max_bytes=max_bytes, kinds=kinds)
        if kind == "image":
            stored.name = stem + ".jpg"
        cleaned.append(stored)
    return cleaned
