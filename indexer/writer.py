"""Writing an index directory atomically: build in a temporary folder, then swap it in.

The format itself (file names, manifest, clause serialization) lives in
:mod:`indexer.store`, which also reads and verifies what is written here.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import secrets
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from indexer.bm25 import BM25Index
from indexer.errors import IndexWriteError, PolicyQAError
from indexer.knowledge import FOLDER as KNOWLEDGE
from indexer.knowledge import Knowledge, knowledge_files
from indexer.rows import Unit, clause_to_dict
from indexer.store import (
    BM25_DIR,
    CLAUSES,
    DENSE,
    FORMAT_VERSION,
    INDEX_TYPES,
    MANIFEST,
    TERMS,
    UNITS,
    sha256_file,
)
from indexer.types import Clause

log = logging.getLogger(__name__)


def _write_jsonl(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


@contextmanager
def writing(out_dir: Path) -> Iterator[None]:
    """Turn a filesystem error while writing the index at ``out_dir`` into an
    :class:`IndexWriteError` that names the path, the cause and what to do."""
    try:
        yield
    except OSError as err:
        raise IndexWriteError(_explain(out_dir, err)) from err


_ELSEWHERE = "choose another --out folder or POLICYQA_INDEX_DIR"


def _explain(out_dir: Path, err: OSError) -> str:
    where = err.filename or out_dir
    if isinstance(err, PermissionError) or err.errno == errno.EROFS:
        todo = f"make that folder writable or {_ELSEWHERE}"
    elif isinstance(err, (FileNotFoundError, NotADirectoryError, FileExistsError)):
        todo = f"the path runs through a file or a folder that cannot be made; {_ELSEWHERE}"
    elif err.errno == errno.ENOSPC:
        todo = f"free some disk space or {_ELSEWHERE}"
    else:
        todo = _ELSEWHERE
    cause = err.strerror or str(err) or type(err).__name__
    if isinstance(err, FileExistsError) and Path(where).is_file():
        cause = "a file stands where a folder is needed"
    return (
        f"cannot write the index {out_dir}: {where}: {cause}; {todo} "
        "(an index already there is left as it was)"
    )


class IndexWriter:
    """Writes an index into a temporary folder beside ``out_dir``; :meth:`commit` swaps it in.

    Use as a context manager: leaving the block without committing (an error
    mid-build) deletes the temporary folder and leaves ``out_dir`` untouched.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir).resolve()
        if self.out_dir.exists() and not _replaceable(self.out_dir):
            raise PolicyQAError(
                f"{self.out_dir} exists and is not a policy-qa index; "
                "choose another --out folder or empty this one"
            )
        with writing(self.out_dir):
            self.out_dir.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = _fresh_dir(self.out_dir, "new")
        self._committed = False

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._committed:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def write_clauses(self, clauses: Sequence[Clause]) -> None:
        """``clauses.jsonl``: every clause, all fields."""
        with writing(self.out_dir):
            _write_jsonl(self.tmp / CLAUSES, [clause_to_dict(c) for c in clauses])

    def write_units(self, units: Sequence[Unit]) -> None:
        """``units.jsonl``: the retrieval units in row order."""
        with writing(self.out_dir):
            _write_jsonl(self.tmp / UNITS, [asdict(u) for u in units])

    def write_terms(self, terms: Sequence[str]) -> None:
        """``terms.txt``: tokenizer terms to register again at load time."""
        with writing(self.out_dir):
            (self.tmp / TERMS).write_text("".join(t + "\n" for t in terms), encoding="utf-8")

    def write_knowledge(self, knowledge: Knowledge) -> None:
        """``knowledge/``: a copy of the knowledge files ``knowledge`` was read from
        (nothing for a document without any), checksummed with the rest."""
        if knowledge.folder is None:
            return
        with writing(self.out_dir):
            for path in knowledge_files(knowledge.folder):
                (self.tmp / KNOWLEDGE).mkdir(exist_ok=True)
                shutil.copyfile(path, self.tmp / KNOWLEDGE / path.name)

    def write_bm25(self, bm25: BM25Index) -> None:
        """``bm25/``: the bm25s index files."""
        with writing(self.out_dir):
            bm25.save(self.tmp / BM25_DIR)

    def write_dense(self, vectors: np.ndarray, index_type: str = "flat") -> None:
        """``dense.faiss``: exact inner product (flat) or an HNSW graph over the rows."""
        import faiss

        if index_type not in INDEX_TYPES:
            raise ValueError(f"index_type must be one of {INDEX_TYPES}, not {index_type!r}")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if index_type == "hnsw":
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = 128
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        with writing(self.out_dir):
            try:
                faiss.write_index(index, str(self.tmp / DENSE))
            except RuntimeError as err:  # FAISS reports failed writes this way
                path = str(self.tmp / DENSE)
                raise OSError(errno.EIO, f"FAISS could not write it ({err})", path) from err

    def commit(self, manifest: Mapping[str, Any]) -> Path:
        """Checksum every file, write ``manifest.json`` last, then swap the folder into place."""
        files = {
            p.relative_to(self.tmp).as_posix(): sha256_file(p)
            for p in sorted(self.tmp.rglob("*"))
            if p.is_file()
        }
        for required in (CLAUSES, UNITS, DENSE, TERMS):
            if required not in files:
                raise ValueError(f"index is incomplete: {required} was not written")
        full = {
            "format_version": FORMAT_VERSION,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            **manifest,
            "files": files,
        }
        with writing(self.out_dir):
            (self.tmp / MANIFEST).write_text(
                json.dumps(full, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            _swap_in(self.tmp, self.out_dir)
        self._committed = True
        log.info("index written to %s", self.out_dir)
        return self.out_dir


def _fresh_dir(beside: Path, tag: str) -> Path:
    """A new hidden folder next to ``beside``; unlike mkdtemp it keeps the umask's permissions."""
    for _ in range(100):
        path = beside.with_name(f".{beside.name}.{tag}-{secrets.token_hex(4)}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"cannot create a temporary folder beside {beside}")


def _replaceable(path: Path) -> bool:
    # Never delete a folder that does not look like ours: --out . would wipe a checkout.
    return path.is_dir() and ((path / MANIFEST).is_file() or not any(path.iterdir()))


def _swap_in(new: Path, target: Path) -> None:
    """Rename ``new`` to ``target``; an existing ``target`` is renamed away first, then deleted."""
    old: Path | None = None
    if target.exists():
        old = _fresh_dir(target, "old")
        old.rmdir()
        os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
