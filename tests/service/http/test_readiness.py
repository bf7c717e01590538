"""Readiness: /readyz is 503 until the engine is loaded, 200 after; a failed load
leaves the service up, answering 503 with the reason."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.config import Settings
from service.http.main import create_app
from tests.service.http.conftest import QUESTION


def _wait_for(client: TestClient, state: str, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = client.get("/readyz").json()
        if body["status"] == state:
            return body
        time.sleep(0.05)
    pytest.fail(f"/readyz never became {state!r}")


def test_before_the_engine_loads_readyz_and_the_api_answer_503(tmp_path: Path) -> None:
    # The lifespan has not run (no `with`), so nothing loads: the state before startup.
    client = TestClient(create_app(Settings(index_dir=tmp_path / "index")))
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "loading"
    assert ready.headers["retry-after"] == "5"
    ask = client.post("/v1/ask", json={"question": QUESTION})
    assert ask.status_code == 503
    assert ask.headers["retry-after"] == "5"
    assert ask.json()["error"] == {
        "message": "the index is still loading; try again in a few seconds",
        "type": "server_error",
        "param": None,
        "code": "not_ready",
    }
    messages = [{"role": "user", "content": "x"}]
    chat = client.post("/v1/chat/completions", json={"messages": messages})
    assert chat.status_code == 503
    # requests that need no engine are served meanwhile
    assert client.get("/v1/models").status_code == 200
    assert not (tmp_path / "index").exists()


def test_with_an_engine_it_is_ready_at_once(engine) -> None:
    client = TestClient(create_app(engine=engine))
    assert client.get("/readyz").json() == {"status": "ready"}


@pytest.mark.slow
def test_the_lifespan_loads_the_configured_index(real_index: Path) -> None:
    with TestClient(create_app(Settings(index_dir=real_index))) as client:
        assert client.get("/healthz").status_code == 200
        _wait_for(client, "ready")
        assert client.get("/readyz").status_code == 200
        body = client.post("/v1/ask", json={"question": QUESTION}).json()
        assert body["citations"][0]["task"] == 7


def test_a_corrupt_index_leaves_the_service_up_with_the_reason(tmp_path: Path) -> None:
    index = tmp_path / "index"
    index.mkdir()
    (index / "manifest.json").write_text("{", encoding="utf-8")
    with TestClient(create_app(Settings(index_dir=index))) as client:
        body = _wait_for(client, "failed", seconds=30)
        assert body["detail"].startswith("the index could not be loaded: index file ")
        assert "policyqa index" in body["detail"]
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200
        ask = client.post("/v1/ask", json={"question": QUESTION})
        assert ask.status_code == 503
        assert "retry-after" not in ask.headers
        error = ask.json()["error"]
        assert (error["type"], error["code"]) == ("server_error", "not_ready")
        assert "manifest.json is not valid JSON" in error["message"]
