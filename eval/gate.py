"""The quality gate: compare measured metrics with the floors in ``thresholds.json``.

Some metrics are only reported beside the gate (:data:`REPORTED_METRICS`) until
``thresholds.json`` gives them a bound.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from eval.metrics import GRADED_METRICS
from indexer.errors import PolicyQAError

THRESHOLDS_PATH = Path(__file__).with_name("thresholds.json")
# Measured and shown with the gate's checks, with no bound yet: the graded answers
# (answered share, graded declines of out-of-scope questions, dead ends).
REPORTED_METRICS = GRADED_METRICS


@dataclass(frozen=True)
class Thresholds:
    """Lower bounds (``floors``) and upper bounds (``ceilings``); None means unchecked."""

    floors: dict[str, float | None] = field(default_factory=dict)
    ceilings: dict[str, float | None] = field(default_factory=dict)
    set: str = "test"
    comment: str = ""


@dataclass(frozen=True)
class GateCheck:
    """One metric compared with its bound."""

    metric: str
    measured: float | None
    bound: float
    kind: str  # "floor" | "ceiling"

    @property
    def passed(self) -> bool:
        # A metric that could not be measured (e.g. no out-of-scope questions)
        # passes only a bound that demands nothing.
        if self.measured is None:
            return self.bound <= 0.0 if self.kind == "floor" else True
        if self.kind == "floor":
            return self.measured >= self.bound
        return self.measured <= self.bound

    def describe(self) -> str:
        """One line for the user, e.g. ``recall@5 = 0.812 < floor 0.850``."""
        if self.measured is None:
            return f"{self.metric} was not measured (floor {self.bound:.3f})"
        op = "<" if self.kind == "floor" else ">"
        return f"{self.metric} = {self.measured:.3f} {op} {self.kind} {self.bound:.3f}"


def load_thresholds(path: Path = THRESHOLDS_PATH) -> Thresholds:
    """Read the gate's bounds from a ``thresholds.json`` file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise PolicyQAError(
            f"threshold file {path} does not exist; create it or drop --gate"
        ) from err
    except json.JSONDecodeError as err:
        raise PolicyQAError(f"threshold file {path} is not valid JSON: {err}") from err
    return Thresholds(
        floors=dict(data.get("floors", {})),
        ceilings=dict(data.get("ceilings", {})),
        set=str(data.get("set", "test")),
        comment=str(data.get("comment", "")),
    )


def check_gate(summary: Mapping[str, float | None], thresholds: Thresholds) -> list[GateCheck]:
    """Every bounded metric compared with its bound, in the file's order."""
    checks = []
    for kind, bounds in (("floor", thresholds.floors), ("ceiling", thresholds.ceilings)):
        for metric, bound in bounds.items():
            if bound is not None:
                checks.append(GateCheck(metric, summary.get(metric), float(bound), kind))
    return checks


def reported_metrics(
    summary: Mapping[str, float | None], thresholds: Thresholds
) -> list[tuple[str, float | None]]:
    """The reported metrics that no bound checks, with their measured values."""
    bounded = {
        metric
        for bounds in (thresholds.floors, thresholds.ceilings)
        for metric, bound in bounds.items()
        if bound is not None
    }
    return [(m, summary.get(m)) for m in REPORTED_METRICS if m not in bounded]


def gate_message(checks: list[GateCheck]) -> str | None:
    """The failure message listing every metric out of bounds, or None if all pass."""
    failed = [c for c in checks if not c.passed]
    if not failed:
        return None
    lines = [f"quality gate failed: {len(failed)} metric(s) out of bounds"]
    lines += [f"  - {c.describe()}" for c in failed]
    return "\n".join(lines)
