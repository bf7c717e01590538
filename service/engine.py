"""The loaded engine: index, embedder and structure tables, built once and shared read-only.

Every adapter (CLI, HTTP, chat, bots) holds one :class:`Engine` and passes it to
``answer.answer_question``; nothing here changes after loading, so one engine
serves concurrent requests without locks.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import cache, lru_cache, partial
from pathlib import Path

import numpy as np

from indexer.embed import Embedder, load_embedder
from indexer.expand import query_tokens
from indexer.knowledge import activate
from indexer.store import LoadedIndex, load_index
from indexer.tokenize import has_cjk, normalize, tokenize
from service.aliases import route_aliases, spell_out
from service.catalog import Catalog, target_key
from service.query import Limits
from service.regions import other_members
from service.retrieve import Query, Retrieval, RetrievalConfig, fuse, roll_up, rrf
from service.scope_model import ScopeModel, model_of

log = logging.getLogger(__name__)

# How much of a searched text the query embedding reads (see ``Engine._query_vector``).
EMBEDDED_CHARS = 256


_AGENCY_FRAGMENT = re.compile(
    r"[\u4e00-\u9fff]{2,10}?(?:集团|检验检疫局|管理局|委员会|分署|分行|市政府|总工会|科学院|"
    r"厅|委|局|办)"
)


def _placed(names: list[str], fragment: str, text: str) -> list[str]:
    """Of the agencies a fragment fits, those whose place the question names too
    ("我是珠海市府办的，我们市政府…" → 珠海市政府); all of them when it names none.

    >>> _placed(["广州市政府", "珠海市政府"], "市政府", "我是珠海的，我们市政府呢")
    ['珠海市政府']
    """
    placed = []
    for name in names:
        place = name[: name.find(fragment[0])]
        if len(place) >= 2 and place[:2] in text:
            placed.append(name)
    return placed or names


@lru_cache(maxsize=4)
def _other_province_agency(members: tuple[str, ...]) -> re.Pattern[str] | None:
    """An agency of another member of the region (the active knowledge's); None: no region."""
    if not members:
        return None
    return re.compile(
        rf"({'|'.join(map(re.escape, members))})(壮族自治区|省|特区|特别行政区)?"
        r"(政府)?(?P<name>[\u4e00-\u9fff]{1,8}?(厅|委|局|办|署))"
    )


class Engine:
    """An index loaded for answering, plus everything derived from it once."""

    # Corpus files changed since the index was built and not picked up (set by
    # ``open_engine(on_stale="warn")``), for a server to report.
    stale: tuple[str, ...] = ()

    def __init__(
        self,
        index: LoadedIndex,
        embedder: Embedder | None,
        config: RetrievalConfig | None = None,
        limits: Limits | None = None,
        scope: ScopeModel | None = None,
    ) -> None:
        config = config or RetrievalConfig()
        if config.mode != "bm25" and embedder is None:
            raise ValueError(f"retrieval mode {config.mode!r} needs an embedder")
        self.index = index
        # The index's knowledge (indexer.knowledge): Engine.load activates it.
        self.knowledge = index.knowledge
        self.embedder = embedder
        self.config = config
        self.limits = limits or Limits()
        # The learned wording check of declines (``service.scope_model``); None: rules only.
        self.scope = scope
        # A second task is cited only when it is nearly as relevant as the first.
        self.second_target_ratio = 0.93
        self.clauses = index.clauses
        self.catalog = Catalog(index.clauses)
        self.idf = _idf([tokenize(c.text) for c in index.clauses])
        self.aliases = route_aliases(c.text for c in index.clauses)
        # Each retrieval unit's target, as a number: for checking whether BM25 alone
        # already decides the best target (see ``_lexical_decides``).
        keys: dict[str, int] = {}
        self._unit_target = np.array(
            [keys.setdefault(target_key(self.clauses[i]), len(keys)) for i in index.unit_clause],
            dtype=np.int64,
        )

    @classmethod
    def load(
        cls,
        index_dir: Path,
        *,
        embedder: str | None = None,
        config: RetrievalConfig | None = None,
        query_instruction: str = "",
        limits: Limits | None = None,
        scope_model: bool = True,
        embed_threads: int | None = None,
    ) -> Engine:
        """Load and verify the index at ``index_dir``; raises IndexNotFound/Corrupt/Mismatch.

        The knowledge the index was built with (its ``knowledge/`` folder) is activated
        for the tokenizer, the expansions and the service tables; its wording model of
        declines is loaded unless ``scope_model=False`` (an index without one: none, the
        rules alone decide). ``embed_threads`` is the embedder's threads per question
        (None or 0: the default).
        """
        index = load_index(index_dir, expected_embedder=embedder)
        # Before the engine derives its tables: they tokenize the clauses.
        activate(index.knowledge)
        spec = index.manifest["embedder"]
        config = config or RetrievalConfig()
        model = (
            None if config.mode == "bm25" else load_embedder(spec, query_instruction, embed_threads)
        )
        scope = model_of(index.knowledge) if scope_model else None
        return cls(index, model, config, limits, scope)

    def activate(self) -> None:
        """Make this engine's knowledge the active one (:func:`indexer.knowledge.activate`).

        ``load`` does it; a process that holds engines of indexes with different
        knowledge calls it before answering with one. Nothing changes when it is active.
        """
        activate(self.knowledge)

    def warm_up(self) -> None:
        """Load jieba's dictionary and run the model once, so the first question is fast.

        The question is made of the document's own first title, so any document warms up.
        """
        titles = [target.title for target in self.catalog.targets.values() if target.title]
        self.retrieve(f"{titles[0] if titles else '工作'}由谁牵头")

    def expand(self, text: str, tokens: Sequence[str]) -> str:
        """The question normalized, followed by its query tokens with abbreviations spelled
        out (发改委 → 发展改革委), for finding agency and section names in it."""
        return normalize(text) + " " + " ".join(tokens)

    def agencies_in(self, text: str) -> list[str]:
        """Agencies a question names: one exact name, or every agency a fragment fits.

        Another province's agency ("广西农业厅的同志想了解…") is not one of the document's.
        """
        other = _other_province_agency(other_members())
        for match in other.finditer(text) if other is not None else ():
            # Its bare name also stands among the question's tokens ("… 农业厅 …").
            text = text.replace(match.group(0), " ")
            text = re.sub(rf"(?<!省)(?<!广东){re.escape(match.group('name'))}", " ", text)
        found = self.catalog.find_agencies(text)
        if found:
            return found
        for match in _AGENCY_FRAGMENT.finditer(text):
            fragment = match.group(0)
            for start in range(len(fragment) - 2):
                names = self.catalog.find_agencies_like(fragment[start:])
                if names:
                    return _placed(names, fragment[start:], text)
        return []

    def query(
        self,
        text: str,
        tokens: Sequence[str] | None = None,
        own: Sequence[str] | None = None,
    ) -> Query:
        """``text`` read for searching: normalized and tokenized once, with the short
        route names it uses spelled out (赣深客专 → also 赣州至深圳, for BM25 and the
        embedding). ``tokens`` are ``query_tokens(text)`` when the caller has them;
        ``own`` are a follow-up turn's own tokens, when ``text`` borrows earlier turns."""
        normalized = normalize(text)
        tokens = tuple(query_tokens(text) if tokens is None else tokens)
        borrowed = frozenset(tokens).difference(own) if own is not None else frozenset()
        spelled = spell_out(normalized, self.aliases)
        if not spelled:
            return Query(text, normalized, tokens, text, borrowed)
        extra = tuple(t for t in tokenize(" ".join(spelled)) if t not in tokens)
        return Query(text, normalized, tokens + extra, " ".join([text, *spelled]), borrowed)

    def retrieve(self, text: str, tokens: Sequence[str] | None = None) -> Retrieval:
        """Hybrid (or single-mode) retrieval of the targets for ``text`` (read with
        :meth:`query`; the answering pipeline reads its queries once and calls
        :meth:`search`)."""
        return self.search(self.query(text, tokens))

    def search(self, query: Query) -> Retrieval:
        """Hybrid (or single-mode) retrieval of the targets for a query read already."""
        cfg = self.config
        text, tokens = query.embedded, query.tokens
        bm25 = dense = None
        if cfg.mode != "dense":
            bm25 = self.index.bm25.scores(list(tokens))
        lexical = bm25 is not None and cfg.mode == "hybrid" and self._lexical_decides(bm25, text)
        if cfg.mode != "bm25" and not lexical:
            dense = self.index.dense_scores(self._query_vector(text))
        if cfg.fusion == "rrf" and bm25 is not None and dense is not None:
            scores = rrf(bm25, dense)
        else:
            scores = fuse(bm25, dense, cfg.dense_weight)
        targets = roll_up(scores, self.index.unit_clause, self.clauses, cfg.top_targets)
        dense_top = float(dense.max()) if dense is not None else None
        if dense_top is not None:
            similarity = partial(float, dense_top)
        elif self.embedder is not None:
            similarity = cache(partial(self._best_similarity, text))
        else:
            similarity = partial(float, 0.0)
        return Retrieval(
            targets=targets,
            tokens=tokens,
            dense_top=dense_top,
            bm25_top=float(bm25.max()) if bm25 is not None and bm25.size else 0.0,
            similarity=similarity,
            borrowed=query.borrowed,
        )

    def dense_top(self, retrieval: Retrieval) -> float:
        """The best cosine similarity of the searched text (computed now if it was skipped)."""
        return retrieval.similarity()

    def _best_similarity(self, text: str) -> float:
        return float(self.index.dense_scores(self._query_vector(text)).max())

    def _query_vector(self, text: str) -> np.ndarray:
        assert self.embedder is not None
        # A closing 。/？ is one more token (~0.65 ms) and moved no answer on the tuning sets.
        # The embedding costs ~0.85 ms per character (a 5,000-character text took 4.3 s),
        # so only the end is embedded (where a follow-up's own words and a long question's
        # ask stand): the longest tuning question, follow-up context included, is 186
        # characters. BM25 still reads every word.
        return self.embedder.encode_queries([text[-EMBEDDED_CHARS:].rstrip("？！。")])[0]

    def _lexical_decides(self, bm25: np.ndarray, text: str) -> bool:
        """Whether BM25 is so far ahead that the query embedding can be skipped.

        With dense weight w, the best BM25 unit fuses to at least 1 - w, and a unit of
        another target with normalized BM25 b to at most w + (1 - w)·b, so below
        b = (1 - 2w) / (1 - w) (1/3 at w = 0.4) the embedding cannot change the best
        target. ``RetrievalConfig.lexical_cutoff`` sets the bar (see there for why
        0.5). English questions always embed: their decline needs the similarity.
        """
        cutoff = self.config.lexical_cutoff
        top = float(bm25.max()) if bm25.size else 0.0
        if self.config.fusion != "weighted" or cutoff <= 0 or top <= 0 or not has_cjk(text):
            return False
        best = self._unit_target[int(bm25.argmax())]
        others = bm25[self._unit_target != best]
        runner_up = float(others.max()) / top if others.size else 0.0
        return runner_up < cutoff


def _idf(docs: list[list[str]]) -> dict[str, float]:
    counts = Counter(t for doc in docs for t in set(doc))
    n = len(docs)
    return {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in counts.items()}
