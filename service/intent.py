"""What kind of answer a question wants, read from its wording.

Structural questions ("第17项任务讲什么", "主要任务一共多少项", "省旅游局牵头哪些任务")
are answered exactly from the parsed structure, not by similarity; this module
only recognizes them. Everything else is a ``search``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_TASK_REF = [
    re.compile(rf"第\s*{_NUM}\s*(?:项|个|条)?\s*(?:主要)?任务"),
    re.compile(rf"任务\s*{_NUM}{_NUM_END}"),
    # "第3条讲的啥" names a task, "第四条对澳供水管道" does not: only before question words.
    re.compile(
        rf"第\s*{_NUM}\s*(?:项|条)"
        # ("第四条 pipeline": an English word after the space names the thing counted.)
        r"(?=$|[？?，,。]|\s(?![a-z])|讲|说|是|的|主要|大概|内容|里|中|提|写|干|都|涉及|包括|有啥|有什么)"
    ),
    # A terse "24条讲啥": a bare number (digits: 一条 is a word) at the very start, before a
    # question word.
    re.compile(r"^\s*([0-9]{1,3})\s*(?:项|条)(?=讲|说|是|都|主要|大概|内容|涉及|包括|有啥|有什么)"),
    re.compile(r"\btask\s*(?:no\.?|number|#)?\s*([0-9]{1,2})\b", re.IGNORECASE),
]
_COUNT = re.compile(
    # "哪几个" asks which ones, not how many; "那几个基地" points at them.
    r"(多少|(?<![哪那这])几)\s*(项|个|条|方面|部分|类)"
    r"|how many|number of (tasks|measures|sections)",
    re.IGNORECASE,
)
_LEAD = re.compile(
    r"谁(来)?(牵头|牵这个头|领头|负责|主抓|抓|参与|配合|挑头|带头|主导|主管|挑大梁)|有谁|有份|"
    r"哪(个|些|几个|家)(部门|单位|机构|厅|委|局)|哪家(在|来)?(牵头|负责|主抓|抓|管|挑头|带头|挑大梁)|"
    r"牵头(单位|部门)|"
    r"(责任|负责|参与|配合)(单位|部门)|归谁|谁管|哪个口|由谁|"
    r"哪(个|些|几个|几)[\u4e00-\u9fff]{0,4}?(市|地市|市政府|城市|集团|企业)(的政府)?(要|会|来)?"
    r"(参与|负责|牵头|配合|参加|出力)|"
    r"\b(who|which (department|agency|agencies|body|bodies|office)|responsible|in charge|leads?)\b",
    re.IGNORECASE,
)
_AGENCY_COUNT = re.compile(r"(多少|几)(个|家)(部门|单位|机构|厅局)")
_CONTENT_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,}")
_PARTICIPATE = re.compile(
    r"参与|配合|协助|还有(哪|谁)|其他(部门|单位)|take part|participat|involved", re.I
)
_WHICH_TASKS = re.compile(
    r"(哪些|哪几|什么|几)(项|个|条)?(任务|工作|事项|事|活)|牵头了?(哪些|什么|几)|"
    r"(任务|工作|事项|事)(都|还)?(有|是)?(哪些|哪几|什么)|哪几(条|项)|(在|有)哪(些|几)(条|项)|"
    r"负责(哪些|什么)|参与(了)?(哪些|什么)|(有分工|分工|参与|负责|牵头)的(任务|工作)|"
    # "旅游局牵头的事儿都有哪些", "商务厅牵头（包括一起牵头）的是哪几块内容".
    r"(牵头|负责|参与)[^，。？?]{0,12}(哪些|哪几(块|项|条))(内容|事儿?|事情|工作|任务)?[？?]?$|"
    r"which tasks|what tasks",
    re.IGNORECASE,
)


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
    return _LEAD.sub(" ", text).replace("牵头", " ") if names_a_topic(text) else text


def names_a_topic(text: str) -> bool:
    """Whether a who-leads question says what it is about ("谁牵头？" alone does not)."""
    return bool(_CONTENT_CHARS.search(_LEAD.sub(" ", text).replace("牵头", " ")))


def task_reference(text: str) -> int | None:
    """The task number a question names ("第17项任务", "任务7", "task 12"), if any."""
    for pattern in _TASK_REF:
        match = pattern.search(text)
        if match:
            return chinese_number(match.group(1))
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
_ASK_PARTS = re.compile(r"[？?；;。！!]|,\s*and\s+(?=what|which|how|does|is|are|do)", re.I)
_WHO_WORDS = re.compile(
    r"牵头|挑头|带头|主抓|领头|负责|参与|配合|参加|谁|哪(个|几个|家|些)(局|厅|部门|单位|市)"
    r"|\blead|\bwho\b",
    re.I,
)
_CONTENT_ASKS = re.compile(
    r"有没有|是什么|是啥|哪些|哪几|哪个|什么|啥|怎么|多少|提到|提了|说了|讲了|放在|哪条|哪项"
    r"|\bwhat\b|\bwhich\b|\bhow\b|\bmention|\bsay\b|\bcover",
    re.I,
)


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
