"""A real ``policyqa serve`` process on a free port: start it, wait until every worker
answers, measure its memory, stop it. Used by ``eval.bench_http`` and by tests that
need a live server.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

try:
    import httpx
except ImportError as err:  # pragma: no cover - the dev extra brings it
    raise ImportError(
        "policyqa bench --http needs httpx: pip install -e '.[dev]' (or pip install httpx)"
    ) from err

from indexer.errors import PolicyQAError

ASK = "/v1/ask"
START_TIMEOUT_S = 180.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (the uvicorn workers), from ``/proc``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The name may hold spaces and parentheses: the fields start after the last ")".
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MB (psutil when installed,
    else ``VmRSS`` from ``/proc``). Pages shared between workers count once per worker."""
    try:
        import psutil
    except ImportError:
        pass
    else:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
        return sum(p.memory_info().rss for p in procs) / 1024 / 1024
    total_kb = 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


@contextlib.contextmanager
def serving(
    index_dir: Path | None, workers: int, log: IO[bytes], *, env: Mapping[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A ``policyqa serve`` process on a free port with the rate limit off and no API
    keys, its output to ``log``; stopped with SIGTERM (then killed) on exit."""
    port = free_port()
    environ = {**os.environ, "PYTHONUNBUFFERED": "1", "POLICYQA_RATE_LIMIT_PER_MINUTE": "0"}
    environ.pop("POLICYQA_API_KEYS", None)
    environ.update(env or {})
    command = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    if index_dir is not None:
        command += ["--index", str(index_dir)]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environ)
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_answering(
    process: subprocess.Popen[bytes], base: str, workers: int, timeout_s: float = START_TIMEOUT_S
) -> None:
    """Wait until ``/v1/ask`` answers 200 on enough fresh connections in a row that
    every worker must have loaded its index (each worker loads its own)."""
    needed = 8 * workers
    in_a_row = 0
    deadline = time.monotonic() + timeout_s
    while in_a_row < needed:
        if process.poll() is not None:
            raise PolicyQAError(f"the server exited with {process.returncode} before answering")
        if time.monotonic() > deadline:
            raise PolicyQAError(f"the server did not answer within {timeout_s:.0f} s")
        try:
            # A new connection each time, so the kernel may hand it to any worker.
            response = httpx.post(base + ASK, json={"question": "铁路项目由谁牵头？"}, timeout=30)
            in_a_row = in_a_row + 1 if response.status_code == 200 else 0
        except httpx.TransportError:
            in_a_row = 0
        if in_a_row == 0:
            time.sleep(0.2)
