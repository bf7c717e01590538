"""Stage 6, compose: the answer text and its citations, in the shape the judge chose.

Each shape has one composer: a catalog lookup is already composed by the route;
a role check and a who-leads answer quote the responsibility note
(``service.lookup``); a task summed up or a section's items come from the
catalog; quotes are the best sentences of the evidence (``service.extract``).
"""

from __future__ import annotations

from service.agency_answers import lead_answer, role_answer
from service.citing import cite, marker
from service.contract import Citation
from service.decline import related_clauses
from service.engine import Engine
from service.extract import search_answer, with_note
from service.judge import Verdict
from service.lookup import Composed, section_overview, task_overview
from service.read import Reading
from service.retrieve import Retrieval
from service.route import Route
from service.spans import pick_spans, quote_weights, short_quote, trim_span


def compose(engine: Engine, reading: Reading, route: Route, verdict: Verdict) -> Composed:
    """The answer of an answering verdict (never called for declines)."""
    catalog = engine.catalog
    shape = verdict.shape
    if shape == "lookup" and route.found is not None:
        return route.found
    if shape == "role" and verdict.hit is not None:
        hit = verdict.hit
        return role_answer(catalog.targets[hit.key], hit.clauses, hit.score, reading.agencies)
    if shape == "summary" and verdict.task is not None:
        return task_overview(catalog, verdict.task)
    if shape == "listed" and verdict.section is not None:
        return section_overview(catalog, verdict.section, counting=True)
    if shape == "lead" and verdict.target is not None:
        counts = reading.intent.counted == "agencies"
        lead = lead_answer(verdict.target, verdict.clauses, verdict.score, counts)
        return _with_work(engine, verdict, lead)
    if shape == "quote" and verdict.evidence is not None:
        found = search_answer(engine, verdict.evidence, verdict.span)
        if reading.asks_cities or reading.agencies:
            found = with_note(catalog, verdict.evidence, found, reading.agencies)
        return found
    raise ValueError(f"no composer for a {shape!r} verdict")


# The work quoted beside a who-leads answer shows which work it is; the note is the
# answer, so the quote stops at the clause boundary before this many characters.
WORK_QUOTE_CHARS = 120


def _with_work(engine: Engine, verdict: Verdict, lead: Composed) -> Composed:
    """Who leads, then the sentence that names the work asked about, so the answer
    shows that the work is the one asked about and what the document says of it
    ("碳交易这块…哪个机构发挥作用": the note, then 发挥全国碳市场能力建设(广东)中心作用…)."""
    evidence = verdict.evidence
    if evidence is None or verdict.target is None:
        return lead
    weights = quote_weights(evidence, engine.idf)
    spans = pick_spans(verdict.clauses[:3], weights, limit=1)
    if not spans or spans[0].score <= 0:
        return lead
    span = spans[0]
    quote = short_quote(trim_span(span), WORK_QUOTE_CHARS)
    clause = span.clause
    text = f"原文：{quote}{marker(clause.task, clause.section)}"
    return Composed(
        lead.text + text,
        (*lead.citations, cite(clause, quote, verdict.score)),
        lead.ranking,
        lead.kind,
    )


def joined(first: Composed, then: Composed) -> Composed:
    """Two answers of one two-part question, the first's quotes first."""
    ranking = then.ranking + tuple(k for k in first.ranking if k not in then.ranking)
    return Composed(first.text + then.text, first.citations + then.citations, ranking, then.kind)


def see_also(
    engine: Engine, evidence: Retrieval | None, citations: tuple[Citation, ...]
) -> tuple[Citation, ...]:
    """The close runner-ups of an answer's evidence that it does not cite (related).

    "Close" is the share a decline's related clauses use (``service.decline``): one
    bar for "the ranking is not sure, look here too", answered or not. At 0.8 rather
    than 0.6, 215 of the 1,378 answers on dev and calibration showed one; 0.6 shows
    one beside 509 and takes the right task out of a dead end for 4 more of 1,350.
    """
    if evidence is None or not evidence.targets or not citations:
        return ()
    cited = {target_key_of(c) for c in citations}
    return related_clauses(engine, evidence, skip=cited)


def target_key_of(cite: Citation) -> str:
    """The target key ("7", "一(三)") a citation points at."""
    return str(cite.task) if cite.task is not None else cite.section
