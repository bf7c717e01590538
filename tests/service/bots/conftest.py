"""Fixtures of the bot tests: a real local receiver standing in for the platforms'
APIs, and the app (real engine, every platform on) talking to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.http.main import create_app
from tests.service.bots.platforms import bot_settings
from tests.service.bots.receiver import Receiver, serve


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    """The platforms' APIs: a real HTTP server on a free port, recording what it gets."""
    found, server = serve()
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def bots(engine, receiver: Receiver) -> Iterator[TestClient]:
    """A TestClient over the app with every platform on (shared: tests use fresh ids)."""
    app = create_app(bot_settings(receiver.base), engine=engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def fresh(engine, receiver: Receiver) -> Callable[..., AbstractContextManager[TestClient]]:
    """An app of its own, with settings overridden; leaving the block shuts it down,
    which waits for every reply in flight: then nothing more can arrive."""

    @contextmanager
    def make(**overrides: Any) -> Iterator[TestClient]:
        app = create_app(bot_settings(receiver.base, **overrides), engine=engine)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client

    return make
