"""Citations: the marker an answer shows (【任务7】) and the :class:`Citation` of a
clause's verbatim quote. Every quote of every answer is cited through :func:`cite`,
which refuses words the clause does not contain.
"""

from __future__ import annotations

from collections.abc import Sequence

from indexer.types import Clause
from service.catalog import Section
from service.contract import Citation


def marker(task: int | None, section: str) -> str:
    """The citation marker shown in answers: 【任务7】 or 【一(三)】."""
    return f"【任务{task}】" if task is not None else f"【{section}】"


def join_names(names: Sequence[str]) -> str:
    """省发展改革委、省交通运输厅 — the document's own list separator."""
    return "、".join(names)


def cite(clause: Clause, quote: str, score: float, section: Section | None = None) -> Citation:
    """A citation of ``clause``; refuses a quote that is not in the clause verbatim.

    Every answer's quotes come through here, so no answer can cite words the
    document does not contain. With ``section``, the citation is of that whole
    section (二(三)), quoting its first clause.
    """
    if not quote or quote not in clause.text:
        raise ValueError(f"quote is not in clause {clause.id}: {quote[:40]!r}")
    return Citation(
        doc=clause.doc_id,
        task=None if section else clause.task,
        section=section.code if section else clause.section,
        title=section.title if section else clause.title,
        clause_id=clause.id,
        quote=quote,
        lead=clause.lead,
        participants=clause.participants,
        score=round(float(score), 4),
        marker=marker(None, section.code) if section else marker(clause.task, clause.section),
    )
