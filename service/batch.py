"""Batch mode of ``policyqa ask -``: reading, bounding and parsing stdin lines.

A line is a plain question or a JSON object ``{"question", "history"}``; what is
wrong with a line is a :class:`LineError` whose message says what it should be.
The CLI loops over the lines and prints; nothing here prints.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from service.query import Limits, Turn


class LineError(ValueError):
    """A batch line that cannot be asked: the message says what the line should be."""


LINE_SHAPE = 'a question, or {"question": "…", "history": ["…"]}'
# An error repeats at most this much of its question: a 100 MB line must not come back.
_ECHOED_CHARS = 40


def line_limit(limits: Limits) -> int:
    """Bytes one batch line may hold: a question and a full history, JSON-escaped
    (up to 6 bytes a character), with room to spare."""
    chars = limits.question_chars + limits.history_turns * limits.history_chars
    return max(1 << 16, chars * 6 + 4096)


def read_lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines of ``stream``; a line longer than ``limit`` bytes is skipped
    unread (None), so one huge line costs neither memory nor time."""
    number = 0
    while True:
        raw = stream.readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while (rest := stream.readline(1 << 16)) and not rest.endswith(b"\n"):
                pass
            yield number, None
            continue
        yield number, raw


def parse_line(line: str) -> tuple[object, list[str | Turn]]:
    """The question and history a batch line holds; raises LineError."""
    if not line.startswith(("{", "[")):
        return line, []
    try:
        obj = json.loads(line)
    except ValueError as err:
        if line.startswith("["):  # "[急]铁路项目谁牵头" is a question
            return line, []
        raise LineError(f"not valid JSON ({err.args[0]}); expected {LINE_SHAPE}") from None
    if not isinstance(obj, dict):
        raise LineError(f"a JSON line must be an object; expected {LINE_SHAPE}")
    if "question" not in obj:
        raise LineError(f'the object has no "question"; expected {LINE_SHAPE}')
    history = obj.get("history") or []
    if not isinstance(history, list):
        raise LineError('"history" must be a list of earlier turns, not a single value')
    turns: list[str | Turn] = []
    for n, item in enumerate(history, start=1):
        if isinstance(item, str):
            turns.append(item)
        elif isinstance(item, dict) and isinstance(item.get("content"), str):
            turns.append(Turn(str(item.get("role", "user")), item["content"]))
        else:
            raise LineError(
                f'history turn {n} must be a string or {{"role": "user"|"assistant", '
                '"content": "…"}'
            )
    return obj["question"], turns


def echoed(question: object) -> object:
    """The question as an error repeats it: a short prefix (a 100 MB line must not come
    back), or a scalar as given; lists and objects are not repeated."""
    if isinstance(question, str):
        cut = question[:_ECHOED_CHARS]
        return cut + "…" if len(question) > _ECHOED_CHARS else cut
    return question if isinstance(question, int | float | bool) else None
