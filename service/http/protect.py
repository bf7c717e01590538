"""Protection: API keys on ``/v1/*``, per-client rate limits, a request body limit, CORS.

One pure ASGI middleware (not ``BaseHTTPMiddleware``): a streamed answer passes
through unbuffered, and a request body is counted as it arrives, never read
whole here. Refusals take the OpenAI error shape under ``/v1`` (``{"detail": …}``
elsewhere), as the handlers in :mod:`service.http.errors` do:

- 429 ``rate_limit_exceeded`` with ``Retry-After`` (seconds): a client (its API
  key when it sends a valid one, else its address) spent its tokens;
  ``/healthz``, ``/readyz``, ``/metrics`` and the signed bot callbacks (``/bots/*``)
  are never limited;
- 401 ``invalid_api_key`` with ``WWW-Authenticate: Bearer``: keys are configured
  and a ``/v1`` request sends none, or a wrong one (the page, ``/static``,
  the probes and ``/metrics`` stay open);
- 413 ``request_too_large``: the body is over ``max_body_bytes``, by its
  Content-Length or, for a chunked upload, as soon as the bytes received pass it.

The rate limit comes first, so guessing keys is throttled by address. A key is
compared by the SHA-256 digests with :func:`hmac.compare_digest` and never
stored in a bucket, logged or echoed.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.config import Settings
from service.http.errors import OPENAI_PREFIX, error_body

# Probes and the scraper must see a busy server as it is, never as refused.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# The messaging platforms call from a few shared addresses on behalf of every user,
# and sign each request (service/bots/): a per-address limit would drop questions.
BOTS_PREFIX = "/bots/"
# Distinct clients remembered at most; idle ones go first (see TokenBuckets).
MAX_CLIENTS = 10_000


def split_list(value: str) -> tuple[str, ...]:
    """The non-empty, stripped items of a comma-separated setting.

    >>> split_list(" a, ,b ,")
    ('a', 'b')
    """
    return tuple(item.strip() for item in value.split(",") if item.strip())


class TokenBuckets:
    """One token bucket per client, in memory: ``per_minute`` tokens at most, refilled
    at ``per_minute`` a minute; a request takes one.

    Memory is bounded: a bucket left alone for a minute is full again, the same as
    none, so idle buckets are dropped (oldest first, checked on every request); past
    ``max_clients`` the least recently seen bucket goes too.

    >>> clock = iter([0.0, 0.0, 0.0, 30.0]).__next__
    >>> buckets = TokenBuckets(2, clock=clock)
    >>> [buckets.take("a"), buckets.take("a"), buckets.take("a")]
    [0.0, 0.0, 30.0]
    >>> buckets.take("a")  # half a minute later one token is back
    0.0
    """

    def __init__(
        self,
        per_minute: int,
        *,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens a second
        self.max_clients = max_clients
        self._clock = clock
        self._idle_s = self.capacity / self.rate
        # client -> (tokens, when last seen), least recently seen first
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, client: str) -> float:
        """Take a token for ``client``: 0.0 when it had one, else the seconds until it will."""
        now = self._clock()
        bucket = self._buckets.pop(client, None)
        while self._buckets:
            oldest, (_, seen) = next(iter(self._buckets.items()))
            if now - seen < self._idle_s:
                break
            del self._buckets[oldest]
        if bucket is None:
            tokens = self.capacity
        else:
            tokens = min(self.capacity, bucket[0] + (now - bucket[1]) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[client] = (tokens, now)
        if len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait


class _BodyTooLarge(Exception):
    """Raised from ``receive`` once a body passes the limit; answered with 413."""


def _is_api(path: str) -> bool:
    return path == OPENAI_PREFIX or path.startswith(OPENAI_PREFIX + "/")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


def _digest(value: bytes) -> bytes:
    return hashlib.sha256(value).digest()


async def _refuse(
    scope: Scope,
    send: Send,
    status: int,
    message: str,
    code: str,
    headers: dict[str, str] | None = None,
    type_: str | None = None,
) -> None:
    if _is_api(scope["path"]):
        body: dict[str, Any] = error_body(status, message, code=code)
        if type_:
            body["error"]["type"] = type_
    else:
        body = {"detail": message}
    response = JSONResponse(body, status_code=status, headers=headers)

    async def no_receive() -> Message:  # the response never reads the request
        return {"type": "http.disconnect"}

    await response(scope, no_receive, send)


class ProtectMiddleware:
    """API keys, rate limits and the body limit, in that order after the rate limit
    (see the module docstring). Installed by :func:`install`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        api_keys: Sequence[str] = (),
        per_minute: int = 0,
        max_body_bytes: int,
    ) -> None:
        self.app = app
        self._digests = tuple(_digest(key.encode()) for key in api_keys)
        self._buckets = TokenBuckets(per_minute) if per_minute > 0 else None
        self.max_body_bytes = max_body_bytes

    def _key_index(self, scope: Scope) -> int | None:
        """Which configured key the request's Bearer token is, if any."""
        value = _header(scope, b"authorization")
        if not self._digests or value is None:
            return None
        scheme, _, token = value.strip().partition(b" ")
        if scheme.lower() != b"bearer" or not token.strip():
            return None
        digest = _digest(token.strip())
        found = None
        for n, known in enumerate(self._digests):  # all compared: no early exit to time
            if hmac.compare_digest(digest, known) and found is None:
                found = n
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        key = self._key_index(scope)
        limited = path not in UNLIMITED_PATHS and not path.startswith(BOTS_PREFIX)
        if self._buckets is not None and limited:
            client = f"key#{key}" if key is not None else f"ip:{(scope.get('client') or ('?',))[0]}"
            wait = self._buckets.take(client)
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                await _refuse(
                    scope,
                    send,
                    429,
                    f"rate limit reached: {int(self._buckets.capacity)} requests a minute; "
                    f"try again in {seconds} s",
                    "rate_limit_exceeded",
                    {"Retry-After": str(seconds)},
                )
                return
        if self._digests and key is None and _is_api(path):
            sent = _header(scope, b"authorization") is not None
            message = (
                "invalid API key" if sent else "missing API key: send 'Authorization: Bearer <key>'"
            )
            await _refuse(
                scope,
                send,
                401,
                message,
                "invalid_api_key",
                {"WWW-Authenticate": "Bearer"},
                type_="invalid_request_error",
            )
            return
        length = _header(scope, b"content-length")
        if length is not None and length.strip().isdigit() and int(length) > self.max_body_bytes:
            await self._too_large(scope, send)
            return
        await self._call_counting(scope, receive, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        await _refuse(
            scope,
            send,
            413,
            f"the request body is over the limit of {self.max_body_bytes} bytes",
            "request_too_large",
        )

    async def _call_counting(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with a ``receive`` that counts the body; past the limit it stops
        the read, and whatever the app answers to the cut body becomes a 413."""
        limit = self.max_body_bytes
        received = 0
        too_large = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large and not started:
                return  # the app's answer to a body it could not read in full
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            if started:
                raise
        if too_large and not started:
            await self._too_large(scope, send)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the protection middleware, and CORS when ``cors_origins`` names origins.

    CORS goes outside the protection, so preflight requests need no key and the
    browser can read a 401 or 429.
    """
    app.add_middleware(
        ProtectMiddleware,
        api_keys=split_list(settings.api_keys.get_secret_value()),
        per_minute=settings.rate_limit_per_minute,
        max_body_bytes=settings.max_body_bytes,
    )
    origins = split_list(settings.cors_origins)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
            max_age=600,
        )
