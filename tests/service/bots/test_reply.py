"""The words of a reply: answers and declines of the real engine in each markup, help,
mentions, and cutting to a platform's limit."""

from __future__ import annotations

import pytest

from service.answer import answer_question
from service.bots.reply import (
    CUT_HINT,
    MARKDOWN,
    SLACK,
    Format,
    cut,
    fit_reply,
    help_text,
    is_help,
    render,
    strip_mentions,
    utf8_size,
)
from service.contract import Answer
from service.decline import suggested_questions
from service.present import present, reason_text


@pytest.fixture(scope="module")
def answers(engine) -> dict[str, Answer]:
    questions = [
        "铁路建设由哪个部门牵头？",
        "第7项任务讲什么？",
        "港珠澳大桥收费多少",
        "个税怎么算",
    ]
    return {q: answer_question(engine, q, []) for q in questions}


def test_an_answer_shows_its_text_then_each_source_once(answers) -> None:
    answer = answers["第7项任务讲什么？"]
    assert len(answer.citations) > 1 and {c.marker for c in answer.citations} == {"【任务7】"}
    text = render(answer, MARKDOWN)
    assert text.startswith(answer.answer)
    assert text.count("**【任务7】**") == 1  # five citations of one task: one source
    assert "- **【任务7】** 共建现代化综合交通运输体系" in text
    assert "\n> “" in text


def test_a_lead_answer_names_its_lead_agencies(answers) -> None:
    text = render(answers["铁路建设由哪个部门牵头？"], MARKDOWN)
    assert "牵头：省发展改革委、省交通运输厅" in text


def test_a_not_stated_answer_shows_why_and_the_related_clauses(answers) -> None:
    answer = answers["港珠澳大桥收费多少"]
    assert answer.status == "not_stated" and answer.related
    text = render(answer, MARKDOWN)
    assert text.startswith("**文件未写明**\n\n" + answer.answer)
    assert "**原因：**" + reason_text(answer.reason) in text
    assert "**相关条款（供参考，并非答案）：**" in text
    assert f"- {answer.related[0].marker}{answer.related[0].title}" in text
    assert "**来源**" not in text


def test_an_off_topic_answer_shows_why_and_its_suggestions(answers) -> None:
    answer = answers["个税怎么算"]
    assert answer.status == "off_topic"
    text = render(answer, SLACK)
    assert text.startswith("*超出文件范围*")
    assert "*原因：*这个问题不属于这份文件涉及的内容。" in text
    assert all(question in text for question in answer.suggestions)


def test_plain_text_is_the_answer_for_people_of_present(answers) -> None:
    for answer in answers.values():
        assert render(answer, None) == present(answer)


def test_slack_escapes_its_control_characters() -> None:
    answer = Answer("q", "甲 & 乙 <b> 丙", False, ())
    assert render(answer, SLACK) == "甲 &amp; 乙 &lt;b&gt; 丙"


def test_a_long_answer_is_cut_at_a_sentence_and_keeps_its_sources(answers) -> None:
    answer = answers["第7项任务讲什么？"]
    full = render(answer, None)
    assert utf8_size(full) > 1000
    text = fit_reply(answer, None, 1000, utf8_size)
    assert utf8_size(text) <= 1000
    head, sources = text.split("\n\n来源：")
    assert sources == "【任务7】共建现代化综合交通运输体系"
    assert head.endswith(CUT_HINT)
    kept = head.removesuffix(CUT_HINT).rstrip()
    assert answer.answer.startswith(kept) and kept[-1] in "。】；"


def test_when_the_sources_take_most_of_the_room_the_whole_reply_is_cut(answers) -> None:
    answer = answers["铁路建设由哪个部门牵头？"]
    text = fit_reply(answer, MARKDOWN, 120)
    assert len(text) <= 120 and text.endswith(CUT_HINT)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("短句。", 10, "短句。"),
        ("第一句。第二句。第三句很长很长很长。", 12, "第一句。第二句。\n…"),
        (
            "没有句号的一长串文字没有句号的一长串文字",
            8,
            "没有句号的一\n…",
        ),  # no sentence end: hard cut
    ],
)
def test_cut_table(text, limit, expected) -> None:
    assert cut(text, limit, hint="…") == expected


def test_cut_counts_bytes_when_asked() -> None:
    text = "一二三。四五六。七八九。"
    assert cut(text, 20, utf8_size, hint="…") == "一二三。\n…"  # 12 + 4 bytes


def test_help_lists_usage_and_the_documents_example_questions(engine) -> None:
    examples = suggested_questions(engine.catalog)
    assert len(examples) == 3
    text = help_text(examples, MARKDOWN)
    assert "**可以这样问**" in text and "@我" in text and "追问" in text
    for example in examples:
        assert f"- {example}" in text
        answer = answer_question(engine, example, [])
        assert not answer.abstained and answer.citations, example  # they work


def test_format_keeps_help_and_notes_within_the_limit() -> None:
    form = Format(None, 60, utf8_size)
    assert utf8_size(form.help(["「甲」由谁牵头？"] * 3)) <= 60
    assert form.note("问题为空。") == "问题为空。"


@pytest.mark.parametrize(
    ("raw", "question"),
    [
        ("<@U0LAN0Z89> 铁路项目由谁牵头？", "铁路项目由谁牵头？"),
        ("<@U0LAN0Z89|policy-qa>铁路项目由谁牵头？", "铁路项目由谁牵头？"),
        ("<!here> <@U0LAN0Z89> 铁路项目由谁牵头？", "铁路项目由谁牵头？"),
        ("@_user_1 第7项任务讲什么？ @_user_2", "第7项任务讲什么？"),
        ("@政策助手 帮助", "帮助"),
        ("请问 @政策助手 铁路谁牵头", "请问 铁路谁牵头"),
        ("联系 a@b.cn 可以吗", "联系 a@b.cn 可以吗"),
    ],
)
def test_strip_mentions_table(raw, question) -> None:
    assert strip_mentions(raw) == question


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("帮助", True),
        ("HELP", True),
        ("/help", True),
        ("帮助？", True),
        ("", True),
        ("帮助中小企业的措施有哪些", False),
        ("help desk funding", False),
    ],
)
def test_is_help_table(text, expected) -> None:
    assert is_help(text) is expected
