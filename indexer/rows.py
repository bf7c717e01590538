"""Index rows: a :class:`Clause` or a :class:`Unit` as one JSON line, and back.

Reading a row back checks it field by field (types, required keys, sentence and
unit offsets that locate their text), so an edited index file fails with a
message naming the row instead of a traceback somewhere later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, asdict, dataclass, fields
from typing import Any

from indexer.types import Clause, Sentence

UNIT_KINDS = ("clause", "sentence", "note")
_Check = Callable[[object], "str | None"]  # a field's value → what is wrong with it, or None


@dataclass(frozen=True)
class Unit:
    """One retrieval unit: a whole clause, one of its sentences, or its responsibility note.

    ``text`` is exactly what was embedded and tokenized (heading context
    included when the index was built with it); ``start``/``end`` locate the
    unit's own words in ``Clause.text``.
    """

    id: str
    clause_id: str
    kind: str
    text: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.kind not in UNIT_KINDS:
            raise ValueError(f"unit kind must be one of {UNIT_KINDS}, not {self.kind!r}")


def clause_to_dict(clause: Clause) -> dict[str, Any]:
    """A Clause as plain JSON data (tuples become lists)."""
    return asdict(clause)


def clause_from_dict(data: Mapping[str, Any]) -> Clause:
    """Inverse of :func:`clause_to_dict`; unknown keys are ignored, missing ones take defaults.

    Raises:
        ValueError: a field is missing without a default, has the wrong type, or a
            sentence's offsets do not locate its text in the clause text.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"is a JSON {type(data).__name__}, not an object")
    known = {f.name for f in fields(Clause)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            continue
        problem = _CLAUSE_FIELDS[key](value)
        if problem:
            raise ValueError(f"has {key} {value!r} ({problem})")
        if key == "sentences":
            value = tuple(Sentence(**s) for s in value)
        elif key == "roles":
            value = tuple(tuple(pair) for pair in value)
        elif isinstance(value, list):
            value = tuple(value)
        values[key] = value
    missing = [f.name for f in fields(Clause) if f.name not in values and _required(f)]
    if missing:
        raise ValueError(f"lacks {', '.join(missing)}")
    clause = Clause(**values)
    for n, sent in enumerate(clause.sentences, start=1):
        if not 0 <= sent.start <= sent.end <= len(clause.text):
            raise ValueError(f"has sentence {n} at {sent.start}..{sent.end}, outside its text")
        if clause.text[sent.start : sent.end] != sent.text:
            raise ValueError(f"has sentence {n} whose offsets do not locate its text")
    return clause


def _required(f: Field[Any]) -> bool:
    return f.default is MISSING and f.default_factory is MISSING


def _expect(kind: type, label: str, optional: bool = False) -> _Check:
    def check(value: object) -> str | None:
        if optional and value is None:
            return None
        # A bool is an int to Python but never one in the index format.
        if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
            return None
        return f"expected {label}"

    return check


def _strings(value: object) -> str | None:
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return None
    return "expected a list of strings"


def _roles(value: object) -> str | None:
    if isinstance(value, (list, tuple)) and all(
        isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(v, str) for v in pair)
        for pair in value
    ):
        return None
    return "expected a list of [agency, role] pairs"


def _sentences(value: object) -> str | None:
    if not isinstance(value, (list, tuple)):
        return "expected a list of sentences"
    for s in value:
        if not (
            isinstance(s, dict)
            and set(s) == {"text", "start", "end"}
            and isinstance(s["text"], str)
            and all(isinstance(s[k], int) and not isinstance(s[k], bool) for k in ("start", "end"))
        ):
            return "expected sentences as {text, start, end} with integer offsets"
    return None


_CLAUSE_FIELDS: dict[str, _Check] = {
    "id": _expect(str, "a string"),
    "doc_id": _expect(str, "a string"),
    "task": _expect(int, "an integer task number or null", optional=True),
    "section": _expect(str, "a string"),
    "title": _expect(str, "a string"),
    "heading_path": _strings,
    "text": _expect(str, "a string"),
    "sentences": _sentences,
    "lead": _strings,
    "participants": _strings,
    "note": _expect(str, "a string or null", optional=True),
    "topic": _expect(str, "a string or null", optional=True),
    "damaged": _expect(bool, "true or false"),
    "roles": _roles,
}


def unit_from_dict(data: Mapping[str, Any], clause: Clause | None) -> Unit:
    """A :class:`Unit` read back, checked against the clause it names; unknown keys are ignored.

    Raises:
        ValueError: a field is missing or has the wrong type, the clause is unknown
            (``clause`` None), or the offsets and text are not the clause's.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"is a JSON {type(data).__name__}, not an object")
    missing = [f.name for f in fields(Unit) if f.name not in data]
    if missing:
        raise ValueError(f"lacks {', '.join(missing)}")
    for key in ("id", "clause_id", "kind", "text"):
        if not isinstance(data[key], str):
            raise ValueError(f"has {key} {data[key]!r} (expected a string)")
    for key in ("start", "end"):
        if not isinstance(data[key], int) or isinstance(data[key], bool):
            raise ValueError(f"has {key} {data[key]!r} (expected an integer)")
    if data["kind"] not in UNIT_KINDS:
        raise ValueError(f"has kind {data['kind']!r} (expected one of {', '.join(UNIT_KINDS)})")
    unit = Unit(**{f.name: data[f.name] for f in fields(Unit)})
    if clause is None:
        raise ValueError(f"names clause {unit.clause_id!r} missing from clauses.jsonl")
    if not 0 <= unit.start <= unit.end <= len(clause.text):
        raise ValueError(f"has offsets {unit.start}..{unit.end} outside clause {clause.id!r}")
    if not unit.text.endswith(clause.text[unit.start : unit.end]):
        raise ValueError(f"has text that is not its part of clause {clause.id!r}")
    return unit
