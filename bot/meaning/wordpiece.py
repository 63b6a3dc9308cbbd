"""BERT's uncased WordPiece tokenizer, read from the model's vocab.txt.

The steps of Hugging Face's BertTokenizer (do_lower_case, accents stripped), which all-MiniLM-L6-v2 was
trained with: drop control characters, put spaces around CJK ideographs, lower-case, strip accents,
split on white space and punctuation, then cut each word into the longest pieces in the vocabulary
("badges" -> "badge", "##s"). Written here because the `tokenizers` package is not installed.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

CLS, SEP, UNK = "[CLS]", "[SEP]", "[UNK]"
CONTINUATION = "##"
MAX_CHARS_PER_WORD = 100  # a longer "word" is one [UNK], as in BERT

# CJK ideographs are split one by one (BERT's _is_chinese_char ranges).
_CJK = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_control(char: str) -> bool:
    return char not in "\t\n\r" and unicodedata.category(char).startswith("C")


def _is_punctuation(char: str) -> bool:
    # All non-letter, non-digit ASCII ("$", "^", "`") counts, as in BERT, besides Unicode's punctuation.
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK)


def basic_words(text: str) -> list[str]:
    """Lower-cased, accent-free words and punctuation marks, before word pieces."""
    cleaned = []
    for char in text:
        if char in ("\x00", "\ufffd") or _is_control(char):
            continue
        if _is_whitespace(char):
            cleaned.append(" ")
        elif _is_cjk(char):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    words: list[str] = []
    for token in "".join(cleaned).split():
        token = "".join(c for c in unicodedata.normalize("NFD", token.lower()) if unicodedata.category(c) != "Mn")
        current = ""
        for char in token:
            if _is_punctuation(char):
                words.extend([current, char] if current else [char])
                current = ""
            else:
                current += char
        if current:
            words.append(current)
    return words


class WordPiece:
    def __init__(self, vocabulary: dict[str, int]) -> None:
        self.vocabulary = vocabulary

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        lines = path.read_text(encoding="utf-8").split("\n")
        return cls({token: index for index, token in enumerate(lines) if token})

    def pieces(self, word: str) -> list[str]:
        """Greedy longest match from the left; a word with a part not in the vocabulary is [UNK]."""
        if len(word) > MAX_CHARS_PER_WORD:
            return [UNK]
        found, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else CONTINUATION + word[start:end]
                if piece in self.vocabulary:
                    break
                end -= 1
            else:
                return [UNK]
            found.append(piece)
            start = end
        return found

    def tokens(self, text: str) -> list[str]:
        return [piece for word in basic_words(text) for piece in self.pieces(word)]

    def ids(self, text: str, max_length: int) -> list[int]:
        """[CLS] tokens [SEP], cut to max_length ids in all."""
        tokens = [CLS, *self.tokens(text)[: max_length - 2], SEP]
        return [self.vocabulary[token] for token in tokens]
