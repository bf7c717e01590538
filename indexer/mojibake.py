"""Find mojibake spans in a scrape and repair those that can be repaired with confidence.

The scrape was GBK text decoded one byte out of step: where a byte went missing the
decoder printed ``?`` and then paired every following byte with the wrong partner,
printing rare characters (``?;浉郯拇鬄硡^``) until a single ASCII byte put it back in
step. Full-width ASCII (GBK ``A3xx``) had been turned into ASCII afterwards, so an
ASCII character inside such a run stands for two bytes, ``A3`` and itself + 0x80.
Re-encoding the run and pairing the bytes afresh gives the original words back
(``。粵港澳大灣區``); only the byte the ``?`` swallowed has to be recovered.

Confidence, judged per span (anything less keeps the damaged text and reports
``repaired=None``):

* every re-paired byte decodes as strict GBK to a CJK ideograph or CJK punctuation,
  and the run is followed by clean text (no ``?`` or private-use character next to it);
  where ASCII letters make the run's end ambiguous, the end whose re-decoding gains
  most over the garbage in jieba's word model wins;
* a ``?pinyin)`` left where a character and the ``(`` of its pinyin note were lost
  is resolved only through the readings the document itself annotates (``qū`` → 區
  or 驅) *and* the byte overlap: the lost character must share the byte the run
  begins or ends with;
* otherwise the lost character is chosen by jieba's word model over the clause
  around it, and only when the best candidate is at least e**3 (≈ 20×) more
  probable than the runner-up; a lost ``。`` competes like a very frequent word but
  only between whole words, not after a preposition, conjunction or particle;
* at least half of the repaired ideographs must sit in jieba words of two or more;
* the repair must read at least as well (``plausibility``) as the span's own words:
  re-pairing the bytes of readable text also decodes, into rare characters. Such a
  span is left as it is, and reported as damaged only if it looked damaged;
* a lone private-use character is repaired only by a rule in ``TERM_RULES``.

A copy of the scrape saved as GBK has ``?`` for every private-use character (GBK
cannot hold them), so there a ``?`` inside a run is two lost bytes, not a full-width
question mark: the two characters it splits are chosen together by the word model
(with a wider margin, ``HOLE_MARGIN``), or the span is kept.

This module finds the spans and chooses among their readings; the bytes are re-paired
by ``indexer.mojibake_bytes``, and how well a candidate reads in jieba's word model is
measured by ``indexer.mojibake_score``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from indexer.mojibake_bytes import (
    HOLE,
    OK_PUNCT,
    PUNCT,
    UNKNOWN,
    decode_rest,
    first_candidates,
    gbk_bytes,
    is_text,
)
from indexer.mojibake_score import (
    can_split,
    logprob,
    plausibility,
    punctuation_logprob,
    reads_as_words,
    text_logprob,
)

log = logging.getLogger(__name__)

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
# One pinyin syllable as the site writes its notes: lowercase with a tone mark (or ü).
PINYIN = rf"[a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*"
SUSPECT = re.compile("[?\ue000-\uf8ff\ufffd]")
_LOST = "?\ufffd"  # what a decoder prints for a byte it cannot use
_BROKEN_NOTE = re.compile(rf"[?\ufffd]({PINYIN})\)")
_PUA = re.compile("[\ue000-\uf8ff\ufffd]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# Undecodable characters that a term's own shape identifies.
TERM_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # Particle sizes are written PM2.5 / PM0.1: between the digits only a point fits.
    (re.compile("(?<![A-Za-z])PM(\\d)[\ue000-\uf8ff\ufffd](\\d)(?!\\d)"), r"PM\1.\2"),
)
# Nats between the best and the second-best lost character. On 2,520 spans made by
# damaging this document's own sentences the same way, 3.0 repaired 71% with 99.5%
# of the repairs right; 4.0 repaired 62% with 99.7% right.
MARGIN = 3.0
# Two characters around a lost private-use one have ~1,500 candidate pairs, not ~100,
# so they need a wider margin. On 600 sentences damaged as above and saved as GBK,
# 3.0 made 78 repairs with 8 wrong, 4.0 68 with 7, 5.0 58 with 4, 6.0 45 with 4; the 4
# are one sentence drawn four times whose lost first character is chosen wrongly (前海
# read as 前。) in the UTF-8 scrape as well. Reading such a ? as a full-width one, as
# before, made 157 repairs, all wrong.
HOLE_MARGIN = 5.0
_MAX_RUN = 48
_CONTEXT = 8


@dataclass(frozen=True)
class Repair:
    """One mojibake span: ``text[start:end]`` is ``raw``; ``repaired`` is None if unsure."""

    start: int
    end: int
    raw: str
    repaired: str | None

    @property
    def replacement(self) -> str:
        """What stands in the text: the repair, or the span without its broken notes."""
        if self.repaired is not None:
            return self.repaired
        return _BROKEN_NOTE.sub(lambda m: m.group()[0], self.raw)


def find_mojibake(
    text: str,
    readings: Mapping[str, frozenset[str]],
    *,
    saved_as_gbk: bool | None = None,
) -> tuple[Repair, ...]:
    """Every mojibake span of ``text`` in order, repaired where confident.

    ``readings`` maps a pinyin syllable to the characters the document annotates with it.
    ``saved_as_gbk``: whether the text went through a GBK copy, which cannot hold the
    private-use characters of the garbage and writes ``?`` for each, so that a ``?``
    inside a run stands for two lost bytes rather than a full-width question mark.
    None (the default) infers it: a text with no private-use character at all.

        >>> find_mojibake("形成?;浉郯拇鬄硡^、", {})[0].repaired
        '。粵港澳大灣區'
    """
    if saved_as_gbk is None:
        saved_as_gbk = not _PRIVATE_USE.search(text)
    found: list[Repair] = []
    pos = 0
    while (m := SUSPECT.search(text, pos)) is not None:
        start = m.start()
        if _is_question_mark(text, start):
            pos = start + 1
            continue
        repair = _repair_at(text, start, readings, saved_as_gbk)
        if repair is None:
            pos = start + 1
            continue
        found.append(repair)
        pos = repair.end
    return tuple(found)


def _is_question_mark(text: str, i: int) -> bool:
    """A ``?`` ending a sentence or inside a URL query is punctuation, not a lost byte."""
    if text[i] != "?":
        return False
    before, after = text[i - 1 : i], text[i + 1 : i + 2]
    if after in ("", "”", "’", ")") or after.isspace():
        return True
    return (before + after).isascii() and (before.isalnum() or before == "/") and after.isalnum()


def _repair_at(
    text: str, start: int, readings: Mapping[str, frozenset[str]], saved_as_gbk: bool
) -> Repair | None:
    if text[start] not in _LOST:
        for pattern, repl in TERM_RULES:
            for m in pattern.finditer(text, max(0, start - 8), start + 8):
                if m.start() <= start < m.end():
                    return Repair(m.start(), m.end(), m.group(), m.expand(repl))
        return Repair(start, start + 1, text[start], None)
    head = _BROKEN_NOTE.match(text, start)
    run_start = head.end() if head else start + 1
    decodes = []
    for end, garbage, tail, holes in _run_options(text, run_start, saved_as_gbk):
        decoded = decode_rest(garbage, tail, readings, holes)
        if decoded is not None and not SUSPECT.search(text, end, end + 4):
            rest = _fill_holes(*decoded, _context(text, end, 1))
            garbled = _BROKEN_NOTE.sub("", text[run_start:end])
            gain = logprob(rest.replace(UNKNOWN, "")) - logprob(garbled)
            decodes.append((gain, end, garbage, rest))
    if not decodes:
        end = head.end() if head else start + 1
        while end < len(text) and _PUA.match(text, end):
            end += 1
        return Repair(start, end, text[start:end], None)
    # Where the run ends is ambiguous when it holds ASCII letters: take the ending
    # whose re-decoding reads best compared with the garbage it replaces.
    _, end, garbage, rest = max(decodes)
    raw = text[start:end]
    firsts = first_candidates(garbage[0], head.group(1) if head else None, readings)
    left, right = _context(text, start, -1), _context(text, end, 1)
    first = None if UNKNOWN in rest else _choose(firsts, left, rest, right)
    if first is None or not reads_as_words(left, first + rest, right):
        log.info("mojibake %r decodes to ?%s but not with confidence", raw, rest)
        return Repair(start, end, raw, None)
    # A repair never makes text read worse than it did: its words are compared with
    # the span's own (debris such as ``?`` and ASCII bytes left out), because re-pairing
    # the bytes of readable text also decodes, into rare characters. The span then
    # stays as it is, reported as damaged only if it looked damaged in the first place.
    words = "".join(c for c in _BROKEN_NOTE.sub("", raw) if is_text(c))
    if plausibility(left + first + rest + right) < plausibility(left + words + right):
        log.info("mojibake %r: the repair %r reads worse than the text; kept", raw, first + rest)
        return None if _looks_readable(raw, left, right) else Repair(start, end, raw, None)
    return Repair(start, end, raw, first + rest)


def _looks_readable(raw: str, left: str, right: str) -> bool:
    """Whether a span, its lost-character marks aside, reads as words (no private-use
    characters, no broken pinyin notes, ideographs mostly in words of two or more)."""
    if _PUA.search(raw) or _BROKEN_NOTE.search(raw):
        return False
    body = raw.lstrip(_LOST)
    return not any(c in _LOST for c in body) and reads_as_words(left, body, right)


def _run_options(
    text: str, i: int, saved_as_gbk: bool = False
) -> list[tuple[int, bytes, str | None, tuple[int, ...]]]:
    """Ways the garbage run starting at ``i`` can end: (end, its bytes, end pinyin, holes).

    A run ends at a single ASCII byte (one that can trail a GBK lead byte) or at a
    ``?pinyin)`` where the last character and its note's ``(`` were lost; ASCII
    characters before that are full-width ones and stand for two bytes. In a text
    saved as GBK a ``?`` inside the run is instead a private-use character that GBK
    could not hold: its two bytes are lost, and ``holes`` lists their offsets
    (filled with zeros) in the run's bytes.
    """
    options: list[tuple[int, bytes, str | None, tuple[int, ...]]] = []
    buf, holes = bytearray(), []
    for j in range(i, min(len(text), i + _MAX_RUN)):
        if (note := _BROKEN_NOTE.match(text, j)) and buf:
            options.append((note.end(), bytes(buf), note.group(1), tuple(holes)))
            break
        if saved_as_gbk and text[j] in _LOST:
            holes.append(len(buf))
            buf += b"\0\0"
            continue
        code = ord(text[j])
        if code < 0x80:
            if 0x40 <= code <= 0x7E:
                options.append((j + 1, bytes([*buf, code]), None, tuple(holes)))
            if not 0x21 <= code <= 0x7E:
                break
            buf += bytes([0xA3, code | 0x80])
            continue
        pair = gbk_bytes(text[j])
        if pair is None:
            break
        buf += pair
    return options


def _fill_holes(rest: str, choices: list[list[str]], right: str) -> str:
    """Fill each hole, left to right, with the pair jieba's word model prefers by
    ``HOLE_MARGIN``; a hole without a clear winner becomes ``UNKNOWN``."""
    for options in choices:
        i = rest.index(HOLE)
        before = rest[:i][rest.rfind(UNKNOWN, 0, i) + 1 :][-_CONTEXT:]
        after = rest[i + 2 :]
        stop = next((k for k, c in enumerate(after) if c in (HOLE, UNKNOWN)), None)
        after = (after[:stop] if stop is not None else after + right)[:_CONTEXT]
        scored = sorted(((text_logprob(before + o + after), o) for o in set(options)), reverse=True)
        clear = len(scored) == 1 or (len(scored) > 1 and scored[0][0] - scored[1][0] >= HOLE_MARGIN)
        rest = rest[:i] + (scored[0][1] if clear else UNKNOWN * 2) + rest[i + 2 :]
    return rest


def _choose(candidates: list[str], left: str, rest: str, right: str) -> str | None:
    """The candidate that jieba's word model prefers by ``MARGIN``, else None."""
    if len(candidates) == 1:
        return candidates[0]
    scored = []
    for c in candidates:
        if c in PUNCT:
            if not can_split(left, rest + right):
                continue
            score = logprob(left) + logprob(rest + right) + punctuation_logprob()
        elif c in OK_PUNCT:
            continue
        else:
            score = logprob(left + c + rest + right)
        scored.append((score, c))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[0][0] - scored[1][0] < MARGIN):
        return None
    return scored[0][1]


def _context(text: str, i: int, step: int) -> str:
    """Up to ``_CONTEXT`` ideographs before (step -1) or after (step 1) position ``i``."""
    k = i
    while abs(k - i) < _CONTEXT:
        j = k if step > 0 else k - 1
        if not (0 <= j < len(text) and "\u4e00" <= text[j] <= "\u9fff"):
            break
        k += step
    return text[min(i, k) : max(i, k)]
