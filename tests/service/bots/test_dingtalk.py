"""``POST /bots/dingtalk`` end to end: signed messages in, markdown replies out at the
message's sessionWebhook (the local receiver); bad requests refused."""

from __future__ import annotations

import time

import pytest

from tests.service.bots.platforms import dingtalk, uid

QUESTION = "铁路建设由哪个部门牵头？"
HOOK = "/robot/sendBySession"


def test_a_message_is_answered_in_markdown_at_its_webhook(bots, receiver) -> None:
    chat = uid("cid")
    response = dingtalk(QUESTION, receiver=receiver.base, chat=chat).send(bots)
    assert response.status_code == 200
    (reply,) = receiver.wait(chat, HOOK)
    assert reply.query["session"] == [chat]
    assert reply.body["msgtype"] == "markdown"
    markdown = reply.body["markdown"]
    assert markdown["title"] == QUESTION
    assert "【任务7】" in markdown["text"] and "省发展改革委" in markdown["text"]
    assert "**来源**" in markdown["text"] and "> “" in markdown["text"]
    assert reply.body["at"] == {"atUserIds": ["staff-001"]}


def test_in_a_group_the_asker_is_mentioned(bots, receiver) -> None:
    chat = uid("cid")
    dingtalk(QUESTION, receiver=receiver.base, chat=chat, group=True, staff="s-42").send(bots)
    reply = receiver.wait(chat, HOOK)[0].body
    assert reply["at"] == {"atUserIds": ["s-42"]}
    assert reply["markdown"]["text"].endswith("@s-42")


def test_in_a_group_a_message_not_at_the_robot_is_not_answered(fresh, receiver) -> None:
    chat = uid("cid")
    with fresh() as client:
        call = dingtalk(QUESTION, receiver=receiver.base, chat=chat, group=True, at_bot=False)
        assert call.send(client).status_code == 200
    assert receiver.about(chat) == []


def _moved(call):
    # A captured sign sent with another timestamp (the sign covers the timestamp; the
    # body it does not cover: DingTalk's scheme, so a replay is caught by its msgId).
    call.headers["timestamp"] = str(int(call.headers["timestamp"]) + 1)
    return call


def _unsigned(call):
    del call.headers["sign"]
    return call


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda r, c: dingtalk(QUESTION, receiver=r, chat=c, secret="other-secret"), 401),
        (lambda r, c: dingtalk(QUESTION, receiver=r, chat=c, timestamp_ms=_ms(-3601)), 401),
        (lambda r, c: dingtalk(QUESTION, receiver=r, chat=c, timestamp_ms=_ms(3601)), 401),
        (lambda r, c: _unsigned(dingtalk(QUESTION, receiver=r, chat=c)), 401),
        (lambda r, c: _moved(dingtalk(QUESTION, receiver=r, chat=c)), 401),
        (
            lambda r, c: _body(dingtalk(QUESTION, receiver=r, chat=c), b'{"msgId": "' + c.encode()),
            400,
        ),
        (
            lambda r, c: _body(dingtalk(QUESTION, receiver=r, chat=c), b'["' + c.encode() + b'"]'),
            400,
        ),
        (lambda r, c: dingtalk(QUESTION * 5000, receiver=r, chat=c), 413),
    ],
    ids=["forged", "stale", "future", "unsigned", "moved", "bad-json", "not-object", "oversized"],
)
def test_bad_requests_get_4xx_and_no_reply(fresh, receiver, make, status) -> None:
    chat = uid("cid")
    with fresh() as client:
        response = make(receiver.base, chat).send(client)
        assert response.status_code == status, response.text
    assert receiver.about(chat) == []


def test_a_webhook_outside_the_dingtalk_prefix_is_refused(fresh, receiver) -> None:
    chat = uid("cid")
    with fresh() as client:
        call = dingtalk(QUESTION, receiver="http://169.254.169.254", chat=chat)
        assert call.send(client).status_code == 400
    assert receiver.about(chat) == []


def _ms(seconds: int) -> int:
    return int((time.time() + seconds) * 1000)


def _body(call, body: bytes):
    call.body = body
    return call


def test_a_redelivered_message_is_answered_once(fresh, receiver) -> None:
    chat, msg = uid("cid"), uid("msg")
    with fresh() as client:
        for _ in range(2):
            call = dingtalk(QUESTION, receiver=receiver.base, chat=chat, msg_id=msg)
            assert call.send(client).status_code == 200
    assert len(receiver.about(chat, HOOK)) == 1


def test_follow_ups_read_their_own_conversation(bots, receiver) -> None:
    chat, other = uid("cid"), uid("cid")
    dingtalk("第7项任务讲什么？", receiver=receiver.base, chat=chat).send(bots)
    receiver.wait(chat, HOOK)
    dingtalk("那谁牵头？", receiver=receiver.base, chat=chat).send(bots)
    follow = receiver.wait(chat, HOOK, count=2)[1].body["markdown"]["text"]
    assert "【任务7】" in follow and "牵头" in follow
    dingtalk("那谁牵头？", receiver=receiver.base, chat=other).send(bots)
    alone = receiver.wait(other, HOOK)[0].body["markdown"]["text"]
    assert "【任务7】" not in alone
    assert "**文件未写明**" in alone and "**原因：**" in alone


def test_in_a_group_each_asker_has_a_conversation(bots, receiver) -> None:
    chat = uid("cid")
    dingtalk("第7项任务讲什么？", receiver=receiver.base, chat=chat, group=True, staff="a").send(
        bots
    )
    receiver.wait(chat, HOOK)
    dingtalk("那谁牵头？", receiver=receiver.base, chat=chat, group=True, staff="b").send(bots)
    other = receiver.wait(chat, HOOK, count=2)[1].body["markdown"]["text"]
    assert "【任务7】" not in other
    dingtalk("那谁牵头？", receiver=receiver.base, chat=chat, group=True, staff="a").send(bots)
    same = receiver.wait(chat, HOOK, count=3)[2].body["markdown"]["text"]
    assert "【任务7】" in same


def test_the_message_is_acknowledged_before_the_reply_is_sent(bots, receiver) -> None:
    chat = uid("cid")
    with receiver.holding(HOOK) as gate:
        response = dingtalk(QUESTION, receiver=receiver.base, chat=chat).send(bots)
        assert response.status_code == 200
        time.sleep(0.2)
        assert receiver.about(chat) == []
        gate.set()
        assert "【任务7】" in receiver.wait(chat, HOOK)[0].body["markdown"]["text"]


def test_help_lists_usage_and_example_questions(bots, receiver) -> None:
    chat = uid("cid")
    dingtalk("帮助", receiver=receiver.base, chat=chat).send(bots)
    text = receiver.wait(chat, HOOK)[0].body["markdown"]["text"]
    assert "**可以这样问**" in text
    assert text.count("\n- ") == 3
