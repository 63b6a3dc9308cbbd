"""bot/meaning: BERT's WordPiece tokenizer and all-MiniLM-L6-v2 in numpy, checked against published values."""

from __future__ import annotations

import numpy as np
import pytest

from bot.meaning.minilm import SentenceEncoder, model_directory
from bot.meaning.wordpiece import WordPiece, basic_words

TINY = WordPiece(
    {
        token: index
        for index, token in enumerate(
            ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "badge", "##s", "is", "it", "free", "?", "un", "##afford", "##able"]
        )
    }
)


# The tokenizer -----------------------------------------------------------------------------------


def test_words_are_lower_cased_without_accents_and_punctuation_is_split_off():
    assert basic_words("Is it FREE?") == ["is", "it", "free", "?"]
    assert basic_words("Café  naïve\tRÉSUMÉ") == ["cafe", "naive", "resume"]
    assert basic_words("co-worker's $5 e-mail") == ["co", "-", "worker", "'", "s", "$", "5", "e", "-", "mail"]
    assert basic_words("“quoted” …") == ["“", "quoted", "”", "…"]  # Unicode punctuation too


def test_control_characters_go_and_cjk_ideographs_are_words_of_their_own():
    assert basic_words("a\x00b\u200bc\ufffd d") == ["abc", "d"]
    assert basic_words("日本語テスト") == ["日", "本", "語", "テスト"]  # kana is not split, as in BERT


def test_words_are_cut_into_the_longest_pieces_in_the_vocabulary():
    assert TINY.pieces("badges") == ["badge", "##s"]
    assert TINY.pieces("unaffordable") == ["un", "##afford", "##able"]
    assert TINY.pieces("badgez") == ["[UNK]"]  # one part unknown: the whole word is unknown
    assert TINY.pieces("x" * 101) == ["[UNK]"]


def test_ids_are_framed_by_cls_and_sep_and_cut_to_the_maximum_length():
    assert TINY.ids("Is it free?", 512) == [2, 6, 7, 8, 9, 3]
    assert TINY.ids("badges badges badges", 4) == [2, 4, 5, 3]
    assert TINY.ids("", 512) == [2, 3]


def test_the_models_vocabulary_gives_berts_well_known_ids():
    tokenizer = WordPiece.from_file(model_directory() / "vocab.txt")
    assert tokenizer.ids("Hello world", 256) == [101, 7592, 2088, 102]
    assert tokenizer.tokens("Can I export my badges to Badgr?") == [
        "can", "i", "export", "my", "badges", "to", "bad", "##gr", "?"
    ]  # fmt: skip


# The forward pass --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


def test_reproduces_the_similarities_sentence_transformers_publishes(encoder):
    # sentence-transformers' documentation (quickstart) prints this matrix for all-MiniLM-L6-v2.
    sentences = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    published = np.array([[1.0, 0.6660, 0.1046], [0.6660, 1.0, 0.1411], [0.1046, 0.1411, 1.0]])
    vectors = encoder.encode(sentences)
    np.testing.assert_allclose(vectors @ vectors.T, published, atol=1e-4)  # printed to 4 decimals


def test_reproduces_a_published_embedding(encoder):
    # fastembed's test of this model: the first five numbers of "hello world".
    vector = encoder.encode(["hello world", "flag embedding"])[0]
    np.testing.assert_allclose(vector[:5], [-0.034478, 0.03102, 0.00673, 0.02611, -0.039362], atol=1e-5)


def test_paraphrases_are_much_closer_than_unrelated_sentences(encoder):
    fee, pay, share, weather = encoder.encode(
        [
            "Is there a fee to use Credly?",
            "Do I have to pay anything for my badge?",
            "How do I put my badge on LinkedIn?",
            "Will it rain in Chicago tomorrow?",
        ]
    )
    assert fee @ pay > fee @ share + 0.15
    assert fee @ pay > fee @ weather + 0.3


def test_vectors_are_unit_length_deterministic_and_the_same_alone_or_in_a_batch(encoder):
    texts = ["is it free", "Can I keep my badge private, so that my employer cannot see it on Credly?", "x", ""]
    batch = encoder.encode(texts)
    assert batch.shape == (4, 384) and batch.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(encoder.encode(texts), batch)  # no randomness
    alone = np.stack([encoder.encode([text])[0] for text in texts])
    np.testing.assert_allclose(batch, alone, atol=1e-5)  # padding changes nothing


def test_counts_the_sentences_it_encodes(encoder):
    before = encoder.sentences_encoded
    encoder.encode(["one", "two"])
    assert encoder.sentences_encoded == before + 2
