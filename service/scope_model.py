"""A learned check on a question's wording: does it ask what a plan never states?

The rules of ``service.answer_type`` know the near-miss shapes they were written
for ("收费标准是多少", "主任是谁"), and each fresh batch of blind questions brought
shapes they did not know ("场地租金怎么收", "组长由哪位领导担任", "是否已经完成注册登记").
This model learns such wording from the labelled tuning questions
(``eval/calibration.jsonl`` and the dev half of ``eval/gold.jsonl``): a logistic
regression over the question's character 2- and 3-grams, tf-idf weighted. It is
trained by ``python -m eval.train_scope`` and stored as plain JSON in the corpus's
knowledge folder (``corpus/knowledge/scope_model.json``, :mod:`indexer.knowledge`),
which the build carries into the index; an engine reads it from there. Scoring a
question takes a few microseconds and needs no model runtime.

It only adds declines: ``service.abstain.judge`` asks it after the coverage and
similarity checks have let a question through. A document whose knowledge holds no
model has none (:func:`model_of` is None), and its declines follow the rules alone.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import ModelError
from indexer.knowledge import PROJECT_KNOWLEDGE, SCOPE_MODEL, Knowledge, active

# The model of the project's own corpus, where ``python -m eval.train_scope`` writes it.
MODEL_FILE = PROJECT_KNOWLEDGE / SCOPE_MODEL
FORMAT = 1
_SPACES = re.compile(r"\s+")


def char_ngrams(text: str, sizes: tuple[int, ...] = (2, 3)) -> Counter[str]:
    """The character n-grams of a normalized question (``indexer.tokenize.normalize``;
    spaces collapsed here).

    >>> sorted(char_ngrams("谁牵头?"))
    ['头?', '牵头', '牵头?', '谁牵', '谁牵头']
    """
    text = _SPACES.sub(" ", text.strip())
    return Counter(text[i : i + n] for n in sizes for i in range(len(text) - n + 1))


def weigh(grams: Counter[str], idf: Mapping[str, float]) -> dict[str, float]:
    """tf-idf weights (1 + log tf) of the known n-grams, scaled to unit length."""
    weights = {g: (1.0 + math.log(tf)) * idf[g] for g, tf in grams.items() if g in idf}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {g: w / norm for g, w in weights.items()} if norm else {}


@dataclass(frozen=True)
class ScopeModel:
    """Logistic regression weights over character n-grams, and the decline threshold."""

    idf: Mapping[str, float]
    coef: Mapping[str, float]
    intercept: float
    threshold: float
    sizes: tuple[int, ...] = (2, 3)

    def probability(self, text: str) -> float:
        """How likely the question (normalized) asks for something the document does not
        state."""
        weights = weigh(char_ngrams(text, self.sizes), self.idf)
        z = self.intercept + sum(w * self.coef.get(g, 0.0) for g, w in weights.items())
        return 1.0 / (1.0 + math.exp(-z))

    def declines(self, text: str) -> bool:
        """Whether the question's wording alone (normalized) is reason enough to decline."""
        return self.probability(text) >= self.threshold

    @classmethod
    def load(cls, path: Path | None = None) -> ScopeModel:
        """Read a model written by ``python -m eval.train_scope``; say what to run if it is bad.

        Without ``path``, the model of the active knowledge (:mod:`indexer.knowledge`).
        """
        if path is None:
            path = active().scope_model
            if path is None:
                raise ModelError(
                    "the active knowledge holds no out-of-scope model (knowledge/"
                    f"{SCOPE_MODEL}); run `python -m eval.train_scope` to write one"
                )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
            features = data["features"]
            return cls(
                idf={g: float(v[0]) for g, v in features.items()},
                coef={g: float(v[1]) for g, v in features.items() if v[1]},
                intercept=float(data["intercept"]),
                threshold=float(data["threshold"]),
                sizes=tuple(int(n) for n in data["sizes"]),
            )
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise ModelError(
                f"cannot read the out-of-scope model {path}: {exc}; "
                "run `python -m eval.train_scope` to write it again"
            ) from exc


def model_of(knowledge: Knowledge) -> ScopeModel | None:
    """The wording model a knowledge folder holds, or None when it holds none.

    Raises:
        ModelError: the model file is there but unreadable.
    """
    return None if knowledge.scope_model is None else ScopeModel.load(knowledge.scope_model)
