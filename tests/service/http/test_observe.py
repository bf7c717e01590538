"""Operations: the JSON access log, the request id, ``/metrics``, and a graceful
shutdown of a real ``policyqa serve`` process in the middle of a streamed answer."""

from __future__ import annotations

import json
import logging
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from eval.serve_process import serving, wait_until_answering
from service.config import Settings
from service.http.main import create_app
from tests.service.http.conftest import QUESTION

ASK = "/v1/ask"
CHAT = "/v1/chat/completions"
OFF_TOPIC = "今天天气怎么样？"


@pytest.fixture
def fresh(engine) -> Iterator[TestClient]:
    """A client over a new app: its metrics start at zero."""
    app = create_app(settings=Settings(rate_limit_per_minute=0), engine=engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "policyqa.access"]


# --- the access log ---------------------------------------------------------------


def test_an_answer_logs_one_json_line_with_its_kind_and_tasks(
    fresh: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="policyqa.access")
    response = fresh.post(ASK, json={"question": QUESTION}, headers={"X-Request-ID": "req-42.a"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-42.a"
    (line,) = _access_lines(caplog)
    assert line["request_id"] == "req-42.a"
    assert (line["method"], line["path"], line["route"], line["status"]) == (
        "POST",
        ASK,
        ASK,
        200,
    )
    assert isinstance(line["latency_ms"], float) and line["latency_ms"] > 0
    assert line["bytes"] == len(response.content)
    assert line["client"] == "testclient"
    assert (line["kind"], line["abstained"], line["reason"]) == ("lead", False, None)
    assert line["tasks"] == [7]
    assert line["question_chars"] == len(QUESTION)
    assert line["ts"].endswith("Z")
    # Never the question's text, never a header.
    raw = caplog.records[-1].getMessage()
    assert QUESTION not in raw and "铁路" not in raw
    assert "authorization" not in raw.lower()


def test_a_streamed_chat_answer_and_a_decline_are_logged(
    fresh: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="policyqa.access")
    messages = [{"role": "user", "content": QUESTION}]
    with fresh.stream("POST", CHAT, json={"messages": messages, "stream": True}) as response:
        body = b"".join(response.iter_bytes())
    assert body.endswith(b"data: [DONE]\n\n")
    declined = fresh.post(ASK, json={"question": OFF_TOPIC}).json()
    assert declined["abstained"] is True
    stream, decline = _access_lines(caplog)
    assert (stream["route"], stream["status"], stream["kind"], stream["tasks"]) == (
        CHAT,
        200,
        "lead",
        [7],
    )
    assert stream["bytes"] == len(body)
    assert decline["abstained"] is True
    assert decline["kind"] == "declined"
    assert decline["reason"] == declined["reason"]
    assert decline["tasks"] == []


@pytest.mark.parametrize(
    "given",
    ["", "has space", "<script>", "x" * 129, "é"],
    ids=["empty", "space", "tag", "long", "non-ascii"],
)
def test_an_insane_request_id_is_replaced(
    fresh: TestClient, caplog: pytest.LogCaptureFixture, given: str
) -> None:
    caplog.set_level(logging.INFO, logger="policyqa.access")
    headers = {"X-Request-ID": given.encode()}
    response = fresh.get("/healthz", headers=headers)
    rid = response.headers["x-request-id"]
    assert rid != given and len(rid) == 32 and int(rid, 16) >= 0
    assert _access_lines(caplog)[-1]["request_id"] == rid


def test_requests_without_an_id_get_distinct_ones(fresh: TestClient) -> None:
    ids = {fresh.get("/healthz").headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3


def test_routes_are_logged_by_template(fresh: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="policyqa.access")
    fresh.get("/v1/models/gpt-4o")
    fresh.get("/no/such/page?token=abc")
    model, unknown = _access_lines(caplog)
    assert (model["route"], model["path"], model["status"]) == (
        "/v1/models/{model_id}",
        "/v1/models/gpt-4o",
        404,
    )
    assert (unknown["route"], unknown["path"], unknown["status"]) == (
        "unmatched",
        "/no/such/page",
        404,
    )
    assert "token" not in json.dumps(unknown)


# --- /metrics ---------------------------------------------------------------------


def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_count_requests_latency_and_declines(fresh: TestClient) -> None:
    assert fresh.post(ASK, json={"question": QUESTION}).status_code == 200
    declined = fresh.post(ASK, json={"question": OFF_TOPIC}).json()
    assert fresh.post(ASK, json={"question": ""}).status_code == 422
    samples = _samples(fresh)
    ask_200 = (("method", "POST"), ("route", ASK), ("status", "200"))
    ask_422 = (("method", "POST"), ("route", ASK), ("status", "422"))
    assert samples[("policyqa_http_requests_total", ask_200)] == 2
    assert samples[("policyqa_http_requests_total", ask_422)] == 1
    assert samples[("policyqa_http_request_duration_seconds_count", (("route", ASK),))] == 3
    assert samples[("policyqa_http_request_duration_seconds_sum", (("route", ASK),))] > 0
    reason = declined["reason"]
    assert reason
    assert samples[("policyqa_declines_total", (("reason", reason),))] == 1
    assert samples[("policyqa_answers_total", (("kind", "lead"),))] == 1
    assert samples[("policyqa_answers_total", (("kind", "declined"),))] == 1
    # The scrape itself is the one request in flight.
    assert samples[("policyqa_http_requests_in_flight", ())] == 1
    assert samples[("process_resident_memory_bytes", ())] > 0
    # The scrape is counted by the next one.
    again = _samples(fresh)
    metrics_200 = (("method", "GET"), ("route", "/metrics"), ("status", "200"))
    assert again[("policyqa_http_requests_total", metrics_200)] == 1


def test_refused_requests_are_counted_by_route(engine) -> None:
    app = create_app(settings=Settings(api_keys="k-0123456789"), engine=engine)
    with TestClient(app) as client:
        assert client.post(ASK, json={"question": QUESTION}).status_code == 401
        assert client.get("/v1/models/any-name").status_code == 401
        samples = _samples(client)
    refused = (("method", "POST"), ("route", ASK), ("status", "401"))
    assert samples[("policyqa_http_requests_total", refused)] == 1
    model = (("method", "GET"), ("route", "/v1/models/{model_id}"), ("status", "401"))
    assert samples[("policyqa_http_requests_total", model)] == 1


def test_apps_keep_separate_registries(engine) -> None:
    first = create_app(settings=Settings(), engine=engine)
    second = create_app(settings=Settings(), engine=engine)
    assert first.state.metrics.registry is not second.state.metrics.registry


# --- a real server: access lines on stderr and a graceful shutdown ------------------


@pytest.mark.slow
def test_sigterm_lets_an_in_flight_stream_finish(real_index: Path, tmp_path: Path) -> None:
    env = {"POLICYQA_GRACEFUL_SHUTDOWN_S": "10"}
    with (tmp_path / "serve.log").open("w+b") as log:
        with serving(real_index, 1, log, env=env) as (process, base):
            wait_until_answering(process, base, 1)
            # 67 pieces paced 10 ms apart: the stream runs well past the signal.
            messages = [{"role": "user", "content": "主要任务一共多少项？"}]
            payload = {"messages": messages, "stream": True}
            events: list[str] = []
            with httpx.stream("POST", f"{base}{CHAT}", json=payload, timeout=30) as response:
                assert response.status_code == 200
                lines = (line for line in response.iter_lines() if line)
                events.append(next(lines))
                process.send_signal(signal.SIGTERM)
                signalled = time.monotonic()
                events.extend(lines)
            streamed_s = time.monotonic() - signalled
            returncode = process.wait(timeout=30)
        log.seek(0)
        out = log.read().decode()
    assert streamed_s > 0.3, "the stream should still have been running after the signal"
    assert events[-1] == "data: [DONE]"
    finish = [json.loads(e.removeprefix("data: ")) for e in events[:-1]]
    assert [c["choices"][0]["finish_reason"] for c in finish if c["choices"]][-1] == "stop"
    assert returncode in (0, -signal.SIGTERM), out
    assert "Waiting for connections to close" in out  # uvicorn held the shutdown for it
    # One JSON access line per request, and none of uvicorn's own.
    access = [json.loads(x) for x in out.splitlines() if x.startswith('{"ts"')]
    chat = [a for a in access if a["route"] == CHAT]
    assert len(chat) == 1
    assert chat[0]["status"] == 200 and chat[0]["kind"] == "aggregate"
    assert chat[0]["latency_ms"] >= streamed_s * 1000 * 0.9
    assert f'"POST {CHAT} HTTP/1.1" 200' not in out
