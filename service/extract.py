"""Extractive answers from the retrieved targets, and evidence added beside an answer.

``search_answer`` quotes the best spans of the top targets; ``with_content`` and
``with_city_governments`` add a second piece of evidence to an answer that asked
for two things: the work beside who leads it, the cities in a responsibility note.
"""

from __future__ import annotations

from service.abstain import judge
from service.catalog import Catalog
from service.compose import (
    Span,
    cite,
    marker,
    overlaps,
    pick_spans,
    term_weights,
    trim_span,
)
from service.engine import Engine
from service.intent import content_part
from service.lookup import Composed, lead_answer
from service.retrieve import Retrieval


def search_answer(engine: Engine, retrieval: Retrieval, typed: Span | None = None) -> Composed:
    """The best spans of the top targets, each followed by its marker.

    ``typed`` is the span of the top target that holds the kind of answer the
    question asked for (a year, an amount); it is quoted first.
    """
    weights = term_weights(retrieval.tokens, engine.idf)
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


def with_content(engine: Engine, text: str, lead: Composed) -> Composed:
    """A lead question that also asks about the work ("文件有没有提落地签？这条是哪个局
    牵头？") gets the quote for that part first, when it is about the same task and
    not declined."""
    part = content_part(text)
    if part is None:
        return lead
    retrieval = engine.retrieve(part)
    # Only about the same work: a part that finds another task asks something else.
    if not retrieval.targets or retrieval.targets[0].key != lead.ranking[0]:
        return lead
    if judge(engine, part, retrieval).reason:
        return lead
    content = search_answer(engine, retrieval)
    ranking = lead.ranking + tuple(k for k in content.ranking if k not in lead.ranking)
    return Composed(content.text + lead.text, content.citations + lead.citations, ranking, "lead")


def with_city_governments(catalog: Catalog, retrieval: Retrieval, found: Composed) -> Composed:
    """ "扶贫协作拉上了哪几个珠三角城市": the cities are the city governments that the
    best task's responsibility note names, so the note is quoted after the text."""
    hit = retrieval.targets[0]
    target = catalog.targets[hit.key]
    noted = [
        c
        for c in (*hit.clauses, *target.clauses)
        if any(name.endswith("市政府") and name != "有关地级以上市政府" for name in c.participants)
    ]
    if not noted or noted[0].note is None or noted[0].note in found.text:
        return found
    note = lead_answer(target, noted[:1], hit.score)
    return Composed(
        found.text + note.text, found.citations + note.citations, found.ranking, found.kind
    )


def ranking_of(retrieval: Retrieval | None) -> tuple[str, ...]:
    """The retrieved target keys in rank order (empty without a retrieval)."""
    return retrieval.ranking if retrieval else ()
