"""The document's own facts (文号, 发文机关, 印发日期), read off its sign-off."""

from __future__ import annotations

import pytest

from service.answer import answer_question
from service.doc_facts import document_facts
from service.engine import Engine


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("这份文件的文号是多少？", "文号：粤府〔2017〕8号"),
        ("那文号是多少？", "文号：粤府〔2017〕8号"),
        ("实施意见是哪天印发的？", "印发日期：2017年1月20日"),
        ("这个意见是谁印发的？", "发文机关：广东省人民政府"),
        ("《广东省深化泛珠三角区域合作实施意见》的文号是什么？", "文号：粤府〔2017〕8号"),
        ("When was this document issued?", "印发日期：2017年1月20日"),
        (
            "Who issued this plan, and what is its document number?",
            "文号：粤府〔2017〕8号；发文机关：广东省人民政府",
        ),
    ],
)
def test_facts_of_this_document(engine: Engine, question: str, expected: str) -> None:
    answer = answer_question(engine, question)
    assert answer.kind == "lookup"
    assert answer.answer == f"{expected}【通知】"
    signoff = engine.index.clause_by_id["gd-pprd-2017/通知/落款"]
    for citation in answer.citations:
        assert citation.clause_id == signoff.id
        assert citation.quote in signoff.text


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    [
        # Documents this one cites have numbers of their own (国发〔2016〕18号).
        "国务院关于深化泛珠合作的那份指导意见，文号是多少？",
        "《指导意见》是哪天印发的？",
        "近期要点那份文件的文号是多少？",
        "这份实施意见是依据国务院哪个文件定的？文号多少",
        # Not a question about the document's own facts.
        "铁路项目由谁牵头？",
    ],
)
def test_other_questions_are_not_looked_up(engine: Engine, question: str) -> None:
    assert document_facts(engine.catalog, question) is None


@pytest.mark.slow
def test_the_cited_document_number_is_found_by_search(engine: Engine) -> None:
    answer = answer_question(engine, "国务院关于深化泛珠合作的那份指导意见，文号是多少？")
    assert "国发〔2016〕18号" in answer.answer
