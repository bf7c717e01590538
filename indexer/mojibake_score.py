"""How well a candidate mojibake repair reads as Chinese, judged with jieba's dictionary.

``indexer.mojibake`` re-pairs the bytes of a garbled run and is left with several
readings: where the run ends, which character the lost byte made. It compares them
with jieba's word model: the frequency dictionary behind jieba's segmenter, whose
best segmentation of a string (the route through its word graph) has a
log-probability. A real phrase segments into frequent words and scores far above a
garbled one. The scrape is traditional Chinese and the dictionary simplified, so
every text is converted with OpenCC (tw2s) first.

    >>> logprob("粵港澳大灣區") > logprob("粵港澳大灣硡")
    True
    >>> reads_as_words("形成", "。粵港澳大灣區", ""), reads_as_words("形成", "硡^浉郯", "")
    (True, False)
    >>> can_split("合作", "粵港澳大灣區"), can_split("在", "粵港澳大灣區")
    (True, False)
"""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba
    import opencc

_NO_SENTENCE_END = ("p", "c", "u")  # jieba tags: preposition, conjunction, particle
_PUNCTUATION = re.compile("[。，、；：！？“”《》〈〉（）〔〕]")


def logprob(text: str) -> float:
    """Log-probability of the best segmentation of ``text`` into jieba words (0.0 if empty)."""
    text = _simplified(text)
    return _route(text)[0][0] if text else 0.0


@lru_cache(maxsize=1)
def punctuation_logprob() -> float:
    """What a punctuation mark costs: as much as jieba's most frequent single character."""
    dt = _tokenizer()
    top = max(f for w, f in dt.FREQ.items() if len(w) == 1)
    return math.log(top) - math.log(dt.total)


def can_split(left: str, right: str) -> bool:
    """Whether a lost punctuation mark fits here: whole words on both sides of it.

    The clause before must not end in a function word and the one after must
    begin with a dictionary word of two or more characters.
    """
    import jieba.posseg

    before, after = _segment(_simplified(left)), _simplified(right)
    if not before or not any(j > 0 for j in _tokenizer().get_DAG(after).get(0, ())):
        return False
    return not jieba.posseg.dt.word_tag_tab.get(before[-1], "x").startswith(_NO_SENTENCE_END)


def reads_as_words(left: str, repaired: str, right: str) -> bool:
    """At least half of the repaired ideographs fall in jieba words of two or more."""
    left, repaired, right = map(_simplified, (left, repaired, right))
    window = left + repaired + right
    covered, pos = set(), 0
    for word in _segment(window):
        if len(word) > 1:
            covered.update(range(pos, pos + len(word)))
        pos += len(word)
    span = range(len(left), len(left) + len(repaired))
    ideographs = [k for k in span if "\u4e00" <= window[k] <= "\u9fff"]
    return bool(ideographs) and 2 * sum(k in covered for k in ideographs) >= len(ideographs)


def text_logprob(text: str) -> float:
    """:func:`logprob` of the words between punctuation marks, each mark costing
    :func:`punctuation_logprob` (jieba's dictionary holds no punctuation)."""
    pieces = _PUNCTUATION.split(text)
    return sum(logprob(p) for p in pieces) + (len(pieces) - 1) * punctuation_logprob()


def plausibility(text: str) -> float:
    """Mean log-probability per character of ``text`` (:func:`text_logprob`).

    Anything jieba does not know (ASCII debris, private-use characters) costs what
    its rarest word does. Comparable between texts of different lengths: a repair
    is kept only when it reads at least as well as what it replaces.

        >>> plausibility("港珠澳大桥") > plausibility("港珠澳大硡")
        True
    """
    return text_logprob(text) / max(len(text), 1)


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    import jieba  # lazily: loading the dictionary takes a second

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.initialize()
    return jieba.dt


@lru_cache(maxsize=1)
def _simplifier() -> opencc.OpenCC:
    import opencc  # jieba's dictionary is simplified Chinese

    return opencc.OpenCC("tw2s")


def _simplified(text: str) -> str:
    return _simplifier().convert(text)


def _route(text: str) -> dict[int, tuple[float, int]]:
    route: dict[int, tuple[float, int]] = {}
    dt = _tokenizer()
    dt.calc(text, dt.get_DAG(text), route)
    return route


def _segment(text: str) -> list[str]:
    route, words, i = _route(text), [], 0
    while i < len(text):
        j = route[i][1] + 1
        words.append(text[i:j])
        i = j
    return words
