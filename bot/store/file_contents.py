"""What an uploaded certificate carries besides its picture: scripts, embedded files, actions that
launch programs, or a second file hidden in the same bytes (a polyglot). Reviewers open these files,
so a PDF with active content, and a file that is two kinds of file at once, are refused; the
learner is asked for a plain copy ("Save as PDF" again, or a picture). Nothing here renders a file.

A PDF is read, not rendered: its names (`/JavaScript`, `/Launch`, `/EmbeddedFile` ...) are looked
for in its dictionaries, with `#xx` escapes decoded, including inside compressed object streams
(where PDF 1.5 writers keep most dictionaries). The bytes of other streams (page drawings, images,
fonts) are skipped: they hold no actions, and binary data would match names by chance.

`/OpenAction` and `/AA` themselves are allowed: ordinary PDFs use them to say which page to open
at. What an action does is what matters, and every dangerous kind of action (`/JavaScript`,
`/Launch`, `/SubmitForm`, `/GoToR` ...) is refused wherever it appears. Links (`/URI`) are allowed:
a certificate may link to where it can be verified. An encrypted PDF is refused too: its object
streams cannot be read, so it cannot be checked.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from io import BytesIO

# Names whose presence means the PDF can run code, launch or submit something, or carry other files.
ACTIVE_NAMES = frozenset(
    name.encode()
    for name in (
        "JavaScript",
        "JS",
        "Launch",
        "EmbeddedFile",
        "EmbeddedFiles",
        "RichMedia",
        "SubmitForm",
        "ImportData",
        "GoToE",
        "GoToR",
        "XFA",
        "Sound",
        "Movie",
        "Rendition",
    )
)
# Standard stream filters; an object stream must use none or FlateDecode alone for us to read it.
FILTERS = frozenset(
    name.encode()
    for name in (
        "FlateDecode",
        "LZWDecode",
        "ASCIIHexDecode",
        "ASCII85Decode",
        "RunLengthDecode",
        "CCITTFaxDecode",
        "JBIG2Decode",
        "DCTDecode",
        "JPXDecode",
        "Crypt",
    )
)
_DELIMITERS = rb"\x00\t\n\f\r ()<>\[\]{}/%"
_NAME = re.compile(rb"/([^" + _DELIMITERS + rb"]*)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# The keyword that starts a stream's bytes: right after its dictionary, then an end of line.
_STREAM = re.compile(rb">>[\x00\t\n\f\r ]*stream(?:\r\n|\n|\r)")
# What a browser sniffing the start of a file would take for a web page.
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|script|iframe|object|embed|svg)[\s>/]", re.IGNORECASE)
SNIFFED_BYTES = 1024
# Object streams are small; these bound the work a "zip bomb" of an object stream can cause.
MAX_DECODED_STREAM = 16 * 1024 * 1024
MAX_DECODED_TOTAL = 64 * 1024 * 1024


# What is wrong with a PDF.
ACTIVE = "active"
UNREADABLE = "unreadable"


def mixed_kinds(data) -> bool:
    """Whether `data` (bytes or an mmap) is also another kind of file: a ZIP archive (read from its
    end, wherever it starts) or a web page in the part of a file browsers sniff."""
    return _HTML.search(data[:SNIFFED_BYTES]) is not None or _is_zip(data)


def _is_zip(data) -> bool:
    tail = bytes(data[-(64 * 1024 + 22) :])  # a ZIP's directory record ends within this of the end
    if b"PK\x05\x06" not in tail and b"PK\x06\x06" not in tail:
        return False
    return zipfile.is_zipfile(BytesIO(bytes(data)))


def pdf_problem(data) -> str | None:
    """ACTIVE, UNREADABLE (encrypted, or object streams we cannot decode) or None, for a PDF's bytes."""
    decoded_total = 0
    position = 0
    while True:
        stream = _STREAM.search(data, position)
        end_of_text = stream.start() if stream else len(data)
        text = data[position:end_of_text]
        if (problem := _names_problem(text)) is not None:
            return problem
        if stream is None:
            return None
        start = stream.end()
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        dictionary = _names(data[_dictionary_start(data, stream.start()) : stream.start() + 2])
        if b"ObjStm" in dictionary:
            if not set(dictionary) & FILTERS <= {b"FlateDecode"}:
                return UNREADABLE
            decoded = _inflate(data[start:end]) if b"FlateDecode" in dictionary else bytes(data[start:end])
            if decoded is None:
                return UNREADABLE
            decoded_total += len(decoded)
            if decoded_total > MAX_DECODED_TOTAL:
                return UNREADABLE
            if (problem := _names_problem(decoded)) is not None:
                return problem
        position = end


def _dictionary_start(data, stream_keyword: int) -> int:
    """Where the dictionary of the stream whose keyword is at `stream_keyword` begins: after its
    "N G obj" (looked for within 64 KB before it)."""
    found = data.rfind(b"obj", max(0, stream_keyword - 64 * 1024), stream_keyword)
    return 0 if found < 0 else found + 3


def _names(text) -> list[bytes]:
    return [_HEX_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), m[1]) for m in _NAME.finditer(text)]


def _names_problem(text) -> str | None:
    for match in _NAME.finditer(text):
        name = _HEX_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), match[1])
        if name in ACTIVE_NAMES:
            return ACTIVE
        if name == b"Encrypt":
            return UNREADABLE
    return None


def _inflate(data) -> bytes | None:
    try:
        inflater = zlib.decompressobj()
        decoded = inflater.decompress(bytes(data), MAX_DECODED_STREAM)
    except zlib.error:
        return None
    return None if inflater.unconsumed_tail else decoded  # more than the bound: not an ordinary object stream
