"""`policyqa ask`: one question, JSON output, batch mode from stdin, errors, first run."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from service.cli import cli
from service.config import get_settings

CONTRACT_KEYS = {"question", "answer", "abstained", "citations", "timing_ms"}
CITATION_KEYS = {"doc", "task", "section", "title", "clause_id", "quote", "lead", "score"}
SMALL_CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus_gz"


@contextmanager
def _use_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[None]:
    """Point the cached settings at ``env`` for one test, and forget them afterwards."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        yield
    finally:
        get_settings.cache_clear()


@pytest.fixture
def real_settings(real_index: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with _use_settings(monkeypatch, POLICYQA_INDEX_DIR=str(real_index)):
        yield


def ask(*args: str, stdin: bytes | str | None = None) -> Result:
    return CliRunner().invoke(cli, ["ask", *args], input=stdin)


@pytest.mark.usefixtures("real_settings")
def test_plain_output_shows_answer_marker_quote_and_agencies() -> None:
    result = ask("铁路项目由谁牵头？")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "广铁集团" in lines[0]
    assert lines[0].endswith("【任务7】")
    assert "【任务7】 共建现代化综合交通运输体系  (二(三), gd-pprd-2017/二/三/7/p2)" in lines
    assert "  “(省发展改革委、交通运输厅牵头，广铁集团等按职责分工负责)”" in lines
    assert "  牵头：省发展改革委、省交通运输厅" in lines
    assert "  参与：广铁集团" in lines


@pytest.mark.usefixtures("real_settings")
def test_plain_output_of_a_declined_question() -> None:
    result = ask("个人所得税怎么算")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "文件中没有找到能回答这个问题的内容。可以问问文件写到的内容，例如："
    # Two or three questions the document answers, and nothing shown as a source.
    assert 2 <= len(lines[1:]) <= 3
    assert all(line.startswith("· ") and line.endswith("？") for line in lines[1:])


@pytest.mark.usefixtures("real_settings")
def test_plain_output_of_a_question_the_document_does_not_state() -> None:
    result = ask("港珠澳大桥收费标准是多少？")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "文件没有写明「共建现代化综合交通运输体系」中的金额或费用。"
    assert lines[2] == "相关条款（供参考，并非答案）："
    assert lines[4].startswith("【任务7】 共建现代化综合交通运输体系  (二(三), ")
    assert "港珠澳大桥" in lines[5]


@pytest.mark.usefixtures("real_settings")
def test_json_output_is_the_contract() -> None:
    result = ask("旅游标识要统一吗？", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= CONTRACT_KEYS
    assert data["question"] == "旅游标识要统一吗？"
    assert data["abstained"] is False
    assert set(data["timing_ms"]) == {"retrieve", "total"}
    (cite,) = data["citations"]
    assert set(cite) >= CITATION_KEYS
    assert (cite["task"], cite["section"], cite["lead"]) == (17, "二(五)", ["省旅游局"])
    assert "统一旅游标识" in cite["quote"]
    assert "统一旅游标识" in result.stdout  # ensure_ascii=False: readable Chinese


@pytest.mark.usefixtures("real_settings")
def test_history_option_makes_a_followup() -> None:
    alone = json.loads(ask("那谁牵头呢", "--json").stdout)
    followup = ask("那谁牵头呢", "--json", "--history", "大气污染治理有什么措施？")
    assert followup.exit_code == 0, followup.output
    data = json.loads(followup.stdout)
    assert data["citations"][0]["task"] == 23
    assert "省环境保护厅" in data["answer"]
    # without the earlier turn there is nothing to answer about: it asks which work is meant
    assert alone["abstained"] and alone["reason"] == "no_topic"
    assert alone["citations"] == []


def test_index_option_wins_over_the_setting(
    real_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "not-used"
    with _use_settings(monkeypatch, POLICYQA_INDEX_DIR=str(elsewhere)):
        result = ask("第17项任务讲什么？", "--json", "--index", str(real_index))
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["citations"][0]["task"] == 17
        assert not elsewhere.exists()


@pytest.mark.usefixtures("real_settings")
def test_batch_mode_answers_each_line_and_reports_bad_ones() -> None:
    lines = [
        "旅游标识要统一吗？".encode(),  # 1
        json.dumps(
            {"question": "那谁牵头呢", "history": ["大气污染治理有什么措施？"]}, ensure_ascii=False
        ).encode(),  # 2
        b"\xff\xfe\xe9\x93",  # 3: not UTF-8
        b'{"question": "broken',  # 4: malformed JSON
        b"",  # 5: empty, skipped
        b"   \t",  # 6: blank, skipped
        b'{"history": ["x"]}',  # 7: no question
        b'{"question": ""}',  # 8: empty question
        b'{"question": 5}',  # 9: not text
        "？？？".encode(),  # 10: no content: declined, not an error
        "主要任务一共多少项?".encode(),  # 11
    ]
    result = ask("--json", "-", stdin=b"\n".join(lines) + b"\n")
    # Some lines failed: the run went on, and the exit code says so.
    assert result.exit_code == 1, result.output
    assert "5 line(s) could not be answered" in result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 9  # one object per non-blank input line, in order
    assert [o["line"] for o in out] == [1, 2, 3, 4, 7, 8, 9, 10, 11]

    answers = [o for o in out if "error" not in o]
    errors = [o for o in out if "error" in o]
    assert [a["question"] for a in answers] == [
        "旅游标识要统一吗？",
        "那谁牵头呢",
        "？？？",
        "主要任务一共多少项?",
    ]
    assert all(set(a) >= CONTRACT_KEYS for a in answers)
    assert answers[0]["citations"][0]["task"] == 17
    assert answers[1]["citations"][0]["task"] == 23  # the history was used
    assert answers[2]["abstained"] is True
    assert "共30项" in answers[3]["answer"]

    assert [e["line"] for e in errors] == [3, 4, 7, 8, 9]
    by_line = {e["line"]: e for e in errors}
    assert "UTF-8" in by_line[3]["error"]
    assert by_line[3]["question"] is None
    assert '"question"' in by_line[4]["error"]
    assert '"question"' in by_line[7]["error"]
    assert "empty" in by_line[8]["error"]
    assert by_line[8]["question"] == ""
    assert "must be text" in by_line[9]["error"]
    assert by_line[9]["question"] == 5


@pytest.mark.usefixtures("real_settings")
def test_batch_mode_with_no_input_prints_nothing() -> None:
    result = ask("--json", "-", stdin=b"")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


@pytest.mark.usefixtures("real_settings")
@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "the question is empty"),
        ("   ", "the question is empty"),
        ("铁" * 100_000, "the limit is 2000"),
    ],
    ids=["empty", "blank", "100k"],
)
def test_bad_question_exits_with_a_clear_message(question: str, message: str) -> None:
    result = ask(question)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_missing_question_is_a_usage_error() -> None:
    result = ask()
    assert result.exit_code == 2
    assert "give a question" in result.stderr
    assert "Traceback" not in result.output


def test_missing_index_folder_is_built_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The short 广州 document stands in for the corpus: the same code path, built in ~2 s."""
    index_dir = tmp_path / "fresh" / "index"
    env = {"POLICYQA_INDEX_DIR": str(index_dir), "POLICYQA_CORPUS_DIR": str(SMALL_CORPUS)}
    with _use_settings(monkeypatch, **env):
        with caplog.at_level(logging.WARNING, logger="service.startup"):
            result = ask("碧道建设谁牵头？", "--json")
        assert result.exit_code == 0, result.output
        assert (index_dir / "manifest.json").is_file()
        assert any("no index at" in r.getMessage() for r in caplog.records)
        data = json.loads(result.stdout)
        cite = data["citations"][0]
        assert cite["doc"] == "gz-ugt-2019"
        assert cite["lead"] == ["市水务局", "市住房城乡建设局"]
        assert "广州地铁集团" in data["answer"]

        # The second run loads the index it built instead of building again.
        built = (index_dir / "manifest.json").stat().st_mtime_ns
        caplog.clear()
        again = ask("新能源公交什么时候开始推广？", "--json")
        assert again.exit_code == 0, again.output
        assert (index_dir / "manifest.json").stat().st_mtime_ns == built
        assert not any("no index at" in r.getMessage() for r in caplog.records)
        assert "2020年起新增公交车全部使用新能源车辆" in json.loads(again.stdout)["answer"]
