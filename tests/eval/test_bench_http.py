"""The HTTP benchmark runs a real `policyqa serve`; it reports figures and asserts none
about speed: only the shape of the report and that no request failed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from eval.bench_http import HttpBenchResult, http_bench_text
from eval.serve_process import process_tree, tree_rss_mb
from service.cli import cli

QUESTIONS = ["铁路项目由谁牵头？", "主要任务一共多少项？", "今天天气怎么样？"]


@pytest.mark.slow
def test_bench_http_runs_a_small_load_without_errors(real_index: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        "".join(
            f'{{"id": "q{n}", "question": "{q}", "gold": []}}\n' for n, q in enumerate(QUESTIONS)
        ),
        encoding="utf-8",
    )
    args = ["bench", "--http", "--index", str(real_index), "--set", str(gold)]
    args += ["--workers", "1", "--clients", "4", "--duration", "2", "--rounds", "2"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(n for n, line in enumerate(lines) if line.split()[:2] == ["workers", "clients"])
    one, many = (line.split() for line in lines[header + 1 : header + 3])
    # workers clients requests errors req/s p50 p95 max RSS
    assert one[:4] == ["1", "1", str(2 * len(QUESTIONS)), "0"]
    assert many[:2] == ["1", "4"] and int(many[2]) > 0 and many[3] == "0"
    assert float(many[4]) > 0 and float(many[5]) > 0 and float(one[8]) > 0
    assert f"{len(QUESTIONS)} questions" in result.output
    for target in ("target p50 <= 15 ms", "target >= 100 req/s", "target RSS <= 350 MB"):
        assert target in result.output


def test_the_report_flags_a_target_that_is_not_met() -> None:
    from eval.bench_http import LoadRun

    runs = (
        LoadRun(workers=1, clients=1, requests=10, errors=0, seconds=1.0, p50_ms=20, p95_ms=30),
        LoadRun(workers=1, clients=64, requests=50, errors=2, seconds=1.0, p50_ms=9, p95_ms=99),
    )
    result = HttpBenchResult(
        questions=10,
        runs=runs,
        rss_mb={1: 400.0},
        load_before=(0.5, 0.5, 0.5),
        load_after=(1.0, 1.0, 1.0),
        cpus=2,
    )
    text = http_bench_text(result)
    assert "one client: 20.0 ms with 1 worker(s), NOT met" in text
    assert "2 errors, NOT met" in text
    assert "one worker: 400 MB, NOT met" in text


def test_memory_is_summed_over_the_process_tree() -> None:
    assert os.getpid() in process_tree(os.getpid())
    assert tree_rss_mb(os.getpid()) > 10
