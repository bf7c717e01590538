"""``POST /bots/slack`` end to end: signed events in, ``chat.postMessage`` calls out at
the local receiver; forged, stale, oversized and malformed requests refused."""

from __future__ import annotations

import json
import time

import pytest

from tests.service.bots.platforms import SLACK_BOT_USER, slack, slack_event, uid

QUESTION = "铁路建设由哪个部门牵头？"
POST = "/api/chat.postMessage"


def test_a_mention_is_answered_in_its_thread_with_citations(bots, receiver) -> None:
    channel = uid("C")
    payload = slack_event(QUESTION, channel=channel, ts="1700000000.000100")
    response = slack(payload).send(bots)
    assert response.status_code == 200
    (reply,) = receiver.wait(channel, POST)
    assert reply.headers["authorization"] == "Bearer xoxb-test-token"
    assert reply.body["channel"] == channel
    assert reply.body["thread_ts"] == "1700000000.000100"
    text = reply.body["text"]
    assert "【任务7】" in text
    assert "省发展改革委" in text
    assert "*来源*" in text and "*【任务7】*" in text  # Slack's mrkdwn, not **markdown**
    assert "**" not in text


def test_url_verification_is_echoed(bots) -> None:
    payload = {
        "token": "x",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    response = slack(payload).send(bots)
    assert response.status_code == 200
    assert response.json() == {"challenge": payload["challenge"]}


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda c: slack(slack_event(QUESTION, channel=c), secret="not-the-secret"), 401),
        (lambda c: slack(slack_event(QUESTION, channel=c), timestamp=int(time.time()) - 301), 401),
        (lambda c: slack(slack_event(QUESTION, channel=c), timestamp=int(time.time()) + 400), 401),
        (lambda c: _strip_headers(slack(slack_event(QUESTION, channel=c))), 401),
        (lambda c: _tampered(slack(slack_event(QUESTION, channel=c))), 401),
        (lambda c: slack(f'{{"type": "event_callback", "channel": "{c}"'.encode()), 400),
        (lambda c: slack(json.dumps([c]).encode()), 400),
        (lambda c: slack(slack_event(QUESTION + "很" * 30_000, channel=c)), 413),
    ],
    ids=[
        "forged",
        "stale",
        "future",
        "unsigned",
        "tampered",
        "bad-json",
        "not-object",
        "oversized",
    ],
)
def test_bad_requests_get_4xx_and_no_reply(fresh, receiver, make, status) -> None:
    channel = uid("C")
    with fresh() as client:
        response = make(channel).send(client)
        assert response.status_code == status, response.text
    assert receiver.about(channel) == []  # the app is shut down: nothing is in flight


def _strip_headers(call):
    call.headers = {"Content-Type": "application/json"}
    return call


def _tampered(call):
    call.body = call.body.replace(b'"team_id": "T1"', b'"team_id": "T2"')
    assert b'"T2"' in call.body
    return call


def test_a_retried_event_is_answered_once(fresh, receiver) -> None:
    channel = uid("C")
    payload = slack_event(QUESTION, channel=channel)
    with fresh() as client:
        assert slack(payload).send(client).status_code == 200
        again = slack(payload, retry=1).send(client)
        assert again.status_code == 200
        assert again.headers["x-slack-no-retry"] == "1"
        # The same message as a plain message event too (apps subscribed to both).
        twin = slack_event(QUESTION, channel=channel, kind="message", ts=payload["event"]["ts"])
        assert slack(twin).send(client).status_code == 200
    assert len(receiver.about(channel, POST)) == 1


def test_a_retry_of_an_event_never_taken_is_answered(bots, receiver) -> None:
    channel = uid("C")
    assert slack(slack_event(QUESTION, channel=channel), retry=2).send(bots).status_code == 200
    assert "【任务7】" in receiver.wait(channel, POST)[0].body["text"]


@pytest.mark.parametrize(
    "extra",
    [
        {"bot_id": "B1"},
        {"subtype": "message_changed"},
        {"user": SLACK_BOT_USER},
    ],
    ids=["a-bot", "an-edit", "our-own"],
)
def test_bots_edits_and_our_own_messages_are_ignored(fresh, receiver, extra) -> None:
    channel = uid("D")
    with fresh() as client:
        call = slack(slack_event(QUESTION, channel=channel, direct=True, **extra))
        assert call.send(client).status_code == 200
    assert receiver.about(channel) == []


def test_in_a_channel_only_mentions_are_answered(fresh, receiver) -> None:
    channel = uid("C")
    plain = slack_event(QUESTION, channel=channel, kind="message", channel_type="channel")
    plain["event"]["text"] = QUESTION  # no <@bot>
    with fresh() as client:
        assert slack(plain).send(client).status_code == 200
    assert receiver.about(channel) == []


def test_follow_ups_read_their_own_conversation(bots, receiver) -> None:
    dm, other = uid("D"), uid("D")
    slack(slack_event("第7项任务讲什么？", channel=dm, direct=True)).send(bots)
    receiver.wait(dm, POST)
    slack(slack_event("那谁牵头？", channel=dm, direct=True)).send(bots)
    follow = receiver.wait(dm, POST, count=2)[1].body
    assert "【任务7】" in follow["text"] and "牵头" in follow["text"]
    assert "thread_ts" not in follow  # a direct chat is answered in the chat
    slack(slack_event("那谁牵头？", channel=other, direct=True)).send(bots)
    alone = receiver.wait(other, POST)[0].body["text"]
    assert "【任务7】" not in alone
    assert "*文件未写明*" in alone and "*原因：*" in alone  # declined, as on the page


def test_follow_ups_in_a_channel_thread(bots, receiver) -> None:
    channel = uid("C")
    first = slack_event("第7项任务讲什么？", channel=channel)
    slack(first).send(bots)
    receiver.wait(channel, POST)
    thread = first["event"]["ts"]
    slack(slack_event("那谁牵头？", channel=channel, thread_ts=thread)).send(bots)
    follow = receiver.wait(channel, POST, count=2)[1].body
    assert follow["thread_ts"] == thread
    assert "【任务7】" in follow["text"]
    # A new mention outside the thread starts a new conversation.
    slack(slack_event("那谁牵头？", channel=channel)).send(bots)
    assert "【任务7】" not in receiver.wait(channel, POST, count=3)[2].body["text"]


def test_the_event_is_acknowledged_before_the_reply_is_sent(bots, receiver) -> None:
    channel = uid("C")
    with receiver.holding(POST) as gate:
        started = time.monotonic()
        response = slack(slack_event(QUESTION, channel=channel)).send(bots)
        assert response.status_code == 200
        assert time.monotonic() - started < 3  # Slack's limit
        time.sleep(0.2)
        assert receiver.about(channel) == []  # the reply is still on its way
        gate.set()
        assert "【任务7】" in receiver.wait(channel, POST)[0].body["text"]


def test_help_lists_usage_and_example_questions(bots, receiver) -> None:
    channel = uid("D")
    slack(slack_event("help", channel=channel, direct=True)).send(bots)
    text = receiver.wait(channel, POST)[0].body["text"]
    assert "@我" in text and "*可以这样问*" in text
    assert text.count("• ") == 3
