"""When to decline: the document does not answer the question.

Top-1 similarity alone separates answerable from unanswerable questions badly,
because near-misses ("港珠澳大桥收费标准是多少") share the document's topics. So
these signals are combined:

1. lexical coverage: how much of the question's (idf-weighted) terms the best
   target's text contains; terms the corpus never uses count against it;
2. dense similarity of the best unit;
3. the choices of an alternative question (``service.alternatives``): "建桥还是修隧道"
   is declined when the evidence names neither;
4. answer type (``service.answer_type``): a question that asks for an amount, a
   date, a person, a procedure, the cities … is declined unless a span that
   matches it well holds that kind of thing; that span is then quoted first;
5. the question's wording, scored by a model learned from the labelled tuning
   questions (``service.scope_model``), for the near-miss shapes no rule reads.

The thresholds are calibrated on the dev half of ``eval/gold.jsonl`` and the
tuning-only ``eval/calibration.jsonl``; the test half only reports.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.knowledge import active
from service.alternatives import names_an_option
from service.answer_type import Asked, unmet
from service.cues import FILLERS
from service.spans import Span, content_weights, quote_weights, sentence_spans, term_weights
from service.thresholds import threshold

if TYPE_CHECKING:
    from indexer.types import Clause
    from service.engine import Engine
    from service.read import Reading
    from service.retrieve import Retrieval, TargetHit

log = logging.getLogger(__name__)

# The kinds of value that ask who: all a who-leads question is judged on.
WHO_KINDS = ("person",)

# A span may answer a typed question when it matches at least this share of the
# best span's question weight.
TYPED_SPAN_SHARE = 0.5
# …and it may come from the first few targets that score near the best.
TYPED_TARGETS = 3
TYPED_TARGET_RATIO = 0.6
# Further down the ranking (to this many targets), a span that holds the kind asked
# for answers only when it matches the question at least as well as the best
# target's best span: "泛珠是几加几" ranks the work of the region first, and the
# clauses that write 9+2 sixth and tenth. (Dev and calibration: three 几加几
# questions answered; one out-of-scope frequency question is now answered from a
# reporting deadline of 三(一) ranked fourth.)
DEEP_TYPED_TARGETS = 10
DEEP_SPAN_SHARE = 1.0

# Colloquial question wording that says nothing about the topic ("那块", "文件里有提吗"):
# it must neither count as evidence nor as a term the document lacks.


def coverage(
    engine: Engine, retrieval: Retrieval, concepts: Sequence[frozenset[str]] = ()
) -> float:
    """Share of the question's term weight found in the best target's text.

    A word and the tokens it expands to (医保 → 医疗保险, 医疗, 保险) are one
    concept (``Reading.concepts``): it weighs what its heaviest known token weighs and
    counts as found when any of them is, so an expansion cannot outvote the rest of
    the question.
    """
    weights = term_weights(retrieval.tokens, engine.idf)
    if not weights or not retrieval.targets:
        return 0.0
    unknown = max(engine.idf.values(), default=1.0)
    # English words the corpus lacks are covered by their glossary expansions, which
    # are tokens of their own; counting them too would punish every mixed question.
    weights = {
        t: (w if t in engine.idf else unknown)
        for t, w in weights.items()
        if (t in engine.idf or not t.isascii()) and t not in FILLERS
    }
    groups = [g & weights.keys() for g in concepts]
    groups = [g for g in groups if g]
    grouped = set().union(*groups)
    groups += [frozenset([t]) for t in weights if t not in grouped]
    body = "".join(c.text + c.title for c in retrieval.targets[0].clauses).lower()
    total = found = 0.0
    for group in groups:
        # An abbreviation the corpus never uses weighs what its expansion weighs.
        known = [weights[t] for t in group if t in engine.idf]
        weight = max(known) if known else unknown
        total += weight
        if any(t in body for t in group):
            found += weight
    return found / total if total else 0.0


@dataclass(frozen=True)
class Verdict:
    """Whether to decline, and the span that holds the kind of answer asked for."""

    reason: str | None
    span: Span | None = None


def assess(
    engine: Engine,
    reading: Reading,
    text: str,
    retrieval: Retrieval | None,
    who: bool = False,
) -> Verdict:
    """Decline (with a reason) or answer; for typed questions, with the span to quote first.

    What the question asks for, the options it offers, its concepts and how much of
    an English question the glossary knows were read once with it (``reading``);
    ``text`` is what was searched for (the question, or the route's query drawn from
    it), normalized, which the wording model reads. ``who``: the question asks who leads, so of
    the kinds of value it reads, only who it asks for counts (``WHO_KINDS``): an
    agency the note gives, or a person it does not; an amount or a place in its
    words ("罚款的裁量尺度…谁牵头") describes the work.

    The rules speak first, so a decline says what was missing. A question they would
    answer is declined still when the learned wording check flags it
    (``service.scope_model``), even with a span of the kind it asks for: on the
    tuning questions such spans were mostly loose matches ("哪一年通车" and a
    plan's 2020) in questions the document does not answer.
    """
    value = reading.value
    if who:
        value = Asked(tuple(k for k in value.kinds if k in WHO_KINDS))
    verdict = _judge_by_rules(engine, reading, retrieval, value)
    if verdict.reason is None and engine.scope is not None and engine.scope.declines(text):
        return Verdict("asks_what_the_document_does_not_say")
    if verdict.reason == "off_topic" and reading.agencies:
        # A question about an agency the document's notes name is about the document,
        # whatever else it asks: what it asks is not stated, and the closest clauses show.
        missing = value.kinds[0] if value.kinds else "answer"
        return Verdict(f"no_{missing}_in_evidence")
    return verdict


def _judge_by_rules(
    engine: Engine, reading: Reading, retrieval: Retrieval | None, asked: Asked
) -> Verdict:
    if retrieval is None or not retrieval.targets:
        return Verdict("no_match")
    spec = engine.embedder.spec if engine.embedder is not None else ""
    english = reading.english
    if english is not None:
        # Without a single glossary term, nothing in an English question maps to the
        # document's Chinese: there is no basis for an answer.
        if not any(not t.isascii() for t in retrieval.tokens):
            # A collection without an English glossary cannot read any English
            # question; the closest clauses by meaning are shown, not a refusal.
            if not active().glossary and engine.dense_top(retrieval) >= (
                threshold("english_min_dense", spec) or 0.0
            ):
                return Verdict("no_english_glossary")
            return Verdict("off_topic")
        floor = threshold("english_min_coverage") or 0.0
        if (english.coverage < floor or not english.names_subject) and not _decisive(retrieval):
            return Verdict("off_topic")
        floor = threshold("english_min_dense", spec)
        if floor is not None and engine.dense_top(retrieval) < floor:
            return Verdict("off_topic")
    else:
        cov = coverage(engine, retrieval, reading.concepts)
        rescue = threshold("dense_rescue", spec)
        if rescue is None and cov < (threshold("low_coverage") or 0.0):
            return Verdict("off_topic")
        below = cov < (threshold("min_coverage") or 0.0)
        if rescue is not None and below and engine.dense_top(retrieval) < rescue:
            return Verdict("off_topic")
    top = retrieval.targets[0]
    near = [h for h in retrieval.targets if h.score >= TYPED_TARGET_RATIO * top.score]
    hits = near[:TYPED_TARGETS]
    if not names_an_option(reading.choices, "".join(c.text for h in hits for c in h.clauses)):
        return Verdict("no_option_in_evidence")
    if not asked:
        return Verdict(None)
    # The answer must come from a span that matches the question well and holds
    # the kind of thing asked for (a year, an amount, the named cities …). The
    # span may sit in a runner-up target: "供澳门的管道是第几条" ranks the water
    # task first, but only the Macao infrastructure task names 第四条.
    weights = quote_weights(retrieval, engine.idf)
    spans = [_spans(engine, [hit], weights) for hit in hits]
    if not spans[0]:
        return Verdict("no_match")
    # The bar is set by the best target's own best span, so a runner-up target
    # only wins with a span that matches the question as well.
    best_score = max(span.score for span in spans[0])
    floor = TYPED_SPAN_SHARE * best_score
    # The best target answers when any of its good spans holds the kind asked for; a
    # runner-up only when the best target has none.
    found = _typed_span(asked, spans[0], floor) or _intro_span(engine, asked, top, weights)
    if found is None:
        found = _typed_span(asked, [span for group in spans[1:] for span in group], floor)
    if found is None:
        deep = _spans(engine, near[TYPED_TARGETS:DEEP_TYPED_TARGETS], weights, holding=asked)
        found = _typed_span(asked, deep, DEEP_SPAN_SHARE * best_score)
    if found is not None:
        return Verdict(None, found)
    best = max(spans[0], key=lambda span: span.score)
    missing = _unmet(asked, best) or "answer"
    log.debug("no span holds the %s asked for", missing)
    return Verdict(f"no_{missing.split(':')[0]}_in_evidence")


def _spans(
    engine: Engine,
    hits: Sequence[TargetHit],
    weights: dict[str, float],
    holding: Asked | None = None,
) -> list[Span]:
    """Every sentence quote of the hits' candidate clauses, scored for the question;
    with ``holding``, only of the clauses that hold the kind asked for at all (the
    others are not read sentence by sentence)."""
    return [
        span
        for hit in hits
        for clause in _candidates(engine, hit)
        if holding is None or unmet(holding, clause.text, clause.note or "") is None
        for span in sentence_spans(clause, content_weights(clause, weights))
    ]


def _decisive(retrieval: Retrieval) -> bool:
    """Whether the ranking points at one target: the runner-up scores below
    ``english_decisive_share`` of the best. The glossary does not know every English
    word ("paired", "pledge"); when the words it does know single out one task, the
    question is about that task, however few they are ("Which provinces is Guangdong
    paired with for poverty-alleviation cooperation?"). Off-topic English questions
    spread their scores: on the tuning questions, one of 35 fell below 0.5."""
    share = threshold("english_decisive_share")
    targets = retrieval.targets
    if share is None or len(targets) < 2:
        return False
    return targets[1].score < share * targets[0].score


def _unmet(asked: Asked, span: Span) -> str | None:
    """What the span (with the next sentence) lacks; a word asked for may also stand in
    its clause's responsibility note ("要承担责任的地市政府有哪几个")."""
    return unmet(asked, span.text, span.clause.note or "")


def _typed_span(asked: Asked, spans: list[Span], floor: float) -> Span | None:
    """The best-matching span at or above ``floor`` that holds the kind asked for."""
    for span in sorted(spans, key=lambda span: -span.score):
        if span.score < floor:
            break
        if _unmet(asked, span) is None:
            return span
    return None


def _intro_span(
    engine: Engine, asked: Asked, hit: TargetHit, weights: dict[str, float]
) -> Span | None:
    """The line that introduces a target's list speaks for every item in it
    ("到2020年左右，实现以下合作目标："), however few of the question's words it has.

    Only for a date, and only when the line shares a word with the question: its
    numbers are no answer to "多大", nor its year to another plan's.
    """
    intro = _intro(engine, hit)
    if intro is None or asked.kinds != ("time",) or unmet(asked, intro.text) is not None:
        return None
    if not any(term in intro.text for term in content_weights(intro, weights)):
        return None
    return Span(intro, 0, len(intro.text), 0.0)


def _candidates(engine: Engine, hit: TargetHit) -> list[Clause]:
    """The clauses that may hold a typed answer: the target's best three, and the line
    that introduces its list."""
    clauses = list(hit.clauses[:3])
    intro = _intro(engine, hit)
    if intro is not None and intro not in clauses:
        clauses.append(intro)
    return clauses


def _intro(engine: Engine, hit: TargetHit) -> Clause | None:
    """The target's first clause when it only introduces the rest (ends with a colon)."""
    first = engine.catalog.targets[hit.key].clauses[0]
    return first if first.text.rstrip().endswith(("：", ":")) else None
