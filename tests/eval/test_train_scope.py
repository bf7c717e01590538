"""Training the wording model: only tuning questions, and the shipped file is reproducible."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.train_scope import (
    WRITING_ORDER,
    Example,
    batch_of,
    choose_threshold,
    forward_validate,
    load_examples,
    train,
    write_model,
)
from service.scope_model import MODEL_FILE, ScopeModel

ROOT = Path(__file__).resolve().parents[2]


def test_training_never_reads_the_test_split() -> None:
    examples = load_examples()
    ids = {e.id for e in examples}
    with (ROOT / "eval" / "gold.jsonl").open(encoding="utf-8") as lines:
        gold = [json.loads(line) for line in lines]
    test_ids = {r["id"] for r in gold if r["split"] == "test"}
    assert test_ids and not ids & test_ids
    assert {r["id"] for r in gold if r["split"] == "dev"} <= ids
    assert any(e.out_of_scope for e in examples) and not all(e.out_of_scope for e in examples)


@pytest.mark.parametrize(
    ("question_id", "batch"),
    [
        ("q001", "gold-1"),
        ("q278", "gold-1"),
        ("q279", "gold-2"),
        ("c001", "cal-1"),
        ("c080", "cal-1"),
        ("c081", "cal-81"),
        ("c999", "cal-881"),
        ("c1000", "cal-1000"),
    ],
)
def test_batches_follow_the_writing_rounds(question_id: str, batch: str) -> None:
    assert batch_of(question_id) == batch


def test_every_batch_of_the_data_has_its_place_in_the_writing_order() -> None:
    assert {e.batch for e in load_examples()} == set(WRITING_ORDER)


def test_forward_validation_refuses_a_batch_it_cannot_place() -> None:
    stray = Example("c5000", "港珠澳大桥收费标准是多少", True, "cal-5000")
    with pytest.raises(ValueError, match="cal-5000"):
        forward_validate([stray])


def test_the_threshold_leaves_the_allowed_share_of_answerable_questions_above_it() -> None:
    scores = [i / 1000 for i in range(1000)]
    labels = [False] * 1000
    threshold = choose_threshold(scores, labels, 0.005)
    assert sum(s >= threshold for s in scores) <= 5
    assert sum(s >= threshold - 0.002 for s in scores) >= 5


def test_retraining_reproduces_the_shipped_model(tmp_path: Path) -> None:
    model, summary = train()
    out = tmp_path / "scope_model.json"
    write_model(model, out, summary)
    shipped, fresh = ScopeModel.load(MODEL_FILE), ScopeModel.load(out)
    assert fresh.threshold == pytest.approx(shipped.threshold, abs=1e-3)
    assert fresh.idf.keys() == shipped.idf.keys()
    shipped_data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert summary == shipped_data["trained_on"]
    for question in ["港珠澳大桥收费标准是多少", "铁路项目由谁牵头？", "What is the toll?"]:
        assert fresh.probability(question) == pytest.approx(shipped.probability(question), abs=1e-3)
