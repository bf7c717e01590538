"""Stage 1: raw scrape → clean, simplified text, one block per line.

Rules run in this order, each a small pure function with its own test table:
site boilerplate → pinyin notes → mojibake → traditional to simplified →
width, punctuation and whitespace.

    >>> clean(SourceDoc(meta, raw)).text.splitlines()[0]  # doctest: +SKIP
    '粤府〔2017〕8号'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from indexer.mojibake import PINYIN, Repair, find_mojibake
from indexer.types import CleanDoc, CleanReport, MojibakeSpan, SourceDoc

if TYPE_CHECKING:
    import opencc

log = logging.getLogger(__name__)

# A note such as 發(fā) or 區(qū): the site follows some characters with their pinyin.
# A tone mark is required, so enumerations like (a) and acronyms like (PPP) survive.
PINYIN_NOTE = re.compile(rf"\(({PINYIN})\)")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Characters that make an ASCII , ; : ? ! next to them Chinese punctuation.
_CJK_TEXT = re.compile(f"[{_CJK}\u3000-\u303f\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_OPEN, _CLOSE = "\x02", "\x03"  # bracket mojibake spans while later rules run
_MARKED = re.compile(f"{_OPEN}([^{_OPEN}{_CLOSE}]*){_CLOSE}")
_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_WIDTH = {0xFF08: "(", 0xFF09: ")"} | {
    c: chr(c - 0xFEE0)
    for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for c in range(r[0], r[1] + 1)
}

# Site chrome, matched on a line with pinyin notes and spaces removed. Simplified and
# traditional spellings both occur because the site converts pages to traditional.
BREADCRUMB = re.compile(r"^(?:当前位置|當前位置|您的位置|您现在的位置|您現在的位置)[:：](.*)$")
_CRUMB_SEPARATOR = re.compile(r"[>›»]")
VIEW_COUNTER = re.compile(
    r"^(?:浏览|瀏覽|点击|點擊|阅读|閱讀|访问|訪問)(?:次数|次數|量|数|數)[:：]?\d+次?$"
)
FOOTER = re.compile(r"^(?:全真版|打印本页|打印本頁|关闭窗口|關閉窗口)(?:[:：]|$)")
# An SEO title: three or more short keyword phrases joined by underscores.
SPAM_TITLE = re.compile(r"^[^_，。、,]{1,30}(?:_[^_，。、,]{1,30}){2,}$")
_HEADER_LINES = 3  # a spam title is the page title: among the first non-blank lines
_LABEL_WINDOW = 3  # a section label follows its breadcrumb within this many lines
_TITLE_WINDOW = 6  # a header title is repeated within this many lines below it
_MIN_TITLE = 6  # shorter lines are not checked for a repeat below


@dataclass(frozen=True)
class PinyinNotes:
    """Text without its pinyin notes, how many were removed, and what they said.

    ``readings`` maps each syllable to the characters it annotated (``qū`` → 區, 驅);
    mojibake repair uses it to name a character lost together with its note.
    """

    text: str
    removed: int
    readings: dict[str, frozenset[str]]


def clean(doc: SourceDoc) -> CleanDoc:
    """Clean one scraped document; see the module docstring for the rules."""
    body, boilerplate = remove_boilerplate(_CONTROL.sub("", doc.raw))
    notes = strip_pinyin_notes(body)
    # Notes on dropped boilerplate lines count too: the report covers the whole scrape.
    dropped_notes = sum(len(PINYIN_NOTE.findall(line)) for line in boilerplate)
    repairs = find_mojibake(notes.text, notes.readings)
    text = normalize(to_simplified(mark_spans(notes.text, repairs)))
    kept = _MARKED.findall(text)
    if len(kept) != len(repairs):  # a rule swallowed a marker: a bug, not bad input
        raise AssertionError(f"{len(repairs)} mojibake spans but {len(kept)} marked in text")
    spans = tuple(
        MojibakeSpan(raw=r.raw, repaired=k if r.repaired is not None else None, kept=k)
        for r, k in zip(repairs, kept, strict=True)
    )
    for span in spans:
        if span.repaired is None:
            log.info("kept mojibake span %r: no confident repair", span.raw)
    report = CleanReport(
        pinyin_notes_removed=notes.removed + dropped_notes,
        boilerplate_lines_removed=len(boilerplate),
        boilerplate=boilerplate,
        mojibake=spans,
    )
    return CleanDoc(meta=doc.meta, text=_MARKED.sub(r"\1", text), report=report)


def remove_boilerplate(text: str) -> tuple[str, tuple[str, ...]]:
    """Drop the site's lines around the document; return the rest and the dropped lines.

    Dropped: an SEO spam title, the breadcrumb, the section label that repeats the
    breadcrumb's last item, a view counter, a footer, and a page-header title that
    the document repeats split over several lines just below.
    """
    lines = text.splitlines()
    keys = [_line_key(line) for line in lines]
    header = set(_next_nonblank(keys, -1, _HEADER_LINES))
    drop = {i for i in header if SPAM_TITLE.match(keys[i])}
    for i, key in enumerate(keys):
        crumb = BREADCRUMB.match(key)
        if crumb or VIEW_COUNTER.match(key) or FOOTER.match(key):
            drop.add(i)
        if crumb and (last := _CRUMB_SEPARATOR.split(crumb.group(1))[-1]):
            drop.update(j for j in _next_nonblank(keys, i, _LABEL_WINDOW) if keys[j] == last)
        if len(key) >= _MIN_TITLE and _repeated_below(keys, i):
            drop.add(i)
    kept = "\n".join(line for i, line in enumerate(lines) if i not in drop)
    return kept, tuple(lines[i].strip() for i in sorted(drop))


def _line_key(line: str) -> str:
    return re.sub(r"\s+", "", PINYIN_NOTE.sub("", line))


def _next_nonblank(keys: list[str], i: int, count: int) -> list[int]:
    return [j for j in range(i + 1, len(keys)) if keys[j]][:count]


def _repeated_below(keys: list[str], i: int) -> bool:
    """Whether consecutive non-blank lines below line ``i`` spell it out in pieces."""
    below = _next_nonblank(keys, i, _TITLE_WINDOW)
    for a in range(len(below)):
        joined = ""
        for b in below[a:]:
            joined += keys[b]
            if joined == keys[i] and b != below[a]:
                return True
            if not keys[i].startswith(joined):
                break
    return False


def strip_pinyin_notes(text: str) -> PinyinNotes:
    """Remove every pinyin note such as ``發(fā)`` and record which character had which.

    Notes broken by mojibake (``?jīng)``, whose ``(`` was lost) are left to the
    mojibake rule, which reads them.
    """
    readings: dict[str, set[str]] = {}

    def drop(m: re.Match[str]) -> str:
        before = text[m.start() - 1 : m.start()]
        if re.match(f"[{_CJK}]", before):
            readings.setdefault(m.group(1), set()).add(before)
        return ""

    stripped, removed = PINYIN_NOTE.subn(drop, text)
    return PinyinNotes(stripped, removed, {k: frozenset(v) for k, v in readings.items()})


def mark_spans(text: str, repairs: tuple[Repair, ...]) -> str:
    """Put each span's replacement, bracketed by control marks, in place of the span."""
    parts, pos = [], 0
    for r in repairs:
        parts += [text[pos : r.start], _OPEN, r.replacement, _CLOSE]
        pos = r.end
    return "".join([*parts, text[pos:]])


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    import opencc

    # tw2s, not plain t2s: the site writes 著 for 着 (著力) as Taiwan usage does, which
    # t2s keeps; tw2s maps Taiwan forms to standard ones first, then converts like t2s.
    return opencc.OpenCC("tw2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified, phrase by phrase (發展→发展, 著力→着力)."""
    return _converter().convert(text) if text else text


def normalize_width(text: str) -> str:
    """Full-width letters, digits and parentheses → ASCII; other punctuation stays.

    A full-width point between digits is a decimal point (２．５ → 2.5).
    """
    return re.sub(r"(?<=\d)．(?=\d)", ".", text.translate(_WIDTH))


def normalize_punctuation(text: str) -> str:
    """ASCII , ; : ? ! next to Chinese text → full-width; between ASCII words they stay."""
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch not in _TO_FULL:
            continue
        before, after = _neighbour(chars, i, -1), _neighbour(chars, i, 1)
        if (before.isascii() and before.isalnum()) and (after.isascii() and after.isalnum()):
            continue
        if _CJK_TEXT.match(before) or _CJK_TEXT.match(after):
            chars[i] = _TO_FULL[ch]
    return "".join(chars)


def _neighbour(chars: list[str], i: int, step: int) -> str:
    i += step
    while 0 <= i < len(chars) and chars[i] in (_OPEN, _CLOSE):
        i += step
    return chars[i] if 0 <= i < len(chars) else ""


def normalize_whitespace(text: str) -> str:
    """One block per line: lines stripped, inner whitespace runs collapsed, blanks gone."""
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


NORMALIZERS: tuple[Callable[[str], str], ...] = (
    normalize_width,
    normalize_punctuation,
    normalize_whitespace,
)


def normalize(text: str) -> str:
    """Apply width, punctuation and whitespace rules, in that order."""
    for rule in NORMALIZERS:
        text = rule(text)
    return text
