"""The web chat page at ``/``, in a real headless Chromium against a real uvicorn server.

The browser is Debian's ``chromium`` (``apt-get install -y chromium``), driven by
the ``playwright`` package; nothing here downloads a browser. Without
``/usr/bin/chromium`` the browser tests skip and say so.

Screenshots of a desktop and a phone viewport go to ``POLICYQA_SCREENSHOTS`` when
it is set (otherwise to a temporary folder), for a person to look at.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.http.main import create_app
from tests.service.http.conftest import UNLIMITED

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 20_000

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium: install Debian's browser with `apt-get install -y chromium`",
)


# ---- the page's files over HTTP (no browser needed) ---------------------------------


@pytest.fixture(scope="module")
def page_client(engine) -> Iterator[TestClient]:
    with TestClient(create_app(UNLIMITED, engine=engine)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/static/app.js", "text/javascript; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
    ],
)
def test_page_files_are_served_with_their_type_and_a_strict_policy(
    page_client: TestClient, path: str, content_type: str
) -> None:
    response = page_client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/static/missing.js", "/static/..%2Frouters%2Fpage.py", "/static/%2E%2E"]
)
def test_only_the_page_files_are_served(page_client: TestClient, path: str) -> None:
    assert page_client.get(path).status_code == 404


def test_the_page_loads_nothing_from_elsewhere(page_client: TestClient) -> None:
    html = page_client.get("/").text
    assert "http://" not in html
    assert "https://" not in html
    assert "<script>" not in html  # no inline script: the policy would block it


# ---- in the browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_url(engine) -> Iterator[str]:
    """A real uvicorn server on a free port, in a background thread."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(UNLIMITED, engine=engine), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: install it with `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("POLICYQA_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


class Chat:
    """One browser tab on the page, with what it logged and the chat requests it sent."""

    def __init__(self, browser: Any, url: str, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.problems: list[str] = []
        self.alerts: list[str] = []
        self.sent: list[dict[str, Any]] = []
        self.page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        self.page.on("console", self._on_console)
        self.page.on("dialog", self._on_dialog)
        self.page.on("request", self._on_request)
        self.page.goto(url + "/")

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def _on_dialog(self, dialog: Any) -> None:
        self.alerts.append(dialog.message)
        dialog.dismiss()

    def _on_request(self, request: Any) -> None:
        if request.url.endswith("/v1/chat/completions"):
            self.sent.append(json.loads(request.post_data))

    def ask(self, question: str) -> Any:
        """Types the question, presses Enter and returns the finished answer's message."""
        answers = self.page.locator(".msg.bot")
        before = answers.count()
        self.page.fill("#question", question)
        self.page.press("#question", "Enter")
        answer = answers.nth(before)
        answer.and_(self.page.locator("[aria-busy=false]")).wait_for()
        assert "error" not in (answer.get_attribute("class") or ""), answer.inner_text()
        return answer

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def chat_factory(browser: Any, server_url: str) -> Iterator[Any]:
    tabs: list[Chat] = []

    def make(viewport: dict[str, int]) -> Chat:
        tabs.append(Chat(browser, server_url, viewport))
        return tabs[-1]

    yield make
    for tab in tabs:
        tab.close()


@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_answer_with_a_chip_that_opens_the_clause_then_a_follow_up(
    chat_factory: Any, shots: Path, name: str, viewport: dict[str, int]
) -> None:
    chat = chat_factory(viewport)
    page = chat.page
    page.screenshot(path=str(shots / f"{name}-1-start.png"))

    first = chat.ask("铁路项目由谁牵头？")
    chip = first.locator(".chip", has_text="【任务7】")
    chip.wait_for()
    page.screenshot(path=str(shots / f"{name}-2-answer.png"))

    chip.click()
    dialog = page.locator("#cite-dialog")
    dialog.wait_for(state="visible")
    assert "牵头" in page.locator("#cite-quote").inner_text()
    assert "省发展改革委" in page.locator("#cite-lead").inner_text()
    assert "任务7" in page.locator("#cite-title").inner_text()
    page.screenshot(path=str(shots / f"{name}-3-citation.png"))
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    second = chat.ask("那公路呢？")
    second.locator(".chip").first.wait_for()
    assert "公路" in second.locator(".answer").inner_text()
    page.screenshot(path=str(shots / f"{name}-4-follow-up.png"))

    # The follow-up went with the whole conversation: question, answer, follow-up.
    roles = [m["role"] for m in chat.sent[-1]["messages"]]
    assert roles == ["user", "assistant", "user"]
    assert "【任务7】" in chat.sent[-1]["messages"][1]["content"]
    assert chat.sent[-1]["stream"] is True
    assert chat.problems == []


@needs_chromium
@pytest.mark.slow
def test_a_question_holding_a_script_tag_shows_as_text(chat_factory: Any, shots: Path) -> None:
    chat = chat_factory(DESKTOP)
    question = "<script>alert(1)</script>铁路项目由谁牵头？"
    chat.ask(question)
    mine = chat.page.locator(".msg.user .bubble").last
    assert mine.inner_text() == question
    assert chat.page.locator(".log script").count() == 0
    chat.page.screenshot(path=str(shots / "desktop-5-script-as-text.png"))
    assert chat.alerts == []
    assert chat.problems == []


@needs_chromium
@pytest.mark.slow
def test_a_declined_question_says_why(chat_factory: Any, shots: Path) -> None:
    chat = chat_factory(PHONE)
    chat.page.get_by_role("button", name="港珠澳大桥收费标准是多少？").click()
    answer = chat.page.locator(".msg.bot.declined")
    answer.and_(chat.page.locator("[aria-busy=false]")).wait_for()
    reason = answer.locator(".reason").inner_text()
    assert reason.startswith("原因：")
    assert len(reason) > len("原因：")
    # A declined answer cites nothing as its answer; related clauses are marked so.
    assert answer.locator(".chips:not(.related)").count() == 0
    chat.page.screenshot(path=str(shots / "phone-6-declined.png"))
    assert chat.problems == []


@needs_chromium
@pytest.mark.slow
def test_http_and_network_errors_are_explained_in_chinese(chat_factory: Any) -> None:
    chat = chat_factory(DESKTOP)
    page = chat.page
    replies = iter(["500", "abort"])

    def fail(route: Any) -> None:
        if next(replies) == "abort":
            route.abort()
        else:
            route.fulfill(status=500, content_type="application/json", body='{"detail": "x"}')

    page.route("**/v1/chat/completions", fail)
    for expected in ("服务器出错了（HTTP 500）", "无法连接服务器"):
        page.fill("#question", "铁路项目由谁牵头？")
        page.press("#question", "Enter")
        page.locator(".msg.error", has_text=expected).wait_for()
    assert not [p for p in chat.problems if p.startswith("page error")]
    # The failed turns are not sent as history: the next question starts afresh.
    page.unroute("**/v1/chat/completions")
    chat.ask("铁路项目由谁牵头？").locator(".chip").first.wait_for()
    assert [m["role"] for m in chat.sent[-1]["messages"]] == ["user"]


@needs_chromium
@pytest.mark.slow
def test_a_401_asks_for_a_key_and_sends_it_as_a_bearer_token(chat_factory: Any) -> None:
    chat = chat_factory(PHONE)
    page = chat.page
    seen: list[str | None] = []

    def guard(route: Any) -> None:
        seen.append(route.request.headers.get("authorization"))
        if seen[-1] == "Bearer test-key":
            route.continue_()
        else:
            body = {"error": {"message": "invalid key", "type": "x", "param": None, "code": None}}
            route.fulfill(status=401, content_type="application/json", body=json.dumps(body))

    page.route("**/v1/chat/completions", guard)
    page.fill("#question", "铁路项目由谁牵头？")
    page.press("#question", "Enter")
    page.locator("#key-form").wait_for(state="visible")
    assert "访问密钥" in page.locator(".msg.error").inner_text()
    page.fill("#key", "test-key")
    page.press("#key", "Enter")
    page.locator(".msg.bot .chip", has_text="【任务7】").wait_for()
    assert seen == [None, "Bearer test-key"]
    assert page.locator(".msg.error").count() == 0  # the refused attempt is replaced
    assert page.evaluate("localStorage.getItem('policyqa.apiKey')") == "test-key"
