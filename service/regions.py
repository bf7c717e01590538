"""The region the documents speak of (the Pan-Pearl River Delta, "9+2") and the home province.

One table, the active knowledge's ``region_members.txt`` and ``collection.toml``
(:mod:`indexer.knowledge`), serves every rule that needs the region: another member's
agency is the asker, not the document's; an English question that knows only the
region's places asks about a place; a run of abbreviations (粤桂琼) names several
members. A document without that knowledge has no region and no home.

The functions read the knowledge in force when they are called.
"""

from __future__ import annotations

from indexer.knowledge import active


def members() -> dict[str, str]:
    """Member name → one-character abbreviation, in the table's order."""
    return dict(active().members)


def home() -> str | None:
    """The home province (广东), or None when the knowledge names none."""
    return active().home


def other_members() -> tuple[str, ...]:
    """The members other than the home province."""
    here = home()
    return tuple(name for name, _ in active().members if name != here)


def places() -> frozenset[str]:
    """The places the whole collection is about: the members and ``collection.toml``'s
    ``places`` (an English question that knows only these asks about a place)."""
    return frozenset([*active().places, *members()])


def abbreviations() -> str:
    """Every member's abbreviation, in the table's order (粤桂琼闽…)."""
    return "".join(abbreviation for _, abbreviation in active().members)
