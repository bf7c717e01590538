"""Clauses from the heading tree (indexer.clauses): ids, codes, titles, sentences, damage."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.clauses import build_clauses, link_mojibake
from indexer.structure import parse_structure
from indexer.types import Clause, CleanDoc, CleanReport, DocMeta, MojibakeSpan

TEXT = """
测试省人民政府关于印发测试省
区域合作实施意见的通知
测府〔2017〕8号
各地级以上市人民政府：
现将《测试省区域合作实施意见》印发给你们，请认真贯彻执行。
测试省人民政府
2017年1月20日
测试省区域合作实施意见
为深入贯彻落实有关要求，制定本实施意见。
一、总体要求
(一)战略定位。
——深化合作排头兵。进一步增强大局意识。
(二)合作目标。
到2020年，区域合作格局基本形成?;浉郯拇。
二、主要任务
(一)推进基础设施建设。
1.共建现代化综合交通运输体系。加强互联互通，构建“安全、低碳”的体系。完善规则；建设枢纽。(省发展改革委、交通运输厅牵头)
铁路方面。共同推进铁路项目建设。推进客专建设。(省发展改革委、交通运输厅牵头，广铁集团等按职责分工负责)
航空方面。
三、保障措施
(一)加强统筹协调。
充分发挥协调作用，推进区域合作。(省发展改革委牵头)
"""

SPANS = (
    MojibakeSpan(raw="?;浉郯拇", repaired=None, kept="?;浉郯拇"),
    MojibakeSpan(raw="鍏变", repaired="共同", kept="共同推进铁路"),
)


@pytest.fixture(scope="module")
def doc() -> CleanDoc:
    meta = DocMeta("t-doc", "测试省区域合作实施意见", "测府〔2017〕8号", "测试省人民政府",
                   "2017-01-20", Path("t.txt"))  # fmt: skip
    return CleanDoc(meta=meta, text=TEXT.strip(), report=CleanReport(3, 2, mojibake=SPANS))


@pytest.fixture(scope="module")
def clauses(doc: CleanDoc) -> dict[str, Clause]:
    return {c.id: c for c in build_clauses(doc, parse_structure(doc))}


def test_ids_follow_the_structure(clauses: dict[str, Clause]) -> None:
    assert list(clauses) == [
        "t-doc/通知/p1",
        "t-doc/通知/落款",
        "t-doc/引言/p1",
        "t-doc/一/一/p1",
        "t-doc/一/二/p1",
        "t-doc/二/一/1/p1",
        "t-doc/二/一/1/p2",
        "t-doc/二/一/1/p3",
        "t-doc/三/一/p1",
    ]


@pytest.mark.parametrize(
    ("cid", "section", "task", "title", "heading_path"),
    [
        ("t-doc/通知/p1", "通知", None, "测试省人民政府关于印发测试省区域合作实施意见的通知",
         ("测试省人民政府关于印发测试省区域合作实施意见的通知",)),
        ("t-doc/引言/p1", "通知", None, "测试省区域合作实施意见", ("测试省区域合作实施意见",)),
        ("t-doc/一/一/p1", "一(一)", None, "战略定位", ("一、总体要求", "(一)战略定位")),
        ("t-doc/二/一/1/p2", "二(一)", 1, "共建现代化综合交通运输体系",
         ("二、主要任务", "(一)推进基础设施建设", "1.共建现代化综合交通运输体系")),
        ("t-doc/三/一/p1", "三(一)", None, "加强统筹协调", ("三、保障措施", "(一)加强统筹协调")),
    ],
)  # fmt: skip
def test_citation_fields(
    clauses: dict[str, Clause],
    cid: str,
    section: str,
    task: int | None,
    title: str,
    heading_path: tuple[str, ...],
) -> None:
    c = clauses[cid]
    assert (c.doc_id, c.section, c.task, c.title, c.heading_path) == (
        "t-doc",
        section,
        task,
        title,
        heading_path,
    )


def test_task_paragraph_excludes_its_title_and_keeps_its_note(clauses: dict[str, Clause]) -> None:
    c = clauses["t-doc/二/一/1/p1"]
    assert c.text == (
        "加强互联互通，构建“安全、低碳”的体系。完善规则；建设枢纽。(省发展改革委、交通运输厅牵头)"
    )
    assert [s.text for s in c.sentences] == [
        "加强互联互通，构建“安全、低碳”的体系。",
        "完善规则；",
        "建设枢纽。",
    ]
    assert c.note == "(省发展改革委、交通运输厅牵头)"
    assert (c.lead, c.participants, c.topic) == (("省发展改革委", "省交通运输厅"), (), None)


def test_sentence_offsets_index_the_text(clauses: dict[str, Clause]) -> None:
    for c in clauses.values():
        for s in c.sentences:
            assert c.text[s.start : s.end] == s.text
        # The note is never part of a sentence.
        if c.note:
            assert all(c.note not in s.text for s in c.sentences)
            assert c.text.endswith(c.note)


def test_topic_lead_in_joins_the_first_sentence(clauses: dict[str, Clause]) -> None:
    rail = clauses["t-doc/二/一/1/p2"]
    assert rail.topic == "铁路方面"
    assert [s.text for s in rail.sentences] == [
        "铁路方面。共同推进铁路项目建设。",
        "推进客专建设。",
    ]
    assert (rail.lead, rail.participants) == (("省发展改革委", "省交通运输厅"), ("广铁集团",))
    # A lead-in with nothing after it is still the paragraph.
    air = clauses["t-doc/二/一/1/p3"]
    assert (air.topic, air.text, [s.text for s in air.sentences]) == (
        "航空方面",
        "航空方面。",
        ["航空方面。"],
    )
    assert clauses["t-doc/一/一/p1"].topic == "深化合作排头兵"


def test_unrepaired_mojibake_damages_its_clause(clauses: dict[str, Clause]) -> None:
    damaged = [cid for cid, c in clauses.items() if c.damaged]
    # The repaired span (共同推进铁路) does not damage t-doc/二/一/1/p2.
    assert damaged == ["t-doc/一/二/p1"]


def test_link_mojibake_names_the_clause(doc: CleanDoc, clauses: dict[str, Clause]) -> None:
    report = link_mojibake(doc, tuple(clauses.values()))
    assert [m.clause for m in report.mojibake] == ["t-doc/一/二/p1", "t-doc/二/一/1/p2"]
    assert (report.pinyin_notes_removed, report.boilerplate_lines_removed) == (3, 2)


def test_span_missing_from_text_is_reported_not_raised(doc: CleanDoc) -> None:
    lost = CleanDoc(
        doc.meta, doc.text, CleanReport(0, 0, mojibake=(MojibakeSpan("x", None, "不存在的片段"),))
    )
    clauses = build_clauses(lost, parse_structure(lost))
    assert not any(c.damaged for c in clauses)
    assert link_mojibake(lost, clauses).mojibake[0].clause is None


def test_items_and_parts_without_sections() -> None:
    text = """测试方案
一、目标
目标内容。
二、任务
(一)建设。
(1)改造道路。年内完成。
补充说明。
(2)车道。"""
    meta = DocMeta("gz", "测试方案", "", "", "", Path("gz.txt"))
    doc = CleanDoc(meta, text, CleanReport(0, 0))
    got = [
        (c.id, c.section, c.task, c.title, c.heading_path[-1])
        for c in build_clauses(doc, parse_structure(doc))
    ]
    assert got == [
        ("gz/一/p1", "一", None, "目标", "一、目标"),
        ("gz/二/一/(1)/p1", "二(一)", None, "建设", "(1)改造道路"),
        ("gz/二/一/(1)/p2", "二(一)", None, "建设", "(1)改造道路"),
    ]  # (2) has no paragraph of its own, so no clause
