"""Protection: API keys, the body limit, rate limits and CORS, through FastAPI's
TestClient and, where the network matters (chunked uploads, the ``openai`` client),
a real uvicorn server."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import openai
import pytest
import uvicorn
from fastapi.testclient import TestClient

from service.config import Settings
from service.http.main import create_app
from service.http.protect import TokenBuckets
from tests.service.http.conftest import QUESTION

KEYS = "key-one-0123456789,key-two-abcdefghij"
RIGHT = "key-two-abcdefghij"
WRONG = "key-three-guessed"
ASK = "/v1/ask"


def _client(engine, **settings: object) -> TestClient:
    app = create_app(settings=Settings(**settings), engine=engine)
    return TestClient(app, raise_server_exceptions=False)


@contextmanager
def _serving(app) -> Iterator[str]:
    """A real uvicorn server over ``app`` on a free port; its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-protect", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _error(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]


# --- API keys -----------------------------------------------------------------


@pytest.fixture(scope="module")
def keyed(engine) -> Iterator[TestClient]:
    with _client(engine, api_keys=KEYS, rate_limit_per_minute=0) as client:
        yield client


def test_a_missing_key_gets_401_in_the_openai_shape(keyed: TestClient) -> None:
    response = keyed.post(ASK, json={"question": QUESTION})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    error = _error(response)
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "invalid_api_key"
    assert "Authorization: Bearer" in str(error["message"])


@pytest.mark.parametrize(
    "header",
    [f"Bearer {WRONG}", f"Basic {RIGHT}", "Bearer", f"Bearer {RIGHT}x", RIGHT],
    ids=["wrong-key", "basic-scheme", "no-token", "key-plus-one", "no-scheme"],
)
def test_a_wrong_key_gets_401_and_is_never_echoed(keyed: TestClient, header: str) -> None:
    response = keyed.post(ASK, json={"question": QUESTION}, headers={"Authorization": header})
    assert response.status_code == 401
    assert _error(response)["code"] == "invalid_api_key"
    assert WRONG not in response.text and RIGHT not in response.text


def test_the_right_key_answers_and_no_log_holds_a_key(
    keyed: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for key in (RIGHT, "key-one-0123456789"):
        response = keyed.post(
            ASK, json={"question": QUESTION}, headers={"Authorization": f"bearer {key}"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["citations"][0]["task"] == 7
    keyed.post(ASK, json={"question": QUESTION}, headers={"Authorization": f"Bearer {WRONG}"})
    access = [r for r in caplog.records if r.name == "policyqa.access"]
    assert len(access) == 3
    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    for secret in (RIGHT, "key-one-0123456789", WRONG, "Bearer", "bearer"):
        assert secret not in logged


@pytest.mark.parametrize("path", ["/", "/static/app.js", "/healthz", "/readyz", "/metrics"])
def test_the_page_probes_and_metrics_need_no_key(keyed: TestClient, path: str) -> None:
    assert keyed.get(path).status_code == 200


def test_every_v1_route_needs_the_key(keyed: TestClient) -> None:
    for path in ("/v1/models", "/v1/models/policy-qa", "/v1/nothing-here"):
        assert keyed.get(path).status_code == 401, path
    assert keyed.get("/v1/models", headers={"Authorization": f"Bearer {RIGHT}"}).status_code == 200


def test_no_keys_configured_means_no_key_needed(client: TestClient) -> None:
    response = client.post(ASK, json={"question": QUESTION}, headers={"Authorization": "Bearer x"})
    assert response.status_code == 200


def test_the_openai_client_with_a_wrong_key_gets_401(engine) -> None:
    app = create_app(settings=Settings(api_keys=KEYS), engine=engine)
    with _serving(app) as base:
        wrong = openai.OpenAI(base_url=f"{base}/v1", api_key=WRONG, max_retries=0)
        with pytest.raises(openai.AuthenticationError) as raised:
            wrong.chat.completions.create(
                model="policy-qa", messages=[{"role": "user", "content": QUESTION}]
            )
        assert raised.value.status_code == 401
        assert raised.value.code == "invalid_api_key"
        right = openai.OpenAI(base_url=f"{base}/v1", api_key=RIGHT, max_retries=0)
        reply = right.chat.completions.create(
            model="policy-qa", messages=[{"role": "user", "content": QUESTION}]
        )
        assert "【任务7】" in (reply.choices[0].message.content or "")


# --- the body limit -------------------------------------------------------------


def test_a_body_over_the_limit_by_content_length_gets_413(engine) -> None:
    with _client(engine, max_body_bytes=1024) as client:
        body = ('{"question": "' + "铁" * 400 + '"}').encode()  # 1216 bytes
        response = client.post(ASK, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 413
        error = _error(response)
        assert error["type"] == "invalid_request_error"
        assert error["code"] == "request_too_large"
        assert "1024 bytes" in str(error["message"])
        # Outside /v1 the refusal is FastAPI's shape.
        page = client.post("/", content=b"x" * 2048)
        assert page.status_code == 413
        assert page.json() == {"detail": "the request body is over the limit of 1024 bytes"}
        # Under the limit it answers, and the question length limit still says 422.
        assert client.post(ASK, json={"question": QUESTION}).status_code == 200


def test_a_long_question_under_the_body_limit_still_gets_422(client: TestClient) -> None:
    response = client.post(ASK, json={"question": "铁路" * 1001})
    assert response.status_code == 422
    assert _error(response)["code"] == "bad_question"


def _chunks(total: int, size: int = 256) -> Iterator[bytes]:
    body = ('{"question": "' + QUESTION + '", "history": ["' + "x" * total + '"]}').encode()
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_chunked_body_is_counted_as_it_arrives(engine) -> None:
    app = create_app(settings=Settings(max_body_bytes=2048), engine=engine)
    with _serving(app) as base, httpx.Client(base_url=base, timeout=10) as http:
        big = http.post(ASK, content=_chunks(8192), headers={"Content-Type": "application/json"})
        assert big.request.headers.get("transfer-encoding") == "chunked"
        assert "content-length" not in big.request.headers
        assert big.status_code == 413, big.text
        assert _error(big)["code"] == "request_too_large"
        small = http.post(ASK, content=_chunks(500), headers={"Content-Type": "application/json"})
        assert small.request.headers.get("transfer-encoding") == "chunked"
        assert small.status_code == 200, small.text
        assert small.json()["citations"][0]["task"] == 7
        # Over the network by Content-Length too, and the server keeps serving.
        declared = http.post(ASK, content=b"{" + b" " * 4096 + b"}")
        assert declared.status_code == 413
        assert http.get("/healthz").status_code == 200


# --- rate limits ------------------------------------------------------------------


def test_a_client_over_its_rate_gets_429_with_retry_after_then_recovers(engine) -> None:
    # 30 a minute: a burst of 30, then one token every 2 s.
    with _client(engine, rate_limit_per_minute=30) as client:
        statuses = [client.get("/v1/models").status_code for _ in range(30)]
        assert statuses == [200] * 30
        refused = client.get("/v1/models")
        assert refused.status_code == 429
        error = _error(refused)
        assert error["code"] == "rate_limit_exceeded"
        assert "30 requests a minute" in str(error["message"])
        retry = int(refused.headers["retry-after"])
        assert retry == 2
        # The probes and the metrics are never limited.
        for path in ("/healthz", "/readyz", "/metrics"):
            assert client.get(path).status_code == 200
        # Another address has its own bucket.
        other = TestClient(client.app, client=("10.0.0.2", 5000))
        assert other.get("/v1/models").status_code == 200
        time.sleep(retry + 0.05)
        assert client.get("/v1/models").status_code == 200
        assert client.get("/v1/models").status_code == 429


def test_guessing_keys_is_limited_by_address_and_a_valid_key_has_its_own_bucket(engine) -> None:
    with _client(engine, api_keys=KEYS, rate_limit_per_minute=5) as client:
        wrong = {"Authorization": f"Bearer {WRONG}"}
        statuses = [client.get("/v1/models", headers=wrong).status_code for _ in range(6)]
        assert statuses == [401] * 5 + [429]
        right = {"Authorization": f"Bearer {RIGHT}"}
        assert client.get("/v1/models", headers=right).status_code == 200


def test_rate_limit_zero_is_off(engine) -> None:
    with _client(engine, rate_limit_per_minute=0) as client:
        assert {client.get("/v1/models").status_code for _ in range(150)} == {200}


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_idle_buckets_are_dropped_and_memory_is_bounded() -> None:
    clock = _Clock()
    buckets = TokenBuckets(60, max_clients=100, clock=clock)
    for n in range(100):
        assert buckets.take(f"ip:{n}") == 0.0
    assert len(buckets) == 100
    buckets.take("ip:new")  # past max_clients: the least recently seen goes
    assert len(buckets) == 100
    clock.now = 61.0  # a minute idle: every bucket is full again, so all go
    buckets.take("ip:late")
    assert len(buckets) == 1


def test_a_bucket_refills_at_its_rate() -> None:
    clock = _Clock()
    buckets = TokenBuckets(60, clock=clock)  # one a second, 60 at most
    assert [buckets.take("a") for _ in range(60)] == [0.0] * 60
    assert buckets.take("a") == pytest.approx(1.0)
    clock.now = 0.5
    assert buckets.take("a") == pytest.approx(0.5)
    clock.now = 1.0
    assert buckets.take("a") == 0.0
    with pytest.raises(ValueError):
        TokenBuckets(0)


# --- CORS -------------------------------------------------------------------------

ORIGIN = "https://chat.example.org"


def test_cors_is_off_by_default(client: TestClient) -> None:
    response = client.get("/v1/models", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/v1/chat/completions",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_the_configured_origins(engine) -> None:
    with _client(engine, cors_origins=f"{ORIGIN}, http://localhost:3000", api_keys=KEYS) as client:
        preflight = client.options(
            "/v1/chat/completions",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code == 200  # a preflight needs no key
        assert preflight.headers["access-control-allow-origin"] == ORIGIN
        assert "POST" in preflight.headers["access-control-allow-methods"]
        # A refusal is readable by the page too.
        refused = client.get("/v1/models", headers={"Origin": ORIGIN})
        assert refused.status_code == 401
        assert refused.headers["access-control-allow-origin"] == ORIGIN
        assert "x-request-id" in refused.headers["access-control-expose-headers"].lower()
        other = client.get("/v1/models", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_bad_cors_origins_are_refused_at_startup() -> None:
    from service.config import SettingsError, get_settings

    get_settings.cache_clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POLICYQA_CORS_ORIGINS", "chat.example.org")
        patch.setenv("POLICYQA_API_KEYS", "secret-key-value")
        with pytest.raises(SettingsError) as raised:
            get_settings()
    get_settings.cache_clear()
    assert "POLICYQA_CORS_ORIGINS=chat.example.org is not allowed" in str(raised.value)
    assert "secret-key-value" not in str(raised.value)
