"""``policyqa serve``: the HTTP service on uvicorn (registered in ``service/cli/__init__.py``; the
app itself is ``service.http.main.create_app``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import click

from indexer.errors import PolicyQAError
from service.cli.engine_option import index_option
from service.config import get_settings

log = logging.getLogger(__name__)

FACTORY = "service.http.main:create_app"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@index_option
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes; each loads its own copy of the index.",
)
def serve(host: str, port: int, index_dir: Path | None, workers: int) -> None:
    """Serve the ask API and the OpenAI-compatible chat API over HTTP.

    The index loads once per worker at startup (built first when missing);
    /healthz answers at once, /readyz once the index is in. API docs: /docs.
    """
    import uvicorn

    try:
        settings = get_settings()
    except PolicyQAError as err:
        raise click.ClickException(str(err)) from err
    if index_dir is not None:
        settings = settings.model_copy(update={"index_dir": index_dir})
    click.echo(f"policy-qa on http://{host}:{port}/  (API docs: /docs)", err=True)
    from service.http.observe import log_config

    # The app writes its own JSON access lines (policyqa.access) in place of
    # uvicorn's; on SIGTERM in-flight requests get graceful_shutdown_s to finish.
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "access_log": False,
        "log_config": log_config(),
        "timeout_graceful_shutdown": settings.graceful_shutdown_s,
    }
    if workers == 1:
        from service.http.main import create_app

        uvicorn.run(create_app(settings), **options)
        return
    # Workers are fresh processes that build their app from FACTORY and read their
    # settings from the environment, so --index travels as the variable. The index is
    # built here first, so the workers do not all build it at once.
    from service.startup import ensure_index

    if index_dir is not None:
        os.environ["POLICYQA_INDEX_DIR"] = str(index_dir.resolve())
    try:
        ensure_index(
            settings.index_dir, settings.corpus_dir, settings.embedder, settings.query_instruction
        )
    except PolicyQAError as err:
        raise click.ClickException(str(err)) from err
    uvicorn.run(FACTORY, factory=True, workers=workers, **options)
