"""The one tokenizer for corpus and queries: normalize, segment with jieba, drop stopwords.

Corpus text and questions go through the same :func:`tokenize`, so a term
matches only if both sides segment it the same way. Questions may add
expansion tokens (:func:`indexer.expand.query_tokens`); the corpus never does.

>>> tokenize("由省发展改革委牵头")
['发展', '改革', '发展改革委', '省发展改革委', '牵头']
"""

from __future__ import annotations

import hashlib
import logging
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.knowledge import active, on_activate, read_lines

if TYPE_CHECKING:
    import jieba

log = logging.getLogger(__name__)

# Generic reading of Chinese and English, shared by every document. A document's own
# words (its user dictionary) are knowledge: see indexer.knowledge.
DATA_DIR = Path(__file__).resolve().parent / "data"
STOPWORDS_FILE = DATA_DIR / "stopwords_zh.txt"

# Bump when the tokenization rules in this module change, so old indexes are rebuilt.
TOKENIZER_VERSION = "1"
# A user word must beat any split of itself even next to other characters;
# jieba's own suggestion only just beats the split in isolation.
_MIN_USER_FREQ = 1000
# Dashes that join place names (珠江—西江经济带); jieba splits at anything
# but ASCII '-', so all of them become '-'.
_DASHES = str.maketrans(dict.fromkeys("—–―‐‑‒−﹣－", "-"))


@cache
def _converter() -> object:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=8192)  # a question is normalized by several stages; the answer is pure
def normalize(text: str) -> str:
    """Traditional → simplified, full-width → half-width (NFKC), one dash, lowercase.

    >>> normalize("粵港澳ＡＢＣ—１２")
    '粤港澳abc-12'
    """
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return _converter().convert(text).lower()  # type: ignore[attr-defined]


def _is_noise(token: str) -> bool:
    # Whitespace, punctuation and symbols carry no meaning for retrieval.
    return all(unicodedata.category(ch)[0] in "PSZC" for ch in token)


def has_cjk(text: str) -> bool:
    """Whether a text holds any Chinese character (questions without one are read as English).

    >>> has_cjk("Who leads 铁路?"), has_cjk("Who leads?")
    (True, False)
    """
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@dataclass(frozen=True)
class _Tables:
    userdict: tuple[str, ...]
    stopwords: frozenset[str]


@cache
def _tables() -> _Tables:
    # The user words are the active knowledge's (dropped with the cache on activate).
    return _Tables(
        userdict=tuple(normalize(w) for w in active().user_words),
        stopwords=frozenset(normalize(w) for w in read_lines(STOPWORDS_FILE)),
    )


class Segmenter:
    """A private jieba tokenizer with the domain dictionary, loaded once, thread-safe.

    Loading happens on first use under a lock; afterwards segmentation only
    reads jieba's dictionary, so threads may tokenize concurrently. Terms
    registered later (:meth:`register_terms`) are added under the same lock.
    :meth:`reset` (on activating another knowledge) loads it again on next use,
    with the new user words and then every term registered so far.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jieba: jieba.Tokenizer | None = None
        # Insertion-ordered: a reloaded dictionary adds them in the order they came.
        self._terms: dict[str, None] = {}

    def _tokenizer(self) -> jieba.Tokenizer:
        tok = self._jieba
        if tok is not None:
            return tok
        with self._lock:
            if self._jieba is None:
                import jieba

                # jieba logs its dictionary loading to stderr at DEBUG by default.
                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()  # reads jieba's marshal cache in the temp dir after the first run
                for word in _tables().userdict:
                    self._add(tok, word)
                for word in self._terms:
                    if not tok.FREQ.get(word):
                        self._add(tok, word)
                log.info("jieba loaded with %d domain words", len(_tables().userdict))
                self._jieba = tok
            return self._jieba

    def reset(self) -> None:
        """Load the dictionary again on next use (the active user words have changed)."""
        with self._lock:
            self._jieba = None

    @staticmethod
    def _add(tok: jieba.Tokenizer, word: str) -> None:
        tok.add_word(word, max(tok.suggest_freq(word, False), _MIN_USER_FREQ))

    def register_terms(self, words: Iterable[str]) -> int:
        """Add words to keep whole (agency names from the document); returns how many were new."""
        tok = self._tokenizer()
        added = 0
        with self._lock:
            for raw in words:
                word = normalize(raw.strip())
                # Single characters and sentence-long strings would only distort segmentation.
                if len(word) < 2 or len(word) > 16 or word in self._terms or _is_noise(word):
                    continue
                self._terms[word] = None
                if not tok.FREQ.get(word):
                    self._add(tok, word)
                    added += 1
        if added:
            log.info("registered %d structure terms with the tokenizer", added)
        return added

    @property
    def terms(self) -> tuple[str, ...]:
        """Terms registered so far, sorted."""
        return tuple(sorted(self._terms))

    def segment(self, text: str) -> list[str]:
        """Search-mode segmentation of already normalized text, before stopword removal.

        Every word longer than two characters also yields each shorter
        dictionary word inside it, so 省发展改革委 matches 发展改革委 and 改革.
        (jieba's own cut_for_search stops at 3-character parts.)
        """
        tok = self._tokenizer()
        freq = tok.FREQ
        out: list[str] = []
        for word in tok.cut(text, HMM=True):
            if len(word) > 2 and has_cjk(word):
                n = len(word)
                out.extend(
                    word[i : i + size]
                    for size in range(2, n)
                    for i in range(n - size + 1)
                    if freq.get(word[i : i + size])
                )
            out.append(word)
        return out

    def words(self, text: str) -> list[str]:
        """The words of a text in order, as jieba cuts it after normalizing: no sub-words,
        stopwords kept, punctuation dropped (for reading a question's grammar)."""
        return [w for w in self._tokenizer().cut(normalize(text), HMM=True) if not _is_noise(w)]

    def tokenize(self, text: str) -> list[str]:
        """Normalize, segment and drop stopwords and punctuation."""
        stop = _tables().stopwords
        return [
            t
            for t in (w.strip() for w in self.segment(normalize(text)))
            if t and t not in stop and not _is_noise(t)
        ]


_default = Segmenter()


def tokenize(text: str) -> list[str]:
    """Tokens of a text for BM25: the one function used for corpus and queries alike.

    >>> tokenize("加快推进港珠澳大桥建设。")
    ['加快', '推进', '大桥', '港珠澳', '港珠澳大桥', '建设']
    """
    return _default.tokenize(text)


def words(text: str) -> list[str]:
    """A question's words in order, stopwords kept (哪些, 什么): for reading what it asks.

    >>> words("包括哪些城市？")
    ['包括', '哪些', '城市']
    """
    return _default.words(text)


def register_terms(words: Iterable[str]) -> int:
    """Keep these words whole from now on (agency names found in the corpus).

    Registration is process-wide and additive; the index stores its terms and
    :func:`indexer.store.load_index` registers them again so questions are
    segmented like the corpus was.
    """
    return _default.register_terms(words)


def registered_terms() -> tuple[str, ...]:
    """Terms registered in this process so far."""
    return _default.terms


def dictionary_hash(user_words: Iterable[str] | None = None) -> str:
    """sha256 of everything that decides how the corpus is segmented, for the manifest.

    Covers the tokenizer rules version, jieba's version, the user words (those
    given, else the active knowledge's) and the stopword list. The expansion tables
    (:mod:`indexer.expand`) only touch queries and are left out.
    """
    words = _tables().userdict if user_words is None else tuple(normalize(w) for w in user_words)
    return _dictionary_hash(words)


@lru_cache(maxsize=8)
def _dictionary_hash(user_words: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    h.update(f"tokenizer={TOKENIZER_VERSION};jieba={version('jieba')}\n".encode())
    h.update(b"user words\n" + "\n".join(user_words).encode() + b"\n")
    h.update(STOPWORDS_FILE.name.encode() + b"\n" + STOPWORDS_FILE.read_bytes())
    return h.hexdigest()


def _on_activate() -> None:
    _tables.cache_clear()
    _default.reset()


on_activate(_on_activate)
