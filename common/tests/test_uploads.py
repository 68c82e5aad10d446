"""Issue 14, finding 3: one upload path (common/uploads.py) for every image and attachment."""

import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from common.tests.hostile import png_bomb
from common.uploads import clean_attachment, clean_image

pytestmark = pytest.mark.django_db


def jpeg_with_gps():
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "Hongling Phone"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (35.0, 54.0, 0.0)
    gps[3], gps[4] = "E", (117.0, 44.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # guard: the GPS is really there
    return data


def test_a_pixel_bomb_in_a_qa_photo_is_refused_before_decoding(world, login):
    from common.uploads import clean_photo
    from training.models import QaQuestion

    bomb = png_bomb()
    assert len(bomb) < 400_000
    # refused from the header: decoding its pixels would take seconds and gigabytes (timed apart from the page, which
    # on a busy machine takes seconds of its own)
    started = time.monotonic()
    with pytest.raises(ValidationError):
        clean_photo(SimpleUploadedFile("p.png", bomb, "image/png"))
    assert time.monotonic() - started < 1
    r = login(world.worker).post(
        "/training/qa/", {"text": "井下巷道积水怎么处理?", "photo": SimpleUploadedFile("p.png", bomb, "image/png")}
    )
    assert r.status_code == 422 and "图片像素太大" in r.content.decode() and "5000 万像素" in r.content.decode()
    assert not QaQuestion.objects.exists()
    # what was typed stays
    assert "井下巷道积水怎么处理?" in r.content.decode()


def test_a_pixel_bomb_as_a_lesson_attachment_is_refused():
    with pytest.raises(ValidationError, match="图片像素太大"):
        clean_attachment(
            SimpleUploadedFile("a.png", png_bomb()), field="attachment", max_bytes=10**8, kinds=("image", "pdf")
        )


def test_gps_is_removed_from_every_image_and_a_campaign_attachment():
    cleaned = clean_image(SimpleUploadedFile("gps.jpg", jpeg_with_gps()), field="photo", max_bytes=10**7)
    assert not Image.open(io.BytesIO(cleaned.read())).getexif()
    from frontline.services import attachments

    (stored,) = attachments([SimpleUploadedFile("现场.jpg", jpeg_with_gps(), "image/jpeg")])
    stored.seek(0)
    exif = Image.open(io.BytesIO(stored.read())).getexif()
    assert not exif.get_ifd(0x8825) and 0x010F not in exif


def test_content_must_match_the_name():
    with pytest.raises(ValidationError, match="文件内容须与扩展名一致"):
        clean_attachment(
            SimpleUploadedFile("报告.pdf", jpeg_with_gps()), field="f", max_bytes=10**7, kinds=("pdf", "office")
        )
    with pytest.raises(ValidationError, match="不支持的附件"):
        clean_attachment(SimpleUploadedFile("run.pdf", b"MZ\x90\x00" + b"\x00" * 100), field="f", max_bytes=10**7,
                         kinds=("pdf",))  # fmt: skip
    pdf, kind = clean_attachment(
        SimpleUploadedFile("通知.pdf", b"%PDF-1.4\n%..."), field="f", max_bytes=10**7, kinds=("pdf",)
    )
    assert kind == "pdf"


def test_a_file_past_the_limit_is_dropped_while_streaming(world, login, settings):
    """The handler throws the bytes away as they arrive; the page says why and keeps the text."""
    from training.models import QaQuestion

    settings.HONGLING_UPLOAD_MAX_BYTES = 64 * 1024
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\x00" * (300 * 1024), "image/jpeg")
    r = login(world.worker).post("/training/qa/", {"text": "风门为什么要常关?", "photo": big})
    body = r.content.decode()
    assert r.status_code == 422 and "“big.jpg”超过 64 KB,未上传" in body and "风门为什么要常关?" in body
    assert not QaQuestion.objects.exists()
