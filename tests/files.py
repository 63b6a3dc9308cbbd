"""Real, tiny certificate files for tests: a PDF, a PNG and a JPEG, made on the fly."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def make_pdf(catalog: bytes = b"", extra: list[bytes] | None = None, trailer: bytes = b"") -> bytes:
    """A real one-page PDF, written by hand: header, objects, a cross-reference table with the
    objects' true byte offsets, trailer, startxref and %%EOF. `catalog` adds entries to the document
    catalog, `extra` adds objects numbered from 4 on, `trailer` adds entries to the trailer."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        *(extra or []),
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_offset = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n" % (len(objects) + 1, trailer, xref_offset)
    return bytes(pdf + b"%%EOF\n")


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png(width: int = 3, height: int = 2) -> bytes:
    """A real RGB PNG: signature, IHDR, one zlib-compressed IDAT of filtered rows, IEND."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


def make_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return make_pdf()


def jpeg_bytes() -> bytes:
    return make_jpeg()


def pdf_stream(dictionary: bytes, data: bytes) -> bytes:
    """A stream object's body: its dictionary (with /Length) and its bytes."""
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def object_stream(objects: dict[int, bytes], compress: bool = True) -> bytes:
    """A PDF 1.5 object stream (/Type /ObjStm) holding `objects`, compressed as writers do."""
    header, body = b"", b""
    for number, text in objects.items():
        header += b"%d %d " % (number, len(body))
        body += text + b"\n"
    data = header + body
    if compress:
        return pdf_stream(b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(objects), len(header)),
                          zlib.compress(data))  # fmt: skip
    return pdf_stream(b"/Type /ObjStm /N %d /First %d" % (len(objects), len(header)), data)
