"""Lexical retrieval: a thin bm25s wrapper over the tokens of :mod:`indexer.tokenize`.

bm25s's own tokenizer would make a whole run of Chinese characters one token,
so documents and queries arrive here already segmented.

>>> from indexer.tokenize import tokenize
>>> index = BM25Index.build([tokenize("港珠澳大桥"), tokenize("大气污染防治")])
>>> int(index.scores(tokenize("大气污染")).argmax())
1
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

# bm25s pins its logger at DEBUG, which bypasses the application's level; inherit it instead.
logging.getLogger("bm25s").setLevel(logging.NOTSET)

# Lucene's BM25 with bm25s's defaults: k1=1.5, b=0.75 (bm25s uses these unless told).
_METHOD = "lucene"


class BM25Index:
    """Scores every unit for a tokenized query. Read-only after build, safe to share."""

    def __init__(self, model: bm25s.BM25, n_units: int) -> None:
        self._model = model
        self.n_units = n_units
        self._vocab: dict[str, int] = model.vocab_dict

    @classmethod
    def build(cls, unit_tokens: Sequence[Sequence[str]]) -> BM25Index:
        """Index one token list per retrieval unit, in unit order."""
        model = bm25s.BM25(method=_METHOD)
        model.index([list(tokens) for tokens in unit_tokens], show_progress=False)
        return cls(model, len(unit_tokens))

    def save(self, folder: Path) -> None:
        """Write bm25s's plain files (``.npy`` arrays, vocab and params JSON) into ``folder``."""
        self._model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> BM25Index:
        """Read an index written by :meth:`save`."""
        model = bm25s.BM25.load(str(folder), mmap=False, show_progress=False)
        return cls(model, int(model.scores["num_docs"]))

    @property
    def vocabulary_size(self) -> int:
        """Distinct tokens in the index."""
        return len(self._vocab)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every unit (float32, length ``n_units``); zeros when no token is known."""
        # A repeated query token would count twice; one match per distinct token is enough.
        ids = [self._vocab[t] for t in dict.fromkeys(query_tokens) if t and t in self._vocab]
        if not ids:
            return np.zeros(self.n_units, dtype=np.float32)
        scores = self._model.get_scores_from_ids(ids)
        return np.asarray(scores, dtype=np.float32)
