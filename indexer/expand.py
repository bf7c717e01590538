"""Query expansion: the words people ask with → the words the document uses.

Three tables of the active knowledge (:mod:`indexer.knowledge`, the corpus's
``knowledge/`` folder as carried into the index) map a key to the document's own
term: abbreviations (发改委 → 发展改革委), the English glossary (railway → 铁路) and
everyday Chinese (打工 → 就业). A question's tokens are :func:`indexer.tokenize.tokenize`
plus the tokens of every expansion it contains; the corpus is never expanded, so
the tables touch queries only. English stopwords are generic (``indexer/data``).

>>> "发展改革委" in query_tokens("发改委牵头哪些任务")
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from indexer.knowledge import active, on_activate
from indexer.tokenize import DATA_DIR, normalize, read_lines, tokenize

STOPWORDS_EN_FILE = DATA_DIR / "stopwords_en.txt"

_ENGLISH_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]")


@cache
def _synonyms() -> tuple[tuple[str, str], ...]:
    knowledge = active()
    pairs = [
        (normalize(short), long)
        for short, long in (*knowledge.synonyms, *knowledge.glossary, *knowledge.colloquial)
    ]
    # Longest first, so 看病就医 is expanded before its part 看病 is.
    pairs.sort(key=lambda pair: -len(pair[0]))
    return tuple(pairs)


@cache
def _keys() -> tuple[tuple[str, str, str, bool], ...]:
    """Each pair with what must stand in a text for its key to match: the key itself,
    or for an English key its first word's stem (its inflections only add to it, but
    -y → -ies; its words may be joined by hyphens or spaces)."""
    keys = []
    for short, long in _synonyms():
        english = short.isascii()
        stem = re.split(r"[\s-]+", short)[0] if english else short
        if english and stem == short and stem.endswith("y"):
            stem = stem[:-1]
        keys.append((short, long, stem, english))
    return tuple(keys)


@cache
def _keys_by_first_character() -> dict[str, tuple[int, ...]]:
    """The positions in :func:`_keys` of the keys whose stem begins with each character:
    a question is checked only against keys that can begin in it (a few hundred of the
    thousands, and no English key for a Chinese question)."""
    positions: dict[str, list[int]] = {}
    for position, (_short, _long, stem, _english) in enumerate(_keys()):
        positions.setdefault(stem[0], []).append(position)
    return {character: tuple(found) for character, found in positions.items()}


on_activate(_synonyms.cache_clear)
on_activate(_keys.cache_clear)
on_activate(_keys_by_first_character.cache_clear)


def _matched(norm: str) -> list[tuple[str, str]]:
    """The pairs whose key occurs in normalized text, longest key first, without overlaps."""
    found = []
    keys, by_character = _keys(), _keys_by_first_character()
    # Blanking a matched key only removes text, so the candidates are read off the
    # question once, kept in the keys' order (longest first).
    candidates = sorted({p for ch in set(norm) for p in by_character.get(ch, ())})
    for short, long, stem, english in (keys[p] for p in candidates):
        if stem not in norm:
            continue
        if english:
            norm, hits = _word_pattern(short).subn(" ", norm)
            if not hits:
                continue
        else:
            norm = norm.replace(short, " ")
        found.append((short, long))
    return found


@cache
def _word_pattern(key: str) -> re.Pattern[str]:
    """An English key as whole words ("port" is not in "support"), each word inflected
    or not: "economic belt" matches "economic belts", "pair" "paired", "university"
    "universities", "port of departure" "ports of departure"."""
    words = [
        f"(?:{re.escape(w)}|{re.escape(w[:-1])}ies)" if w.endswith("y") else re.escape(w)
        for w in re.split(r"[\s-]+", key)
    ]
    # "air-pollution control" and "sister-school" name what "air pollution control"
    # and "sister school" do: words are joined by spaces or hyphens alike.
    stem = r"(?:s|es|d|ed|ing)?[\s-]+".join(words)
    return re.compile(rf"(?<![a-z]){stem}(?:s|es|d|ed|ing)?(?![a-z])")


@dataclass(frozen=True)
class QueryTerms:
    """A question's words, read once: its tokens (``words``) and the expansions its
    text holds (``pairs``: key and the document's term, longest key first)."""

    words: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]

    @property
    def tokens(self) -> list[str]:
        """The words, then the tokens of every expansion that are not among them."""
        tokens = list(self.words)
        for _short, long in self.pairs:
            tokens.extend(t for t in tokenize(long) if t not in tokens)
        return tokens

    def concepts(self) -> list[frozenset[str]]:
        """Each expanded word with the tokens it expands to, and each compound with its
        parts (:func:`compounds`): one concept, however many tokens spell it."""
        groups = [
            frozenset(tokenize(short)) | frozenset(tokenize(long)) for short, long in self.pairs
        ]
        # A compound may also hold an expanded word: overlapping groups are one concept.
        merged: list[frozenset[str]] = []
        for group in [*groups, *compounds(list(self.words))]:
            overlapping = [g for g in merged if g & group]
            merged = [g for g in merged if not g & group]
            merged.append(group.union(*overlapping))
        return merged


def read_terms(text: str) -> QueryTerms:
    """Tokenize ``text`` and find its expansions, once."""
    norm = normalize(text)
    matched = _matched(norm)
    # Members may be named by an expansion too ("Hong Kong and Macao").
    named = " ".join([norm, *(long for _, long in matched)])
    return QueryTerms(tuple(tokenize(text)), (*matched, *_members_together(named)))


def _members_together(text: str) -> list[tuple[str, str]]:
    """Two or more of the region's members named in full in ``text`` (the normalized
    question and its expansions: "香港、澳门", "Hong Kong and Macao") as the document
    names them together, by their abbreviations in the table's order, with and without
    the home province: 港澳, 粤港澳 (the region's table, ``region_members.txt``)."""
    knowledge = active()
    named = [(name, short) for name, short in knowledge.members if name != knowledge.home]
    named = [(name, short) for name, short in named if name in text]
    if len(named) < 2:
        return []
    together = "".join(short for _, short in named)
    home = dict(knowledge.members).get(knowledge.home or "")
    forms = [together, f"{home}{together}"] if home else [together]
    return [(" ".join(name for name, _ in named), " ".join(forms))]


def query_tokens(text: str) -> list[str]:
    """Tokens of a question: :func:`indexer.tokenize.tokenize` plus the tokens of its expansions.

    >>> query_tokens("在外地打工")
    ['外地', '打工', '就业']
    """
    return read_terms(text).tokens


def concepts(text: str) -> list[frozenset[str]]:
    """Each expanded word of a question with the tokens it expands to: one concept,
    however many tokens spell it.

    >>> sorted(concepts("医保怎么报销")[0])
    ['保险', '医保', '医疗', '医疗保险']
    """
    return read_terms(text).concepts()


def compounds(tokens: list[str]) -> list[frozenset[str]]:
    """Each word the tokenizer also cut into parts (输气管道 → 输气, 管道, 输气管) with
    those parts: one concept. A question's word that the document spells with other
    neighbours ("输气管道" where it writes "油气管道") is found through its parts,
    not counted missing once per part.

    >>> sorted(compounds(["输气", "管道", "输气管道", "建设"])[0])
    ['管道', '输气', '输气管道']
    """
    words = sorted({t for t in tokens if len(t) > 2}, key=len, reverse=True)
    taken: set[str] = set()
    groups = []
    for word in words:
        if word in taken:
            continue
        parts = {t for t in tokens if t != word and len(t) > 1 and t in word and t not in taken}
        if parts:
            taken |= parts | {word}
            groups.append(frozenset(parts | {word}))
    return groups


def glossary_terms(text: str) -> list[str]:
    """The English glossary and synonym keys a question contains, longest first.

    >>> glossary_terms("Which railway projects link Hong Kong?")
    ['hong kong', 'railway']
    """
    return [short for short, _ in glossary_pairs(text)]


def glossary_pairs(text: str) -> list[tuple[str, str]]:
    """The English keys a question contains, each with the Chinese it stands for.

    >>> glossary_pairs("Who leads the railway projects?")
    [('railway', '铁路'), ('lead', '牵头')]
    """
    return [(short, long) for short, long in _matched(normalize(text)) if short.isascii()]


def english_words(text: str) -> list[str]:
    """The English content words of a text, lower-case, without stopwords and numbers.

    >>> english_words("What is the toll for the Hong Kong-Zhuhai-Macao Bridge?")
    ['toll', 'hong', 'kong-zhuhai-macao', 'bridge']
    """
    stop = _english_stopwords()
    return [w for w in _ENGLISH_WORD.findall(normalize(text)) if w not in stop]


@cache
def _english_stopwords() -> frozenset[str]:
    return frozenset(w.lower() for w in read_lines(STOPWORDS_EN_FILE))
