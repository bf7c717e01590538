"""The one answer function every adapter calls: question in, :class:`Answer` out.

It runs the answering pipeline, one stage per module, each taking what the one
before produced:

1. intake (``service.query.prepare``): validate, fold in the conversation;
2. read (``service.read``): the question read once into a ``Reading``;
3. route (``service.route``): a catalog lookup, or a search plan;
4. gather (``service.gather``): the retrieval the plan asks for;
5. judge (``service.judge``): answer in some shape, decline, or fall back;
6. compose (``service.compose``): the answer text and its citations;
7. verify (``service.verify``): every quote verbatim in the clause it cites.

A declined answer is graded by ``service.decline`` (not stated, with the closest
clauses; or off topic, with questions the document can answer). A two-part
question ("文件有没有提落地签？这条是哪个局牵头？") is two readings.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from time import perf_counter
from weakref import WeakKeyDictionary

from indexer.types import Clause
from service.compose import compose, joined, see_also
from service.contract import ANSWERED, OFF_TOPIC, Answer, status_of
from service.decline import declined
from service.engine import Engine
from service.gather import gather
from service.judge import FALLBACK, Verdict, judge
from service.lookup import Composed
from service.query import Turn, prepare
from service.read import Reading, read
from service.retrieve import Retrieval, TargetHit
from service.route import SEARCH, Route, route
from service.verify import verified

log = logging.getLogger(__name__)

_CLAUSES: WeakKeyDictionary[Engine, dict[str, Clause]] = WeakKeyDictionary()


def answer_question(engine: Engine, question: str, history: Sequence[str | Turn] = ()) -> Answer:
    """Answer one question, with the earlier turns of its conversation for follow-ups
    (plain strings are user turns; :class:`Turn` also carries assistant answers).

    Raises :class:`indexer.errors.BadQuestion` for empty or oversized questions.

    >>> answer_question(engine, "第17项任务讲什么？").citations[0].task  # doctest: +SKIP
    17
    """
    started = perf_counter()
    # The tokenizer's and expansions' tables are this engine's (nothing happens when they
    # are already: one engine per process is the usual case).
    engine.activate()
    timing: dict[str, float] = {}
    reading = read(engine, prepare(question, history, engine.limits))
    plan, retrieval, verdict = _decide(engine, reading, route(engine, reading), timing)
    leaning = reading.asked.leaning
    if leaning is not None and verdict.declines and status_of(verdict.reason or "") == OFF_TOPIC:
        # A turn that names a topic of its own but that the documents know nothing of
        # alone ("同一条里还说要研究编个啥规化？") is read with the conversation.
        borrowed = read(engine, leaning)
        decided = _decide(engine, borrowed, route(engine, borrowed), timing)
        if not decided[2].declines:
            reading, (plan, retrieval, verdict) = borrowed, decided
    evidence = verdict.evidence or retrieval
    if verdict.declines:
        # A structural decline ("文件共有30项主要任务，没有任务40。") says it in its own words.
        found = plan.found if plan.found is not None and plan.found.kind == "declined" else None
        reason = verdict.reason or "no_match"
        if found is not None:
            text, ranking = found.text, found.ranking
            return _declined(engine, reading, reason, timing, started, evidence, text, ranking)
        return _declined(engine, reading, reason, timing, started, evidence)
    composed = compose(engine, reading, plan, verdict)
    if verdict.shape == "lead" and reading.content_part:
        composed = _with_content(engine, reading, composed)
    ranking = composed.ranking + tuple(
        k for k in (evidence.ranking if evidence else ()) if k not in composed.ranking
    )
    citations = verified(composed.citations, _clauses(engine))
    if composed.citations and not citations:
        return _declined(engine, reading, "no_match", timing, started, evidence)
    timing["total"] = _ms(started)
    return Answer(
        question=reading.text,
        answer=composed.text,
        abstained=False,
        citations=citations,
        timing_ms=timing,
        kind=composed.kind,
        reason=composed.reason,
        ranking=ranking,
        status=ANSWERED,
        related=verified(see_also(engine, evidence, citations), _clauses(engine)),
    )


def _decide(
    engine: Engine, reading: Reading, plan: Route, timing: dict[str, float]
) -> tuple[Route, Retrieval | None, Verdict]:
    """Gather and judge, following the route's fallback when the judge asks for it."""
    while True:
        retrieval = gather(engine, plan, timing)
        verdict = judge(engine, reading, plan, retrieval)
        if verdict.shape != FALLBACK:
            return plan, retrieval, verdict
        if plan.then is None:
            return plan, retrieval, Verdict("decline", "no_match", evidence=retrieval)
        plan = plan.then


def _with_content(engine: Engine, reading: Reading, lead: Composed) -> Composed:
    """The part of a two-part question that asks about the work, read and answered as
    a question of its own about the work the lead answer found; its quotes go first."""
    part = read(engine, prepare(reading.content_part or "", (), engine.limits))
    plan = route(engine, part)
    if plan.kind != SEARCH or not lead.ranking:
        return lead
    retrieval = gather(engine, plan, {})
    if retrieval is None or not retrieval.targets:
        return lead
    # The part may name the work only as "it" ("Who leads the health task, and does it
    # cover X?"): its evidence is the work the lead answer is about, not its own best hit.
    about = lead.ranking[0]
    hit = next((h for h in retrieval.targets if h.key == about), None)
    if hit is None:
        clauses = engine.catalog.targets[about].clauses
        hit = TargetHit(about, retrieval.targets[0].score, clauses, (0.0,) * len(clauses))
    verdict = judge(engine, part, plan, replace(retrieval, targets=(hit,)), on_topic=True)
    if verdict.shape != "quote":
        return lead
    return joined(compose(engine, part, plan, verdict), lead)


def _clauses(engine: Engine) -> dict[str, Clause]:
    """The engine's clauses by id (built once per engine, for verification)."""
    found = _CLAUSES.get(engine)
    if found is None:
        found = _CLAUSES[engine] = {c.id: c for c in engine.clauses}
    return found


def _declined(
    engine: Engine,
    reading: Reading,
    reason: str,
    timing: dict[str, float],
    started: float,
    retrieval: Retrieval | None = None,
    text: str | None = None,
    ranking: tuple[str, ...] | None = None,
) -> Answer:
    """A decline, graded (``service.decline``): what the document does not state and
    the closest clauses beside it, or questions it can answer. It cites nothing."""
    shown = declined(engine, reason, retrieval, text, reading.value.focus)
    timing["total"] = _ms(started)
    log.info("declined (%s, %s): %s", reason, shown.status, reading.text[:80])
    return Answer(
        question=reading.text,
        answer=shown.text,
        abstained=True,
        citations=(),
        timing_ms=timing,
        kind="declined",
        reason=reason,
        ranking=(retrieval.ranking if retrieval else ()) if ranking is None else ranking,
        status=shown.status,
        related=verified(shown.related, _clauses(engine)),
        suggestions=shown.suggestions,
    )


def _ms(since: float) -> float:
    return round((perf_counter() - since) * 1000, 2)
