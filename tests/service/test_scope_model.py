"""The learned wording check of declines: the shipped model file, and how it loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.errors import ModelError
from indexer.knowledge import PROJECT_KNOWLEDGE, Knowledge, load_knowledge, using
from indexer.tokenize import normalize
from service.scope_model import MODEL_FILE, ScopeModel, char_ngrams, model_of, weigh


@pytest.mark.parametrize(
    ("text", "grams"),
    [
        ("谁牵头", {"谁牵": 1, "牵头": 1, "谁牵头": 1}),
        # Read as given: the question was normalized when it was read.
        ("区域ab", {"区域": 1, "域a": 1, "ab": 1, "区域a": 1, "域ab": 1}),
        ("  a   b ", {"a ": 1, " b": 1, "a b": 1}),
        ("哈哈哈", {"哈哈": 2, "哈哈哈": 1}),
        ("谁", {}),
    ],
)
def test_char_ngrams(text: str, grams: dict[str, int]) -> None:
    assert dict(char_ngrams(text)) == grams


def test_a_question_is_scored_in_its_normalized_form() -> None:
    # Traditional → simplified, full-width → ASCII: the reading's ``normalized``.
    model = ScopeModel.load(MODEL_FILE)
    simplified = normalize("港珠澳大桥收费标准是多少？")
    traditional = "港珠澳大橋收費標準是多少？"
    assert model.probability(normalize(traditional)) == model.probability(simplified)
    assert model.probability(simplified) != model.probability(traditional)


def test_weights_have_unit_length_and_skip_unknown_grams() -> None:
    weights = weigh(char_ngrams("谁牵头谁"), {"谁牵": 2.0, "牵头": 1.0})
    assert set(weights) == {"谁牵", "牵头"}
    assert sum(w * w for w in weights.values()) == pytest.approx(1.0)
    assert weigh(char_ngrams("完全陌生"), {"谁牵": 2.0}) == {}


def test_the_shipped_model_loads_with_a_threshold_between_0_and_1() -> None:
    model = ScopeModel.load(MODEL_FILE)
    assert 0.5 < model.threshold < 1.0
    assert len(model.idf) > 1000
    assert model.sizes == (2, 3)
    # A question of no known n-gram scores the bias alone.
    assert 0.0 < model.probability("☃") < 1.0


def test_the_model_is_knowledge_of_the_corpus() -> None:
    """Trained for this corpus, it lives in its knowledge folder and loads from there."""
    assert MODEL_FILE == PROJECT_KNOWLEDGE / "scope_model.json"
    knowledge = load_knowledge(PROJECT_KNOWLEDGE)
    assert knowledge.scope_model == MODEL_FILE
    shipped = ScopeModel.load(MODEL_FILE)
    assert model_of(knowledge) == shipped
    # Without a path: the active knowledge's model (the project's, in tests).
    assert ScopeModel.load() == shipped


def test_a_document_without_a_model_has_none() -> None:
    assert model_of(Knowledge()) is None
    with using(Knowledge()), pytest.raises(ModelError, match="no out-of-scope model"):
        ScopeModel.load()


def test_a_knowledge_folder_with_a_bad_model_says_what_to_run(tmp_path: Path) -> None:
    (tmp_path / "scope_model.json").write_text("{", encoding="utf-8")
    with pytest.raises(ModelError, match=r"python -m eval\.train_scope"):
        model_of(load_knowledge(tmp_path))


def test_an_empty_model_scores_by_its_bias(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(
        json.dumps({"format": 1, "sizes": [2], "intercept": 0.0, "threshold": 0.6, "features": {}}),
        encoding="utf-8",
    )
    model = ScopeModel.load(path)
    assert model.probability("港珠澳大桥收费标准是多少") == 0.5
    assert not model.declines("港珠澳大桥收费标准是多少")


@pytest.mark.parametrize(
    "content",
    [
        "",  # truncated to nothing
        '{"format": 1, "sizes": [2, 3], "intercept": 0.1',  # cut off mid-file
        '{"format": 2, "sizes": [2], "intercept": 0, "threshold": 0.5, "features": {}}',
        '{"format": 1, "sizes": [2], "threshold": 0.5, "features": {}}',  # no intercept
        '{"format": 1, "sizes": [2], "intercept": 0, "threshold": 0.5, "features": {"ab": 1}}',
    ],
)
def test_a_bad_model_file_says_what_to_run(tmp_path: Path, content: str) -> None:
    path = tmp_path / "scope_model.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ModelError, match=r"python -m eval\.train_scope"):
        ScopeModel.load(path)


def test_a_missing_model_file_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="train_scope"):
        ScopeModel.load(tmp_path / "nothing.json")


def test_the_model_file_is_plain_json_with_its_training_summary() -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    summary = data["trained_on"]
    assert summary["questions"] > summary["out_of_scope"] > 0
    # Validation flagged at most the allowed share of answerable questions.
    assert summary["validated_answerable_flagged"] <= 0.005
    assert summary["validated_questions"] < summary["questions"]
