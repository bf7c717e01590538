"""Agency names in a responsibility note's list: split into names, each normalized.

A list abbreviates: after 省发展改革委 a bare 交通运输厅 means 省交通运输厅, and
广州、深圳、珠海市政府 means three city governments. Bodies that are not 省
departments (广铁集团, 海关广东分署, 各地级以上市人民政府, …) never gain a 省
prefix, and word-order variants of one name become that name
(``indexer.agencies`` reads the note around the lists).

    >>> list_names("省发展改革委、交通运输厅及广铁集团")
    ('省发展改革委', '省交通运输厅', '广铁集团')
    >>> list_names("广州、深圳、珠海市政府")
    ('广州市政府', '深圳市政府', '珠海市政府')
"""

from __future__ import annotations

import re

# 等 / 等部门 / 等有关单位 closing a list.
LIST_END = re.compile(r"(?<=.)等(?:有关)?(?:部门|单位)?$")

# Level prefixes that a list's first name passes on to the bare names after it.
LEVEL_PREFIXES = ("省委", "市委", "省", "市", "区", "县")
# Words that start with a level's character but are no level: 市场监管局 is not 市-level.
NOT_LEVEL_WORDS = ("市场", "区域", "县域")
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
# Provincial-level places: a name that starts with one (广东银保监局, 广东省通信管理局)
# carries its own level and is never a bare department of the issuing government.
_PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏",
    "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南",
    "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏",
    "宁夏", "新疆", "香港", "澳门",
)  # fmt: skip
# Rules for bodies outside the 省 government that the table does not list.
NON_PROVINCIAL_RULES: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?:有关|各|国家|中国|中央|民航|海关|人民银行|团)"),
    re.compile(r"(?:集团|公司|分署|分行|分局)$"),
    re.compile(r"部.+(?:局|委员会)$"),  # a ministry's agency: 水利部珠江水利委员会
    re.compile(r"(?:市|县|区)(?:人民)?政府$"),
    re.compile(r"出入境检验检疫局$"),
    re.compile(rf"^(?:{'|'.join(_PROVINCES)})"),
)
# Suffixes shared by a run of place names: 广州、深圳、珠海市政府.
SHARED_SUFFIXES = (
    "市人民政府",
    "市政府",
    "县人民政府",
    "县政府",
    "区人民政府",
    "区政府",
    "出入境检验检疫局",
    "海关",
)
# Word-order variants of one agency's name in the source text.
ALIASES: dict[str, str] = {
    "省城乡住房建设厅": "省住房城乡建设厅",  # task 25's note swaps the words
}
_CONNECTIVES = ("及", "和")
# Brackets, half- and full-width: a separator inside them splits nothing.
OPEN, CLOSE = "(（", ")）"


def normalize_name(name: str, prefix: str | None) -> str:
    """One agency's canonical name, given the level prefix of the list it sits in."""
    name = name.strip()
    if prefix and not _has_level(name) and not is_non_provincial(name):
        name = prefix + name
    return ALIASES.get(name, name)


def _has_level(name: str) -> bool:
    return name.startswith(LEVEL_PREFIXES) and not name.startswith(NOT_LEVEL_WORDS)


def is_non_provincial(name: str) -> bool:
    """True for bodies that are not departments of the issuing government."""
    return name in NON_PROVINCIAL or any(rule.search(name) for rule in NON_PROVINCIAL_RULES)


def list_names(part: str) -> tuple[str, ...]:
    """The normalized names of one clause's agency list, in order, without repeats."""
    names: list[str] = []
    # A full-width comma starts a new group: the prefix context does not carry over.
    for group in _split_outside(part, "，,；;"):
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


def _split_outside(text: str, separators: str) -> list[str]:
    """Split on ``separators`` outside brackets: 各县(市、区)人民政府 stays one piece."""
    pieces: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(depth - 1, 0)
        elif ch in separators and depth == 0:
            pieces.append(text[start:i])
            start = i + 1
    pieces.append(text[start:])
    return pieces


def _split_items(group: str) -> list[str]:
    items: list[str] = []
    for piece in _split_outside(group, "、"):
        items.extend(_split_connectives(LIST_END.sub("", piece.strip())))
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
    if is_non_provincial(first) or not _has_level(first):
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
