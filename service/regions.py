"""The members of the Pan-Pearl River Delta ("9+2"): names and one-character abbreviations.

One table (``indexer/data/pprd_members.txt``) serves every rule that needs the
region: another member's agency is the asker, not the document's; an English
question that knows only the region's places asks about a place; a run of
abbreviations (粤桂琼) names several members.
"""

from __future__ import annotations

from indexer.tokenize import DATA_DIR, read_lines

HOME = "广东"


def _members() -> dict[str, str]:
    members = {}
    for line in read_lines(DATA_DIR / "pprd_members.txt"):
        name, abbreviation = line.split()
        members[name] = abbreviation
    return members


# name → abbreviation, in the table's order.
MEMBERS: dict[str, str] = _members()
OTHER_MEMBERS: tuple[str, ...] = tuple(name for name in MEMBERS if name != HOME)
ABBREVIATIONS: str = "".join(MEMBERS.values())
