"""The one response contract that the CLI, HTTP API, chat and bot adapters share.

``answer.answer_question`` returns an :class:`Answer`; adapters only translate it
(``to_dict`` gives the JSON shape documented in the README).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    """One cited clause. ``task`` is None for sections that are not tasks.

    ``marker`` is the text that appears in the answer, e.g. 【任务7】 or 【一(三)】.
    ``quote`` is verified to occur verbatim in the clause text.
    """

    doc: str
    task: int | None
    section: str
    title: str
    clause_id: str
    quote: str
    lead: tuple[str, ...]
    participants: tuple[str, ...]
    score: float
    marker: str


@dataclass(frozen=True)
class Answer:
    """The answer to one question, citations ordered by importance."""

    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    timing_ms: dict[str, float] = field(default_factory=dict)
    kind: str = "search"  # search | lead | aggregate | lookup | declined
    reason: str | None = None  # why the answer was declined, when it was
    # Retrieval targets in rank order ("7" for task 7, "一(三)" for a section),
    # before the answer picks its citations. Evaluation reads it for Recall@k/MRR.
    ranking: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready contract: lists instead of tuples, nothing else changed."""
        data = asdict(self)
        for cite in data["citations"]:
            cite["lead"] = list(cite["lead"])
            cite["participants"] = list(cite["participants"])
        data["citations"] = list(data["citations"])
        data["ranking"] = list(data["ranking"])
        return data
