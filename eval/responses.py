"""What an Answer-contract dict says: its cited keys, its status, its facts.

Pure functions over ``Answer.to_dict()`` dicts (or a server's JSON), so the same
code reads an in-process run or a deployed server; ``eval.scoring`` scores them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from eval.metrics import normalize_key


def citation_keys(response: Mapping[str, Any], field: str = "citations") -> list[str]:
    """The answer's cited target keys, in citation order, without repeats
    (``field="related"``: the keys of the clauses shown beside a decline)."""
    keys: list[str] = []
    for cite in response.get(field) or ():
        task = cite.get("task")
        key = normalize_key(task if task is not None else cite.get("section", ""))
        if key and key not in keys:
            keys.append(key)
    return keys


def response_status(response: Mapping[str, Any]) -> str | None:
    """The response's status: as given, else ``answered`` for an answer that did not
    abstain (a server from before statuses); None for an error or an ungraded decline."""
    if "error" in response:
        return None
    status = response.get("status")
    if status is not None:
        return str(status)
    return None if response.get("abstained") else "answered"


def answer_text(response: Mapping[str, Any]) -> str:
    """The text that may hold facts: a declined answer's words (what the document does
    not state, suggested questions) answer nothing, so they hold none."""
    return "" if response.get("abstained") else str(response.get("answer") or "")


def normalize_text(text: str) -> str:
    """Fold width and case, drop whitespace and commas, so facts match robustly."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if not ch.isspace() and ch not in ",、，")


def fact_hits(facts: Sequence[str], answer: str) -> list[bool]:
    """Which facts occur in the answer text.

    No special case for English questions: the facts are Chinese phrases, so an
    answer that does not quote the Chinese text misses them and is counted so.
    """
    norm = normalize_text(answer)
    return [normalize_text(f) in norm for f in facts]
