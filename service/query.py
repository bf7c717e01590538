"""Question intake: validate the text and fold a follow-up into its conversation.

Bad questions get a :class:`BadQuestion` that says what to change; questions that
are text but carry no content (only punctuation, only emoji) are not errors: the
answer stage declines them honestly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.errors import BadQuestion
from service.cues import cue

# Words that make a turn lean on the one before it ("那牵头单位是谁？").
_ELLIPTICAL = cue("followup.elliptical")
_CONTENT = re.compile(r"[\w\u3400-\u9fff]")
# Openings that introduce the asker, not the question ("本人在澳门特区政府做事，想问一下，…").
_PREAMBLE = cue("followup.preamble")
_CLAUSE_END = re.compile(r"(?<=[，,。；;：:])")
# What a follow-up borrows of its conversation, at most: the longest context of the
# 153 tuning follow-ups is 66 characters, and a longer one only slows the search
# (the query embedding reads every character).
_CONTEXT_CHARS = 80
# Short follow-ups rarely name their topic; past this length a turn stands alone.
_SHORT_FOLLOWUP = 14
# A conversation's context: its standalone turn and the latest elliptical turns after it.
_CONTEXT_TURNS = 3
# Earlier turns lean on the turn before them only when they name no topic of their
# own: wrongly folding the current turn only adds words to one search, but a wrongly
# folded earlier turn would drag an old topic through the rest of the conversation.
_ASKING = cue("followup.asking_words")
_CHECK = cue("followup.check")


@dataclass(frozen=True)
class Turn:
    """One earlier turn of a conversation. A plain string in a history is a user turn.

    Assistant turns carry the answer text as shown, with its markers (【任务7】,
    【一(三)】): a follow-up after an answer is about what that answer cited.
    """

    role: str  # "user" | "assistant"
    text: str


_MARKER = re.compile(r"【(?:任务(\d+)|([^【】\s]{1,12}))】")


@dataclass(frozen=True)
class Limits:
    """Bounds on what one request may carry (``POLICYQA_MAX_QUESTION_CHARS`` and its family)."""

    question_chars: int = 2000
    history_turns: int = 6
    history_chars: int = 500  # per turn


@dataclass(frozen=True)
class Question:
    """A validated question: the text as asked and the text used for retrieval.

    ``cited`` holds the targets ("7", "一(三)") that the latest assistant turn cited,
    in order, when the question is a follow-up: it is about what was just answered.
    """

    text: str
    search_text: str
    has_content: bool
    is_followup: bool
    previous: str = ""  # the turn a follow-up leans on
    cited: tuple[str, ...] = ()
    # The question without the clauses that introduce the asker ("我是市交通局的，").
    own: str = ""
    # The same question as a follow-up of its conversation, when it has one but its
    # wording did not lean on it: reading may still find it names no work of its own
    # ("环保那边是牵头单位吧？" names only an agency), which intake cannot tell.
    leaning: Question | None = None


def _valid_text(text: str, what: str) -> str:
    """``text`` without control characters; a lone surrogate (invalid UTF-8 decoded
    with ``surrogateescape``, or an escaped one in JSON) is an error."""
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        raise BadQuestion(
            f"{what} is not valid text (it holds bytes that are not UTF-8); "
            "send text encoded as UTF-8"
        )
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\n\t")


def check_question(text: object, max_chars: int = 2000) -> str:
    """Return the question stripped of surrounding whitespace, or raise BadQuestion.

    >>> check_question("  铁路项目谁牵头？ ")
    '铁路项目谁牵头？'
    """
    if not isinstance(text, str):
        raise BadQuestion("the question must be text (a UTF-8 string)")
    cleaned = _valid_text(text, "the question").strip()
    if not cleaned:
        raise BadQuestion("the question is empty; ask something like 铁路项目由哪些部门牵头？")
    if len(cleaned) > max_chars:
        raise BadQuestion(
            f"the question is {len(cleaned)} characters long; the limit is {max_chars}. "
            "Ask one short question at a time."
        )
    return cleaned


def read_history(
    history: Sequence[str | Turn], max_turns: int = 6, max_chars: int = 500
) -> tuple[Turn, ...]:
    """The latest ``max_turns`` turns of a conversation, each cut to its last ``max_chars``
    characters; plain strings are user turns, blank and non-text entries are skipped.

    Older turns are dropped and long ones cut, never refused: a follow-up leans on
    the latest turns only, and the end of a turn holds its question (or, for an
    answer, its 来源 footer). The cost of a question therefore stays bounded
    whatever history it carries.

    >>> read_history(["铁路项目谁牵头？", Turn("assistant", "…【任务7】")], max_turns=1)
    (Turn(role='assistant', text='…【任务7】'),)
    """
    latest = history[-max_turns:] if max_turns > 0 else ()
    turns: list[Turn] = []
    for n, item in enumerate(latest, start=len(history) - len(latest) + 1):
        turn = Turn("user", item) if isinstance(item, str) else item
        if not isinstance(turn, Turn) or not isinstance(turn.text, str):
            continue
        if turn.role not in ("user", "assistant"):
            raise BadQuestion(f"history turn {n} has role {turn.role!r}; use user or assistant")
        text = _valid_text(turn.text[-max_chars:], f"history turn {n}").strip()
        if text:
            turns.append(Turn(turn.role, text))
    return tuple(turns)


def cited_targets(text: str) -> tuple[str, ...]:
    """The targets an answer's markers cite, in order of first mention.

    >>> cited_targets("…负责【任务7】，另见【一(三)】和【任务7】")
    ('7', '一(三)')
    """
    keys = (m.group(1) or m.group(2) for m in _MARKER.finditer(text))
    return tuple(dict.fromkeys(keys))


def prepare(
    text: object, history: Sequence[str | Turn] = (), limits: Limits = Limits()
) -> Question:
    """Validate ``text`` and decide what to search for, given the earlier turns."""
    asked = check_question(text, limits.question_chars)
    has_content = bool(_CONTENT.search(asked))
    turns = read_history(history, limits.history_turns, limits.history_chars)
    context = conversation_context([t.text for t in turns if t.role == "user"])
    answers = [t for t in turns if t.role == "assistant"]
    own = without_preamble(asked)
    if not (context or answers):
        return Question(asked, own, has_content, False, own=own)
    cited = cited_targets(answers[-1].text) if answers else ()
    # A follow-up borrows only the end of the conversation's topic, so a long history
    # costs a follow-up no more than a short one (see _CONTEXT_CHARS).
    context = context[-_CONTEXT_CHARS:].lstrip()
    search_text = f"{context} {asked}" if context else asked
    followup = Question(asked, search_text, has_content, True, context, cited, own=own)
    if _leans_on_earlier(asked):
        return followup
    return Question(asked, own, has_content, False, own=own, leaning=followup)


def _leans_on_earlier(turn: str) -> bool:
    # "牵头的之外，配合的单位都有谁？" names no topic of its own, however long it is.
    return len(turn) <= _SHORT_FOLLOWUP or _names_no_topic(turn)


def _checks_the_answer(turn: str) -> bool:
    """Whether an earlier turn is a short yes-or-no check of the answer before it
    ("在深圳是吧", "是泛珠各省一起组吗？"): it names a detail, not a new topic."""
    return len(turn) <= _SHORT_FOLLOWUP and bool(_CHECK.search(turn))


def _names_no_topic(turn: str) -> bool:
    """Whether an earlier turn only asks ("还有谁参与？", "具体要做什么？")."""
    return bool(_ELLIPTICAL.search(turn)) or not _CONTENT.search(_ASKING.sub("", turn))


def conversation_context(history: Sequence[str]) -> str:
    """What the earlier user turns are about: the last turn that stands alone,
    followed by the short turns that lean on it (at most ``_CONTEXT_TURNS`` of them).

    >>> turns = ["旅游方面谁牵头？", "港珠澳大桥的建设放在哪一项任务里讲？", "谁牵头？"]
    >>> conversation_context(turns)
    '港珠澳大桥的建设放在哪一项任务里讲？ 谁牵头？'
    """
    turns = [h.strip() for h in history if isinstance(h, str) and h.strip()]
    context: list[str] = []
    for turn in turns:
        if context and (_names_no_topic(turn) or _checks_the_answer(turn)):
            # The standalone turn names the topic; only the latest elliptical turns matter.
            context = [context[0], *context[1:][-(_CONTEXT_TURNS - 1) :], turn]
        else:
            context = [without_preamble(turn)]
    return " ".join(context)


def without_preamble(text: str) -> str:
    """The question without the clauses before it that introduce the asker.

    >>> without_preamble("本人在澳门特区政府做事，想问一下，珠三角要建成什么中心？")
    '珠三角要建成什么中心？'
    """
    parts = [p for p in _CLAUSE_END.split(text) if p]
    while len(parts) > 1 and _PREAMBLE.match(parts[0].strip()):
        parts.pop(0)
    return "".join(parts).strip()
