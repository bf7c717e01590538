"""Doctests of the library modules read the project's own knowledge (its expansions,
cues and glossary). An earlier test in the same worker may have opened an engine
over another collection, which activates that collection's knowledge process-wide,
so each doctest runs with the project knowledge active."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _pytest.doctest import DoctestItem

from indexer.knowledge import default_knowledge, using


@pytest.fixture(autouse=True)
def _project_knowledge_for_doctests(request: pytest.FixtureRequest) -> Iterator[None]:
    if not isinstance(request.node, DoctestItem):
        yield
        return
    with using(default_knowledge()):
        yield
