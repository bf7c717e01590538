"""Responsibility notes: ``(省发展改革委牵头，省交通运输厅、水利厅…等按职责分工负责)`` → agencies.

Official documents end a paragraph with the agencies responsible for it. Lists
abbreviate: after 省发展改革委 a bare 交通运输厅 means 省交通运输厅, and
广州、深圳、珠海市政府 means three city governments. Names are normalized so one
agency always has one name; bodies that are not 省 departments (广铁集团,
海关广东分署, 交通运输部珠江航务管理局, …) never gain a 省 prefix.

    >>> parse_note("(省发展改革委、交通运输厅牵头，广铁集团等按职责分工负责)")
    Responsibility(lead=('省发展改革委', '省交通运输厅'), participants=('广铁集团',))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A note is a bracketed group at the very end of a paragraph that assigns work.
NOTE_AT_END = re.compile(r"[(（](?P<body>[^()（）]*(?:牵头|负责|配合|参与)[^()（）]*)[)）]。?$")
_LEAD_MARK = "牵头"
# The closing phrase of the participants list: 等按职责分工负责, 等负责, 配合 …
_TAIL = re.compile(r"等?(?:按职责分工|按职责)?(?:负责|配合|参与)(?:落实)?$")

# Level prefixes that a list's first name passes on to the bare names after it.
LEVEL_PREFIXES = ("省委", "市委", "省", "市", "区", "县")
# A name ends with one of these when it is an agency, not a bare place (广州、深圳…).
AGENCY_SUFFIX = re.compile(
    r"(?:委|厅|局|办|署|会|院|部|集团|公司|政府|单位|中心|行|组|室|处|所|馆|队|站|团|社|海关)$"
)
# Known bodies outside the 省 government, as written in notes.
NON_PROVINCIAL: frozenset[str] = frozenset(
    {
        "广铁集团",
        "海关广东分署",
        "民航中南管理局",
        "人民银行广州分行",
        "团省委",
        "交通运输部珠江航务管理局",
        "水利部珠江水利委员会",
    }
)
# Rules for bodies outside the 省 government that the table does not list.
NON_PROVINCIAL_RULES: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?:有关|各|国家|中国|中央|民航|海关|人民银行|团)"),
    re.compile(r"(?:集团|公司|分署|分行|分局)$"),
    re.compile(r"部.+(?:局|委员会)$"),  # a ministry's agency: 水利部珠江水利委员会
    re.compile(r"(?:市|县|区)(?:人民)?政府$"),
    re.compile(r"出入境检验检疫局$"),
)
# Suffixes shared by a run of place names: 广州、深圳、珠海市政府.
SHARED_SUFFIXES = (
    "市人民政府",
    "市政府",
    "县人民政府",
    "县政府",
    "区政府",
    "出入境检验检疫局",
    "海关",
)
# Word-order variants of one agency's name in the source text.
ALIASES: dict[str, str] = {
    "省城乡住房建设厅": "省住房城乡建设厅",  # task 25's note swaps the words
}
_CONNECTIVES = ("及", "和")


@dataclass(frozen=True)
class Responsibility:
    """Agencies named by a responsibility note: who leads (牵头) and who takes part."""

    lead: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()


def split_note(text: str) -> tuple[str, str | None]:
    """Split a trailing responsibility note off a paragraph: (body, note with brackets)."""
    m = NOTE_AT_END.search(text)
    if m is None:
        return text, None
    return text[: m.start()].rstrip(), m.group(0).rstrip("。")


def parse_note(note: str) -> Responsibility:
    """Parse a note into normalized lead and participant names.

    A note without 牵头 (``(省口岸办、质监局等按职责分工负责)``) names no lead: its
    agencies share the work, so they are all participants.
    """
    body = note.strip().strip("。").strip("()（）").strip()
    if _LEAD_MARK in body:
        lead_part, _, rest = body.partition(_LEAD_MARK)
        rest = rest.lstrip("，,、；; ")
    else:
        lead_part, rest = "", body
    rest = _TAIL.sub("", rest)
    lead = _names(lead_part)
    participants = tuple(n for n in _names(rest) if n not in lead)
    return Responsibility(lead=lead, participants=participants)


def normalize_name(name: str, prefix: str | None) -> str:
    """One agency's canonical name, given the level prefix of the list it sits in."""
    name = name.strip()
    if prefix and not name.startswith(LEVEL_PREFIXES) and not is_non_provincial(name):
        name = prefix + name
    return ALIASES.get(name, name)


def is_non_provincial(name: str) -> bool:
    """True for bodies that are not departments of the issuing government."""
    return name in NON_PROVINCIAL or any(rule.search(name) for rule in NON_PROVINCIAL_RULES)


def _names(part: str) -> tuple[str, ...]:
    names: list[str] = []
    # A full-width comma starts a new group: the prefix context does not carry over.
    for group in re.split(r"[，,；;]", part):
        prefix: str | None = None
        places: list[str] = []
        for i, item in enumerate(_split_items(group)):
            if not AGENCY_SUFFIX.search(item):
                places.append(item)  # a bare place; its suffix comes with the last name
                continue
            if places:
                names.extend(_share_suffix(places, item))
                places = []
                continue
            if i == 0:
                prefix = _level_prefix(item)
            names.append(normalize_name(item, prefix))
        names.extend(places)  # a list that never named the suffix: keep what is there
    return tuple(dict.fromkeys(n for n in names if n))


def _split_items(group: str) -> list[str]:
    items: list[str] = []
    for piece in group.split("、"):
        items.extend(_split_connectives(piece.strip()))
    return [i for i in items if i]


def _split_connectives(piece: str) -> list[str]:
    """Split on 及/和 only between two whole names, so 经济和信息化委 stays one name."""
    for word in _CONNECTIVES:
        idx = piece.find(word)
        while idx > 0:
            left, right = piece[:idx], piece[idx + 1 :]
            if AGENCY_SUFFIX.search(left) and right:
                return [left, *_split_connectives(right)]
            idx = piece.find(word, idx + 1)
    return [piece]


def _level_prefix(first: str) -> str | None:
    if is_non_provincial(first):
        return None
    for prefix in LEVEL_PREFIXES:
        if first.startswith(prefix) and len(first) > len(prefix):
            if prefix in ("省委", "市委") and not first.endswith("部"):
                continue  # 省委组织部 sets 省委; 省委员会-like names do not
            return prefix
    return None


def _share_suffix(places: list[str], last: str) -> list[str]:
    """广州、深圳 + 珠海市政府 → 广州市政府, 深圳市政府, 珠海市政府."""
    suffix = next((s for s in SHARED_SUFFIXES if last.endswith(s) and last != s), None)
    if suffix is None:
        # Unknown suffix: assume the last place name is as long as the one before it.
        suffix = last[len(places[-1]) :]
    return [p + suffix for p in places] + [last]
