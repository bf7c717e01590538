"""The benchmark runs the real engine; it reports figures and asserts none about speed."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.bench import bench_text, run_bench


@pytest.mark.slow
def test_bench_tells_answers_that_embed_from_those_that_do_not(
    corpus_dir: Path, real_index: Path
) -> None:
    questions = [
        ("主要任务一共多少项？", ()),  # read off the structure: no embedding
        ("Which rivers get ecological compensation pilots?", ()),  # English always embeds
    ]
    result = run_bench(corpus_dir, questions, index_dir=real_index, rounds=2)
    assert result.build_s is None
    assert result.questions == 2 and result.rounds == 2
    assert result.skipped_embedding == pytest.approx(0.5)
    assert result.embedded_p50_ms is not None and result.embedded_p50_ms > 0
    assert result.by_kind_p50_ms.keys() == {"aggregate", "search"}
    assert result.index_bytes > 0
    # The longest history the limits keep is timed against none and against the
    # same search text lent by one short turn.
    assert result.history_p50_ms.keys() == {"none", "borrowed", "max"}
    assert result.history_shape == "6 turns x 500 chars"
    assert result.embed_threads == 1
    assert result.embed_p50_by_threads_ms.keys() == {"1 thread", "all cores"}
    text = bench_text(result)
    assert "(50% of answers; the rest need no embedding)" in text
    assert "(skipped: --index given)" in text
