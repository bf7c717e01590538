"""A hand-edited index whose checksums were updated too: a clear IndexCorrupt, no traceback.

Editing clauses.jsonl and writing its new sha256 into manifest.json passes the
checksum check, so every row is checked for what the rest of the code relies on.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from indexer.errors import IndexCorrupt
from indexer.store import load_index
from service.engine import Engine

Rows = list[dict[str, Any]]


def _edit(index: Path, name: str, change: Callable[[Rows], object]) -> None:
    """Change the rows of a JSONL file and record its new checksum in the manifest."""
    path = index / name
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    change(rows)
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][name] = hashlib.sha256(path.read_bytes()).hexdigest()
    (index / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")


@pytest.fixture
def copy(small_index: Path, tmp_path: Path) -> Path:
    out = tmp_path / "index"
    shutil.copytree(small_index, out)
    return out


def _set(key: str, value: object, row: int = 1) -> Callable[[Rows], None]:
    return lambda rows: rows[row].__setitem__(key, value)


def _sentence(key: str, value: object) -> Callable[[Rows], None]:
    return lambda rows: rows[1]["sentences"][0].__setitem__(key, value)


def _reword(rows: Rows) -> None:
    # The clause text alone: its sentences still quote the old words.
    rows[1]["text"] = rows[1]["text"].replace(rows[1]["sentences"][0]["text"][:4], "某某某某", 1)


CLAUSE_EDITS = [
    pytest.param(_set("task", "7"), "task '7' (expected an integer", id="task-as-string"),
    pytest.param(_set("task", True), "task True", id="task-as-bool"),
    pytest.param(_set("text", 5), "text 5 (expected a string)", id="text-as-number"),
    pytest.param(_set("lead", "市交通运输局"), "expected a list of strings", id="lead-as-string"),
    pytest.param(_set("heading_path", None), "heading_path None", id="heading-path-null"),
    pytest.param(_set("damaged", "yes"), "expected true or false", id="damaged-as-string"),
    pytest.param(lambda rows: rows[1].pop("text"), "lacks text", id="text-removed"),
    pytest.param(lambda rows: rows[1].pop("section"), "lacks section", id="section-removed"),
    pytest.param(_sentence("end", 100_000), "outside its text", id="sentence-past-end"),
    pytest.param(_sentence("start", -3), "outside its text", id="sentence-negative"),
    pytest.param(_sentence("start", "0"), "integer offsets", id="sentence-offset-string"),
    pytest.param(
        lambda rows: rows[1]["sentences"][0].pop("end"), "integer offsets", id="sentence-key"
    ),
    pytest.param(_reword, "offsets do not locate its text", id="text-edited-alone"),
]


@pytest.mark.parametrize(("change", "says"), CLAUSE_EDITS)
def test_edited_clause_is_corrupt_and_named(
    copy: Path, change: Callable[[Rows], None], says: str
) -> None:
    clause_id = json.loads((copy / "clauses.jsonl").read_text(encoding="utf-8").splitlines()[1])[
        "id"
    ]
    _edit(copy, "clauses.jsonl", change)
    with pytest.raises(IndexCorrupt) as err:
        load_index(copy)
    message = str(err.value)
    assert f"clause {clause_id!r}" in message
    assert str(copy / "clauses.jsonl") in message
    assert says in message
    assert message.endswith("run `policyqa index` to rebuild it")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda rows: rows.__setitem__(0, [1, 2]), "the clause on line 1 is a JSON list"),
        (lambda rows: rows[0].pop("id"), "the clause on line 1 lacks id"),
        (lambda rows: rows[2].__setitem__("id", rows[1]["id"]), "twice"),
    ],
    ids=["row-not-an-object", "id-removed", "id-repeated"],
)
def test_clause_rows_without_their_id(
    copy: Path, change: Callable[[Rows], None], says: str
) -> None:
    _edit(copy, "clauses.jsonl", change)
    with pytest.raises(IndexCorrupt, match=r"clauses\.jsonl") as err:
        load_index(copy)
    assert says in str(err.value)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (_set("start", "x", row=0), "start 'x' (expected an integer)"),
        (_set("kind", "paragraph", row=0), "kind 'paragraph'"),
        (_set("end", 100_000, row=0), "outside clause"),
        (_set("clause_id", "nowhere", row=0), "names clause 'nowhere' missing"),
        (lambda rows: rows[0].pop("text"), "lacks text"),
        (_set("text", "别的文字", row=0), "not its part of clause"),
    ],
    ids=["start-string", "kind", "end-past-clause", "unknown-clause", "text-removed", "text"],
)
def test_edited_unit_is_corrupt_and_named(
    copy: Path, change: Callable[[Rows], None], says: str
) -> None:
    unit_id = json.loads((copy / "units.jsonl").read_text(encoding="utf-8").splitlines()[0])["id"]
    _edit(copy, "units.jsonl", change)
    with pytest.raises(IndexCorrupt) as err:
        load_index(copy)
    assert f"unit {unit_id!r}" in str(err.value)
    assert str(copy / "units.jsonl") in str(err.value)
    assert says in str(err.value)


def test_the_engine_reports_an_edited_clause_as_corrupt(copy: Path) -> None:
    """What used to end in a TypeError/ValueError traceback while loading or answering."""
    _edit(copy, "clauses.jsonl", _set("task", "7"))
    with pytest.raises(IndexCorrupt, match="run `policyqa index` to rebuild it"):
        Engine.load(copy, scope_model=False)


def test_an_edit_that_keeps_the_format_loads(copy: Path) -> None:
    # A new title or lead is the maintainer's business: only broken rows are refused.
    _edit(copy, "clauses.jsonl", _set("title", "新的标题"))
    _edit(copy, "units.jsonl", lambda rows: rows[0].__setitem__("added_later", 1))
    assert load_index(copy).clauses[1].title == "新的标题"
