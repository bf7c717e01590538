"""Question intake: validation of the raw text and follow-up detection."""

from __future__ import annotations

import pytest

from indexer.errors import BadQuestion, PolicyQAError
from service.query import (
    Limits,
    Question,
    Turn,
    check_question,
    cited_targets,
    conversation_context,
    prepare,
    read_history,
    without_preamble,
)

EARLIER = "赣州至深圳客专文件里有写吗？"


@pytest.mark.parametrize(
    "text",
    ["", " ", "   \n\t  ", "\u3000\u3000", "\x00\x01\x1b"],
    ids=["empty", "space", "whitespace", "ideographic-space", "control-only"],
)
def test_empty_questions_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(BadQuestion, match="empty") as err:
        check_question(text)
    # The message tells the user what a good question looks like.
    assert "牵头" in str(err.value)


@pytest.mark.parametrize("value", [None, 17, 3.5, b"\xe9\x93\x81\xe8\xb7\xaf", ["铁路"]])
def test_non_text_is_refused(value: object) -> None:
    with pytest.raises(BadQuestion, match="must be text"):
        check_question(value)


def test_bad_question_is_a_policyqa_error() -> None:
    """Adapters catch PolicyQAError to turn it into a clean message."""
    assert issubclass(BadQuestion, PolicyQAError)


def test_100_kb_question_names_its_length_and_the_limit() -> None:
    text = "铁路项目谁牵头" * (100_000 // 7)
    with pytest.raises(BadQuestion) as err:
        check_question(text)
    message = str(err.value)
    assert "limit is 2000" in message
    assert f"{len(text)} characters" in message


@pytest.mark.parametrize(
    ("text", "max_chars", "ok"),
    [
        ("铁" * 2000, 2000, True),
        ("铁" * 2001, 2000, False),
        ("  " + "铁" * 10 + "  ", 10, True),  # surrounding whitespace does not count
        ("铁" * 11, 10, False),
        ("铁" * 30, 50, True),
    ],
)
def test_length_limit_is_exact(text: str, max_chars: int, ok: bool) -> None:
    if ok:
        assert check_question(text, max_chars) == text.strip()
    else:
        with pytest.raises(BadQuestion, match=f"limit is {max_chars}"):
            check_question(text, max_chars)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  铁路项目谁牵头？ ", "铁路项目谁牵头？"),
        ("铁路\x00项目\x07谁牵头？\x1b", "铁路项目谁牵头？"),
        ("\x7f\x9f铁路项目", "铁路项目"),  # DEL and C1 controls too
        ("铁路\t项目\n谁牵头", "铁路\t项目\n谁牵头"),  # tabs and newlines inside are kept
        ("PM2.5 治理谁牵头?", "PM2.5 治理谁牵头?"),
    ],
)
def test_control_characters_are_stripped(raw: str, clean: str) -> None:
    assert check_question(raw) == clean


@pytest.mark.parametrize(
    ("text", "has_content"),
    [
        ("？？？", False),
        ("😀😀", False),
        ("…… ！！", False),
        ("铁路", True),
        ("PM2.5", True),
        ("task 17?", True),
        ("😀 铁路 😀", True),
    ],
)
def test_has_content(text: str, has_content: bool) -> None:
    assert prepare(text).has_content is has_content


def test_without_history_nothing_is_a_followup() -> None:
    asked = prepare("那这块谁牵头？")
    assert asked == Question("那这块谁牵头？", "那这块谁牵头？", True, False, own="那这块谁牵头？")


@pytest.mark.parametrize(
    "turn",
    [
        "那这块谁牵头？",
        "那谁负责呢",
        "还有哪些单位参与？",
        "牵头单位是谁",
        "what about the ports?",
        # Long, but it names no topic of its own.
        "牵头的之外，配合的单位都有谁？",
    ],
)
def test_short_elliptical_turn_searches_with_the_previous_turn(turn: str) -> None:
    asked = prepare(turn, ["铁路项目有哪些？", EARLIER])
    assert asked.is_followup
    assert asked.text == turn
    # Only the latest earlier turn is folded in, followed by the new one.
    assert asked.search_text == f"{EARLIER} {turn}"
    assert "铁路项目有哪些" not in asked.search_text


def test_blank_and_non_text_history_entries_are_skipped() -> None:
    asked = prepare("那谁牵头呢", [EARLIER, "   ", None])  # type: ignore[list-item]
    assert asked.search_text == f"{EARLIER} 那谁牵头呢"


@pytest.mark.parametrize(
    "question",
    [
        "泛珠三角区域合作发展基金主要用来支持哪些方面的重大合作项目建设？",
        "Which department leads the construction of the railway projects?",
        "跨省区流域生态保护补偿试点包括哪几条江，分别和哪些省区合作开展？",
    ],
)
def test_long_self_contained_question_is_not_a_followup(question: str) -> None:
    asked = prepare(question, [EARLIER])
    assert not asked.is_followup
    assert asked.search_text == question


def test_long_yes_no_question_is_not_a_followup() -> None:
    question = "外省来广东务工人员的随迁子女可以在广东参加高考吗？"
    asked = prepare(question, ["铁路项目由谁牵头？"])
    assert not asked.is_followup
    assert asked.search_text == question


def test_a_question_that_stands_alone_keeps_how_it_would_lean() -> None:
    """Reading decides whether a question that names only an agency leans after all."""
    question = "外省来广东务工人员的随迁子女可以在广东参加高考吗？"
    asked = prepare(question, ["铁路项目由谁牵头？"])
    assert asked.leaning is not None and asked.leaning.is_followup
    assert asked.leaning.search_text == f"铁路项目由谁牵头？ {question}"
    assert prepare(question).leaning is None
    # A question that leans already carries no second reading.
    assert prepare("那谁牵头？", ["铁路项目讲了什么"]).leaning is None


def test_prepare_validates_like_check_question() -> None:
    with pytest.raises(BadQuestion, match="empty"):
        prepare("  ", [EARLIER])
    with pytest.raises(BadQuestion, match="limit is 20"):
        prepare("铁" * 21, [EARLIER], Limits(question_chars=20))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本人在澳门特区政府做事，想问一下，珠三角要建成什么中心？", "珠三角要建成什么中心？"),
        ("我是香港运输部门的，想了解一下，航运公司能开分公司吗？", "航运公司能开分公司吗？"),
        ("你好，铁路项目谁牵头？", "铁路项目谁牵头？"),
        # Who asks, before a colon.
        ("环保厅问：生态文明那部分有几条任务？", "生态文明那部分有几条任务？"),
        ("审计这边想确认一下：财政厅负责几处？", "财政厅负责几处？"),
        ("文件原文是：加强统筹协调，对吗？", "文件原文是：加强统筹协调，对吗？"),
        # Only whole leading clauses go, and never the last one.
        ("请问铁路项目谁牵头？", "请问铁路项目谁牵头？"),
        ("想问一下", "想问一下"),
        ("铁路，公路都由谁牵头？", "铁路，公路都由谁牵头？"),
        # A greeting goes only on its own; one that goes on names the topic.
        (
            "请问 Macao 的 world tourism and leisure centre，文件里在哪条任务支持？",
            "请问 Macao 的 world tourism and leisure centre，文件里在哪条任务支持？",
        ),
    ],
)
def test_without_preamble(text: str, expected: str) -> None:
    assert without_preamble(text) == expected


def test_the_search_text_drops_the_preamble_but_the_question_keeps_it() -> None:
    asked = prepare("我是香港运输部门的，想了解一下，航运公司能开分公司吗？")
    assert asked.text.startswith("我是香港运输部门的")
    assert asked.search_text == "航运公司能开分公司吗？"


def test_a_followup_remembers_the_turn_it_leans_on() -> None:
    asked = prepare("那公路呢？", ["旅游方面谁牵头？", "铁路项目谁牵头？"])
    assert asked.is_followup
    assert asked.previous == "铁路项目谁牵头？"
    alone = prepare("跨省区流域水资源水环境保护这项工作由哪个部门牵头？", ["旅游方面谁牵头？"])
    assert not alone.is_followup
    assert alone.previous == ""


@pytest.mark.parametrize(
    ("history", "context"),
    [
        ([], ""),
        (["铁路项目谁牵头？"], "铁路项目谁牵头？"),
        # A short turn leans on the one before; a long one starts a new topic.
        (
            ["港珠澳大桥的建设放在哪一项任务里讲？", "谁牵头？"],
            "港珠澳大桥的建设放在哪一项任务里讲？ 谁牵头？",
        ),
        (
            ["旅游方面谁牵头？", "随迁子女在广东参加高考，文件怎么说？"],
            "随迁子女在广东参加高考，文件怎么说？",
        ),
        # Only the latest three elliptical turns are kept after the standalone one.
        (
            ["随迁子女在广东参加高考，文件怎么说？", "谁牵头？", "还有谁？", "那呢？", "具体呢？"],
            "随迁子女在广东参加高考，文件怎么说？ 还有谁？ 那呢？ 具体呢？",
        ),
        (["我是香港运输部门的，想了解一下，航运公司能开分公司吗？"], "航运公司能开分公司吗？"),
        (
            ["Which department leads the railway projects?", "Which agencies take part in it?"],
            "Which department leads the railway projects? Which agencies take part in it?",
        ),
        (["铁路项目谁牵头？", "公路项目谁牵头？"], "公路项目谁牵头？"),
        # A short yes-or-no check of the answer names a detail, not a new topic.
        (
            ["搞产业共性技术攻关的那个战略联盟，在哪条讲的？", "是泛珠各省一起组吗？"],
            "搞产业共性技术攻关的那个战略联盟，在哪条讲的？ 是泛珠各省一起组吗？",
        ),
        (
            ["给港澳年轻人创业的基地，文件里点名了哪个？", "在深圳是吧"],
            "给港澳年轻人创业的基地，文件里点名了哪个？ 在深圳是吧",
        ),
        # "是哪条任务的？", "具体是哪个基地？" ask about the turn before; they name no topic.
        (["黔电送粤那个框架协议", "是哪条任务的？"], "黔电送粤那个框架协议 是哪条任务的？"),
        (
            ["港澳青年创业基地有提到吗", "具体是哪个基地？"],
            "港澳青年创业基地有提到吗 具体是哪个基地？",
        ),
    ],
)
def test_conversation_context(history: list[str], context: str) -> None:
    assert conversation_context(history) == context


def test_a_followup_after_a_followup_searches_the_whole_conversation() -> None:
    asked = prepare("还有哪些部门参与？", ["港珠澳大桥的建设放在哪一项任务里讲？", "谁牵头？"])
    assert asked.is_followup
    assert asked.search_text.startswith("港珠澳大桥的建设")
    assert asked.previous == "港珠澳大桥的建设放在哪一项任务里讲？ 谁牵头？"


@pytest.mark.parametrize(
    "text",
    ["\ud800", "铁路\udcaa项目", "\udcff\udcfe铁路"],
    ids=["lone-surrogate", "inside", "surrogateescape-bytes"],
)
def test_text_that_is_not_utf8_is_refused(text: str) -> None:
    """Invalid bytes decoded with surrogateescape (a CLI argument) or an escaped lone
    surrogate in JSON: an error, never a silent repair."""
    with pytest.raises(BadQuestion, match="not valid text"):
        check_question(text)
    with pytest.raises(BadQuestion, match="history turn 1 is not valid text"):
        prepare("谁牵头？", [text])


def test_history_keeps_the_latest_turns_each_cut_to_its_end() -> None:
    history = [f"第{n}个问题" + "很" * 1000 + f"结尾{n}" for n in range(1, 11)]
    turns = read_history(history, max_turns=3, max_chars=50)
    assert [t.text[-3:] for t in turns] == ["结尾8", "结尾9", "尾10"]
    assert all(len(t.text) <= 50 for t in turns)
    assert read_history(history, max_turns=0) == ()


def test_a_bad_turn_past_the_kept_ones_is_never_read() -> None:
    """Only the latest turns are read: an old broken turn costs nothing and fails nothing."""
    assert read_history(["\ud800", "铁路项目"], max_turns=1) == (Turn("user", "铁路项目"),)


def test_history_of_a_million_turns_is_read_in_constant_work() -> None:
    history = ["铁路项目有哪些？"] * 1_000_000
    asked = prepare("那谁牵头？", history, Limits(history_turns=6))
    assert asked.search_text == "铁路项目有哪些？ 那谁牵头？"


@pytest.mark.parametrize(
    ("role", "ok"), [("user", True), ("assistant", True), ("system", False), ("tool", False)]
)
def test_turn_roles(role: str, ok: bool) -> None:
    if ok:
        assert read_history([Turn(role, "铁路")]) == (Turn(role, "铁路"),)
    else:
        with pytest.raises(BadQuestion, match="use user or assistant"):
            read_history([Turn(role, "铁路")])


@pytest.mark.parametrize(
    ("answer", "cited"),
    [
        ("…由省发展改革委牵头【任务7】\n\n来源：【任务7】共建现代化综合交通运输体系", ("7",)),
        ("见【一(三)】，另见【任务26】和【任务7】", ("一(三)", "26", "7")),
        ("文件中没有找到能回答这个问题的内容。", ()),
    ],
)
def test_cited_targets_are_read_from_markers(answer: str, cited: tuple[str, ...]) -> None:
    assert cited_targets(answer) == cited


def test_a_followup_after_an_answer_carries_what_it_cited() -> None:
    history = ["铁路方面要推进哪些项目？", Turn("assistant", "……项目建设【任务7】")]
    asked = prepare("那谁牵头？", history)
    assert asked.is_followup
    assert asked.cited == ("7",)
    assert asked.search_text == "铁路方面要推进哪些项目？ 那谁牵头？"
    # A question that stands alone ignores what was cited before.
    alone = prepare("跨省区流域水资源水环境保护这项工作由哪个部门牵头？", history)
    assert not alone.is_followup and alone.cited == ()


def test_a_followup_borrows_only_the_end_of_a_long_topic() -> None:
    topic = "本人在基层工作很多年，" * 40 + "铁路项目有哪些？"
    asked = prepare("那谁牵头？", [topic])
    assert asked.is_followup
    assert asked.search_text.endswith("铁路项目有哪些？ 那谁牵头？")
    assert len(asked.previous) <= 80
