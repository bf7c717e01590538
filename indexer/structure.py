"""Stage 2: cleaned text → heading tree (``Node``), following Chinese official-document numbering.

GB/T 9704 numbers headings 一、 > (一) > 1. > (1); regulations use 第X章 > 第X条.
A line is a heading only when it *starts* with one of these markers and its number
continues the sequence, so numbers inside sentences (2020年, 9+2, ±800千伏,
(2016-2020), 1304号) or a date line (2017年1月20日) never open a heading.

Lines before the first heading are the front matter, read by ``indexer.front_matter``:
an optional 印发 notice (title, 文号, addressee, body, signature, date) and the
attached document's title and preamble. Node kinds: document, notice, preamble,
chapter, part, article, section, task, item, paragraph, plus ``field`` for the
notice's 文号/主送/签署/日期, whose ``label`` names the field and ``text`` holds its value.

    >>> tree = parse_structure(clean_doc)  # doctest: +SKIP
    >>> [n.label for n in tree.children][:3]  # doctest: +SKIP
    ['通知', '引言', '一']
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from indexer.errors import ParseError
from indexer.front_matter import Notice, split_front_matter
from indexer.types import CleanDoc, Node

log = logging.getLogger(__name__)

_CN_DIGITS = "一二三四五六七八九十百零〇"


@dataclass(frozen=True)
class HeadingRule:
    """One numbering convention: its marker name, node kind, rank and line pattern.

    ``rank`` orders the levels (smaller is higher); a heading closes every open
    heading of the same or a lower level. ``titled`` says whether the first sentence
    after the number is a title (一、总体要求) or the article's text (第三条 …).
    """

    kind: str
    rank: int
    pattern: re.Pattern[str]
    titled: bool = True


_CN = "一二三四五六七八九十"
_SP = r"[\s\u3000]*"  # optional (ideographic) space after the number
_REST = r"(?P<rest>.+)$"

# Order matters only for lines that could match two rules; none of these overlap.
HEADING_RULES: tuple[HeadingRule, ...] = (
    HeadingRule("chapter", 0, re.compile(rf"^第(?P<num>[{_CN_DIGITS}]+)章{_SP}(?P<rest>.*)$")),
    HeadingRule(
        "article", 1, re.compile(rf"^第(?P<num>[{_CN_DIGITS}]+)条{_SP}(?P<rest>.*)$"), titled=False
    ),
    # 一、总体要求, but not an enumeration such as 一、二类 or 一、二期.
    HeadingRule(
        "part", 2, re.compile(rf"^(?P<num>[{_CN}]{{1,3}})、(?![{_CN}]{{1,3}}[、类级期批档]){_REST}")
    ),
    HeadingRule("section", 3, re.compile(rf"^[(（](?P<num>[{_CN}]{{1,3}})[)）]{_SP}{_REST}")),
    # 1. / 1． / 1、 ; the digit guard rejects 2.5亿 and 1、2号线.
    HeadingRule("task", 4, re.compile(rf"^(?P<num>\d{{1,2}})[.．、](?![\d.．]){_SP}{_REST}")),
    HeadingRule("item", 5, re.compile(rf"^[(（](?P<num>\d{{1,2}})[)）]{_SP}{_REST}")),
)

# How each kind's heading is written back, for heading paths and outlines.
HEADING_FORMATS: dict[str, str] = {
    "chapter": "第{label}章 {title}",
    "article": "第{label}条",
    "part": "{label}、{title}",
    "section": "({label}){title}",
    "task": "{label}.{title}",
    "item": "({label}){title}",
}

# Sub-topic lead-ins that open a paragraph: 铁路方面。… and ——深化合作排头兵。…
TOPIC_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?P<topic>[\u4e00-\u9fff]{1,10}方面)[。：:]"),
    re.compile(r"^——(?P<topic>[^。——]{1,24})。"),
)

# Brackets inside which 。；！？ do not end a sentence.
_OPENERS = {"“": "”", "《": "》", "(": ")", "（": "）", "‘": "’", "「": "」"}


def parse_structure(doc: CleanDoc) -> Node:
    """Build the heading tree of one cleaned document.

    Raises:
        ParseError: no numbered heading was found, naming the document.
    """
    lines = [ln.strip() for ln in doc.text.split("\n")]
    lines = [ln for ln in lines if ln]
    body_start, headings = _find_headings(lines)
    if not headings:
        raise ParseError(
            f"{doc.meta.source.name} ({doc.meta.id}): no numbered headings (一、 / (一) / 1. / "
            "(1) / 第X章 / 第X条) found, so the document has no structure to cite; check that "
            "it is a policy document and that cleaning kept its heading lines"
        )
    front = split_front_matter(lines[:body_start])
    root = _Draft("document", doc.meta.id, title=front.doc_title or doc.meta.title, rank=-1)
    if front.notice is not None:
        root.children.append(_notice_draft(front.notice))
    if front.preamble:
        preamble = _Draft("preamble", "引言", rank=-1)
        for text in front.preamble:
            preamble.add_paragraph(text)
        root.children.append(preamble)
    _build_body(root, lines[body_start:], headings)
    return root.freeze()


def match_heading(line: str) -> tuple[HeadingRule, str, str] | None:
    """The rule, number as written and remaining text of a heading line, or None."""
    for rule in HEADING_RULES:
        m = rule.pattern.match(line)
        if m:
            return rule, m.group("num"), m.group("rest").strip()
    return None


def split_first_sentence(text: str) -> tuple[str, str]:
    """Split ``text`` after its first sentence end (。！？) outside quotes and brackets.

    Returns (first sentence without its end mark, the rest); the rest is empty when
    there is no sentence end.
    """
    spans = sentence_spans(text, ends="。！？")
    if spans and text[spans[0][1] - 1] in "。！？":
        start, end = spans[0]
        return text[start : end - 1].strip(), text[end:].strip()
    return text.strip(), ""


def sentence_spans(text: str, ends: str = "。！？；") -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``; quotes and brackets are not split."""
    spans: list[tuple[int, int]] = []
    stack: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if stack and ch == stack[-1]:
            stack.pop()
        elif ch in _OPENERS:
            stack.append(_OPENERS[ch])
        elif ch in ends and not stack:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    # Trim whitespace so offsets point at the sentence itself.
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def split_topic(text: str) -> tuple[str | None, str]:
    """Split a sub-topic lead-in (铁路方面。/ ——深化合作排头兵。) off a paragraph."""
    for pattern in TOPIC_PATTERNS:
        m = pattern.match(text)
        if m:
            return m.group("topic"), text[m.end() :].strip()
    return None, text


def heading_text(node: Node) -> str:
    """The heading of a node as written in the document, e.g. ``7.共建现代化综合交通运输体系``."""
    fmt = HEADING_FORMATS.get(node.kind)
    if fmt is None:
        return node.title
    return fmt.format(label=node.label, title=node.title).strip()


def to_int(num: str) -> int:
    """Arabic or Chinese numerals (一 … 九十九, 一百…) to int."""
    if num.isdigit():
        return int(num)
    values = {c: i for i, c in enumerate("零一二三四五六七八九")}
    values["〇"] = 0
    total, current = 0, 0
    for ch in num:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = current * 10 + values[ch] if current else values[ch]
    return total + current


@dataclass
class _Draft:
    """Mutable node under construction; frozen into ``Node`` at the end."""

    kind: str
    label: str
    title: str = ""
    text: str = ""
    rank: int = 99
    children: list[_Draft] = field(default_factory=list)

    def add_paragraph(self, text: str) -> None:
        topic, _ = split_topic(text)
        n = sum(1 for c in self.children if c.kind == "paragraph") + 1
        self.children.append(_Draft("paragraph", f"p{n}", title=topic or "", text=text))

    def freeze(self) -> Node:
        return Node(
            kind=self.kind,
            label=self.label,
            title=self.title,
            text=self.text,
            children=tuple(c.freeze() for c in self.children),
        )


def _find_headings(lines: list[str]) -> tuple[int, dict[int, tuple[HeadingRule, str, str]]]:
    """Heading lines by index, and the index of the first one (end of front matter).

    A number must start at 1 or continue its kind's sequence; a repeated or
    backwards number is text, so one stray line cannot duplicate a clause id.
    """
    headings: dict[int, tuple[HeadingRule, str, str]] = {}
    last: dict[str, int] = {}
    # A kind may restart at 1 only under a new parent heading (a higher level seen since).
    reopened: dict[str, bool] = {}
    for i, line in enumerate(lines):
        found = match_heading(line)
        if found is None:
            continue
        rule, label, _ = found
        num = to_int(label)
        prev = last.get(rule.kind)
        if (
            (prev is None and num == 1)
            or (prev is not None and num > prev)
            or (num == 1 and reopened.get(rule.kind))
        ):
            if prev is not None and num not in (1, prev + 1):
                log.warning("heading %r skips from %d to %d; kept it", line[:20], prev, num)
            headings[i] = found
            last[rule.kind] = num
            reopened[rule.kind] = False
            for other in HEADING_RULES:
                if other.rank > rule.rank:
                    reopened[other.kind] = True
        else:
            log.warning("line %r is numbered out of sequence; kept it as text", line[:20])
    start = min(headings) if headings else len(lines)
    return start, headings


def _build_body(
    root: _Draft, lines: list[str], headings: dict[int, tuple[HeadingRule, str, str]]
) -> None:
    first = min(headings)
    stack: list[_Draft] = []
    for i, line in enumerate(lines, start=first):
        found = headings.get(i)
        if found is None:
            (stack[-1] if stack else root).add_paragraph(line)
            continue
        rule, label, rest = found
        while stack and stack[-1].rank >= rule.rank:
            stack.pop()
        if rule.kind in ("task", "item"):
            label = str(int(label))  # 07 → 7
        if rule.titled:
            title, rest = split_first_sentence(rest)
        else:
            title = ""
        node = _Draft(rule.kind, label, title=title, rank=rule.rank)
        (stack[-1] if stack else root).children.append(node)
        stack.append(node)
        if rest:
            node.add_paragraph(rest)


def _notice_draft(notice: Notice) -> _Draft:
    """The notice node: 文号 and 主送 fields, the body's paragraphs, then 签署 and 日期."""
    draft = _Draft("notice", "通知", title=notice.title, rank=-1)
    draft.children.extend(_Draft("field", "文号", text=number) for number in notice.doc_numbers)
    if notice.addressee is not None:
        draft.children.append(_Draft("field", "主送", text=notice.addressee))
    for line in notice.body:
        draft.add_paragraph(line)
    if notice.signature:
        draft.children.append(_Draft("field", "签署", text=notice.signature))
    draft.children.append(_Draft("field", "日期", text=notice.date))
    return draft
