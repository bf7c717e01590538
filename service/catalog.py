"""The document's structure as lookup tables, derived once from the indexed clauses.

Structural questions (which tasks an agency leads, how many tasks a section has,
what task 17 is) are answered from these tables exactly, never by similarity.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from indexer.types import Clause
from service.section_names import SectionNames

_SECTION_HEADING = re.compile(r"^\(([一二三四五六七八九十]+)\)(.+?)[。.]?$")
_PART_HEADING = re.compile(r"^([一二三四五六七八九十]+)、(.+)$")


@dataclass(frozen=True)
class Target:
    """Something an answer can cite: a numbered task or a section without tasks.

    ``key`` is "7" for task 7 and the section code ("一(三)", "通知") otherwise.
    """

    key: str
    doc: str
    task: int | None
    section: str
    title: str
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Section:
    """A section heading, e.g. 二(三) 推进重大基础设施一体化建设, with the tasks under it."""

    code: str
    part: str
    title: str
    tasks: tuple[int, ...]


def target_key(clause: Clause) -> str:
    """The key of the target a clause belongs to."""
    return str(clause.task) if clause.task is not None else clause.section


def _strip_agency(name: str) -> str:
    return name[1:] if name.startswith("省") and len(name) > 3 else name


class Catalog(SectionNames):
    """Tasks, sections, parts and agencies of the indexed documents (read-only)."""

    def __init__(self, clauses: Sequence[Clause]) -> None:
        grouped: dict[str, list[Clause]] = defaultdict(list)
        for clause in clauses:
            grouped[target_key(clause)].append(clause)
        self.targets: dict[str, Target] = {
            key: Target(key, cs[0].doc_id, cs[0].task, cs[0].section, cs[0].title, tuple(cs))
            for key, cs in grouped.items()
        }
        self.sections: dict[str, Section] = {}
        self.parts: dict[str, str] = {}
        self._collect_headings(clauses)
        self.lead_of: dict[str, list[str]] = defaultdict(list)
        self.participant_of: dict[str, list[str]] = defaultdict(list)
        for clause in clauses:
            key = target_key(clause)
            for name in clause.lead:
                if key not in self.lead_of[name]:
                    self.lead_of[name].append(key)
            for name in clause.participants:
                if key not in self.participant_of[name]:
                    self.participant_of[name].append(key)
        names = set(self.lead_of) | set(self.participant_of)
        self.agency_names = tuple(sorted(names))
        # Longest alias first, so 省交通运输厅 wins over a shorter name inside it.
        self._aliases = sorted(
            ((alias, name) for name in names for alias in {name, _strip_agency(name)}),
            key=lambda pair: (-len(pair[0]), pair[0]),
        )

    def _collect_headings(self, clauses: Iterable[Clause]) -> None:
        tasks_by_section: dict[str, list[int]] = defaultdict(list)
        for clause in clauses:
            path = clause.heading_path
            part = _PART_HEADING.match(path[0]) if path else None
            if part:
                self.parts[part.group(1)] = part.group(2)
            if len(path) > 1 and part:
                sec = _SECTION_HEADING.match(path[1])
                if sec:
                    code = clause.section
                    if code not in self.sections:
                        self.sections[code] = Section(code, part.group(1), sec.group(2), ())
            if clause.task is not None and clause.task not in tasks_by_section[clause.section]:
                tasks_by_section[clause.section].append(clause.task)
        for code, tasks in tasks_by_section.items():
            if code in self.sections:
                sec = self.sections[code]
                self.sections[code] = Section(sec.code, sec.part, sec.title, tuple(sorted(tasks)))

    @property
    def task_numbers(self) -> list[int]:
        """All task numbers, ascending."""
        return sorted(t.task for t in self.targets.values() if t.task is not None)

    def task_groups(self) -> list[Section]:
        """What holds the numbered tasks, in task order: their sections (二(一) …), or a
        part that numbers its tasks right under it (a 工作方案's 二、 with 1. 2. …).

        Read off the structure, so no part is assumed to be the one with the tasks.
        """
        grouped: dict[str, list[int]] = {}
        for number in self.task_numbers:
            grouped.setdefault(self.targets[str(number)].section, []).append(number)
        groups = []
        for code, tasks in grouped.items():
            section = self.sections.get(code)
            part = section.part if section else code
            title = section.title if section else self.parts.get(code, code)
            groups.append(Section(code, part, title, tuple(tasks)))
        return groups

    @cached_property
    def groups(self) -> dict[str, Section]:
        """The sections, and each part that numbers its tasks right under it: what a
        question can name by its title to have its items listed or counted."""
        found = dict(self.sections)
        for group in self.task_groups():
            found.setdefault(group.code, group)
        return found

    @cached_property
    def text(self) -> str:
        """Every clause's text, one a line: what the document contains, word for word."""
        return "\n".join(c.text for t in self.targets.values() for c in t.clauses)

    def part_titled(self, name: str) -> str | None:
        """The part a question names by its title (保障措施 → 三), read off the document's
        own part headings; None when no part has that title."""
        for key, title in self.parts.items():
            if name in title:
                return key
        return None

    @cached_property
    def task_parts(self) -> tuple[str, ...]:
        """The parts that hold numbered tasks, in document order (二 in a 实施意见; 二 三 四
        in a 工作方案 that numbers its tasks right under each part)."""
        return tuple(dict.fromkeys(g.part for g in self.task_groups()))

    @cached_property
    def task_part(self) -> str | None:
        """The one part that holds every numbered task, if there is one."""
        return self.task_parts[0] if len(self.task_parts) == 1 else None

    @cached_property
    def measures_part(self) -> str | None:
        """The part of measures that follows the tasks (保障措施): the document's last
        part, when it holds no tasks and comes after every part that does."""
        keys = list(self.parts)
        if not keys or not self.task_parts or keys[-1] in self.task_parts:
            return None
        if any(part not in keys for part in self.task_parts):
            return None
        return keys[-1]

    def part_of(self, key: str) -> str | None:
        """The part a target key belongs to: 二 for task 7 or 二(三), 三 for 三(一)."""
        if key in self.parts:
            return key
        target = self.targets.get(key)
        code = target.section if target else key
        if code in self.parts:
            return code
        section = self.sections.get(code)
        return section.part if section else None

    def sections_of_part(self, part: str) -> list[Section]:
        """Sections under a part (一, 二, 三), in document order."""
        return [s for s in self.sections.values() if s.part == part]

    def find_agencies(self, text: str) -> list[str]:
        """The agencies a question names by their full or 省-less names ("旅游局" →
        省旅游局), in the order it names them ("金融办和司法厅有没有份").

        ``text`` is normalized (``indexer.tokenize.normalize``), with abbreviations
        expanded (发改委 → 发展改革委): the reading's ``expanded``.
        """
        found: list[tuple[int, str]] = []
        for alias, name in self._aliases:
            if len(alias) < 3 or alias not in text:
                continue
            at = text.index(alias)
            # The longer name was taken first; its parts (省发展改革委 ⊃ 发展改革委) are blanked.
            text = text.replace(alias, " " * len(alias))
            if name not in (n for _, n in found):
                found.append((at, name))
        return [name for _, name in sorted(found)]

    def find_agencies_like(self, fragment: str) -> list[str]:
        """All agencies whose name holds ``fragment``'s characters in order.

        机场集团 → 省机场管理集团 and 深圳机场集团; 检验检疫局 → the three inspection bureaus.
        """
        return sorted({name for _, name in self._aliases if _in_order(fragment, name)})


def _in_order(needle: str, hay: str) -> bool:
    rest = iter(hay)
    return all(ch in rest for ch in needle)
