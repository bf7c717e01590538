"""Responsibility notes: ``(省发展改革委牵头，省交通运输厅、水利厅…等按职责分工负责)`` → agencies.

Official documents end a paragraph with the agencies responsible for it. A note
is a small grammar: clauses, each a list of agencies followed by a role verb,
joined by ， or ；::

    note   := [由] clause {sep clause}
    clause := list VERB | list 会同 list VERB
    list   := name {、|及|和|， name} [等]

The verbs are data (``ROLE_VERBS``): 牵头 makes the leads; 负责, 按职责分工负责,
结合实际落实, 配合, 参与 … make participants with that role; ``A会同B…`` makes A
lead and B a partner. A note without a lead verb names no lead: its agencies
share the work. Lists abbreviate: after 省发展改革委 a bare 交通运输厅 means
省交通运输厅, and 广州、深圳、珠海市政府 means three city governments. Names are
normalized so one agency always has one name; bodies that are not 省 departments
(广铁集团, 海关广东分署, 各地级以上市人民政府, …) never gain a 省 prefix.

    >>> parse_note("(省发展改革委、交通运输厅牵头，广铁集团等按职责分工负责)")
    Responsibility(lead=('省发展改革委', '省交通运输厅'), participants=('广铁集团',))
    >>> r = parse_note("(省科技厅、工业和信息化厅按职责分工负责，各地级以上市人民政府结合实际落实)")
    >>> r.lead, r.roles[-1]
    ((), ('各地级以上市人民政府', 'implementer'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Role verbs as written in notes, by the role they give the list before them.
# ``lead`` names the leads; every other role is a participant's.
_VERBS_BY_ROLE: dict[str, tuple[str, ...]] = {
    "lead": ("牵头", "牵头负责", "负责牵头", "牵头落实"),
    "responsible": (
        "负责", "按职责分工负责", "按职责负责", "按职能分工负责", "按职责分工落实",
        "按职责抓好落实", "分工负责", "分别负责", "共同负责", "具体负责", "负责落实",
    ),
    "implementer": ("结合实际落实", "结合实际抓好落实", "抓好落实", "组织实施", "具体实施"),
    "support": ("配合", "参与", "协助"),
    "guide": ("指导",),
}  # fmt: skip
ROLE_VERBS: dict[str, str] = {v: role for role, vs in _VERBS_BY_ROLE.items() for v in vs}
# ``A会同B…``: A leads, together with B.
WITH_VERB = "会同"
PARTNER = "partner"
LEAD = "lead"
# Words before a clause or list that are not part of a name.
_CLAUSE_OPENERS = ("并由", "由")
# 等 / 等部门 / 等有关单位 closing a list.
_LIST_END = re.compile(r"(?<=.)等(?:有关)?(?:部门|单位)?$")
_CLAUSE_SEPARATORS = "，,；;、 \u3000"

# Longest first, so 按职责分工负责 wins over 负责.
_VERB = re.compile(
    "|".join(re.escape(v) for v in sorted((*ROLE_VERBS, WITH_VERB), key=len, reverse=True))
)
# A bracket group with at most one level of brackets inside (各县(市、区)人民政府).
_NO_BRACKET = r"[^()（）]"
_INNER = rf"(?:{_NO_BRACKET}|[(（]{_NO_BRACKET}*[)）])"
# A note is a bracketed group at the very end of a paragraph that ends with a role verb.
NOTE_AT_END = re.compile(
    rf"[(（](?P<body>{_INNER}*?(?:{'|'.join(re.escape(v) for v in ROLE_VERBS)}))[)）]。?$"
)

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
_OPEN, _CLOSE = "(（", ")）"


@dataclass(frozen=True)
class Responsibility:
    """Agencies named by a responsibility note: who leads (牵头) and who takes part.

    ``roles`` pairs every agency, in note order, with its role: ``lead``,
    ``partner`` (会同), or the role of its verb in ``ROLE_VERBS`` (``responsible``,
    ``implementer``, ``support``, ``guide``).
    """

    lead: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    roles: tuple[tuple[str, str], ...] = field(default=(), repr=False)


def split_note(text: str) -> tuple[str, str | None]:
    """Split a trailing responsibility note off a paragraph: (body, note with brackets).

    The bracket must end the paragraph, end with a role verb and name an agency.
    """
    m = NOTE_AT_END.search(text)
    if m is None:
        return text, None
    note = m.group(0).rstrip("。")
    resp = parse_note(note)
    if not any(AGENCY_SUFFIX.search(name) for name in resp.lead + resp.participants):
        return text, None  # (中央财政支持): a role word, but no agency
    return text[: m.start()].rstrip(), note


def parse_note(note: str) -> Responsibility:
    """Parse a note into normalized lead and participant names and their roles.

    A note without a lead verb (``(省口岸办、质监局等按职责分工负责)``) names no
    lead: its agencies share the work, so they are all participants.
    """
    body = note.strip().strip("。")
    if body[:1] in _OPEN and body[-1:] in _CLOSE:
        body = body[1:-1]
    roles: list[tuple[str, str]] = []
    partner_next = False
    for names_text, verb in note_clauses(body.strip()):
        if verb == WITH_VERB:
            role = LEAD
        elif partner_next:
            role = PARTNER
        else:
            role = ROLE_VERBS.get(verb, "support")  # a list with no verb after it
        partner_next = verb == WITH_VERB
        roles.extend((name, role) for name in _names(names_text))
    lead = tuple(dict.fromkeys(n for n, r in roles if r == LEAD))
    participants = tuple(dict.fromkeys(n for n, r in roles if r != LEAD and n not in lead))
    first_role: dict[str, str] = {}
    for name, role in roles:
        first_role.setdefault(name, LEAD if name in lead else role)
    return Responsibility(lead=lead, participants=participants, roles=tuple(first_role.items()))


def note_clauses(body: str) -> list[tuple[str, str]]:
    """Split a note's body into (agency list, role verb) clauses, in order.

    A verb counts only where a clause can end: at the end of the body, before a
    separator, or where it is 会同 (followed by the second list).

    >>> note_clauses("由省科技厅牵头，省财政厅、教育厅等按职责分工负责")
    [('省科技厅', '牵头'), ('省财政厅、教育厅', '按职责分工负责')]
    """
    clauses: list[tuple[str, str]] = []
    start = i = depth = 0
    while i < len(body):
        ch = body[i]
        if ch in _OPEN or ch in _CLOSE:
            depth += 1 if ch in _OPEN else -1
            i += 1
            continue
        verb = _verb_at(body, i) if depth == 0 else None
        if verb is None:
            i += 1
            continue
        clauses.append((_list_text(body[start:i]), verb))
        i += len(verb)
        start = i
    rest = _list_text(body[start:])
    if rest:
        clauses.append((rest, ""))
    return [(text, verb) for text, verb in clauses if text]


def _verb_at(body: str, i: int) -> str | None:
    m = _VERB.match(body, i)
    if m is None:
        return None
    verb = m.group(0)
    end = i + len(verb)
    if verb == WITH_VERB or end == len(body) or body[end] in _CLAUSE_SEPARATORS:
        return verb
    return None


def _list_text(text: str) -> str:
    """A clause's agency list without separators, 由 and a closing 等."""
    text = text.strip(_CLAUSE_SEPARATORS)
    for opener in _CLAUSE_OPENERS:
        if text.startswith(opener):
            text = text[len(opener) :]
            break
    return _LIST_END.sub("", text).strip(_CLAUSE_SEPARATORS)


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


def _names(part: str) -> tuple[str, ...]:
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
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        elif ch in separators and depth == 0:
            pieces.append(text[start:i])
            start = i + 1
    pieces.append(text[start:])
    return pieces


def _split_items(group: str) -> list[str]:
    items: list[str] = []
    for piece in _split_outside(group, "、"):
        items.extend(_split_connectives(_LIST_END.sub("", piece.strip())))
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
