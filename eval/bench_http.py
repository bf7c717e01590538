"""HTTP benchmark: ``POST /v1/ask`` on a real ``policyqa serve`` process.

For each worker count it starts the server on a free port (rate limit off, no API
keys), waits until every worker answers, warms it with the questions, then measures

- one client asking the questions in turn over one kept-alive connection
  (``rounds`` passes): p50 / p95 latency as the client sees it;
- ``clients`` concurrent clients (an asyncio httpx load generator, one connection
  each) asking for ``duration_s`` seconds: requests a second, errors, p50 / p95;
- the server's resident memory after the load, summed over its processes.

The load generator runs on the same machine and takes CPU from the server, and
anything else running skews the figures too: the report prints the load average.
Speed is reported here, never asserted in tests (``policyqa bench --http``).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import httpx
except ImportError as err:  # pragma: no cover - the dev extra brings it
    raise ImportError(
        "policyqa bench --http needs httpx: pip install -e '.[dev]' (or pip install httpx)"
    ) from err

from eval.metrics import percentile
from eval.serve_process import ASK, serving, tree_rss_mb, wait_until_answering
from indexer.errors import PolicyQAError

TARGET_P50_MS = 15.0
TARGET_RPS = 100.0
TARGET_RSS_MB = 350.0
Question = tuple[str, Sequence[str]]


@dataclass(frozen=True)
class LoadRun:
    """One measured run: ``clients`` clients against a server with ``workers`` workers."""

    workers: int
    clients: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    max_ms: float = float("nan")
    error_examples: tuple[str, ...] = ()

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class HttpBenchResult:
    """Every run, the server's memory by worker count, and what the machine was doing."""

    questions: int
    runs: tuple[LoadRun, ...]
    rss_mb: Mapping[int, float]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    cpus: int
    notes: list[str] = field(default_factory=list)


def _payloads(questions: Sequence[Question]) -> list[dict[str, Any]]:
    return [{"question": q, "history": list(h)} if h else {"question": q} for q, h in questions]


def sequential(base: str, payloads: Sequence[dict[str, Any]], rounds: int) -> list[float]:
    """Milliseconds of each request, one client, one connection, ``rounds`` passes."""
    times = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(rounds):
            for payload in payloads:
                started = time.perf_counter()
                response = client.post(ASK, json=payload)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise PolicyQAError(f"{ASK} answered {response.status_code}: {response.text}")
                times.append(elapsed)
    return times


async def _load(
    base: str, payloads: Sequence[dict[str, Any]], clients: int, duration_s: float
) -> tuple[list[float], list[str], float]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    times: list[float] = []
    errors: list[str] = []
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        stop = started + duration_s

        async def one_client(n: int) -> None:
            turn = n
            while time.perf_counter() < stop:
                payload = payloads[turn % len(payloads)]
                turn += clients
                sent = time.perf_counter()
                try:
                    response = await client.post(ASK, json=payload)
                except httpx.HTTPError as err:
                    errors.append(f"{type(err).__name__}: {err}")
                    continue
                if response.status_code == 200:
                    times.append((time.perf_counter() - sent) * 1000)
                else:
                    errors.append(f"HTTP {response.status_code}: {response.text[:200]}")

        await asyncio.gather(*(one_client(n) for n in range(clients)))
        seconds = time.perf_counter() - started
    return times, errors, seconds


def concurrent(
    base: str, payloads: Sequence[dict[str, Any]], clients: int, duration_s: float
) -> tuple[list[float], list[str], float]:
    """``clients`` clients asking for ``duration_s``: latencies of the answered requests
    (ms), the errors, and the seconds it took (the last requests end after the bell)."""
    return asyncio.run(_load(base, payloads, clients, duration_s))


def _pct(times: Sequence[float], q: float) -> float:
    value = percentile(list(times), q)
    return float("nan") if value is None else value


def _run(
    workers: int, clients: int, times: Sequence[float], errors: Sequence[str], seconds: float
) -> LoadRun:
    return LoadRun(
        workers=workers,
        clients=clients,
        requests=len(times) + len(errors),
        errors=len(errors),
        seconds=seconds,
        p50_ms=_pct(times, 50),
        p95_ms=_pct(times, 95),
        max_ms=max(times) if times else float("nan"),
        error_examples=tuple(dict.fromkeys(errors))[:3],
    )


def run_http_bench(
    questions: Sequence[Question],
    *,
    index_dir: Path | None = None,
    workers: Sequence[int] = (1, 2),
    clients: int = 64,
    duration_s: float = 10.0,
    rounds: int = 3,
    progress: Callable[[str], None] | None = None,
) -> HttpBenchResult:
    """Measure ``/v1/ask`` over HTTP for each worker count (see the module docstring).

    Raises:
        PolicyQAError: no questions, or a server that does not start or answers
            the single client with an error (its log's end is in the message).
    """
    if not questions:
        raise PolicyQAError("no questions to ask")
    say = progress or (lambda _m: None)
    payloads = _payloads(questions)
    runs: list[LoadRun] = []
    rss: dict[int, float] = {}
    load_before = os.getloadavg()
    for count in workers:
        with tempfile.TemporaryFile() as log:
            try:
                with serving(index_dir, count, log) as (process, base):
                    say(f"{count} worker(s): starting the server at {base}")
                    wait_until_answering(process, base, count)
                    say(f"{count} worker(s): warming up on {len(payloads)} questions")
                    concurrent(base, payloads[: max(clients, 1) * 2], min(clients, 8), 1.0)
                    sequential(base, payloads, 1)
                    say(f"{count} worker(s): one client, {rounds} pass(es)")
                    times = sequential(base, payloads, rounds)
                    runs.append(_run(count, 1, times, [], sum(times) / 1000))
                    say(f"{count} worker(s): {clients} clients for {duration_s:g} s")
                    times, errors, seconds = concurrent(base, payloads, clients, duration_s)
                    runs.append(_run(count, clients, times, errors, seconds))
                    rss[count] = tree_rss_mb(process.pid)
            except PolicyQAError as err:
                log.seek(0)
                tail = log.read().decode(errors="replace")[-2000:]
                raise PolicyQAError(f"{err}\n--- server log (end) ---\n{tail}") from err
    notes = [
        "latency is what the client sees: HTTP and JSON included",
        "RSS sums every server process (the supervisor too with several workers)",
    ]
    return HttpBenchResult(
        questions=len(questions),
        runs=tuple(runs),
        rss_mb=rss,
        load_before=load_before,
        load_after=os.getloadavg(),
        cpus=os.cpu_count() or 1,
        notes=notes,
    )


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def http_bench_text(result: HttpBenchResult) -> str:
    """A plain table of the runs, the memory, and the targets."""
    lines = [
        f"POST {ASK} on `policyqa serve` (rate limit off), {result.questions} questions",
        "load average before / after: "
        + " ".join(f"{x:.2f}" for x in result.load_before)
        + " / "
        + " ".join(f"{x:.2f}" for x in result.load_after)
        + f"  ({result.cpus} CPUs)",
        "",
        f"{'workers':>7} {'clients':>7} {'requests':>8} {'errors':>6} {'req/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'RSS MB':>7}",
    ]
    for run in result.runs:
        rss = result.rss_mb.get(run.workers)
        lines.append(
            f"{run.workers:>7} {run.clients:>7} {run.requests:>8} {run.errors:>6} "
            f"{run.rps:>7.1f} {run.p50_ms:>7.1f} {run.p95_ms:>7.1f} {run.max_ms:>7.0f} "
            + (f"{rss:>7.0f}" if rss is not None else f"{'-':>7}")
        )
        for example in run.error_examples:
            lines.append(f"        error: {example}")
    lines.append("")
    one = [r for r in result.runs if r.clients == 1]
    many = [r for r in result.runs if r.clients > 1]
    if one:
        first = next((r for r in one if r.workers == 1), one[0])
        ok = first.p50_ms <= TARGET_P50_MS
        lines.append(
            f"target p50 <= {TARGET_P50_MS:g} ms, one client: {first.p50_ms:.1f} ms "
            f"with {first.workers} worker(s), {_met(ok)}"
        )
    if many:
        top = max(many, key=lambda r: r.rps if r.errors == 0 else -1)
        ok = top.rps >= TARGET_RPS and top.errors == 0
        lines.append(
            f"target >= {TARGET_RPS:g} req/s at {top.clients} clients, no errors: "
            f"{top.rps:.1f} req/s with {top.workers} worker(s), {top.errors} errors, {_met(ok)}"
        )
    if 1 in result.rss_mb:
        rss1 = result.rss_mb[1]
        lines.append(
            f"target RSS <= {TARGET_RSS_MB:g} MB, one worker: {rss1:.0f} MB, "
            f"{_met(rss1 <= TARGET_RSS_MB)}"
        )
    lines.extend(f"note: {note}" for note in result.notes)
    return "\n".join(lines)
