"""The one response contract that the CLI, HTTP API, chat and bot adapters share.

``answer.answer_question`` returns an :class:`Answer`; adapters only translate it
(``to_dict`` gives the JSON shape documented in the README).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# What an answer is: the document answers it; the document covers the topic but does
# not state the thing asked (a toll, a fund's size); or nothing in it is about it.
Status = Literal["answered", "not_stated", "off_topic"]
ANSWERED: Status = "answered"
NOT_STATED: Status = "not_stated"
OFF_TOPIC: Status = "off_topic"

# What each decline reason code means to the asker: the one table of it. The codes
# come from service/abstain.py (judge), service/lookup.py and service/answer.py.
STATUS_OF_REASON: dict[str, Status] = {
    # Nothing in the documents is about it.
    "off_topic": OFF_TOPIC,  # little of the question is in the best clauses
    "no_match": OFF_TOPIC,  # nothing retrieved, or nothing of it in the best target
    "no_content": OFF_TOPIC,  # no words to look for ("？？？")
    # The documents cover the topic, not the thing asked.
    "asks_what_the_document_does_not_say": NOT_STATED,  # the learned wording check
    "no_option_in_evidence": NOT_STATED,  # "建桥还是修隧道": neither choice is named
    "no_english_glossary": NOT_STATED,  # an English question, a collection without a glossary
    # no_<kind>_in_evidence (an amount, a date, a person … asked for and not found) too:
    # it is every code not listed here (see status_of).
    # The question asks about the document itself, and the document has no such thing,
    # or it asks who leads without naming the work (an answer that asks to clarify).
    "no_topic": NOT_STATED,
    "no_such_task": NOT_STATED,
    "no_such_part": NOT_STATED,
    "no_tasks": NOT_STATED,
    "no_mentions": NOT_STATED,  # "人工智能在文件里出现在哪几处": the text never uses the term
}


def status_of(reason: str | None) -> Status:
    """The status of a declined answer with this reason code.

    A code not in the table is ``not_stated``: the no_<kind>_in_evidence family, and
    any new code (the milder claim; its answer still shows the closest clauses).

    >>> status_of("off_topic"), status_of("no_amount_in_evidence"), status_of("no_topic")
    ('off_topic', 'not_stated', 'not_stated')
    """
    return STATUS_OF_REASON.get(reason or "", NOT_STATED)


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
    """The answer to one question, citations ordered by importance.

    ``abstained`` is true for both ``not_stated`` and ``off_topic``. A declined
    answer cites nothing. ``related`` holds clauses shown beside the answer, never as
    it: the closest ones to a ``not_stated`` question, or, beside an answer, a close
    runner-up it did not cite (where else to look when the ranking is not sure).
    ``suggestions`` are questions the document can answer (also in the answer text).
    """

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
    # None: derived, answered unless abstained, else from the reason (:func:`status_of`).
    status: Status | None = None
    related: tuple[Citation, ...] = ()
    suggestions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.status is None:
            status = status_of(self.reason) if self.abstained else ANSWERED
            object.__setattr__(self, "status", status)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready contract: lists instead of tuples, nothing else changed."""
        data = asdict(self)
        for key in ("citations", "related"):
            for cite in data[key]:
                cite["lead"] = list(cite["lead"])
                cite["participants"] = list(cite["participants"])
            data[key] = list(data[key])
        data["ranking"] = list(data["ranking"])
        data["suggestions"] = list(data["suggestions"])
        return data
