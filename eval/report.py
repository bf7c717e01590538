"""Present an :class:`EvalResult`: a compact text table, a markdown report and PNG charts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from eval.gate import Thresholds, check_gate, reported_metrics
from eval.metrics import ALL_METRICS, EvalResult, Summary

SUMMARY_COLUMNS = (
    "recall@1",
    "hit_rate@3",
    "recall@5",
    "mrr@10",
    "ndcg@10",
    "answer_accuracy",
    "first_citation_accuracy",
    "citation_precision",
    "fact_coverage",
    "decline_recall",
    "wrongly_declined_rate",
    "dead_end_rate",
    "latency_p50_ms",
)
BREAKDOWN_COLUMNS = (
    "n_questions",
    "hit_rate@3",
    "recall@5",
    "mrr@10",
    "answer_accuracy",
    "first_citation_accuracy",
    "fact_coverage",
    "decline_recall",
    "wrongly_declined_rate",
    "answered_rate",
    "out_of_scope_graded_rate",
    "dead_end_rate",
    "latency_p50_ms",
)
_SHORT = {
    "n_questions": "n",
    "hit_rate@3": "hit@3",
    "answer_accuracy": "acc",
    "first_citation_accuracy": "cite@1",
    "top3_citation_hit": "cite@3",
    "citation_precision": "cite_P",
    "citation_recall": "cite_R",
    "fact_coverage": "facts",
    "decline_precision": "decl_P",
    "decline_recall": "decl_R",
    "wrongly_declined_rate": "wrong_decl",
    "answered_rate": "answered",
    "out_of_scope_graded_rate": "oos_graded",
    "dead_end_rate": "dead_end",
    "latency_p50_ms": "p50_ms",
    "latency_p95_ms": "p95_ms",
}


def fmt(metric: str, value: float | None) -> str:
    """A metric value for tables: counts as ints, latencies in ms, rates to 3 places."""
    if value is None:
        return "—"
    if metric.startswith("n_"):
        return str(int(value))
    if metric.endswith("_ms"):
        return f"{value:.1f}"
    return f"{value:.3f}"


def _text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def _counts(s: Summary) -> str:
    return (
        f"{fmt('n_', s['n_questions'])} questions ({fmt('n_', s['n_answerable'])} answerable, "
        f"{fmt('n_', s['n_out_of_scope'])} out of scope)"
    )


def summary_text(result: EvalResult) -> str:
    """The compact stdout table: overall metrics, then the comparison when present."""
    s = result.summary
    head = f"{result.label or 'eval'}: {_counts(s)}"
    rows = [[m, fmt(m, s.get(m))] for m in ALL_METRICS]
    parts = [head, _text_table(["metric", "value"], rows)]
    if result.comparison:
        parts += ["", comparison_text(result.comparison)]
    return "\n".join(parts)


def comparison_text(table: Mapping[str, Summary]) -> str:
    """The configuration comparison as an aligned text table."""
    header = ["configuration", *(_SHORT.get(m, m) for m in SUMMARY_COLUMNS)]
    rows = [[label, *(fmt(m, s.get(m)) for m in SUMMARY_COLUMNS)] for label, s in table.items()]
    return _text_table(header, rows)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return [*lines, ""]


def _breakdown_md(title: str, groups: Mapping[str, Summary]) -> list[str]:
    header = [title, *(_SHORT.get(m, m) for m in BREAKDOWN_COLUMNS)]
    rows = [[g, *(fmt(m, s.get(m)) for m in BREAKDOWN_COLUMNS)] for g, s in groups.items()]
    return _md_table(header, rows)


def _failure_md(f: Mapping) -> list[str]:
    got, expected = f["got"], f["expected"]
    answer = " ".join(str(got["answer"]).split())
    answer = answer[:200] + ("…" if len(answer) > 200 else "")
    history = f" (after: {' / '.join(f['history'])})" if f["history"] else ""
    return [
        f"- **{f['id']}** [{f['type']}/{f['lang']}] `{', '.join(f['tags'])}`",
        f"  - Q: {f['question']}{history}",
        f"  - expected: gold {expected['gold']}, facts {expected['facts']}",
        f"  - got: citations {got['citations']}, ranking top-3 {got['ranking_top3']}, "
        f"abstained={got['abstained']}, status={got.get('status')}, "
        f"related {got.get('related', [])}",
        f"  - answer: {answer or '(empty)'}",
    ]


def markdown_report(
    result: EvalResult, thresholds: Thresholds | None = None, charts: Sequence[Path] = ()
) -> str:
    """The full markdown report; ``charts`` are linked by file name."""
    s = result.summary
    lines = [
        f"# Evaluation report{': ' + result.label if result.label else ''}",
        "",
        _counts(s) + ".",
        "",
        "## Summary",
        "",
        *_md_table(["metric", "value"], [[m, fmt(m, s.get(m))] for m in ALL_METRICS]),
    ]
    if thresholds is not None:
        checks = check_gate(s, thresholds)
        rows = [
            [c.metric, f"{c.kind} {c.bound:.3f}", fmt(c.metric, c.measured), _verdict(c.passed)]
            for c in checks
        ]
        rows += [
            [metric, "reported", fmt(metric, value), "—"]
            for metric, value in reported_metrics(s, thresholds)
        ]
        lines += ["## Targets", "", f"Set on the {thresholds.set} split. {thresholds.comment}", ""]
        lines += _md_table(["metric", "target", "measured", "result"], rows)
    lines += ["## By question type", "", *_breakdown_md("type", result.by_type)]
    lines += ["## By language", "", *_breakdown_md("lang", result.by_lang)]
    if result.comparison:
        header = ["configuration", *(_SHORT.get(m, m) for m in SUMMARY_COLUMNS)]
        rows = [
            [k, *(fmt(m, v.get(m)) for m in SUMMARY_COLUMNS)] for k, v in result.comparison.items()
        ]
        lines += ["## Configuration comparison", "", *_md_table(header, rows)]
    if charts:
        lines += ["## Charts", "", *(f"![{p.stem}]({p.name})" for p in charts), ""]
    lines += [f"## Failures ({len(result.failures)})", ""]
    for failure in result.failures:
        lines += _failure_md(failure)
    return "\n".join(lines).rstrip() + "\n"


def _verdict(passed: bool) -> str:
    return "pass" if passed else "**FAIL**"


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else value


def write_charts(result: EvalResult, stem: Path) -> list[Path]:
    """Accuracy-by-type bar chart and latency histogram as ``<stem>_*.png``."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in CI
    import matplotlib.pyplot as plt

    paths = [stem.with_name(f"{stem.name}_accuracy_by_type.png")]
    types = list(result.by_type)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(types) + 2), 4))
    width = 0.4
    for offset, metric in ((-width / 2, "answer_accuracy"), (width / 2, "fact_coverage")):
        # NaN draws no bar: "not applicable" must not look like a score of 0.
        values = [_or_nan(result.by_type[t].get(metric)) for t in types]
        xs = [i + offset for i in range(len(types))]
        ax.bar(xs, values, width, label=metric)
    labels = [f"{t}\n(n={fmt('n_', result.by_type[t]['n_questions'])})" for t in types]
    ax.set_xticks(range(len(types)), labels, fontsize=8)
    ax.set_ylim(0, 1.2)
    ax.set_ylabel("share")
    ax.set_title("Accuracy by question type")
    ax.legend(fontsize=8, loc="upper center", ncol=2)
    fig.tight_layout()
    fig.savefig(paths[0], dpi=100)
    plt.close(fig)

    paths.append(stem.with_name(f"{stem.name}_latency.png"))
    latencies = [q.latency_ms for q in result.questions if q.latency_ms is not None]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist(latencies or [0.0], bins=min(30, max(5, len(latencies) // 3)), color="tab:blue")
    for metric, style in (("latency_p50_ms", "--"), ("latency_p95_ms", ":")):
        value = result.summary.get(metric)
        if value is not None:
            ax.axvline(value, color="black", linestyle=style, label=f"{metric} = {value:.1f}")
    ax.set_xlabel("total latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency")
    if latencies:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(paths[1], dpi=100)
    plt.close(fig)
    return paths


def write_report(
    result: EvalResult, out_md: Path, thresholds: Thresholds | None = None
) -> list[Path]:
    """Write the markdown report and its charts next to it; returns every path written."""
    out_md.parent.mkdir(parents=True, exist_ok=True)
    charts = write_charts(result, out_md.with_suffix(""))
    out_md.write_text(markdown_report(result, thresholds, charts), encoding="utf-8")
    return [out_md, *charts]
