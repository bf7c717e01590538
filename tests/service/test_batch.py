"""Batch lines: bounded reading and parsing, as tables (no engine needed)."""

from __future__ import annotations

import io

import pytest

from service.batch import LineError, echoed, line_limit, parse_line, read_lines
from service.query import Limits, Turn


@pytest.mark.parametrize(
    ("line", "question", "history"),
    [
        ("铁路项目由谁牵头？", "铁路项目由谁牵头？", []),
        ('{"question": "谁牵头？", "history": ["铁路"]}', "谁牵头？", ["铁路"]),
        (
            '{"question": "谁牵头？", "history": [{"role": "assistant", "content": "【任务7】"}]}',
            "谁牵头？",
            [Turn("assistant", "【任务7】")],
        ),
        ('{"question": 5}', 5, []),  # the answer stage says it must be text
        ("[急]铁路项目由谁牵头？", "[急]铁路项目由谁牵头？", []),
    ],
)
def test_lines_that_parse(line: str, question: object, history: list[object]) -> None:
    assert parse_line(line) == (question, history)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"question": "broken', "not valid JSON"),
        ('["铁路项目由谁牵头？"]', "must be an object"),
        ('{"history": []}', 'no "question"'),
        ('{"question": "x", "history": "铁路"}', "must be a list"),
        ('{"question": "x", "history": [17]}', "history turn 1 must be a string"),
    ],
)
def test_lines_that_do_not(line: str, message: str) -> None:
    with pytest.raises(LineError, match=message):
        parse_line(line)


def test_a_line_over_the_limit_is_skipped_and_the_next_read() -> None:
    stream = io.BytesIO(b"a" * 100 + b"\n" + b"short\n" + b"tail-without-newline")
    assert list(read_lines(stream, 50)) == [
        (1, None),
        (2, b"short\n"),
        (3, b"tail-without-newline"),
    ]


def test_line_limit_grows_with_the_limits() -> None:
    assert line_limit(Limits()) == 1 << 16
    assert line_limit(Limits(question_chars=100_000)) > 600_000


@pytest.mark.parametrize(
    ("question", "shown"),
    [("铁" * 41, "铁" * 40 + "…"), ("铁路", "铁路"), (5, 5), (["x"], None), (None, None)],
)
def test_errors_echo_a_short_question(question: object, shown: object) -> None:
    assert echoed(question) == shown
