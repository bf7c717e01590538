"""Heading tree of cleaned text (indexer.structure): rule tables and small documents."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from indexer.errors import ParseError
from indexer.structure import (
    heading_text,
    match_heading,
    parse_structure,
    sentence_spans,
    split_first_sentence,
    split_topic,
    to_int,
)
from indexer.types import CleanDoc, CleanReport, DocMeta, Node


def make_doc(text: str, doc_id: str = "t-doc", title: str = "测试实施方案") -> CleanDoc:
    meta = DocMeta(doc_id, title, "测〔2020〕1号", "测试市人民政府", "2020-01-01", Path("t.txt"))
    return CleanDoc(meta=meta, text=text.strip(), report=CleanReport(0, 0))


def kids(node: Node, kind: str) -> list[Node]:
    return [c for c in node.children if c.kind == kind]


@pytest.mark.parametrize(
    ("line", "kind", "label", "rest"),
    [
        ("一、总体要求", "part", "一", "总体要求"),
        ("十二、其他事项", "part", "十二", "其他事项"),
        ("(一)指导思想。", "section", "一", "指导思想。"),
        ("（三）合作目标。", "section", "三", "合作目标。"),
        ("(八)深化粤港澳合作。", "section", "八", "深化粤港澳合作。"),
        ("1.优化区域经济发展格局。共同编制", "task", "1", "优化区域经济发展格局。共同编制"),
        ("12．加强信息设施互联互通。", "task", "12", "加强信息设施互联互通。"),
        ("3、引导产业有序合作。", "task", "3", "引导产业有序合作。"),
        ("30. 开展多层次合作交流。", "task", "30", "开展多层次合作交流。"),
        ("(1)推进站城一体化开发。", "item", "1", "推进站城一体化开发。"),
        ("（2）完善接驳设施。", "item", "2", "完善接驳设施。"),
        ("第一章 总则", "chapter", "一", "总则"),
        ("第十二条　本办法自印发之日起施行。", "article", "十二", "本办法自印发之日起施行。"),
    ],
)
def test_heading_lines(line: str, kind: str, label: str, rest: str) -> None:
    found = match_heading(line)
    assert found is not None
    rule, got_label, got_rest = found
    assert (rule.kind, got_label, got_rest) == (kind, label, rest)


@pytest.mark.parametrize(
    "line",
    [
        "2020年底前，完成专项规划编制。",
        "2017年1月20日",
        "2020年左右，实现以下合作目标：",
        "9+2各方合作进一步深化。",
        "±800千伏特高压直流输电工程开工建设。",
        "(2016-2020)期间重点推进的项目。",
        "1304号文件明确的任务继续推进。",
        "2.5亿元资金用于示范项目。",
        "1、2号线沿线更新项目先行试点。",
        "3号线、5号线沿线更新项目先行试点。",
        "一、二类口岸同步开放。",
        "一、二期工程同步建设。",
        "(一带一路)沿线合作。",
        "——深化合作排头兵。进一步增强大局意识。",
        "(CEPA)框架下深化合作。",
        "第一批项目年内开工。",
        "广东省人民政府",
    ],
)
def test_not_heading_lines(line: str) -> None:
    assert match_heading(line) is None


@pytest.mark.parametrize(
    ("num", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十一", 21),
        ("一百零五", 105),
        ("07", 7),
    ],
)
def test_to_int(num: str, value: int) -> None:
    assert to_int(num) == value


@pytest.mark.parametrize(
    ("text", "title", "rest"),
    [
        (
            "优化区域经济发展格局。共同编制实施规划。",
            "优化区域经济发展格局",
            "共同编制实施规划。",
        ),
        ("指导思想。", "指导思想", ""),
        ("总体要求", "总体要求", ""),
        ("积极融入“一带一路”建设。积极参与。", "积极融入“一带一路”建设", "积极参与。"),
        # A sentence end inside quotes or brackets does not end the title.
        ("坚持“稳中求进。”总基调。其余内容", "坚持“稳中求进。”总基调", "其余内容"),
        ("落实《规划(2016-2020年。)》要求。推进", "落实《规划(2016-2020年。)》要求", "推进"),
    ],
)
def test_split_first_sentence(text: str, title: str, rest: str) -> None:
    assert split_first_sentence(text) == (title, rest)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("甲。乙！丙？丁；戊", ["甲。", "乙！", "丙？", "丁；", "戊"]),
        ("打通“断头路”、“瓶颈路”。加快建设。", ["打通“断头路”、“瓶颈路”。", "加快建设。"]),
        ("实施《计划(2016-2020)》。完善机制。", ["实施《计划(2016-2020)》。", "完善机制。"]),
        ("坚持“一处失信。处处受限”原则。", ["坚持“一处失信。处处受限”原则。"]),
        ("", []),
    ],
)
def test_sentence_spans(text: str, sentences: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_spans(text)] == sentences


@pytest.mark.parametrize(
    ("text", "topic", "rest"),
    [
        ("铁路方面。共同推进项目建设。", "铁路方面", "共同推进项目建设。"),
        ("港口航运方面。优化港口布局。", "港口航运方面", "优化港口布局。"),
        ("——深化合作排头兵。进一步增强大局意识。", "深化合作排头兵", "进一步增强大局意识。"),
        (
            "加强与泛珠合作各方交通基础设施互联互通。",
            None,
            "加强与泛珠合作各方交通基础设施互联互通。",
        ),
        ("在体制改革、对外开放、创新发展方面进一步增强作用。", None, None),
    ],
)
def test_split_topic(text: str, topic: str | None, rest: str | None) -> None:
    assert split_topic(text) == (topic, text if rest is None else rest)


NOTICE_DOC = """
广东省人民政府关于印发测试省深化
区域合作实施意见的通知
粤府〔2017〕8号
各地级以上市人民政府，省政府各部门：
现将《测试省深化区域合作实施意见》印发给你们，请认真贯彻执行。
广东省人民政府
2017年1月20日
测试省深化区域合作实施意见
为深入贯彻落实有关要求，推动“9+2”各方合作，制定本实施意见。
一、总体要求
(一)指导思想。
全面贯彻落实有关精神。
(二)合作目标。
到2020年左右，实现以下合作目标：
——紧密合作格局基本形成。区域合作建设目标初步实现。
二、主要任务
(一)深化区域经济合作发展。
1.优化区域经济发展格局。共同编制实施规划。(省发展改革委牵头)
加快发展珠江-西江经济带。
2.共同培育先进产业集群。
推动先进装备制造产业带建设。
(二)推进重大基础设施一体化建设。
3.共建现代化综合交通运输体系。加强互联互通。
铁路方面。共同推进区域内铁路项目建设。
±800千伏特高压工程加快建设。
"""


def test_notice_document_tree() -> None:
    tree = parse_structure(make_doc(NOTICE_DOC))
    assert tree.kind == "document"
    assert tree.title == "测试省深化区域合作实施意见"
    assert [c.kind for c in tree.children] == ["notice", "preamble", "part", "part"]
    notice = tree.children[0]
    assert notice.title == "广东省人民政府关于印发测试省深化区域合作实施意见的通知"
    fields = {c.label: c.text for c in kids(notice, "field")}
    assert fields == {
        "文号": "粤府〔2017〕8号",
        "主送": "各地级以上市人民政府，省政府各部门",
        "签署": "广东省人民政府",
        "日期": "2017年1月20日",
    }
    assert [p.text for p in kids(notice, "paragraph")] == [
        "现将《测试省深化区域合作实施意见》印发给你们，请认真贯彻执行。"
    ]
    assert kids(tree.children[1], "paragraph")[0].text.startswith("为深入贯彻落实")

    part1, part2 = kids(tree, "part")
    assert (part1.label, part1.title) == ("一", "总体要求")
    assert [(s.label, s.title) for s in kids(part1, "section")] == [
        ("一", "指导思想"),
        ("二", "合作目标"),
    ]
    goals = kids(part1, "section")[1]
    assert [p.title for p in kids(goals, "paragraph")] == ["", "紧密合作格局基本形成"]

    tasks = [t for s in kids(part2, "section") for t in kids(s, "task")]
    assert [(t.label, t.title) for t in tasks] == [
        ("1", "优化区域经济发展格局"),
        ("2", "共同培育先进产业集群"),
        ("3", "共建现代化综合交通运输体系"),
    ]
    # The heading sentence is the title; the rest of its line is the first paragraph.
    assert [p.text for p in kids(tasks[0], "paragraph")] == [
        "共同编制实施规划。(省发展改革委牵头)",
        "加快发展珠江-西江经济带。",
    ]
    assert [p.label for p in kids(tasks[1], "paragraph")] == ["p1"]
    rail = kids(tasks[2], "paragraph")
    assert [(p.label, p.title) for p in rail] == [("p1", ""), ("p2", "铁路方面"), ("p3", "")]
    assert rail[2].text.startswith("±800千伏")


def test_document_without_notice() -> None:
    text = """
    测试区推进绿色发展工作方案
    测区办〔2020〕3号
    为推进绿色发展，制定本方案。
    一、工作目标
    2020年底前，完成规划编制。
    二、重点工作
    (一)建设慢行系统。
    (1)改造人行道。年内完成。
    (2)建设自行车道。
    """
    tree = parse_structure(make_doc("\n".join(ln.strip() for ln in text.splitlines())))
    assert [c.kind for c in tree.children] == ["preamble", "part", "part"]
    assert tree.title == "测试区推进绿色发展工作方案"
    goals = tree.children[1]
    assert [p.text for p in kids(goals, "paragraph")] == ["2020年底前，完成规划编制。"]
    section = kids(tree.children[2], "section")[0]
    items = kids(section, "item")
    assert [(i.label, i.title) for i in items] == [("1", "改造人行道"), ("2", "建设自行车道")]
    assert heading_text(items[0]) == "(1)改造人行道"


def test_title_repeated_on_one_line_and_split_counts_once() -> None:
    text = """
测试市人民政府关于印发测试方案的通知
测试市人民政府关于印发
测试方案的通知
各区人民政府：
现将《测试方案》印发给你们。
测试市人民政府
2019年5月8日
一、工作目标
目标内容。
"""
    notice = parse_structure(make_doc(text)).children[0]
    assert notice.title == "测试市人民政府关于印发测试方案的通知"


def test_out_of_sequence_number_stays_text(caplog: pytest.LogCaptureFixture) -> None:
    text = "一、总体要求\n(一)目标。\n内容。\n(一)重复的编号。\n二、任务\n1.任务一。\n1.重复任务。"
    with caplog.at_level(logging.WARNING, logger="indexer.structure"):
        tree = parse_structure(make_doc(text))
    part1, part2 = kids(tree, "part")
    assert len(kids(part1, "section")) == 1
    assert [p.text for p in kids(kids(part1, "section")[0], "paragraph")] == [
        "内容。",
        "(一)重复的编号。",
    ]
    assert len(kids(part2, "task")) == 1
    assert "out of sequence" in caplog.text


def test_a_numbering_starts_at_one() -> None:
    # A stray "7." before any task 1 is text, so it cannot invent a task.
    tree = parse_structure(make_doc("一、总体要求\n7.这一行不是任务。\n1.第一项任务。"))
    part = kids(tree, "part")[0]
    assert [p.text for p in kids(part, "paragraph")] == ["7.这一行不是任务。"]
    assert [t.label for t in kids(part, "task")] == ["1"]


def test_regulation_chapters_and_articles() -> None:
    text = (
        "测试管理办法\n第一章 总则\n第一条 为规范管理，制定本办法。\n"
        "第二条 本办法适用于全市。\n第二章 附则\n第三条 本办法自印发之日起施行。"
    )
    tree = parse_structure(make_doc(text))
    chapters = kids(tree, "chapter")
    assert [(c.label, c.title) for c in chapters] == [("一", "总则"), ("二", "附则")]
    articles = kids(chapters[0], "article")
    assert [a.label for a in articles] == ["一", "二"]
    assert kids(articles[0], "paragraph")[0].text == "为规范管理，制定本办法。"
    assert heading_text(chapters[0]) == "第一章 总则"


@pytest.mark.parametrize(
    "text",
    [
        "测试文件\n这是一段没有任何编号标题的文字。\n又一段文字，2020年完成。",
        "2017年1月20日\n广东省人民政府",
        "9+2合作。\n±800千伏工程。\n1304号文件。",
    ],
)
def test_no_structure_raises_parse_error_naming_the_document(text: str) -> None:
    with pytest.raises(ParseError, match=r"t\.txt \(t-doc\): no numbered headings"):
        parse_structure(make_doc(text))
