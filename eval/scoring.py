"""Scoring a run: each answer against its gold row, then the whole run.

Retrieval scores come from ranx; citations, facts and declines are read off the
Answer-contract dicts by ``eval.responses``; ``eval.metrics`` defines the metrics
and aggregates them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eval.metrics import (
    RETRIEVAL_METRICS,
    EvalResult,
    GoldRow,
    QuestionScore,
    breakdown,
    normalize_key,
    summarize,
)
from eval.responses import answer_text, citation_keys, fact_hits, response_status

# Stands in for "nothing retrieved" so ranx keeps the query and scores it 0.
_NO_HIT = "__no_hit__"


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
        # The definition: the right task is nowhere among the citations, and not
        # the first related clause either (a runner-up shown beside the answer counts).
        dead_end=not any(hits) and not (bool(related) and related[0] in gold),
    )


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
