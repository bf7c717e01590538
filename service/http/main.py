"""The app factory: ``create_app(settings=None, engine=None)``.

One engine per process, loaded once and then only read. Given an engine (tests,
or a caller that loaded one), the app is ready at once; otherwise its lifespan
loads the configured index in a background thread (building it when missing),
and ``/readyz`` turns 200 when it is in. ``uvicorn --factory
service.http.main:create_app`` gives each worker its own engine.

>>> sorted(create_app().openapi()["paths"])  # doctest: +NORMALIZE_WHITESPACE
['/healthz', '/readyz', '/v1/ask', '/v1/chat/completions', '/v1/models',
 '/v1/models/{model_id}']
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from service.bots.router import bot_router
from service.config import Settings, get_settings
from service.engine import Engine
from service.http import errors, observe, protect
from service.http.deps import EngineHolder
from service.http.routers import ask, chat, health, metrics, models, page

DESCRIPTION = """\
Answers questions about Chinese policy documents in the document's own words,
citing the numbered task each statement comes from (【任务7】).

- `POST /v1/ask`: the response contract, with citations, quotes and agencies.
- `POST /v1/chat/completions`, `GET /v1/models`: OpenAI-compatible, for chat
  front ends and the `openai` SDK (streaming too).
- `GET /healthz` (liveness), `GET /readyz` (the index is loaded), `GET /metrics`
  (Prometheus).
"""


def _version() -> str:
    try:
        return version("policy-qa")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        return "0.0.0"


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """The FastAPI app over ``engine``, or over the index ``settings`` name (loaded at
    startup). ``settings`` defaults to the process settings (``POLICYQA_*``)."""
    settings = settings or get_settings()
    holder = EngineHolder(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder.start_loading(settings)
        yield

    app = FastAPI(
        title="policy-qa",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        # A body without Content-Type is read as JSON too (curl users forget it).
        strict_content_type=False,
    )
    app.state.settings = settings
    app.state.engine_holder = holder
    app.state.started = int(time.time())
    errors.install(app)
    protect.install(app, settings)
    observe.install(app)  # outermost: it logs and counts the refused requests too
    for module in (health, ask, models, chat, page, metrics):
        app.include_router(module.router)
    # The messaging bots (/bots/<platform>), those configured; signed, so no API key.
    app.include_router(bot_router(settings))
    return app
