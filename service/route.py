"""Stage 3, route: answer from the structure, or plan a search.

Questions about the structure (a count, task N, the tasks an agency leads, the
document's 文号, the tasks without a lead) are looked up in the catalog here,
exactly. Everything else gets a :class:`Route` that says what to search for and
in which shape an answer may come: a role check (does agency A take part in X),
a who-leads answer, a summary of a task, or quotes.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.agency_answers import agency_tasks, tasks_without_lead
from service.doc_facts import document_facts
from service.engine import Engine
from service.intent import names_a_topic
from service.lookup import Composed
from service.mentions import mentions
from service.read import Reading
from service.retrieve import Query
from service.structural import structural_answer

CLARIFY_LEAD_TEXT = "请说明要问哪项工作的牵头单位，例如：铁路项目由谁牵头？"

LOOKUP = "lookup"
ROLE = "role"
SEARCH = "search"


@dataclass(frozen=True)
class Route:
    """Where the answer comes from.

    ``lookup``: ``found`` holds the catalog's answer (or its structural decline).
    ``role`` / ``search``: retrieve ``query`` (read with the question); ``lead``
    says a who-leads answer is wanted; a role route falls back to ``then`` when no
    work with a responsibility note is found.
    """

    kind: str
    found: Composed | None = None
    query: Query | None = None
    lead: bool = False
    then: Route | None = None


def route(engine: Engine, reading: Reading) -> Route:
    """The route for one reading (the first that applies, most specific first)."""
    if not reading.asked.has_content:
        return Route(LOOKUP)  # nothing to look up or search: the judge declines it
    found = _looked_up(engine, reading)
    if found is not None:
        return Route(LOOKUP, found=found)
    search = Route(SEARCH, query=reading.search, lead=reading.asks_lead)
    if reading.role_text is not None:
        # "环保厅参不参与珠江-西江经济带那摊事": find the work, then read its notes.
        return Route(ROLE, query=reading.role_search, then=search)
    return search


def _looked_up(engine: Engine, reading: Reading) -> Composed | None:
    catalog = engine.catalog
    intent = reading.intent
    if not reading.agencies and intent.task is None and reading.asks_without_lead:
        return tasks_without_lead(catalog)
    if intent.kind == "agency_tasks":
        text = reading.text
        scope = "measures" if "保障措施" in text else ("tasks" if "任务" in text else None)
        # "粤港澳合作那块发改委牵头的有哪几条": the list stops at the section named.
        rest = reading.normalized
        for name in reading.agencies:
            rest = rest.replace(name, " ")
        role = "lead" if reading.leads_only else "any"
        return agency_tasks(catalog, reading.agencies, role, scope, catalog.find_section(rest))
    if reading.mentioned:
        # "九洲江在整份文件里出现在哪些部分": a concordance of the text, in document order.
        return mentions(catalog, reading.mentioned, tasks_only="任务" in reading.text)
    facts = document_facts(catalog, reading.normalized)
    if facts is not None:
        return facts
    structural = structural_answer(engine, reading)
    if structural is not None:
        return structural
    topic = reading.new_topic or reading.asked.search_text
    lead_alone = reading.asks_lead and intent.task is None and reading.role_text is None
    if lead_alone and not names_a_topic(topic):
        return Composed(CLARIFY_LEAD_TEXT, (), (), "declined", "no_topic")
    return None
