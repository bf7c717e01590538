"""Exception handlers: every failure becomes a clear JSON error, never a traceback.

Under ``/v1`` errors take the shape OpenAI clients unwrap,
``{"error": {"message", "type", "param", "code"}}``; elsewhere FastAPI's
``{"detail": …}``. Statuses:

- 400: the request is malformed (invalid JSON or UTF-8, wrong types, missing
  fields, no user message last);
- 422: a well-formed question that cannot be answered as asked (empty, too long:
  :class:`indexer.errors.BadQuestion`);
- 404/405: unknown route, wrong method;
- 503: the index is still loading, or failed to load (the message says why).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexer.errors import (
    BadQuestion,
    CorpusError,
    IndexCorrupt,
    IndexMismatch,
    IndexNotFound,
    ModelError,
    PolicyQAError,
)

log = logging.getLogger(__name__)

OPENAI_PREFIX = "/v1"
# OpenAI's error types by status; 404/405/413/422 are still invalid requests.
_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    429: "rate_limit_error",
}
_UNAVAILABLE = (IndexNotFound, IndexCorrupt, IndexMismatch, ModelError, CorpusError)
_MAX_LISTED = 3  # validation errors named in one message


class ServiceUnavailable(Exception):
    """The engine is not loaded (yet, or at all): answered with 503."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidRequest(Exception):
    """A request that parses but asks the impossible (no user message last): 400."""

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.param = param
        self.code = code


def error_type(status: int) -> str:
    """The OpenAI error type for an HTTP status."""
    if status >= 500:
        return "server_error"
    return _TYPES.get(status, "invalid_request_error")


def error_body(
    status: int, message: str, *, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    """``{"error": {...}}`` for ``status``.

    >>> error_body(400, "messages is empty", param="messages")["error"]["type"]
    'invalid_request_error'
    """
    return {"error": {"message": message, "type": error_type(status), "param": param, "code": code}}


def error_response(
    status: int,
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An OpenAI-shaped error response (for handlers and middleware such as API keys)."""
    body = error_body(status, message, param=param, code=code)
    return JSONResponse(body, status_code=status, headers=headers)


def _is_openai(request: Request) -> bool:
    path = request.url.path
    return path == OPENAI_PREFIX or path.startswith(OPENAI_PREFIX + "/")


def _respond(
    request: Request,
    status: int,
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    if _is_openai(request):
        return error_response(status, message, param=param, code=code, headers=headers)
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """``("body", "messages", 0, "content")`` → ``"messages.0.content"``; the tags
    pydantic adds for the members of a union (``str``, ``HistoryTurn``) are left out."""
    parts = [
        str(p)
        for p in loc
        if p != "body" and not (isinstance(p, str) and (p[:1].isupper() or "[" in p))
    ]
    return ".".join(parts) or None


def validation_message(errors: list[dict[str, Any]]) -> tuple[str, str | None, str]:
    """A readable message, the first offending field and a code, for request errors.

    >>> validation_message([{"type": "missing", "loc": ("body", "question"),
    ...                      "msg": "Field required"}])
    ('invalid request: question: Field required', 'question', 'invalid_value')
    """
    first = errors[0] if errors else {"type": "", "loc": ()}
    if first["type"] == "json_invalid":
        detail = first.get("ctx", {}).get("error", "")
        return f"the request body is not valid JSON ({detail})", None, "invalid_json"
    if tuple(first["loc"]) == ("body",):
        if first["type"] == "missing":
            return "the request body is missing: send a JSON object", None, "missing_body"
        # A body that is not JSON, or JSON that is no object ("[]", "\"hi\"").
        return (
            "the request body must be a JSON object, sent with Content-Type: application/json",
            None,
            "invalid_body",
        )
    # One line per field: a union's members each add an error for the same field.
    by_field: dict[str, list[str]] = {}
    for err in errors:
        message = str(err["msg"]).removeprefix("Value error, ")
        found = by_field.setdefault(_field(err["loc"]) or "body", [])
        if message not in found:
            found.append(message)
    listed = [f"{name}: {' or '.join(found)}" for name, found in by_field.items()]
    if len(listed) > _MAX_LISTED:
        listed = [*listed[:_MAX_LISTED], f"and {len(listed) - _MAX_LISTED} more"]
    return "invalid request: " + "; ".join(listed), _field(first["loc"]), "invalid_value"


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if not _is_openai(request):
        return await request_validation_exception_handler(request, exc)
    message, param, code = validation_message(list(exc.errors()))
    return error_response(400, message, param=param, code=code)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if not _is_openai(request):
        return await http_exception_handler(request, exc)  # type: ignore[return-value]
    status = exc.status_code
    message = str(exc.detail)
    code: str | None = None
    if status == 404:
        message, code = f"Invalid URL ({request.method} {request.url.path})", "unknown_url"
    elif status == 405:
        allowed = (exc.headers or {}).get("Allow") or (exc.headers or {}).get("allow", "")
        message = f"method {request.method} is not allowed on {request.url.path}"
        message += f"; use {allowed}" if allowed else ""
        code = "method_not_allowed"
    elif status == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        message, code = (
            "the request body is not valid UTF-8: send JSON encoded as UTF-8",
            ("invalid_encoding"),
        )
    elif status == 400 and exc.__cause__ is not None:
        message, code = f"the request body could not be read ({exc.__cause__})", "invalid_body"
    return error_response(status, message, code=code, headers=exc.headers)


async def _on_invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidRequest)
    return _respond(request, 400, str(exc), param=exc.param, code=exc.code)


async def _on_policyqa(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PolicyQAError)
    if isinstance(exc, BadQuestion):
        param = "messages" if request.url.path.endswith("/chat/completions") else "question"
        return _respond(request, 422, str(exc), param=param, code="bad_question")
    if isinstance(exc, _UNAVAILABLE):
        log.error("index unavailable: %s", exc)
        return _respond(request, 503, str(exc), code="index_unavailable")
    log.exception("policy-qa error")
    return _respond(request, 500, str(exc), code="policyqa_error")


async def _on_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceUnavailable)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return _respond(request, 503, str(exc), code="not_ready", headers=headers)


async def _on_crash(request: Request, exc: Exception) -> JSONResponse:
    # A bug, never bad input: logged with its traceback, answered without it.
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _respond(request, 500, "internal error; the server logged the details")


def install(app: FastAPI) -> None:
    """Register every handler on ``app``."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(InvalidRequest, _on_invalid)
    app.add_exception_handler(PolicyQAError, _on_policyqa)
    app.add_exception_handler(ServiceUnavailable, _on_unavailable)
    app.add_exception_handler(Exception, _on_crash)
