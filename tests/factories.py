"""Hand-made domain objects for tests that need a clause without parsing a document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from indexer.types import Clause, Sentence


def clause_from_sentences(
    sentences: Sequence[str], *, note: str | None = None, **fields: Any
) -> Clause:
    """A Clause whose text is ``sentences`` plus the note, with correct sentence offsets.

    ``fields`` are the remaining Clause fields (id, doc_id, task, section, title, …).
    """
    spans, pos = [], 0
    for s in sentences:
        spans.append(Sentence(s, pos, pos + len(s)))
        pos += len(s)
    text = "".join(sentences) + (note or "")
    return Clause(text=text, sentences=tuple(spans), note=note, **fields)
