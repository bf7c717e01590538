"""Evaluation metrics: their names, the gold rows and per-question scores, and how
the scores aggregate. ``eval.responses`` reads Answer-contract dicts and
``eval.scoring`` scores a run with both.

Nothing here imports the engine, so the arithmetic is testable on hand-made
data and the same code scores an in-process run or a deployed server.

A *target key* is ``str(task)`` for a task and the section code (``"一(三)"``)
otherwise, for gold and for citations alike. A question is *answerable* when
its gold list is non-empty; out-of-scope questions only count for the decline
metrics.

Graded answers (the contract's ``status``): the share of answerable questions
answered, the share of out-of-scope questions that get ``not_stated`` or
``off_topic``, and *dead ends*: answerable questions whose answer neither cites a
gold target first nor shows one first among its ``related`` clauses.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

# hit_rate@3: some gold unit is in the top 3 ("the right one is in the top 3").
# recall@3 is the share of all gold units there, which a question with 8 golds
# ("主要任务一共多少项" → every 二(x) section) cannot get above 3/8.
RETRIEVAL_METRICS = ("recall@1", "recall@3", "hit_rate@3", "recall@5", "mrr@10", "ndcg@10")
ANSWER_METRICS = (
    "answer_accuracy",
    "first_citation_accuracy",
    "top3_citation_hit",
    "citation_precision",
    "citation_recall",
    "fact_coverage",
)
DECLINE_METRICS = ("decline_precision", "decline_recall", "wrongly_declined_rate")
GRADED_METRICS = ("answered_rate", "out_of_scope_graded_rate", "dead_end_rate")
LATENCY_METRICS = ("latency_p50_ms", "latency_p95_ms")
ALL_METRICS = (
    RETRIEVAL_METRICS + ANSWER_METRICS + DECLINE_METRICS + GRADED_METRICS + LATENCY_METRICS
)
# The statuses of a declined answer (service/contract.py).
GRADED_STATUSES = ("not_stated", "off_topic")

Summary = dict[str, float | None]


@dataclass(frozen=True)
class GoldRow:
    """One gold question. ``gold`` holds target keys; empty means out of scope."""

    id: str
    question: str
    gold: tuple[str, ...]
    facts: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    type: str = "fact"
    lang: str = "zh"
    split: str = "dev"

    @property
    def answerable(self) -> bool:
        return bool(self.gold)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GoldRow:
        """Parse one ``gold.jsonl`` row; task ints become keys like ``"7"``."""
        return cls(
            id=str(data["id"]),
            question=str(data["question"]),
            gold=tuple(normalize_key(g) for g in data.get("gold") or ()),
            facts=tuple(str(f) for f in data.get("facts") or ()),
            history=tuple(str(h) for h in data.get("history") or ()),
            type=str(data.get("type", "fact")),
            lang=str(data.get("lang", "zh")),
            split=str(data.get("split", "dev")),
        )


@dataclass(frozen=True)
class QuestionScore:
    """Per-question scores; None where a metric does not apply to the question."""

    id: str
    type: str
    lang: str
    answerable: bool
    declined: bool
    correct: bool
    first_citation_correct: bool | None
    top3_hit: bool | None
    citation_precision: float | None
    citation_recall: float | None
    fact_coverage: float | None
    latency_ms: float | None
    retrieval: dict[str, float] = field(default_factory=dict)
    # The contract's status; None for an error or a response without one.
    status: str | None = None
    # Answerable only: no citation and not the first related clause is gold.
    dead_end: bool | None = None


@dataclass(frozen=True)
class EvalResult:
    """Everything one evaluation run measured, ready for the report and JSON."""

    label: str
    summary: Summary
    by_type: dict[str, Summary]
    by_lang: dict[str, Summary]
    questions: tuple[QuestionScore, ...]
    failures: tuple[dict[str, Any], ...]
    comparison: dict[str, Summary] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: all metrics, breakdowns, per-question scores, failures."""
        return asdict(self)


def normalize_key(key: object) -> str:
    """A target key: ints as ``"7"``, section codes with full-width brackets folded."""
    if isinstance(key, bool):
        raise TypeError(f"gold target {key!r} is neither a task number nor a section code")
    if isinstance(key, int):
        return str(key)
    return unicodedata.normalize("NFKC", str(key)).strip()


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile with linear interpolation (numpy's default); None if empty."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))


def _mean(values: Sequence[float | bool | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def summarize(scores: Sequence[QuestionScore]) -> Summary:
    """Aggregate per-question scores: macro means, decline counts, latency percentiles."""
    answerable = [s for s in scores if s.answerable]
    out_of_scope = [s for s in scores if not s.answerable]
    declined = [s for s in scores if s.declined]
    latencies = [s.latency_ms for s in scores if s.latency_ms is not None]
    summary: Summary = {
        "n_questions": float(len(scores)),
        "n_answerable": float(len(answerable)),
        "n_out_of_scope": float(len(out_of_scope)),
    }
    for metric in RETRIEVAL_METRICS:
        summary[metric] = _mean([s.retrieval.get(metric) for s in answerable])
    summary["answer_accuracy"] = _mean([s.correct for s in scores])
    summary["first_citation_accuracy"] = _mean([s.first_citation_correct for s in answerable])
    summary["top3_citation_hit"] = _mean([s.top3_hit for s in answerable])
    summary["citation_precision"] = _mean([s.citation_precision for s in answerable])
    summary["citation_recall"] = _mean([s.citation_recall for s in answerable])
    summary["fact_coverage"] = _mean([s.fact_coverage for s in answerable])
    correct_declines = sum(1 for s in declined if not s.answerable)
    summary["decline_precision"] = _ratio(correct_declines, len(declined))
    summary["decline_recall"] = _ratio(correct_declines, len(out_of_scope))
    summary["wrongly_declined_rate"] = _ratio(sum(s.declined for s in answerable), len(answerable))
    summary["answered_rate"] = _mean([s.status == "answered" for s in answerable])
    summary["out_of_scope_graded_rate"] = _mean([s.status in GRADED_STATUSES for s in out_of_scope])
    summary["dead_end_rate"] = _mean([s.dead_end for s in answerable])
    summary["latency_p50_ms"] = percentile(latencies, 50)
    summary["latency_p95_ms"] = percentile(latencies, 95)
    return summary


def breakdown(
    scores: Sequence[QuestionScore], key: Callable[[QuestionScore], str]
) -> dict[str, Summary]:
    """Every metric per group (e.g. ``key=lambda s: s.type``), groups sorted by name."""
    groups: dict[str, list[QuestionScore]] = {}
    for s in scores:
        groups.setdefault(key(s), []).append(s)
    return {name: summarize(groups[name]) for name in sorted(groups)}
