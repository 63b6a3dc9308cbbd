from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from bot.store.uploads import (
    ALLOWED,
    DAMAGED,
    EMPTY,
    MAX_UPLOAD_BYTES,
    UNKNOWN_TYPE,
    UploadCheck,
    check_upload,
    safe_display_name,
    sniff_type,
)
from tests.files import make_jpeg, make_pdf, make_png

MB = 1024 * 1024


PDF, PNG, JPEG = make_pdf(), make_png(), make_jpeg()


def test_the_hand_made_pdf_is_well_formed():
    xref_offset = int(PDF.split(b"startxref\n")[1].split(b"\n")[0])
    assert PDF[xref_offset:].startswith(b"xref\n")
    entries = PDF[xref_offset:].split(b"\n")[3:6]
    for number, entry in enumerate(entries, start=1):
        assert PDF[int(entry[:10]) :].startswith(b"%d 0 obj" % number)


def test_the_hand_made_png_is_an_image_pillow_can_decode():
    with Image.open(io.BytesIO(PNG)) as image:
        image.load()
        assert (image.format, image.size, image.mode) == ("PNG", (3, 2), "RGB")
        assert image.getpixel((0, 0)) == (255, 128, 0)


def test_the_jpeg_is_an_image_pillow_can_decode():
    with Image.open(io.BytesIO(JPEG)) as image:
        image.load()
        assert (image.format, image.size) == ("JPEG", (4, 4))


@pytest.mark.parametrize("data, mime", [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_real_files_are_accepted(data, mime):
    assert sniff_type(data) == mime
    assert mime in ALLOWED
    assert check_upload(data) == UploadCheck(mime, None, hashlib.sha256(data).hexdigest(), len(data))


def test_allowed_types_and_their_extensions():
    assert ALLOWED == {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def test_the_same_bytes_always_have_the_same_digest():
    assert check_upload(PDF).sha256 == check_upload(bytes(PDF)).sha256 != check_upload(PNG).sha256


def test_empty_file():
    assert check_upload(b"") == UploadCheck(None, EMPTY, None, 0)


def test_too_big_file_names_the_limit():
    payload = b"%PDF-1.4\n" + b"0" * (11 * MB) + b"\n%%EOF\n"
    check = check_upload(payload)
    assert (check.mime, check.sha256, check.size) == (None, None, len(payload))
    assert "10 MB" in check.problem
    assert "11.0 MB" in check.problem


def test_exactly_the_limit_is_allowed():
    at_limit = PDF[:-6] + b"\n" * (MAX_UPLOAD_BYTES - len(PDF)) + b"%%EOF\n"
    assert len(at_limit) == MAX_UPLOAD_BYTES
    assert check_upload(at_limit).problem is None
    assert "10 MB" in check_upload(at_limit + b"\n").problem


# The start of a Windows program: "MZ", the DOS header, and the DOS stub's message.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(50) + b"This program cannot be run in DOS mode.\r\n"


@pytest.mark.parametrize(
    "data",
    [
        EXE,
        b"This is my certificate, honestly. (saved as certificate.pdf)\n",
        b"<html><body>%PDF-1.4</body></html>",  # the magic must come first
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,  # a PNG signature with no IHDR after it
        b"\xff\xd8",  # too short to be a JPEG
        b"GIF89a" + b"\x00" * 20,
    ],
)
def test_anything_but_pdf_png_or_jpeg_is_refused(data):
    assert sniff_type(data) is None
    assert check_upload(data) == UploadCheck(None, UNKNOWN_TYPE, None, len(data))


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + bytes(range(256)) * 8,  # header, then garbage and no %%EOF
        PDF[:-20],  # cut off before %%EOF
        PDF + b"\n" * 1025,  # %%EOF further from the end than any writer puts it
        PNG[:-12],  # no IEND
        PNG[: len(PNG) // 2],  # cut off mid-IDAT
        JPEG[:-2],  # no end-of-image marker
        JPEG[: len(JPEG) // 2],
        JPEG + b"\x00" * 17,  # more padding than a writer adds
    ],
)
def test_a_damaged_or_truncated_file_is_refused(data):
    assert sniff_type(data) is not None
    assert check_upload(data) == UploadCheck(None, DAMAGED, None, len(data))


@pytest.mark.parametrize("data", [PDF + b"\r\n", PDF.rstrip(b"\n"), JPEG + b"\x00" * 16, JPEG + b"\r\n"])
def test_harmless_trailing_bytes_are_allowed(data):
    assert check_upload(data).problem is None


def test_problems_are_sentences_for_a_learner():
    for problem in (EMPTY, UNKNOWN_TYPE, DAMAGED, check_upload(b"%PDF-" + bytes(11 * MB)).problem):
        assert problem[0].isupper() and problem.endswith("?")
    assert all(kind in UNKNOWN_TYPE for kind in ("PDF", "PNG", "JPEG"))


@pytest.mark.parametrize(
    "filename, shown",
    [
        ("certificate.pdf", "certificate.pdf"),
        ("  certificate.pdf  ", "certificate.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\jane\\Desktop\\cert.png", "cert.png"),
        ("/tmp/uploads/cert.jpg", "cert.jpg"),
        ("cert\x00ificate\r\n.pdf", "certificate.pdf"),
        ("photo\u202egpj.exe", "photogpj.exe"),  # right-to-left override removed
        ("Zertifikat Müller – 2024.pdf", "Zertifikat Müller – 2024.pdf"),
        (None, "document"),
        ("", "document"),
        ("folder/", "document"),
        ("..", "document"),
        ("\x00\x1b", "document"),
    ],
)
def test_safe_display_name(filename, shown):
    assert safe_display_name(filename) == shown


def test_a_long_name_is_cut_to_80_characters_keeping_its_extension():
    shown = safe_display_name("a" * 200 + ".pdf")
    assert shown == "a" * 76 + ".pdf"


def test_a_long_name_without_a_short_extension_is_simply_cut():
    assert safe_display_name("b" * 200) == "b" * 80
    assert safe_display_name("c" * 100 + "." + "d" * 20) == ("c" * 100)[:80]
