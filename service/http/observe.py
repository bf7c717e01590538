"""Operations: one JSON access log line per request, and Prometheus metrics.

A pure ASGI middleware (streams pass through unbuffered) that sits outside every
other one, so it also sees the requests the protection refuses. Per request it

- takes the client's ``X-Request-ID`` when it is sane (1-128 characters of
  ``A-Z a-z 0-9 . _ : + / = -``), else makes one, and echoes it in the response;
- logs one JSON line on the ``policyqa.access`` logger: ``ts``, ``request_id``,
  ``method``, ``path`` (no query string), ``route``, ``status``, ``latency_ms``
  (to the last byte, a whole stream included), ``bytes``, ``client``, and for an
  answer its ``kind``, ``abstained``, ``reason``, cited ``tasks`` (``sections``
  for clauses that are not tasks) and ``question_chars``. Never a header, so
  never the API key, and never the question's text;
- counts it in the app's own Prometheus registry (``/metrics``): requests by
  route template (not the raw path, so the series stay few), method and status,
  a latency histogram by route, requests in flight, answers by kind and declines
  by reason.

Routes hand their answer over as ``request.state.answer``. Each process has its
own registry: with several uvicorn workers a scrape sees one worker's figures.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from starlette.datastructures import MutableHeaders
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.contract import Answer

ACCESS_LOGGER = "policyqa.access"
access_log = logging.getLogger(ACCESS_LOGGER)

_SANE_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_REASON = re.compile(r"[a-z_]{1,40}")
_MAX_PATH = 200  # characters of a path kept in the log
UNMATCHED = "unmatched"
# Answers take milliseconds; a stream of a long answer about a second.
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The app's Prometheus registry and its series (one registry per app, so apps
    made in one process, as tests do, never clash)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.requests = Counter(
            "policyqa_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "policyqa_http_request_duration_seconds",
            "Time to the last byte of the response, by route template.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "policyqa_http_requests_in_flight",
            "HTTP requests being answered now.",
            registry=self.registry,
        )
        self.answers = Counter(
            "policyqa_answers", "Answers given, by kind.", ["kind"], registry=self.registry
        )
        self.declines = Counter(
            "policyqa_declines",
            "Declined (abstained) answers, by reason.",
            ["reason"],
            registry=self.registry,
        )


def request_id(scope: Scope) -> str:
    """The client's ``X-Request-ID`` when it is sane, else a new one.

    >>> request_id({"headers": [(b"x-request-id", b"abc-123")]})
    'abc-123'
    >>> len(request_id({"headers": [(b"x-request-id", b"<script>")]}))
    32
    """
    for key, value in scope.get("headers", ()):
        if key.lower() == b"x-request-id":
            text = value.decode("latin-1").strip()
            if _SANE_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


def flat_routes(routes: Sequence[Any]) -> list[Any]:
    """``routes`` with included routers opened (newer FastAPI wraps each in an object
    that matches lazily and tells no template), in matching order."""
    flat = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        flat.extend(flat_routes(inner.routes) if inner is not None else [route])
    return flat


def route_template(scope: Scope, routes: Sequence[Any] = ()) -> str:
    """The path template of the route that answered (``/v1/models/{model_id}``), else of
    the first of ``routes`` that would have (a request refused before routing), else
    ``unmatched``."""
    route = scope.get("route")
    if route is None:
        for candidate in routes:
            match, _ = candidate.matches(scope)
            if match != Match.NONE:
                route = candidate
                break
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


def answer_fields(answer: Answer) -> dict[str, Any]:
    """What the access log says about an answer: never its question or text."""
    tasks = [c.task for c in answer.citations if c.task is not None]
    sections = [c.section for c in answer.citations if c.task is None]
    fields: dict[str, Any] = {
        "kind": answer.kind,
        "abstained": answer.abstained,
        "reason": answer.reason,
        "tasks": list(dict.fromkeys(tasks)),
    }
    if sections:
        fields["sections"] = list(dict.fromkeys(sections))
    fields["question_chars"] = len(answer.question)
    return fields


class ObserveMiddleware:
    """Request id, access log and metrics for every HTTP request (see the module)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self._routes: list[Any] | None = None  # the app's, read at the first request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        status = 0
        sent = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", rid)
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        self.metrics.in_flight.inc()
        error: str | None = None
        try:
            await self.app(scope, receive, send_with_id)
        except BaseException as exc:
            error = type(exc).__name__
            raise
        finally:
            self.metrics.in_flight.dec()
            # An exception before the response started becomes a 500 outside this
            # middleware (ServerErrorMiddleware); one during a stream cuts it short.
            self._record(scope, state, rid, status or 500, sent, started, error)

    def _record(
        self,
        scope: Scope,
        state: dict[str, Any],
        rid: str,
        status: int,
        sent: int,
        started: float,
        error: str | None,
    ) -> None:
        seconds = time.perf_counter() - started
        if self._routes is None:
            self._routes = flat_routes(getattr(scope.get("app"), "routes", ()))
        route = route_template(scope, self._routes)
        method = scope.get("method", "")
        self.metrics.requests.labels(
            route, method if method in _METHODS else "other", str(status)
        ).inc()
        self.metrics.latency.labels(route).observe(seconds)
        client = scope.get("client")
        line: dict[str, Any] = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "request_id": rid,
            "method": method,
            "path": scope.get("path", "")[:_MAX_PATH],
            "route": route,
            "status": status,
            "latency_ms": round(seconds * 1000, 2),
            "bytes": sent,
            "client": client[0] if client else None,
        }
        answer = state.get("answer")
        if isinstance(answer, Answer):
            line.update(answer_fields(answer))
            self.metrics.answers.labels(answer.kind).inc()
            if answer.abstained:
                reason = answer.reason or "unknown"
                self.metrics.declines.labels(reason if _REASON.fullmatch(reason) else "other").inc()
        if error:
            line["error"] = error
        access_log.info("%s", json.dumps(line, ensure_ascii=False, separators=(",", ":")))


def install(app: FastAPI) -> Metrics:
    """Add the middleware (outermost of those added so far) and put the metrics on
    ``app.state.metrics`` for ``/metrics``."""
    metrics = Metrics()
    app.state.metrics = metrics
    app.add_middleware(ObserveMiddleware, metrics=metrics)
    return metrics


def log_config(base: dict[str, Any] | None = None) -> dict[str, Any]:
    """uvicorn's logging configuration plus the access log: JSON lines as they are, to
    stderr. Pass it with ``access_log=False`` so uvicorn's own access lines go.

    >>> log_config()["loggers"][ACCESS_LOGGER]["propagate"]
    False
    """
    if base is None:
        from uvicorn.config import LOGGING_CONFIG

        base = LOGGING_CONFIG
    config = copy.deepcopy(base)
    config.setdefault("formatters", {})["policyqa_access"] = {"format": "%(message)s"}
    config.setdefault("handlers", {})["policyqa_access"] = {
        "class": "logging.StreamHandler",
        "formatter": "policyqa_access",
        "stream": "ext://sys.stderr",
    }
    config.setdefault("loggers", {})[ACCESS_LOGGER] = {
        "handlers": ["policyqa_access"],
        "level": "INFO",
        "propagate": False,
    }
    return config
