"""An :class:`Answer` as text for people: chat replies, bots and the web page.

The text keeps the answer's 【任务N】 markers and ends with a short 来源 footer
(each cited task or section once, with its title). A ``not_stated`` answer says
what the document does not state and lists the related clauses under 相关条款
(marker and title, marked as no answer); an ``off_topic`` answer's text holds its
suggested questions and ends with why (:func:`reason_text`). Adapters call these;
nothing here decides anything about the answer itself.
"""

from __future__ import annotations

from service.contract import OFF_TOPIC, Answer, Citation
from service.decline import DOES_NOT_SAY, GENERIC, KIND_WORDS, asked_kind

SOURCE_LABEL = "来源："
RELATED_LABEL = "相关条款（供参考，并非答案）："
_REASONS = {
    "no_match": "文件中没有与这个问题相关的段落。",
    "off_topic": "这个问题不属于这份文件涉及的内容。",
    "no_content": "问题里没有可以查找的文字，请用文字提问。",
    "no_topic": "问题没有说明问的是哪项工作，请补充。",
    "no_such_task": "文件中没有这个编号的任务。",
    "no_such_part": "文件中没有问题所说的这一部分。",
    "no_tasks": "文件中没有编号的主要任务。",
    "no_mentions": "文件中没有出现问题所问的词。",
    "no_option_in_evidence": "问题给出的几个选项，文件里一个都没有提到。",
    "asks_what_the_document_does_not_say": f"问题问的是文件没有写的信息：{DOES_NOT_SAY}。",
}
_KIND_SENTENCES = {
    "progress": "文件写的是工作安排，没有写目前的进展。",
    "answer": "文件中相关的内容没有回答这个问题。",
}


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
    kind = asked_kind(reason)
    if kind is None:
        return GENERIC
    if kind in _KIND_SENTENCES:
        return _KIND_SENTENCES[kind]
    return f"文件中相关的内容没有写明问题要的{KIND_WORDS.get(kind, '信息')}。"


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


def related_list(related: tuple[Citation, ...] | list[Citation]) -> str:
    """The 相关条款 lines: each related marker once, with its title, one a line."""
    listed = sources(related)
    if not listed:
        return ""
    return "\n".join([RELATED_LABEL, *(f"{marker}{title}" for marker, title in listed)])


def present(answer: Answer) -> str:
    """The answer text for people: markers kept, then the 来源 footer, the related
    clauses of a ``not_stated`` answer, or why an ``off_topic`` one was declined.

    >>> from service.contract import Citation
    >>> cite = Citation("gd", 7, "二(三)", "共建现代化综合交通运输体系", "gd/二/三/7/p2",
    ...                 "…", ("省发展改革委",), (), 1.0, "【任务7】")
    >>> print(present(Answer("铁路项目由谁牵头？", "由省发展改革委牵头【任务7】", False, (cite,))))
    由省发展改革委牵头【任务7】
    <BLANKLINE>
    来源：【任务7】共建现代化综合交通运输体系
    >>> text = "文件没有写明「共建现代化综合交通运输体系」中的金额或费用。"
    >>> print(present(Answer("港珠澳大桥收费多少", text, True, (), reason="no_amount_in_evidence",
    ...                      related=(cite,))))
    文件没有写明「共建现代化综合交通运输体系」中的金额或费用。
    <BLANKLINE>
    相关条款（供参考，并非答案）：
    【任务7】共建现代化综合交通运输体系
    >>> print(present(Answer("个税怎么算", GENERIC, True, (), reason="off_topic")))
    文件中没有找到能回答这个问题的内容。
    <BLANKLINE>
    这个问题不属于这份文件涉及的内容。
    """
    parts = [answer.answer, source_footer(answer.citations), related_list(answer.related)]
    if answer.abstained and answer.reason and _says_not_why(answer):
        parts.append(reason_text(answer.reason))
    return "\n\n".join(part for part in parts if part)


def _says_not_why(answer: Answer) -> bool:
    """Whether a declined answer's text leaves out why: a ``not_stated`` text says what
    the document does not state; an ``off_topic`` one only that nothing was found."""
    if answer.answer == GENERIC:
        return True
    why = reason_text(answer.reason or "")
    return answer.status == OFF_TOPIC and why not in answer.answer


def render_text(result: Answer) -> str:
    """The answer for people: text, then each citation with its quote and agencies; a
    declined answer's related clauses follow under 相关条款, marked as no answer (an
    off-topic answer's text holds its suggested questions)."""
    lines = [result.answer]
    for heading, cites in (("", result.citations), (RELATED_LABEL, result.related)):
        if heading and cites:
            lines += ["", heading]
        for cite in cites:
            lines.append("")
            lines.append(f"{cite.marker} {cite.title}  ({cite.section}, {cite.clause_id})")
            lines.append(f"  “{cite.quote}”")
            if cite.lead:
                lines.append(f"  牵头：{'、'.join(cite.lead)}")
            if cite.participants:
                lines.append(f"  参与：{'、'.join(cite.participants)}")
    return "\n".join(lines)
