"""How a who-leads answer says each agency's role: as its responsibility note gives it."""

from __future__ import annotations

import pytest

from indexer.agencies import parse_note
from service.agency_answers import responsibility, role_answer
from service.catalog import Target
from tests.factories import clause_from_sentences


def _clause(note: str):
    parsed = parse_note(note)
    return clause_from_sentences(
        ["推广工业软件应用。"],
        note=note,
        id="doc/二/1/p1",
        doc_id="doc",
        task=1,
        section="二",
        title="推广工业软件应用",
        heading_path=("二、主要任务",),
        lead=parsed.lead,
        participants=parsed.participants,
        roles=parsed.roles,
    )


@pytest.mark.parametrize(
    ("note", "said"),
    [
        (
            "(省发展改革委、交通运输厅牵头，广铁集团等按职责分工负责)",
            "X由省发展改革委、省交通运输厅牵头，广铁集团等按职责分工负责",
        ),
        ("(省扶贫办牵头)", "X由省扶贫办牵头"),
        (
            "(省科技厅、工业和信息化厅按职责分工负责，各地级以上市人民政府结合实际落实)",
            "X未指定牵头单位，由省科技厅、省工业和信息化厅等按职责分工负责，"
            "各地级以上市人民政府结合实际落实",
        ),
        (
            "(省工业和信息化厅牵头，省财政厅配合，各地级以上市人民政府结合实际落实)",
            "X由省工业和信息化厅牵头，省财政厅等参与，各地级以上市人民政府结合实际落实",
        ),
        (
            "(广州、深圳市人民政府负责，省工业和信息化厅指导)",
            "X未指定牵头单位，由广州市人民政府、深圳市人民政府等按职责分工负责，"
            "省工业和信息化厅指导",
        ),
        (
            "(省人力资源社会保障厅会同省教育厅负责)",
            "X由省人力资源社会保障厅牵头，会同省教育厅负责",
        ),
        ("(各地级以上市人民政府结合实际落实)", "X未指定牵头单位，各地级以上市人民政府结合实际落实"),
    ],
)
def test_responsibility_says_each_role_as_the_note_gives_it(note: str, said: str) -> None:
    assert responsibility(_clause(note), "X") == said


def test_a_role_check_says_the_role_of_the_agency_asked_about() -> None:
    clause = _clause("(省工业和信息化厅牵头，省财政厅配合，各地级以上市人民政府结合实际落实)")
    target = Target("1", "doc", 1, "二", "推广工业软件应用", (clause,))
    answer = role_answer(target, (clause,), 1.0, ["各地级以上市人民政府", "省财政厅"])
    assert answer.text.startswith("是，各地级以上市人民政府结合实际落实，省财政厅参与：")
