"""Hybrid retrieval: BM25 over jieba tokens + dense vectors, fused by a weighted sum.

Why a weighted sum of normalized scores and not RRF: on the dev half of the gold
set the weighted sum ranked the right task first clearly more often (see the
README's comparison table); RRF throws away how far ahead the best hit is,
which is exactly what the decline decision needs too.

Hits are scored per retrieval unit, rolled up to clauses and then to targets
(a task, or a section without tasks), so the answer can cite task numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from indexer.types import Clause
from service.catalog import target_key

MODES = ("hybrid", "bm25", "dense")
FUSIONS = ("weighted", "rrf")
RRF_K = 60  # the constant from Cormack et al. (2009)


@dataclass(frozen=True)
class RetrievalConfig:
    """How to retrieve. ``dense_weight`` is the share of the dense score in the fusion.

    0.4 was best on the dev half (0.3 and 0.4 tied; 0.5 one question behind,
    0.7 three behind); RRF was clearly worse (see README). English questions
    reach BM25 through the glossary (``corpus/knowledge/glossary_en.txt``) and take the
    same weight: on the 78 English tuning questions 0.4 and 0.6 tie on first
    citations and 0.4 puts the most facts in the answers.
    """

    mode: str = "hybrid"
    fusion: str = "weighted"
    dense_weight: float = 0.4
    # Skip the query embedding (~11 ms) when no other target's best BM25 unit reaches
    # this share of the top one. Below 1/3 the skip is exact at weight 0.4; on the 884
    # tuning questions no answer changed for the worse up to 0.6 (one did at 0.7), so
    # 0.5 keeps a margin. 0 always embeds.
    lexical_cutoff: float = 0.5
    candidates: int = 50
    top_targets: int = 10

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"retrieval mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {', '.join(FUSIONS)}, not {self.fusion!r}")
        if not 0.0 <= self.dense_weight <= 1.0:
            raise ValueError("the dense weight must be between 0 and 1")
        if not 0.0 <= self.lexical_cutoff <= 1.0:
            raise ValueError("the lexical cutoff must be between 0 and 1")


@dataclass(frozen=True)
class Query:
    """What one search looks for, tokenized once (``Engine.query``, called by read).

    ``text`` is the text searched for (the question, or the part of it that names the
    work) and ``normalized`` its normalized form, which the wording model reads;
    ``tokens`` are its query tokens with the tokens of any route names it shortens
    (赣深客专 → 赣州至深圳); ``embedded`` is the text the embedder reads, with those
    names spelled out. ``borrowed`` are the tokens a follow-up takes only from the
    conversation before it: they find the work talked of, but the turn's own words
    choose what to quote from it.
    """

    text: str
    normalized: str
    tokens: tuple[str, ...]
    embedded: str
    borrowed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TargetHit:
    """A ranked target with its clauses, best first, and the fused score."""

    key: str
    score: float
    clauses: tuple[Clause, ...]
    clause_scores: tuple[float, ...]


@dataclass(frozen=True)
class Retrieval:
    """Ranked targets plus the raw signals the decline decision reads."""

    targets: tuple[TargetHit, ...]
    tokens: tuple[str, ...]
    # Best raw cosine similarity: 0 when dense is off, None when BM25 alone decided
    # the ranking and the embedding was skipped.
    dense_top: float | None
    bm25_top: float  # best raw BM25 score (0 when BM25 is off)
    # The best cosine similarity, embedding the question on the first call when the
    # retrieval skipped it; cached, so a question judged twice embeds once.
    similarity: Callable[[], float] = field(default=lambda: 0.0, compare=False, repr=False)
    # The query's tokens borrowed from earlier turns (``Query.borrowed``).
    borrowed: frozenset[str] = frozenset()

    @property
    def ranking(self) -> tuple[str, ...]:
        """Target keys in rank order."""
        return tuple(t.key for t in self.targets)

    def with_first(self, clause: Clause) -> Retrieval:
        """The same retrieval with the target holding ``clause`` moved to the front."""
        moved = [h for h in self.targets if any(c.id == clause.id for c in h.clauses)]
        if not moved or moved[0] is self.targets[0]:
            return self
        rest = (h for h in self.targets if h is not moved[0])
        return replace(self, targets=(moved[0], *rest))


def _minmax(values: np.ndarray) -> np.ndarray:
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-9:
        return np.zeros_like(values) if hi <= 0 else np.ones_like(values)
    return (values - lo) / (hi - lo)


def fuse(bm25: np.ndarray | None, dense: np.ndarray | None, dense_weight: float) -> np.ndarray:
    """Weighted sum of per-query normalized scores over the same units.

    BM25 is scaled by its maximum (zero stays zero: no matching term, no credit);
    cosine similarities are min-max scaled, since e5 puts every text in a narrow band.
    """
    if bm25 is None and dense is None:
        raise ValueError("nothing to fuse")
    if dense is None:
        assert bm25 is not None
        top = float(bm25.max()) if bm25.size else 0.0
        return bm25 / top if top > 0 else bm25
    if bm25 is None:
        return _minmax(dense)
    top = float(bm25.max())
    bm_norm = bm25 / top if top > 0 else bm25
    return dense_weight * _minmax(dense) + (1.0 - dense_weight) * bm_norm


def rrf(bm25: np.ndarray, dense: np.ndarray, k: int = RRF_K) -> np.ndarray:
    """Reciprocal rank fusion; units without any BM25 match get no BM25 share.

    Kept for comparison: on the dev half it ranked worse than :func:`fuse`.
    """
    out = np.zeros(len(dense), dtype=np.float64)
    for scores, only_positive in ((bm25, True), (dense, False)):
        order = np.argsort(-scores, kind="stable")
        ranks = np.empty(len(scores), dtype=np.float64)
        ranks[order] = np.arange(1, len(scores) + 1)
        share = 1.0 / (k + ranks)
        if only_positive:
            share[scores <= 0] = 0.0
        out += share
    return out


def roll_up(
    unit_scores: np.ndarray,
    unit_clause: Sequence[int],
    clauses: Sequence[Clause],
    limit: int,
) -> tuple[TargetHit, ...]:
    """Unit scores → best score per clause → targets ranked by their best clause."""
    clause_best = np.full(len(clauses), -np.inf, dtype=np.float32)
    np.maximum.at(clause_best, np.asarray(unit_clause), unit_scores.astype(np.float32))
    order = np.argsort(-clause_best, kind="stable")
    grouped: dict[str, list[int]] = {}
    for ci in order.tolist():
        if not np.isfinite(clause_best[ci]):
            break
        key = target_key(clauses[ci])
        if key in grouped:
            grouped[key].append(ci)
        elif len(grouped) < limit:
            grouped[key] = [ci]
    hits = [
        TargetHit(
            key,
            float(clause_best[idx[0]]),
            tuple(clauses[i] for i in idx),
            tuple(float(clause_best[i]) for i in idx),
        )
        for key, idx in grouped.items()
    ]
    return tuple(hits)
