"""The ``--index`` option and the engine it opens, for the commands that answer questions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from service.config import get_settings

if TYPE_CHECKING:
    from service.engine import Engine

index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Index folder (default: POLICYQA_INDEX_DIR or ./index); built when missing.",
)


def open_engine(index_dir: Path | None) -> Engine:
    """The engine over ``index_dir`` (or the configured one), built first when missing
    and rebuilt, with a warning, when the corpus changed since it was built."""
    from service.startup import open_configured

    return open_configured(get_settings(), index_dir=index_dir)
