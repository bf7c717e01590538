"""answer_question end to end on the real document, with the real engine.

The questions are written for these tests (paraphrased, colloquial; none is copied
from eval/gold.jsonl); the expected task or section was read off the document
(``policyqa inspect``). Every answer is also checked for the contract's
invariants: quotes are verbatim, markers and citations agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.errors import BadQuestion
from service.answer import answer_question
from service.citing import marker
from service.contract import Answer
from service.decline import GENERIC as DECLINE_TEXT
from service.engine import Engine
from service.lookup import OVERVIEW_PARAGRAPHS
from service.retrieve import RetrievalConfig

Ask = Callable[..., Answer]
_MARKER = re.compile(r"【[^】]+】")


@pytest.fixture(scope="module")
def ask(engine: Engine) -> Ask:
    """answer_question on the shared engine, each question answered once per module."""
    cache: dict[tuple[str, tuple[str, ...]], Answer] = {}

    def _ask(question: str, history: tuple[str, ...] = ()) -> Answer:
        key = (question, history)
        if key not in cache:
            cache[key] = answer_question(engine, question, history)
        return cache[key]

    return _ask


def first_key(answer: Answer) -> str:
    """The first cited target: "7" for task 7, the section code otherwise."""
    cite = answer.citations[0]
    return str(cite.task) if cite.task is not None else cite.section


# (question, first cited task/section, words the answer must quote)
SEARCH = [
    ("泛珠区域跨省的信用联合惩戒怎么搞？", "5", "跨地区信用联合惩戒"),
    ("滇西北到广东的特高压直流工程有提到吗？", "8", "特高压直流输电工程"),
    ("千里海堤加固工程在哪项任务里？", "9", "千里海堤达标加固工程"),
    ("宽带中国示范城市创建归哪项任务？", "10", "“宽带中国”示范城市"),
    ("深港创新及科技园建设在文件里怎么说的？", "11", "深港创新及科技园"),
    ("随迁子女上学有什么政策？", "13", "随迁子女就学政策"),
    ("疾病预防控制和突发公共卫生事件怎么联防联控？", "14", "联防联控网络"),
    ("劳动争议案件跨省怎么协同处理？", "15", "争议案件协同处理制度"),
    ("旅游标识要统一吗？", "17", "统一旅游标识"),
    ("人口信息网上协查平台是干什么的？", "18", "人口信息网上协查协助平台"),
    ("粤蓉欧、粤黔欧班列有什么安排？", "19", "粤蓉欧、粤黔欧"),
    ("启运港建设有支持吗？", "21", "启运港"),
    ("PM2.5和臭氧怎么联防联治？", "23", "PM2.5(细颗粒物)"),
    ("湿地保护方面有什么要求？", "24", "湿地保护与恢复"),
    ("莲塘/香园围口岸要加快建设吗？", "26", "莲塘/香园围口岸"),
    ("前海香港金银业贸易场有提吗？", "27", "前海香港金银业贸易场"),
    ("江门大广海湾经济区有提到吗？", "28", "江门大广海湾经济区"),
    ("粤港澳品牌认证结果可以互认吗？", "29", "互认品牌认证结果"),
    ("粤港合作框架协议要怎么落实？", "30", "粤港、粤澳合作框架协议"),
    ("PPP模式文件里有提吗？", "三(三)", "政府和社会资本合作(PPP)模式"),
    ("合作事项每年什么时候报送省泛珠办？", "三(一)", "6月底和12月底前报送省泛珠办"),
    ("What does the document say about air pollution?", "23", "大气污染"),
    ("the 港珠澳大桥 project", "7", "港珠澳大桥"),
    # 一(二) scores alike and is quoted too, after the task that carries the work.
    (
        "Which river basins are listed for the cross-provincial ecological compensation pilots?",
        "25",
        "九洲江",
    ),
    # 一(三) (the goals) scores alike and is quoted too, after the measure that sets it up.
    (
        "Is there a Pan-PRD development fund, and what is it meant to support?",
        "三(三)",
        "泛珠三角区域合作发展基金",
    ),
]


@pytest.mark.parametrize(("question", "key", "quoted"), SEARCH, ids=[q for q, _, _ in SEARCH])
def test_search_answers_cite_the_right_task(ask: Ask, question: str, key: str, quoted: str) -> None:
    answer = ask(question)
    assert not answer.abstained
    assert answer.kind == "search"
    assert first_key(answer) == key
    assert answer.ranking[0] == key
    assert quoted in answer.citations[0].quote
    assert quoted in answer.answer


# (question, history, cited task, agencies the answer names)
LEAD = [
    ("铁路项目由谁牵头？", (), "7", ["省发展改革委", "省交通运输厅", "广铁集团"]),
    (
        "Which department leads the railway projects?",
        (),
        "7",
        ["省发展改革委", "省交通运输厅", "广铁集团"],
    ),
    ("the railway 项目谁牵头？", (), "7", ["省发展改革委", "省交通运输厅", "广铁集团"]),
    ("公路断头路归谁管？", (), "7", ["省交通运输厅"]),
    ("PM2.5 治理谁牵头?", (), "23", ["省环境保护厅"]),
    ("Who is responsible for tourism cooperation?", (), "17", ["省旅游局"]),
    ("对口帮扶广西四川贵州云南的工作谁负责？", (), "16", ["省扶贫办"]),
    # Follow-ups: the earlier turn says what "这块" is.
    ("那这块谁牵头？", ("赣州至深圳客专文件里有写吗？",), "7", ["广铁集团"]),
    ("那谁牵头呢", ("大气污染治理有什么措施？",), "23", ["省环境保护厅"]),
    ("那谁牵头呢", ("随迁子女上学有什么政策？",), "13", ["省教育厅"]),
    # Longer conversations: the topic is in the last turn that stands alone.
    (
        "还有哪些部门参与？",
        ("港珠澳大桥的建设放在哪一项任务里讲？", "谁牵头？"),
        "7",
        ["省交通运输厅", "省发展改革委"],
    ),
    (
        "还有谁参与？",
        ("随迁子女在广东参加高考，文件怎么说？", "谁牵头？"),
        "13",
        ["省教育厅"],
    ),
]


@pytest.mark.parametrize(
    ("question", "history", "key", "agencies"),
    LEAD,
    ids=[f"{q}|{'/'.join(h)}" for q, h, _, _ in LEAD],
)
def test_lead_answers_name_the_agencies_from_the_note(
    ask: Ask, engine: Engine, question: str, history: tuple[str, ...], key: str, agencies: list[str]
) -> None:
    answer = ask(question, history)
    assert answer.kind == "lead"
    assert first_key(answer) == key
    for name in agencies:
        assert name in answer.answer
    assert answer.answer.endswith(f"【任务{key}】")
    cite = answer.citations[0]
    clause = engine.index.clause_by_id[cite.clause_id]
    assert cite.quote == clause.note  # the note itself is the evidence
    assert set(cite.lead) <= set(agencies) | set(clause.lead)


@pytest.mark.parametrize("question", ["泛珠合作发展研究院谁牵头？", "泛珠论坛由谁负责？"])
def test_who_leads_is_read_from_a_runner_up_with_a_note(ask: Ask, question: str) -> None:
    # 合作目标 (no note) names the institute and the forum; 三(二) carries the work.
    answer = ask(question)
    assert answer.kind == "lead"
    assert answer.answer.startswith("「创新合作机制」由省发展改革委牵头【三(二)】")


@pytest.mark.parametrize(
    "question",
    [
        "If our city hits problems carrying out this plan, "
        "which provincial body should we report them to?",
        "执行当中碰到问题，应该向哪个部门反映？",
    ],
)
def test_a_section_that_names_the_agency_in_its_own_words_answers_who(
    ask: Ask, question: str
) -> None:
    # The notice has no responsibility note; its text says whom to tell.
    answer = ask(question)
    assert answer.citations[0].section == "通知"
    assert "请径向省发展改革委反映" in answer.answer


def test_a_task_that_matches_as_well_as_a_listed_section_is_cited_first(ask: Ask) -> None:
    # 合作目标 lists its goals, one of which names the economic belt; the question does not
    # name that section, and task 1 matches it as well.
    answer = ask("珠江-西江经济带沿途各市之间，文件说要在哪些领域搭伙？")
    assert answer.citations[0].task == 1


def test_counting_the_agencies_of_a_task(ask: Ask, engine: Engine) -> None:
    answer = ask("大通关那条有几个部门负责？")
    assert answer.kind == "lead"
    note = engine.index.clause_by_id[answer.citations[0].clause_id]
    assert len(note.lead) + len(note.participants) == 6
    assert "，共列出6个单位【任务6】" in answer.answer
    assert "珠海出入境检验检疫局" in answer.answer


@pytest.mark.parametrize(
    ("question", "key", "content", "lead"),
    [
        # The content part names the work only as "it": it is read about the lead's task.
        (
            "Who leads the health cooperation task, and does it cover mutual recognition "
            "of test results?",
            "14",
            "检查结果互认",
            "省卫生计生委",
        ),
        # Alone, the content part is too little of the glossary to count as on topic;
        # the lead part settled that the question is about the document.
        (
            "Does the plan mention using the PPP model to bring in private capital, "
            "and which department leads that part?",
            "三(三)",
            "PPP",
            "省发展改革委",
        ),
    ],
)
def test_both_parts_of_a_two_part_question_are_answered(
    ask: Ask, question: str, key: str, content: str, lead: str
) -> None:
    answer = ask(question)
    assert {str(c.task or c.section) for c in answer.citations} == {key}
    assert content in answer.answer and lead in answer.answer
    assert answer.answer.index(content) < answer.answer.index(lead)


def test_the_railway_example_of_the_issue(ask: Ask) -> None:
    answer = ask("铁路项目由谁牵头？")
    for words in ["省发展改革委", "省交通运输厅", "广铁集团", "【任务7】", "铁路"]:
        assert words in answer.answer
    assert answer.citations[0].lead == ("省发展改革委", "省交通运输厅")
    assert answer.citations[0].participants == ("广铁集团",)


def test_a_task_without_lead_says_so(ask: Ask) -> None:
    answer = ask("大通关电子口岸平台谁负责？")
    assert first_key(answer) == "6"
    assert "未指定牵头单位" in answer.answer
    assert "省口岸办" in answer.answer


def test_a_role_named_without_its_noun_is_a_who_question(ask: Ask) -> None:
    """ "那配合的呢" asks who takes part in the topic before it; 配合的 is not a new topic."""
    answer = ask("那配合的呢", ("港口谁牵头？",))
    assert first_key(answer) == "7"
    assert "交通运输部珠江航务管理局" in answer.answer


@pytest.mark.parametrize(
    ("before", "kind"),
    [("第29项任务谁牵头？", "lead"), ("第29项任务讲什么？", "lookup")],
)
def test_what_about_the_next_task_asks_the_same_question(ask: Ask, before: str, kind: str) -> None:
    """The issue's "那第30项呢？" after a question about task 29: who leads task 30 after a
    who-leads question, what task 30 says after a what-does-it-say question."""
    answer = ask("那第30项呢？", (before,))
    assert first_key(answer) == "30"
    assert answer.kind == kind


def test_a_who_question_naming_only_an_agency_leans_on_the_conversation(ask: Ask) -> None:
    """Long enough to stand alone by its wording, it names no work but the agency's:
    alone it is declined, after a turn about some work it asks who leads that work."""
    question = "我再确认下，省交通厅在这件事上也算牵头单位吗？"
    assert ask(question).abstained
    answer = ask(question, ("粤澳新通道有没有写？",))
    assert answer.kind == "lead" and not answer.abstained
    assert "省交通运输厅" in answer.answer


def test_a_who_leads_question_is_judged_on_who_it_asks_for(ask: Ask) -> None:
    """罚款 describes the work here, it is not an amount asked for; a person asked for
    (组长是谁) is still not in any note."""
    answer = ask("行政处罚的罚款尺度各省不一，统一裁量基准这件事由哪个单位牵头？")
    assert first_key(answer) == "4" and "省法制办" in answer.answer
    assert ask("泛珠合作领导小组的组长是谁？").status == "not_stated"


def test_an_answer_shows_the_role_of_the_agencies_the_question_names(ask: Ask) -> None:
    answer = ask("跨省突发事件应急预案那条，公安厅和民政厅都在名单上吗？")
    assert first_key(answer) == "18"
    # The quote, then the note that names both agencies.
    assert "应急预案" in answer.answer
    assert "省公安厅" in answer.answer and "省民政厅" in answer.answer
    plain = ask("大气污染联防联控的重点行业有哪些？")
    assert first_key(plain) == "23" and "按职责分工负责" not in plain.answer


def test_a_role_check_prefers_the_near_tied_work_whose_note_names_the_agency(
    ask: Ask,
) -> None:
    """Ports and dry ports rank task 7 (港口航运) just above task 21 (无水港); the
    agency asked about is named only in task 21's note, so that is the work meant."""
    history = ("内陆的无水港跟咱们沿海港口怎么配合？", "具体跟哪些省一起建？")
    answer = ask("谁牵头？广州市政府有没有份", history)
    assert first_key(answer) == "21"
    assert answer.answer.startswith("是，广州市政府按职责分工参与")
    # A role check whose work names no such agency still answers no.
    assert ask("港珠澳大桥那条，广州市政府有没有份？").answer.startswith(
        "「共建现代化综合交通运输体系」的分工中没有"
    )


def test_who_else_takes_part_is_not_a_yes_or_no_role_check(ask: Ask) -> None:
    answer = ask("信用体系那条，除了发改委还有哪些单位参与？")
    assert first_key(answer) == "5"
    assert answer.answer.startswith("「加强社会信用体系建设合作」由省发展改革委牵头")


def test_a_followup_quotes_the_sentence_its_own_words_ask_about(ask: Ask) -> None:
    # The earlier turn finds task 10 by its sentence on backbone nodes; the turn asks
    # about another sentence of it, which its own words choose.
    history = ("广州那个国家级互联网骨干直联点，文件在哪条提的？",)
    answer = ask("这条里说下一代信息基建要具备啥特点？", history)
    assert answer.citations[0].task == 10
    assert "高速、移动、安全、泛在" in answer.citations[0].quote


def test_a_turn_unknown_on_its_own_is_read_with_the_conversation(ask: Ask) -> None:
    # 规化 (a typo of 规划) leaves the turn nothing the documents know on its own.
    history = ("前海深港青年梦工厂写在哪一条？",)
    answer = ask("同一条里还说要研究编个啥规化？", history)
    assert answer.status == "answered"
    assert answer.citations[0].task == 28
    assert "粤澳产业合作示范区规划" in answer.answer
    assert ask("钉钉怎么补卡？", history).status != "answered"


def test_history_changes_what_a_followup_is_about(ask: Ask) -> None:
    keys = {
        first_key(ask("那谁牵头呢", history))
        for history in [("大气污染治理有什么措施？",), ("随迁子女上学有什么政策？",)]
    }
    assert keys == {"23", "13"}


def _keys_where(engine: Engine, agency: str, roles: tuple[str, ...]) -> list[str]:
    """Task numbers whose notes name ``agency`` in one of ``roles``, from the clauses."""
    found = {
        c.task for c in engine.clauses if c.task and any(agency in getattr(c, r) for r in roles)
    }
    return [str(n) for n in sorted(found)]


@pytest.mark.parametrize(
    ("question", "agency", "roles"),
    [
        ("省旅游局牵头哪些任务?", "省旅游局", ("lead",)),
        ("环保厅牵头的任务都有哪些？", "省环境保护厅", ("lead",)),
        ("交通运输厅牵头了哪几项任务？", "省交通运输厅", ("lead",)),
        ("港澳办牵头哪些任务", "省港澳办", ("lead",)),
        ("广铁集团参与了哪些任务？", "广铁集团", ("lead", "participants")),
        ("省总工会参与了哪些任务？", "省总工会", ("lead", "participants")),
        ("请把环保厅有分工的条目都找出来", "省环境保护厅", ("lead", "participants")),
        # The place the asker names picks one of the city governments.
        ("我在珠海市府办，我们市政府在文件里有哪些分工？", "珠海市政府", ("lead", "participants")),
    ],
)
def test_agency_tasks_list_every_task_of_the_agency(
    ask: Ask, engine: Engine, question: str, agency: str, roles: tuple[str, ...]
) -> None:
    expected = _keys_where(engine, agency, roles)
    assert expected  # the table names agencies the document really has
    answer = ask(question)
    assert answer.kind == "aggregate"
    assert [str(c.task) for c in answer.citations] == expected
    assert f"共{len(expected)}项" in answer.answer
    for key in expected:
        assert f"【任务{key}】" in answer.answer
    for cite in answer.citations:
        assert agency in cite.lead + cite.participants


@pytest.mark.parametrize(
    ("question", "agency", "section"),
    [
        ("粤港澳合作那块发改委牵头的有哪几条？", "省发展改革委", "二(八)"),
        ("粤港澳合作这块交通运输厅牵头哪些任务？", "省交通运输厅", "二(八)"),
    ],
)
def test_agency_tasks_within_a_named_section(
    ask: Ask, engine: Engine, question: str, agency: str, section: str
) -> None:
    everywhere = _keys_where(engine, agency, ("lead",))
    expected = [k for k in everywhere if engine.catalog.targets[k].section == section]
    assert expected and len(expected) < len(everywhere)  # the section really narrows it
    answer = ask(question)
    assert answer.kind == "aggregate"
    assert [str(c.task) for c in answer.citations] == expected
    assert section in answer.answer


@pytest.mark.parametrize("question", ["哪些任务没写牵头单位？", "Which tasks have no lead agency?"])
def test_tasks_without_a_lead(ask: Ask, engine: Engine, question: str) -> None:
    expected = [
        t.task
        for t in engine.catalog.targets.values()
        if t.task is not None and not any(c.lead for c in t.clauses)
    ]
    assert expected == [6, 12, 18, 29]  # the parsed notes, see indexer tests
    answer = ask(question)
    assert [c.task for c in answer.citations] == expected
    assert f"共{len(expected)}项" in answer.answer


def test_which_agencies_of_a_task_without_a_lead_is_about_that_task(ask: Ask) -> None:
    # "没写牵头的" here describes the work talked of; the turn asks for its agencies,
    # not for the tasks without a lead.
    history = ("单一窗口、电子口岸大通关这块在第几条任务？",)
    answer = ask("那负责单位有哪些？好像没写牵头的？", history)
    assert [c.task for c in answer.citations] == [6, 6]
    assert "海关广东分署" in answer.answer


def test_one_task_without_a_lead_is_a_lead_answer(ask: Ask) -> None:
    answer = ask("任务6有没有牵头单位")
    assert [c.task for c in answer.citations] == [6]
    assert "未指定牵头单位" in answer.answer


@pytest.mark.parametrize(
    ("question", "history", "agency", "key", "takes_part"),
    [
        ("环保那边参不参与珠江-西江经济带那摊事？", (), "省环境保护厅", "1", True),
        ("环保局在社会治理那条里有没有分工？", (), "省环境保护厅", "18", True),
        ("电网和电源建设那条，国土厅参不参与？", (), "省国土资源厅", "8", True),
        ("林业厅参与吗？", ("珠江防护林建设怎么搞？",), "省林业厅", "24", True),
        ("省旅游局参与铁路建设吗？", (), "省旅游局", "7", False),
    ],
)
def test_whether_an_agency_takes_part(
    ask: Ask,
    question: str,
    history: tuple[str, ...],
    agency: str,
    key: str,
    takes_part: bool,
) -> None:
    answer = ask(question, history)
    assert answer.kind == "lead"
    assert first_key(answer) == key
    assert agency in answer.answer
    assert answer.answer.startswith("是，") is takes_part
    cited = answer.citations[0]
    assert (agency in cited.lead + cited.participants) is takes_part


@pytest.mark.parametrize(
    ("question", "history", "key", "agency"),
    [
        ("那公路呢？", ("铁路项目谁牵头？",), "7", "省交通运输厅"),
        ("那教育呢？", ("旅游方面谁牵头？",), "13", "省教育厅"),
    ],
)
def test_what_about_another_topic_keeps_the_question(
    ask: Ask, question: str, history: tuple[str, ...], key: str, agency: str
) -> None:
    answer = ask(question, history)
    assert answer.kind == "lead"
    assert first_key(answer) == key
    assert agency in answer.citations[0].lead


def test_tourism_bureau_leads_tasks_17_and_27(ask: Ask) -> None:
    answer = ask("省旅游局牵头哪些任务?")
    assert [c.task for c in answer.citations] == [17, 27]
    assert "共同优化休闲旅游环境" in answer.answer
    assert "加强产业发展合作" in answer.answer
    # It leads every paragraph of task 17 but only the tourism one of task 27: which one.
    head_17, head_27 = answer.answer.split("；")
    assert "其中" not in head_17
    assert "（其中：加快制定实施《粤港澳区域旅游合作愿景纲要》" in head_27


@pytest.mark.parametrize(
    "question", ["环保厅挑头的任务有哪几条？", "环保厅牵头哪些任务？", "环保口牵头的任务有哪些？"]
)
def test_tasks_an_agency_leads_are_not_those_it_only_takes_part_in(ask: Ask, question: str) -> None:
    answer = ask(question)
    assert [c.task for c in answer.citations] == [22, 23, 24, 25]
    # It takes part in task 1, but leads it not.
    assert "优化区域经济发展格局" not in answer.answer


@pytest.mark.parametrize(
    "question",
    ["人社厅挂了名的任务，牵头的配合的都算上，帮我全列出来", "人社厅牵头或参与哪些任务？"],
)
def test_tasks_an_agency_leads_or_takes_part_in(ask: Ask, question: str) -> None:
    """A question that names taking part beside leading asks for every role."""
    answer = ask(question)
    assert [c.task for c in answer.citations] == [4, 12, 13, 14, 15, 18, 28, 29]
    assert "共8项" in answer.answer


@pytest.mark.parametrize("question", ["主要任务一共多少项?", "How many main tasks are there?"])
def test_counting_the_main_tasks(ask: Ask, engine: Engine, question: str) -> None:
    answer = ask(question)
    assert answer.kind == "aggregate"
    assert "共30项" in answer.answer
    assert len(engine.catalog.task_numbers) == 30
    assert [c.section for c in answer.citations] == [f"二({n})" for n in "一二三四五六七八"]
    assert all(c.task is None for c in answer.citations)
    assert "（任务7—10）【二(三)】" in answer.answer


def test_counting_the_tasks_of_a_section(ask: Ask) -> None:
    answer = ask("基础设施一体化那块有几条任务？")
    assert [c.section for c in answer.citations] == ["二(三)"]
    assert "共4项任务" in answer.answer
    for n in (7, 8, 9, 10):
        assert f"任务{n} " in answer.answer


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("大力推进统一市场建设有多少项具体任务？", "二(二)"),
        ("基础设施一体化那块包含几个方面的任务？", "二(三)"),
    ],
)
def test_counting_the_structure_in_other_words(ask: Ask, question: str, section: str) -> None:
    answer = ask(question)
    assert answer.kind == "aggregate"
    assert first_key(answer) == section


@pytest.mark.parametrize(
    "question", ["泛珠合作发展研究院有多少个工作人员？", "泛珠合作发展研究院核定了多少个事业编制？"]
)
def test_counting_other_things_is_not_answered_from_the_structure(ask: Ask, question: str) -> None:
    # "合作发展" is also in the title of 二(一); the question counts staff, not tasks.
    answer = ask(question)
    assert answer.kind != "aggregate"
    assert "二(一)" not in answer.answer


@pytest.mark.parametrize(
    ("question", "task", "title"),
    [
        ("第17项任务讲什么?", 17, "共同优化休闲旅游环境"),
        ("What is task 17 about?", 17, "共同优化休闲旅游环境"),
        ("任务三十讲的是什么", 30, "开展多层次合作交流"),
        ("第1项任务是啥", 1, "优化区域经济发展格局"),
    ],
)
def test_task_lookup(ask: Ask, engine: Engine, question: str, task: int, title: str) -> None:
    answer = ask(question)
    assert answer.kind == "lookup"
    target = engine.catalog.targets[str(task)]
    # One citation per paragraph shown, each quoting that paragraph's opening.
    shown = target.clauses[:OVERVIEW_PARAGRAPHS]
    assert [c.task for c in answer.citations] == [task] * len(shown)
    assert title in answer.answer
    for cite, clause in zip(answer.citations, shown, strict=True):
        assert cite.clause_id == clause.id
        assert clause.text.startswith(cite.quote)
        assert cite.quote in answer.answer


@pytest.mark.parametrize(
    ("question", "number"),
    [("第31项任务讲什么？", 31), ("任务99说了啥", 99), ("第100项任务讲什么？", 100)],
)
def test_a_task_that_does_not_exist(ask: Ask, question: str, number: int) -> None:
    answer = ask(question)
    assert answer.abstained
    assert answer.kind == "declined"
    assert answer.citations == ()
    assert f"没有任务{number}" in answer.answer
    assert "30项" in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "个人所得税怎么算",
        "港珠澳大桥收费标准是多少",
        "今天天气怎么样",
        "广东省省长是谁？",
        # 社保 expands to 社会保险, which the document has; the rest of the question it has not.
        "社保卡在手机上怎么挂失？",
        # The glossary knows only the place.
        "What's the weather like in Macao tomorrow?",
    ],
)
def test_off_topic_questions_are_declined(ask: Ask, question: str) -> None:
    answer = ask(question)
    assert answer.abstained
    assert answer.kind == "declined"
    assert answer.citations == ()
    # Some are near misses (not_stated, with related clauses), some off the topic.
    assert answer.status in ("not_stated", "off_topic")
    if answer.status == "off_topic":
        assert answer.answer.startswith(DECLINE_TEXT)
        assert answer.suggestions
    else:
        assert answer.related
        assert answer.answer.startswith("文件")
    assert answer.reason


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        # near-misses: the topic is in the document, the kind of answer is not
        ("跨省异地就医备案怎么办理？", "no_procedure_in_evidence"),
        ("旅游团免签具体包括哪些国家？", "no_specifics_in_evidence"),
        ("省扶贫办主任是谁？", "no_person_in_evidence"),
        ("港珠澳大桥一共投资了多少亿元？", "no_amount_in_evidence"),
        ("南繁育种基地有多少亩？", "no_unit_in_evidence"),
        ("第四条对澳供水管道管径多粗？", "no_length_in_evidence"),
        ("粤港邮轮一程多站具体停靠哪几个港口？", "no_focus_in_evidence"),
        ("港澳青年来粤做志愿者要满足什么条件？", "no_condition_in_evidence"),
        ("没按时报送合作事项会被怎么问责？", "no_consequence_in_evidence"),
        # A who-question about a procedure the document never describes.
        ("企业想入驻泛珠合作园区，入园申请交到哪个部门？", "no_procedure_in_evidence"),
        ("港珠澳大桥的过路费怎么收？", "no_amount_in_evidence"),
        ("粤港澳青少年交流活动每年搞几次？", "no_frequency_in_evidence"),
        ("南繁育种基地一共招了几个人？", "no_headcount_in_evidence"),
        ("泛珠合作论坛明年轮到哪个省区当东道主？", "no_venue_in_evidence"),
        ("区域裁量基准跟国家标准冲突了，以哪个为准？", "no_precedence_in_evidence"),
        ("省泛珠办的官方网站是什么？", "no_person_in_evidence"),
        # The year in 《珠江水运科学发展行动计划(2016-2020年)》 dates that plan.
        ("深中通道哪一年通车？", "no_time_in_evidence"),
        (
            "Where will the next joint conference of chief executives be held?",
            "no_venue_in_evidence",
        ),
        # A personal errand; the glossary knows "railway" and "Guangzhou", so it is not off-topic.
        (
            "Can you recommend a hotel near Guangzhou South Railway Station?",
            "no_procedure_in_evidence",
        ),
        # Past the measure word: 医院 is what is asked for.
        ("检查结果互认首批选的是哪几家医院？", "no_focus_in_evidence"),
        ("公务员年假有几天？", "no_unit_in_evidence"),  # a number of days
        ("赣深客专在河源境内设几个站？", "no_unit_in_evidence"),  # named, never counted
        # A choice neither side of which the document names.
        ("琼州海峡跨海通道最后定的是建桥还是修隧道？", "no_option_in_evidence"),
    ],
)
def test_near_misses_are_declined_for_the_kind_of_answer(
    ask: Ask, question: str, reason: str
) -> None:
    answer = ask(question)
    assert answer.abstained
    assert answer.citations == ()
    assert answer.reason == reason


@pytest.fixture(scope="module")
def rules_only_engine(real_index: Path) -> Engine:
    """The same index without the wording model of declines, loaded once."""
    return Engine.load(real_index, scope_model=False)


@pytest.mark.parametrize(
    "question",
    [
        # Wordings no rule reads as asking for a fee, a person or progress (tuning
        # questions of the H batch, which the model learned from).
        "想入驻前海深港青年梦工厂，场地租金怎么收？",
        "省里推进泛珠合作的那个领导小组，组长由哪位领导担任？",
        "泛珠基金是否已经在工商部门完成注册登记？",
    ],
)
def test_the_wording_model_declines_what_the_rules_let_through(
    ask: Ask, rules_only_engine: Engine, question: str
) -> None:
    answer = ask(question)
    assert answer.abstained
    assert answer.citations == ()
    assert answer.reason == "asks_what_the_document_does_not_say"
    rules_only = answer_question(rules_only_engine, question)
    assert not rules_only.abstained
    assert rules_only.citations


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("滇西北到广东的特高压直流是多少千伏？", "8"),  # the number is in the text
        ("合作事项每年几月份前要报给省泛珠办？", "三(一)"),
        ("高铁方面具体要推进哪些项目？", "7"),  # specifics the document does list
        ("异地就医直接结算要在内地多少个省区实现？", "15"),  # 九省区
        # The water task ranks first, but only task 26 names the pipeline's number.
        ("对澳门的供水管道是第几条？", "26"),
        ("泛珠合作事项每年报送几次？", "三(一)"),  # 每年6月底和12月底
        # "定在哪" of a year asks for the year; the list's opening line gives it.
        ("泛珠合作的目标定在哪一年基本实现？", "一(三)"),
        # "名字" of platforms, not of a person.
        ("跨省合作平台除了粤桂合作特别试验区，还点了哪些名字？", "3"),
        # "现在推的是第几条": which one the plan pushes, not progress since.
        ("给澳门供水的管道，现在推的是第几条？", "26"),
        # 原则 is named by 基本 only in grade: the principles are what is asked for.
        ("这份意见坚持的基本原则有哪些？", "一(一)"),
        # 城市 is asked for; 珠三角 only narrows it (the note lists 广州、佛山…等市政府).
        ("跨省对口扶贫除了省扶贫办，还有哪几个珠三角城市要出力？", "16"),
        # The section named holds the year (its opening line) although 三(四) says 定期.
        ("合作目标的时间节点定在哪一年？", "一(三)"),
        ("Who is the lead agency for the telecoms and internet backbone work?", "10"),
        ("跨省查人口信息的网上平台，在第几条？", "18"),  # where it stands, not a number
        ("泛珠合作发展基金的钱从哪来，谁一起出？", "三(三)"),  # 共同设立 names the payers
        ("落马洲河套那片开发，要建个什么园区？", "11"),  # 深港创新及科技园
    ],
)
def test_questions_whose_kind_of_answer_is_stated_are_answered(
    ask: Ask, question: str, key: str
) -> None:
    answer = ask(question)
    assert not answer.abstained
    assert first_key(answer) == key


def test_the_quote_holds_the_number_asked_for(ask: Ask) -> None:
    answer = ask("对澳门的供水管道是第几条？")
    assert "第四条" in answer.answer
    assert "第四条" in answer.citations[0].quote


@pytest.mark.parametrize("question", ["？？？", "😀😀", "……！！"])
def test_questions_without_content_are_declined(ask: Ask, question: str) -> None:
    answer = ask(question)
    assert (answer.abstained, answer.kind, answer.reason) == (True, "declined", "no_content")
    assert answer.citations == ()
    assert answer.question == question


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\u3000"])
def test_empty_questions_are_bad(engine: Engine, question: str) -> None:
    with pytest.raises(BadQuestion, match="empty"):
        answer_question(engine, question)


def test_a_100_kb_question_is_bad(engine: Engine) -> None:
    with pytest.raises(BadQuestion, match="limit is 2000"):
        answer_question(engine, "铁路项目谁牵头？" * 12_800)


def test_the_question_is_returned_cleaned(ask: Ask) -> None:
    assert ask("  旅游标识要统一吗？\x00 ").question == "旅游标识要统一吗？"


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("第二部分第三块讲了什么？", "二(三)"),
        ("保障措施第二条讲什么？", "三(二)"),
        ("保障措施最后一条讲什么？", "三(四)"),
        ("第三部分最后一项讲啥", "三(四)"),
        ("保障措施头一条讲的啥？", "三(一)"),
        ("那合作目标呢？", "一(三)"),
        ("总体要求的最后一个方面是什么", "一(三)"),
    ],
)
def test_sections_named_by_position(ask: Ask, question: str, section: str) -> None:
    answer = ask(question)
    assert [c.section for c in answer.citations][:1] == [section]
    assert f"【{section}】" in answer.answer or section.startswith("二")


@pytest.mark.parametrize(
    ("question", "task"),
    [
        ("统一市场规则那条大概有哪几块内容？", 4),
        ("粤港澳社会事务那条都包括哪些事？", 29),
        # Asked as an instruction.
        ("交通那条给我梳理一下要点", 7),
        ("能源供应那条，帮我概括一下", 8),
        # 合作目标 (一(三)) shares the words 社会治理 and ranks first; "那条" names a task.
        ("社会治理那条大致说了些啥？", 18),
    ],
)
def test_a_task_named_by_its_topic_is_summed_up(
    ask: Ask, engine: Engine, question: str, task: int
) -> None:
    answer = ask(question)
    assert answer.kind == "lookup"
    assert {c.task for c in answer.citations} == {task}
    shown = engine.catalog.targets[str(task)].clauses[:OVERVIEW_PARAGRAPHS]
    assert [c.clause_id for c in answer.citations] == [c.id for c in shown]


def test_a_section_of_named_items_lists_them_when_several_are_asked_for(ask: Ask) -> None:
    answer = ask("广东给自己定了哪几个定位？")
    assert answer.kind == "aggregate"
    assert first_key(answer) == "一(二)"
    for item in ("深化合作排头兵", "改革开放先行地", "生态合作先行区"):
        assert item in answer.answer
    # Asked to be summed up, too.
    answer = ask("到20年前后要达成的目标，帮我捋一下")
    assert first_key(answer) == "一(三)"
    assert "紧密合作格局基本形成" in answer.answer and "合作机制进一步完善" in answer.answer
    # One of them asked about ("那个定位") is searched inside.
    answer = ask("创新引擎那个定位要跟哪些跨省平台结合？")
    assert answer.kind == "search"
    assert "粤桂合作特别试验区" in answer.answer


def test_another_provinces_agency_is_the_asker_not_the_subject(ask: Ask) -> None:
    # 广西农业厅 is not the document's 省农业厅: no list of the tasks it takes part in.
    answer = ask("广西农业厅的同志想了解：广东打算跟广西在农业方面合作哪些事情？")
    assert answer.kind == "search"
    assert first_key(answer) == "2"
    assert "特色农产品示范基地" in answer.answer


def test_a_list_asked_for_is_quoted_to_the_end_of_its_sentence(ask: Ask) -> None:
    # The best window only talks about the platforms; the rest of its sentence names them.
    answer = ask("为了承接产业转移，跨省合作平台有哪些？")
    assert first_key(answer) == "3"
    for name in ("闽粤经济合作区", "粤湘开放合作试验区", "广州泛珠合作园区"):
        assert name in answer.answer
    assert "闽粤经济合作区" in answer.citations[0].quote


def test_the_note_answers_which_governments_take_part(ask: Ask) -> None:
    answer = ask("对口扶贫协作牵头单位是谁？要承担责任的地市政府有哪几个？")
    assert not answer.abstained
    assert first_key(answer) == "16"
    assert "东莞市政府" in answer.answer


def test_cities_that_take_part_are_read_off_the_note(ask: Ask) -> None:
    answer = ask("对口扶贫除了省扶贫办，还有哪几个珠三角城市的政府要出力？")
    assert answer.kind == "lead"
    assert first_key(answer) == "16"
    for city in ("佛山市政府", "中山市政府", "东莞市政府"):
        assert city in answer.answer


def test_a_part_named_with_area_words_is_listed(ask: Ask) -> None:
    answer = ask("保障措施那一部分主要讲了哪几方面？")
    assert answer.kind == "aggregate"
    assert [c.section for c in answer.citations] == ["三(一)", "三(二)", "三(三)", "三(四)"]
    assert "加强统筹协调" in answer.answer


def test_a_section_asked_to_be_introduced_is_listed(ask: Ask) -> None:
    answer = ask("基础设施这部分，简单介绍一下")
    assert answer.kind == "aggregate"
    assert first_key(answer) == "二(三)"
    assert "任务7" in answer.answer and "任务10" in answer.answer


@pytest.mark.parametrize(
    ("question", "section", "tasks"),
    [
        ("粤港澳合作那一大部分，具体包括哪几条任务？", "二(八)", ("任务26", "任务30")),
        ("统一市场那部分大致讲了些啥？", "二(二)", ("任务4", "任务6")),
        ("粤港澳合作作为最后一个部分，包括哪几条任务", "二(八)", ("任务26", "任务30")),
        ("生态文明这一部分有哪些任务？", "二(七)", ("任务22", "任务25")),
    ],
)
def test_a_part_two_section_named_by_its_area_lists_its_tasks(
    ask: Ask, question: str, section: str, tasks: tuple[str, ...]
) -> None:
    answer = ask(question)
    assert answer.kind == "aggregate"
    assert first_key(answer) == section
    assert all(task in answer.answer for task in tasks)


@pytest.mark.parametrize(
    "question",
    ["合作目标里港澳合作要达到什么程度？", "合作目标里，基础设施互联互通要达到什么水平？"],
)
def test_a_named_section_answers_before_a_task_that_shares_its_words(
    ask: Ask, question: str
) -> None:
    # Tasks 27 and 10 match these words better; the question asks inside 合作目标.
    answer = ask(question)
    assert answer.kind == "search"
    assert first_key(answer) == "一(三)"


def test_things_inside_a_section_are_searched_not_listed(ask: Ask) -> None:
    # 合作目标 is named, but the question asks for the economic belts inside it.
    answer = ask("合作目标里跨区域建设的经济带有哪几条？")
    assert answer.kind == "search"
    assert first_key(answer) == "一(三)"
    assert "琼州海峡经济带" in answer.answer
    # A section named by its area (这块): the platforms inside it are searched for.
    answer = ask("粤港澳合作这块，要重点建设的大平台有哪些？")
    assert answer.kind == "search"
    assert first_key(answer) == "28"
    assert "横琴" in answer.answer


# Questions whose answers are checked for the contract's invariants, one of each kind.
ALL_KINDS = [
    *[(q, ()) for q, _, _ in SEARCH],
    *[(q, h) for q, h, _, _ in LEAD],
    ("省旅游局牵头哪些任务?", ()),
    ("主要任务一共多少项?", ()),
    ("保障措施有几条？", ()),
    ("第二部分第三块讲了什么？", ()),
    ("保障措施最后一条讲什么？", ()),
    ("哪些任务没写牵头单位？", ()),
    ("广东的战略定位有哪些？", ()),
    ("第17项任务讲什么?", ()),
    ("第31项任务讲什么？", ()),
    ("到2020年高铁要实现什么目标？", ()),
    ("个人所得税怎么算", ()),
    ("？？？", ()),
]


def test_every_quote_is_verbatim_and_markers_match_citations(ask: Ask, engine: Engine) -> None:
    kinds = set()
    for question, history in ALL_KINDS:
        answer = ask(question, history)
        kinds.add(answer.kind)
        markers = set(_MARKER.findall(answer.answer))
        assert markers == {c.marker for c in answer.citations}, question
        for cite in answer.citations:
            clause = engine.index.clause_by_id[cite.clause_id]
            assert cite.quote and cite.quote in clause.text, question
            assert cite.marker == marker(cite.task, cite.section)
            assert cite.section == clause.section
            assert cite.doc == clause.doc_id == "gd-pprd-2017"
            if cite.task is not None:
                assert cite.task == clause.task
                assert cite.title == clause.title
            assert cite.lead == clause.lead
            assert cite.participants == clause.participants
        if answer.abstained:
            assert answer.citations == ()
    assert kinds == {"search", "lead", "aggregate", "lookup", "declined"}


CONTRACT_KEYS = {"question", "answer", "abstained", "citations", "timing_ms"}
CITATION_KEYS = {"doc", "task", "section", "title", "clause_id", "quote", "lead", "score"}


@pytest.mark.parametrize(
    ("question", "timings"),
    [
        ("铁路项目由谁牵头？", {"retrieve", "total"}),
        ("旅游标识要统一吗？", {"retrieve", "total"}),
        ("主要任务一共多少项?", {"total"}),  # structural: no retrieval at all
        ("个人所得税怎么算", {"retrieve", "total"}),
    ],
)
def test_to_dict_is_the_json_contract(ask: Ask, question: str, timings: set[str]) -> None:
    answer = ask(question)
    data = answer.to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert question in text  # Chinese stays readable, not \u-escaped
    assert json.loads(text) == data
    assert set(data) >= CONTRACT_KEYS
    assert data["question"] == question
    assert data["abstained"] is answer.abstained
    assert set(data["timing_ms"]) == timings
    assert all(isinstance(v, float) and v >= 0 for v in data["timing_ms"].values())
    assert data["timing_ms"]["total"] >= data["timing_ms"].get("retrieve", 0.0)
    assert isinstance(data["citations"], list)
    assert len(data["citations"]) == len(answer.citations)
    for cite in data["citations"]:
        assert set(cite) >= CITATION_KEYS
        assert isinstance(cite["lead"], list)
        assert isinstance(cite["score"], float)


@pytest.fixture(scope="module")
def bm25_engine(real_index: Path) -> Engine:
    return Engine.load(real_index, config=RetrievalConfig(mode="bm25"))


def test_a_bm25_only_engine_answers_without_a_model(bm25_engine: Engine) -> None:
    assert bm25_engine.embedder is None
    answer = answer_question(bm25_engine, "粤蓉欧、粤黔欧班列有什么安排？")
    assert not answer.abstained
    assert first_key(answer) == "19"
    assert "粤蓉欧" in answer.answer
    lead = answer_question(bm25_engine, "铁路项目由谁牵头？")
    assert first_key(lead) == "7"
    assert "广铁集团" in lead.answer
    assert answer_question(bm25_engine, "个人所得税怎么算").abstained


# Regression table: each of these was answered wrongly by an earlier version of service/
# (a numeral inside a phrase read as a task number, the named task ignored, a section
# code read as task 2).
NAMED = [
    ("任务9谁牵头？", "9", "省水利厅"),
    ("Who leads task 9?", "9", "水利部珠江水利委员会"),
    ("任务十二由谁负责？", "12", "未指定牵头单位"),
    ("二(三)有哪些任务", "二(三)", "共4项任务"),
    ("第四条对澳供水管道工程有什么安排？", "26", "第四条对澳供水管道工程"),
    ("铁路这类任务一般由谁牵头？", "7", "广铁集团"),
    ("旅游任务一起推进的有哪些部门？", "17", "省旅游局"),
]


@pytest.mark.parametrize(("question", "key", "words"), NAMED, ids=[q for q, _, _ in NAMED])
def test_numbers_in_questions_are_read_right(ask: Ask, question: str, key: str, words: str) -> None:
    answer = ask(question)
    assert not answer.abstained
    assert first_key(answer) == key
    assert words in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "个人所得税改革由谁牵头？",  # a who-leads wording does not skip the off-topic check
        "火星探测工程由哪个部门牵头？",
        "Who is the governor of Guangdong?",
        "What's the weather like in Paris today?",
        "What is the income tax rate in Guangdong?",
        "How do I apply for a visa to Hong Kong?",
        # One glossary word (Macao, Zhuhai) in a question about something else.
        "What are the best seafood restaurants near the harbour in Macao?",
        "Which bakery in Zhuhai sells the best egg tarts?",
    ],
)
def test_off_topic_lead_and_english_questions_are_declined(ask: Ask, question: str) -> None:
    answer = ask(question)
    assert answer.abstained
    assert answer.kind == "declined"
    assert answer.citations == ()
    # Declined as off the topic, or as not stated (a visa's procedure): never a dead end.
    assert answer.status in ("not_stated", "off_topic")
    assert answer.related if answer.status == "not_stated" else answer.suggestions
    if answer.status == "off_topic":
        assert answer.answer.startswith(DECLINE_TEXT)


@pytest.mark.parametrize(
    ("question", "key"),
    [
        # "pair up" and "draw in" are not in the glossary; 扶贫 and PPP single out one target.
        ("Which provinces does Guangdong pair up with for poverty-alleviation work?", "16"),
        ("Is PPP mentioned as a way to draw in private capital?", "三(三)"),
    ],
)
def test_english_words_the_glossary_knows_may_single_out_the_task(
    ask: Ask, question: str, key: str
) -> None:
    answer = ask(question)
    assert answer.status == "answered"
    assert first_key(answer) == key


def test_an_english_question_about_a_known_task_may_still_ask_what_it_does_not_state(
    ask: Ask,
) -> None:
    answer = ask("What's the poverty rate in Guangxi?")
    assert answer.status == "not_stated" and answer.reason == "no_number_in_evidence"
    assert answer.related and answer.related[0].task == 16


@pytest.mark.parametrize(
    ("question", "history"),
    [
        ("赣深客专文件里有写吗？", ()),
        ("那这块谁牵头？", ("赣深客专文件里有写吗？",)),
        ("韶柳铁路由哪个部门负责？", ()),
    ],
)
def test_short_route_names_find_the_spelled_out_route(
    ask: Ask, question: str, history: tuple[str, ...]
) -> None:
    # The text only says 赣州至深圳客专 / 韶关至柳州铁路 (task 7).
    answer = ask(question, history)
    assert not answer.abstained
    assert first_key(answer) == "7"


def test_who_leads_without_a_topic_asks_for_one(ask: Ask) -> None:
    alone = ask("谁牵头？")
    assert alone.abstained
    assert alone.reason == "no_topic"
    # The examples tell what to ask: who-leads questions made of the document's titles.
    assert alone.suggestions and all(s.endswith("由谁牵头？") for s in alone.suggestions)
    assert all(f"· {s}" in alone.answer for s in alone.suggestions)
    with_context = ask("谁牵头？", ("铁路项目有哪些？",))
    assert not with_context.abstained
    assert first_key(with_context) == "7"


@pytest.fixture(scope="module")
def small_engine(small_index: Path) -> Engine:
    return Engine.load(small_index)


@pytest.mark.parametrize(
    ("question", "reason"),
    [("主要任务一共多少项？", "no_tasks"), ("第3项任务讲什么？", "no_tasks")],
)
def test_a_document_without_numbered_tasks_says_so(
    small_engine: Engine, question: str, reason: str
) -> None:
    answer = answer_question(small_engine, question)
    assert answer.abstained
    assert answer.reason == reason
    assert "没有编号的主要任务" in answer.answer


def test_an_english_question_without_a_glossary_shows_the_closest_clauses(
    small_engine: Engine, ask: Ask
) -> None:
    """The small document has no English glossary: an English question is not
    refused as off-topic but answered with what it cannot tell and the closest clauses."""
    answer = answer_question(small_engine, "What does the notice ask the districts to do?")
    assert answer.status == "not_stated" and answer.reason == "no_english_glossary"
    assert answer.related and "英文词表" in answer.answer
    # With a glossary, an English question with none of its words is off-topic.
    assert ask("Who won the most recent NBA championship?").status == "off_topic"


def test_a_part_without_sections_is_quoted_directly(small_engine: Engine) -> None:
    answer = answer_question(small_engine, "第三部分讲的是什么？")
    assert not answer.abstained
    assert [c.section for c in answer.citations] == ["三"]
    clause = small_engine.index.clause_by_id[answer.citations[0].clause_id]
    assert answer.citations[0].quote in clause.text


def test_a_named_section_is_quoted_where_it_answers(ask: Ask) -> None:
    # The principles stand in the middle of 指导思想, not in its opening.
    answer = ask("指导思想里讲的原则有哪些？")
    assert first_key(answer) == "一(一)"
    assert "政府引导" in answer.answer and "生态优先" in answer.answer
    assert ask("指导思想讲了什么？").answer.startswith("一(一)「指导思想」：全面贯彻")


def test_a_lead_question_that_also_asks_about_the_work_gets_both(ask: Ask) -> None:
    answer = ask("落马洲河套地区开发，文件放在哪条任务下面？是哪个厅牵头？")
    assert answer.kind == "lead"
    assert first_key(answer) == "11"
    assert "落马洲河套地区开发" in answer.answer
    assert "由省科技厅牵头" in answer.answer
    assert answer.answer.index("落马洲") < answer.answer.index("牵头")


@pytest.mark.parametrize(
    "question",
    ["对口扶贫协作，珠三角哪几个市要上？", "扶贫协作拉上了哪几个珠三角城市的政府？"],
)
def test_cities_asked_for_are_read_from_the_responsibility_note(ask: Ask, question: str) -> None:
    # Task 16's text names the partner provinces; the cities stand in its note.
    answer = ask(question)
    assert answer.kind == "search"
    assert first_key(answer) == "16"
    assert "佛山市政府" in answer.answer and "东莞市政府" in answer.answer
    assert any(c.quote.startswith("(省扶贫办牵头") for c in answer.citations)


def test_a_count_of_named_items_lists_them_when_the_section_names_what_is_counted(
    ask: Ask,
) -> None:
    # "几个定位": the 战略定位 section's items, counted and named.
    answer = ask("广东在泛珠合作里给自己定了几个定位？简单说说")
    assert first_key(answer) == "一(二)"
    assert "共5个方面" in answer.answer and "生态合作先行区" in answer.answer
    # "几个省区" counts something the section's title does not name: the text answers.
    answer = ask("要跟泛珠内地几个省区建统一开放的市场？")
    assert "八省区" in answer.answer


def test_a_section_overview_quotes_whole_sentences(ask: Ask, engine: Engine) -> None:
    """ "保障措施第二节大意是啥": the section's paragraph, sentence by sentence up to the
    quote limit, not its first sentence alone (合作发展研究院 is in its last one)."""
    answer = ask("保障措施第二节讲的是什么？")
    assert [c.section for c in answer.citations] == ["三(二)"]
    clause = engine.catalog.targets["三(二)"].clauses[0]
    quote = answer.citations[0].quote
    assert clause.text.startswith(quote)
    assert len(quote) > len(clause.sentences[0].text)
    assert "合作发展研究院" in answer.answer


def test_a_kind_asked_for_is_found_further_down_the_ranking(ask: Ask) -> None:
    """ "泛珠是几加几" ranks the region's work first; the clauses that write 9+2 rank
    far below, and one of them answers, since it matches the question as well."""
    answer = ask("泛珠是几加几")
    assert answer.status == "answered"
    assert first_key(answer) in {"通知", "一(一)"}
    assert "9+2" in answer.answer


def test_an_english_question_names_a_section_by_the_glossary(ask: Ask) -> None:
    """ "strategic positions" is the glossary's 战略定位: the whole section is listed."""
    answer = ask("What are Guangdong's strategic positions in Pan-PRD cooperation?")
    assert [c.section for c in answer.citations][:1] == ["一(二)"]
    assert "深化合作排头兵" in answer.answer and "生态合作先行区" in answer.answer


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("省发改委主任是谁？", "具体人员或联系方式"),
        ("人社厅人才处想问，科技人才库那件事，我们厅在不在责任单位名单里？", ""),
    ],
)
def test_a_question_about_an_agency_of_the_notes_is_not_off_topic(
    ask: Ask, question: str, sentence: str
) -> None:
    """An agency the notes name puts a question on the document: what it asks is not
    stated, and the closest clauses show (the talent pool is task 12)."""
    answer = ask(question)
    assert answer.status == "not_stated" and answer.related
    assert sentence in answer.answer
    assert ask("打印机卡纸了怎么办？").status == "off_topic"


def test_a_task_pointed_at_with_na_tiao_is_not_a_section_sharing_its_words(ask: Ask) -> None:
    """ "社会治理那条…机制" names task 18 (完善社会治理合作协调机制), though 合作机制 is the
    title of section 三(二)."""
    answer = ask("社会治理那条要建的跨省合作机制，一共点了几个方面？")
    assert first_key(answer) == "18"
    assert first_key(ask("创新合作机制那块讲了些啥？")) == "三(二)"
