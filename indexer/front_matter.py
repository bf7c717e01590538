"""Stage 2a: the lines before a document's first numbered heading → notice, title, preamble.

A policy document usually reaches staff attached to a 印发 notice, the covering
letter that issues it: the notice's title (…关于印发…的通知), its 文号 (粤府〔2017〕8号),
the addressee (各地级以上市人民政府…：), a short body (现将…印发给你们…), the issuing
body's signature and the date. The attached document follows with its own title,
sometimes split over two lines or followed by its 文号, and a preamble: the
paragraphs before its first heading (为深入贯彻落实…).

They are recognised line by line, by shape rather than by wording:

* the notice runs up to the last date line (2017年1月20日, (二〇一七年一月二十日));
  without a date line there is no notice;
* a title line is short (at most 60 characters) and has no sentence punctuation;
* the addressee is a line ending in a colon with no 。 in it; the signature is a
  title-like line of at most 30 characters just above the date;
* a title written once on one line and again split over two counts once.

    >>> front = split_front_matter([
    ...     "广东省人民政府关于印发广东省深化泛珠三角区域合作实施意见的通知",
    ...     "粤府〔2017〕8号",
    ...     "各地级以上市人民政府，各县(市、区)人民政府，省政府各部门、各直属机构：",
    ...     "现将《广东省深化泛珠三角区域合作实施意见》印发给你们，请认真贯彻执行。",
    ...     "广东省人民政府",
    ...     "2017年1月20日",
    ...     "广东省深化泛珠三角区域合作实施意见",
    ...     "为深入贯彻落实国务院指导意见，制定本实施意见。",
    ... ])
    >>> front.notice.doc_numbers, front.notice.signature, front.notice.date
    (('粤府〔2017〕8号',), '广东省人民政府', '2017年1月20日')
    >>> front.doc_title, len(front.preamble)
    ('广东省深化泛珠三角区域合作实施意见', 1)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The numerals a date may be written in (二〇一七年一月二十日); the same set as the
# heading numerals in indexer.structure, kept here so this module needs nothing from it.
_CN_DIGITS = "一二三四五六七八九十百零〇"

DATE_LINE = re.compile(
    rf"^[(（]?(?:\d{{4}}|[{_CN_DIGITS}]{{4}})年[\d{_CN_DIGITS}]{{1,2}}月[\d{_CN_DIGITS}]{{1,3}}日[)）]?$"
)
DOC_NUMBER_LINE = re.compile(r"^[\u4e00-\u9fff]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\d{1,4}号$")
# Words that end the title of an official document.
_DOC_TYPES = (
    "通知", "意见", "决定", "方案", "办法", "规定", "规划", "纲要", "批复", "公告",
    "通告", "通报", "函", "报告", "请示", "细则", "条例", "计划", "要点", "措施",
)  # fmt: skip
_TITLE_END = re.compile(rf"(?:{'|'.join(_DOC_TYPES)})$")
_MAX_TITLE_LINE = 60
_MAX_SIGNATURE = 30
# 广东省人民政府关于印发《X》的通知: who issues what.
_ISSUING_NOTICE = re.compile(r"^(?P<issuer>.+?)关于印发(?P<title>.+?)的通知$")
# 现将《X》印发给你们: the notice's body names what it issues.
_ISSUED_IN_BODY = re.compile(r"现将《([^》]+)》(?:印发|发)给")
_DATE_PARTS = re.compile(
    rf"^(?P<y>[\d〇零一二三四五六七八九]{{4}})年(?P<m>[\d{_CN_DIGITS}]{{1,2}})月"
    rf"(?P<d>[\d{_CN_DIGITS}]{{1,3}})日$"
)
_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


@dataclass(frozen=True)
class Notice:
    """The 印发 notice, part by part as written; ``None`` or empty where it has no such part.

    ``addressee`` is without its colon and ``date`` without its brackets.
    """

    title: str
    doc_numbers: tuple[str, ...]
    addressee: str | None
    body: tuple[str, ...]
    signature: str | None
    date: str


@dataclass(frozen=True)
class FrontMatter:
    """What stands before the first heading: notice, the document's own title, preamble."""

    notice: Notice | None
    doc_title: str
    preamble: tuple[str, ...]
    doc_numbers: tuple[str, ...] = ()  # 文号 lines under the document's own title


@dataclass(frozen=True)
class DocFacts:
    """What the text says about the document itself; None where it does not say.

    ``date`` is ISO (``2017-01-20``); ``doc_number`` is the first 文号 line.
    """

    title: str | None
    doc_number: str | None
    issuer: str | None
    date: str | None


def split_front_matter(lines: list[str]) -> FrontMatter:
    """Split the (stripped, non-empty) lines before the first heading into their parts.

    ``doc_title`` is empty when no title-like line follows the notice.
    """
    date_at = max((i for i, ln in enumerate(lines) if DATE_LINE.match(ln)), default=None)
    notice = None
    rest = lines
    if date_at is not None:
        notice = _notice(lines[: date_at + 1])
        rest = lines[date_at + 1 :]
    title_lines: list[str] = []
    numbers: list[str] = []
    while rest and _is_title_line(rest[0]):
        # A 文号 under the title is not part of it.
        (numbers if DOC_NUMBER_LINE.match(rest[0]) else title_lines).append(rest[0])
        rest = rest[1:]
    return FrontMatter(
        notice=notice,
        doc_title="".join(title_lines),
        preamble=tuple(rest),
        doc_numbers=tuple(numbers),
    )


def read_doc_facts(lines: list[str], body_start: int) -> DocFacts:
    """Title, 文号, issuer and date of a document from its (stripped, non-empty) lines.

    ``body_start`` is the index of the first numbered heading. The title is the
    attached document's own title, else the one a 印发 notice names (…关于印发《X》的
    通知 → X); issuer and date come from the notice's sign-off, else from a
    signature and date that close the document.

    >>> read_doc_facts(["广东省推进数字政府建设工作方案", "一、总体要求", "……",
    ...                 "广东省人民政府办公厅", "二〇二三年六月十二日"], 1)
    DocFacts(title='广东省推进数字政府建设工作方案', doc_number=None, issuer='广东省人民政府办公厅', date='2023-06-12')
    """  # noqa: E501
    front = split_front_matter(lines[:body_start])
    notice = front.notice
    numbers = (notice.doc_numbers if notice else ()) + front.doc_numbers
    issuer = notice.signature if notice else None
    date = iso_date(notice.date) if notice else None
    tail = lines[body_start:]
    if date is None and len(tail) >= 3 and DATE_LINE.match(tail[-1]):
        date = iso_date(tail[-1])
        if len(tail[-2]) <= _MAX_SIGNATURE and _is_title_line(tail[-2]):
            issuer = tail[-2]
    title = _own_title(front)
    if issuer is None:
        for candidate in (notice.title if notice else "", front.doc_title):
            m = _ISSUING_NOTICE.match(candidate)
            if m:
                issuer = m.group("issuer")
                break
    return DocFacts(
        title=title or None,
        doc_number=numbers[0] if numbers else None,
        issuer=issuer or None,
        date=date,
    )


def iso_date(text: str) -> str | None:
    """``2017年1月20日`` or ``(二〇一七年一月二十日)`` → ``2017-01-20``; None if not a date.

    >>> iso_date("(二〇一七年一月二十日)"), iso_date("2023年6月12日")
    ('2017-01-20', '2023-06-12')
    """
    m = _DATE_PARTS.match(text.strip().strip("()（）"))
    if m is None:
        return None
    year = "".join(str(_DIGIT.get(c, c)) for c in m.group("y"))
    month, day = _number(m.group("m")), _number(m.group("d"))
    if not year.isdigit() or not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year}-{month:02d}-{day:02d}"


def _number(text: str) -> int:
    """1 … 31 written in Arabic or Chinese numerals (十二, 二十, 三十一)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _DIGIT.get(text, 0) if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    return (_DIGIT.get(tens, 0) if tens else 1) * 10 + (_DIGIT.get(ones, 0) if ones else 0)


def _own_title(front: FrontMatter) -> str:
    """The document's own title: its title line, else what its 印发 notice issues."""
    notice = front.notice
    candidates = (front.doc_title, notice.title if notice else "")
    for candidate in candidates:
        m = _ISSUING_NOTICE.match(candidate)
        if m:
            return m.group("title").strip("《》")
        if candidate and candidate != (notice.title if notice else None):
            return candidate
    if notice:
        for line in notice.body:
            m = _ISSUED_IN_BODY.search(line)
            if m:
                return m.group(1)
        return notice.title
    return ""


def _is_title_line(line: str) -> bool:
    return len(line) <= _MAX_TITLE_LINE and not re.search(r"[。，；：:！？]", line)


def _notice(lines: list[str]) -> Notice:
    """The 印发 notice from its lines, the last being its date."""
    date = lines[-1]
    body = lines[:-1]
    signature = None
    if body and len(body[-1]) <= _MAX_SIGNATURE and _is_title_line(body[-1]):
        signature = body.pop()
    addressee_at = next(
        (i for i, ln in enumerate(body) if ln.endswith(("：", ":")) and "。" not in ln), None
    )
    head = body[:addressee_at] if addressee_at is not None else []
    if addressee_at is None:
        # No addressee line: the title is the leading run of title-like lines.
        while body and (_is_title_line(body[0]) or DOC_NUMBER_LINE.match(body[0])):
            head.append(body.pop(0))
        text_lines = body
    else:
        text_lines = body[addressee_at + 1 :]
    return Notice(
        title=_dedupe_title([ln for ln in head if not DOC_NUMBER_LINE.match(ln)]),
        doc_numbers=tuple(ln for ln in head if DOC_NUMBER_LINE.match(ln)),
        addressee=body[addressee_at].rstrip("：:") if addressee_at is not None else None,
        body=tuple(text_lines),
        signature=signature,
        date=date.strip("()（）"),
    )


def _dedupe_title(parts: list[str]) -> str:
    """Join title lines; a title repeated on one line and split over two counts once."""
    groups: list[str] = []
    current = ""
    for part in parts:
        current += part
        if _TITLE_END.search(current):
            groups.append(current)
            current = ""
    if current:
        groups.append(current)
    unique = list(dict.fromkeys(groups))
    return "".join(unique)
