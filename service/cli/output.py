"""How the commands print: JSON as the contract writes it, and a ``PolicyQAError`` as a
clean ``click.ClickException`` (no tracebacks for users)."""

from __future__ import annotations

import json

import click

from indexer.errors import PolicyQAError


def fail(err: PolicyQAError) -> click.ClickException:
    """The error as a ``ClickException`` that prints its message alone."""
    return click.ClickException(str(err))


def dump(obj: object) -> str:
    """``obj`` as indented JSON, Chinese left readable."""
    return json.dumps(obj, ensure_ascii=False, indent=2)
