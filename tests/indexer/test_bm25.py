"""BM25 over jieba tokens: full score vectors, unknown-token queries, save/load."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pytest

import indexer.bm25 as bm25_module
from indexer.bm25 import BM25Index
from indexer.expand import query_tokens
from indexer.tokenize import tokenize

DOCS = [
    "加快推进港珠澳大桥、深中通道等项目建设。(省交通运输厅牵头)",
    "共同实施大气污染防治行动方案，加强PM2.5、臭氧等主要大气污染物的联防联治。",
    "建立健全区域内疾病预防控制、突发公共卫生事件应急处理协调机制。推动医疗机构检查结果互认。",
    "清理阻碍要素合理流动的各种规定和做法，推动实施统一的市场准入制度和标准。(省发展改革委牵头)",
    "",  # a unit with no tokens must not break indexing
]


@pytest.fixture(scope="module")
def index() -> BM25Index:
    return BM25Index.build([tokenize(d) for d in DOCS])


@pytest.mark.parametrize(
    ("question", "best"),
    [
        ("港珠澳大桥什么时候建成", 0),
        ("大气污染怎么治理", 1),
        ("看病就医方面的合作", 2),  # only through the 看病就医 → 医疗 expansion
        ("发改委牵头哪些任务", 3),  # 发改委 → 发展改革委 matches 省发展改革委
    ],
)
def test_relevant_unit_scores_highest(index: BM25Index, question: str, best: int) -> None:
    scores = index.scores(query_tokens(question))
    assert int(scores.argmax()) == best
    assert scores[best] > 0


def test_scores_cover_every_unit(index: BM25Index) -> None:
    scores = index.scores(tokenize("大气污染"))
    assert scores.shape == (len(DOCS),)
    assert scores.dtype == np.float32
    assert index.n_units == len(DOCS)
    assert scores[4] == 0.0


@pytest.mark.parametrize("tokens", [[], ["完全未知的词"], ["", "qwertyuiop"]])
def test_query_without_known_tokens_scores_zero(index: BM25Index, tokens: list[str]) -> None:
    scores = index.scores(tokens)
    assert scores.shape == (len(DOCS),)
    assert not scores.any()


def test_unknown_tokens_do_not_change_known_scores(index: BM25Index) -> None:
    known = index.scores(["大气"])
    assert np.allclose(index.scores(["大气", "不存在的词"]), known)


def test_repeated_query_token_counts_once(index: BM25Index) -> None:
    assert np.allclose(index.scores(["大气", "大气"]), index.scores(["大气"]))


def test_save_and_load_give_the_same_scores(index: BM25Index, tmp_path: Path) -> None:
    index.save(tmp_path / "bm25")
    assert (tmp_path / "bm25" / "vocab.index.json").is_file()
    loaded = BM25Index.load(tmp_path / "bm25")
    assert loaded.n_units == index.n_units
    assert loaded.vocabulary_size == index.vocabulary_size
    for question in ("港珠澳大桥", "大气污染防治", "省发展改革委牵头", "无关问题"):
        tokens = query_tokens(question)
        assert np.array_equal(loaded.scores(tokens), index.scores(tokens))


def test_vocabulary_is_chinese_words_not_character_runs(index: BM25Index) -> None:
    # bm25s's default regex would make a whole clause one token; ours are words.
    assert index.scores(["港珠澳大桥"])[0] > 0
    assert index.scores(["深中通道"])[0] > 0


def test_docstring_examples() -> None:
    result = doctest.testmod(bm25_module)
    assert result.attempted >= 2
    assert result.failed == 0
