"""Fixtures of the HTTP tests: the app over the session's real engine, a TestClient,
and a real uvicorn server on a free port in a background thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient

from service.config import Settings
from service.http.main import create_app

QUESTION = "铁路项目由谁牵头？"
# The shared app serves every test from one address: no rate limit (test_protect.py
# tests the limit with apps of its own).
UNLIMITED = Settings(rate_limit_per_minute=0)


@pytest.fixture(scope="session")
def client(engine) -> Iterator[TestClient]:
    """A TestClient over the app with the real engine (no server errors re-raised:
    the client sees what a real one would)."""
    with TestClient(
        create_app(UNLIMITED, engine=engine), raise_server_exceptions=False
    ) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_server(engine) -> Iterator[str]:
    """Base URL of a real uvicorn server over the real engine, on a free port."""
    config = uvicorn.Config(
        create_app(UNLIMITED, engine=engine), host="127.0.0.1", port=0, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    assert not thread.is_alive(), "the test server did not shut down"
