"""The question cues (service/data/*.toml) as tables: every example each cue carries."""

from __future__ import annotations

import re

import pytest

from indexer.tokenize import normalize
from service.cues import CUE_FILES, CUES_DIR, all_cues, cue, cue_words, cues, source

_PATTERNS = [c for c in all_cues().values() if c.is_pattern]
_MATCHES = [(c.name, text) for c in _PATTERNS for text in c.match]
_MISSES = [(c.name, text) for c in _PATTERNS for text in c.miss]


@pytest.mark.parametrize(("name", "text"), _MATCHES)
def test_cue_matches_its_examples(name: str, text: str) -> None:
    assert cue(name).search(normalize(text)), f"{name} should read {text!r}"


@pytest.mark.parametrize(("name", "text"), _MISSES)
def test_cue_misses_its_counter_examples(name: str, text: str) -> None:
    assert not cue(name).search(normalize(text)), f"{name} should not read {text!r}"


def test_the_examples_cover_the_main_readings() -> None:
    names = {name for name, _ in _MATCHES}
    for required in ("lead.asks", "count.asks", "followup.elliptical", "asks.amount", "asks.time"):
        assert required in names


@pytest.mark.parametrize("entry", _PATTERNS, ids=lambda c: c.name)
def test_every_pattern_compiles_and_has_no_empty_alternative(entry) -> None:
    assert all(alt for alt in entry.alternatives), entry.name
    re.compile(source(entry.name))


def test_word_lists_are_sets_of_words() -> None:
    assert "哪些" in cue_words("focus.ask_words")
    with pytest.raises(TypeError, match="word list"):
        cue("focus.ask_words")
    with pytest.raises(TypeError, match="pattern"):
        cue_words("lead.asks")


def test_an_unknown_cue_names_the_files_to_look_in() -> None:
    with pytest.raises(KeyError, match=r"question_forms\.toml"):
        cue("no.such.cue")


def test_cues_by_prefix_keep_file_order() -> None:
    kinds = list(cues("asks"))
    assert kinds[0] == "amount" and "time" in kinds
    assert set(cues("evidence")) <= set(kinds) | {"count"}


def test_the_data_files_are_where_the_docs_say() -> None:
    for name in CUE_FILES:
        assert (CUES_DIR / name).is_file()
    assert "## Format" in (CUES_DIR / "README.md").read_text(encoding="utf-8")
