"""Accept an uploaded certificate only if its bytes really are a complete PDF, PNG or JPEG.

The type is read from the content, never from the file name or the browser's claim, so a renamed
program or text file is refused, and a file cut short in transit is caught before anyone reviews it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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
UNKNOWN_TYPE = (
    "I can only accept a PDF, PNG or JPEG file. Could you save your certificate as one of those and upload it again?"
)
DAMAGED = (
    "That file looks incomplete or damaged, perhaps it didn't finish uploading. Could you save "
    "it again and upload the new copy?"
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
    return _judge(len(data), data[:_HEAD], data[-_TAIL:], lambda: hashlib.sha256(data).hexdigest())


def check_upload_file(path: Path) -> UploadCheck:
    """The same judgement for a file on disk, read in pieces (uploads are streamed to disk)."""
    size = path.stat().st_size
    with path.open("rb") as file:
        head = file.read(_HEAD)
        file.seek(max(0, size - _TAIL))
        tail = file.read()
    return _judge(size, head, tail, lambda: _sha256_of(path))


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _judge(size: int, head: bytes, tail: bytes, sha256: Callable[[], str]) -> UploadCheck:
    """`head` and `tail` are the first and last bytes of the file: enough to tell its type and
    whether it is complete, without holding a 10 MB upload in memory."""
    if size == 0:
        return UploadCheck(None, EMPTY, None, size)
    if size > MAX_UPLOAD_BYTES:
        return UploadCheck(None, _too_big(size), None, size)
    mime = sniff_type(head)
    if mime is None:
        return UploadCheck(None, UNKNOWN_TYPE, None, size)
    if not _is_complete(mime, tail):
        return UploadCheck(None, DAMAGED, None, size)
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
