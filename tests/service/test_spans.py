"""Extractive spans and citations: quotes are always the document's own words."""

from __future__ import annotations

import re

import pytest

from indexer.tokenize import tokenize
from indexer.types import Clause, Sentence
from service.citing import cite, marker
from service.engine import Engine
from service.spans import (
    BORROWED_SHARE,
    QUOTE_LIMIT,
    best_span,
    full_sentences,
    pick_spans,
    sentence_spans,
    term_weights,
    trim_span,
)

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


def test_terms_borrowed_from_earlier_turns_weigh_less() -> None:
    idf = {"铁路": 2.0, "口岸": 3.0}
    weights = term_weights(["铁路", "口岸"], idf, borrowed={"铁路"})
    assert weights == {"铁路": 2.0 * BORROWED_SHARE, "口岸": 3.0}


def test_quotes_on_every_clause_are_verbatim_sentences_or_clause_cuts(engine: Engine) -> None:
    checked = 0
    for clause in engine.clauses:
        starts = {a for a, _ in full_sentences(clause)}
        for sentence in clause.sentences:
            # Ask for the words of each sentence in turn.
            weights = term_weights(tokenize(sentence.text)[:6], engine.idf)
            if not weights:
                continue
            for span in sentence_spans(clause, weights):
                checked += 1
                assert span.text == clause.text[span.start : span.end]
                assert 0 < len(span.text) <= QUOTE_LIMIT
                # A quote starts a sentence, or a clause where a long sentence is
                # cut, and ends a sentence or a clause.
                assert span.start in starts or clause.text[span.start - 1] in "，；："
                assert span.text[-1] in "。！？，；：、" or span.end == len(clause.text)
                found = sum(w for t, w in weights.items() if t in span.text.lower())
                assert span.score <= found + 1e-9
    assert checked > 1000


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


_LIST_280 = "加快推进" + "、".join(f"第{i:02d}号甲乙丙丁项目" for i in range(24)) + "等项目建设。"

# (clause text, question weights, the quote): whole sentences, never padded.
QUOTES = [
    # A short sentence stays as short as it is: the next one does not answer.
    (
        "第一句不相关。加快推进港珠澳大桥，完善连接港澳的交通网络。第三句讲别的。",
        {"港珠澳大桥": 1.0},
        "加快推进港珠澳大桥，完善连接港澳的交通网络。",
    ),
    # The whole sentence, not only the clause that matches: its list is the answer.
    (
        "充分发挥各类平台的作用，大力推进甲试验区、乙合作区、丙示范区等平台建设。另有一句。",
        {"平台": 1.0},
        "充分发挥各类平台的作用，大力推进甲试验区、乙合作区、丙示范区等平台建设。",
    ),
    # ； separates the items of one sentence: all of them are quoted.
    (
        "到2020年，实现以下目标：甲项基本完成；乙项深度融合；丙项共享共治。其他。",
        {"目标": 1.0},
        "到2020年，实现以下目标：甲项基本完成；乙项深度融合；丙项共享共治。",
    ),
    # A list sentence of about 280 characters is quoted whole.
    (_LIST_280 + "第二句。", {"项目建设": 1.0}, _LIST_280),
    # The next sentence joins when it answers as well ...
    (
        "全面实施铁路单一窗口。探索在铁路口岸推广单一窗口。加强医疗合作。",
        {"铁路": 1.0, "单一窗口": 1.0},
        "全面实施铁路单一窗口。探索在铁路口岸推广单一窗口。",
    ),
    # ... and not when it matches much less than the sentence it follows.
    (
        "全面实施铁路单一窗口和电子口岸。探索推广铁路经验。",
        {"铁路": 0.5, "单一窗口": 2.0, "电子口岸": 2.0},
        "全面实施铁路单一窗口和电子口岸。",
    ),
    # The sentence before joins on the same terms: "用什么做统一标识" is answered
    # before the sentence that matches best.
    (
        "加强医疗合作。以统一代码为标识，共享信用信息。统一信用标准，实现联合惩戒。",
        {"统一": 1.0, "标识": 1.0, "联合惩戒": 2.0},
        "以统一代码为标识，共享信用信息。统一信用标准，实现联合惩戒。",
    ),
]


@pytest.mark.parametrize(("text", "weights", "quote"), QUOTES)
def test_the_quote_is_the_whole_sentence_that_answers(
    text: str, weights: dict[str, float], quote: str
) -> None:
    clause = make_clause(text)
    span = best_span(clause, weights)
    assert span.text == quote
    assert span.text == clause.text[span.start : span.end]


def test_a_list_sentence_near_the_limit_is_one_quote() -> None:
    assert 270 <= len(_LIST_280) <= QUOTE_LIMIT


def test_a_long_sentence_is_cut_at_a_clause_boundary_around_its_best_window() -> None:
    segments = [f"第{i}段" + "甲乙丙丁戊己庚辛壬癸" * 2 for i in range(16)]
    text = "，".join(segments) + "。"
    assert len(text) > QUOTE_LIMIT
    clause = make_clause(text)
    span = best_span(clause, {"第9段": 2.0, "第10段": 1.0})
    assert "第9段" in span.text and "第10段" in span.text
    assert span.text == text[span.start : span.end]
    assert len(span.text) <= QUOTE_LIMIT
    assert span.score == pytest.approx(3.0)
    # Grown to the limit, the next clauses first (a list runs on): it reaches the
    # sentence's end and starts after a ，; one more clause would not fit.
    assert text[span.start - 1] == "，" and span.end == len(text)
    assert len(span.text) + len(segments[0]) + 1 > QUOTE_LIMIT
    # Matched near the start, it is cut after a ， and shown without it.
    span = best_span(clause, {"第1段": 1.0})
    assert span.start == 0 and span.text.endswith("，") and len(span.text) <= QUOTE_LIMIT
    assert trim_span(span) == span.text[:-1]


def test_one_clause_longer_than_the_limit_is_cut_after_a_list_item() -> None:
    body = "推进" + "、".join(f"甲乙丙丁{i:03d}项目" for i in range(40)) + "建设。"
    clause = make_clause("短句。" + body)
    span = best_span(clause, {"推进": 1.0})
    assert span.start == len("短句。")
    assert len(span.text) <= QUOTE_LIMIT and span.text.endswith("、")
    assert span.text == clause.text[span.start : span.end]


def test_best_span_prefers_the_earlier_sentence_on_ties() -> None:
    clause = make_clause("推进铁路建设，加快机场建设。完善港口。推进铁路改造，完善港口。")
    span = best_span(clause, {"铁路": 1.0})
    assert span.text == "推进铁路建设，加快机场建设。"


def test_best_span_of_a_clause_without_sentences() -> None:
    clause = make_clause("铁" * 400)
    clause = Clause(**{**clause.__dict__, "sentences": ()})
    span = best_span(clause, {"铁铁": 1.0})
    assert (span.start, span.end) == (0, QUOTE_LIMIT)


_PARSED = re.compile(r"[^。；]*[。；]?")


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("甲。乙；丙。", ["甲。", "乙；丙。"]),
        ("甲；乙；丙", ["甲；乙；丙"]),
        ("到2020年，实现以下目标：", ["到2020年，实现以下目标："]),
    ],
)
def test_full_sentences_end_at_a_full_stop_not_a_semicolon(text: str, sentences: list[str]) -> None:
    # The parse ends a sentence at ； too, as the document's clauses do.
    parsed = tuple(
        Sentence(m.group(0), m.start(), m.end()) for m in _PARSED.finditer(text) if m.group(0)
    )
    clause = Clause(**{**make_clause(text).__dict__, "sentences": parsed})
    assert [text[a:b] for a, b in full_sentences(clause)] == sentences


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
