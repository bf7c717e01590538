"""Extractive answer text: quote the sentences of the retrieved clauses that answer.

Answers are built only from the document's own words. A sentence is chosen by its
best window of clauses (the words of the question found close together) and quoted
whole, with the sentences around it that answer too, so a list is quoted to its end; a
sentence too long to read is cut at a clause boundary. A quote is always an exact
substring of its clause and can be verified.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from indexer.types import Clause

if TYPE_CHECKING:
    from service.retrieve import Retrieval

# How well a sentence answers is the question weight of its best window of clauses
# this long: words found close together are about one thing. (Only the choice of
# sentence; the quote is the whole sentence.)
WINDOW_CHARS = 110
# A quote is the whole sentence (to its 。！？) of the best window, with the
# sentences next to it that answer too, up to this many characters; a longer sentence is cut
# at clause boundaries (，；：) around the window. Long enough for a list sentence
# (the document's longest sentence has 336 characters), short enough to read.
QUOTE_LIMIT = 300
# A neighbouring sentence joins the quote when its best window weighs at least this
# share of the quoted sentence's (dev and calibration: 0–0.2 tie on facts, 0.3 and
# 0.5 lose some; the largest of the plateau keeps answers shortest).
JOIN_SHARE = 0.2
# A span that answers another part of the question joins the answer when its new
# terms weigh this much of the first span's (dev and calibration sets: 0.1–0.3 tie,
# 0.5 and 0.7 lose facts; the largest of the plateau keeps answers shortest).
COMPLEMENT_SHARE = 0.3
# A follow-up ("这条里说下一代信息基建要具备啥特点？" after a question about one
# sentence of task 10) finds its work with the words of the turns before, but the
# sentence it asks about is chosen mostly by its own words: borrowed terms weigh this
# share of their weight.
BORROWED_SHARE = 0.5
_CLAUSE_END = re.compile(r"[，；：]")
_SENTENCE_END = "。！？"


@dataclass(frozen=True)
class Span:
    """A quotable piece of a clause and how well it matches the question."""

    clause: Clause
    start: int
    end: int
    score: float

    @property
    def text(self) -> str:
        """The quoted words, exactly as they stand in the clause."""
        return self.clause.text[self.start : self.end]


def term_weights(
    terms: Iterable[str], idf: Mapping[str, float], borrowed: Collection[str] = ()
) -> dict[str, float]:
    """Weights of the question's terms that can be looked up as substrings.

    Single CJK characters match almost anywhere, so they only count when the
    tokenizer produced nothing longer. Terms ``borrowed`` from earlier turns of a
    conversation weigh ``BORROWED_SHARE`` of their weight.
    """
    weights: dict[str, float] = {}
    for term in terms:
        if len(term) < 2 and not term.isascii():
            continue
        weight = idf.get(term, 1.0) * (BORROWED_SHARE if term in borrowed else 1.0)
        weights[term] = max(weights.get(term, 0.0), weight)
    return weights


def quote_weights(retrieval: Retrieval, idf: Mapping[str, float]) -> dict[str, float]:
    """The weights a quote of ``retrieval``'s targets is chosen by: its searched terms,
    those a follow-up borrowed from earlier turns weighing less."""
    return term_weights(retrieval.tokens, idf, retrieval.borrowed)


def _match_score(text: str, weights: Mapping[str, float]) -> float:
    lowered = text.lower()
    return sum(w for term, w in weights.items() if term in lowered)


def full_sentences(clause: Clause) -> list[tuple[int, int]]:
    """(start, end) of the clause's sentences as a reader counts them: to 。！？.

    The parse also ends a sentence at ；, but a ； separates the items of one list
    sentence ("…；…；…。"), so here it is a clause boundary inside the sentence.
    """
    found: list[tuple[int, int]] = []
    start: int | None = None
    for sentence in clause.sentences:
        if start is None:
            start = sentence.start
        if clause.text[sentence.end - 1] in _SENTENCE_END:
            found.append((start, sentence.end))
            start = None
    if start is not None:
        found.append((start, clause.sentences[-1].end))
    return found


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split text[start:end] after each clause boundary (，；：); offsets are absolute."""
    cuts = [start]
    for match in _CLAUSE_END.finditer(text, start, end):
        cuts.append(match.end())
    if cuts[-1] != end:
        cuts.append(end)
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def best_span(clause: Clause, weights: Mapping[str, float]) -> Span:
    """The quote of the clause's best-answering sentence (see :func:`sentence_spans`).

    Ties go to the earlier sentence, since the document states its main point first.
    """
    best: Span | None = None
    for span in sentence_spans(clause, weights):
        if best is None or span.score > best.score + 1e-9:
            best = span
    assert best is not None
    return best


def sentence_spans(clause: Clause, weights: Mapping[str, float]) -> list[Span]:
    """One quote per sentence of the clause, in document order, scored by its best window.

    The score is the question weight of the sentence's best window of clauses
    (``WINDOW_CHARS``). The quote is the whole sentence, with the next sentences
    and then the ones before while each answers too (``JOIN_SHARE`` of its weight), up to
    ``QUOTE_LIMIT`` characters; a longer sentence is cut at clause boundaries
    around its window, so the quote ends at a ，；： or 。.
    """
    sentences = full_sentences(clause) or [(0, len(clause.text))]
    windows = [_best_window(clause, a, b, weights) for a, b in sentences]
    spans = []
    for k, ((a, b), (score, pieces, i, j)) in enumerate(zip(sentences, windows, strict=True)):
        if b - a > QUOTE_LIMIT:
            a, b = _cut(clause.text, pieces, i, j)
        elif score > 0:
            for (_, end), (next_score, *_) in zip(
                sentences[k + 1 :], windows[k + 1 :], strict=True
            ):
                if end - a > QUOTE_LIMIT or next_score <= 0 or next_score < JOIN_SHARE * score:
                    break
                b = end
            before = k - 1
            while before >= 0 and b - sentences[before][0] <= QUOTE_LIMIT:
                prev_score = windows[before][0]
                if prev_score <= 0 or prev_score < JOIN_SHARE * score:
                    break
                a = sentences[before][0]
                before -= 1
        spans.append(Span(clause, a, b, score))
    return spans


def _best_window(
    clause: Clause, start: int, end: int, weights: Mapping[str, float]
) -> tuple[float, list[tuple[int, int]], int, int]:
    """The sentence's clauses and its best window of them: (score, clauses, first, last).

    The window with the most question weight wins; ties go to the earlier, shorter one.
    """
    pieces = _segments(clause.text, start, end)
    # Terms never contain a clause boundary, so a window matches exactly the union of
    # its clauses' terms: one bit mask per clause.
    terms = list(weights)
    lowered = clause.text.lower()
    masks = [sum(1 << k for k, t in enumerate(terms) if t in lowered[a:b]) for a, b in pieces]
    score_of: dict[int, float] = {}

    def mask_score(mask: int) -> float:
        if mask not in score_of:
            score_of[mask] = sum(weights[t] for k, t in enumerate(terms) if mask >> k & 1)
        return score_of[mask]

    best = (0.0, 0, 0)
    for i in range(len(pieces)):
        mask = 0
        for j in range(i, len(pieces)):
            if pieces[j][1] - pieces[i][0] > WINDOW_CHARS and j > i:
                break
            mask |= masks[j]
            if mask_score(mask) > best[0] + 1e-9:
                best = (mask_score(mask), i, j)
    return best[0], pieces, best[1], best[2]


def _cut(text: str, pieces: list[tuple[int, int]], i: int, j: int) -> tuple[int, int]:
    """Clauses i..j grown by their neighbours, the next one first (a list runs on),
    while they fit in ``QUOTE_LIMIT``; one clause longer than that is cut after its
    last 、 that fits."""
    while True:
        width = pieces[j][1] - pieces[i][0]
        if j + 1 < len(pieces) and width + pieces[j + 1][1] - pieces[j + 1][0] <= QUOTE_LIMIT:
            j += 1
        elif i > 0 and width + pieces[i - 1][1] - pieces[i - 1][0] <= QUOTE_LIMIT:
            i -= 1
        else:
            break
    a, b = pieces[i][0], pieces[j][1]
    if b - a > QUOTE_LIMIT:
        listed = text.rfind("、", a, a + QUOTE_LIMIT)
        b = listed + 1 if listed > a else a + QUOTE_LIMIT
    return a, b


def trim_span(span: Span) -> str:
    """The span as shown in an answer: trailing comma dropped, sentence end kept."""
    return span.text.rstrip("，；：、")


def pick_spans(
    clauses: Sequence[Clause], weights: Mapping[str, float], limit: int = 2
) -> list[Span]:
    """The best spans across clauses (in the order given), at most ``limit``.

    A second span is kept when it matches the question nearly as well as the
    first, or when it answers a part of the question the first span does not
    (its new terms weigh at least ``COMPLEMENT_SHARE`` of the first span's), so
    answers stay short unless the evidence is really split.
    """
    spans = sorted(
        (best_span(c, content_weights(c, weights)) for c in clauses),
        key=lambda s: -s.score,
    )
    if not spans:
        return []
    first = spans[0]
    chosen = [first]
    for span in spans[1:]:
        if len(chosen) >= limit:
            break
        if span.score > 0 and span.score >= 0.6 * first.score:
            chosen.append(span)
    if len(chosen) < limit and first.score > 0:
        covered = first.text.lower()
        rest = {t: w for t, w in weights.items() if t not in covered}
        extra = max(
            (best_span(c, content_weights(c, rest)) for c in clauses),
            key=lambda s: s.score,
            default=None,
        )
        if (
            extra is not None
            and extra.score >= COMPLEMENT_SHARE * first.score
            and not overlaps(extra, chosen)
        ):
            chosen.append(extra)
    return chosen


def short_quote(text: str, limit: int) -> str:
    """``text`` cut at its last clause boundary within ``limit`` characters (a prefix,
    so a quote of a clause stays verbatim).

    >>> short_quote("甲乙丙，丁戊己，庚辛", limit=8)
    '甲乙丙，丁戊己'
    """
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit + 1) for mark in "，；：、")
    return text[:cut] if cut > limit // 4 else text[:limit]


def overlaps(span: Span, others: Sequence[Span]) -> bool:
    """Whether ``span`` shares characters of its clause with any of ``others``."""
    return any(
        o.clause.id == span.clause.id and o.start < span.end and span.start < o.end for o in others
    )


def content_weights(clause: Clause, weights: Mapping[str, float]) -> dict[str, float]:
    """Drop terms that only name the clause's own heading ("战略定位里跟港澳有关的…").

    Such terms picked the target already; inside it they say nothing about which
    span answers. If nothing else is left, keep them all.
    """
    heading = "".join(clause.heading_path).lower()
    rest = {t: w for t, w in weights.items() if t not in heading}
    return rest or dict(weights)
