"""The text of a PDF WeasyPrint wrote, read back the way a viewer copies it (for tests: no PDF reader is a dependency):
the compressed objects and object streams are opened, each font's ToUnicode map read, and the glyphs shown by the
pages' text operators mapped back through the font in use."""

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)


def _stream(body):
    m = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
    if not m:
        return None
    head = body.split(b"stream")[0]
    data = m.group(1)
    # the stream is exactly /Length bytes when the length is written in place: compressed data may itself end in
    # a carriage return, which the pattern above would take for the line end before "endstream"
    length = re.search(rb"/Length (\d+)\s*(?=[/>])", head)
    if length:
        data = body[m.start(1) : m.start(1) + int(length.group(1))]
    return zlib.decompress(data) if b"/FlateDecode" in head else data


def _objects(pdf):
    objects = {}
    for m in _OBJ.finditer(pdf):
        num, body = int(m.group(1)), m.group(2)
        data = _stream(body)
        objects[num] = (body.split(b"stream")[0] if data is not None else body, data)
        if data is not None and b"/ObjStm" in body.split(b"stream")[0]:
            first = int(re.search(rb"/First (\d+)", body).group(1))
            head = data[:first].split()
            pairs = [(int(head[i]), int(head[i + 1])) for i in range(0, len(head), 2)]
            for k, (inner, offset) in enumerate(pairs):
                end = first + pairs[k + 1][1] if k + 1 < len(pairs) else len(data)
                objects[inner] = (data[first + offset : end], None)
    return objects


def _cmap(data):
    out = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            base = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(base + i)
    return out


def pdf_text(pdf):
    objects = _objects(pdf)
    fonts = {}  # resource name -> {glyph: text}
    for head, _data in objects.values():
        # a font resource: any "/name n 0 R" whose object is a font with a ToUnicode map
        for name, ref in re.findall(rb"/([^\s/<>\[\]()]+)\s+(\d+) 0 R", head):
            font = objects.get(int(ref), (b"", None))[0]
            uni = re.search(rb"/ToUnicode (\d+) 0 R", font) if b"/Type /Font" in font else None
            if uni:
                fonts[name] = _cmap(objects[int(uni.group(1))][1] or b"")
    text, current = [], {}
    for _head, data in objects.values():
        if data is None or b"BT" not in data or b"Tf" not in data:
            continue
        for token in re.finditer(
            rb"/([^\s/<>\[\]]+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj|\bET\b", data, re.S
        ):
            if token.group(1):
                current = fonts.get(token.group(1), {})
            elif token.group(0) == b"ET":
                text.append("\n")
            else:
                hexes = re.findall(rb"<([0-9A-Fa-f]*)>", token.group(2)) if token.group(2) else [token.group(3)]
                for h in hexes:
                    for i in range(0, len(h), 4):
                        text.append(current.get(int(h[i : i + 4], 16), ""))
    return "".join(text)
