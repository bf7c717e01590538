"""The generic reading of question forms, as data: ``service/data/*.toml``.

How staff ask who leads, how many, which ones, to sum up, for an amount or a date
is the same in every Chinese policy document, so those wordings are data shared
by every document, not code: ``question_forms.toml`` (what a question asks for)
and ``value_kinds.toml`` (the kinds of value asked for, and what evidence of each
looks like). The format is documented in ``service/data/README.md``; every cue
may carry ``match`` and ``miss`` examples, which the tests check as a table.

A cue is read once per process and compiled once; stages ask for it by name:

>>> cue("lead.asks").search("铁路项目由谁牵头") is not None
True
>>> "哪些" in cue_words("focus.ask_words")
True
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from indexer.tokenize import DATA_DIR, read_lines

CUES_DIR = Path(__file__).resolve().parent / "data"
CUE_FILES = ("question_forms.toml", "value_kinds.toml")
# Generic question vocabulary kept as plain word lists (indexer/data), read once here:
# colloquial fillers that say nothing about the topic ("那块", "文件里有提吗"), and
# general head nouns that name no particular thing (单位, 方面, 水平).
FILLERS = frozenset(read_lines(DATA_DIR / "fillers_zh.txt"))
GENERIC_NOUNS = frozenset(read_lines(DATA_DIR / "generic_nouns_zh.txt"))
# A cue may use another by name: ``${name}`` stands for that cue's pattern.
_REFERENCE = re.compile(r"\$\{([\w.]+)\}")


@dataclass(frozen=True)
class Cue:
    """One named reading: a pattern (``any``) or a word list (``words``), with examples."""

    name: str
    alternatives: tuple[str, ...]
    is_pattern: bool
    ignore_case: bool = False
    about: str = ""
    match: tuple[str, ...] = ()
    miss: tuple[str, ...] = ()


def _walk(table: dict, prefix: str = "") -> Iterator[tuple[str, dict]]:
    for key, value in table.items():
        if not isinstance(value, dict):
            continue
        name = f"{prefix}{key}"
        if "any" in value or "words" in value:
            yield name, value
        else:
            yield from _walk(value, f"{name}.")


@cache
def all_cues() -> dict[str, Cue]:
    """Every cue of the data files, by name, in file order."""
    found: dict[str, Cue] = {}
    for file in CUE_FILES:
        path = CUES_DIR / file
        with path.open("rb") as handle:
            table = tomllib.load(handle)
        for name, entry in _walk(table):
            if name in found:
                raise ValueError(f"{path}: cue {name!r} is defined twice")
            is_pattern = "any" in entry
            found[name] = Cue(
                name=name,
                alternatives=tuple(entry["any"] if is_pattern else entry["words"]),
                is_pattern=is_pattern,
                ignore_case=bool(entry.get("ignore_case", False)),
                about=str(entry.get("about", "")),
                match=tuple(entry.get("match", ())),
                miss=tuple(entry.get("miss", ())),
            )
    return found


def _get(name: str) -> Cue:
    try:
        return all_cues()[name]
    except KeyError:
        files = ", ".join(CUE_FILES)
        raise KeyError(f"no cue named {name!r} in service/data ({files})") from None


@cache
def source(name: str) -> str:
    """A pattern cue's regular expression, its ``${…}`` references filled in."""
    entry = _get(name)
    if not entry.is_pattern:
        raise TypeError(f"cue {name!r} is a word list; use cue_words()")
    return _REFERENCE.sub(lambda m: f"(?:{source(m.group(1))})", "|".join(entry.alternatives))


@cache
def cue(name: str) -> re.Pattern[str]:
    """The compiled pattern of a cue (alternatives joined with ``|``)."""
    return re.compile(source(name), re.IGNORECASE if _get(name).ignore_case else 0)


@cache
def cues(prefix: str) -> dict[str, re.Pattern[str]]:
    """The pattern cues under ``prefix`` by their last name part, in file order
    (``cues("asks")["amount"]``)."""
    start = f"{prefix}."
    return {
        name[len(start) :]: cue(name)
        for name, entry in all_cues().items()
        if name.startswith(start) and entry.is_pattern
    }


@cache
def cue_words(name: str) -> frozenset[str]:
    """The words of a word-list cue."""
    entry = _get(name)
    if entry.is_pattern:
        raise TypeError(f"cue {name!r} is a pattern; use cue()")
    return frozenset(entry.alternatives)
