"""How much of an English question the English glossary understands.

Read once with the question (``service.read``) and weighed by the judge
(``service.abstain``): an English question shares no words with the Chinese text,
so whether it is about the document is read off its glossary terms.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.expand import english_words, glossary_pairs
from indexer.tokenize import has_cjk
from service.regions import places


@dataclass(frozen=True)
class EnglishFit:
    """``coverage``: the share of content words the glossary terms contain;
    ``names_subject``: whether a glossary term names something besides the places;
    ``terms``: the document's terms the glossary reads in it (战略定位)."""

    coverage: float
    names_subject: bool
    terms: tuple[str, ...] = ()


def english_fit(text: str, pairs: list[tuple[str, str]] | None = None) -> EnglishFit | None:
    """The fit of an English question; None for a question with Chinese in it.
    ``pairs`` are its glossary pairs when the caller has read them."""
    if has_cjk(text):
        return None
    pairs = glossary_pairs(text) if pairs is None else pairs
    terms = tuple(dict.fromkeys(long for _, long in pairs))
    return EnglishFit(english_coverage(text, pairs), names_a_subject(pairs), terms)


def english_coverage(text: str, pairs: list[tuple[str, str]] | None = None) -> float:
    """Share of an English question's content words that its glossary terms contain.

    "What is the current minimum wage in Macao?" knows only Macao (0.25); a question
    about the document's work is mostly made of its glossary's words.

    >>> english_coverage("Who leads the railway projects in Guangxi?")  # all but "projects"
    0.75
    """
    words = english_words(text)
    if not words:
        return 1.0
    pairs = glossary_pairs(text) if pairs is None else pairs
    known = {w for short, _ in pairs for w in english_words(short)}
    covered = [w for w in words if not known.isdisjoint(_stems(w))]
    return len(covered) / len(words)


def _stems(word: str) -> set[str]:
    """The forms a word may stand for, as the glossary matches them (a key's words
    may take -s, -es, -d, -ed, -ing, and -y may be -ies; a name may take 's):
    "industries" → industry, "Macao's" → macao."""
    forms = {word}
    endings = (("s", ""), ("'s", ""), ("d", ""), ("es", ""), ("ed", ""), ("ing", ""), ("ies", "y"))
    for ending, base in endings:
        if word.endswith(ending):
            forms.add(word[: -len(ending)] + base)
    return forms


def names_a_subject(pairs: list[tuple[str, str]]) -> bool:
    """Whether an English question's glossary terms (``glossary_pairs``) name anything
    the document is about besides its places.

    >>> names_a_subject(glossary_pairs("What is the current minimum wage in Macao?"))
    False
    >>> names_a_subject(glossary_pairs("Which railway projects link Hong Kong?"))
    True
    """
    # The places the whole collection is about (service.regions.places): an English
    # question whose only glossary words are these ("What's the weather forecast for
    # Shenzhen?") asks about the place, not about anything the document says of it.
    setting = places()
    return any(long not in setting for _, long in pairs)
