"""How much of an English question the glossary knows (service/english.py)."""

from __future__ import annotations

import pytest

from service.english import english_coverage, english_fit


@pytest.mark.parametrize(
    ("question", "coverage"),
    [
        ("Who leads the railway projects in Guangxi?", 0.75),  # all but "projects"
        # A plural counts as its glossary word, -ies as -y.
        ("Which Macao industries does Guangdong pledge to help develop?", 2 / 6),
        ("Which industry in Macao?", 1.0),
        ("Macao's industries", 1.0),  # a name's 's
        ("What is the current minimum wage?", 0.0),
    ],
)
def test_english_coverage(question: str, coverage: float) -> None:
    assert english_coverage(question) == pytest.approx(coverage)


def test_chinese_questions_have_no_english_fit() -> None:
    assert english_fit("铁路项目谁牵头？") is None
    fit = english_fit("Which industry in Macao?")
    assert fit is not None and fit.names_subject and "产业" in fit.terms
