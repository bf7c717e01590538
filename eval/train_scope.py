"""Train the out-of-scope wording model of the corpus (``corpus/knowledge/scope_model.json``).

    python -m eval.train_scope            # validate, train, write the model
    python -m eval.train_scope --check    # validate only, write nothing

The model is knowledge of this corpus (``indexer.knowledge``): ``policyqa index``
carries it into the index, and an engine reads it from there, so rebuild the index
after retraining.

Trained on the tuning questions only: every ``eval/calibration.jsonl`` question and
the dev half of ``eval/gold.jsonl``. The test half is never read.

The decline threshold is set by forward validation over the batches of questions in
the order they were written (one writer's round each, eval/README.md): each batch
from the fifth on is scored by a model trained on the batches before it, as new
questions arrive at a model that has not seen their kind. The threshold is the
lowest score that at most ``MAX_FALSE`` of those answerable questions reach. (Leave-
one-batch-out validation was tried first: later batches repeat earlier near-misses,
so it scored a held-out batch with knowledge of its neighbours and set the threshold
at 0.80, which wrongly declined three times as many answerable questions on fresh
batches as it promised.) That is the wording model alone; the engine asks it only
about questions that passed its other checks.
"""

from __future__ import annotations

import argparse
import bisect
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.tokenize import normalize
from service.query import prepare
from service.scope_model import FORMAT, MODEL_FILE, ScopeModel, char_ngrams, weigh

log = logging.getLogger(__name__)

EVAL_DIR = Path(__file__).resolve().parent
SIZES = (2, 3)
# Inverse regularization and n-gram sizes: 10 and 2-3 caught the most near-misses per
# flagged answerable question in validation among 3/10/30 and 1-3/2-3/2-4.
C = 10.0
# Share of answerable questions the wording model alone may flag in validation.
MAX_FALSE = 0.005
MIN_DF = 2
# First id number of each batch of calibration questions (eval/README.md).
_CALIBRATION_BATCHES = (
    *(1, 81, 311, 431, 581, 641, 761, 881),
    *(1000, 1100, 1200, 1350, 1500, 1650, 1800),
)
# The batches in the order they were written (sessions 1 to 5).
WRITING_ORDER = (
    "gold-1",
    "cal-1",
    "cal-81",
    "cal-311",
    "gold-2",
    *(f"cal-{first}" for first in _CALIBRATION_BATCHES[3:]),
)
# Forward validation scores the batches from this position on.
FIRST_VALIDATED = 4


@dataclass(frozen=True)
class Example:
    """One labelled tuning question, as the engine will see its text."""

    id: str
    text: str
    out_of_scope: bool
    batch: str


def batch_of(question_id: str) -> str:
    """The writing round a question comes from: ``gold-1``/``gold-2`` or ``cal-<first id>``.

    >>> batch_of("q300"), batch_of("c090"), batch_of("c1105")
    ('gold-2', 'cal-81', 'cal-1100')
    """
    number = int(question_id[1:])
    if question_id.startswith("q"):
        return "gold-1" if number <= 278 else "gold-2"
    first = _CALIBRATION_BATCHES[bisect.bisect_right(_CALIBRATION_BATCHES, number) - 1]
    return f"cal-{first}"


def load_examples(eval_dir: Path = EVAL_DIR) -> list[Example]:
    """Every calibration question and the dev half of the gold set (never the test half)."""
    records = []
    for name in ("calibration.jsonl", "gold.jsonl"):
        with (eval_dir / name).open(encoding="utf-8") as lines:
            records += [json.loads(line) for line in lines if line.strip()]
    return [
        Example(
            id=r["id"],
            text=normalize(prepare(r["question"], r.get("history", [])).text),
            out_of_scope=r["type"] == "out_of_scope",
            batch=batch_of(r["id"]),
        )
        for r in records
        if r.get("split") == "dev"
    ]


def fit(examples: Sequence[Example], threshold: float = 0.5) -> ScopeModel:
    """A logistic regression over tf-idf character n-grams of ``examples``."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    grams = [char_ngrams(e.text, SIZES) for e in examples]
    df: dict[str, int] = {}
    for counts in grams:
        for g in counts:
            df[g] = df.get(g, 0) + 1
    n = len(examples)
    # Smoothed idf, as the usual tf-idf: log((1 + n) / (1 + df)) + 1.
    idf = {g: float(np.log((1 + n) / (1 + c)) + 1) for g, c in sorted(df.items()) if c >= MIN_DF}
    column = {g: i for i, g in enumerate(idf)}
    rows, cols, vals = [], [], []
    for r, counts in enumerate(grams):
        for g, w in weigh(counts, idf).items():
            rows.append(r)
            cols.append(column[g])
            vals.append(w)
    matrix = csr_matrix((vals, (rows, cols)), shape=(n, len(idf)))
    labels = np.array([e.out_of_scope for e in examples])
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
    model.fit(matrix, labels)
    coef = {g: float(model.coef_[0][i]) for g, i in column.items()}
    return ScopeModel(idf, coef, float(model.intercept_[0]), threshold, SIZES)


def forward_validate(examples: Sequence[Example]) -> dict[str, float]:
    """Scores of the questions of each later batch from a model trained on the batches before it."""
    unknown = {e.batch for e in examples} - set(WRITING_ORDER)
    if unknown:
        raise ValueError(f"batches missing from WRITING_ORDER: {sorted(unknown)}")
    scores: dict[str, float] = {}
    for k in range(FIRST_VALIDATED, len(WRITING_ORDER)):
        earlier = set(WRITING_ORDER[:k])
        model = fit([e for e in examples if e.batch in earlier])
        for e in examples:
            if e.batch == WRITING_ORDER[k]:
                scores[e.id] = model.probability(e.text)
    return scores


def choose_threshold(scores: Sequence[float], labels: Sequence[bool], max_false: float) -> float:
    """The lowest score that at most ``max_false`` of the answerable questions reach.

    >>> choose_threshold([0.1, 0.2, 0.9, 0.95], [False, False, True, True], 0.0)
    0.2001
    """
    answerable = sorted((s for s, bad in zip(scores, labels, strict=True) if not bad), reverse=True)
    allowed = int(max_false * len(answerable))
    return round(answerable[allowed] + 1e-4, 4) if answerable else 0.5


def write_model(model: ScopeModel, path: Path, summary: dict[str, object]) -> None:
    """Write the model as JSON, atomically (temp file + rename)."""
    data = {
        "format": FORMAT,
        "sizes": list(model.sizes),
        "intercept": round(model.intercept, 6),
        "threshold": model.threshold,
        "trained_on": summary,
        "features": {g: [round(model.idf[g], 4), round(model.coef[g], 4)] for g in model.idf},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".scope_model.", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
        out.write("\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def train(eval_dir: Path = EVAL_DIR) -> tuple[ScopeModel, dict[str, object]]:
    """Validate forward, choose the threshold, and fit on every tuning question."""
    examples = load_examples(eval_dir)
    scores = forward_validate(examples)
    validated = [e for e in examples if e.id in scores]
    labels = [e.out_of_scope for e in validated]
    threshold = choose_threshold([scores[e.id] for e in validated], labels, MAX_FALSE)
    pairs = [(scores[e.id] >= threshold, e.out_of_scope) for e in validated]
    n_out = sum(labels)
    summary: dict[str, object] = {
        "questions": len(examples),
        "out_of_scope": sum(e.out_of_scope for e in examples),
        "batches": len({e.batch for e in examples}),
        "validated_questions": len(validated),
        "validated_out_of_scope_flagged": round(sum(f and b for f, b in pairs) / n_out, 3),
        "validated_answerable_flagged": round(
            sum(f and not b for f, b in pairs) / (len(labels) - n_out), 4
        ),
    }
    model = fit(examples, threshold)
    return model, summary


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="validate only, write nothing")
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="where to write the model")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    model, summary = train()
    log.info("threshold %.4f; %s", model.threshold, summary)
    if not args.check:
        write_model(model, args.out, summary)
        log.info("wrote %s (%d n-grams)", args.out, len(model.idf))


if __name__ == "__main__":
    main()
