"""The whole parse of the second real-genre document, eval/docs/gd-mdt-2023: another
structure (tasks straight under parts, no (一) sections, a gap in the numbering,
items inside a task, full-width numbers and notes), no 文号 anywhere, and metadata
that names only the text file. Nothing in the code knows this document."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from indexer.agencies import parse_note
from indexer.outline import inspect_json, outline_text
from indexer.parse import parse_corpus
from indexer.types import ParsedDoc

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "eval" / "docs" / "gd-mdt-2023" / "corpus"
NOTICE_TITLE = "广东省人民政府办公厅关于印发广东省加快推进制造业数字化转型工作方案的通知"
PARTS = {
    "一": "总体要求",
    "二": "推动企业数字化转型",
    "三": "夯实数字基础支撑",
    "四": "培育数字化转型生态",
    "五": "保障措施",
}
# Task 11 does not exist: the document skips from 10 to 12.
TASKS_BY_PART = {
    "二": [1, 2, 3, 4, 5, 6, 7],
    "三": [8, 9, 10, 12, 13, 14],
    "四": [15, 16, 17, 18, 19, 20, 21],
}


@pytest.fixture(scope="module")
def mdt() -> ParsedDoc:
    (doc,) = parse_corpus(CORPUS)
    return doc


def test_metadata_read_from_the_text(mdt: ParsedDoc) -> None:
    meta = mdt.meta
    assert meta.id == "gd-mdt-2023"  # from the file name
    assert meta.title == "广东省加快推进制造业数字化转型工作方案"
    assert (meta.doc_number, meta.issuer, meta.date) == (None, "广东省人民政府办公厅", "2023-06-12")


def test_outline(mdt: ParsedDoc) -> None:
    parts = {n.label: n.title for n in mdt.tree.children if n.kind == "part"}
    assert parts == PARTS
    assert len(mdt.task_titles) == 20
    assert sorted(mdt.task_titles) == [n for nums in TASKS_BY_PART.values() for n in nums]
    assert mdt.task_sections == {n: part for part, nums in TASKS_BY_PART.items() for n in nums}
    assert mdt.task_titles[1] == "开展企业数字化诊断服务"
    assert mdt.task_titles[3] == "支持中小企业“上云用数赋智”"
    assert mdt.task_titles[12] == "推动数据要素流通应用"
    assert mdt.task_titles[15] == "壮大数字化转型服务商队伍"  # numbered 15．
    titled = {code: title for code, title in mdt.section_titles.items() if title}
    assert {c.section for c in mdt.clauses} <= set(mdt.section_titles)
    assert titled == {
        "通知": NOTICE_TITLE,
        "一": "总体要求",
        # Parts that hold their tasks directly are cited by their own title.
        "二": "推动企业数字化转型",
        "三": "夯实数字基础支撑",
        "四": "培育数字化转型生态",
        "五(一)": "加强统筹协调",
        "五(二)": "加大财政支持",
        "五(三)": "强化监测评估",
    }


def test_gap_in_numbering_is_kept_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="indexer.structure"):
        parse_corpus(CORPUS)
    assert "skips from 10 to 12" in caplog.text


def test_clause_ids_items_and_topics(mdt: ParsedDoc) -> None:
    ids = [c.id for c in mdt.clauses]
    assert len(ids) == len(set(ids)) == 32
    assert ids[:3] == ["gd-mdt-2023/通知/p1", "gd-mdt-2023/通知/落款", "gd-mdt-2023/引言/p1"]
    assert "gd-mdt-2023/二/3/(2)/p1" in ids
    assert ids[-1] == "gd-mdt-2023/五/三/p1"
    by_id = {c.id: c for c in mdt.clauses}
    # No 文号: the sign-off holds the signature and the date only.
    assert by_id["gd-mdt-2023/通知/落款"].text.splitlines() == [
        "广东省人民政府办公厅",
        "2023年6月12日",
    ]
    item = by_id["gd-mdt-2023/二/3/(2)/p1"]
    assert (item.task, item.section, item.title) == (3, "二", "支持中小企业“上云用数赋智”")
    assert item.heading_path[-1] == "(2)推广“小快轻准”解决方案"
    topics = [c.topic for c in mdt.clauses if c.task == 6]
    assert topics == ["电子信息方面", "装备制造方面", "消费品方面"]


@pytest.mark.parametrize(
    ("clause_id", "lead", "participants"),
    [
        (
            "gd-mdt-2023/二/1/p1",
            ("省工业和信息化厅",),
            ("省财政厅", "各地级以上市人民政府"),
        ),
        # No 牵头: both departments share the work; the cities implement.
        (
            "gd-mdt-2023/二/5/p1",
            (),
            ("省科技厅", "省工业和信息化厅", "各地级以上市人民政府"),
        ),
        # 市场监管局 after 省商务厅 is a 省 department, not a 市-level one.
        ("gd-mdt-2023/二/6/p3", ("省工业和信息化厅",), ("省商务厅", "省市场监管局")),
        # A full-width note.
        (
            "gd-mdt-2023/三/8/p1",
            ("省通信管理局",),
            ("中国电信广东公司", "中国移动广东公司", "中国联通广东省分公司"),
        ),
        ("gd-mdt-2023/三/12/p1", ("省政务服务数据管理局",), ("省工业和信息化厅", "省发展改革委")),
        ("gd-mdt-2023/四/16/p1", ("省地方金融监管局",), ("人民银行广州分行", "广东银保监局")),
        ("gd-mdt-2023/四/17/p1", ("省人力资源社会保障厅",), ("省教育厅", "省工业和信息化厅")),
        ("gd-mdt-2023/四/21/p1", (), ("各地级以上市人民政府",)),
        ("gd-mdt-2023/五/二/p1", (), ("省财政厅", "省工业和信息化厅", "各地级以上市人民政府")),
    ],
)
def test_notes(
    mdt: ParsedDoc, clause_id: str, lead: tuple[str, ...], participants: tuple[str, ...]
) -> None:
    clause = next(c for c in mdt.clauses if c.id == clause_id)
    assert (clause.lead, clause.participants) == (lead, participants)


def test_every_note_names_clean_agencies(mdt: ParsedDoc) -> None:
    noted = [c for c in mdt.clauses if c.note]
    assert len(noted) == 23  # one per task, one per 保障措施 section
    verbs = ("牵头", "负责", "落实", "配合", "参与", "会同", "指导")
    for clause in noted:
        assert clause.lead or clause.participants, clause.id
        for name in clause.lead + clause.participants:
            assert not any(verb in name for verb in verbs), (clause.id, name)
            assert not name.endswith("等"), (clause.id, name)
        roles = dict(parse_note(clause.note or "").roles)
        assert set(roles) == set(clause.lead + clause.participants)
    implementers = {
        name
        for c in noted
        for name, role in parse_note(c.note or "").roles
        if role == "implementer"
    }
    assert implementers == {"各地级以上市人民政府"}


def test_inspect_views(mdt: ParsedDoc) -> None:
    (doc,) = inspect_json([mdt])["documents"]
    assert (doc["doc_number"], doc["date"]) == (None, "2023-06-12")
    assert doc["notice"]["doc_number"] is None
    assert [t["number"] for t in doc["tasks"]][9:11] == [10, 12]
    text = outline_text([mdt])
    assert "任务4 推进产业集群数字化转型 (1 段; 牵头: 省工业和信息化厅、省发展改革委)" in text
    assert "共 32 条款, 20 项任务" in text
