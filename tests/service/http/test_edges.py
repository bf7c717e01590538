"""Bad input through FastAPI's TestClient: each a clear JSON error with the right
status (the OpenAI error shape under /v1), never a 500, and the app keeps answering."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.http.conftest import QUESTION

JSON = {"content-type": "application/json"}
TOO_LONG = "铁路" * 1001  # 2002 characters, past POLICYQA_MAX_QUESTION_CHARS' 2000
USER = {"role": "user", "content": QUESTION}

ASK = "/v1/ask"
CHAT = "/v1/chat/completions"

# method, path, body (JSON-able, or raw bytes), status, param, code, words in the message
CASES = [
    pytest.param(
        "POST",
        ASK,
        {"question": ""},
        422,
        "question",
        "bad_question",
        "empty",
        id="ask-empty-question",
    ),
    pytest.param(
        "POST",
        ASK,
        {"question": " \n\t "},
        422,
        "question",
        "bad_question",
        "empty",
        id="ask-blank-question",
    ),
    pytest.param(
        "POST",
        ASK,
        {"question": TOO_LONG},
        422,
        "question",
        "bad_question",
        "2000",
        id="ask-too-long",
    ),
    pytest.param(
        "POST",
        ASK,
        {"question": 7},
        400,
        "question",
        "invalid_value",
        "valid string",
        id="ask-question-number",
    ),
    pytest.param(
        "POST",
        ASK,
        {"question": None},
        400,
        "question",
        "invalid_value",
        "valid string",
        id="ask-question-null",
    ),
    pytest.param(
        "POST",
        ASK,
        {"history": []},
        400,
        "question",
        "invalid_value",
        "Field required",
        id="ask-missing-question",
    ),
    pytest.param(
        "POST",
        ASK,
        {"question": QUESTION, "history": "铁路"},
        400,
        "history",
        "invalid_value",
        "valid list",
        id="ask-history-not-list",
    ),
    pytest.param(
        "POST",
        ASK,
        {"question": QUESTION, "history": [3]},
        400,
        "history.0",
        "invalid_value",
        "history.0",
        id="ask-history-bad-item",
    ),
    pytest.param(
        "POST",
        ASK,
        {"question": QUESTION, "history": [{"role": "system", "content": "x"}]},
        400,
        "history.0",
        "invalid_value",
        "history.0.role: Input should be 'user' or 'assistant'",
        id="ask-history-bad-role",
    ),
    pytest.param(
        "POST",
        ASK,
        b'{"question": "\\ud800\\u94c1\\u8def"}',
        400,
        "question",
        "invalid_value",
        "surrogate",
        id="ask-lone-surrogate",
    ),
    pytest.param(
        "POST",
        ASK,
        b'{"question": "x",}',
        400,
        None,
        "invalid_json",
        "not valid JSON",
        id="ask-invalid-json",
    ),
    pytest.param(
        "POST",
        ASK,
        '{"question": "铁路"}'.encode("gbk"),
        400,
        None,
        "invalid_encoding",
        "UTF-8",
        id="ask-invalid-utf8",
    ),
    pytest.param(
        "POST", ASK, [QUESTION], 400, None, "invalid_body", "JSON object", id="ask-json-array"
    ),
    pytest.param("POST", ASK, b"", 400, None, "missing_body", "missing", id="ask-no-body"),
    pytest.param(
        "GET", ASK, None, 405, None, "method_not_allowed", "use POST", id="ask-wrong-method"
    ),
    pytest.param(
        "POST",
        CHAT,
        {"messages": []},
        400,
        "messages",
        "empty_messages",
        "empty",
        id="chat-empty-messages",
    ),
    pytest.param(
        "POST",
        CHAT,
        {"model": "x"},
        400,
        "messages",
        "invalid_value",
        "Field required",
        id="chat-no-messages",
    ),
    pytest.param(
        "POST",
        CHAT,
        {"messages": [USER, {"role": "assistant", "content": "好"}]},
        400,
        "messages",
        "last_message_not_user",
        "from the user",
        id="chat-last-assistant",
    ),
    pytest.param(
        "POST",
        CHAT,
        {"messages": [{"role": "system", "content": "hi"}]},
        400,
        "messages",
        "last_message_not_user",
        "system",
        id="chat-last-system",
    ),
    pytest.param(
        "POST",
        CHAT,
        {"messages": [{"role": "robot", "content": "x"}]},
        400,
        "messages.0.role",
        "invalid_value",
        "'user'",
        id="chat-unknown-role",
    ),
    pytest.param(
        "POST",
        CHAT,
        {"messages": [{"role": "user", "content": 5}]},
        400,
        "messages.0.content",
        "invalid_value",
        "messages.0.content",
        id="chat-content-number",
    ),
    pytest.param(
        "POST",
        CHAT,
        {"messages": "hi"},
        400,
        "messages",
        "invalid_value",
        "valid list",
        id="chat-messages-not-list",
    ),
    pytest.param(
        "POST",
        CHAT,
        {"messages": [{"role": "user", "content": ""}]},
        422,
        "messages",
        "bad_question",
        "empty",
        id="chat-empty-question",
    ),
    pytest.param(
        "POST",
        CHAT,
        {
            "messages": [
                {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}
            ]
        },
        422,
        "messages",
        "bad_question",
        "empty",
        id="chat-only-image-part",
    ),
    pytest.param(
        "POST",
        CHAT,
        b"{messages: []}",
        400,
        None,
        "invalid_json",
        "not valid JSON",
        id="chat-invalid-json",
    ),
    pytest.param(
        "POST",
        CHAT,
        b'{"messages": [{"role": "user", "content": "\xc3\x28"}]}',
        400,
        None,
        "invalid_encoding",
        "UTF-8",
        id="chat-invalid-utf8",
    ),
    pytest.param(
        "GET", CHAT, None, 405, None, "method_not_allowed", "POST", id="chat-wrong-method"
    ),
    pytest.param(
        "POST", "/v1/models", {}, 405, None, "method_not_allowed", "GET", id="models-wrong-method"
    ),
    pytest.param(
        "GET",
        "/v1/nothing-here",
        None,
        404,
        None,
        "unknown_url",
        "/v1/nothing-here",
        id="unknown-v1-route",
    ),
    pytest.param(
        "POST",
        "/v1/completions",
        {"prompt": "x"},
        404,
        None,
        "unknown_url",
        "POST /v1/completions",
        id="unknown-v1-post",
    ),
    pytest.param(
        "GET",
        "/v1/models/gpt-4o",
        None,
        404,
        "model",
        "model_not_found",
        "gpt-4o",
        id="unknown-model",
    ),
]


def _send(client: TestClient, method: str, path: str, body: Any) -> Any:
    if body is None:
        return client.request(method, path)
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.request(method, path, content=content, headers=JSON)


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "param", "code", "words"),
    CASES,
)
def test_bad_input_gets_an_openai_error(
    client: TestClient,
    method: str,
    path: str,
    body: Any,
    status: int,
    param: str | None,
    code: str | None,
    words: str,
) -> None:
    response = _send(client, method, path, body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert (error["param"], error["code"]) == (param, code)
    assert words in error["message"]
    # the app keeps answering
    after = client.post("/v1/ask", json={"question": QUESTION})
    assert after.status_code == 200
    assert after.json()["citations"][0]["task"] == 7


def test_wrong_method_names_the_allowed_one(client: TestClient) -> None:
    response = client.get("/v1/chat/completions")
    assert response.headers["allow"] == "POST"


def test_outside_v1_errors_keep_fastapis_shape(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})
    assert client.post("/healthz").status_code == 405


def test_unknown_fields_are_ignored(client: TestClient) -> None:
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": QUESTION, "name": "staff", "x": 1}],
        "temperature": 0.2,
        "top_p": 0.9,
        "max_tokens": 50,
        "n": 1,
        "stop": ["\n"],
        "user": "u1",
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
        "response_format": {"type": "text"},
        "something_new": {"nested": True},
    }
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 200
    assert response.json()["model"] == "gpt-4o-mini"
    assert "【任务7】" in response.json()["choices"][0]["message"]["content"]
    ask = client.post("/v1/ask", json={"question": QUESTION, "top_k": 3, "lang": "zh"})
    assert ask.status_code == 200


def test_content_parts_are_joined_and_other_roles_skipped(client: TestClient) -> None:
    body = {
        "messages": [
            {"role": "developer", "content": "Be brief."},
            {"role": "tool", "content": "{}", "tool_call_id": "t1"},
            {"role": "assistant", "content": None, "tool_calls": []},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "铁路项目"},
                    {"type": "text", "text": "由谁牵头？"},
                ],
            },
        ]
    }
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 200
    assert response.json()["policy_qa"]["question"] == QUESTION


def test_a_body_without_content_type_is_read_as_json(client: TestClient) -> None:
    response = client.post("/v1/ask", content=json.dumps({"question": QUESTION}).encode())
    assert response.status_code == 200


def test_a_form_encoded_body_is_told_to_send_json(client: TestClient) -> None:
    response = client.post("/v1/ask", data={"question": QUESTION})
    assert response.status_code == 400
    assert "Content-Type: application/json" in response.json()["error"]["message"]


def test_streamed_events_are_server_sent_events(client: TestClient) -> None:
    body = {"messages": [{"role": "user", "content": QUESTION}], "stream": True}
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = response.read().decode()
    events = raw.split("\n\n")
    assert events[-1] == ""
    assert events[-2] == "data: [DONE]"
    chunks = [json.loads(e.removeprefix("data: ")) for e in events[:-2]]
    assert all(e.startswith("data: ") for e in events[:-1])
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text.endswith("来源：【任务7】共建现代化综合交通运输体系")
    # markers travel whole, so a page can render them as they arrive
    assert "【任务7】" in [c["choices"][0]["delta"].get("content") for c in chunks]
    assert "usage" not in chunks[-1]
