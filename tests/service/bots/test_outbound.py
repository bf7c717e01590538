"""The bots' one outbound client against a real local server: retries, tokens cached
and renewed, platform refusals reported without secrets."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest

from service.bots.outbound import DeliveryError, Outbound
from tests.service.bots.platforms import bot_settings, slack, slack_event, uid
from tests.service.bots.receiver import FEISHU_BOT, Receiver, serve

SEND = "/cgi-bin/message/send"
TOKEN = "/cgi-bin/gettoken"
POST = "/api/chat.postMessage"


@pytest.fixture
def own() -> Iterator[Receiver]:
    """A receiver of this test alone: failures set here reach no other test."""
    found, server = serve()
    yield found
    server.shutdown()
    server.server_close()


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def _run(outbound: Outbound, work: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    async def main() -> Any:
        try:
            return await work()
        finally:
            await outbound.aclose()

    return asyncio.run(main())


def test_gateway_errors_are_tried_again(own) -> None:
    own.failures[POST] = [503, 502]
    outbound = Outbound(bot_settings(own.base))
    _run(outbound, lambda: outbound.slack_post({"channel": "C1", "text": "hi"}))
    assert own.hits.count(POST) == 3
    assert [r.body for r in own.records] == [{"channel": "C1", "text": "hi"}]


def test_other_errors_are_not_tried_again(own) -> None:
    own.failures[POST] = [500]
    outbound = Outbound(bot_settings(own.base))
    with pytest.raises(DeliveryError, match=re.escape("Slack reply: 127.0.0.1 answered HTTP 500")):
        _run(outbound, lambda: outbound.slack_post({"channel": "C1", "text": "hi"}))
    assert own.hits == [POST]


def test_an_unreachable_platform_is_a_delivery_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    outbound = Outbound(bot_settings(f"http://127.0.0.1:{port}"))
    with pytest.raises(DeliveryError, match=re.escape("could not connect to 127.0.0.1")):
        _run(outbound, lambda: outbound.slack_post({"channel": "C1", "text": "hi"}))


def test_the_wecom_token_is_cached_until_shortly_before_it_expires(own) -> None:
    clock = Clock()
    outbound = Outbound(bot_settings(own.base), clock=clock)

    async def work() -> None:
        await outbound.wecom_send("u1", "一")
        await outbound.wecom_send("u1", "二")
        clock.now = 7200 - 300 - 1  # still inside the margin
        await outbound.wecom_send("u1", "三")
        clock.now = 7200 - 300 + 1
        await outbound.wecom_send("u1", "四")

    _run(outbound, work)
    assert own.hits.count(TOKEN) == 2
    (fetch, *_) = own.about("", TOKEN)
    assert fetch.query == {
        "corpid": ["wx5823bf96d3bd56c7"],
        "corpsecret": ["wecom-corp-secret-for-tests"],
    }
    assert [r.body["text"]["content"] for r in own.about("", SEND)] == ["一", "二", "三", "四"]


def test_concurrent_replies_fetch_one_token(own) -> None:
    outbound = Outbound(bot_settings(own.base))

    async def work() -> None:
        await asyncio.gather(*(outbound.wecom_send("u1", str(n)) for n in range(5)))

    _run(outbound, work)
    assert own.hits.count(TOKEN) == 1 and own.hits.count(SEND) == 5


def test_a_token_the_platform_calls_stale_is_renewed_once(own) -> None:
    own.refusals[SEND] = [{"errcode": 42001, "errmsg": "access_token expired"}]
    outbound = Outbound(bot_settings(own.base))
    _run(outbound, lambda: outbound.wecom_send("u1", "hi"))
    assert own.hits == [TOKEN, SEND, TOKEN, SEND]


def test_a_platform_refusal_is_a_delivery_error(own) -> None:
    own.refusals[SEND] = [{"errcode": 60020, "errmsg": "not allow to access from your ip"}]
    outbound = Outbound(bot_settings(own.base))
    with pytest.raises(DeliveryError, match="WeCom send: refused with code 60020"):
        _run(outbound, lambda: outbound.wecom_send("u1", "hi"))


def test_the_feishu_bot_id_is_asked_once(own) -> None:
    outbound = Outbound(bot_settings(own.base))

    async def work() -> list[str]:
        return [await outbound.feishu_bot_open_id() for _ in range(3)]

    assert _run(outbound, work) == [FEISHU_BOT] * 3
    assert own.hits.count("/open-apis/bot/v3/info") == 1


def test_an_undelivered_reply_is_logged_without_secrets(fresh, receiver, caplog) -> None:
    channel = uid("C")
    receiver.refusals[POST] = [{"ok": False, "error": "channel_not_found"}]
    try:
        with fresh() as client:
            assert (
                slack(slack_event("铁路建设由哪个部门牵头？", channel=channel))
                .send(client)
                .status_code
                == 200
            )
    finally:
        receiver.refusals.pop(POST, None)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "slack: the reply was not delivered: Slack reply: refused (channel_not_found)" in logged
    assert "xoxb" not in logged and "铁路" not in logged
    assert logging.WARNING in {r.levelno for r in caplog.records if r.name == "service.bots.core"}
