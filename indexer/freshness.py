"""Corpus freshness: which corpus files changed since an index was built from them.

The build records a checksum of every corpus file it read (``manifest["corpus"]["files"]``,
from :func:`corpus_checksums`); :func:`stale_files` compares them with the corpus as it
is now, so start-up can rebuild or warn about a stale index.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from indexer.knowledge import FOLDER as KNOWLEDGE
from indexer.knowledge import knowledge_files
from indexer.store import sha256_file


def corpus_checksums(corpus_dir: Path, sources: Iterable[Path]) -> dict[str, str]:
    """sha256 of every metadata file of ``corpus_dir``, of the text ``sources`` and of
    the knowledge files (``knowledge/…``), keyed by their path relative to the folder
    (as ``manifest["corpus"]["files"]``)."""
    corpus_dir = Path(corpus_dir)
    paths = set(corpus_dir.glob("*.json")) | {Path(p) for p in sources}
    paths |= set(knowledge_files(corpus_dir / KNOWLEDGE))
    out = {}
    for path in sorted(paths):
        if path.is_file():
            try:
                key = path.resolve().relative_to(corpus_dir.resolve()).as_posix()
            except ValueError:
                key = str(path)
            out[key] = sha256_file(path)
    return out


def stale_files(manifest: Mapping[str, Any], corpus_dir: Path) -> list[str]:
    """Corpus files added, removed or changed since the index of ``manifest`` was built.

    The same files are compared as the build checksums: every ``*.json`` metadata
    file, the text file each one names, and the knowledge files. An index without
    corpus checksums, or a corpus folder that is not there (an index served without
    its corpus), reports nothing.

    >>> stale_files(load_index(Path("index")).manifest, Path("corpus"))  # doctest: +SKIP
    ['000_fca66a49a3ddd9d2.txt']
    """
    corpus_dir = Path(corpus_dir)
    built = manifest.get("corpus", {}).get("files") if isinstance(manifest, Mapping) else None
    if not isinstance(built, Mapping) or not corpus_dir.is_dir():
        return []
    now = corpus_checksums(corpus_dir, _named_sources(corpus_dir))
    return sorted(name for name in built.keys() | now.keys() if built.get(name) != now.get(name))


def _named_sources(corpus_dir: Path) -> list[Path]:
    """The text files the metadata files of ``corpus_dir`` name (unreadable ones skipped:
    the metadata file's own checksum already shows that it changed)."""
    sources = []
    for meta in corpus_dir.glob("*.json"):
        try:
            source = json.loads(meta.read_text(encoding="utf-8")).get("source")
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            continue
        if isinstance(source, str) and source:
            sources.append(corpus_dir / source)
    return sources
