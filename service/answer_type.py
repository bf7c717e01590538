"""The kind of answer a question asks for, and whether a piece of evidence holds one.

Near-miss questions share the document's topic but ask for something it never
states: "港珠澳大桥收费标准是多少" (an amount), "试验区包括哪些城市" (named cities),
"养老保险转移要带什么材料" (a procedure). Similarity cannot tell these from
answerable questions; the shape of the answer can. A question is read into an
:class:`Asked` (kinds, measure units, focus words), and :func:`unmet` says what a
candidate answer span lacks.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass

from indexer.tokenize import words
from service.cues import GENERIC_NOUNS, cue, cue_words, cues
from service.regions import abbreviations

# What the question wants, by its wording (matched on normalized, lower-case text).
_ASKS = cues("asks")
_NUMERAL = r"(\d+(\.\d+)?|[两二三四五六七八九十百千万亿]+)"
# What evidence of each kind looks like in the document's text.
_EVIDENCE = cues("evidence")
_TITLES = re.compile(r"《[^》]*》")
_AGENCY_ENDINGS = tuple(sorted(cue_words("focus.agency_endings")))
# "多少亩", "多少个省区", "多少度电": a quantity in a unit; the evidence must count in it.
# ("多少个部门" counts the names a list gives: no unit to check.)
_QUANTITY = cue("unit.quantity")
# Money is an amount (checked as one); 个 only appears when the unit word is general.
_NOT_UNITS = cue_words("unit.not_units")
_LENGTH = cue("unit.length")
# "年假有几天": a number of days the evidence would have to give.
_DAYS = cue("unit.days")
# "设几个站": things a plan names but does not count.
_COUNTED = cue("unit.counted")
# Words that ask "which X" / "what X" before or after the thing asked for.
_ASK_WORDS = cue_words("focus.ask_words")
_PARTS = re.compile(r"[，。？！?!,;；：:\s]+")
_INSTITUTIONS = cue_words("focus.institutions")
_WHICH_SEVERAL = re.compile(r"哪几个?")
_ASK_AFTER = cue_words("focus.ask_after")
# What may follow an ask word that ends the question: particles and classifiers.
_TAIL = cue_words("focus.tail")
_SKIP_BEFORE = cue_words("focus.skip_before")
_GRADES = cue_words("focus.grades")
# Focus words too general to check: any evidence "has" them in substance. The
# abstract ones (水平, 功能, 渠道) are answered by a description, not by a named item.


# Classes of places, and how a text names several of them: a list with 、, or a run of
# the one-character names of provinces and regions (粤桂琼, 闽粤赣).
_PLACE_CLASSES = cue_words("focus.place_classes")
_LISTED = re.compile(r"[\u4e00-\u9fff]{2,8}、[\u4e00-\u9fff]{2,8}")
_PROVINCE_CLASSES = cue_words("focus.province_classes")


@dataclass(frozen=True)
class Asked:
    """What a question asks for: answer kinds, quantity units, and focus words."""

    kinds: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.kinds or self.units or self.focus)


def read_asked(text: str, vocabulary: Container[str], words: Sequence[str] = ()) -> Asked:
    """Read what ``text`` (normalized) asks for.

    Focus words are kept only when the corpus uses them (``vocabulary``): a word
    the tokenizer cut badly must not decide anything. ``words`` are the question's
    tokens: a character after 多少 that begins one the corpus uses is a noun
    ("多少数字化人才"), not a unit ("多少亩", "多少微克").

    >>> read_asked("试验区包括哪些城市？", {"城市"}).focus
    ('城市',)
    """
    lowered = text.lower()
    kinds = tuple(kind for kind, pattern in _ASKS.items() if pattern.search(lowered))
    long_words = [w for w in words if len(w) > 1 and w in vocabulary]
    units = tuple(
        dict.fromkeys(
            m.group(2)
            for m in _QUANTITY.finditer(text)
            if m.group(2) not in _NOT_UNITS
            and not any(text.startswith(w, m.start(2)) for w in long_words)
        )
    )
    if _LENGTH.search(text):
        units += ("length",)
    units += tuple(m.group(1) for m in _COUNTED.finditer(text) if m.group(1) not in units)
    days = _DAYS.search(text)
    if days and days.group(2) not in units:
        units += (days.group(2),)
    # "哪家医院", "哪个法院": an institution the corpus never names is asked for all the same.
    focus = tuple(
        w
        for w in dict.fromkeys(_focus_words(text))
        if w in vocabulary or (len(w) == 2 and w[-1] in _INSTITUTIONS)
    )
    return Asked(kinds, units, focus)


def _focus_words(text: str) -> list[str]:
    found = []
    for part in _PARTS.split(text):
        # jieba cuts 哪几条 as 哪/几条; for the focus it asks the same as 哪些.
        cut = words(_WHICH_SEVERAL.sub("哪些", part))
        for i, word in enumerate(cut):
            if word in _ASK_WORDS and i + 1 < len(cut) and cut[i + 1] not in _TAIL:
                # "包括哪些城市": the word after names what is asked for ("哪些条" names
                # nothing but items, "哪几个港口" was read as "哪些港口"); in "哪些珠三角
                # 城市" the place only narrows the class asked for.
                if i + 2 < len(cut) and cut[i + 2] in _PLACE_CLASSES:
                    found.append(cut[i + 2])
                else:
                    found.append(cut[i + 1])
            elif word in _ASK_WORDS and i + 2 < len(cut) and cut[i + 1] == "家":
                # "哪几家医院": past the measure word for institutions.
                found.append(cut[i + 2])
            if word in _ASK_AFTER and i > 0 and all(w in _TAIL for w in cut[i + 1 :]):
                # "成员单位具体有哪些": the thing asked for comes before.
                j = i - 1
                while j > 0 and cut[j] in _SKIP_BEFORE:
                    j -= 1
                # A general head word (单位) is named by the word before it (成员),
                # unless that word only grades it (基本原则, 主要措施).
                if cut[j] in GENERIC_NOUNS and j > 0:
                    j -= 1
                    if cut[j] in _GRADES:
                        continue
                found.append(cut[j])
    # Attributes (国家级, 区域性, 一体化) qualify the thing asked for; they do not name it.
    return [
        w
        for w in found
        if len(w) >= 2 and w not in GENERIC_NOUNS and not w.isascii() and w[-1] not in "级性化式"
    ]


def unmet(asked: Asked, evidence: str, note: str = "") -> str | None:
    """The first thing ``asked`` wants that ``evidence`` lacks (``"time"``, ``"unit:亩"``,
    ``"focus:城市"``), or None when the evidence holds every kind of answer asked for.

    An agency-like focus word (市政府) may also stand in ``note``, the clause's
    responsibility note, but only literally: the note names agencies, not cities, and
    not the members of a group it mentions (领导小组成员单位).
    """
    # A date inside a cited title ("《…行动计划(2016-2020年)》") dates that plan, not
    # the thing asked about.
    plain = _TITLES.sub("", evidence)
    for kind in asked.kinds:
        if not _EVIDENCE[kind].search(plain if kind == "time" else evidence):
            return kind
    for unit in asked.units:
        if unit == "length":
            if not re.search(rf"{_NUMERAL}\s*(公里|千米|米|km)", evidence):
                return "length"
        elif not re.search(rf"{_NUMERAL}\s*(个)?{re.escape(unit)}", evidence):
            return f"unit:{unit}"
    for word in asked.focus:
        if word in evidence or (word in note and word.endswith(_AGENCY_ENDINGS)):
            continue
        # A park is named by its kind (深港创新及科技园).
        if word == "园区" and re.search(r"[\u4e00-\u9fff]园", evidence):
            continue
        # "基本原则": a general head word (原则) names the thing well enough.
        if len(word) > 2 and word[-2:] in GENERIC_NOUNS and word[-2:] in evidence:
            continue
        # "哪几个省区": the evidence may name them (闽粤桂琼, 东南亚、南亚) without the word.
        if word in _PLACE_CLASSES and _LISTED.search(evidence):
            continue
        if word in _PROVINCE_CLASSES and _names_members(evidence):
            continue
        return f"focus:{word}"
    return None


def _names_members(evidence: str) -> bool:
    """A run of three or more of the region's one-character names (粤桂琼, 闽粤赣)."""
    names = abbreviations()
    return bool(names) and re.search(rf"[{re.escape(names)}]{{3,}}", evidence) is not None
