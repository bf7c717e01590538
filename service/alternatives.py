"""Alternative questions: "琼州海峡通道最后定的是建桥还是修隧道？".

A question that offers a choice is answered only by evidence that names one of the
choices. The document mentions the strait crossing, but neither a bridge nor a
tunnel: similarity and coverage both say "answerable", the options say it is not.
"""

from __future__ import annotations

import re

from indexer.tokenize import words
from service.cues import FILLERS, GENERIC_NOUNS, cue, cue_words

# Where an option starts: after the verb or preposition that introduces the choice
# ("定的是|建桥", "产权归|广东", "按|转出地").
_INTRODUCERS = cue_words("choice.introducers")
# "不管是牵头的还是配合的": every case, not a choice.
_EVERY_CASE = cue("choice.every_case")
# An option that asks itself ("广东自己出还是跟谁一起设") is an open question.
_OPEN = cue("choice.open")
_CLAUSE_END = re.compile(r"[，。？！,?!；;：:]")
# Words that name no option: what both options share ("桥还是隧道方案"), the
# question's own frame, and roles ("牵头还是配合"), which a responsibility note answers
# in its own words (按职责分工负责).
_NOT_OPTIONS = frozenset(
    [
        *["方案", "标准", "最后", "最终", "还是", "只是", "直接", "配合", "参与", "协助", "主导"],
        *GENERIC_NOUNS,
        *FILLERS,
    ]
)


def options(text: str) -> tuple[str, ...]:
    """The content words of the choices a question offers ("X还是Y"), or () when it offers none.

    Single characters are left out (verbs and particles, mostly): an option must be
    checkable as a word of the evidence.

    >>> options("琼州海峡跨海通道最后定的是建桥还是修隧道？")
    ('建桥', '隧道')
    >>> options("文化厅牵头，不管是牵头的还是配合的都算")
    ()
    """
    return read_choices(text)[0]


def options_removed(text: str) -> str:
    """``text`` with the words of its choices blanked: what it asks besides choosing.
    A kind of value read inside an option describes that option ("是已经定了还是一起探索"
    asks which, not how far the work has come).

    >>> options_removed("入境免签是已经定了还是一起探索？")
    '入境免签是          ？'
    """
    return read_choices(text)[1]


def read_choices(text: str) -> tuple[tuple[str, ...], str]:
    """:func:`options` and :func:`options_removed` of ``text``, read in one pass."""
    choices = _choices(text)
    for _, start, end in reversed(choices):
        text = text[:start] + " " * (end - start) + text[end:]
    found = [word for words_of, _, _ in choices for word in words_of]
    return tuple(dict.fromkeys(found)), text


def _choices(text: str) -> list[tuple[list[str], int, int]]:
    """Each closed choice: its option words and where its options stand in ``text``;
    none when an option asks itself (an open question)."""
    found: list[tuple[list[str], int, int]] = []
    for match in re.finditer("还是", text):
        before, after = text[: match.start()], text[match.end() :]
        if _EVERY_CASE.search(before):
            continue
        left = _CLAUSE_END.split(before)[-1]
        right = _CLAUSE_END.split(after)[0]
        if not left.strip():
            # "…加快推进，还是先研究论证？": the first option is a whole clause the
            # evidence may word its own way; "…吗？还是无关？" is no closed choice.
            continue
        if _OPEN.search(right) or _OPEN.search(left[-8:]):
            return []
        cut = words(left)
        starts = [i for i, w in enumerate(cut) if w in _INTRODUCERS]
        left_words = cut[starts[-1] + 1 :] if starts else cut[-2:]
        words_of = [w for w in left_words + words(right) if len(w) >= 2 and w not in _NOT_OPTIONS]
        # The options stand after the first introducer ("是|已经定了还是…"): a kind of
        # value read there belongs to an option.
        spelled = "".join(cut[starts[0] + 1 :] if starts else left_words)
        start = match.start() - len(spelled) if before.endswith(spelled) else match.start()
        found.append((words_of, start, match.end() + len(right)))
    return found


def names_an_option(choices: tuple[str, ...], evidence: str) -> bool:
    """Whether ``evidence`` names any of the ``choices`` (True when there are none)."""
    return not choices or any(choice in evidence for choice in choices)
