"""Extractive answer text: pick the best short spans of the retrieved clauses.

Answers are built only from the document's own words. A span is a run of
comma-separated segments inside one sentence, so it is always an exact substring
of its clause and can be quoted and verified.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from indexer.types import Clause
from service.catalog import Section
from service.contract import Citation

# A quote longer than this stops being "short"; long sentences are cut into
# comma-separated segments and the best window of them is kept.
MAX_SPAN_CHARS = 110
# A list asked for ("有哪些平台") may run a little longer, to its sentence's end.
MAX_LIST_CHARS = 140
# A span that answers another part of the question joins the answer when its new
# terms weigh this much of the first span's (dev and calibration sets: 0.1–0.3 tie,
# 0.5 and 0.7 lose facts; the largest of the plateau keeps answers shortest).
COMPLEMENT_SHARE = 0.3
# A single segment is never cut below this, so numbers and names stay whole.
LONGEST_SEGMENT = 220
_SEGMENT_END = re.compile(r"[，；：]")


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


def marker(task: int | None, section: str) -> str:
    """The citation marker shown in answers: 【任务7】 or 【一(三)】."""
    return f"【任务{task}】" if task is not None else f"【{section}】"


def term_weights(terms: Iterable[str], idf: Mapping[str, float]) -> dict[str, float]:
    """Weights of the question's terms that can be looked up as substrings.

    Single CJK characters match almost anywhere, so they only count when the
    tokenizer produced nothing longer.
    """
    weights: dict[str, float] = {}
    for term in terms:
        if len(term) < 2 and not term.isascii():
            continue
        weights[term] = max(weights.get(term, 0.0), idf.get(term, 1.0))
    return weights


def _match_score(text: str, weights: Mapping[str, float]) -> float:
    lowered = text.lower()
    return sum(w for term, w in weights.items() if term in lowered)


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split text[start:end] after each comma/semicolon/colon; offsets are absolute."""
    cuts = [start]
    for match in _SEGMENT_END.finditer(text, start, end):
        cuts.append(match.end())
    if cuts[-1] != end:
        cuts.append(end)
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def best_span(clause: Clause, weights: Mapping[str, float]) -> Span:
    """The best window of comma-separated segments in one sentence of the clause.

    The window with the most question weight wins (ties: the earlier, shorter
    one, since the document states its main point first); it is then widened to
    its whole sentence, or by neighbouring segments, while it stays short, so a
    quote keeps the context that makes it understandable.
    """
    best: Span | None = None
    for span in sentence_spans(clause, weights):
        if best is None or span.score > best.score + 1e-9:
            best = span
    assert best is not None
    return best


def sentence_spans(clause: Clause, weights: Mapping[str, float]) -> list[Span]:
    """The best window of each sentence of the clause, in document order (see :func:`best_span`)."""
    sentences = clause.sentences or ()
    if not sentences:
        end = min(len(clause.text), MAX_SPAN_CHARS)
        return [Span(clause, 0, end, _match_score(clause.text[:end], weights))]
    # Terms never contain the punctuation that separates segments, so a window
    # matches exactly the union of its segments' terms: one bit mask per segment.
    terms = list(weights)
    lowered = clause.text.lower()
    score_of: dict[int, float] = {}

    def mask_score(mask: int) -> float:
        if mask not in score_of:
            score_of[mask] = sum(weights[t] for k, t in enumerate(terms) if mask >> k & 1)
        return score_of[mask]

    spans = []
    for sentence in sentences:
        pieces = _segments(clause.text, sentence.start, sentence.end)
        if not pieces:
            continue
        masks = [sum(1 << k for k, t in enumerate(terms) if t in lowered[a:b]) for a, b in pieces]
        best: tuple[float, int, int] | None = None
        for i in range(len(pieces)):
            mask = 0
            for j in range(i, len(pieces)):
                if pieces[j][1] - pieces[i][0] > MAX_SPAN_CHARS and j > i:
                    break
                mask |= masks[j]
                score = mask_score(mask)
                if best is None or score > best[0] + 1e-9:
                    best = (score, i, j)
        assert best is not None
        spans.append(_widened(clause, pieces, *best))
    return spans


def _widened(clause: Clause, pieces: list[tuple[int, int]], score: float, i: int, j: int) -> Span:
    """Segments i..j grown by their neighbours while the quote stays short."""
    while True:
        width = pieces[j][1] - pieces[i][0]
        if j + 1 < len(pieces) and width + pieces[j + 1][1] - pieces[j + 1][0] <= MAX_SPAN_CHARS:
            j += 1
        elif i > 0 and width + pieces[i - 1][1] - pieces[i - 1][0] <= MAX_SPAN_CHARS:
            i -= 1
        else:
            break
    a, b = pieces[i][0], min(pieces[j][1], pieces[i][0] + LONGEST_SEGMENT)
    return Span(clause, a, b, score)


def with_next_sentences(span: Span) -> Span:
    """The span plus the whole sentences after it, while it stays short.

    The matched sentence often states the topic and the next one the detail
    asked for ("…全面实施“单一窗口”。探索在海关特殊监管区…"). Only a span that
    already ends a sentence is widened, so a quote never stops mid-sentence.
    """
    a, b = span.start, span.end
    for sentence in span.clause.sentences or ():
        if sentence.start < b:
            if sentence.end > b:  # the span ends inside this sentence: leave it
                return span
            continue
        if sentence.start != b or sentence.end - a > MAX_SPAN_CHARS:
            break
        b = sentence.end
    return Span(span.clause, a, b, span.score)


def trim_span(span: Span) -> str:
    """The span as shown in an answer: trailing comma dropped, sentence end kept."""
    return span.text.rstrip("，；：、")


# Three or more names in a row: how the document lists what a "哪些" question asks for.
_LIST = re.compile(r"[\u4e00-\u9fff]{2,12}、[\u4e00-\u9fff]{2,12}、")


def list_span(
    clauses: Sequence[Clause],
    weights: Mapping[str, float],
    typed: Span | None = None,
    share: float = 0.5,
) -> Span | None:
    """For a question asking for several things, the best-matching window whose sentence
    names three or more in a row, stretched over the list ("充分发挥各类合作平台…，
    大力推进粤桂合作特别试验区、闽粤经济合作区、…"), when it matches at least ``share``
    of the best window. A ``typed`` span (holding the kind of answer asked for) stays
    unless the list overlaps it; without a list the result is ``typed``."""
    listed = _list_window(clauses, weights, share)
    if listed is None or (typed is not None and not overlaps(typed, [listed])):
        return typed
    return listed


def _list_window(
    clauses: Sequence[Clause], weights: Mapping[str, float], share: float
) -> Span | None:
    found = [s for c in clauses for s in sentence_spans(c, content_weights(c, weights))]
    if not found:
        return None
    floor = share * max(s.score for s in found)
    best: Span | None = None
    for span in found:
        if span.score < floor or span.score <= 0 or (best and best.score >= span.score):
            continue
        end = _sentence_end(span)
        listed = _LIST.search(span.clause.text, span.start, end)
        if listed:
            best = Span(span.clause, span.start, min(end, span.start + MAX_LIST_CHARS), span.score)
    return best


def _sentence_end(span: Span) -> int:
    for sentence in span.clause.sentences or ():
        if sentence.start <= span.start < sentence.end:
            return sentence.end
    return min(len(span.clause.text), span.start + MAX_SPAN_CHARS)


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


def join_names(names: Sequence[str]) -> str:
    """省发展改革委、省交通运输厅 — the document's own list separator."""
    return "、".join(names)


def cite(clause: Clause, quote: str, score: float, section: Section | None = None) -> Citation:
    """A citation of ``clause``; refuses a quote that is not in the clause verbatim.

    Every answer's quotes come through here, so no answer can cite words the
    document does not contain. With ``section``, the citation is of that whole
    section (二(三)), quoting its first clause.
    """
    if not quote or quote not in clause.text:
        raise ValueError(f"quote is not in clause {clause.id}: {quote[:40]!r}")
    return Citation(
        doc=clause.doc_id,
        task=None if section else clause.task,
        section=section.code if section else clause.section,
        title=section.title if section else clause.title,
        clause_id=clause.id,
        quote=quote,
        lead=clause.lead,
        participants=clause.participants,
        score=round(float(score), 4),
        marker=marker(None, section.code) if section else marker(clause.task, clause.section),
    )
