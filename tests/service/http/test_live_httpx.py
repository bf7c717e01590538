"""httpx against the real server: /v1/ask, health, models, concurrency, bad bytes."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.service.http.conftest import QUESTION

CONTRACT = {
    "question",
    "answer",
    "abstained",
    "citations",
    "timing_ms",
    "kind",
    "reason",
    "ranking",
    "status",
    "related",
    "suggestions",
}


@pytest.fixture(scope="module")
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as client:
        yield client


def test_ask_returns_the_response_contract(http: httpx.Client) -> None:
    response = http.post("/v1/ask", json={"question": QUESTION})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == CONTRACT | {"reason_text"}
    assert body["answer"].endswith("【任务7】")
    assert body["kind"] == "lead"
    cite = body["citations"][0]
    assert cite["clause_id"] == "gd-pprd-2017/二/三/7/p2"
    assert cite["quote"] == "(省发展改革委、交通运输厅牵头，广铁集团等按职责分工负责)"
    assert cite["participants"] == ["广铁集团"]


def test_ask_follows_up_on_its_history(http: httpx.Client) -> None:
    first = http.post("/v1/ask", json={"question": "铁路方面要推进哪些项目？"}).json()
    history = ["铁路方面要推进哪些项目？", {"role": "assistant", "content": first["answer"]}]
    body = http.post("/v1/ask", json={"question": "那谁牵头？", "history": history}).json()
    assert body["kind"] == "lead"
    assert {c["task"] for c in body["citations"]} == {7}
    # the assistant turn alone carries the topic too
    only = [{"role": "assistant", "content": first["answer"]}]
    body = http.post("/v1/ask", json={"question": "那谁牵头？", "history": only}).json()
    assert {c["task"] for c in body["citations"]} == {7}


def test_health_and_readiness(http: httpx.Client) -> None:
    assert http.get("/healthz").json() == {"status": "ok"}
    ready = http.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


def test_models(http: httpx.Client) -> None:
    body = http.get("/v1/models").json()
    assert body["object"] == "list"
    (card,) = body["data"]
    assert (card["id"], card["object"], card["owned_by"]) == ("policy-qa", "model", "policy-qa")
    assert isinstance(card["created"], int)


def test_docs_and_openapi_carry_the_example(http: httpx.Client) -> None:
    assert http.get("/docs").status_code == 200
    spec = http.get("/openapi.json").json()
    assert {"/v1/ask", "/v1/chat/completions", "/v1/models", "/healthz", "/readyz"} <= set(
        spec["paths"]
    )
    examples = spec["components"]["schemas"]["AskRequest"]["examples"]
    assert examples[0] == {"question": QUESTION}


def test_concurrent_requests_get_the_answers_one_at_a_time_gets(http: httpx.Client) -> None:
    questions = [QUESTION, "第17项任务讲什么？", "港珠澳大桥收费标准是多少", "主要任务有几项"] * 4
    alone = {q: http.post("/v1/ask", json={"question": q}).json() for q in set(questions)}

    def one(question: str) -> dict:
        response = http.post("/v1/ask", json={"question": question})
        assert response.status_code == 200
        return response.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(one, questions))
    for question, body in zip(questions, together, strict=True):
        assert body["answer"] == alone[question]["answer"]
        assert body["citations"] == alone[question]["citations"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b'{"question": "\xe9\x93\x81\xff\xfe"}', 400, "invalid_encoding"),
        (b'{"question": ', 400, "invalid_json"),
        (b"", 400, "missing_body"),
    ],
    ids=["invalid-utf8", "truncated-json", "no-body"],
)
def test_bad_bytes_over_the_wire(http: httpx.Client, body: bytes, status: int, code: str) -> None:
    response = http.post("/v1/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert http.post("/v1/ask", json={"question": QUESTION}).status_code == 200
