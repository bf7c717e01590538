"""The whole parse (indexer.parse, indexer.outline) on the real corpus, a second document
written for the tests, bad input, and the ``policyqa inspect`` command."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.agency_names import is_non_provincial
from indexer.errors import ParseError
from indexer.outline import inspect_json, outline_text
from indexer.parse import parse_corpus
from indexer.types import ParsedDoc
from service.cli import cli

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
DATA = ROOT / "tests" / "data"
GZ_CORPUS = DATA / "corpus_gz"
GOLDEN = DATA / "gd-pprd-2017.structure.json"

TASKS = {
    1: ("优化区域经济发展格局", "二(一)"),
    2: ("共同培育先进产业集群", "二(一)"),
    3: ("引导产业跨区域有序合作", "二(一)"),
    4: ("实施统一的市场规则", "二(二)"),
    5: ("加强社会信用体系建设合作", "二(二)"),
    6: ("构建区域大通关体制", "二(二)"),
    7: ("共建现代化综合交通运输体系", "二(三)"),
    8: ("共建能源供应保障体系", "二(三)"),
    9: ("合力完善水利基础设施体系", "二(三)"),
    10: ("加强信息设施互联互通", "二(三)"),
    11: ("构建区域协同创新体系", "二(四)"),
    12: ("优化区域创新环境", "二(四)"),
    13: ("促进教育文化合作", "二(五)"),
    14: ("加强医疗卫生合作", "二(五)"),
    15: ("加强人力资源和社会保障合作", "二(五)"),
    16: ("进一步加强对口扶贫协作", "二(五)"),
    17: ("共同优化休闲旅游环境", "二(五)"),
    18: ("完善社会治理合作协调机制", "二(五)"),
    19: ("积极融入“一带一路”建设", "二(六)"),
    20: ("充分发挥自由贸易试验区的示范带动作用", "二(六)"),
    21: ("推动口岸和特殊区域建设", "二(六)"),
    22: ("加强跨省区流域水资源水环境保护", "二(七)"),
    23: ("加强大气污染综合治理合作", "二(七)"),
    24: ("强化区域生态保护和修复", "二(七)"),
    25: ("健全生态环境协同保护和治理机制", "二(七)"),
    26: ("推进重大基础设施对接", "二(八)"),
    27: ("加强产业发展合作", "二(八)"),
    28: ("推进重大区域发展平台建设", "二(八)"),
    29: ("加强社会事务合作", "二(八)"),
    30: ("开展多层次合作交流", "二(八)"),
}
SECTIONS = {
    "一(一)": "指导思想",
    "一(二)": "战略定位",
    "一(三)": "合作目标",
    "二(一)": "深化区域经济合作发展",
    "二(二)": "大力推进统一市场建设",
    "二(三)": "推进重大基础设施一体化建设",
    "二(四)": "促进区域创新驱动发展",
    "二(五)": "加强社会事业领域合作",
    "二(六)": "共同培育对外开放新优势",
    "二(七)": "协同推进生态文明建设",
    "二(八)": "深化粤港澳合作",
    "三(一)": "加强统筹协调",
    "三(二)": "创新合作机制",
    "三(三)": "建立合作资金支持机制",
    "三(四)": "强化督促落实",
}
NOTICE_TITLE = "广东省人民政府关于印发广东省深化泛珠三角区域合作实施意见的通知"


@pytest.fixture(scope="module")
def real() -> ParsedDoc:
    (doc,) = parse_corpus(CORPUS)
    return doc


@pytest.fixture(scope="module")
def gz() -> ParsedDoc:
    (doc,) = parse_corpus(GZ_CORPUS)
    return doc


def test_tasks_titles_and_sections(real: ParsedDoc) -> None:
    assert real.task_titles == {n: t for n, (t, _) in TASKS.items()}
    assert real.task_sections == {n: s for n, (_, s) in TASKS.items()}
    for clause in real.clauses:
        if clause.task is not None:
            assert (clause.title, clause.section) == TASKS[clause.task]


def test_section_titles(real: ParsedDoc) -> None:
    assert real.section_titles == {"通知": NOTICE_TITLE, **SECTIONS}
    assert {c.section for c in real.clauses} <= set(real.section_titles)


def test_clause_ids_are_unique_and_structural(real: ParsedDoc) -> None:
    ids = [c.id for c in real.clauses]
    assert len(ids) == len(set(ids))
    assert ids[:3] == ["gd-pprd-2017/通知/p1", "gd-pprd-2017/通知/落款", "gd-pprd-2017/引言/p1"]
    for cid in ("gd-pprd-2017/二/三/7/p2", "gd-pprd-2017/一/三/p1", "gd-pprd-2017/三/二/p1"):
        assert cid in ids
    assert ids[-1] == "gd-pprd-2017/三/四/p1"


def test_notice_and_preamble(real: ParsedDoc) -> None:
    notice = real.tree.children[0]
    assert (notice.kind, notice.title) == ("notice", NOTICE_TITLE)
    fields = {c.label: c.text for c in notice.children if c.kind == "field"}
    assert fields["签署"] == "广东省人民政府"
    assert fields["日期"] == "2017年1月20日"
    assert fields["文号"] == "粤府〔2017〕8号"
    first, sign_off, preamble = real.clauses[:3]
    assert first.text.startswith("现将《广东省深化泛珠三角区域合作实施意见》印发给你们")
    assert sign_off.text.splitlines() == ["粤府〔2017〕8号", "广东省人民政府", "2017年1月20日"]
    assert [s.text for s in sign_off.sentences] == sign_off.text.splitlines()
    assert (preamble.section, preamble.title) == ("通知", "广东省深化泛珠三角区域合作实施意见")
    assert preamble.text.startswith("为深入贯彻落实《国务院关于深化泛珠三角区域合作的指导意见》")


def test_task7_paragraphs_and_topics(real: ParsedDoc) -> None:
    task7 = [c for c in real.clauses if c.task == 7]
    assert [c.id.rsplit("/", 1)[1] for c in task7] == ["p1", "p2", "p3", "p4", "p5"]
    assert [c.topic for c in task7] == [None, "铁路方面", "公路方面", "港口航运方面", "航空方面"]
    assert task7[0].heading_path == (
        "二、主要任务",
        "(三)推进重大基础设施一体化建设",
        "7.共建现代化综合交通运输体系",
    )
    # The title sentence is not repeated in the first paragraph.
    assert task7[0].text.startswith("加强与泛珠合作各方交通基础设施互联互通")
    assert task7[0].lead == ("省发展改革委", "省交通运输厅")
    assert task7[4].participants == (
        "民航中南管理局",
        "省发展改革委",
        "省机场管理集团",
        "深圳机场集团",
    )


def test_strategic_positions_are_topics(real: ParsedDoc) -> None:
    positions = [c for c in real.clauses if c.section == "一(二)"]
    assert [c.topic for c in positions] == [
        "深化合作排头兵",
        "改革开放先行地",
        "创新发展重要引擎",
        "与港澳深度合作核心区",
        "生态合作先行区",
    ]


def test_every_note_is_parsed(real: ParsedDoc) -> None:
    noted = [c for c in real.clauses if c.note]
    assert len(noted) == 51
    for c in noted:
        if "牵头" in c.note:
            assert c.lead, c.id
        else:
            assert not c.lead and c.participants, c.id
        for name in c.lead + c.participants:
            # Same agency, same name: a 省 department or a body the rules know is not one.
            assert name.startswith("省") or name == "团省委" or is_non_provincial(name), name
    assert {c.id for c in real.clauses if c.task and not c.note} == set()


def test_sentences_exclude_notes_and_index_text(real: ParsedDoc) -> None:
    for c in real.clauses:
        assert c.sentences, c.id
        for s in c.sentences:
            assert c.text[s.start : s.end] == s.text
            assert "按职责分工负责" not in s.text and "牵头)" not in s.text


def test_cleaning_report(real: ParsedDoc) -> None:
    report = real.report
    # The scrape has 1,266 pinyin notes; the few inside mojibake spans go with their span.
    assert 1250 <= report.pinyin_notes_removed <= 1266
    assert report.boilerplate_lines_removed > 0
    texts = "\n".join(c.text for c in real.clauses)
    for junk in ("浏览次数", "当前位置", "全真版", "在线播放"):
        assert junk not in texts
    ids = {c.id: c for c in real.clauses}
    for span in report.mojibake:
        assert span.clause in ids, span
        assert span.kept in ids[span.clause].text
        if span.repaired is None:
            assert ids[span.clause].damaged
    damaged = {c.id for c in real.clauses if c.damaged}
    assert damaged == {s.clause for s in report.mojibake if s.repaired is None}


def test_golden_structure(real: ParsedDoc) -> None:
    """Whole-document parse vs. tests/data; after a reviewed change: UPDATE_GOLDEN=1 pytest."""
    got = json.loads(json.dumps(inspect_json([real]), ensure_ascii=False))
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert GOLDEN.exists(), "no golden file yet: run UPDATE_GOLDEN=1 pytest tests/indexer"
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    (got_doc,), (want_doc,) = got["documents"], want["documents"]
    # Compare piece by piece so a failure points at the part that changed.
    for key in want_doc:
        if key in ("sections", "tasks"):
            for g, w in zip(got_doc[key], want_doc[key], strict=True):
                assert g == w, f"{key} {w.get('code', w.get('number'))} changed"
        else:
            assert got_doc[key] == want_doc[key], key
    assert got == want


def test_second_document_has_items_and_no_tasks(gz: ParsedDoc) -> None:
    assert gz.task_titles == {}
    assert gz.section_titles == {
        "通知": "广州市人民政府办公厅关于印发广州市推进城市更新与绿色交通协调发展工作方案的通知",
        "一": "工作目标",
        "二(一)": "优化轨道交通站点周边更新",
        "二(二)": "提升绿色出行品质",
        "三": "保障措施",
    }
    by_id = {c.id: c for c in gz.clauses}
    assert list(by_id) == [
        "gz-ugt-2019/通知/p1",
        "gz-ugt-2019/通知/落款",
        "gz-ugt-2019/引言/p1",
        "gz-ugt-2019/一/p1",
        "gz-ugt-2019/一/p2",
        "gz-ugt-2019/二/一/(1)/p1",
        "gz-ugt-2019/二/一/(1)/p2",
        "gz-ugt-2019/二/一/(2)/p1",
        "gz-ugt-2019/二/二/(1)/p1",
        "gz-ugt-2019/二/二/(2)/p1",
        "gz-ugt-2019/二/二/(3)/p1",
        "gz-ugt-2019/三/p1",
        "gz-ugt-2019/三/p2",
    ]
    item = by_id["gz-ugt-2019/二/一/(1)/p1"]
    assert item.heading_path == (
        "二、重点工作",
        "(一)优化轨道交通站点周边更新",
        "(1)推进站城一体化开发",
    )
    assert (item.section, item.task, item.title) == ("二(一)", None, "优化轨道交通站点周边更新")
    assert item.lead == ("市住房城乡建设局",)
    assert item.participants == ("市规划和自然资源局", "市交通运输局", "各区政府")
    # Lines that start with numbers are text, not headings.
    assert by_id["gz-ugt-2019/一/p2"].text.startswith("2020年底前")
    assert by_id["gz-ugt-2019/二/一/(1)/p2"].text.startswith("3号线、5号线")
    slow = by_id["gz-ugt-2019/二/二/(1)/p1"]
    assert slow.participants == ("广州地铁集团", "越秀区政府", "海珠区政府", "荔湾区政府")
    assert by_id["gz-ugt-2019/二/二/(2)/p1"].lead == ("市交通运输局", "市发展改革委", "市财政局")


def test_gbk_document_parses_like_utf8(tmp_path: Path, gz: ParsedDoc) -> None:
    shutil.copy(GZ_CORPUS / "gz_2019_12.json", tmp_path)
    text = (GZ_CORPUS / "gz_2019_12.txt").read_text(encoding="utf-8")
    (tmp_path / "gz_2019_12.txt").write_bytes(text.encode("gbk"))
    (doc,) = parse_corpus(tmp_path)
    assert doc.clauses == gz.clauses


def test_text_without_structure_is_a_parse_error(tmp_path: Path) -> None:
    meta = json.loads((GZ_CORPUS / "gz_2019_12.json").read_text(encoding="utf-8"))
    (tmp_path / "gz_2019_12.json").write_text(json.dumps(meta), encoding="utf-8")
    prose = "这是一篇普通的文章。\n它没有任何编号标题，2020年以后也不会有。\n"
    (tmp_path / "gz_2019_12.txt").write_text(prose, encoding="utf-8")
    with pytest.raises(ParseError, match=r"gz_2019_12\.txt \(gz-ugt-2019\): no numbered headings"):
        parse_corpus(tmp_path)


def test_outline_text(real: ParsedDoc, gz: ParsedDoc) -> None:
    text = outline_text([real, gz])
    assert "广东省深化泛珠三角区域合作实施意见  粤府〔2017〕8号  2017-01-20" in text
    assert "任务7 共建现代化综合交通运输体系 (5 段; 牵头: 省发展改革委、省交通运输厅)" in text
    assert "(三)合作目标" in text and "三、保障措施" in text
    assert f"删除拼音注音 {real.report.pinyin_notes_removed} 处" in text
    assert "(1)推进站城一体化开发 (2 段)" in text
    for span in real.report.mojibake:
        assert span.clause in text


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["inspect", *args])
    return result.exit_code, result.output


def test_cli_inspect_json() -> None:
    code, out = run_cli("--json", "--corpus", str(CORPUS))
    assert code == 0, out
    (doc,) = json.loads(out)["documents"]
    assert (doc["id"], doc["doc_number"], doc["date"]) == (
        "gd-pprd-2017",
        "粤府〔2017〕8号",
        "2017-01-20",
    )
    assert [(t["number"], t["title"], t["section"]) for t in doc["tasks"]] == [
        (n, title, section) for n, (title, section) in TASKS.items()
    ]
    codes = [s["code"] for s in doc["sections"]]
    assert [c for c in codes if c.startswith("一(")] == ["一(一)", "一(二)", "一(三)"]
    assert [c for c in codes if c.startswith("三(")] == ["三(一)", "三(二)", "三(三)", "三(四)"]
    assert {s["code"]: s["title"] for s in doc["sections"] if s["code"] != "通知"} == SECTIONS
    for task in doc["tasks"]:
        for clause in task["clauses"]:
            assert clause["section"] == task["section"]
            if clause["note"] and "牵头" in clause["note"]:
                assert clause["lead"], clause["id"]
    assert doc["cleaning"]["pinyin_notes_removed"] >= 1250
    assert all(m["clause"] for m in doc["cleaning"]["mojibake"])


def test_cli_inspect_text() -> None:
    code, out = run_cli("--corpus", str(CORPUS))
    assert code == 0, out
    assert "任务30 开展多层次合作交流" in out


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "holds no documents"),
        ({"a.json": "{oops"}, r"a\.json: metadata is not valid JSON"),
    ],
)
def test_cli_inspect_bad_corpus(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    code, out = run_cli("--corpus", str(tmp_path))
    assert code == 1
    assert out.startswith("Error: ")
    assert "Traceback" not in out
    assert re.search(message, out)


def test_cli_missing_corpus_folder(tmp_path: Path) -> None:
    code, out = run_cli("--corpus", str(tmp_path / "nowhere"))
    assert code == 1 and "does not exist" in out
