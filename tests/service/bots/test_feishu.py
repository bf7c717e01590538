"""``POST /bots/feishu`` end to end: encrypted, signed events in, replies out through
the reply-message API at the local receiver (tenant token fetched and cached)."""

from __future__ import annotations

import base64
import json
import time

import pytest

from service.bots.signatures import feishu_encrypt
from tests.service.bots.platforms import (
    FEISHU_KEY,
    FEISHU_TOKEN,
    feishu,
    feishu_event,
    feishu_raw,
    uid,
)
from tests.service.bots.receiver import FEISHU_TOKEN as TENANT_TOKEN

QUESTION = "铁路建设由哪个部门牵头？"
REPLY = "/open-apis/im/v1/messages/"


def _md(record) -> str:
    """The markdown inside a reply's post content (itself a JSON string)."""
    post = json.loads(record.body["content"])
    return post["zh_cn"]["content"][0][0]["text"]


def test_a_message_is_answered_through_the_reply_api(bots, receiver) -> None:
    message = uid("om_")
    response = feishu(feishu_event(QUESTION, message_id=message)).send(bots)
    assert response.status_code == 200
    (reply,) = receiver.wait(message, REPLY)
    assert reply.path == f"{REPLY}{message}/reply"
    assert reply.headers["authorization"] == f"Bearer {TENANT_TOKEN}"
    assert reply.body["msg_type"] == "post"
    assert reply.body["uuid"] == message
    text = _md(reply)
    assert "【任务7】" in text and "**来源**" in text and "省发展改革委" in text


def test_the_tenant_token_is_fetched_once_and_cached(fresh, receiver) -> None:
    path = "/open-apis/auth/v3/tenant_access_token/internal"
    before = len(receiver.about("", path))
    messages = [uid("om_") for _ in range(3)]
    with fresh() as client:
        for message in messages:
            feishu(feishu_event(QUESTION, message_id=message)).send(client)
            receiver.wait(message, REPLY)
    fetched = receiver.about("", path)[before:]
    assert len(fetched) == 1
    assert fetched[0].body == {
        "app_id": "cli_test_app",
        "app_secret": "feishu-app-secret-for-tests",
    }


def test_url_verification_echoes_the_challenge(bots) -> None:
    challenge = {"challenge": "ajls384kdjx98XX", "token": FEISHU_TOKEN, "type": "url_verification"}
    for signed in (True, False):  # Feishu does not sign the URL check
        response = feishu(challenge, sign=signed).send(bots)
        assert response.status_code == 200
        assert response.json() == {"challenge": "ajls384kdjx98XX"}


def test_url_verification_with_a_wrong_token_is_refused(bots) -> None:
    challenge = {"challenge": "c", "token": "guessed", "type": "url_verification"}
    assert feishu(challenge, sign=False).send(bots).status_code == 401


def _bad_padding(marker: str):
    iv = b"\0" * 16
    raw = base64.b64decode(feishu_encrypt(FEISHU_KEY, json.dumps({"m": marker}), iv=iv))
    return feishu_raw(
        json.dumps({"encrypt": base64.b64encode(raw[:-16] + bytes(16)).decode()}).encode()
    )


def _truncated(marker: str):
    body = json.loads(feishu(feishu_event(QUESTION, message_id=marker)).body)
    raw = base64.b64decode(body["encrypt"])
    return feishu_raw(json.dumps({"encrypt": base64.b64encode(raw[:-5]).decode()}).encode())


def _forged(marker: str):
    call = feishu(feishu_event(QUESTION, message_id=marker))
    call.headers["X-Lark-Signature"] = "0" * 64
    return call


def _tampered(marker: str):
    call = feishu(feishu_event(QUESTION, message_id=marker))
    call.body = call.body.replace(b'"}', b'" }')
    return call


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (_forged, 401),
        (_tampered, 401),
        (lambda m: feishu(feishu_event(QUESTION, message_id=m), sign=False), 401),
        (lambda m: feishu(feishu_event(QUESTION, message_id=m), key="another key"), 401),
        (lambda m: feishu(feishu_event(QUESTION, message_id=m, token="guessed")), 401),
        (_truncated, 400),
        (_bad_padding, 400),
        (lambda m: feishu_raw(json.dumps({"encrypt": "not base64!" + m}).encode()), 400),
        (lambda m: feishu_raw(json.dumps({"event": m}).encode()), 400),
        (lambda m: feishu_raw(b'{"encrypt": "' + m.encode()), 400),
        (lambda m: feishu(f'{{"schema": "2.0", "m": "{m}"'), 400),
        (lambda m: feishu(feishu_event(QUESTION * 2000, message_id=m)), 413),
        (lambda m: feishu_raw(b"[" * 30_000 + m.encode(), sign=False), 400),
    ],
    ids=[
        "forged",
        "tampered",
        "unsigned",
        "wrong-key",
        "wrong-token",
        "truncated",
        "bad-padding",
        "bad-base64",
        "plaintext",
        "bad-json",
        "bad-inner-json",
        "oversized",
        "deeply-nested",
    ],
)
def test_bad_requests_get_4xx_and_no_reply(fresh, receiver, make, status) -> None:
    marker = uid("om_")
    with fresh() as client:
        response = make(marker).send(client)
        assert response.status_code == status, response.text
    assert receiver.about(marker) == []


def test_retries_are_answered_once_by_event_and_by_message(fresh, receiver) -> None:
    message = uid("om_")
    event = feishu_event(QUESTION, message_id=message)
    with fresh() as client:
        feishu(event).send(client)
        assert feishu(event).send(client).status_code == 200  # the same push again
        event["header"]["event_id"] = uid("ev")  # the same message, as another event
        assert feishu(event).send(client).status_code == 200
    assert len(receiver.about(message, REPLY)) == 1


def test_follow_ups_read_their_own_conversation(bots, receiver) -> None:
    chat, other = uid("oc_"), uid("oc_")
    first, follow, alone = uid("om_"), uid("om_"), uid("om_")
    feishu(feishu_event("第7项任务讲什么？", chat=chat, message_id=first)).send(bots)
    receiver.wait(first, REPLY)
    feishu(feishu_event("那谁牵头？", chat=chat, message_id=follow)).send(bots)
    text = _md(receiver.wait(follow, REPLY)[0])
    assert "【任务7】" in text and "牵头" in text
    feishu(feishu_event("那谁牵头？", chat=other, message_id=alone)).send(bots)
    text = _md(receiver.wait(alone, REPLY)[0])
    assert "【任务7】" not in text and "**原因：**" in text


def test_in_a_group_a_reply_chain_is_a_conversation(bots, receiver) -> None:
    chat, first, follow = uid("oc_"), uid("om_"), uid("om_")
    feishu(feishu_event("第7项任务讲什么？", chat=chat, group=True, message_id=first)).send(bots)
    receiver.wait(first, REPLY)
    event = feishu_event("那谁牵头？", chat=chat, group=True, message_id=follow, root_id=first)
    feishu(event).send(bots)
    assert "【任务7】" in _md(receiver.wait(follow, REPLY)[0])


@pytest.mark.parametrize("who", ["nobody", "someone-else"])
def test_in_a_group_only_a_mention_of_the_bot_is_answered(fresh, receiver, who) -> None:
    message = uid("om_")
    event = feishu_event(QUESTION, group=True, message_id=message, mention_bot=who != "nobody")
    if who == "someone-else":
        event["event"]["message"]["mentions"][0]["id"]["open_id"] = "ou_colleague"
    with fresh() as client:
        assert feishu(event).send(client).status_code == 200
    assert receiver.about(message) == []


def test_messages_from_bots_are_ignored(fresh, receiver) -> None:
    message = uid("om_")
    with fresh() as client:
        feishu(feishu_event(QUESTION, message_id=message, sender_type="app")).send(client)
    assert receiver.about(message) == []


def test_the_event_is_acknowledged_before_the_reply_is_sent(bots, receiver) -> None:
    message = uid("om_")
    with receiver.holding(REPLY) as gate:
        started = time.monotonic()
        assert feishu(feishu_event(QUESTION, message_id=message)).send(bots).status_code == 200
        assert time.monotonic() - started < 1
        time.sleep(0.2)
        assert receiver.about(message) == []
        gate.set()
        assert "【任务7】" in _md(receiver.wait(message, REPLY)[0])


def test_help_lists_usage_and_example_questions(bots, receiver) -> None:
    message = uid("om_")
    feishu(feishu_event("帮助", message_id=message)).send(bots)
    text = _md(receiver.wait(message, REPLY)[0])
    assert "**可以这样问**" in text and text.count("\n- ") == 3
