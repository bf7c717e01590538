"""Short names a document implies but never writes: 赣深 for 赣州至深圳客专.

Staff name routes by the first characters of their two ends (赣深客专, 韶柳铁路),
while the document spells them out. Neither BM25 nor the embedder can connect
the two, so the engine derives the short forms from the document itself and
spells them out in questions. Derived per index, so a new document brings its
own routes and nothing is hand-listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# "<place>至<place><kind>": only two-character place names, the common case for
# prefecture-level cities; the kind word keeps ordinary "从 A 至 B" phrases out.
_ROUTE = re.compile(
    r"([\u4e00-\u9fff]{2})至([\u4e00-\u9fff]{2})"
    r"(客专|客运专线|铁路|高铁|城际|高速|公路|段|运河|航道|管道|通道)"
)


def route_aliases(texts: Iterable[str]) -> dict[str, str]:
    """Map each route's short form to its spelled-out ends: {"赣深": "赣州至深圳"}.

    A short form two routes would share is dropped: spelling it out would guess.

    >>> route_aliases(["加快建设赣州至深圳客专、韶关至柳州铁路。"])
    {'赣深': '赣州至深圳', '韶柳': '韶关至柳州'}
    """
    found: dict[str, str] = {}
    clashes: set[str] = set()
    for text in texts:
        for match in _ROUTE.finditer(text):
            start, end = match.group(1), match.group(2)
            short, full = start[0] + end[0], f"{start}至{end}"
            if found.get(short, full) != full:
                clashes.add(short)
            found.setdefault(short, full)
    return {short: full for short, full in found.items() if short not in clashes}


def spell_out(text: str, aliases: dict[str, str]) -> list[str]:
    """The spelled-out forms of the short route names ``text`` uses (and does not spell out)."""
    return [full for short, full in aliases.items() if short in text and full not in text]
