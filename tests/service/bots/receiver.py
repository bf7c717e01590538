"""A real local HTTP server standing in for the platforms' APIs: it answers as they do
and records every request it receives, so tests see exactly what the bots sent."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FEISHU_TOKEN = "t-feishu-tenant-token"
FEISHU_BOT = "ou_policyqa_bot"
WECOM_TOKEN = "wecom-access-token"

# path (exact, or a prefix ending in "/") -> the platform's usual success answer
ANSWERS: dict[str, dict[str, Any]] = {
    "/open-apis/auth/v3/tenant_access_token/internal": {
        "code": 0,
        "tenant_access_token": FEISHU_TOKEN,
        "expire": 7200,
    },
    "/open-apis/bot/v3/info": {"code": 0, "bot": {"open_id": FEISHU_BOT}},
    "/open-apis/im/v1/messages/": {"code": 0, "data": {"message_id": "om_reply"}},
    "/cgi-bin/gettoken": {"errcode": 0, "access_token": WECOM_TOKEN, "expires_in": 7200},
    "/cgi-bin/message/send": {"errcode": 0, "errmsg": "ok"},
    "/api/chat.postMessage": {"ok": True},
    "/robot/": {"errcode": 0, "errmsg": "ok"},
}


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any  # parsed JSON, or the raw text

    def text(self) -> str:
        """The whole request as text, to look for an id in it."""
        return json.dumps([self.path, self.query, self.body], ensure_ascii=False)


@dataclass
class Receiver:
    base: str
    records: list[Received] = field(default_factory=list)  # the requests answered 200
    hits: list[str] = field(default_factory=list)  # the path of every request
    holds: dict[str, threading.Event] = field(default_factory=dict)
    # path -> statuses to answer first (one each), before the usual answer
    failures: dict[str, list[int]] = field(default_factory=dict)
    # path -> JSON bodies to answer first with 200 (one each): a platform's refusals
    refusals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def matching(self, predicate: Callable[[Received], bool]) -> list[Received]:
        with self.lock:
            return [r for r in self.records if predicate(r)]

    def about(self, marker: str, path: str = "") -> list[Received]:
        """The requests to ``path`` (a prefix) whose text holds ``marker``."""
        return self.matching(lambda r: r.path.startswith(path) and marker in r.text())

    def wait(
        self, marker: str, path: str = "", count: int = 1, timeout: float = 15
    ) -> list[Received]:
        """Wait until ``count`` requests about ``marker`` arrived; they, in order."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.about(marker, path)
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"{len(found)} of {count} requests about {marker!r}"
                return found
            time.sleep(0.01)

    @contextmanager
    def holding(self, path: str) -> Iterator[threading.Event]:
        """Requests to ``path`` wait (unrecorded, unanswered) until the event is set."""
        gate = threading.Event()
        self.holds[path] = gate
        try:
            yield gate
        finally:
            gate.set()
            self.holds.pop(path, None)


def _answer_for(path: str) -> dict[str, Any] | None:
    for known, answer in ANSWERS.items():
        if path == known or (known.endswith("/") and path.startswith(known)):
            return answer
    return None


def serve() -> tuple[Receiver, ThreadingHTTPServer]:
    """Start a receiver on a free port, in a daemon thread."""
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            for prefix, gate in list(receiver.holds.items()):
                if url.path.startswith(prefix):
                    gate.wait(20)
            with receiver.lock:
                receiver.hits.append(url.path)
                pending = receiver.failures.get(url.path) or []
                status = pending.pop(0) if pending else 200
                refusals = receiver.refusals.get(url.path) or []
                answer = refusals.pop(0) if refusals else _answer_for(url.path)
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            if status == 200:
                with receiver.lock:
                    receiver.records.append(
                        Received(
                            self.command,
                            url.path,
                            parse_qs(url.query),
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                        )
                    )
            if answer is None:
                status, answer = 404, {"error": "unknown path"}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(f"http://127.0.0.1:{server.server_address[1]}")
    threading.Thread(
        target=server.serve_forever, args=(0.05,), name="bot-receiver", daemon=True
    ).start()
    return receiver, server
