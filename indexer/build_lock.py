"""The build lock: one build of an index at a time, and what killed builds left cleaned up.

A build holds the lock of its output folder (``<parent>/.<name>.lock``) while it
writes; :class:`indexer.writer.IndexWriter` does the writing itself.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from indexer.store import MANIFEST
from indexer.writer import writing

log = logging.getLogger(__name__)

_held = threading.local()  # lock paths this thread holds, with their depth


@contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold the exclusive build lock of ``out_dir`` (``<parent>/.<name>.lock``).

    Another process (or thread) building the same index waits here; the holder
    first removes what killed builds left beside the index. Re-entrant within a
    thread, so ``ensure_index`` can hold it around ``build_index``.

    Raises:
        IndexWriteError: the lock file cannot be created (a read-only or impossible path).
    """
    out_dir = Path(out_dir).resolve()
    path = out_dir.with_name(f".{out_dir.name}.lock")
    depth: dict[Path, int] = _held.__dict__.setdefault("depth", {})
    if depth.get(path):
        depth[path] += 1
        try:
            yield
        finally:
            depth[path] -= 1
        return
    fd = _lock(path, out_dir)
    try:
        depth[path] = 1
        remove_leftovers(out_dir)
        yield
    finally:
        depth.pop(path, None)
        # Unlinked before it is released: a waiter then finds its file gone and retries.
        with suppress(OSError):
            path.unlink()
        os.close(fd)


def _lock(path: Path, out_dir: Path) -> int:
    """Open and lock ``path``; retried while the file that was locked is no longer there."""
    waited = False
    while True:
        with writing(out_dir):
            out_dir.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not waited:
                    log.warning(
                        "waiting for another build of %s to finish (lock %s)", out_dir, path
                    )
                    waited = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            mine = os.fstat(fd)
            now = os.stat(path)
        except FileNotFoundError:
            os.close(fd)
            continue
        except BaseException:
            os.close(fd)
            raise
        if (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino):
            return fd
        os.close(fd)


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Delete the ``.<name>.new-*``/``.<name>.old-*`` folders of builds that were killed;
    return them.

    Call only with the build lock held: then no build is running, so all are stale.
    """
    out_dir = Path(out_dir).resolve()
    if not out_dir.parent.is_dir():
        return []
    found = sorted(
        p
        for tag in ("new", "old")
        for p in out_dir.parent.glob(f".{out_dir.name}.{tag}-*")
        if p.is_dir() and not p.is_symlink()
    )
    # Killed between its two renames, a build leaves no index but the old one renamed
    # away (complete: the manifest is written last): put that back.
    olds = [
        p for p in found if p.name.startswith(f".{out_dir.name}.old-") and (p / MANIFEST).is_file()
    ]
    if olds and not out_dir.exists():
        old = max(olds, key=lambda p: p.stat().st_mtime)
        log.warning("restoring %s from %s, left by a build that did not finish", out_dir, old)
        with writing(out_dir):
            os.rename(old, out_dir)
        found.remove(old)
    for path in found:
        log.warning("removing %s, left by a build that did not finish", path)
        shutil.rmtree(path, ignore_errors=True)
    return found
