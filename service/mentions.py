"""Where the document mentions something: "九洲江在整份文件里出现在哪些部分？".

A question that asks where a term appears (出现在哪几处, 提到“基金”的地方, 跟云南有关的
条目) is answered from the text itself, like a concordance: every task or section
whose clauses contain the term, in document order, each cited with the words
around it. The term is the one the question quotes, else its rarest word that
the document uses.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from indexer.expand import query_tokens
from indexer.types import Clause
from service.catalog import Catalog
from service.citing import cite, marker
from service.lookup import Composed

# What may be quoted around the term: the clause (between ，；：。) that holds it.
_BOUNDARY = re.compile(r"[，；：。！？]")
_QUOTED = re.compile(r"[“\"「『‘]([^”\"」』’]{1,20})[”\"」』’]")
# "跟云南有关的条目": the term sits inside the asking words.
_ABOUT = re.compile(r"(?:跟|和|与)([^，。？?]{1,8})有关")
# The most places listed in one answer (the rest are counted).
MOST_LISTED = 12


def mentioned_term(
    text: str,
    asking: re.Match[str],
    tokens: Sequence[str],
    corpus: str,
    skip: Collection[str] = (),
) -> str | None:
    """The term a where-is-it question asks about: the one it quotes, else a word before
    the asking words (``asking``, the match of the ``mentions.asks`` cue: "九洲江在文件里|
    出现在哪些部分") or inside them ("跟云南有关的条目"), widened to the longest run of
    the question the document contains (九洲 → 九洲江). The longest such run wins; a
    word the document does not contain at all is kept whole (人工智能, not its 智能),
    so the answer can say so. Neither the asking words nor ``skip`` are terms.

    >>> asks = re.compile("出现在哪(些|几)(部分|处)")
    >>> text = "九洲江出现在哪些部分"
    >>> mentioned_term(text, asks.search(text), ["九洲", "江", "出现", "部分"], "九洲江流域")
    '九洲江'
    >>> text = "人工智能出现在哪几处"
    >>> mentioned_term(text, asks.search(text), ["人工", "智能", "人工智能"], "智能电网")
    '人工智能'
    """
    quoted = _QUOTED.search(text)
    if quoted:
        return quoted.group(1).strip() or None
    about = _ABOUT.search(text, asking.start())
    lo, hi = (about.start(1), about.end(1)) if about else (0, asking.start())
    # The asking words themselves (出现, 地方, 部分), but not a term inside them (云南).
    asked = asking.group(0)
    if about is not None:
        asked = asked.replace(about.group(1), " ")
    not_terms = set(skip) | set(query_tokens(asked))
    words = [t for t in dict.fromkeys(tokens) if len(t) >= 2 and t not in not_terms]
    # Only whole words: a search-mode piece of a longer word (智能 of 人工智能) is not one.
    whole = [w for w in words if not any(w != o and w in o for o in words)]
    runs: list[str] = []
    for word in whole:
        start = text.find(word, lo, hi)
        if start < 0:
            continue
        end = start + len(word)
        # Widen while the document still contains the run (港珠澳 + 大桥, 闽粤 + 经济合作区).
        while start > lo and text[start - 1 : end] in corpus:
            start -= 1
        while end < hi and text[start : end + 1] in corpus:
            end += 1
        runs.append(text[start:end])
    if not runs:
        return None
    found = [run for run in runs if run in corpus]
    return max(found or runs, key=len)


def mentions(catalog: Catalog, term: str, tasks_only: bool = False) -> Composed:
    """Every task or section that mentions ``term``, in document order, each cited."""
    found: list[tuple[str, Clause]] = []
    for key, target in catalog.targets.items():
        if tasks_only and target.task is None:
            continue
        clause = next((c for c in target.clauses if term in c.text), None)
        if clause is not None:
            found.append((key, clause))
    where = "主要任务中" if tasks_only else "文件中"
    if not found:
        return Composed(f"{where}没有提到「{term}」。", (), (), "declined", "no_mentions")
    parts, cites = [], []
    for key, clause in found[:MOST_LISTED]:
        target = catalog.targets[key]
        label = f"任务{key}" if target.task is not None else key
        parts.append(f"{label} {target.title}{marker(target.task, target.section)}")
        cites.append(cite(clause, _around(clause.text, term), 1.0))
    more = f"等（共{len(found)}处）" if len(found) > MOST_LISTED else ""
    text = f"{where}提到「{term}」的共{len(found)}处：" + "；".join(parts) + more + "。"
    return Composed(text, tuple(cites), tuple(key for key, _ in found), "aggregate")


def _around(text: str, term: str) -> str:
    """The clause of ``text`` (between punctuation) that holds ``term``, verbatim.

    >>> _around("甲乙丙，推进九洲江治理，丁戊。", "九洲江")
    '推进九洲江治理'
    """
    at = text.index(term)
    starts = [m.end() for m in _BOUNDARY.finditer(text, 0, at)]
    start = starts[-1] if starts else 0
    end_match = _BOUNDARY.search(text, at + len(term))
    end = end_match.start() if end_match else len(text)
    return text[start:end]
