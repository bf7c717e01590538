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
(广铁集团, 海关广东分署, 各地级以上市人民政府, …) never gain a 省 prefix. The
names of a list are read by ``indexer.agency_names``.

    >>> parse_note("(省发展改革委、交通运输厅牵头，广铁集团等按职责分工负责)")
    Responsibility(lead=('省发展改革委', '省交通运输厅'), participants=('广铁集团',))
    >>> r = parse_note("(省科技厅、工业和信息化厅按职责分工负责，各地级以上市人民政府结合实际落实)")
    >>> r.lead, r.roles[-1]
    ((), ('各地级以上市人民政府', 'implementer'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.agency_names import AGENCY_SUFFIX, CLOSE, LIST_END, OPEN, list_names

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
    if body[:1] in OPEN and body[-1:] in CLOSE:
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
        roles.extend((name, role) for name in list_names(names_text))
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
        if ch in OPEN or ch in CLOSE:
            depth += 1 if ch in OPEN else -1
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
    return LIST_END.sub("", text).strip(_CLAUSE_SEPARATORS)
