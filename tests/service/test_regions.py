"""The region table that the region rules share: the active knowledge's members and home."""

from __future__ import annotations

from indexer.knowledge import Knowledge, using
from service.regions import abbreviations, home, members, other_members, places


def test_the_table_holds_the_nine_provinces_and_the_two_regions() -> None:
    assert len(members()) == 11
    assert home() == "广东"
    assert home() in members() and home() not in other_members()
    assert {"香港", "澳门", "广西", "四川"} <= set(other_members())
    assert len(other_members()) == 10


def test_every_member_has_its_own_one_character_abbreviation() -> None:
    assert all(len(a) == 1 for a in members().values())
    assert len(set(abbreviations())) == 11
    assert members()["广东"] == "粤" and members()["福建"] == "闽"


def test_places_are_the_members_and_the_collections_places() -> None:
    assert {"广东", "香港", "深圳", "泛珠三角"} <= places()
    assert "铁路" not in places()


def test_the_functions_follow_the_active_knowledge() -> None:
    other = Knowledge(members=(("广州", "穗"), ("深圳", "深")), home="深圳")
    with using(other):
        assert members() == {"广州": "穗", "深圳": "深"}
        assert (home(), other_members(), abbreviations()) == ("深圳", ("广州",), "穗深")
        assert places() == {"广州", "深圳"}
    with using(Knowledge()):
        assert (members(), home(), other_members(), abbreviations()) == ({}, None, (), "")
        assert places() == frozenset()
    assert home() == "广东"
