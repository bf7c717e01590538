"""What kind of answer a question wants, read from its wording.

Structural questions ("第17项任务讲什么", "主要任务一共多少项", "省旅游局牵头哪些任务")
are answered exactly from the parsed structure, not by similarity; this module
only recognizes them. Everything else is a ``search``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.cues import cue, cues

_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def chinese_number(text: str) -> int | None:
    """Parse 1–999 written as digits, or 1–99 as Chinese numerals (十七, 二十三, 三十).

    Malformed numerals (十十, 二十一二) are None rather than a guess.

    >>> chinese_number("二十三"), chinese_number("17"), chinese_number("十")
    (23, 17, 10)
    """
    if text.isdigit():
        return int(text)
    match = _CN_NUMERAL.fullmatch(text)
    if not match:
        return None
    tens, ten, ones = match.groups()
    if not ten:
        # A lone digit: the pattern puts it in the first group.
        return _CN_DIGITS[tens] if tens and not ones else None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


_CN_NUMERAL = re.compile(r"([一二两三四五六七八九])?(十)?([一二两三四五六七八九])?")
_NUM = r"([0-9]{1,3}|[一二两三四五六七八九十]{1,3})"
# After 任务/第N项, a Chinese numeral must end the number: 任务一般/任务一共 are words.
_NUM_END = (
    r"(?![0-9一二两三四五六七八九十])"
    r"(?=$|[^\u4e00-\u9fff]|讲|说|是|的|由|谁|牵头|主要|大概|内容|里|中|有|要|提|写|干|能|概括|介绍)"
)
_TASK_REF = list(cues("task.named").values())
_COUNT = cue("count.asks")
_LEAD = cue("lead.asks")
_AGENCY_COUNT = cue("lead.counts_agencies")
_CONTENT_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,}")
_PARTICIPATE = cue("lead.participants")
_WHICH_TASKS = cue("agency.which_tasks")


@dataclass(frozen=True)
class Intent:
    """The reading of a question.

    ``kind``: search, lead (who leads/takes part in what the question is about),
    agency_tasks (which tasks an agency leads), count, task_lookup.
    ``role`` is "lead" or "participant" for agency questions.
    """

    kind: str
    task: int | None = None
    agency: str | None = None
    role: str = "lead"
    # What a count question counts: tasks | sections | parts | items; agencies for lead.
    counted: str | None = None


def without_lead_words(text: str) -> str:
    """The question minus its who-leads wording, which every note matches equally.

    "那这块谁牵头？" after "赣深客专文件里有写吗？" should search for the railway,
    not for 牵头, which appears in almost every paragraph.
    """
    return lead_words_removed(text) if names_a_topic(text) else text


def lead_words_removed(text: str) -> str:
    """``text`` with its words of asking who leads blanked."""
    return _LEAD.sub(" ", text).replace("牵头", " ")


def names_a_topic(text: str) -> bool:
    """Whether a who-leads question says what it is about ("谁牵头？" alone does not)."""
    return bool(_CONTENT_CHARS.search(lead_words_removed(text)))


def task_reference(text: str) -> int | None:
    """The task number a question names ("第17项任务", "任务7", "task 12"), if any."""
    for pattern in _TASK_REF:
        match = pattern.search(text)
        if match:
            # A cue's alternatives are one pattern: the number is the group that matched.
            return chinese_number(next(g for g in match.groups() if g is not None))
    return None


def _counted(text: str) -> str | None:
    if not _COUNT.search(text):
        return None
    lowered = text.lower()
    if "保障措施" in text or "measures" in lowered:
        return "measures"
    if "方面" in text or "部分" in text or "section" in lowered:
        return "sections"
    if "任务" in text or "task" in lowered:
        return "tasks"
    return "items"


def read_intent(text: str, agency: str | None = None) -> Intent:
    """Classify a question; ``agency`` is the agency it names, found by the caller."""
    counted = _counted(text)
    # "那条一共有多少个部门按职责负责": the agencies are counted off the note.
    counts_agencies = bool(_AGENCY_COUNT.search(text))
    if counted and not agency and "牵头" not in text and not counts_agencies:
        return Intent("count", counted=counted)
    task = task_reference(text)
    role = "participant" if _PARTICIPATE.search(text) else "lead"
    if agency and (_WHICH_TASKS.search(text) or counted == "tasks"):
        return Intent("agency_tasks", agency=agency, role=role)
    if _LEAD.search(text) or "牵头" in text or counts_agencies:
        return Intent("lead", task=task, role=role, counted="agencies" if counts_agencies else None)
    if task is not None:
        return Intent("task_lookup", task=task)
    return Intent("search")


# A question of two asks, one about the work and one about who leads it:
# "文件有没有提免签或者落地签？这条是哪个局牵头？", "Who leads it, and what does it say about X?"
_ASK_PARTS = cue("two_part.split")
_WHO_WORDS = cue("two_part.who")
_CONTENT_ASKS = cue("two_part.content")


def content_part(text: str) -> str | None:
    """The part of a two-part question that asks about the work, not about who leads it.

    >>> content_part("入境游便利化方面，文件有没有提免签或者落地签？这条是哪个局牵头？")
    '入境游便利化方面，文件有没有提免签或者落地签'
    >>> content_part("铁路项目由谁牵头？") is None
    True
    """
    parts = [p.strip() for p in _ASK_PARTS.split(text) if p and p.strip()]
    if len(parts) < 2 or not any(_WHO_WORDS.search(p) for p in parts):
        return None
    asking = [p for p in parts if not _WHO_WORDS.search(p) and _CONTENT_ASKS.search(p)]
    return asking[0] if asking else None
