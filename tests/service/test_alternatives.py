"""Reading the choices of an alternative question (real jieba)."""

from __future__ import annotations

import pytest

from indexer.tokenize import normalize
from service.alternatives import names_an_option, options, options_removed
from service.answer_type import read_asked


@pytest.mark.parametrize(
    ("question", "choices"),
    [
        ("琼州海峡跨海通道最后定的是建桥还是修隧道？", ("建桥", "隧道")),
        # What both options share (方案) names neither.
        ("琼州海峡跨海通道最后定的是桥还是隧道方案", ("隧道",)),
        ("失业金是按转出地还是转入地的标准发？", ("转出", "转入")),
        ("中山到澳门那条高速，是马上开建还是先研究？", ("马上", "开建", "研究")),
        ("莲塘口岸是只走旅客还是客货都走", ("旅客", "客货")),
        # Roles are answered by the responsibility note in its own words.
        ("交通厅在大气污染那条里是牵头还是配合？", ()),
        # Every case, not a choice.
        ("人社厅的分工，不管是牵头的还是配合的，涉及哪几项？", ()),
        # An option that is itself a question.
        ("发展基金是广东自己出还是跟谁一起设？", ()),
        ("港珠澳大桥谁牵头？", ()),
    ],
)
def test_options(question: str, choices: tuple[str, ...]) -> None:
    assert options(normalize(question)) == choices


@pytest.mark.parametrize(
    ("choices", "evidence", "named"),
    [
        (("建桥", "隧道"), "加快推进琼州海峡跨海通道前期工作", False),
        (("马上", "开建", "研究"), "研究推进中山至澳门沿江高速", True),
        ((), "任何证据", True),
    ],
)
def test_names_an_option(choices: tuple[str, ...], evidence: str, named: bool) -> None:
    assert names_an_option(choices, evidence) is named


@pytest.mark.parametrize(
    ("question", "kept", "kinds"),
    [
        # "已经" describes one option: the question asks which, not how far things are.
        ("外国游客团入境免签，是已经定了还是一起探索？", "外国游客团入境免签", ()),
        # The fine is what is asked about; only the options (上游省/下游省) go.
        ("偷排被查处后，罚款归上游省还是下游省？", "罚款", ("amount",)),
        ("没有选项的问题，罚款多少？", "罚款多少", ("amount", "number")),
    ],
)
def test_kinds_are_read_outside_the_options(
    question: str, kept: str, kinds: tuple[str, ...]
) -> None:
    rest = options_removed(normalize(question))
    assert kept in rest and len(rest) == len(normalize(question))
    assert read_asked(rest, set()).kinds == kinds
