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

from indexer.tokenize import normalize, tokenize
from indexer.types import Clause

_SECTION_HEADING = re.compile(r"^\(([一二三四五六七八九十]+)\)(.+?)[。.]?$")
_PART_HEADING = re.compile(r"^([一二三四五六七八九十]+)、(.+)$")

_NUMERAL = "[一二三四五六七八九十]"
_SECTION_CODE = re.compile(rf"({_NUMERAL})\s*[(（]\s*({_NUMERAL})\s*[)）]")
_IN = "(?:的|里|中)?"
_ITEM = "(?:条|项|块|节|个方面|方面|部分|个)"


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


class Catalog:
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

    def section_referred(self, text: str) -> str | None:
        """The section a question points at by position: 二(三), 第二部分第三块,
        保障措施第二条, 保障措施最后一条 (the code, whether or not it exists)."""
        code = _SECTION_CODE.search(text)
        if code:
            return f"{code.group(1)}({code.group(2)})"
        by_number, by_end = self._position_patterns
        end = by_end.search(text)
        if end:
            sections = self.sections_of_part(end.group(1) or self.part_titled(end.group(2)) or "")
            if not sections:
                return None
            return sections[-1].code if end.group(3) == "最后" else sections[0].code
        match = by_number.search(text)
        if not match:
            return None
        if match.group(1):
            return f"{match.group(1)}({match.group(2)})"
        part = self.part_titled(match.group(3))
        return f"{part}({match.group(4)})" if part else None

    @cached_property
    def _position_patterns(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        """Sections named by position: 第二部分第三块 or <part title>第二条, and the
        first or last of a part (保障措施最后那节). A part is named by its own title,
        except a part that holds the numbered tasks: "主要任务第三条" is task 3."""
        titles = sorted(
            (t for key, t in self.parts.items() if t and key not in self.task_parts),
            key=len,
            reverse=True,
        )
        named = "|".join(re.escape(t) for t in titles) or "(?!)"
        by_number = re.compile(
            rf"第({_NUMERAL})部分{_IN}第({_NUMERAL}){_ITEM}|({named}){_IN}第({_NUMERAL}){_ITEM}"
        )
        by_end = re.compile(
            rf"(?:第({_NUMERAL})部分|({named})){_IN}(最后|头|首)(?:一|那|这)?{_ITEM}"
        )
        return by_number, by_end

    def find_agencies_like(self, fragment: str) -> list[str]:
        """All agencies whose name holds ``fragment``'s characters in order.

        机场集团 → 省机场管理集团 and 深圳机场集团; 检验检疫局 → the three inspection bureaus.
        """
        return sorted({name for _, name in self._aliases if _in_order(fragment, name)})

    def find_section(self, text: str, by_word: bool = False) -> str | None:
        """A section (or a part holding tasks, see :attr:`groups`) named by its title
        words ("基建一体化那块" → 二(三)); ``text`` is normalized.

        ``by_word``: the question names an area ("生态那部分"), so one word that only
        one title uses names it too.
        """
        best: tuple[int, str] | None = None
        for code, title in self._group_titles.items():
            overlap = _common_len(text, title)
            if overlap >= 4 and (best is None or overlap > best[0]):
                best = (overlap, code)
        if best or not by_word:
            return best[1] if best else None
        named = {self._title_words[w] for w in tokenize(text) if w in self._title_words}
        return named.pop() if len(named) == 1 else None

    def section_named(self, text: str) -> str | None:
        """A section without tasks whose whole title the question (normalized) contains
        (战略定位)."""
        for code, title in self._untasked_titles.items():
            if title in text:
                return code
        return None

    @cached_property
    def _group_titles(self) -> dict[str, str]:
        """The normalized titles of :attr:`groups`, by code."""
        return {code: normalize(section.title) for code, section in self.groups.items()}

    @cached_property
    def _title_words(self) -> dict[str, str]:
        """The words (two characters or more) that only one group's title uses, each
        with that group's code."""
        users: dict[str, set[str]] = defaultdict(set)
        for code, title in self._group_titles.items():
            for word in tokenize(title):
                if len(word) > 1:
                    users[word].add(code)
        return {word: codes.pop() for word, codes in users.items() if len(codes) == 1}

    @cached_property
    def _untasked_titles(self) -> dict[str, str]:
        """The normalized titles of the sections without tasks, by code."""
        return {
            code: normalize(section.title)
            for code, section in self.sections.items()
            if not section.tasks
        }


def _in_order(needle: str, hay: str) -> bool:
    rest = iter(hay)
    return all(ch in rest for ch in needle)


def _common_len(a: str, b: str) -> int:
    """Length of the longest common substring (short strings only)."""
    longest = 0
    for i in range(len(a)):
        for j in range(i + longest + 1, len(a) + 1):
            if a[i:j] in b:
                longest = j - i
            else:
                break
    return longest
