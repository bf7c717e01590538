"""Answers as text for people (service.present) and the chat translation helpers."""

from __future__ import annotations

import pytest

from service.answer import answer_question
from service.contract import Answer, Citation
from service.http.openai_schemas import ChatMessage
from service.http.translate import chat_conversation, estimate_tokens, pieces
from service.present import present, reason_text, source_footer
from service.query import Turn


def _cite(task: int | None, marker: str, title: str) -> Citation:
    return Citation("gd", task, "二(三)", title, f"gd/{marker}", "…", (), (), 1.0, marker)


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("no_match", "文件中没有与这个问题相关的段落。"),
        ("off_topic", "这个问题不属于这份文件涉及的内容。"),
        ("no_content", "问题里没有可以查找的文字，请用文字提问。"),
        ("no_topic", "问题没有说明问的是哪项工作，请补充。"),
        ("no_such_task", "文件中没有这个编号的任务。"),
        ("no_such_part", "文件中没有问题所说的这一部分。"),
        ("no_tasks", "文件中没有编号的主要任务。"),
        ("no_option_in_evidence", "问题给出的几个选项，文件里一个都没有提到。"),
        ("no_time_in_evidence", "文件中相关的内容没有写明问题要的时间。"),
        ("no_unit_in_evidence", "文件中相关的内容没有写明问题要的按所问单位计的数量。"),
        ("no_focus_in_evidence", "文件中相关的内容没有写明问题要的所问的具体事物。"),
        ("no_progress_in_evidence", "文件写的是工作安排，没有写目前的进展。"),
        ("no_answer_in_evidence", "文件中相关的内容没有回答这个问题。"),
        ("no_novelty_in_evidence", "文件中相关的内容没有写明问题要的信息。"),
        ("brand_new_code", "文件中没有找到能回答这个问题的内容。"),
    ],
)
def test_reason_text(reason: str, expected: str) -> None:
    assert reason_text(reason) == expected


def test_every_kind_the_engine_asks_about_has_words() -> None:
    from service.answer_type import _ASKS

    for kind in _ASKS:
        assert "信息" not in reason_text(f"no_{kind}_in_evidence"), kind


def test_asks_what_the_document_does_not_say_is_one_sentence() -> None:
    text = reason_text("asks_what_the_document_does_not_say")
    assert text.endswith("。")
    assert text.count("。") == 1


def test_footer_lists_each_marker_once_in_order() -> None:
    cites = [
        _cite(7, "【任务7】", "共建现代化综合交通运输体系"),
        _cite(None, "【二(三)】", "推进重大基础设施一体化建设"),
        _cite(7, "【任务7】", "共建现代化综合交通运输体系"),
    ]
    assert source_footer(cites) == (
        "来源：【任务7】共建现代化综合交通运输体系；【二(三)】推进重大基础设施一体化建设"
    )
    assert source_footer([]) == ""


def test_self_explained_declines_add_no_reason() -> None:
    text = "文件共有30项主要任务，没有任务40。"
    answer = Answer("第40项任务讲什么", text, True, (), reason="no_such_task")
    assert present(answer) == text


def test_present_real_answers(engine) -> None:
    answered = present(answer_question(engine, "主要任务有几项"))
    assert answered.splitlines()[-1].startswith("来源：【二(一)】深化区域经济合作发展；")


def test_present_an_off_topic_answer(engine) -> None:
    answer = answer_question(engine, "个人所得税怎么算")
    text = present(answer)
    lines = text.splitlines()
    assert lines[0] == "文件中没有找到能回答这个问题的内容。可以问问文件写到的内容，例如："
    assert lines[1 : 1 + len(answer.suggestions)] == [f"· {s}" for s in answer.suggestions]
    assert text.endswith("\n\n这个问题不属于这份文件涉及的内容。")
    assert "来源" not in text and "相关条款" not in text


def test_present_a_not_stated_answer(engine) -> None:
    answer = answer_question(engine, "港珠澳大桥收费标准是多少？")
    text = present(answer)
    sentence, related = text.split("\n\n")
    assert sentence == answer.answer == "文件没有写明「共建现代化综合交通运输体系」中的金额或费用。"
    lines = related.splitlines()
    assert lines[0] == "相关条款（供参考，并非答案）："
    assert lines[1] == "【任务7】共建现代化综合交通运输体系"
    assert lines[1:] == [f"{r.marker}{r.title}" for r in answer.related]
    assert "来源" not in text


def test_related_clauses_are_listed_once_each() -> None:
    cites = [
        _cite(7, "【任务7】", "交通"),
        _cite(7, "【任务7】", "交通"),
        _cite(28, "【任务28】", "平台"),
    ]
    text = "文件没有写明「交通」中的金额或费用。"
    answer = Answer(
        "收费多少", text, True, (), reason="no_amount_in_evidence", related=tuple(cites)
    )
    assert (
        present(answer)
        == f"{text}\n\n相关条款（供参考，并非答案）：\n【任务7】交通\n【任务28】平台"
    )


@pytest.mark.parametrize(
    "text",
    [
        "「共建现代化综合交通运输体系」中铁路方面的工作由省发展改革委、省交通运输厅牵头，"
        "广铁集团等按职责分工负责【任务7】\n\n来源：【任务7】共建现代化综合交通运输体系",
        "主要任务共30项：深化区域经济合作发展（任务1—3）【二(一)】；a very long English "
        "clause without any punctuation at all to cut it",
        "【任务7】",
        "？？",
        "",
    ],
)
def test_pieces_join_back_and_stay_small(text: str) -> None:
    cut = pieces(text)
    assert "".join(cut) == text
    assert all(0 < len(p) <= 8 or p.startswith("【") or not p.strip() for p in cut)


def test_estimate_tokens() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("铁路") == 2
    assert estimate_tokens("abcdefgh") == 2


def test_chat_conversation_maps_roles() -> None:
    messages = [
        ChatMessage(role="system", content="be brief"),
        ChatMessage(role="user", content="铁路方面要推进哪些项目？"),
        ChatMessage(role="assistant", content="…【任务7】"),
        ChatMessage(role="tool", content="{}"),
        ChatMessage(role="assistant", content=None),
        ChatMessage.model_validate(
            {
                "role": "user",
                "content": [{"type": "text", "text": "那谁"}, {"type": "text", "text": "牵头？"}],
            }
        ),
    ]
    question, history = chat_conversation(messages)
    assert question == "那谁牵头？"
    assert history == ["铁路方面要推进哪些项目？", Turn("assistant", "…【任务7】")]
