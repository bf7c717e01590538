"""Agencies named by their nicknames: 环保 → 省环境保护厅, 海关 → 海关广东分署.

The nicknames are knowledge of the collection (``agency_nicknames.txt`` beside its
document); a nickname names an agency only when it fits exactly one of the
document's agencies (``Catalog.agency_names``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from indexer.knowledge import active, on_activate
from indexer.tokenize import normalize
from service.catalog import Catalog

# What follows an agency's nickname when it names the agency: 那边, a verb, the end.
_AFTER_NICKNAME = (
    r"(?=[局厅委办口]|那边|这边|那头|方面|部门|系统|条线|在|有|要|参|负|管|会|是|能|也|还|都|牵|挑"
    r"|$|[^\u4e00-\u9fff])"
)


def agency_by_nickname(catalog: Catalog, text: str) -> list[str]:
    """The agency named by the last nickname in ``text`` (normalized), when it fits
    exactly one agency of the document; else []."""
    # The nickname must stand for the agency itself ("环保那边", "人社要不要"), not
    # qualify a thing ("跨省教育合作平台管不管…" asks about a platform).
    found = [
        (match.start(), stem)
        for nick, stem in _nicknames()
        for match in re.finditer(re.escape(nick) + _AFTER_NICKNAME, text)
    ]
    for _, stem in sorted(found, reverse=True):
        matches = [name for name in catalog.agency_names if stem in name]
        if len(matches) == 1:
            return matches
    return []


def without_nicknames(text: str, agencies: Sequence[str], bare: bool = True) -> str:
    """``text`` with the nicknames of ``agencies`` and what follows them (环保局,
    环保那边) blanked; other nicknames are topics there (水利设施) and stay.

    ``bare=False``: only a nickname that names the agency by what follows it (农业厅,
    农业那边); in an earlier turn, a bare one is the topic ("跟外省的农业合作").
    """
    follows = "(?:[厅委局办署]|那边|这边|部门)" + ("?" if bare else "")
    for nick, stem in _nicknames():
        if any(stem in name for name in agencies):
            text = re.sub(rf"{re.escape(nick)}{follows}", " ", text)
    return text


@cache
def _nicknames() -> tuple[tuple[str, str], ...]:
    """The active knowledge's agency nicknames (``agency_nicknames.txt``), normalized."""
    return tuple((normalize(nick), normalize(stem)) for nick, stem in active().nicknames)


on_activate(_nicknames.cache_clear)
