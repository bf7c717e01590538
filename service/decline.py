"""A declined answer's words and what it shows beside them, so no decline is a dead end.

Whether to decline is decided before this (``service.abstain``, ``service.lookup``);
the reason code gives the status (``service.contract.STATUS_OF_REASON``). Here:

- ``not_stated`` with a retrieval: one sentence saying what the document does not
  state (the kind of value asked for, the best target's title as the topic), and the
  closest clauses as ``related``, each quoted verbatim like a citation;
- otherwise (``off_topic``, or a structural decline such as "第40项任务" with nothing
  retrieved): the reason in words and two or three questions the document answers,
  derived from its parsed structure (task titles and numbers, section titles).

Usage example::

    shown = declined(engine, "no_amount_in_evidence", retrieval)
    shown.text  # '文件没有写明「共建现代化综合交通运输体系」中的金额或费用。'
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from service.citing import cite
from service.contract import NOT_STATED, Citation, Status, status_of
from service.spans import Span, content_weights, pick_spans, quote_weights, short_quote, trim_span

if TYPE_CHECKING:
    from service.catalog import Catalog, Target
    from service.engine import Engine
    from service.retrieve import Retrieval

# The closest clauses shown beside a not_stated answer: the best target's, and a
# runner-up's when it scores at least this share of the best (as for typed answers
# in service/abstain.py).
RELATED_TARGETS = 3
RELATED_SHARE = 0.6
# A related quote is one sentence of its clause, cut at a clause boundary to this length.
RELATED_QUOTE_CHARS = 120
SUGGESTIONS = 3
_SENTENCE_END = "。！？"

GENERIC = "文件中没有找到能回答这个问题的内容。"
# The first sentence of a decline that shows no related clauses, by reason; a
# structural decline ("文件共有30项主要任务，没有任务40。") keeps its own.
_OPENINGS = {
    "no_content": "问题里没有可以查找的文字，请用文字提问。",
    "no_topic": "请说明要问哪项工作的牵头单位。",
}
_SUGGEST = "可以问问文件写到的内容，例如："
# no_<kind>_in_evidence: what the question asked for (service/answer_type.py kinds,
# plus unit and focus), as the object of "没有写明……".
KIND_WORDS = {
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
    "formula": "组成",
    "unit": "按所问单位计的数量",
    "length": "长度或尺寸",
    "focus": "所问的具体事物",
}
DOES_NOT_SAY = "文件写的是工作安排，不写现状、办事手续或具体人员"


@dataclass(frozen=True)
class Declined:
    """How one decline is shown: its status, text, related clauses and suggested questions."""

    status: Status
    text: str
    related: tuple[Citation, ...] = ()
    suggestions: tuple[str, ...] = ()


def asked_kind(reason: str) -> str | None:
    """The kind of value a ``no_<kind>_in_evidence`` code says was missing.

    >>> asked_kind("no_amount_in_evidence"), asked_kind("off_topic")
    ('amount', None)
    """
    if reason.startswith("no_") and reason.endswith("_in_evidence"):
        return reason[3 : -len("_in_evidence")] or None
    return None


def declined(
    engine: Engine,
    reason: str,
    retrieval: Retrieval | None,
    text: str | None = None,
    focus: Sequence[str] = (),
) -> Declined:
    """The status, words and companions of a decline with ``reason``.

    ``text`` is the answer a structural lookup declined with (it already says what the
    document lacks); judge's declines come without one. ``focus`` are the things the
    question asked for by name (``Asked.focus``), which a ``no_focus_in_evidence``
    decline names.
    """
    status = status_of(reason)
    if status == NOT_STATED and retrieval is not None and retrieval.targets:
        related = related_clauses(engine, retrieval)
        if related:
            title = engine.catalog.targets[retrieval.targets[0].key].title
            said = text or not_stated_sentence(reason, title, focus)
            return Declined(status, said, related)
    suggestions = suggested_questions(engine.catalog, retrieval, leads_only=reason == "no_topic")
    opening = _OPENINGS.get(reason) or text or GENERIC
    if not suggestions:
        return Declined(status, opening)
    intro = "例如：" if reason == "no_topic" else _SUGGEST
    listed = "\n".join(f"· {question}" for question in suggestions)
    return Declined(status, f"{opening}{intro}\n{listed}", (), suggestions)


def not_stated_sentence(reason: str, title: str | None = None, focus: Sequence[str] = ()) -> str:
    """One sentence saying what the document does not state, about ``title`` when known;
    a thing asked for by name (``focus``) is named.

    >>> not_stated_sentence("no_amount_in_evidence", "共建现代化综合交通运输体系")
    '文件没有写明「共建现代化综合交通运输体系」中的金额或费用。'
    >>> not_stated_sentence("no_time_in_evidence")
    '文件没有写明问题要的时间。'
    >>> not_stated_sentence("no_focus_in_evidence", "加强旅游合作", ("港口",))
    '文件没有写明「加强旅游合作」中具体是哪些港口。'
    """
    topic = f"「{title}」" if title else ""
    if reason == "asks_what_the_document_does_not_say":
        return f"文件没有写明问题所问的信息：{DOES_NOT_SAY}。"
    if reason == "no_english_glossary":
        return "这批文件没有英文词表，无法确定英文问题问的是哪项内容；以下是意思最接近的条款。"
    if reason == "no_option_in_evidence":
        return f"文件{'在' + topic + '中' if topic else ''}没有提到问题给出的任何一个选项。"
    kind = asked_kind(reason)
    if kind == "progress":
        return f"文件写的是{topic + '的' if topic else ''}工作安排，没有写目前的进展。"
    if kind == "focus" and focus:
        return f"文件没有写明{topic + '中' if topic else ''}具体是哪些{'、'.join(focus)}。"
    if kind == "answer" or kind is None:
        return f"文件中{topic + '的内容' if topic else '相关的内容'}没有回答这个问题。"
    return f"文件没有写明{topic + '中的' if topic else '问题要的'}{KIND_WORDS.get(kind, '信息')}。"


def related_clauses(
    engine: Engine,
    retrieval: Retrieval,
    skip: Collection[str] = (),
    share: float = RELATED_SHARE,
) -> tuple[Citation, ...]:
    """For each of the best targets (but those in ``skip``, cited already), the clause
    that best matches the question, quoted verbatim in one short sentence: shown
    beside an answer or a decline, never as the answer. A runner-up counts only when
    it scores at least ``share`` of the best target."""
    weights = quote_weights(retrieval, engine.idf)
    best = retrieval.targets[0].score
    related = []
    for rank, hit in enumerate(retrieval.targets[:RELATED_TARGETS]):
        if rank and hit.score < share * best:
            break
        if hit.key in skip:
            continue
        spans = pick_spans(hit.clauses[:3], weights, limit=1)
        quote = related_quote(spans[0], weights) if spans else ""
        if quote:
            related.append(cite(spans[0].clause, quote, hit.score))
    return tuple(related)


def related_quote(span: Span, weights: Mapping[str, float]) -> str:
    """One sentence of the best span, verbatim and short: the one holding the most
    question weight (the first of equals). A sentence longer than ``RELATED_QUOTE_CHARS``
    is quoted from the clause (，；：) that holds its heaviest term, cut at a boundary."""
    text = trim_span(span)
    terms = content_weights(span.clause, weights)
    sentences, start = [], 0
    for i, ch in enumerate(text):
        if ch in _SENTENCE_END or i == len(text) - 1:
            sentences.append(text[start : i + 1])
            start = i + 1
    sentence = max(sentences, key=lambda s: _weight(s, terms), default=text)
    if len(sentence) <= RELATED_QUOTE_CHARS:
        return sentence
    lowered = sentence.lower()
    found = [(-w, lowered.find(term)) for term, w in terms.items() if term in lowered]
    if found:
        anchor = min(found)[1]
        sentence = sentence[max(sentence.rfind(mark, 0, anchor) for mark in "，；：") + 1 :]
    return short_quote(sentence, RELATED_QUOTE_CHARS)


def _weight(text: str, terms: Mapping[str, float]) -> float:
    lowered = text.lower()
    return sum(w for term, w in terms.items() if term in lowered)


def suggested_questions(
    catalog: Catalog, retrieval: Retrieval | None = None, leads_only: bool = False
) -> tuple[str, ...]:
    """Two or three questions the document answers, from its parsed structure: who
    leads a task (by its title), what task N is about, what a section says. The targets
    the question retrieved come first, then the document's own order.

    ``leads_only``: only who-leads questions (for a who-leads question that named no work).
    """
    ranked = [catalog.targets[h.key] for h in retrieval.targets] if retrieval else []
    targets = list(_unique([*ranked, *catalog.targets.values()]))
    noted = [t for t in targets if any(c.note for c in t.clauses)]
    if leads_only:
        return tuple(_lead_question(t) for t in noted[:SUGGESTIONS])
    tasks = [t for t in targets if t.task is not None]
    sections = [t for t in targets if t.task is None and t.key in catalog.sections]
    picked: list[tuple[Target, str]] = []
    forms = (
        (noted, _lead_question),
        (tasks, _task_question),
        (sections, _section_question),
    )
    for group, form in forms:
        for target in group:
            if all(target.key != p.key for p, _ in picked):
                picked.append((target, form(target)))
                break
    return tuple(question for _, question in picked[:SUGGESTIONS])


def _lead_question(target: Target) -> str:
    return f"「{target.title}」由谁牵头？"


def _task_question(target: Target) -> str:
    return f"第{target.task}项任务讲什么？"


def _section_question(target: Target) -> str:
    return f"「{target.title}」讲了什么？"


def _unique(targets: Iterable[Target]) -> Iterable[Target]:
    seen: set[str] = set()
    for target in targets:
        if target.key not in seen:
            seen.add(target.key)
            yield target
