"""Reading what a question asks for: numerals, task references, intent kinds."""

from __future__ import annotations

import pytest

from service.intent import (
    Intent,
    chinese_number,
    content_part,
    read_intent,
    task_reference,
    without_lead_words,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("两", 2),
        ("九", 9),
        ("十", 10),
        ("十五", 15),
        ("十七", 17),
        ("二十", 20),
        ("二十三", 23),
        ("三十", 30),
        ("九十九", 99),
        ("7", 7),
        ("17", 17),
        ("", None),
        ("百", None),
        ("一百", None),
        ("一二", None),
        ("abc", None),
        ("十七a", None),
        ("第十", None),
        # Malformed numerals are not guessed at.
        ("十十", None),
        ("二十一二", None),
        ("三十四五", None),
    ],
)
def test_chinese_number(text: str, value: int | None) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("第17项任务讲什么？", 17),
        ("第十七项任务讲什么？", 17),
        ("第 3 个任务", 3),
        ("第三十项主要任务", 30),
        ("任务7的牵头单位", 7),
        ("任务三十", 30),
        ("第3条", 3),
        ("第二十三项", 23),
        ("task 12", 12),
        ("What does Task #12 say?", 12),
        ("task no. 5", 5),
        ("第100项任务讲什么", 100),  # no such task, but a reference all the same
        ("任务一讲什么", 1),
        ("24条讲啥", 24),
        ("任务十一能帮我概括一下吗？", 11),
        ("第27条都涉及哪些方面？", 27),
        # Not references to a task.
        ("2020年前完成", None),
        ("泛珠三角区域“9+2”各方", None),
        ("任务2020", None),
        ("task 123", None),
        ("±800千伏特高压", None),
        ("multitasking 12", None),
    ],
)
def test_task_reference(text: str, number: int | None) -> None:
    assert task_reference(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "第四条对澳供水管道工程有什么安排？",  # the fourth pipeline to Macao (task 26)
        "对澳门供水的第四条 pipeline 由哪个部门 lead？",
        "第四条对澳供水",
        "主要任务一共多少项",  # 任务一共 is not 任务一
        "铁路这类任务一般由谁牵头？",
        "旅游任务一起推进的有哪些部门？",
        "一条是什么路",  # a bare Chinese numeral is a word
        "要建2条铁路",  # a bare number not at the start
    ],
)
def test_phrases_with_numerals_are_not_task_references(text: str) -> None:
    assert task_reference(text) is None


@pytest.mark.parametrize(
    ("text", "agency", "expected"),
    [
        # Who leads / is responsible.
        ("铁路项目谁牵头？", None, Intent("lead")),
        ("铁路项目由谁牵头？", None, Intent("lead")),
        ("高速公路建设哪个部门负责？", None, Intent("lead")),
        ("这事归谁管", None, Intent("lead")),
        ("跨省维权信息互通这事谁挑头？", None, Intent("lead")),
        ("处罚裁量尺度要统一，这事儿谁领头？", None, Intent("lead")),
        ("广东谁来牵这个头", None, Intent("lead")),
        ("研究院这事是哪家在主抓？", None, Intent("lead")),
        ("对口扶贫协作省里是哪家挑头？", None, Intent("lead")),
        # "那几个基地" points at things; it counts nothing.
        ("广州深圳那几个交流基地由哪个部门来挑大梁？", None, Intent("lead")),
        ("社会治理那条一共有多少个部门按职责负责？", None, Intent("lead", counted="agencies")),
        ("Who leads the railway projects?", None, Intent("lead")),
        ("Which department is in charge of tourism?", None, Intent("lead")),
        ("大气治理还有谁参与？", None, Intent("lead", role="participant")),
        ("任务7谁牵头？", None, Intent("lead", task=7)),
        # Counting.
        ("主要任务一共多少项？", None, Intent("count", counted="tasks")),
        ("文件里重点任务共有几个", None, Intent("count", counted="tasks")),
        ("How many main tasks are there?", None, Intent("count", counted="tasks")),
        ("保障措施有几条？", None, Intent("count", counted="measures")),
        ("合作目标分几个方面？", None, Intent("count", counted="sections")),
        # "哪几个" asks which ones, not how many.
        ("省里哪几个市要参与？", None, Intent("lead", role="participant")),
        ("扶贫协作哪几个市要参与？", None, Intent("lead", role="participant")),
        # Tasks of a named agency.
        ("省旅游局牵头哪些任务？", "省旅游局", Intent("agency_tasks", agency="省旅游局")),
        ("旅游局牵头几项任务", "省旅游局", Intent("agency_tasks", agency="省旅游局")),
        ("旅游局牵头的事儿都有哪些？", "省旅游局", Intent("agency_tasks", agency="省旅游局")),
        ("商务厅牵头的是哪几块内容？", "省商务厅", Intent("agency_tasks", agency="省商务厅")),
        # Who else takes part in work an agency leads: not its list of tasks.
        (
            "港珠澳大桥由发改委牵头，还有哪些部门参与？",
            "省发展改革委",
            Intent("lead", role="participant"),
        ),
        (
            "省总工会参与了哪些任务？",
            "省总工会",
            Intent("agency_tasks", agency="省总工会", role="participant"),
        ),
        (
            "Which tasks does the tourism bureau lead?",
            "省旅游局",
            Intent("agency_tasks", agency="省旅游局"),
        ),
        # A named task.
        ("第17项任务讲什么？", None, Intent("task_lookup", task=17)),
        ("What is task 17 about?", None, Intent("task_lookup", task=17)),
        # Everything else is a search.
        ("港珠澳大桥有什么安排？", None, Intent("search")),
        ("PM2.5和臭氧怎么联防联治？", None, Intent("search")),
    ],
)
def test_read_intent(text: str, agency: str | None, expected: Intent) -> None:
    assert read_intent(text, agency) == expected


def test_an_agency_without_a_which_tasks_wording_is_not_agency_tasks() -> None:
    """'省旅游局负责什么' names the agency but asks about content, not a task list."""
    assert read_intent("旅游一体化谁牵头？", "省旅游局").kind == "lead"


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        ("铁路项目由谁牵头？", "铁路项目", "牵头"),
        ("那这块谁牵头？", "这块", "牵头"),
        ("高速公路建设是哪个部门牵头的？", "高速公路建设", "部门"),
        ("Who leads the railway projects?", "railway", "leads"),
    ],
)
def test_without_lead_words(text: str, kept: str, dropped: str) -> None:
    stripped = without_lead_words(text)
    assert kept in stripped
    assert dropped not in stripped


@pytest.mark.parametrize("text", ["谁牵头？", "牵头单位？", "who leads?"])
def test_without_lead_words_keeps_a_question_that_is_only_lead_words(text: str) -> None:
    assert without_lead_words(text) == text


@pytest.mark.parametrize(
    ("text", "part"),
    [
        (
            "落马洲河套地区开发，文件放在哪条任务下面？是哪个厅牵头？",
            "落马洲河套地区开发，文件放在哪条任务下面",
        ),
        (
            "Who leads the health cooperation task, and does it cover test results?",
            "does it cover test results",
        ),
        ("南繁育种是和哪个省合作？这段是我们厅牵头吧？", "南繁育种是和哪个省合作"),
        # Both parts ask who: nothing about the work.
        ("谁牵头？还有哪几个市要参与？", None),
        ("扶贫协作谁牵头？哪几个市要参与？", None),
        # One ask only.
        ("铁路项目由谁牵头？", None),
        ("文件有没有提落地签？", None),
    ],
)
def test_content_part(text: str, part: str | None) -> None:
    assert content_part(text) == part
