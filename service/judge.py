"""Stage 5, judge: the one place that decides whether and how a question is answered.

Given the reading, its route and what was gathered, the judge returns a
:class:`Verdict`: decline (with a reason that ``service.decline`` grades as
``not_stated`` or ``off_topic``), fall back to the route's next plan, or answer
in one shape: a catalog lookup, a role check, a who-leads answer, a task summed
up, a section's items, or quotes. Whether the evidence answers at all is
weighed by ``service.abstain.assess`` (coverage, similarity, answer type, the
wording model); the judge asks it at most once per text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.types import Clause
from service.abstain import Verdict as Assessment
from service.abstain import assess
from service.agency_answers import names_agency
from service.catalog import Catalog, Target
from service.contract import OFF_TOPIC, status_of
from service.engine import Engine
from service.read import Reading
from service.retrieve import Retrieval, TargetHit
from service.route import LOOKUP, ROLE, Route
from service.spans import Span
from service.structural import listed_section

# How close a runner-up must score to stand in for the best target: one with a
# responsibility note for a who-leads question, a task for "那条给我概括一下".
NOTED_RUNNER_UP = 0.8

DECLINE = "decline"
FALLBACK = "fallback"


@dataclass(frozen=True)
class Verdict:
    """What the judge decided. ``shape`` is lookup | role | summary | listed | lead |
    quote, or decline / fallback; the other fields hold what that shape quotes."""

    shape: str
    reason: str | None = None
    evidence: Retrieval | None = None
    span: Span | None = None
    hit: TargetHit | None = None
    task: int | None = None
    section: str | None = None
    target: Target | None = None
    clauses: tuple[Clause, ...] = ()
    score: float = 0.0

    @property
    def declines(self) -> bool:
        return self.shape == DECLINE


@dataclass
class _Assessments:
    """``assess`` once per searched text within one judgement, with what the question
    asks for as read."""

    engine: Engine
    reading: Reading
    retrieval: Retrieval
    done: dict[tuple[str, bool], Assessment] = field(default_factory=dict)

    def declines(self, text: str, who: bool = False) -> bool:
        key = (text, who)
        if key not in self.done:
            self.done[key] = self.of(text, self.retrieval, who)
        return self.done[key].reason is not None

    def of(self, text: str, retrieval: Retrieval, who: bool = False) -> Assessment:
        return assess(self.engine, self.reading, text, retrieval, who)


def judge(
    engine: Engine,
    reading: Reading,
    route: Route,
    retrieval: Retrieval | None,
    on_topic: bool = False,
) -> Verdict:
    """Decide on one reading; see the module docstring for the shapes.

    ``on_topic``: the evidence is work an earlier reading of the same question was
    answered about (the second part of a two-part question), so whether the question
    is about the document at all is settled; what it asks for may still be missing.
    """
    if not reading.asked.has_content:
        return Verdict(DECLINE, "no_content")
    if route.kind == LOOKUP:
        found = route.found
        if found is None:
            return Verdict(DECLINE, "no_match")
        if found.kind == "declined":
            return Verdict(DECLINE, found.reason or "no_match")
        return Verdict(LOOKUP)
    if retrieval is None:
        return Verdict(DECLINE, "no_match")
    checks = _Assessments(engine, reading, retrieval)
    if route.kind == ROLE:
        assert route.query is not None
        # Only work with a responsibility note can have the agency in it.
        noted = [h for h in retrieval.targets[:3] if any(c.note for c in h.clauses)]
        if noted and not checks.declines(route.query.normalized):
            # The agency asked about is evidence too: of two works that match nearly
            # as well, the one whose note names it is the one the asker means.
            best = noted[0].score
            naming = [
                h
                for h in noted
                if h.score >= NOTED_RUNNER_UP * best
                and any(
                    names_agency(c, reading.agencies) for c in engine.catalog.targets[h.key].clauses
                )
            ]
            return Verdict(ROLE, evidence=retrieval, hit=(naming or noted)[0])
        return Verdict(FALLBACK)
    return _search_verdict(engine, reading, route, retrieval, checks, on_topic)


def _search_verdict(
    engine: Engine,
    reading: Reading,
    route: Route,
    retrieval: Retrieval,
    checks: _Assessments,
    on_topic: bool = False,
) -> Verdict:
    catalog = engine.catalog
    # What was searched for, as the wording model reads it.
    searched = route.query.normalized if route.query is not None else reading.normalized
    plain = not route.lead and reading.intent.kind == "search"
    if plain and reading.asks_summary and retrieval.targets:
        # "统一市场规则那条大概有哪几块内容": the whole task. "那条" names a task: a
        # section that shares the topic's words gives way to a task that scores nearly
        # as well.
        best = retrieval.targets[0].score
        tasks = [
            task
            for h in retrieval.targets[:3]
            if (task := catalog.targets[h.key].task) is not None
            and h.score >= NOTED_RUNNER_UP * best
        ]
        if tasks and not checks.declines(searched):
            return Verdict("summary", evidence=retrieval, task=tasks[0])
    # A count of things the structure does not number ("给自己定了几个定位") asks for
    # the items too, like "哪几个定位".
    if plain or (not route.lead and reading.intent.kind == "count"):
        code = listed_section(engine, reading, retrieval)
        if code is not None and not checks.declines(searched):
            return Verdict("listed", evidence=retrieval, section=code)
    if route.lead and retrieval.targets:
        target, clauses, score = _lead_target(catalog, retrieval, reading.intent.task)
        # Sections without notes (the notice: "请径向省发展改革委反映") answer in their
        # own words, by quotes.
        if any(c.note for c in target.clauses):
            # A follow-up's topic came from the turn before, which was answered already;
            # the kind of answer is read from the question as asked ("申请交到哪个部门").
            judged = not reading.asked.is_followup and reading.intent.task is None
            if not (judged and checks.declines(reading.normalized, who=True)):
                return Verdict(
                    "lead", evidence=retrieval, target=target, clauses=clauses, score=score
                )
    # "合作目标的时间节点定在哪一年": the section named is where a typed answer is
    # looked for first.
    ordered = _named_section_first(catalog, reading.normalized, retrieval)
    assessment = checks.of(reading.normalized, ordered)
    if assessment.reason and not (on_topic and status_of(assessment.reason) == OFF_TOPIC):
        return Verdict(DECLINE, assessment.reason, evidence=ordered)
    if assessment.span is not None:
        ordered = ordered.with_first(assessment.span.clause)
    elif ordered is retrieval:
        ordered = _task_first(engine, retrieval)
    return Verdict("quote", evidence=ordered, span=assessment.span)


def _task_first(engine: Engine, retrieval: Retrieval) -> Retrieval:
    """Two targets that score alike are both quoted (``service.extract``); the one that
    speaks of the work more specifically goes first (``_generality``): a numbered task
    before a section that is not one (战略定位, 合作目标), a measure (保障措施) before a
    general section. "Which river basins are listed for the ecological compensation
    pilots?" is answered by task 25, which 一(二) only mentions; "泛珠合作发展研究院打算依托
    什么来建" by 三(二), of which 一(三) states the goal. On dev and calibration the task
    rule put 4 right first citations first and lost none; the measure rule 2 more, none
    lost."""
    top, *rest = retrieval.targets
    if not rest or rest[0].score < engine.second_target_ratio * top.score:
        return retrieval
    if _generality(engine.catalog, rest[0].key) < _generality(engine.catalog, top.key):
        return retrieval.with_first(rest[0].clauses[0])
    return retrieval


def _generality(catalog: Catalog, key: str) -> int:
    """How generally a target speaks of the work: a numbered task (0), a section of the
    measures that follow the tasks (1), a general section or the notice (2)."""
    if catalog.targets[key].task is not None:
        return 0
    part = catalog.part_of(key)
    return 1 if part is not None and part == catalog.measures_part else 2


def _lead_target(
    catalog: Catalog, retrieval: Retrieval, task: int | None
) -> tuple[Target, tuple[Clause, ...], float]:
    """The target a who-leads question is about: the task it names, else the best hit."""
    if task is not None and str(task) in catalog.targets:
        for hit in retrieval.targets:
            if hit.key == str(task):
                return catalog.targets[hit.key], hit.clauses, hit.score
        target = catalog.targets[str(task)]
        return target, target.clauses, 1.0
    hit = retrieval.targets[0]
    # A section without a note that names an agency in its own words ("执行中遇到的
    # 问题，请径向省发展改革委反映") answers who by quoting itself.
    if not any(c.note for c in hit.clauses) and not _names_an_agency(catalog, hit):
        # Only a responsibility note can say who leads: "落实CEPA这块谁牵头" ranks the
        # 战略定位 section (no note) first and the task that carries the work next.
        for other in retrieval.targets[1:3]:
            if other.score >= NOTED_RUNNER_UP * hit.score and any(c.note for c in other.clauses):
                hit = other
                break
    return catalog.targets[hit.key], hit.clauses, hit.score


def _names_an_agency(catalog: Catalog, hit: TargetHit) -> bool:
    """Whether the hit's best clause names an agency in its text."""
    return bool(hit.clauses) and bool(catalog.find_agencies(hit.clauses[0].text))


def _named_section_first(catalog: Catalog, normalized: str, retrieval: Retrieval) -> Retrieval:
    """ "合作目标里，广东要扮演个啥角色": the section the question names, when it was
    retrieved at all, answers before a task that only shares its words."""
    code = catalog.section_named(normalized)
    for hit in retrieval.targets[:3]:
        if code and hit.key == code:
            return retrieval.with_first(hit.clauses[0])
    return retrieval
