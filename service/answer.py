"""The one answer function every adapter calls: question in, :class:`Answer` out.

Order of decisions: validate → structural questions answered from the catalog
(counts, which tasks an agency leads, task N) → hybrid retrieval → decline when
the evidence does not hold the kind of answer asked for → lead answers from the
parsed notes, or an extractive answer of the best spans, each with its marker.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from time import perf_counter

from indexer.expand import query_tokens
from indexer.tokenize import normalize
from indexer.types import Clause
from service.abstain import judge
from service.catalog import Catalog, Target
from service.contract import ANSWERED, Answer
from service.cues import cue
from service.decline import declined
from service.doc_facts import document_facts
from service.engine import Engine
from service.extract import ranking_of, search_answer, with_city_governments, with_content
from service.intent import Intent, names_a_topic, read_intent, without_lead_words
from service.lookup import (
    Composed,
    agency_tasks,
    lead_answer,
    role_answer,
    task_overview,
    tasks_without_lead,
)
from service.query import Question, Turn, prepare
from service.retrieve import Retrieval
from service.structural import WHAT_ABOUT, asks_for_summary, listed_items, structural_answer

log = logging.getLogger(__name__)

CLARIFY_LEAD_TEXT = "请说明要问哪项工作的牵头单位，例如：铁路项目由谁牵头？"
_NO_LEAD = cue("lead.none")
# "参不参与", "有没有分工", "要不要参与": whether one named agency has a part in some work.
_ROLE_CHECK = cue("role.check")
_AGENCY_WORD = cue("role.agency_word")
_WHICH = cue("lead.which")
# "环保厅挑头的任务": the tasks an agency leads, not every one it takes part in.
_LEADS = cue("lead.leads_only")
_ASKS_CITIES = cue("list.cities")
_RESPONSIBLE = cue("lead.responsible")
# How close a runner-up must score to stand in for the best target: one with a
# responsibility note for a who-leads question, a task for "那条给我概括一下".
_NOTED_RUNNER_UP = 0.8


def answer_question(engine: Engine, question: str, history: Sequence[str | Turn] = ()) -> Answer:
    """Answer one question, with the earlier turns of its conversation for follow-ups
    (plain strings are user turns; :class:`Turn` also carries assistant answers).

    Raises :class:`indexer.errors.BadQuestion` for empty or oversized questions.

    >>> answer_question(engine, "第17项任务讲什么？").citations[0].task  # doctest: +SKIP
    17
    """
    started = perf_counter()
    asked = _about_cited(engine.catalog, prepare(question, history, engine.limits))
    timing: dict[str, float] = {}
    if not asked.has_content:
        return _declined(engine, asked, "no_content", timing, started)
    composed, retrieval = _compose(engine, asked, timing)
    if composed is None:
        if retrieval is not None:
            # "合作目标的时间节点定在哪一年": the section named is where a typed answer
            # is looked for first.
            retrieval = _named_section_first(engine.catalog, asked.text, retrieval)
        verdict = judge(engine, asked.text, retrieval)
        if verdict.reason or retrieval is None:
            reason = verdict.reason or "no_match"
            return _declined(engine, asked, reason, timing, started, retrieval)
        if verdict.span is not None:
            retrieval = retrieval.with_first(verdict.span.clause)
        composed = search_answer(engine, retrieval, verdict.span)
        if _ASKS_CITIES.search(asked.text):
            composed = with_city_governments(engine.catalog, retrieval, composed)
    ranking = composed.ranking + tuple(
        k for k in ranking_of(retrieval) if k not in composed.ranking
    )
    if composed.kind == "declined":
        # "文件共有30项主要任务，没有任务40。": a structural decline, shown like any other.
        reason = composed.reason or "no_match"
        return _declined(engine, asked, reason, timing, started, retrieval, composed.text, ranking)
    timing["total"] = _ms(started)
    return Answer(
        question=asked.text,
        answer=composed.text,
        abstained=False,
        citations=composed.citations,
        timing_ms=timing,
        kind=composed.kind,
        reason=composed.reason,
        ranking=ranking,
        status=ANSWERED,
    )


def _compose(
    engine: Engine, asked: Question, timing: dict[str, float]
) -> tuple[Composed | None, Retrieval | None]:
    """A structural answer when the question asks for one, else None with the retrieval."""
    catalog = engine.catalog
    text = asked.text
    tokens = query_tokens(text)
    expanded = engine.expand(text, tokens)
    agencies = engine.agencies_in(expanded)
    # Numbers are read from the question as asked: the expansion appends tokens,
    # and "任务" followed by a token "二" must not read as task 2.
    intent = read_intent(normalize(text), agencies[0] if agencies else None)
    # Only with a word of responsibility: "我们环保局想确认…哪几条江" names the asker.
    nicknamed = (
        catalog.agency_by_nickname(text) if not agencies and _RESPONSIBLE.search(text) else []
    )
    nickname_intent = read_intent(normalize(text), nicknamed[0]) if nicknamed else None
    if nickname_intent is not None and nickname_intent.kind == "agency_tasks":
        # "环保口牵头的任务有哪些": an informal name, asked for its list of tasks.
        agencies, intent = nicknamed, nickname_intent
    if not agencies and intent.task is None and _NO_LEAD.search(text) and _WHICH.search(text):
        return tasks_without_lead(catalog), None
    if intent.kind == "agency_tasks":
        scope = "measures" if "保障措施" in text else ("tasks" if "任务" in text else None)
        role = "lead" if _LEADS.search(text) else "any"
        # "粤港澳合作那块发改委牵头的有哪几条": the list stops at the section named.
        rest = normalize(text)
        for name in agencies:
            rest = rest.replace(name, " ")
        within = catalog.find_section(rest)
        return agency_tasks(catalog, agencies, role, scope, within), None
    facts = document_facts(catalog, normalize(text))
    if facts is not None:
        return facts, None
    structural = structural_answer(engine, expanded, intent)
    if structural is not None:
        return structural, None
    role_check = _ROLE_CHECK.search(text) if intent.task is None else None
    if role_check and not agencies:
        # "环保那边参不参与…", "海关在…那条里有没有分工": informal names before the ask.
        agencies = catalog.agency_by_nickname(text[: role_check.start()])
    if agencies and role_check:
        # "环保厅参不参与珠江-西江经济带那摊事": find the work, then read its notes.
        query = without_lead_words(_without(asked.search_text, agencies, engine))
        began = perf_counter()
        retrieval = engine.retrieve(query)
        timing["retrieve"] = _ms(began)
        # Only work with a responsibility note can have the agency in it.
        noted = [h for h in retrieval.targets[:3] if any(c.note for c in h.clauses)]
        if noted and not judge(engine, query, retrieval).reason:
            hit = noted[0]
            target = catalog.targets[hit.key]
            return role_answer(target, hit.clauses, hit.score, agencies), retrieval
    swap = WHAT_ABOUT.search(text) if asked.is_followup else None
    if swap and intent.kind == "search" and read_intent(normalize(asked.previous)).kind == "lead":
        # "铁路项目谁牵头？" then "那公路呢？": the same question about another topic.
        intent = Intent("lead")
        asked = replace(asked, search_text=swap.group(2))
    if intent.kind == "lead" and intent.task is None and not names_a_topic(asked.search_text):
        return Composed(CLARIFY_LEAD_TEXT, (), (), "declined", "no_topic"), None
    began = perf_counter()
    query = without_lead_words(asked.search_text) if intent.kind == "lead" else asked.search_text
    retrieval = engine.retrieve(query, tokens if query == text else None)
    timing["retrieve"] = _ms(began)
    if intent.kind == "search" and asks_for_summary(text) and retrieval.targets:
        # "统一市场规则那条大概有哪几块内容": the whole task, paragraph by paragraph.
        # "那条" names a task: a section that shares the topic's words (社会治理 in
        # 合作目标) gives way to a task that scores nearly as well.
        best = retrieval.targets[0].score
        tasks = [
            task
            for h in retrieval.targets[:3]
            if (task := catalog.targets[h.key].task) is not None
            and h.score >= _NOTED_RUNNER_UP * best
        ]
        if tasks and not judge(engine, query, retrieval).reason:
            return task_overview(catalog, tasks[0]), retrieval
    listed = listed_items(engine, text, retrieval) if intent.kind == "search" else None
    if listed is not None and not judge(engine, query, retrieval).reason:
        return listed, retrieval
    if intent.kind == "lead" and retrieval.targets:
        target, clauses, score = _lead_target(catalog, retrieval, intent)
        # Sections without notes (the notice: "请径向省发展改革委反映") answer in their own words.
        if any(c.note for c in target.clauses):
            # A follow-up's topic came from the turn before, which was answered already.
            declined = not asked.is_followup and intent.task is None
            # The kind of answer is read from the question as asked ("申请交到哪个部门").
            if declined and judge(engine, asked.text, retrieval).reason:
                return None, retrieval  # the search path declines it, with its reason
            lead = lead_answer(target, clauses, score, intent.counted == "agencies")
            return with_content(engine, asked.text, lead), retrieval
    return None, retrieval


def _about_cited(catalog: Catalog, asked: Question) -> Question:
    """A follow-up after an answer is about what that answer cited first: its title
    joins the search ("…【任务7】" then "那谁牵头？" searches 交通运输体系 too)."""
    for key in asked.cited:
        target = catalog.targets.get(key)
        if target is not None:
            return replace(asked, search_text=f"{target.title} {asked.search_text}")
    return asked


def _without(text: str, agencies: Sequence[str], engine: Engine) -> str:
    """The question with the agency and the asking words taken out: what remains is the work."""
    rest = _ROLE_CHECK.sub(" ", normalize(text))
    for name in agencies:
        rest = rest.replace(name, " ")
    rest = engine.catalog.without_nicknames(rest, agencies)
    for fragment in _AGENCY_WORD.findall(rest):
        if engine.agencies_in(fragment):
            rest = rest.replace(fragment, " ")
    return rest


def _lead_target(
    catalog: Catalog, retrieval: Retrieval, intent: Intent
) -> tuple[Target, tuple[Clause, ...], float]:
    """The target a who-leads question is about: the task it names, else the best hit."""
    if intent.task is not None and str(intent.task) in catalog.targets:
        for hit in retrieval.targets:
            if hit.key == str(intent.task):
                return catalog.targets[hit.key], hit.clauses, hit.score
        target = catalog.targets[str(intent.task)]
        return target, target.clauses, 1.0
    hit = retrieval.targets[0]
    if not any(c.note for c in hit.clauses):
        # Only a responsibility note can say who leads: "落实CEPA这块谁牵头" ranks the
        # 战略定位 section (no note) first and the task that carries the work next.
        for other in retrieval.targets[1:3]:
            if other.score >= _NOTED_RUNNER_UP * hit.score and any(c.note for c in other.clauses):
                hit = other
                break
    return catalog.targets[hit.key], hit.clauses, hit.score


def _named_section_first(catalog: Catalog, text: str, retrieval: Retrieval) -> Retrieval:
    """ "合作目标里，广东要扮演个啥角色": the section the question names, when it was
    retrieved at all, answers before a task that only shares its words."""
    code = catalog.section_named(text)
    for hit in retrieval.targets[:3]:
        if code and hit.key == code:
            return retrieval.with_first(hit.clauses[0])
    return retrieval


def _declined(
    engine: Engine,
    asked: Question,
    reason: str,
    timing: dict[str, float],
    started: float,
    retrieval: Retrieval | None = None,
    text: str | None = None,
    ranking: tuple[str, ...] | None = None,
) -> Answer:
    """A decline, graded (``service.decline``): what the document does not state and
    the closest clauses beside it, or questions it can answer. It cites nothing."""
    shown = declined(engine, reason, retrieval, text)
    timing["total"] = _ms(started)
    log.info("declined (%s, %s): %s", reason, shown.status, asked.text[:80])
    return Answer(
        question=asked.text,
        answer=shown.text,
        abstained=True,
        citations=(),
        timing_ms=timing,
        kind="declined",
        reason=reason,
        ranking=ranking_of(retrieval) if ranking is None else ranking,
        status=shown.status,
        related=shown.related,
        suggestions=shown.suggestions,
    )


def _ms(since: float) -> float:
    return round((perf_counter() - since) * 1000, 2)
