"""Stage 7, verify: every quote of an answer is verbatim in the clause it cites.

Answers are built only from the document's own words; this is where that is
checked, once, for the citations and the related clauses alike. A citation that
fails is a bug: it is logged and dropped, never shown.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from indexer.types import Clause
from service.contract import Citation

log = logging.getLogger(__name__)


def unverified(citations: Sequence[Citation], clauses: dict[str, Clause]) -> list[Citation]:
    """The citations whose quote is empty or not in their clause's text.

    >>> unverified([], {})
    []
    """
    bad = []
    for cite in citations:
        clause = clauses.get(cite.clause_id)
        if not cite.quote or clause is None or cite.quote not in clause.text:
            bad.append(cite)
    return bad


def verified(citations: tuple[Citation, ...], clauses: dict[str, Clause]) -> tuple[Citation, ...]:
    """``citations`` without the unverifiable ones (each logged as an error)."""
    bad = unverified(citations, clauses)
    for cite in bad:
        log.error("dropped a citation not verbatim in %s: %r", cite.clause_id, cite.quote[:40])
    return tuple(c for c in citations if c not in bad)
