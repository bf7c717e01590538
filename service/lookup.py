"""Answers read straight off the document's structure: no similarity involved.

Each function returns a :class:`Composed` answer (text, citations, ranking);
``answer.answer_question`` decides which one applies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from indexer.types import Clause
from service.catalog import Catalog, Section
from service.citing import cite, join_names, marker
from service.contract import Citation
from service.spans import QUOTE_LIMIT, Span, best_span, full_sentences, trim_span

# An overview of a task shows the opening of at most this many of its paragraphs.
OVERVIEW_PARAGRAPHS = 5


@dataclass(frozen=True)
class Composed:
    """An answer before timing is added: text, citations in order, ranked target keys."""

    text: str
    citations: tuple[Citation, ...]
    ranking: tuple[str, ...]
    kind: str
    reason: str | None = None  # why, when kind is "declined"


def first_quote(clause: Clause, weights: Mapping[str, float] | None = None) -> str:
    """The clause's best-matching window for ``weights`` (its first sentence without), trimmed."""
    return trim_span(best_span(clause, weights or {}))


def _section_cite(catalog: Catalog, section: Section) -> Citation:
    first = catalog.targets[str(section.tasks[0])].clauses[0]
    return cite(first, first_quote(first), 1.0, section=section)


def _task_list(catalog: Catalog, numbers: Sequence[int]) -> str:
    return "；".join(f"任务{n} {catalog.targets[str(n)].title}" for n in numbers)


def count_tasks(catalog: Catalog) -> Composed:
    """主要任务一共多少项: the number of tasks and how they are grouped."""
    numbers = catalog.task_numbers
    if not numbers:
        return Composed("文件中没有编号的主要任务。", (), (), "declined", "no_tasks")
    sections = catalog.task_groups()
    groups = [
        f"{s.title}（任务{s.tasks[0]}—{s.tasks[-1]}）{marker(None, s.code)}" for s in sections
    ]
    text = f"主要任务共{len(numbers)}项，分{len(groups)}个方面：" + "；".join(groups) + "。"
    cites = tuple(_section_cite(catalog, s) for s in sections)
    return Composed(text, cites, tuple(c.section for c in cites), "aggregate")


def section_overview(
    catalog: Catalog,
    code: str,
    counting: bool = False,
    weights: Mapping[str, float] | None = None,
) -> Composed:
    """What a section holds: its tasks, or its paragraphs' lead-ins, with the count.

    A section of plain paragraphs is quoted where it best matches the question's
    ``weights`` ("指导思想里讲的原则有哪些": the sentence with the principles, not the
    opening); without a match, from its opening.
    """
    section = catalog.groups[code]
    if section.tasks:
        text = (
            f"{code}「{section.title}」共{len(section.tasks)}项任务："
            f"{_task_list(catalog, section.tasks)}{marker(None, code)}"
        )
        return Composed(text, (_section_cite(catalog, section),), (code,), "aggregate")
    target = catalog.targets[code]
    topics = [c.topic.strip("—。") for c in target.clauses if c.topic]
    if counting and topics:
        listed = join_names(topics)
        quote_clause = next(c for c in target.clauses if c.topic)
        cites = (cite(quote_clause, first_quote(quote_clause), 1.0),)
        # The line that introduces the list speaks for every item ("到2020年左右，实现以下
        # 合作目标："): it is quoted before them.
        intro = target.clauses[0]
        lead_in = ""
        if intro.topic is None and intro.text.rstrip().endswith(("：", ":")):
            lead_in = intro.text.strip()
            cites = (cite(intro, lead_in, 1.0), *cites)
        text = (
            f"{code}「{section.title}」共{len(topics)}个方面：{lead_in}{listed}{marker(None, code)}"
        )
        return Composed(text, cites, (code,), "aggregate")
    # The first of the best-matching windows (max keeps the earliest of equals).
    best = (
        max((best_span(c, weights) for c in target.clauses), key=lambda s: s.score)
        if weights
        else None
    )
    if best is not None and best.score > 0:
        clause, quote = best.clause, trim_span(best)
    else:
        clause = target.clauses[0]
        quote = _opening(clause)
    extra = f"（{join_names(topics)}）" if topics else ""
    text = f"{code}「{section.title}」{extra}：{quote}{marker(None, code)}"
    return Composed(text, (cite(clause, quote, 1.0),), (code,), "lookup")


def part_overview(catalog: Catalog, part: str, counting: bool = False) -> Composed:
    """第三部分讲什么 / 保障措施有几条: the sections of a part, each cited."""
    sections = catalog.sections_of_part(part)
    title = catalog.parts.get(part, "")
    if not sections:
        # A part without (一)(二) sections holds its paragraphs directly.
        target = catalog.targets.get(part)
        if target is None:
            return Composed(f"文件中没有{_part_name(part)}。", (), (), "declined", "no_such_part")
        clause = target.clauses[0]
        quote = _opening(clause)
        text = f"{_part_name(part)}「{title}」：{quote}{marker(None, part)}"
        return Composed(text, (cite(clause, quote, 1.0),), (part,), "lookup")
    lines, cites = [], []
    for s in sections:
        lines.append(f"({_cn(s.code)}){s.title}{marker(None, s.code)}")
        if s.tasks:
            cites.append(_section_cite(catalog, s))
        else:
            clause = catalog.targets[s.code].clauses[0]
            cites.append(cite(clause, first_quote(clause), 1.0))
    count = f"共{len(sections)}条" if counting else f"包括{len(sections)}个方面"
    text = f"{_part_name(part)}「{title}」{count}：" + "；".join(lines) + "。"
    return Composed(text, tuple(cites), tuple(c.section for c in cites), "aggregate")


def task_overview(catalog: Catalog, number: int) -> Composed:
    """第17项任务讲什么: the task's title and its opening words."""
    target = catalog.targets.get(str(number))
    if target is None:
        total = len(catalog.task_numbers)
        if not total:
            return Composed("文件中没有编号的主要任务。", (), (), "declined", "no_tasks")
        text = f"文件共有{total}项主要任务，没有任务{number}。"
        return Composed(text, (), (), "declined", "no_such_task")
    tag = marker(number, target.section)
    if len(target.clauses) == 1:
        clause = target.clauses[0]
        quote = _opening(clause)
        text = f"任务{number}「{target.title}」：{quote}{tag}"
        return Composed(text, (cite(clause, quote, 1.0),), (target.key,), "lookup")
    # A task of several paragraphs (铁路方面…, 公路方面…): the opening of each, so the
    # answer shows everything the task covers, not only its first paragraph.
    shown = target.clauses[:OVERVIEW_PARAGRAPHS]
    # The paragraphs share what two quotes hold: each shows its first sentence, and
    # the next ones while they fit in its share.
    share = 2 * QUOTE_LIMIT // len(shown)
    quotes = [_opening(clause, share) for clause in shown]
    text = f"任务{number}「{target.title}」共{len(target.clauses)}段：" + "".join(
        f"{quote}{tag}" for quote in quotes
    )
    cites = tuple(cite(clause, quote, 1.0) for clause, quote in zip(shown, quotes, strict=True))
    return Composed(text, cites, (target.key,), "lookup")


def _opening(clause: Clause, limit: int = QUOTE_LIMIT) -> str:
    """The clause's first sentences, as many as fit in ``limit`` characters (the first
    one always, cut at a clause boundary when it is longer than a quote)."""
    first = best_span(clause, {})  # with no words to match, the first sentence
    end = first.end
    for _, sentence_end in full_sentences(clause)[1:]:
        if sentence_end <= first.end:
            continue
        if sentence_end - first.start > limit:
            break
        end = sentence_end
    return trim_span(Span(clause, first.start, end, 0.0))


def _cn(code: str) -> str:
    """The number inside a section code: 三(二) → 二."""
    return code[code.index("(") + 1 : code.index(")")] if "(" in code else code


def _part_name(part: str) -> str:
    """第三部分 for 三 (a part is numbered 一、二、三 … in its heading)."""
    return f"第{part}部分"
