"""Metric arithmetic on tiny hand-made runs whose right answers are known."""

from __future__ import annotations

import math
from typing import Any

import pytest

from eval.metrics import ALL_METRICS, RETRIEVAL_METRICS, GoldRow, normalize_key, percentile
from eval.responses import citation_keys, fact_hits, normalize_text
from eval.scoring import retrieval_scores, score_run


def row(rid: str, gold: list[Any], facts: list[str] = (), **kw: Any) -> GoldRow:
    return GoldRow.from_dict(
        {"id": rid, "question": f"问题{rid}", "gold": gold, "facts": facts, **kw}
    )


def cite(key: int | str) -> dict[str, Any]:
    task = key if isinstance(key, int) else None
    section = "" if task is not None else key
    return {"task": task, "section": section, "marker": f"【{key}】", "quote": "", "score": 1.0}


def resp(
    answer: str = "",
    citations: list[int | str] = (),
    ranking: list[str] = (),
    abstained: bool = False,
    total: float | None = 10.0,
    status: str | None = "",
    related: list[int | str] = (),
) -> dict[str, Any]:
    """A contract dict; ``status`` "" takes the contract's (off_topic when abstained),
    None leaves it out (a server from before statuses)."""
    data = {
        "answer": answer,
        "abstained": abstained,
        "citations": [cite(c) for c in citations],
        "ranking": list(ranking),
        "timing_ms": {} if total is None else {"retrieve": 1.0, "total": total},
        "related": [cite(c) for c in related],
    }
    if status is not None:
        data["status"] = status or ("off_topic" if abstained else "answered")
    return data


ROWS = [
    row("f1", [7], ["省发展改革委"], type="lead"),
    row("f2", ["一(三)"], ["基础设施"], type="fact"),
    row("f3", [7], ["省发展改革委"], type="followup", history=["任务7是什么？"]),
    row("e1", [12], ["港澳"], type="english", lang="en"),
    row("o1", [], [], type="out_of_scope"),
]


def test_perfect_run_scores_one_everywhere() -> None:
    responses = [
        resp("由省发展改革委牵头【任务7】", [7], ["7", "3", "4"], total=10),
        resp("加强基础设施互联互通【一(三)】", ["一(三)"], ["一(三)", "7"], total=20),
        resp("省发展改革委【任务7】", [7], ["7"], total=30),
        resp("深化与港澳合作【任务12】", [12], ["12"], total=40),
        resp("文件没有涉及这个问题。", [], [], abstained=True, total=50),
    ]
    s = score_run(ROWS, responses).summary
    for metric in ALL_METRICS:
        if metric.startswith("latency"):
            continue
        expected = 0.0 if metric in ("wrongly_declined_rate", "dead_end_rate") else 1.0
        assert s[metric] == pytest.approx(expected), metric
    assert (s["n_questions"], s["n_answerable"], s["n_out_of_scope"]) == (5, 4, 1)
    assert s["latency_p50_ms"] == 30.0


def test_everything_wrong_scores_zero() -> None:
    responses = [
        resp("无关内容【任务3】", [3], ["3", "4", "5", "6", "8", "9"]),
        resp("无关内容【任务8】", [8], []),
        resp("", [], ["3"], abstained=True),
        resp("Hong Kong and Macao【任务2】", [2], ["2"]),
        resp("任务5【任务5】", [5], ["5"]),
    ]
    result = score_run(ROWS, responses)
    s = result.summary
    for metric in (*RETRIEVAL_METRICS, "answer_accuracy", "first_citation_accuracy"):
        assert s[metric] == 0.0, metric
    for metric in ("top3_citation_hit", "citation_precision", "citation_recall", "fact_coverage"):
        assert s[metric] == 0.0, metric
    # One answerable question declined, the out-of-scope one answered.
    assert s["decline_precision"] == 0.0
    assert s["decline_recall"] == 0.0
    assert s["wrongly_declined_rate"] == pytest.approx(1 / 4)
    assert s["answered_rate"] == pytest.approx(3 / 4)
    assert s["out_of_scope_graded_rate"] == 0.0
    assert s["dead_end_rate"] == 1.0
    assert len(result.failures) == 5


def test_hit_rate_needs_one_gold_in_the_top_three_recall_needs_all() -> None:
    many = ["二(一)", "二(二)", "二(三)", "二(四)", "二(五)", "二(六)", "二(七)", "二(八)"]
    [listed, missed] = retrieval_scores([(many, many), (["7"], ["1", "2", "3", "7"])])
    assert listed["hit_rate@3"] == 1.0
    assert listed["recall@3"] == pytest.approx(3 / 8)
    assert missed["hit_rate@3"] == 0.0
    assert missed["recall@5"] == 1.0


def test_ranks_not_ties_decide_the_order() -> None:
    # ranx sorts tied scores by its own rule; ranks must give distinct scores.
    [scores] = retrieval_scores([(["3", "4"], ["9", "4", "3"])])
    assert scores["recall@1"] == 0.0
    assert scores["recall@3"] == 1.0
    assert scores["mrr@10"] == 0.5
    ideal = 1 + 1 / math.log2(3)
    assert scores["ndcg@10"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(4)) / ideal)


def test_per_query_scores_stay_with_their_query() -> None:
    # More than ten queries: ranx orders ids as text ("q10" before "q2").
    hits = {2, 10}
    items = [(["x"], ["x"] if i in hits else ["y", "x"]) for i in range(12)]
    recall = [s["recall@1"] for s in retrieval_scores(items)]
    assert recall == [1.0 if i in hits else 0.0 for i in range(12)]


def test_repeated_targets_keep_their_first_rank() -> None:
    [scores] = retrieval_scores([(["7"], ["8", "8", "8", "7"])])
    assert scores["mrr@10"] == 0.5
    assert scores["recall@1"] == 0.0


def test_empty_ranking_counts_as_zero_and_is_not_dropped() -> None:
    rows = [row("a", [7]), row("b", [8])]
    s = score_run(rows, [resp(ranking=["7"]), resp(ranking=[])]).summary
    assert s["recall@1"] == 0.5
    assert s["mrr@10"] == 0.5


def test_out_of_scope_counts_for_declines_not_for_recall() -> None:
    rows = [row("a", [7]), row("o", [])]
    # The out-of-scope answer "retrieves" nothing relevant; recall must ignore it.
    result = score_run(rows, [resp(ranking=["7"]), resp(ranking=["9"], abstained=True)])
    assert result.summary["recall@1"] == 1.0
    assert result.summary["decline_recall"] == 1.0
    oos = result.questions[1]
    assert oos.retrieval == {} and oos.citation_recall is None and oos.correct
    with pytest.raises(ValueError, match="empty gold"):
        retrieval_scores([([], ["7"])])


def test_decline_precision_and_recall_arithmetic() -> None:
    rows = [row(f"o{i}", []) for i in range(4)] + [row(f"a{i}", [i + 1]) for i in range(6)]
    declined = {"o0", "o1", "o2", "a0"}
    responses = [resp(ranking=[], abstained=r.id in declined) for r in rows]
    s = score_run(rows, responses).summary
    assert s["decline_precision"] == pytest.approx(3 / 4)
    assert s["decline_recall"] == pytest.approx(3 / 4)
    assert s["wrongly_declined_rate"] == pytest.approx(1 / 6)


def test_nothing_declined_leaves_decline_precision_undefined() -> None:
    s = score_run([row("a", [7])], [resp(citations=[7], ranking=["7"])]).summary
    assert s["decline_precision"] is None
    assert s["decline_recall"] is None
    assert s["wrongly_declined_rate"] == 0.0


def test_citation_precision_recall_and_top3() -> None:
    rows = [row("a", [7, 9])]
    q = score_run(rows, [resp(citations=[8, 7, 7], ranking=["8", "7"])]).questions[0]
    assert q.first_citation_correct is False
    assert q.top3_hit is True
    assert q.citation_precision == 0.5
    assert q.citation_recall == 0.5
    assert not q.correct


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("ＡＢＣ", "abc"),
        ("粤港澳，大湾区", "粤港澳大湾区"),
        ("广州、深圳", "广州深圳"),
        ("2017 年", "2017年"),
        ("１０亿元", "10亿元"),
        ("1,000 元", "1000元"),
        ("Pan-Pearl River", "pan-pearlriver"),
    ],
)
def test_normalize_text(raw: str, normalized: str) -> None:
    assert normalize_text(raw) == normalized


def test_fact_hits_match_across_width_and_commas() -> None:
    answer = "由省发展改革委牵头，省交通运输厅、省商务厅参与【任务７】"
    hits = fact_hits(["省发展改革委", "省交通运输厅省商务厅", "任务7", "省财政厅"], answer)
    assert hits == [True, True, True, False]


def test_english_answers_do_not_get_chinese_facts_for_free() -> None:
    rows = [row("e", [7], ["省发展改革委", "港澳"], lang="en", type="english")]
    answer = "Task 7 is led by the Provincial Development and Reform Commission."
    q = score_run(rows, [resp(answer, [7], ["7"])]).questions[0]
    assert q.fact_coverage == 0.0
    assert q.correct  # the citation is still right


def test_followup_rows_keep_history_and_score_like_others() -> None:
    r = row("f", [7], ["牵头"], type="followup", history=["任务7是什么？", "谁参与？"])
    assert r.history == ("任务7是什么？", "谁参与？")
    result = score_run([r], [resp("省发展改革委牵头【任务7】", [7], ["7"])])
    assert result.by_type["followup"]["answer_accuracy"] == 1.0
    assert result.failures == ()


def test_breakdown_groups_by_type_and_language() -> None:
    responses = [
        resp("由省发展改革委牵头", [7], ["7"], total=10),
        resp("无关", [3], ["3"], total=20),
        resp("省发展改革委", [7], ["7"], total=30),
        resp("港澳", [12], ["5", "12"], total=40),
        resp("", [], [], abstained=True, total=50),
    ]
    result = score_run(ROWS, responses)
    assert list(result.by_type) == ["english", "fact", "followup", "lead", "out_of_scope"]
    assert result.by_type["fact"]["answer_accuracy"] == 0.0
    assert result.by_type["english"]["mrr@10"] == 0.5
    assert result.by_type["out_of_scope"]["recall@1"] is None
    assert result.by_type["out_of_scope"]["decline_recall"] == 1.0
    assert list(result.by_lang) == ["en", "zh"]
    assert result.by_lang["zh"]["n_questions"] == 4
    assert result.by_lang["zh"]["answer_accuracy"] == pytest.approx(3 / 4)
    assert result.by_lang["en"]["latency_p50_ms"] == 40.0


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([10, 20, 30, 40], 50, 25.0),
        ([10, 20, 30, 40], 95, 38.5),
        ([40, 10, 30, 20], 95, 38.5),
        ([5], 95, 5.0),
        (list(range(1, 101)), 50, 50.5),
        ([], 50, None),
    ],
)
def test_percentile(values: list[float], q: float, expected: float | None) -> None:
    assert percentile(values, q) == expected


def test_latency_missing_from_response_is_skipped() -> None:
    rows = [row("a", [7]), row("b", [7])]
    s = score_run(rows, [resp(ranking=["7"], total=None), resp(ranking=["7"], total=8)]).summary
    assert s["latency_p50_ms"] == 8.0


def test_failure_tags_and_record() -> None:
    rows = [
        row("w", [7], ["牵头", "港澳"]),
        row("d", [7], ["牵头"]),
        row("n", []),
        row("ok", [7], ["牵头"]),
    ]
    responses = [
        resp("港澳合作【任务3】", [3, 7], ["3", "7", "9", "10"]),
        resp("", [], ["7"], abstained=True),
        resp("任务5【任务5】", [5], ["5"]),
        resp("省发展改革委牵头【任务7】", [7], ["7"]),
    ]
    failures = {f["id"]: f for f in score_run(rows, responses).failures}
    assert set(failures) == {"w", "d", "n"}
    # The right task is cited second: a wrong first citation, but no dead end.
    assert failures["w"]["tags"] == ["wrong_first_citation", "missing_fact:牵头"]
    assert failures["w"]["got"]["citations"] == ["3", "7"]
    assert failures["w"]["got"]["ranking_top3"] == ["3", "7", "9"]
    assert failures["w"]["expected"] == {"gold": ["7"], "facts": ["牵头", "港澳"]}
    assert failures["d"]["tags"] == ["wrongly_declined", "dead_end", "missing_fact:牵头"]
    assert failures["d"]["got"]["abstained"] is True
    assert failures["d"]["got"]["status"] == "off_topic"
    assert failures["d"]["got"]["related"] == []
    assert failures["n"]["tags"] == ["not_declined"]


def test_error_responses_fail_with_their_message() -> None:
    rows = [row("x", [7])]
    error = {"answer": "", "abstained": False, "citations": [], "error": "question too long"}
    result = score_run(rows, [error])
    assert result.failures[0]["tags"] == ["error:question too long"]
    assert result.summary["recall@1"] == 0.0


@pytest.mark.parametrize(
    ("raw", "key"),
    [(7, "7"), ("7", "7"), ("一(三)", "一(三)"), ("一（三）", "一(三)"), ("通知", "通知")],
)
def test_normalize_key(raw: int | str, key: str) -> None:
    assert normalize_key(raw) == key


def test_citation_keys_use_task_else_section_in_order() -> None:
    response = resp(citations=["一(三)", 7, "一（三）", 12])
    assert citation_keys(response) == ["一(三)", "7", "12"]


def test_score_run_refuses_unpaired_rows() -> None:
    with pytest.raises(ValueError, match="must pair"):
        score_run([row("a", [7])], [])


def test_result_to_dict_is_json_ready() -> None:
    import json

    result = score_run(ROWS[:1], [resp("省发展改革委【任务7】", [7], ["7"])], label="hybrid")
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["label"] == "hybrid"
    assert data["summary"]["recall@1"] == 1.0
    assert data["questions"][0]["retrieval"]["mrr@10"] == 1.0


# --- graded answers: status, related clauses, dead ends ---------------------------


@pytest.mark.parametrize(
    ("response", "dead_end"),
    [
        # The answer cites the right task first.
        (resp("…【任务7】", [7], ["7"]), False),
        # Declined, and the right task is shown first among the related clauses.
        (resp("文件没有写明…", [], ["7"], True, status="not_stated", related=[7, 9]), False),
        # Declined, the right task shown but not first: the asker is not led to it.
        (resp("文件没有写明…", [], ["9"], True, status="not_stated", related=[9, 7]), True),
        # Declined with suggestions only.
        (resp("文件中没有找到…", [], ["7"], True, status="off_topic"), True),
        # Answered from the wrong task first, the right one cited second: the asker sees it.
        (resp("…【任务9】…【任务7】", [9, 7], ["9", "7"]), False),
        # Answered from the wrong task only: a dead end.
        (resp("…【任务9】", [9], ["9"]), True),
        # Related clauses beside an answer count too (a close runner-up shown with it).
        (resp("…【任务9】", [9], ["9"], related=[7]), False),
    ],
)
def test_dead_end_is_no_right_citation_nor_first_related(
    response: dict[str, Any], dead_end: bool
) -> None:
    q = score_run([row("a", [7])], [response]).questions[0]
    assert q.dead_end is dead_end
    # Every other metric reads only what it read before.
    assert q.first_citation_correct is (response["citations"][:1] == [cite(7)])


def test_graded_shares_of_answerable_and_out_of_scope_questions() -> None:
    rows = [row(f"a{i}", [7]) for i in range(4)] + [row(f"o{i}", []) for i in range(4)]
    responses = [
        resp("…【任务7】", [7], ["7"]),
        resp("…【任务7】", [7], ["7"]),
        resp("…【任务7】", [7], ["7"]),
        resp("文件没有写明…", [], ["7"], True, status="not_stated", related=[7]),
        resp("文件没有写明…", [], ["7"], True, status="not_stated", related=[7]),
        resp("文件中没有找到…", [], [], True, status="off_topic"),
        resp("", [], [], True, status=None),  # declined without a status: not graded
        resp("…【任务3】", [3], ["3"]),  # answered: not declined at all
    ]
    s = score_run(rows, responses).summary
    assert s["answered_rate"] == pytest.approx(3 / 4)
    assert s["out_of_scope_graded_rate"] == pytest.approx(2 / 4)
    assert s["dead_end_rate"] == 0.0
    # The decline metrics still read abstained, as before.
    assert s["decline_recall"] == pytest.approx(3 / 4)
    assert s["wrongly_declined_rate"] == pytest.approx(1 / 4)


def test_answers_without_a_status_are_answered_unless_declined_or_failed() -> None:
    rows = [row("a", [7]), row("b", [7]), row("c", [7])]
    error = {"answer": "", "abstained": False, "citations": [], "error": "boom"}
    result = score_run(
        rows, [resp("…【任务7】", [7], ["7"], status=None), error, resp(status=None)]
    )
    assert [q.status for q in result.questions] == ["answered", None, "answered"]
    assert result.summary["answered_rate"] == pytest.approx(2 / 3)


def test_a_declined_answer_holds_no_facts() -> None:
    """A not_stated answer names the topic ("「共建现代化综合交通运输体系」中的…") and an
    off_topic one suggests questions: neither answers, so neither earns a fact."""
    rows = [row("a", [7], ["综合交通运输体系"])]
    text = "文件没有写明「共建现代化综合交通运输体系」中的金额或费用。"
    declined = resp(text, [], ["7"], True, status="not_stated", related=[7])
    q = score_run(rows, [declined]).questions[0]
    assert q.fact_coverage == 0.0
    answered = score_run(rows, [resp(text + "【任务7】", [7], ["7"])]).questions[0]
    assert answered.fact_coverage == 1.0


def test_related_keys_are_read_like_citations() -> None:
    response = resp(related=["一（三）", 7, "一(三)"])
    assert citation_keys(response, "related") == ["一(三)", "7"]
    assert citation_keys(response) == []
