"""Stage 2, read: the question read once into a frozen :class:`Reading`.

Everything later stages need from the question's wording is read here, once: the
normalized text, its tokens and expansions, what it asks for (``Intent``: who
leads, a count, a task by number, a search), the agencies it names, and the
forms that change how it is answered (a role check, a summary, a list of cities,
a second ask about the work). The wordings themselves are cues
(``service/data/question_forms.toml``); no later stage normalizes or tokenizes
the question again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from indexer.expand import QueryTerms, read_terms
from indexer.tokenize import normalize, tokenize
from service.alternatives import read_choices
from service.answer_type import Asked, read_asked
from service.cues import FILLERS, GENERIC_NOUNS, cue
from service.engine import Engine
from service.english import EnglishFit, english_fit
from service.intent import (
    Intent,
    content_part,
    lead_words_removed,
    read_intent,
    without_lead_words,
)
from service.mentions import mentioned_term
from service.nicknames import agency_by_nickname, without_nicknames
from service.query import Question, without_preamble
from service.retrieve import Query

_NO_LEAD = cue("lead.none")
_ROLE_CHECK = cue("role.check")
# A role check asks yes or no; "还有哪些部门要参与" asks which agencies.
_ROLE_WHICH = cue("role.which")
_WHICH_TASKS = cue("agency.which_tasks")
_LEADS = cue("lead.leads_only")
_ASKS_CITIES = cue("list.cities")
_RESPONSIBLE = cue("lead.responsible")
# A follow-up that names another topic: "那公路呢？".
_WHAT_ABOUT = cue("followup.what_about")
_THIS_WORK = cue("followup.this_work")
# A task named by its topic and summed up: "那条都包括哪些事", "能源那条要点给我捋一下".
_TASK_SUMMARY = cue("summary.task")
_MENTIONS = cue("mentions.asks")
_NOT_TERMS = FILLERS | GENERIC_NOUNS
_PARTICIPATE = cue("lead.participants")
_SELF = cue("asker.self")
_NATIONAL_AGENCY = cue("agency.national")


@dataclass(frozen=True)
class Reading:
    """One question, read.

    ``asked`` is intake's :class:`Question` (text as asked, the search text with any
    borrowed context, follow-up facts). ``new_topic`` is the topic of "那公路呢？"
    after a who-leads question; ``content_part`` is the part of a two-part question
    that asks about the work beside who leads it; ``mentioned`` is the term a
    where-is-it question asks about ("九洲江在文件里出现在哪些部分"). ``value`` is
    the kind of value it asks for (an amount, a date, named cities …) and
    ``choices`` the options of "X还是Y".
    ``concepts`` are its expanded words, each with the tokens it expands to;
    ``english`` is how much of an English question the glossary knows (None for
    Chinese).

    ``search_text`` is what a search for it looks for: the question with any
    borrowed context, or, when it asks who leads, the work it names (the asking
    words taken out); ``role_text`` is the work a role check names. Their queries
    (``search``, ``role_search``: normalized, tokenized) are read from them once,
    when a route first needs them (a catalog lookup never does).
    """

    asked: Question
    normalized: str
    tokens: tuple[str, ...]
    expanded: str
    agencies: tuple[str, ...]
    intent: Intent
    search_text: str
    role_text: str | None = None
    new_topic: str | None = None
    content_part: str | None = None
    value: Asked = field(default_factory=Asked)
    choices: tuple[str, ...] = ()
    mentioned: str | None = None
    english: EnglishFit | None = None
    asks_summary: bool = False
    asks_cities: bool = False
    asks_without_lead: bool = False
    leads_only: bool = False
    # Its words and expansions as read (``concepts`` are derived from them when needed).
    terms: QueryTerms | None = field(default=None, compare=False, repr=False)
    # The engine it was read with: its queries are read with the engine's route names.
    engine: Engine | None = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        return self.asked.text

    @property
    def asks_lead(self) -> bool:
        """Whether it asks who leads: by its wording, or as "那公路呢？" after a who-leads
        question."""
        return self.intent.kind == "lead" or self.new_topic is not None

    @cached_property
    def search(self) -> Query:
        """The query of ``search_text`` (the question's own tokens when it is the question)."""
        assert self.engine is not None, "a Reading is made by read(), with its engine"
        tokens = self.tokens if self.search_text == self.text else None
        # A follow-up's search borrows the earlier turns; its own words choose the quote.
        own = self.tokens if self.asked.is_followup else None
        return self.engine.query(self.search_text, tokens, own)

    @cached_property
    def role_search(self) -> Query | None:
        """The query of ``role_text``; None when the question is no role check."""
        if self.role_text is None:
            return None
        assert self.engine is not None, "a Reading is made by read(), with its engine"
        return self.engine.query(self.role_text)

    @cached_property
    def concepts(self) -> tuple[frozenset[str], ...]:
        """Each expanded word with the tokens it expands to, read when first needed
        (only a judged search weighs them; a catalog lookup never does)."""
        return tuple(self.terms.concepts() if self.terms else read_terms(self.text).concepts())


def read(engine: Engine, asked: Question) -> Reading:
    """Read ``asked`` (intake's output) with the engine's vocabulary and catalog."""
    text = asked.text
    normalized = normalize(text)
    terms = read_terms(text)
    tokens = tuple(terms.tokens)
    expanded = engine.expand(text, tokens)
    agencies = _agencies_asked_about(engine, asked, expanded, terms)
    # Numbers are read from the question as asked: the expansion appends tokens,
    # and "任务" followed by a token "二" must not read as task 2.
    intent = read_intent(normalized, agencies[0] if agencies else None)
    # An informal name counts only with a word of responsibility: "我们环保局想确认…
    # 哪几条江" names the asker.
    if not agencies and _RESPONSIBLE.search(text):
        nicknamed = agency_by_nickname(engine.catalog, normalized)
        nickname_intent = read_intent(normalized, nicknamed[0]) if nicknamed else None
        if nickname_intent is not None and nickname_intent.kind == "agency_tasks":
            agencies, intent = nicknamed, nickname_intent
    lead_only = intent.kind == "lead" and intent.task is None
    if asked.leaning is not None and lead_only and not _names_work(engine, normalized, agencies):
        # "这是哪家牵头，交通厅也算牵头吗？" after "莲塘/香园围口岸有写进去吗？": a
        # who-question that names only an agency is about the work talked of before.
        asked = asked.leaning
    asked = _about_cited(engine, asked)
    asks_which = _ROLE_WHICH.search(text)
    role = _ROLE_CHECK.search(text) if intent.task is None and not asks_which else None
    if role and not agencies:
        # "环保那边参不参与…": an informal name before the ask (not the asker's own).
        before = text[: role.start()]
        asked_part = before if _SELF.search(before) else without_preamble(before)
        agencies = agency_by_nickname(engine.catalog, normalize(asked_part))
    swap = _WHAT_ABOUT.search(text) if asked.is_followup else None
    new_topic = None
    asks_again = intent.kind in ("search", "task_lookup")
    if swap and asks_again and read_intent(normalize(asked.previous)).kind == "lead":
        # "铁路项目谁牵头？" then "那公路呢？": the same question about another topic,
        # or about another task ("那第30项呢？").
        new_topic = swap.group(2)
        if intent.task is not None:
            intent = Intent("lead", task=intent.task)
    # Who leads: by the wording, or as "那公路呢？" after a who-leads question (asks_lead).
    lead = intent.kind == "lead" or new_topic is not None
    topic = new_topic or asked.search_text
    if lead and asked.is_followup and asked.previous and _THIS_WORK.search(text):
        # "这条口岸办、旅游局都参与吗？牵头又是谁": the work is the one talked of before;
        # the agencies the turn names are asked about, not searched for.
        topic = asked.previous
    query = without_lead_words(topic) if lead else topic
    role_text = None
    if role and agencies:
        # "环保厅参不参与珠江-西江经济带那摊事": the work, to read its notes.
        role_text = without_lead_words(_role_words_removed(engine, asked, agencies))
    # The kinds of value it asks for are read outside the options it offers.
    choices, beside_choices = read_choices(normalized)
    mentioned = None
    where = _MENTIONS.search(normalized)
    if where is not None:
        # The words of the asking itself (出现, 地方, 部分) are not the term.
        mentioned = mentioned_term(normalized, where, tokens, engine.catalog.text, _NOT_TERMS)
    return Reading(
        asked=asked,
        normalized=normalized,
        tokens=tokens,
        expanded=expanded,
        agencies=tuple(agencies),
        intent=intent,
        search_text=query,
        role_text=role_text,
        new_topic=new_topic,
        content_part=content_part(text),
        value=read_asked(beside_choices, engine.idf, tokens),
        choices=choices,
        mentioned=mentioned,
        english=english_fit(text, [pair for pair in terms.pairs if pair[0].isascii()]),
        asks_summary=bool(_TASK_SUMMARY.search(text)),
        asks_cities=bool(_ASKS_CITIES.search(text)),
        asks_without_lead=bool(_NO_LEAD.search(text) and _WHICH_TASKS.search(text)),
        # "牵头的配合的都算上": a question that names taking part asks for every role.
        leads_only=bool(_LEADS.search(text)) and intent.role != "participant",
        terms=terms,
        engine=engine,
    )


def _agencies_asked_about(
    engine: Engine, asked: Question, expanded: str, terms: QueryTerms
) -> list[str]:
    """The agencies a question asks about. An agency in the clauses that introduce the
    asker ("我是市交通局的，…民航那边有份吗") is the asker's, unless the question
    speaks of itself ("我们牵头的任务有哪些")."""
    question = asked.own or asked.text
    # "国家发改委" is the national commission, which a provincial document's notes do
    # not name: its short name must not be read as the document's 省发展改革委.
    national = _NATIONAL_AGENCY.sub(" ", question)
    if national == question and (question == asked.text or _SELF.search(question)):
        return engine.agencies_in(expanded)
    # Only part of the question counts: its own words, with the expansions read in them.
    part = normalize(national)
    spelled = [long for short, long in terms.pairs if short in part]
    return engine.agencies_in(" ".join([part, *spelled]))


def _names_work(engine: Engine, normalized: str, agencies: Sequence[str]) -> bool:
    """Whether a question names any work: a word of the document's that is not an
    agency (by name or nickname), a word of asking who, or a filler."""
    named = [*agencies, *agency_by_nickname(engine.catalog, normalized)]
    rest = without_nicknames(normalized, named)
    for name in named:
        rest = rest.replace(name, " ")
    rest = _PARTICIPATE.sub(" ", lead_words_removed(rest))
    return any(len(t) > 1 and t in engine.idf and t not in _NOT_TERMS for t in tokenize(rest))


def _about_cited(engine: Engine, asked: Question) -> Question:
    """A follow-up after an answer is about what that answer cited first: its title
    joins the search ("…【任务7】" then "那谁牵头？" searches 交通运输体系 too)."""
    for key in asked.cited:
        target = engine.catalog.targets.get(key)
        if target is not None:
            return replace(asked, search_text=f"{target.title} {asked.search_text}")
    return asked


def _role_words_removed(engine: Engine, asked: Question, agencies: Sequence[str]) -> str:
    """The question with the agency and the asking words taken out: what remains is the work."""
    text = asked.search_text
    # The turn itself names the agency by its nickname; an earlier turn's bare
    # nickname is the work talked of ("…跟外省的农业合作" then "这块是农业厅在管吗").
    earlier = asked.previous if text.startswith(asked.previous) else ""
    rest = ""
    for part, bare in ((earlier, False), (text[len(earlier) :], True)):
        part = _ROLE_CHECK.sub(" ", normalize(part))
        for name in agencies:
            part = part.replace(name, " ")
        rest += without_nicknames(part, agencies, bare=bare)
    for fragment in cue("role.agency_word").findall(rest):
        if engine.agencies_in(fragment):
            rest = rest.replace(fragment, " ")
    return rest
