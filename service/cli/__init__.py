"""The ``policyqa`` command. It sits on top: it may import every package, nothing imports it.

Each command translates options into calls of library functions and turns
``PolicyQAError`` into a clean ``click.ClickException``: no tracebacks for users.
The commands live by what they do: ``index`` (inspect, index), ``ask``, ``evaluate``
(eval, bench); ``serve`` runs the HTTP service.
"""

from __future__ import annotations

import logging
import sys

import click

from service.cli.ask import ask
from service.cli.evaluate import bench, eval_command
from service.cli.index import index_command, inspect
from service.cli.output import fail
from service.cli.serve import serve
from service.config import SettingsError, get_settings


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
        raise fail(err) from err


cli.add_command(inspect)
cli.add_command(index_command)
cli.add_command(ask)
cli.add_command(eval_command)
cli.add_command(bench)

# The HTTP adapter lives in its own package; its command is only registered here.
cli.add_command(serve)


def main() -> None:  # pragma: no cover - console entry for `python -m service.cli`
    cli(sys.argv[1:])
