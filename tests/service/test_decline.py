"""Graded declines: the reason → status table, the not-stated sentence, related clauses
quoted verbatim, and suggested questions that the engine really answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.answer import answer_question
from service.contract import STATUS_OF_REASON, Answer, status_of
from service.decline import (
    RELATED_QUOTE_CHARS,
    not_stated_sentence,
    suggested_questions,
)
from service.engine import Engine
from service.retrieve import Retrieval, TargetHit
from service.spans import short_quote


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        ("off_topic", "off_topic"),
        ("no_match", "off_topic"),
        ("no_content", "off_topic"),
        ("asks_what_the_document_does_not_say", "not_stated"),
        ("no_option_in_evidence", "not_stated"),
        ("no_amount_in_evidence", "not_stated"),
        ("no_time_in_evidence", "not_stated"),
        ("no_answer_in_evidence", "not_stated"),
        ("no_topic", "not_stated"),
        ("no_such_task", "not_stated"),
        ("no_such_part", "not_stated"),
        ("no_tasks", "not_stated"),
        ("a_code_from_tomorrow", "not_stated"),
    ],
)
def test_every_reason_has_a_status(reason: str, status: str) -> None:
    assert status_of(reason) == status
    # An Answer built without a status takes it from its reason.
    assert Answer("问", "答", True, (), reason=reason).status == status


def test_the_table_holds_only_graded_statuses() -> None:
    assert set(STATUS_OF_REASON.values()) == {"not_stated", "off_topic"}


def test_an_answer_that_does_not_abstain_is_answered() -> None:
    assert Answer("问", "答", False, ()).status == "answered"


TRANSPORT = "共建现代化综合交通运输体系"


@pytest.mark.parametrize(
    ("reason", "title", "sentence"),
    [
        ("no_amount_in_evidence", TRANSPORT, f"文件没有写明「{TRANSPORT}」中的金额或费用。"),
        ("no_time_in_evidence", None, "文件没有写明问题要的时间。"),
        ("no_progress_in_evidence", "目标", "文件写的是「目标」的工作安排，没有写目前的进展。"),
        ("no_answer_in_evidence", "目标", "文件中「目标」的内容没有回答这个问题。"),
        ("no_novelty_in_evidence", "目标", "文件没有写明「目标」中的信息。"),
        ("no_option_in_evidence", "目标", "文件在「目标」中没有提到问题给出的任何一个选项。"),
        ("no_option_in_evidence", None, "文件没有提到问题给出的任何一个选项。"),
    ],
)
def test_not_stated_sentence(reason: str, title: str | None, sentence: str) -> None:
    assert not_stated_sentence(reason, title) == sentence


def test_not_stated_names_the_thing_asked_for() -> None:
    said = not_stated_sentence("no_focus_in_evidence", TRANSPORT, ("港口", "码头"))
    assert said == f"文件没有写明「{TRANSPORT}」中具体是哪些港口、码头。"
    assert not_stated_sentence("no_length_in_evidence") == "文件没有写明问题要的长度或尺寸。"


def test_not_stated_is_one_sentence_for_every_code() -> None:
    from service.answer_type import _ASKS

    codes = [f"no_{kind}_in_evidence" for kind in _ASKS]
    for code in [*codes, "asks_what_the_document_does_not_say", "no_option_in_evidence"]:
        sentence = not_stated_sentence(code, "合作目标")
        assert sentence.startswith("文件") and sentence.endswith("。"), code
        assert sentence.count("。") == 1, code
        assert "信息。" not in sentence or code == "asks_what_the_document_does_not_say", code


@pytest.mark.parametrize(
    ("text", "limit", "quote"),
    [
        ("甲乙丙丁", 8, "甲乙丙丁"),
        ("甲乙丙，丁戊己，庚辛", 8, "甲乙丙，丁戊己"),
        ("甲乙丙丁戊己庚辛壬癸", 8, "甲乙丙丁戊己庚辛"),  # no boundary: cut at the limit
    ],
)
def test_short_quote_is_a_prefix(text: str, limit: int, quote: str) -> None:
    assert short_quote(text, limit) == quote


# --- the real engine ---------------------------------------------------------------


def _clause_text(engine: Engine, clause_id: str) -> str:
    return next(c.text for c in engine.clauses if c.id == clause_id)


def test_a_near_miss_is_not_stated_with_the_task_it_is_about(engine: Engine) -> None:
    answer = answer_question(engine, "港珠澳大桥收费标准是多少？")
    assert (answer.status, answer.abstained, answer.kind) == ("not_stated", True, "declined")
    assert answer.reason == "no_amount_in_evidence"
    assert answer.citations == ()
    # The engine ranks the transport task first; the answer names it as the topic.
    assert answer.ranking[0] == "7"
    assert answer.answer == "文件没有写明「共建现代化综合交通运输体系」中的金额或费用。"
    assert [r.task for r in answer.related][:1] == [7]
    assert 1 <= len(answer.related) <= 3
    assert "港珠澳大桥" in answer.related[0].quote
    assert [r.marker for r in answer.related] == [f"【任务{k}】" for k in answer.ranking[:3]][
        : len(answer.related)
    ]


@pytest.mark.parametrize(
    "question",
    [
        "港珠澳大桥收费标准是多少？",
        "粤港澳合作基金规模多大？",
        "广深港高铁什么时候通车？",
        "泛珠三角合作的联系人电话是多少？",
        "赣深客专修桥还是修隧道？",
        "Who is the contact person for the Pan-PRD cooperation office?",
    ],
)
def test_every_related_quote_is_verbatim_and_short(engine: Engine, question: str) -> None:
    answer = answer_question(engine, question)
    assert answer.abstained
    if answer.status == "off_topic":
        assert answer.related == ()
        return
    assert answer.related, question
    assert len({r.marker for r in answer.related}) == len(answer.related)
    for related in answer.related:
        assert related.quote in _clause_text(engine, related.clause_id)
        assert 0 < len(related.quote) <= RELATED_QUOTE_CHARS


def test_off_topic_suggests_questions_the_document_answers(engine: Engine) -> None:
    answer = answer_question(engine, "个人所得税怎么算")
    assert (answer.status, answer.reason, answer.related) == ("off_topic", "off_topic", ())
    assert 2 <= len(answer.suggestions) <= 3
    assert len(set(answer.suggestions)) == len(answer.suggestions)
    assert answer.answer.startswith("文件中没有找到能回答这个问题的内容。")
    for suggestion in answer.suggestions:
        assert suggestion in answer.answer
        asked = answer_question(engine, suggestion)
        assert asked.status == "answered", suggestion
        assert asked.citations, suggestion


def test_who_leads_without_a_topic_asks_which_work(engine: Engine) -> None:
    answer = answer_question(engine, "谁牵头？")
    assert (answer.status, answer.reason) == ("not_stated", "no_topic")
    assert answer.answer.startswith("请说明要问哪项工作的牵头单位。")
    assert len(answer.suggestions) == 3
    for suggestion in answer.suggestions:
        asked = answer_question(engine, suggestion)
        assert (asked.status, asked.kind) == ("answered", "lead"), suggestion


def test_a_task_that_does_not_exist_keeps_its_sentence(engine: Engine) -> None:
    answer = answer_question(engine, "第40项任务讲什么？")
    assert (answer.status, answer.reason) == ("not_stated", "no_such_task")
    assert answer.answer.startswith("文件共有30项主要任务，没有任务40。")
    assert answer.suggestions
    assert all(answer_question(engine, s).status == "answered" for s in answer.suggestions)


def test_every_suggestion_form_is_answered_for_every_target(engine: Engine) -> None:
    """The suggestions come from the structure, so each form must work for any target
    it can be made of, not only for the ones today's questions happen to pick."""
    catalog = engine.catalog
    covered = set()
    for target in catalog.targets.values():
        # With the target ranked first, each form is made of it where it can be.
        first = Retrieval((TargetHit(target.key, 1.0, target.clauses, ()),), (), None, 0.0)
        for question in suggested_questions(catalog, first):
            if target.title not in question and f"第{target.task}项" not in question:
                continue
            answer = answer_question(engine, question)
            assert answer.status == "answered", question
            cited = answer.citations[0]
            assert str(cited.task or cited.section) == target.key, question
            covered.add(target.key)
    tasks = {str(n) for n in catalog.task_numbers}
    plain_sections = {code for code, section in catalog.sections.items() if not section.tasks}
    assert covered >= tasks | plain_sections


@pytest.fixture(scope="module")
def small_engine(small_index: Path) -> Engine:
    return Engine.load(small_index)


def test_suggestions_come_from_any_document(small_engine: Engine) -> None:
    """A notice without numbered tasks: its sections and notes give the suggestions."""
    answer = answer_question(small_engine, "个人所得税怎么算")
    assert answer.status == "off_topic"
    assert 2 <= len(answer.suggestions) <= 3
    assert not any("项任务" in s for s in answer.suggestions)
    for suggestion in answer.suggestions:
        assert answer_question(small_engine, suggestion).status == "answered", suggestion
