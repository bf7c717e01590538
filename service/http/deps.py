"""Dependencies of the routes, all in one place: the settings and the one engine.

The engine is loaded once per process, in a background thread started by the
app's lifespan, so ``/healthz`` answers while a first start builds the index;
until it is loaded the routes that need it answer 503 (``/readyz`` too).
"""

from __future__ import annotations

import logging
import threading
from time import perf_counter
from typing import Annotated

from fastapi import Depends, Request

from indexer.errors import PolicyQAError
from service.config import Settings
from service.engine import Engine
from service.http.errors import ServiceUnavailable
from service.startup import open_configured

log = logging.getLogger(__name__)

# Seconds a client is asked to wait while the index loads (a first build takes ~10 s).
RETRY_AFTER_S = 5


class EngineHolder:
    """The process's one engine: empty, then loaded once and only read afterwards.

    >>> EngineHolder().ready
    False
    """

    def __init__(self, engine: Engine | None = None) -> None:
        self.engine = engine
        self.error: str | None = None
        self._thread: threading.Thread | None = None

    @property
    def ready(self) -> bool:
        return self.engine is not None

    @property
    def state(self) -> str:
        """``ready``, ``loading`` or ``failed``."""
        if self.engine is not None:
            return "ready"
        return "failed" if self.error is not None else "loading"

    def start_loading(self, settings: Settings) -> None:
        """Load the engine in a daemon thread (once); the event loop stays free."""
        if self.engine is not None or self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._load, args=(settings,), name="policyqa-load", daemon=True
        )
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a load in progress; whether the engine is ready."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.ready

    def _load(self, settings: Settings) -> None:
        started = perf_counter()
        log.info("loading the index at %s", settings.index_dir)
        try:
            # A server keeps serving the index it has when the corpus changes under it;
            # the warning says what changed and how to pick it up.
            engine = open_configured(settings, on_stale="warn")
        except PolicyQAError as err:
            self.error = str(err)
            log.error("the index could not be loaded: %s", err)
            return
        except Exception as err:  # a bug must still leave the service answering 503
            self.error = f"{type(err).__name__}: {err}"
            log.exception("the index could not be loaded")
            return
        self.engine = engine
        log.info("index loaded in %.1f s; ready", perf_counter() - started)

    def get(self) -> Engine:
        """The engine, or :class:`ServiceUnavailable` saying why there is none."""
        if self.engine is not None:
            return self.engine
        if self.error is not None:
            raise ServiceUnavailable(f"the index could not be loaded: {self.error}")
        raise ServiceUnavailable(
            "the index is still loading; try again in a few seconds", retry_after=RETRY_AFTER_S
        )


def holder_of(request: Request) -> EngineHolder:
    """The engine holder that ``create_app`` put on the app's state."""
    holder: EngineHolder = request.app.state.engine_holder
    return holder


# The dependencies are async: trivial lookups need no hop to the threadpool.
async def get_holder(request: Request) -> EngineHolder:
    return holder_of(request)


async def get_engine(request: Request) -> Engine:
    return holder_of(request).get()


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


HolderDep = Annotated[EngineHolder, Depends(get_holder)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
