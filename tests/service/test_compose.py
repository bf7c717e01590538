"""Extractive spans and citations: quotes are always the document's own words."""

from __future__ import annotations

import re

import pytest

from indexer.tokenize import tokenize
from indexer.types import Clause, Sentence
from service.compose import (
    LONGEST_SEGMENT,
    MAX_LIST_CHARS,
    MAX_SPAN_CHARS,
    Span,
    best_span,
    cite,
    list_span,
    marker,
    pick_spans,
    term_weights,
    trim_span,
    with_next_sentences,
)
from service.engine import Engine

_SENTENCE = re.compile(r"[^。！？]*[。！？]?")
_SEPARATOR = re.compile(r"[，；：]")


def make_clause(text: str, *, task: int | None = 7, heading: str = "1.测试标题") -> Clause:
    """A clause of ``text``, split into sentences after 。！？ like the document's."""
    sentences = tuple(
        Sentence(m.group(0), m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group(0)
    )
    return Clause(
        id=f"test/{task}/p1",
        doc_id="test",
        task=task,
        section="二(三)",
        title="测试标题",
        heading_path=("二、主要任务", "(三)测试", heading),
        text=text,
        sentences=sentences,
        lead=("省发展改革委",),
        participants=("广铁集团",),
        note="(省发展改革委牵头，广铁集团等按职责分工负责)",
    )


@pytest.mark.parametrize(
    ("task", "section", "expected"),
    [
        (7, "二(三)", "【任务7】"),
        (30, "二(八)", "【任务30】"),
        (None, "一(三)", "【一(三)】"),
        (None, "三(四)", "【三(四)】"),
        (None, "通知", "【通知】"),
    ],
)
def test_marker(task: int | None, section: str, expected: str) -> None:
    assert marker(task, section) == expected


def test_term_weights() -> None:
    idf = {"铁路": 2.5, "牵头": 0.3, "pm2.5": 4.0}
    weights = term_weights(["铁路", "铁路", "路", "牵头", "未知词", "pm2.5", "a"], idf)
    assert weights == {"铁路": 2.5, "牵头": 0.3, "未知词": 1.0, "pm2.5": 4.0, "a": 1.0}
    assert "路" not in weights  # a single CJK character matches almost anywhere


def _interior_separators(text: str) -> int:
    return len(_SEPARATOR.findall(text.rstrip("，；：")))


def test_best_span_on_every_clause_is_an_exact_short_substring(engine: Engine) -> None:
    checked = 0
    for clause in engine.clauses:
        for sentence in clause.sentences:
            # Ask for the words of each sentence in turn.
            weights = term_weights(tokenize(sentence.text)[:6], engine.idf)
            if not weights:
                continue
            span = best_span(clause, weights)
            checked += 1
            assert span.text == clause.text[span.start : span.end]
            assert span.text
            assert any(s.start <= span.start and span.end <= s.end for s in clause.sentences)
            assert len(span.text) <= LONGEST_SEGMENT
            if _interior_separators(span.text):  # a window of several segments
                assert len(span.text) <= MAX_SPAN_CHARS
            found = sum(w for t, w in weights.items() if t in span.text.lower())
            assert span.score == pytest.approx(found)
    assert checked > 150


@pytest.mark.parametrize(
    ("term", "clause_id"),
    [
        ("韶关至柳州铁路", "gd-pprd-2017/二/三/7/p2"),
        ("甩挂运输", "gd-pprd-2017/二/三/7/p3"),
        ("特高压直流输电工程", "gd-pprd-2017/二/三/8/p1"),
        ("随迁子女", "gd-pprd-2017/二/五/13/p1"),
    ],
)
def test_best_span_holds_the_asked_term(engine: Engine, term: str, clause_id: str) -> None:
    clause = engine.index.clause_by_id[clause_id]
    assert term in clause.text
    span = best_span(clause, {term: 3.0, "推进": 0.1})
    assert term in span.text
    assert span.score >= 3.0


def test_best_span_window_of_segments_respects_the_limit() -> None:
    segments = [f"第{i}段" + "甲乙丙丁戊己庚辛壬癸" * 2 for i in range(12)]
    text = "，".join(segments) + "。"
    clause = make_clause(text)
    span = best_span(clause, {"第5段": 2.0, "第6段": 1.0})
    assert "第5段" in span.text and "第6段" in span.text
    assert span.text == text[span.start : span.end]
    assert len(span.text) <= MAX_SPAN_CHARS
    assert len(text) > 2 * MAX_SPAN_CHARS  # the whole sentence would not have fit
    assert span.score == pytest.approx(3.0)


def test_list_span_stretches_the_window_over_the_list_in_its_sentence() -> None:
    text = "充分发挥各类平台的作用，大力推进甲试验区、乙合作区、丙示范区等平台建设。另有一句。"
    clause = make_clause(text)
    span = list_span([clause], {"平台": 1.0})
    assert span is not None
    assert span.text == "充分发挥各类平台的作用，大力推进甲试验区、乙合作区、丙示范区等平台建设。"
    assert len(span.text) <= MAX_LIST_CHARS
    # Without three names in a row there is no list to quote.
    assert (
        list_span([make_clause("充分发挥各类平台的作用。推进甲试验区建设。")], {"平台": 1.0})
        is None
    )


def test_best_span_prefers_the_earlier_window_on_ties() -> None:
    clause = make_clause("推进铁路建设，加快机场建设。推进铁路改造，完善港口。")
    span = best_span(clause, {"铁路": 1.0})
    assert span.start == 0


def test_best_span_widens_to_the_whole_short_sentence() -> None:
    clause = make_clause("第一句不相关。加快推进港珠澳大桥，完善连接港澳的交通网络。第三句。")
    span = best_span(clause, {"港珠澳大桥": 1.0})
    assert span.text == "加快推进港珠澳大桥，完善连接港澳的交通网络。"


@pytest.mark.parametrize(("length", "expected"), [(150, 151), (300, LONGEST_SEGMENT)])
def test_a_long_single_segment_is_kept_whole_up_to_a_cap(length: int, expected: int) -> None:
    body = "铁路" + "建" * (length - 2)
    clause = make_clause("短句。" + body + "。")
    span = best_span(clause, {"铁路": 1.0})
    assert span.start == len("短句。")
    assert len(span.text) == expected  # the segment and its 。, or the cap
    assert span.text == clause.text[span.start : span.end]


def test_best_span_of_a_clause_without_sentences() -> None:
    clause = make_clause("铁" * 300)
    clause = Clause(**{**clause.__dict__, "sentences": ()})
    span = best_span(clause, {"铁铁": 1.0})
    assert (span.start, span.end) == (0, MAX_SPAN_CHARS)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("加快推进港珠澳大桥，", "加快推进港珠澳大桥"),
        ("加快推进港珠澳大桥；", "加快推进港珠澳大桥"),
        ("加快推进港珠澳大桥。", "加快推进港珠澳大桥。"),
    ],
)
def test_trim_span(text: str, shown: str) -> None:
    clause = make_clause(text)
    assert trim_span(best_span(clause, {"港珠澳大桥": 1.0})) == shown


def test_pick_spans_orders_by_score_and_keeps_close_seconds() -> None:
    weak = make_clause("加快推进铁路建设。", task=1)
    strong = make_clause("加快推进铁路和机场建设。", task=2)
    close = make_clause("加快推进铁路、机场和港口建设。", task=3)
    weights = {"铁路": 1.0, "机场": 1.0, "港口": 1.0}
    spans = pick_spans([weak, strong, close], weights, limit=3)
    assert [s.clause.task for s in spans] == [3, 2]  # 1.0 < 0.6 * 3.0: dropped
    assert [s.score for s in spans] == [3.0, 2.0]
    assert [s.clause.task for s in pick_spans([weak, strong, close], weights, limit=1)] == [3]


def test_pick_spans_keeps_input_order_on_ties() -> None:
    first = make_clause("推进铁路建设。", task=1)
    second = make_clause("完善铁路网络。", task=2)
    spans = pick_spans([first, second], {"铁路": 1.0})
    assert [s.clause.task for s in spans] == [1, 2]


def test_pick_spans_never_keeps_a_second_span_that_matches_nothing() -> None:
    first = make_clause("推进铁路建设。", task=1)
    unrelated = make_clause("加强医疗卫生合作。", task=2)
    assert [s.clause.task for s in pick_spans([first, unrelated], {"铁路": 1.0})] == [1]
    assert pick_spans([], {"铁路": 1.0}) == []


def test_pick_spans_ignores_terms_that_only_name_the_heading() -> None:
    """'测试标题里铁路的内容': 测试标题 is the clause's heading, 铁路 decides the span."""
    clause = make_clause("测试标题第一句。推进铁路建设。", heading="1.测试标题")
    (span,) = pick_spans([clause], {"测试标题": 5.0, "铁路": 1.0}, limit=1)
    assert span.text == "推进铁路建设。"


def test_cite_refuses_a_quote_that_is_not_in_the_clause(engine: Engine) -> None:
    clause = engine.index.clause_by_id["gd-pprd-2017/二/三/7/p2"]
    for quote in ["港珠澳大桥收费标准为每车次150元", "", clause.text + "。"]:
        with pytest.raises(ValueError, match="not in clause gd-pprd-2017/二/三/7/p2"):
            cite(clause, quote, 1.0)


def test_cite_of_a_task_clause(engine: Engine) -> None:
    clause = engine.index.clause_by_id["gd-pprd-2017/二/三/7/p2"]
    citation = cite(clause, "推进合浦至湛江铁路", 0.123456)
    assert citation.marker == "【任务7】"
    assert (citation.task, citation.section, citation.title) == (7, "二(三)", clause.title)
    assert citation.clause_id == clause.id
    assert citation.doc == "gd-pprd-2017"
    assert citation.lead == ("省发展改革委", "省交通运输厅")
    assert citation.participants == ("广铁集团",)
    assert citation.score == 0.1235


def test_cite_of_a_whole_section(engine: Engine) -> None:
    section = engine.catalog.sections["二(三)"]
    clause = engine.catalog.targets["7"].clauses[0]
    citation = cite(clause, clause.text[:20], 1.0, section=section)
    assert citation.marker == "【二(三)】"
    assert citation.task is None
    assert (citation.section, citation.title) == ("二(三)", "推进重大基础设施一体化建设")
    assert citation.quote == clause.text[:20]


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        # A whole sentence takes the next one while the quote stays short.
        (
            "全面实施单一窗口。探索在海关特殊监管区推广。",
            0,
            9,
            "全面实施单一窗口。探索在海关特殊监管区推广。",
        ),
        # A span that stops inside its sentence is left as it is.
        ("全面实施单一窗口，优化流程。探索推广。", 0, 9, "全面实施单一窗口，"),
        # The next sentence would make the quote too long.
        ("实施单一窗口。" + "长" * MAX_SPAN_CHARS + "。", 0, 7, "实施单一窗口。"),
        # The last sentence has nothing after it.
        ("前一句。实施单一窗口。", 4, 11, "实施单一窗口。"),
    ],
)
def test_with_next_sentences(text: str, start: int, end: int, expected: str) -> None:
    widened = with_next_sentences(Span(make_clause(text), start, end, 1.0))
    assert widened.text == expected
    assert widened.score == 1.0
