"""The Pan-PRD member table that the region rules share."""

from __future__ import annotations

from service.regions import ABBREVIATIONS, HOME, MEMBERS, OTHER_MEMBERS


def test_the_table_holds_the_nine_provinces_and_the_two_regions() -> None:
    assert len(MEMBERS) == 11
    assert HOME in MEMBERS and HOME not in OTHER_MEMBERS
    assert {"香港", "澳门", "广西", "四川"} <= set(OTHER_MEMBERS)
    assert len(OTHER_MEMBERS) == 10


def test_every_member_has_its_own_one_character_abbreviation() -> None:
    assert all(len(a) == 1 for a in MEMBERS.values())
    assert len(set(ABBREVIATIONS)) == 11
    assert MEMBERS["广东"] == "粤" and MEMBERS["福建"] == "闽"
