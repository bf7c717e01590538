"""An :class:`Answer` as text for people: chat replies, bots and the web page.

The text keeps the answer's 【任务N】 markers and ends with a short 来源 footer
(each cited task or section once, with its title). A declined answer ends with
one sentence that says why (:func:`reason_text`), unless its text already does.
Adapters call these; nothing here decides anything about the answer itself.
"""

from __future__ import annotations

import re

from service.contract import Answer, Citation

SOURCE_LABEL = "来源："
# Declines whose answer text already says why ("文件共有30项主要任务，没有任务40。").
_SELF_EXPLAINED = frozenset({"no_topic", "no_such_task", "no_such_part", "no_tasks"})
_GENERIC = "文件中没有找到能回答这个问题的内容。"
_REASONS = {
    "no_match": "文件中没有与这个问题相关的段落。",
    "off_topic": "这个问题不属于这份文件涉及的内容。",
    "no_content": "问题里没有可以查找的文字，请用文字提问。",
    "no_topic": "问题没有说明问的是哪项工作，请补充，例如：铁路项目由谁牵头？",
    "no_such_task": "文件中没有这个编号的任务。",
    "no_such_part": "文件中没有问题所说的这一部分。",
    "no_tasks": "文件中没有编号的主要任务。",
    "no_option_in_evidence": "问题给出的几个选项，文件里一个都没有提到。",
    "asks_what_the_document_does_not_say": (
        "问题问的是文件没有写的信息：文件写的是工作安排，不写现状、办事手续或具体人员。"
    ),
}
# no_<kind>_in_evidence: what the question asked for (service/answer_type.py kinds,
# plus unit and focus), as the object of "问题要的……".
_KINDS = {
    "amount": "金额或费用",
    "payer": "出资方",
    "quota": "名额",
    "count": "数目",
    "frequency": "频次",
    "headcount": "人数",
    "time": "时间",
    "person": "具体人员或联系方式",
    "procedure": "办事流程或材料",
    "condition": "条件",
    "comparison": "比较",
    "choice": "这样选择的理由",
    "purpose": "目的",
    "consequence": "处罚或问责",
    "validity": "有效期",
    "venue": "举办地点",
    "precedence": "以哪个为准",
    "site": "具体地点",
    "specifics": "具体内容",
    "number": "具体数字",
    "unit": "按所问单位计的数量",
    "focus": "所问的具体事物",
}
_KIND_SENTENCES = {
    "progress": "文件写的是工作安排，没有写目前的进展。",
    "answer": "文件中相关的内容没有回答这个问题。",
}
_IN_EVIDENCE = re.compile(r"^no_(\w+?)_in_evidence$")


def reason_text(reason: str) -> str:
    """One sentence in Chinese that explains a decline reason code.

    Unknown codes get a general sentence, so a new code never breaks a reply.

    >>> reason_text("off_topic")
    '这个问题不属于这份文件涉及的内容。'
    >>> reason_text("no_amount_in_evidence")
    '文件中相关的内容没有写明问题要的金额或费用。'
    >>> reason_text("no_such_code_yet")
    '文件中没有找到能回答这个问题的内容。'
    """
    if reason in _REASONS:
        return _REASONS[reason]
    match = _IN_EVIDENCE.match(reason)
    if match is None:
        return _GENERIC
    kind = match.group(1)
    if kind in _KIND_SENTENCES:
        return _KIND_SENTENCES[kind]
    return f"文件中相关的内容没有写明问题要的{_KINDS.get(kind, '信息')}。"


def sources(citations: tuple[Citation, ...] | list[Citation]) -> list[tuple[str, str]]:
    """Each cited marker once, in citation order, with its title."""
    seen: dict[str, str] = {}
    for cite in citations:
        seen.setdefault(cite.marker, cite.title)
    return list(seen.items())


def source_footer(citations: tuple[Citation, ...] | list[Citation]) -> str:
    """The 来源 line: ``来源：【任务7】共建现代化综合交通运输体系`` (several joined by ；)."""
    listed = sources(citations)
    if not listed:
        return ""
    return SOURCE_LABEL + "；".join(f"{marker}{title}" for marker, title in listed)


def present(answer: Answer) -> str:
    """The answer text for people: markers kept, then the 来源 footer or why it was declined.

    >>> from service.contract import Citation
    >>> cite = Citation("gd", 7, "二(三)", "共建现代化综合交通运输体系", "gd/二/三/7/p2",
    ...                 "…", ("省发展改革委",), (), 1.0, "【任务7】")
    >>> print(present(Answer("铁路项目由谁牵头？", "由省发展改革委牵头【任务7】", False, (cite,))))
    由省发展改革委牵头【任务7】
    <BLANKLINE>
    来源：【任务7】共建现代化综合交通运输体系
    >>> print(present(Answer("收费多少", _GENERIC, True, (), reason="no_amount_in_evidence")))
    文件中没有找到能回答这个问题的内容。
    <BLANKLINE>
    文件中相关的内容没有写明问题要的金额或费用。
    """
    parts = [answer.answer]
    footer = source_footer(answer.citations)
    if footer:
        parts.append(footer)
    if answer.abstained and answer.reason and answer.reason not in _SELF_EXPLAINED:
        parts.append(reason_text(answer.reason))
    return "\n\n".join(part for part in parts if part)
