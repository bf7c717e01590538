"""``policyqa ask``: one question, or one a line from stdin (batch mode)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from indexer.errors import PolicyQAError
from service.batch import LineError, echoed, line_limit, parse_line, read_lines
from service.cli.engine_option import index_option, open_engine
from service.cli.output import dump, fail
from service.present import render_text

if TYPE_CHECKING:
    from service.engine import Engine

log = logging.getLogger(__name__)


@click.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the response contract as JSON.")
@click.option(
    "--history",
    multiple=True,
    help="An earlier question of the conversation (repeat for several), for follow-ups.",
)
@index_option
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
        engine = open_engine(index_dir)
        if question == "-":
            failed = _ask_lines(engine, as_json)
            if failed:
                raise click.ClickException(f"{failed} line(s) could not be answered")
            return
        result = answer_question(engine, question, history)
    except PolicyQAError as err:
        raise fail(err) from err
    click.echo(dump(result.to_dict()) if as_json else render_text(result))


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
