"""Agencies named by their nicknames (the collection's agency_nicknames.txt), real catalog."""

from __future__ import annotations

import pytest

from indexer.knowledge import Knowledge, active, using
from service.catalog import Catalog
from service.engine import Engine
from service.nicknames import agency_by_nickname, without_nicknames


@pytest.fixture(scope="module")
def catalog(engine: Engine) -> Catalog:
    return engine.catalog


@pytest.mark.parametrize(
    ("text", "agencies"),
    [
        ("环保那边", ["省环境保护厅"]),
        ("人社要不要", ["省人力资源社会保障厅"]),
        ("海关在跟江西湖南共建无水港那条里", ["海关广东分署"]),
        ("工信", ["省经济和信息化委"]),
        # The last nickname is the one closest to the ask.
        ("旅游标识统一这块，交通", ["省交通运输厅"]),
        # 港澳 is not a nickname of 省港澳办; 质监 fits exactly one agency.
        ("港澳居民", []),
        ("质监", ["省质监局"]),
        ("环保局在社会治理那条里", ["省环境保护厅"]),
        # A nickname inside a noun names a topic, not the agency.
        ("跨省教育合作平台", []),
        ("水利设施建设", []),
    ],
)
def test_agency_by_nickname(catalog: Catalog, text: str, agencies: list[str]) -> None:
    assert agency_by_nickname(catalog, text) == agencies


def test_nicknames_are_the_active_knowledge(catalog: Catalog) -> None:
    """The table is the index's knowledge (agency_nicknames.txt), not a fixed file."""
    assert active().nicknames and agency_by_nickname(catalog, "环保那边") == ["省环境保护厅"]
    with using(Knowledge()):
        assert agency_by_nickname(catalog, "环保那边") == []
        assert without_nicknames("环保那边参不参与", ["省环境保护厅"]) == "环保那边参不参与"
    with using(Knowledge(nicknames=(("生态环境", "环境保护"),))):
        assert agency_by_nickname(catalog, "生态环境那边") == ["省环境保护厅"]
        assert agency_by_nickname(catalog, "环保那边") == []
    assert agency_by_nickname(catalog, "环保那边") == ["省环境保护厅"]


def test_without_nicknames_blanks_the_agency_words() -> None:
    env = ["省环境保护厅"]
    assert without_nicknames("环保局在社会治理那条里", env).strip() == "在社会治理那条里"
    assert without_nicknames("环保那边参不参与", env).strip() == "参不参与"
    # Another agency's nickname is a topic here.
    assert without_nicknames("发改在水利设施那条里", ["省发展改革委"]).strip() == (
        "在水利设施那条里"
    )


def test_without_bare_nicknames_keeps_the_topic_of_an_earlier_turn() -> None:
    """In an earlier turn a bare nickname is the work ("跟外省的农业合作"); only the
    agency it names by what follows (农业厅, 农业那边) is blanked."""
    farming = ["省农业厅"]
    earlier = "跟外省的农业合作写在哪条？农业那边管吗"
    assert without_nicknames(earlier, farming, bare=False) == "跟外省的农业合作写在哪条？ 管吗"
    assert "农业合作" not in without_nicknames(earlier, farming)
