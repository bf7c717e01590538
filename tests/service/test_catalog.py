"""The structure tables of the real document, checked against the parser's own report.

Expected facts come from ``policyqa inspect --json`` (``indexer.outline.inspect_json``
over a fresh parse of the corpus), so the catalog built from the *indexed* clauses is
compared with an independent path through the parser.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from indexer.expand import query_tokens
from indexer.outline import inspect_json
from indexer.parse import parse_corpus
from service.catalog import Catalog, target_key
from service.engine import Engine

FREE_SECTIONS = ["通知", "一(一)", "一(二)", "一(三)", "三(一)", "三(二)", "三(三)", "三(四)"]


@pytest.fixture(scope="module")
def catalog(engine: Engine) -> Catalog:
    return engine.catalog


@pytest.fixture(scope="module")
def inspected(corpus_dir: Path) -> dict[str, Any]:
    (doc,) = inspect_json(parse_corpus(corpus_dir))["documents"]
    return doc


def test_targets_are_30_tasks_and_the_sections_without_tasks(catalog: Catalog) -> None:
    tasks = [k for k in catalog.targets if k.isdigit()]
    assert tasks == [str(n) for n in range(1, 31)]
    assert [k for k in catalog.targets if not k.isdigit()] == FREE_SECTIONS
    assert catalog.task_numbers == list(range(1, 31))
    for key in tasks:
        target = catalog.targets[key]
        assert target.task == int(key)
        assert all(c.task == int(key) for c in target.clauses)
    for key in FREE_SECTIONS:
        target = catalog.targets[key]
        assert target.task is None
        assert target.section == key
        assert all(target_key(c) == key for c in target.clauses)


def test_every_clause_belongs_to_exactly_one_target(engine: Engine, catalog: Catalog) -> None:
    grouped = [c.id for t in catalog.targets.values() for c in t.clauses]
    assert sorted(grouped) == sorted(c.id for c in engine.clauses)
    assert len(grouped) == len(set(grouped)) == 65


def test_tasks_match_the_inspect_report(catalog: Catalog, inspected: dict[str, Any]) -> None:
    assert len(inspected["tasks"]) == 30
    for task in inspected["tasks"]:
        target = catalog.targets[str(task["number"])]
        assert (target.title, target.section) == (task["title"], task["section"])
        assert [c.id for c in target.clauses] == [c["id"] for c in task["clauses"]]


def test_parts(catalog: Catalog, inspected: dict[str, Any]) -> None:
    assert catalog.parts == {"一": "总体要求", "二": "主要任务", "三": "保障措施"}
    assert catalog.parts == {p["code"]: p["title"] for p in inspected["parts"]}


@pytest.mark.parametrize(
    ("code", "part", "title", "tasks"),
    [
        ("一(一)", "一", "指导思想", ()),
        ("一(二)", "一", "战略定位", ()),
        ("一(三)", "一", "合作目标", ()),
        ("二(一)", "二", "深化区域经济合作发展", (1, 2, 3)),
        ("二(二)", "二", "大力推进统一市场建设", (4, 5, 6)),
        ("二(三)", "二", "推进重大基础设施一体化建设", (7, 8, 9, 10)),
        ("二(四)", "二", "促进区域创新驱动发展", (11, 12)),
        ("二(五)", "二", "加强社会事业领域合作", (13, 14, 15, 16, 17, 18)),
        ("二(六)", "二", "共同培育对外开放新优势", (19, 20, 21)),
        ("二(七)", "二", "协同推进生态文明建设", (22, 23, 24, 25)),
        ("二(八)", "二", "深化粤港澳合作", (26, 27, 28, 29, 30)),
        ("三(一)", "三", "加强统筹协调", ()),
        ("三(二)", "三", "创新合作机制", ()),
        ("三(三)", "三", "建立合作资金支持机制", ()),
        ("三(四)", "三", "强化督促落实", ()),
    ],
)
def test_sections(catalog: Catalog, code: str, part: str, title: str, tasks: tuple) -> None:
    section = catalog.sections[code]
    assert (section.code, section.part, section.title, section.tasks) == (code, part, title, tasks)


def test_sections_match_the_inspect_report(catalog: Catalog, inspected: dict[str, Any]) -> None:
    reported = {s["code"]: s for s in inspected["sections"] if s["code"] != "通知"}
    assert set(catalog.sections) == set(reported)
    for code, section in catalog.sections.items():
        assert section.title == reported[code]["title"]
        assert list(section.tasks) == reported[code]["tasks"]


@pytest.mark.parametrize(("part", "count"), [("一", 3), ("二", 8), ("三", 4), ("四", 0)])
def test_sections_of_part_in_document_order(catalog: Catalog, part: str, count: int) -> None:
    codes = [s.code for s in catalog.sections_of_part(part)]
    assert len(codes) == count
    assert codes == sorted(codes, key=list(catalog.sections).index)
    assert all(code.startswith(part + "(") for code in codes)


@pytest.mark.parametrize(
    ("agency", "keys"),
    [
        ("省旅游局", ["17", "27"]),
        ("省环境保护厅", ["22", "23", "24", "25"]),
        ("省交通运输厅", ["7", "19", "26"]),
        ("省商务厅", ["3", "19", "27"]),
        ("水利部珠江水利委员会", ["9"]),
        ("省港澳办", ["30"]),
        (
            "省发展改革委",
            [
                "1",
                "2",
                "3",
                "5",
                "7",
                "8",
                "19",
                "26",
                "28",
                "三(一)",
                "三(二)",
                "三(三)",
                "三(四)",
            ],
        ),
    ],
)
def test_lead_of(catalog: Catalog, agency: str, keys: list[str]) -> None:
    assert catalog.lead_of[agency] == keys


@pytest.mark.parametrize(
    ("agency", "keys"),
    [
        ("广铁集团", ["7", "26"]),
        ("省总工会", ["15", "18"]),
        ("省口岸办", ["6", "26", "27"]),
        ("深圳机场集团", ["7", "26"]),
        ("省编办", ["三(一)"]),
    ],
)
def test_participant_of(catalog: Catalog, agency: str, keys: list[str]) -> None:
    assert catalog.participant_of[agency] == keys


def test_lead_of_agrees_with_the_task_leads_in_the_inspect_report(
    catalog: Catalog, inspected: dict[str, Any]
) -> None:
    from_report = {(name, str(t["number"])) for t in inspected["tasks"] for name in t["lead"]}
    from_catalog = {(n, k) for n, keys in catalog.lead_of.items() for k in keys if k.isdigit()}
    assert from_catalog == from_report


def test_tasks_without_a_lead_agency(catalog: Catalog, inspected: dict[str, Any]) -> None:
    """Tasks 6, 12, 18 and 29 name only agencies 'by their duties', no lead."""
    led = {k for keys in catalog.lead_of.values() for k in keys if k.isdigit()}
    assert sorted(set(catalog.targets) - led - set(FREE_SECTIONS), key=int) == [
        "6",
        "12",
        "18",
        "29",
    ]
    assert [t["number"] for t in inspected["tasks"] if not t["lead"]] == [6, 12, 18, 29]


@pytest.mark.parametrize(
    ("question", "agency"),
    [
        ("省旅游局牵头哪些任务？", "省旅游局"),
        ("旅游局牵头哪些任务？", "省旅游局"),
        ("环境保护厅负责几项", "省环境保护厅"),
        ("环保厅牵头哪些任务？", "省环境保护厅"),
        ("发改委牵头的主要任务有哪些？", "省发展改革委"),
        ("交通厅牵头的有哪几条？", "省交通运输厅"),
        ("人社厅参与哪些任务", "省人力资源社会保障厅"),
        ("水利厅牵头什么", "省水利厅"),
        ("深圳机场集团有份的任务", "深圳机场集团"),
        ("广铁集团在哪些任务里有分工？", "广铁集团"),
        ("港珠澳大桥什么时候建成？", None),
        ("铁路项目由谁牵头？", None),
    ],
)
def test_find_agencies_after_abbreviation_expansion(
    engine: Engine,
    catalog: Catalog,
    question: str,
    agency: str | None,
) -> None:
    expanded = engine.expand(question, query_tokens(question))
    assert catalog.find_agencies(expanded) == ([agency] if agency else [])


@pytest.mark.parametrize(
    ("question", "agencies"),
    [
        ("金融办和司法厅有没有份？", ["省金融办", "省司法厅"]),
        ("司法厅和金融办有没有份？", ["省司法厅", "省金融办"]),
        # A longer name is one agency, not also the shorter names inside it.
        ("省发展改革委牵头的", ["省发展改革委"]),
    ],
)
def test_find_agencies_in_the_order_named(
    catalog: Catalog, question: str, agencies: list[str]
) -> None:
    assert catalog.find_agencies(question) == agencies


@pytest.mark.parametrize(
    ("question", "agency"),
    [
        ("环保厅牵头哪些任务？", None),  # the abbreviation alone is not a name …
        ("发改委牵头哪些任务？", None),
        ("旅游局牵头哪些任务？", "省旅游局"),  # … but the 省-less name is
        ("省水利厅", "省水利厅"),
    ],
)
def test_find_agencies_needs_expanded_text_for_abbreviations(
    catalog: Catalog, question: str, agency: str | None
) -> None:
    assert catalog.find_agencies(question) == ([agency] if agency else [])


@pytest.mark.parametrize(
    ("fragment", "names"),
    [
        ("机场集团", ["深圳机场集团", "省机场管理集团"]),
        ("检验检疫局", ["广东出入境检验检疫局", "深圳出入境检验检疫局", "珠海出入境检验检疫局"]),
        ("珠江水利委员会", ["水利部珠江水利委员会"]),
        ("不存在的局", []),
    ],
)
def test_find_agencies_like(catalog: Catalog, fragment: str, names: list[str]) -> None:
    assert catalog.find_agencies_like(fragment) == names


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("基础设施一体化", "二(三)"),
        ("重大基础设施一体化那块有几条？", "二(三)"),
        ("生态文明那块有几条任务？", "二(七)"),
        ("粤港澳合作那部分包含几条？", "二(八)"),
        ("社会事业合作一共几条任务？", "二(五)"),
        ("统一市场建设", "二(二)"),
        ("铁路项目", None),
        ("港珠澳大桥", None),
    ],
)
def test_find_section(catalog: Catalog, text: str, code: str | None) -> None:
    assert catalog.find_section(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # One word of one title names that section when the question names an area …
        ("生态那部分大概讲了啥", "二(七)"),
        ("粤港那块讲了什么", "二(八)"),
        # … but not when the words point at two sections (市场 二(二), 一体化 二(三)).
        ("市场一体化那一大块包括哪些任务？", None),
        ("铁路那块讲了什么", None),
    ],
)
def test_find_section_by_one_title_word(catalog: Catalog, text: str, code: str | None) -> None:
    assert catalog.find_section(text, by_word=True) == code
    assert catalog.find_section(text) in (None, code)


def test_find_section_with_abbreviation_expanded(engine: Engine, catalog: Catalog) -> None:
    """The docstring's own example: 基建一体化那块 → 二(三), once 基建 is spelled out."""
    question = "基建一体化那块有几条？"
    assert catalog.find_section(engine.expand(question, query_tokens(question))) == "二(三)"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("广东的战略定位有哪些？", "一(二)"),
        ("合作目标是什么", "一(三)"),
        ("指导思想讲了什么", "一(一)"),
        ("加强统筹协调包括什么", "三(一)"),
        ("推进重大基础设施一体化建设有哪些任务", None),  # a section with tasks
        ("铁路项目", None),
    ],
)
def test_section_named(catalog: Catalog, text: str, code: str | None) -> None:
    assert catalog.section_named(text) == code


def test_catalog_of_the_small_document(small_index: Path) -> None:
    """A document without numbered tasks: every target is a section."""
    from indexer.store import load_index

    catalog = Catalog(load_index(small_index).clauses)
    assert catalog.task_numbers == []
    assert all(t.task is None for t in catalog.targets.values())
    assert "市水务局" in catalog.lead_of


@pytest.mark.parametrize(
    ("title", "part"),
    [("总体要求", "一"), ("主要任务", "二"), ("保障措施", "三"), ("重点任务", None)],
)
def test_parts_are_found_by_their_own_titles(
    catalog: Catalog, title: str, part: str | None
) -> None:
    assert catalog.part_titled(title) == part


def test_the_roles_of_parts_are_read_off_the_structure(catalog: Catalog) -> None:
    assert catalog.task_parts == ("二",) and catalog.task_part == "二"
    assert catalog.measures_part == "三"
    assert [catalog.part_of(k) for k in ("7", "二(三)", "三(一)", "一(二)", "二")] == [
        "二",
        "二",
        "三",
        "一",
        "二",
    ]


def test_a_work_plan_numbers_its_tasks_in_another_part(tmp_path: Path) -> None:
    """gd-mdt-2023 (a 工作方案): tasks numbered 1. 2. … right under 二、; no part is
    assumed to be the one with the tasks."""
    from indexer.parse import parse_corpus

    root = Path(__file__).resolve().parents[2]
    (doc,) = parse_corpus(root / "eval" / "docs" / "gd-mdt-2023" / "corpus")
    catalog = Catalog(doc.clauses)
    assert catalog.task_parts == ("二", "三", "四") and catalog.task_part is None
    assert catalog.part_of("1") == "二" and catalog.part_of(str(catalog.task_numbers[-1])) == "四"
    assert catalog.measures_part == "五" and catalog.parts["五"] == "保障措施"


def test_task_groups_are_read_off_the_structure() -> None:
    """Where the tasks sit comes from the parse, not from the character 二: sections
    under a part in the first document, parts that number tasks directly in the second."""
    root = Path(__file__).resolve().parents[2]
    first = Catalog([c for d in parse_corpus(root / "corpus") for c in d.clauses])
    assert [(g.code, g.tasks[0], g.tasks[-1]) for g in first.task_groups()] == [
        ("二(一)", 1, 3),
        ("二(二)", 4, 6),
        ("二(三)", 7, 10),
        ("二(四)", 11, 12),
        ("二(五)", 13, 18),
        ("二(六)", 19, 21),
        ("二(七)", 22, 25),
        ("二(八)", 26, 30),
    ]
    second = parse_corpus(root / "eval" / "docs" / "gd-mdt-2023" / "corpus")
    groups = Catalog([c for d in second for c in d.clauses]).task_groups()
    assert [(g.code, g.title, len(g.tasks)) for g in groups] == [
        ("二", "推动企业数字化转型", 7),
        ("三", "夯实数字基础支撑", 6),
        ("四", "培育数字化转型生态", 7),
    ]


def test_a_part_holding_tasks_is_named_by_its_title(catalog: Catalog) -> None:
    """In a 工作方案 the tasks sit right under the parts: a part's title names it like a
    section's ("夯实数字基础支撑这部分有几项任务"), and its tasks are listed and counted."""
    from service.lookup import section_overview

    root = Path(__file__).resolve().parents[2]
    second = parse_corpus(root / "eval" / "docs" / "gd-mdt-2023" / "corpus")
    plan = Catalog([c for d in second for c in d.clauses])
    assert plan.find_section("夯实数字基础支撑这部分有几项任务？") == "三"
    overview = section_overview(plan, "三", counting=True)
    assert overview.text.startswith("三「夯实数字基础支撑」共6项任务：任务8 ")
    assert "任务14 " in overview.text
    # In the 实施意见 the task groups are sections already: nothing is added.
    assert catalog.groups == catalog.sections


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("二(三)讲什么", "二(三)"),
        ("第二部分第三块", "二(三)"),
        ("总体要求第二条讲什么", "一(二)"),
        ("保障措施最后一条", "三(四)"),
        ("保障措施最后那节，督查落实方面讲了些啥？", "三(四)"),
        ("第三部分的头一个方面", "三(一)"),
        # The part that holds the numbered tasks counts tasks: this is task 3.
        ("主要任务第三条", None),
    ],
)
def test_a_section_named_by_position(catalog: Catalog, text: str, code: str | None) -> None:
    assert catalog.section_referred(text) == code


def test_positions_are_read_with_each_documents_part_titles() -> None:
    root = Path(__file__).resolve().parents[2]
    second = parse_corpus(root / "eval" / "docs" / "gd-mdt-2023" / "corpus")
    plan = Catalog([c for d in second for c in d.clauses])
    assert plan.section_referred("保障措施最后一条讲什么") == "五(三)"
    assert plan.section_referred("保障措施第一条") == "五(一)"
