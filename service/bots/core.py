"""What the platform modules share: the body read with a limit, refusals, the answer
with the conversation's memory, and the replies sent in the background.

A platform module verifies, extracts the question and formats the reply; the question
is answered here, by the same ``answer_question`` every adapter calls, in the
threadpool so the event loop stays free for the platforms' next callbacks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from indexer.errors import BadQuestion
from service.answer import answer_question
from service.bots.memory import Conversations, Seen
from service.bots.outbound import DeliveryError, Outbound
from service.bots.reply import APOLOGY, Format, is_help
from service.config import Settings
from service.decline import suggested_questions
from service.engine import Engine
from service.http.deps import holder_of
from service.present import present
from service.query import Turn

log = logging.getLogger(__name__)


class Bots:
    """The shared state of the bots of one app: settings, memory, retries seen, the
    outbound client and the replies still being sent."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock  # wall time: the platforms' timestamps are wall time
        self.conversations = Conversations(
            ttl_s=settings.bot_memory_ttl_s, max_turns=settings.bot_memory_turns
        )
        self.seen = Seen()
        self.outbound = Outbound(settings)
        self._tasks: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        """At shutdown, let the replies in flight finish (within the graceful period),
        then close the client."""
        yield
        await self.drain(self.settings.graceful_shutdown_s)
        await self.outbound.aclose()

    async def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the replies in flight."""
        if self._tasks and timeout > 0:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    # --- requests ---------------------------------------------------------------------

    async def read_body(self, request: Request) -> bytes:
        """The raw body, refused with 413 once it passes ``bot_max_body_bytes``."""
        limit = self.settings.bot_max_body_bytes
        length = request.headers.get("content-length", "")
        if length.isascii() and length.isdigit() and int(length) > limit:
            raise refuse(413, f"the request body is over the bots' limit of {limit} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise refuse(413, f"the request body is over the bots' limit of {limit} bytes")
        return bytes(body)

    def engine(self, request: Request) -> Engine:
        """The engine, or 503 while it loads: the platform retries later."""
        return holder_of(request).get()

    # --- answers ----------------------------------------------------------------------

    async def respond(self, engine: Engine, key: Hashable, question: str, form: Format) -> str:
        """The reply to ``question`` in conversation ``key``: help, the message of a bad
        question, or the answer (remembered for the follow-ups)."""
        if is_help(question):
            # The document's own example questions, from its parsed structure.
            return form.help(suggested_questions(engine.catalog))
        history = self.conversations.history(key)
        try:
            answer = await run_in_threadpool(answer_question, engine, question, history)
        except BadQuestion as err:
            return form.note(str(err))
        # The assistant turn as the page keeps it: the text shown, markers included.
        self.conversations.add(key, Turn("user", question), Turn("assistant", present(answer)))
        return form.answer(answer)

    def spawn(self, job: Awaitable[None]) -> asyncio.Task[None]:
        """Run ``job`` after the callback is acknowledged; kept until it ends."""
        task: asyncio.Task[None] = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def deliver(
        self,
        platform: str,
        text: Awaitable[str | None],
        send: Callable[[str], Awaitable[None]],
    ) -> None:
        """Await the reply's text and send it (None: nothing to send); a failure is
        logged (never the text or a secret), and a failed answer gets an apology."""
        try:
            reply = await text
        except Exception:
            log.exception("%s: answering failed", platform)
            reply = APOLOGY
        if reply is None:
            return
        try:
            await send(reply)
        except DeliveryError as err:
            log.warning("%s: the reply was not delivered: %s", platform, err)
        except Exception:
            log.exception("%s: the reply was not delivered", platform)


def refuse(status: int, message: str) -> HTTPException:
    """A refusal (answered as ``{"detail": message}``), logged: refused callbacks are
    how a wrong secret or an attack shows."""
    log.warning("bot request refused with %d: %s", status, message)
    return HTTPException(status_code=status, detail=message)


def parse_json(raw: bytes, what: str) -> dict[str, Any]:
    """``raw`` as a JSON object, or 400."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested thousands deep
        raise refuse(400, f"{what} is not valid JSON") from None
    if not isinstance(data, dict):
        raise refuse(400, f"{what} is not a JSON object")
    return data


def dig(data: Any, *path: str) -> Any:
    """``data[path[0]][path[1]]…``, or None where a level is missing or no object.

    >>> dig({"a": {"b": "c"}}, "a", "b"), dig({"a": "x"}, "a", "b"), dig([], "a")
    ('c', None, None)
    """
    for name in path:
        if not isinstance(data, dict):
            return None
        data = data.get(name)
    return data


def list_at(data: Any, *path: str) -> list[Any]:
    """The list at ``path``, or [] when it is missing or not a list."""
    found = dig(data, *path)
    return found if isinstance(found, list) else []


def text_at(data: Any, *path: str) -> str:
    """The string at ``path``, or "" when it is missing or not a string."""
    found = dig(data, *path)
    return found if isinstance(found, str) else ""
