"""How questions name a section: by position (二(三), 第二部分第三块, 保障措施最后一条)
or by the words of its title (基建一体化那块, 战略定位).

A mixin of :class:`service.catalog.Catalog`, which supplies the structure
(``parts``, ``sections``, ``groups``, ``task_parts``, ``part_titled``,
``sections_of_part``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cached_property
from typing import TYPE_CHECKING

from indexer.tokenize import normalize, tokenize

if TYPE_CHECKING:
    from service.catalog import Section

_NUMERAL = "[一二三四五六七八九十]"
_SECTION_CODE = re.compile(rf"({_NUMERAL})\s*[(（]\s*({_NUMERAL})\s*[)）]")
_IN = "(?:的|里|中)?"
_ITEM = "(?:条|项|块|节|个方面|方面|部分|个)"


class SectionNames:
    """Finders of the sections a question names; see the module docstring."""

    parts: dict[str, str]
    sections: dict[str, Section]

    @property
    def groups(self) -> dict[str, Section]:
        raise NotImplementedError

    @property
    def task_parts(self) -> tuple[str, ...]:
        raise NotImplementedError

    def part_titled(self, name: str) -> str | None:
        raise NotImplementedError

    def sections_of_part(self, part: str) -> list[Section]:
        raise NotImplementedError

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
