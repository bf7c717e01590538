"""Structural questions, answered from the catalog and never by similarity.

Counts (主要任务一共多少项, 交通那块有几条任务), a part or section named by
position or title (保障措施最后一条, 那合作目标呢), an area asked to be summed up
(基础设施这部分，简单介绍一下) and task N (第17项任务讲什么). ``answer.py`` asks
here first and searches only when this returns None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from service.cues import cue, cue_words
from service.engine import Engine
from service.lookup import (
    Composed,
    count_tasks,
    part_overview,
    section_overview,
    task_overview,
)
from service.retrieve import Retrieval
from service.spans import term_weights

if TYPE_CHECKING:
    from service.read import Reading

_PART_REF = cue("part.named")
# Asked for several things by kind ("哪几个定位", "有哪些目标"), or to sum them up
# ("到20年要达成的目标，帮我捋一下").
_WHICH_ITEMS = cue("list.which_items")
_ONE_ITEM = cue("list.one_item")
# A follow-up that names another topic: "那公路呢？", "那合作目标呢？".
WHAT_ABOUT = cue("followup.what_about")
# What a count question counts: the noun after 多少个 / 几项.
_COUNTED_NOUN = cue("count.noun")
_STRUCTURAL_NOUNS = tuple(sorted(cue_words("count.structural_nouns")))
_AREA_WORDS = cue("summary.area")
_OVERVIEW_WORDS = cue("summary.overview")
_ONE_TASK = cue("summary.one_task")


def structural_answer(engine: Engine, reading: Reading) -> Composed | None:
    """The answer read off the structure, or None when the question needs a search.

    Its wording is read in the expanded question (abbreviations spelled out); its
    terms and focus words are the reading's own.
    """
    catalog = engine.catalog
    text, intent = reading.expanded, reading.intent
    focus = reading.value.focus
    weights = term_weights(reading.tokens, engine.idf)
    # The count is read in the question's own words, before the token expansion.
    counting = intent.kind == "count" and not _counts_other_things(text.split(" ", 1)[0])
    section = catalog.section_referred(text)
    if section and section in catalog.sections:
        return section_overview(
            catalog, section, counting, _without_title(engine, weights, section)
        )
    part = _PART_REF.search(text)
    # A part is named by its number or by its own title (保障措施); which part holds the
    # tasks and which the measures is read off the structure.
    named = catalog.part_titled(part.group(2)) if part and part.group(2) else None
    key = part.group(1) if part and part.group(1) else named
    if key and key not in catalog.parts and catalog.task_part:
        # "第五部分讲社会事业的，下面分了哪几块": a number past the last part names a
        # section of the part that holds the tasks.
        code = f"{catalog.task_part}({key})"
        if code in catalog.sections and (counting or _OVERVIEW_WORDS.search(text)):
            return section_overview(catalog, code, counting, _without_title(engine, weights, code))
    if key and (counting or _OVERVIEW_WORDS.search(text)) and not _AREA_WORDS.search(text):
        if key == catalog.task_part and counting:
            return count_tasks(catalog)
        if key != catalog.task_part:
            return part_overview(catalog, key, counting)
    if counting and intent.counted == "tasks" and not catalog.find_section(text):
        return count_tasks(catalog)
    # "统筹协调那块是什么角色？牵头的又是哪家" asks who leads the area, not what is in it.
    summed_up = _AREA_WORDS.search(text) and _OVERVIEW_WORDS.search(text) and not reading.asks_lead
    # "社会治理那条…几个方面" points at a task: a section title sharing its words is not meant.
    if (counting or summed_up) and not _ONE_TASK.search(text):
        code = catalog.find_section(text, by_word=bool(summed_up))
        # "粤港澳合作这块，要重点建设的大平台都有哪些": things inside the section: a search.
        if code and (counting or not _asks_inside(focus, catalog.groups[code].title)):
            return section_overview(catalog, code, counting, _without_title(engine, weights, code))
        if intent.counted == "measures" and catalog.measures_part:
            return part_overview(catalog, catalog.measures_part, counting=True)
        if named and named != catalog.task_part:
            # "保障措施那一部分主要讲了哪几方面": the part itself, named by its title.
            return part_overview(catalog, named, counting)
    if _OVERVIEW_WORDS.search(text) or WHAT_ABOUT.search(text):
        # "广东的战略定位有哪些", "那合作目标呢？": the question names a whole section by
        # its full title (an English one by the glossary's terms: strategic positions).
        terms = reading.english.terms if reading.english else ()
        code = catalog.section_named(" ".join([text, *terms]))
        # "合作目标里的经济带有哪几条" asks for things inside the section: a search.
        if code and not _asks_inside(focus, catalog.sections[code].title):
            return section_overview(catalog, code, True, _without_title(engine, weights, code))
    if intent.kind == "task_lookup" and intent.task is not None:
        return task_overview(catalog, intent.task)
    return None


def _without_title(engine: Engine, weights: dict[str, float], code: str) -> dict[str, float]:
    """The question's term weights without the words of the section's title."""
    title = engine.catalog.groups[code].title
    return {t: w for t, w in weights.items() if t not in title}


def _asks_inside(focus: Sequence[str], title: str) -> bool:
    """Whether the question asks for a kind of thing its section's title does not name."""
    return any(word not in title for word in focus)


def _counts_other_things(text: str) -> bool:
    """ "研究院核定了多少个事业编制": the count is of something the structure does not hold."""
    match = _COUNTED_NOUN.search(text)
    if not match:
        return False
    noun = re.sub(r"^(具体|主要|重点)", "", match.group(1))
    for unit in _STRUCTURAL_NOUNS:
        # "几项具体任务", "几个方面的任务" count the structure; "几个工作人员" does not.
        if noun.startswith(unit) and (len(noun) == len(unit) or noun[len(unit)] == "的"):
            return False
    return True


def listed_section(engine: Engine, reading: Reading, retrieval: Retrieval) -> str | None:
    """ "广东给自己定了哪几个定位": the best target's code when it is a section made of
    named items (——深化合作排头兵。…) and the question asks for several of them; its
    answer is the whole section, counted."""
    # ("创新引擎那个定位要跟哪些平台结合" asks inside one of them.)
    text = reading.text
    counted = _COUNTED_NOUN.search(text) if reading.intent.kind == "count" else None
    several = _WHICH_ITEMS.search(text) or counted
    if not several or _ONE_ITEM.search(text) or not retrieval.targets:
        return None
    code = retrieval.targets[0].key
    section = engine.catalog.sections.get(code)
    if section is None or section.tasks:
        return None
    runner_up = retrieval.targets[1] if len(retrieval.targets) > 1 else None
    if (
        runner_up is not None
        and engine.catalog.targets[runner_up.key].task is not None
        and runner_up.score >= engine.second_target_ratio * retrieval.targets[0].score
        and not any(t in section.title for t in reading.tokens if len(t) > 1)
    ):
        # "珠江-西江经济带沿途各市之间…在哪些领域搭伙": a task that matches as well,
        # with a section the question does not name, is about the thing asked.
        return None
    if not any(c.topic for c in engine.catalog.targets[code].clauses):
        return None
    if _asks_inside(reading.value.focus, section.title):
        return None
    # A count names what it counts: the section's items only when its title names them
    # ("几个定位" and 战略定位; "几个省区" counts something inside the text).
    if counted and not _WHICH_ITEMS.search(text) and counted.group(1)[:2] not in section.title:
        return None
    return code
