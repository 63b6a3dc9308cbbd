"""Accept an uploaded certificate only if its bytes really are a complete PDF, PNG or JPEG, and
nothing more.

The type is read from the content, never from the file name or the browser's claim, so a renamed
program or text file is refused, and a file cut short in transit is caught before anyone reviews it
(a PNG's chunks and checksums, a JPEG's segments, a PDF's end). Reviewers open these files, so a
PDF with scripts, embedded files or launch actions, an encrypted PDF, and a file that is also a ZIP
archive or a web page are refused too (bot/store/file_contents.py).
"""

from __future__ import annotations

import hashlib
import mmap
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.store.file_contents import ACTIVE, mixed_kinds, pdf_problem

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ALLOWED = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# IHDR always has 13 bytes of data and must be the first chunk.
_PNG_IHDR_START = b"\x00\x00\x00\x0dIHDR"
# IEND has no data, so the whole chunk, CRC included, is always these 12 bytes.
_PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
# Some writers pad a JPEG after its end marker; a little padding is harmless.
_JPEG_PADDING = b"\x00 \t\r\n"
_JPEG_MAX_PADDING = 16
# The "%%EOF" marker ends a PDF, possibly followed by a newline or a little junk.
_PDF_TAIL = 1024
# How much of the start and the end of a file the checks read.
_HEAD = 64
_TAIL = _PDF_TAIL

MAX_NAME_LENGTH = 80
FALLBACK_NAME = "document"

# For a file refused while it arrives, before its size is known exactly.
TOO_BIG = "That file is over the 10 MB limit. Could you upload a smaller copy, such as a compressed PDF?"
EMPTY = "That file is empty. Could you try uploading it again?"
# After this many refused uploads for one application, the learner is offered a person (bot/handoff).
STUCK_AFTER = 2
STUCK = 'If it still won\'t go through, say "talk to a person" in the chat: someone on the ACTS team will help.'
UNKNOWN_TYPE = (
    "I can only accept a PDF, PNG or JPEG file. Could you save your certificate as one of those and upload it again?"
)
DAMAGED = (
    "That file looks incomplete or damaged, perhaps it didn't finish uploading. Could you save "
    "it again and upload the new copy?"
)
ACTIVE_CONTENT = (
    "That PDF contains active content (scripts, embedded files or actions that open other programs), which "
    "we can't accept because reviewers open these files. Could you save it again as a plain PDF (Print, then "
    '"Save as PDF") or upload a PNG or JPEG picture of it?'
)
UNCHECKABLE_PDF = (
    "That PDF is encrypted or password-protected, so we can't check it. Could you save an unprotected "
    'copy (Print, then "Save as PDF") or upload a PNG or JPEG picture of it?'
)
MIXED = (
    "That file is more than one kind of file at once (for example a PDF with an archive or a web page "
    "inside), which we can't accept. Could you save your certificate again as a plain PDF, PNG or JPEG?"
)


@dataclass(frozen=True)
class UploadCheck:
    """`mime` and `sha256` are set only when the upload is acceptable; `problem` says why not."""

    mime: str | None
    problem: str | None
    sha256: str | None
    size: int


def sniff_type(data: bytes) -> str | None:
    """The MIME type of `data` judged by its first bytes alone, if it is one we accept."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(PNG_SIGNATURE + _PNG_IHDR_START):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def check_upload(data: bytes) -> UploadCheck:
    """Whether `data` is an acceptable certificate file, and if not, a sentence saying why."""
    return _judge(len(data), lambda: data, lambda: hashlib.sha256(data).hexdigest())


def check_upload_file(path: Path) -> UploadCheck:
    """The same judgement for a file on disk, mapped rather than read (uploads are streamed to disk
    and never held in memory)."""
    size = path.stat().st_size
    if size == 0 or size > MAX_UPLOAD_BYTES:
        return _judge(size, lambda: b"", lambda: "")
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        return _judge(size, lambda: mapped, lambda: _sha256_of(path))


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _judge(size: int, content: Callable[[], bytes | mmap.mmap], sha256: Callable[[], str]) -> UploadCheck:
    """`content` gives the file's bytes (or a map of them), asked for only once the size is right."""
    if size == 0:
        return UploadCheck(None, EMPTY, None, size)
    if size > MAX_UPLOAD_BYTES:
        return UploadCheck(None, _too_big(size), None, size)
    data = content()
    mime = sniff_type(data[:_HEAD])
    if mime is None:
        return UploadCheck(None, UNKNOWN_TYPE, None, size)
    if not _is_complete(mime, data[-_TAIL:]) or not _is_whole(mime, data):
        return UploadCheck(None, DAMAGED, None, size)
    if mixed_kinds(data):
        return UploadCheck(None, MIXED, None, size)
    if mime == "application/pdf" and (problem := pdf_problem(data)) is not None:
        return UploadCheck(None, ACTIVE_CONTENT if problem == ACTIVE else UNCHECKABLE_PDF, None, size)
    return UploadCheck(mime, None, sha256(), size)


def _too_big(size: int) -> str:
    mebibyte = 1024 * 1024
    return (
        f"That file is {size / mebibyte:.1f} MB, over the {MAX_UPLOAD_BYTES // mebibyte} MB limit. "
        "Could you upload a smaller copy, such as a compressed PDF or a lower-resolution photo?"
    )


def _is_complete(mime: str, tail: bytes) -> bool:
    """Whether a file whose last bytes are `tail` ends the way a whole file of type `mime` ends."""
    if mime == "application/pdf":
        return b"%%EOF" in tail[-_PDF_TAIL:]
    if mime == "image/png":
        return tail.endswith(_PNG_IEND)
    unpadded = tail.rstrip(_JPEG_PADDING)
    return unpadded.endswith(b"\xff\xd9") and len(tail) - len(unpadded) <= _JPEG_MAX_PADDING


def _is_whole(mime: str, data) -> bool:
    """Whether the inside of the file holds together: every PNG chunk whole with its checksum right,
    every JPEG segment before the image data whole. (A PDF's end is checked by _is_complete.)"""
    if mime == "image/png":
        return _png_chunks_whole(data)
    if mime == "image/jpeg":
        return _jpeg_segments_whole(data)
    return True


def _png_chunks_whole(data) -> bool:
    position, seen = len(PNG_SIGNATURE), []
    while position + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        if length > 2**31 - 1 or end > len(data) or not kind.isalpha():
            return False
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(data[position + 4 : end - 4]) != crc:
            return False
        seen.append(kind)
        position = end
        if kind == b"IEND":
            break
    return position == len(data) and seen[:1] == [b"IHDR"] and seen[-1:] == [b"IEND"] and b"IDAT" in seen


def _jpeg_segments_whole(data) -> bool:
    """From the start-of-image marker to the start of the scan: each marker segment is whole, and a
    frame header comes before the scan."""
    position, frame = 2, False
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if length < 2 or position + 2 + length > len(data):
            return False
        frame = frame or marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF)
        if marker == 0xDA:  # start of scan: the image data follows, up to the end-of-image marker
            return frame
        position += 2 + length
    return False


def safe_display_name(filename: str | None) -> str:
    """A file name fit to show back to the learner: no folders, no control characters, not too long."""
    base = re.split(r"[\\/]", filename or "")[-1]
    # isprintable() also drops invisible format characters such as the right-to-left override,
    # which can make a name ending in ".exe" display as one ending in ".jpg".
    cleaned = "".join(char for char in base if char.isprintable()).strip()
    if cleaned in {"", ".", ".."}:
        return FALLBACK_NAME
    return _shorten(cleaned)


def _shorten(name: str) -> str:
    """`name` cut to the length limit, keeping a short extension so the type still shows."""
    if len(name) <= MAX_NAME_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 8:
        return name[:MAX_NAME_LENGTH].rstrip()
    return stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension


def refused_message(problem: str, refusals: int) -> str:
    """Why an upload was refused; from the second refusal for the same application, how to reach a person."""
    return f"{problem} {STUCK}" if refusals >= STUCK_AFTER else problem
