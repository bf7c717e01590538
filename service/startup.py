"""Start-up: the engine opened from the settings, its index built when missing and
rebuilt (or only warned about) when the corpus changed since it was built.

The CLI opens with ``on_stale="rebuild"``; a server with ``"warn"``, so that its
answers never change under its users' feet. Builds hold the index's build lock,
so concurrent processes build once and the others load what was built.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.build import build_index
from indexer.build_lock import build_lock
from indexer.freshness import stale_files
from indexer.store import FORMAT_VERSION, MANIFEST
from service.config import Settings, limits_of
from service.engine import Engine
from service.query import Limits
from service.retrieve import RetrievalConfig

log = logging.getLogger(__name__)

STALE_ACTIONS = ("rebuild", "warn")


def open_engine(
    index_dir: Path,
    corpus_dir: Path,
    embedder: str,
    *,
    query_instruction: str = "",
    config: RetrievalConfig | None = None,
    limits: Limits | None = None,
    scope_model: bool = True,
    on_stale: str = "rebuild",
    embed_threads: int | None = None,
) -> Engine:
    """Load the index in ``index_dir``, building it from ``corpus_dir`` first if it is missing.

    When files of the corpus the index was built from (``policyqa index --corpus`` may
    have named another folder) changed since, ``on_stale`` decides: ``"rebuild"`` (the
    CLI) rebuilds it first, ``"warn"`` (a server) logs which files changed and serves
    the index as it is; ``Engine.stale`` names them. A build uses every core;
    ``embed_threads`` is what each question then embeds with.

    Raises:
        IndexNotFound / IndexCorrupt / IndexMismatch: the index cannot be used.
        IndexWriteError: the missing or stale index cannot be written.
        CorpusError / ParseError: the corpus it is built from cannot be read.
    """
    if on_stale not in STALE_ACTIONS:
        raise ValueError(f"on_stale must be one of {STALE_ACTIONS}, not {on_stale!r}")
    rebuild = on_stale == "rebuild"
    ensure_index(index_dir, corpus_dir, embedder, query_instruction, rebuild_stale=rebuild)
    engine = Engine.load(
        index_dir,
        embedder=embedder,
        config=config or RetrievalConfig(),
        query_instruction=query_instruction,
        limits=limits,
        scope_model=scope_model,
        embed_threads=embed_threads,
    )
    built_from = Path(engine.index.manifest.get("corpus", {}).get("dir", corpus_dir))
    engine.stale = tuple(stale_files(engine.index.manifest, built_from))
    if engine.stale:
        log.warning(
            "the corpus in %s changed since the index at %s was built (%s); serving the "
            "index as it is: run `policyqa index` or restart/reload to pick them up",
            built_from,
            index_dir,
            ", ".join(engine.stale),
        )
    engine.warm_up()
    return engine


def ensure_index(
    index_dir: Path,
    corpus_dir: Path,
    embedder: str,
    query_instruction: str = "",
    *,
    rebuild_stale: bool = False,
    threads: int | None = None,
) -> Path:
    """Return ``index_dir``, building it with the defaults (with progress) if none exists.

    With ``rebuild_stale``, an index whose corpus files changed since it was built is
    rebuilt too: from the corpus folder it was built from, with the settings it was
    built with. The check is repeated under the build lock, so a process that waited
    there for another one's build finds the index ready and only loads it.
    ``threads``: the embedder's threads for a build (None: every core).
    """
    index_dir = Path(index_dir)
    plan = _plan_build(index_dir, Path(corpus_dir), embedder, query_instruction, rebuild_stale)
    if plan is None:
        return index_dir
    log.warning("%s", plan.reason)
    with build_lock(index_dir):
        plan = _plan_build(index_dir, Path(corpus_dir), embedder, query_instruction, rebuild_stale)
        if plan is None:
            log.info("another process built %s meanwhile; loading it", index_dir)
            return index_dir
        build_index(plan.corpus_dir, index_dir, plan.embedder, threads=threads, **plan.options)
    return index_dir


@dataclass(frozen=True)
class _Build:
    """Why ``ensure_index`` builds, from which corpus, and how."""

    reason: str
    corpus_dir: Path
    embedder: str
    options: dict[str, Any]


def _plan_build(
    index_dir: Path, corpus_dir: Path, embedder: str, query_instruction: str, rebuild_stale: bool
) -> _Build | None:
    if not (index_dir / MANIFEST).is_file():
        reason = f"no index at {index_dir}; building one from {corpus_dir} with {embedder}"
        return _Build(reason, corpus_dir, embedder, {"query_instruction": query_instruction})
    if not rebuild_stale:
        return None
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
        built_from = Path(manifest["corpus"]["dir"])
        options = {
            "query_instruction": str(manifest.get("query_instruction", "")),
            "heading_context": bool(manifest.get("heading_context", True)),
            "index_type": str(manifest.get("index_type", "flat")),
            "granularity": str(manifest.get("unit_granularity", "clause")),
        }
        spec = str(manifest["embedder"])
        version = manifest.get("format_version")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None  # loading the index says what is wrong with it
    if isinstance(version, int) and version < FORMAT_VERSION and built_from.is_dir():
        # An index an older policy-qa wrote, from a corpus that is still there.
        reason = (
            f"the index at {index_dir} has format version {version}, this policy-qa "
            f"writes version {FORMAT_VERSION}; rebuilding it from {built_from}"
        )
        return _Build(reason, built_from, spec, options)
    changed = stale_files(manifest, built_from)
    if not changed:
        return None
    reason = (
        f"the corpus in {built_from} changed since the index at {index_dir} was built "
        f"({', '.join(changed)}); rebuilding it"
    )
    return _Build(reason, built_from, spec, options)


def open_configured(
    settings: Settings, *, index_dir: Path | None = None, on_stale: str = "rebuild"
) -> Engine:
    """:func:`open_engine` with everything taken from the one settings object: the CLI
    (``on_stale="rebuild"``) and the server (``"warn"``) open their engine here."""
    return open_engine(
        index_dir or settings.index_dir,
        settings.corpus_dir,
        settings.embedder,
        query_instruction=settings.query_instruction,
        limits=limits_of(settings),
        scope_model=settings.scope_model,
        on_stale=on_stale,
        embed_threads=settings.embed_threads,
    )
