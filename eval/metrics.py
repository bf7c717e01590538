"""Evaluation metrics: pure functions over gold rows and Answer-contract dicts.

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
# Stands in for "nothing retrieved" so ranx keeps the query and scores it 0.
_NO_HIT = "__no_hit__"

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
    # Answerable only: neither the first citation nor the first related clause is gold.
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


def citation_keys(response: Mapping[str, Any], field: str = "citations") -> list[str]:
    """The answer's cited target keys, in citation order, without repeats
    (``field="related"``: the keys of the clauses shown beside a decline)."""
    keys: list[str] = []
    for cite in response.get(field) or ():
        task = cite.get("task")
        key = normalize_key(task if task is not None else cite.get("section", ""))
        if key and key not in keys:
            keys.append(key)
    return keys


def response_status(response: Mapping[str, Any]) -> str | None:
    """The response's status: as given, else ``answered`` for an answer that did not
    abstain (a server from before statuses); None for an error or an ungraded decline."""
    if "error" in response:
        return None
    status = response.get("status")
    if status is not None:
        return str(status)
    return None if response.get("abstained") else "answered"


def answer_text(response: Mapping[str, Any]) -> str:
    """The text that may hold facts: a declined answer's words (what the document does
    not state, suggested questions) answer nothing, so they hold none."""
    return "" if response.get("abstained") else str(response.get("answer") or "")


def normalize_text(text: str) -> str:
    """Fold width and case, drop whitespace and commas, so facts match robustly."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if not ch.isspace() and ch not in ",、，")


def fact_hits(facts: Sequence[str], answer: str) -> list[bool]:
    """Which facts occur in the answer text.

    No special case for English questions: the facts are Chinese phrases, so an
    answer that does not quote the Chinese text misses them and is counted so.
    """
    norm = normalize_text(answer)
    return [normalize_text(f) in norm for f in facts]


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile with linear interpolation (numpy's default); None if empty."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))


def retrieval_scores(
    items: Sequence[tuple[Sequence[str], Sequence[str]]],
) -> list[dict[str, float]]:
    """Per-query Recall@1/3/5, MRR@10 and nDCG@10 computed with ranx.

    ``items`` are ``(gold, ranking)`` pairs with non-empty gold. Ranks become
    strictly decreasing scores so ranx cannot reorder ties, repeats keep their
    first rank, and an empty ranking gets a non-relevant placeholder because
    ranx refuses runs that lack a query.
    """
    if not items:
        return []
    from ranx import Qrels, Run, evaluate  # numba start-up is slow; pay it only when scoring

    qrels: dict[str, dict[str, int]] = {}
    run: dict[str, dict[str, float]] = {}
    for i, (gold, ranking) in enumerate(items):
        if not gold:
            raise ValueError(f"retrieval item {i} has empty gold; out-of-scope rows have no recall")
        qid = f"q{i}"
        qrels[qid] = {normalize_key(g): 1 for g in gold}
        ranked = list(dict.fromkeys(normalize_key(r) for r in ranking))
        run[qid] = {doc: float(len(ranked) - rank) for rank, doc in enumerate(ranked)}
        if not run[qid]:
            run[qid] = {_NO_HIT: 0.0}
    ranx_run = Run(run)
    evaluate(Qrels(qrels), ranx_run, list(RETRIEVAL_METRICS))
    # ranx sorts query ids ("q10" before "q2"), so read scores back by id, not position.
    per_query = ranx_run.scores
    return [{m: float(per_query[m][f"q{i}"]) for m in RETRIEVAL_METRICS} for i in range(len(items))]


def score_question(
    row: GoldRow, response: Mapping[str, Any], retrieval: dict[str, float] | None = None
) -> QuestionScore:
    """Score one answer against its gold row (retrieval scores come from ranx)."""
    declined = bool(response.get("abstained"))
    status = response_status(response)
    timing = response.get("timing_ms") or {}
    latency = timing.get("total")
    latency_ms = float(latency) if latency is not None else None
    if not row.answerable:
        return QuestionScore(
            id=row.id,
            type=row.type,
            lang=row.lang,
            answerable=False,
            declined=declined,
            correct=declined,
            first_citation_correct=None,
            top3_hit=None,
            citation_precision=None,
            citation_recall=None,
            fact_coverage=None,
            latency_ms=latency_ms,
            status=status,
        )
    gold = set(row.gold)
    cited = citation_keys(response)
    hits = [k in gold for k in cited]
    first = bool(hits[:1] and hits[0])
    # No citations scores precision 0, not "undefined": declining must not pay.
    precision = sum(hits) / len(cited) if cited else 0.0
    recall = len(gold.intersection(cited)) / len(gold)
    facts = fact_hits(row.facts, answer_text(response))
    coverage = sum(facts) / len(facts) if facts else None
    related = citation_keys(response, "related")
    return QuestionScore(
        id=row.id,
        type=row.type,
        lang=row.lang,
        answerable=True,
        declined=declined,
        correct=first and not declined,
        first_citation_correct=first,
        top3_hit=any(hits[:3]),
        citation_precision=precision,
        citation_recall=recall,
        fact_coverage=coverage,
        latency_ms=latency_ms,
        retrieval=dict(retrieval or {}),
        status=status,
        dead_end=not first and not (bool(related) and related[0] in gold),
    )


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


def failure_tags(row: GoldRow, response: Mapping[str, Any], score: QuestionScore) -> list[str]:
    """Short reasons why a question failed; empty when it passed."""
    if "error" in response:
        return [f"error:{response['error']}"]
    if not row.answerable:
        return [] if score.declined else ["not_declined"]
    if score.declined:
        tags = ["wrongly_declined"]
    else:
        tags = [] if score.first_citation_correct else ["wrong_first_citation"]
    if score.dead_end:
        tags.append("dead_end")
    hits = fact_hits(row.facts, answer_text(response))
    tags += [f"missing_fact:{f}" for f, hit in zip(row.facts, hits, strict=True) if not hit]
    return tags


def failure_record(row: GoldRow, response: Mapping[str, Any], tags: list[str]) -> dict[str, Any]:
    """What was expected and what came back, for one failed question."""
    return {
        "id": row.id,
        "type": row.type,
        "lang": row.lang,
        "question": row.question,
        "history": list(row.history),
        "tags": tags,
        "expected": {"gold": list(row.gold), "facts": list(row.facts)},
        "got": {
            "answer": response.get("answer", ""),
            "abstained": bool(response.get("abstained")),
            "status": response_status(response),
            "kind": response.get("kind"),
            "reason": response.get("reason"),
            "citations": citation_keys(response),
            "related": citation_keys(response, "related"),
            "ranking_top3": [normalize_key(r) for r in (response.get("ranking") or ())][:3],
        },
    }


def score_run(
    rows: Sequence[GoldRow], responses: Sequence[Mapping[str, Any]], label: str = ""
) -> EvalResult:
    """Score a whole run: ``responses[i]`` is the ``Answer.to_dict()`` for ``rows[i]``."""
    if len(rows) != len(responses):
        raise ValueError(f"{len(rows)} gold rows but {len(responses)} responses; they must pair")
    answerable = [i for i, r in enumerate(rows) if r.answerable]
    ranx_scores = retrieval_scores(
        [(rows[i].gold, responses[i].get("ranking") or ()) for i in answerable]
    )
    per_row: dict[int, dict[str, float]] = dict(zip(answerable, ranx_scores, strict=True))
    scores = [
        score_question(row, resp, per_row.get(i))
        for i, (row, resp) in enumerate(zip(rows, responses, strict=True))
    ]
    failures = []
    for row, resp, score in zip(rows, responses, scores, strict=True):
        tags = failure_tags(row, resp, score)
        if tags:
            failures.append(failure_record(row, resp, tags))
    return EvalResult(
        label=label,
        summary=summarize(scores),
        by_type=breakdown(scores, lambda s: s.type),
        by_lang=breakdown(scores, lambda s: s.lang),
        questions=tuple(scores),
        failures=tuple(failures),
    )
