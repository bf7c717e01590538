"""Extractive answers from the retrieved targets, and evidence added beside an answer.

``search_answer`` quotes the best spans of the top targets; ``with_note`` adds the
responsibility note to an answer whose question it answers (agencies, cities).
"""

from __future__ import annotations

from service.agency_answers import lead_answer, names_agency
from service.catalog import Catalog
from service.citing import cite, marker
from service.engine import Engine
from service.lookup import Composed
from service.retrieve import Retrieval
from service.spans import Span, overlaps, pick_spans, quote_weights, trim_span


def search_answer(engine: Engine, retrieval: Retrieval, typed: Span | None = None) -> Composed:
    """The best spans of the top targets, each followed by its marker.

    ``typed`` is the span of the top target that holds the kind of answer the
    question asked for (a year, an amount); it is quoted first.
    """
    weights = quote_weights(retrieval, engine.idf)
    top = retrieval.targets[0]
    chosen = [top]
    for hit in retrieval.targets[1:2]:
        if hit.score >= engine.second_target_ratio * top.score:
            chosen.append(hit)
    pieces, cites = [], []
    for rank, hit in enumerate(chosen):
        spans = pick_spans(hit.clauses[:3], weights, limit=2 if rank == 0 else 1)
        if rank == 0 and typed is not None:
            # The typed span goes first; a span it overlaps gives way to it.
            spans = [typed, *[s for s in spans if not overlaps(typed, [s])][:1]]
        if rank > 0 and (not spans or spans[0].score <= 0):
            continue
        for span in spans:
            quote = trim_span(span)
            clause = span.clause
            prefix = f"{hit.clauses[0].title}：" if not pieces or rank > 0 else ""
            pieces.append(f"{prefix}{quote}{marker(clause.task, clause.section)}")
            cites.append(cite(clause, quote, hit.score))
    return Composed("".join(pieces), tuple(cites), ranking_of(retrieval), "search")


def with_note(
    catalog: Catalog, retrieval: Retrieval, found: Composed, agencies: tuple[str, ...] = ()
) -> Composed:
    """The best task's responsibility note, quoted after the text, for a question whose
    answer it holds: one that names agencies the note names ("南繁育种…是省农业厅管还是
    海洋渔业那边管", "环保厅、卫计委是不是都在分工名单里": their role in the work), or
    asks which cities take part ("扶贫协作拉上了哪几个珠三角城市": the city governments
    the note names)."""
    hit = retrieval.targets[0]
    target = catalog.targets[hit.key]
    clauses = (*hit.clauses, *target.clauses)
    if agencies:
        noted = [c for c in clauses if names_agency(c, agencies)]
    else:
        noted = [c for c in clauses if any(map(_is_city_government, c.participants))]
    if not noted or noted[0].note is None or noted[0].note in found.text:
        return found
    note = lead_answer(target, noted[:1], hit.score)
    return Composed(
        found.text + note.text, found.citations + note.citations, found.ranking, found.kind
    )


def _is_city_government(name: str) -> bool:
    return name.endswith("市政府") and name != "有关地级以上市政府"


def ranking_of(retrieval: Retrieval | None) -> tuple[str, ...]:
    """The retrieved target keys in rank order (empty without a retrieval)."""
    return retrieval.ranking if retrieval else ()
