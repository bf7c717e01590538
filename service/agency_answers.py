"""Answers about agencies, read off the responsibility notes: who leads a task, whether
an agency takes part, and every task an agency leads or shares (or that has no lead).

Each function returns a :class:`service.lookup.Composed` answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from indexer.types import Clause
from service.catalog import Catalog, Target
from service.citing import cite, join_names, marker
from service.lookup import Composed, first_quote
from service.spans import short_quote

# An agency with only part of a task is told which part by this much of the part's
# first sentence, cut at a clause boundary.
PART_HEAD_CHARS = 40


# How an answer says each role of a note, after the agencies that hold it.
_ROLE_WORDS = {
    "responsible": "等按职责分工负责",
    "implementer": "结合实际落实",
    "support": "等参与",
    "guide": "指导",
}


# …and how a yes-or-no answer says the role of the agency asked about.
_ROLE_PARTS = {
    "responsible": "按职责分工参与",
    "implementer": "结合实际落实",
    "support": "参与",
    "guide": "指导",
    "partner": "会同牵头单位负责",
}


def responsibility(clause: Clause, subject: str) -> str:
    """铁路方面由省发展改革委、省交通运输厅牵头，广铁集团等按职责分工负责 (from the parsed
    note): each agency with the role its note gives it (…，各地级以上市人民政府结合实际落实)."""
    groups = _role_groups(clause)
    if not groups:
        return f"{subject}未写明牵头或责任单位"
    parts = []
    if clause.lead:
        parts.append(f"{subject}由{join_names(clause.lead)}牵头")
    partners = [n for role, names in groups if role == "partner" for n in names]
    if partners and parts:  # "A会同B负责": A leads, so a partner always follows a lead
        parts[-1] += f"，会同{join_names(partners)}负责"
    for n, (role, names) in enumerate(g for g in groups if g[0] not in ("lead", "partner")):
        said = f"{join_names(names)}{_ROLE_WORDS.get(role, _ROLE_WORDS['responsible'])}"
        if n == 0 and not clause.lead:
            said = f"{subject}未指定牵头单位，" + ("由" if role == "responsible" else "") + said
        parts.append(said)
    return "，".join(parts)


def _role_groups(clause: Clause) -> list[tuple[str, list[str]]]:
    """The note's agencies by role, in note order, each run of one role together."""
    roles = clause.roles or (
        *((name, "lead") for name in clause.lead),
        *((name, "responsible") for name in clause.participants),
    )
    groups: list[tuple[str, list[str]]] = []
    for name, role in roles:
        if groups and groups[-1][0] == role:
            groups[-1][1].append(name)
        else:
            groups.append((role, [name]))
    return groups


def _subject(target: Target, clause: Clause) -> str:
    """「共建现代化综合交通运输体系」中铁路方面的工作: the work a note is about."""
    topic = clause.topic.removesuffix("方面").lstrip("—") if clause.topic else ""
    return f"「{target.title}」" + (f"中{topic}方面的工作" if topic else "")


def lead_answer(
    target: Target, clauses: Sequence[Clause], score: float, counting: bool = False
) -> Composed:
    """Who leads and who takes part, for the best-matching clauses that carry a note;
    ``counting`` adds how many agencies the note names ("一共有多少个部门负责")."""
    noted = [c for c in clauses if c.note] or [c for c in target.clauses if c.note]
    if not noted:
        clause = clauses[0] if clauses else target.clauses[0]
        quote = first_quote(clause)
        text = f"「{target.title}」部分未写明牵头或责任单位{marker(clause.task, clause.section)}"
        return Composed(text, (cite(clause, quote, score),), (target.key,), "lead")
    clause = noted[0]
    subject = _subject(target, clause)
    text = responsibility(clause, subject)
    if counting:
        # The note ends with 等, so this counts the agencies it names, not all of them.
        text += f"，共列出{len(clause.lead) + len(clause.participants)}个单位"
    text += marker(clause.task, clause.section)
    assert clause.note is not None
    return Composed(text, (cite(clause, clause.note, score),), (target.key,), "lead")


def role_answer(
    target: Target, clauses: Sequence[Clause], score: float, agencies: Sequence[str]
) -> Composed:
    """ "环保厅参不参与珠江-西江经济带那摊事": yes or no from the target's notes, then who
    leads and who takes part, so the answer shows the evidence."""
    named = [c for c in target.clauses if c.note and names_agency(c, agencies)]
    if not named:
        answer = lead_answer(target, clauses, score)
        verdict = f"「{target.title}」的分工中没有{join_names(agencies)}。"
        return Composed(verdict + answer.text, answer.citations, answer.ranking, "lead")
    # The clause the question is about if it names the agency, else the first that does.
    clause = next((c for c in clauses if c in named), named[0])
    leading = [a for a in agencies if a in clause.lead]
    parts = [f"{join_names(leading)}牵头"] if leading else []
    roles = dict(clause.roles)
    by_role: dict[str, list[str]] = {}
    for agency in (a for a in agencies if a in clause.participants):
        by_role.setdefault(roles.get(agency, "responsible"), []).append(agency)
    parts += [f"{join_names(names)}{_ROLE_PARTS[role]}" for role, names in by_role.items()]
    subject = _subject(target, clause)
    text = f"是，{'，'.join(parts)}：" + responsibility(clause, subject)
    text += marker(clause.task, clause.section)
    assert clause.note is not None
    return Composed(text, (cite(clause, clause.note, score),), (target.key,), "lead")


def agency_tasks(
    catalog: Catalog,
    agencies: Sequence[str],
    role: str,
    scope: str | None,
    within: str | None = None,
) -> Composed:
    """Every task or section whose notes name these agencies (as lead, or in any role).

    ``within`` is a section code (二(八)) that the question limits the list to.
    """
    keys: list[str] = []
    for name in agencies:
        found = catalog.lead_of.get(name, [])
        if role != "lead":
            found = found + catalog.participant_of.get(name, [])
        keys.extend(k for k in found if k not in keys)
    if scope == "tasks":
        keys = [k for k in keys if k.isdigit()]
    elif scope == "measures":
        keys = [k for k in keys if catalog.part_of(k) == catalog.measures_part]
    if within:
        keys = [k for k in keys if catalog.targets[k].section == within]
    order = {key: i for i, key in enumerate(catalog.targets)}  # document order
    keys.sort(key=order.__getitem__)
    who = join_names(agencies)
    if within:
        who = f"{within}「{catalog.groups[within].title}」中{who}"
    verb = "牵头" if role == "lead" else "参与（牵头或按职责分工负责）"
    if not keys:
        return Composed(f"文件中没有{who}{verb}的任务。", (), (), "aggregate")
    parts, cites = [], []
    for key in keys:
        target = catalog.targets[key]
        named = [c for c in target.clauses if names_agency(c, agencies, role)]
        clause = named[0] if named else target.clauses[0]
        label = f"任务{key}" if key.isdigit() else key
        parts.append(
            f"{label} {target.title}{_part_of(target, named)}{marker(target.task, target.section)}"
        )
        cites.append(cite(clause, clause.note or first_quote(clause), 1.0))
    text = f"{who}{verb}的共{len(keys)}项：" + "；".join(parts) + "。"
    return Composed(text, tuple(cites), tuple(keys), "aggregate")


def names_agency(clause: Clause, agencies: Sequence[str], role: str = "any") -> bool:
    """Whether the clause's note names any of ``agencies``: as lead (``role="lead"``)
    or in any role."""
    held = clause.lead if role == "lead" else clause.lead + clause.participants
    return bool(set(agencies) & set(held))


def _part_of(target: Target, named: Sequence[Clause]) -> str:
    """ "（其中：深入实施CEPA有关协议…）": which part of a task the agency has, when its
    notes give it only some of the task's paragraphs (商务厅 leads the CEPA paragraph
    of task 27, 旅游局 the cruise and yacht one)."""
    noted = [c for c in target.clauses if c.note]
    if not named or len(named) >= len(noted):
        return ""
    return f"（其中：{short_quote(first_quote(named[0]).rstrip('。'), PART_HEAD_CHARS)}）"


def tasks_without_lead(catalog: Catalog) -> Composed:
    """哪些任务没写牵头单位: tasks whose notes name no lead, with who shares the work."""
    targets = [
        t
        for t in catalog.targets.values()
        if t.task is not None and not any(c.lead for c in t.clauses)
    ]
    if not targets:
        return Composed("每项主要任务都写明了牵头单位。", (), (), "aggregate")
    parts, cites = [], []
    for target in targets:
        clause = next((c for c in target.clauses if c.note), target.clauses[0])
        parts.append(f"任务{target.task} {target.title}{marker(target.task, target.section)}")
        cites.append(cite(clause, clause.note or first_quote(clause), 1.0))
    text = (
        f"未写明牵头单位、由各单位按职责分工负责的任务共{len(targets)}项："
        + "；".join(parts)
        + "。"
    )
    return Composed(text, tuple(cites), tuple(t.key for t in targets), "aggregate")
