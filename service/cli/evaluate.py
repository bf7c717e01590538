"""``policyqa eval`` and ``policyqa bench``: answer quality on the gold questions, and
speed, memory and index size (in process, or over HTTP)."""

from __future__ import annotations

from pathlib import Path

import click

from indexer.errors import PolicyQAError
from service.cli.engine_option import index_option, open_engine
from service.cli.output import dump, fail
from service.config import get_settings


@click.command("eval")
@click.option(
    "--set",
    "set_spec",
    default="dev",
    show_default=True,
    help="Questions to ask: dev, test, all, or a gold JSONL FILE.",
)
@index_option
@click.option(
    "--compare",
    is_flag=True,
    help="Also compare BM25/dense/hybrid, each installed embedder, with/without heading context.",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write every metric, per-question score and failure as JSON.",
)
@click.option(
    "--report",
    "report_out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a markdown report, with PNG charts next to it.",
)
@click.option(
    "--gate/--no-gate",
    default=False,
    help="Exit non-zero when a metric misses its bound in eval/thresholds.json.",
)
def eval_command(
    set_spec: str,
    index_dir: Path | None,
    compare: bool,
    json_out: Path | None,
    report_out: Path | None,
    gate: bool,
) -> None:
    """Score the answers on the gold questions: retrieval, citations, facts, declines, latency."""
    import dataclasses

    from eval.gate import check_gate, gate_message, load_thresholds
    from eval.report import summary_text, write_report
    from eval.run import compare_configs, embedder_name, run_eval, select_rows

    settings = get_settings()

    def progress(message: str) -> None:
        click.echo(message, err=True)

    try:
        rows = select_rows(set_spec)
        engine = open_engine(index_dir)
        progress(f"asking {len(rows)} questions")
        label = f"{Path(set_spec).name} · {embedder_name(settings.embedder)}"
        result = run_eval(rows, engine, label=label, progress=progress)
        if compare:
            table = compare_configs(rows, settings.corpus_dir, progress=progress)
            result = dataclasses.replace(result, comparison=table)
        thresholds = load_thresholds() if gate or report_out else None
    except PolicyQAError as err:
        raise fail(err) from err
    click.echo(summary_text(result))
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(dump({"set": set_spec, **result.to_dict()}) + "\n", encoding="utf-8")
        progress(f"wrote {json_out}")
    if report_out:
        for path in write_report(result, report_out, thresholds):
            progress(f"wrote {path}")
    if gate and thresholds is not None:
        if set_spec != thresholds.set:
            progress(f"note: the gate's bounds were set on the {thresholds.set} split")
        message = gate_message(check_gate(result.summary, thresholds))
        if message:
            raise click.ClickException(message)
        progress("quality gate passed")


@click.command()
@click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Time this existing index instead of building a fresh one.",
)
@click.option("--rounds", default=3, show_default=True, help="Timed passes over the questions.")
@click.option(
    "--set",
    "set_spec",
    default="all",
    show_default=True,
    help="Questions to time: dev, test, all, or a gold JSONL FILE.",
)
@click.option(
    "--http",
    "over_http",
    is_flag=True,
    help="Time POST /v1/ask on a real `policyqa serve` instead (the configured index, "
    "or --index): one client, then --clients at once, for each --workers.",
)
@click.option(
    "--clients",
    default=64,
    show_default=True,
    type=click.IntRange(1, 1024),
    help="With --http: concurrent clients.",
)
@click.option(
    "--duration",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.5, 600),
    help="With --http: seconds of concurrent load for each worker count.",
)
@click.option(
    "--workers",
    multiple=True,
    type=click.IntRange(1, 16),
    help="With --http: a worker count to run (repeatable; default 1 and 2).",
)
def bench(
    index_dir: Path | None,
    rounds: int,
    set_spec: str,
    over_http: bool,
    clients: int,
    duration: float,
    workers: tuple[int, ...],
) -> None:
    """Measure index build time, warm per-question latency, memory and index size;
    with --http, latency, throughput and memory of the HTTP service."""
    from eval.run import select_rows

    settings = get_settings()

    def say(message: str) -> None:
        click.echo(message, err=True)

    try:
        rows = select_rows(set_spec)
        questions = [(r.question, r.history) for r in rows]
        if over_http:
            from eval.bench_http import http_bench_text, run_http_bench

            http_result = run_http_bench(
                questions,
                index_dir=index_dir,
                workers=workers or (1, 2),
                clients=clients,
                duration_s=duration,
                rounds=rounds,
                progress=say,
            )
            click.echo(http_bench_text(http_result))
            return
        from eval.bench import bench_text, run_bench

        result = run_bench(
            settings.corpus_dir,
            questions,
            embedder=settings.embedder,
            index_dir=index_dir,
            rounds=rounds,
            embed_threads=settings.embed_threads,
            progress=say,
        )
    except PolicyQAError as err:
        raise fail(err) from err
    click.echo(bench_text(result))
