"""``GET``/``POST /bots/wecom`` end to end: Tencent's published vector on the route,
encrypted passive replies, message/send for slow answers at the local receiver, and
every malformed or forged callback refused."""

from __future__ import annotations

import base64
import re
import time

import pytest

from service.bots.signatures import WeComCipher, wecom_signature
from tests.service.bots.platforms import (
    CIPHER,
    WECOM_AES_KEY,
    WECOM_CORP_ID,
    WECOM_TOKEN,
    Call,
    uid,
    wecom,
    wecom_encrypted,
    wecom_message,
)
from tests.service.bots.receiver import WECOM_TOKEN as ACCESS_TOKEN

QUESTION = "铁路建设由哪个部门牵头？"
SEND = "/cgi-bin/message/send"
# Vector A of Tencent's WXBizMsgCrypt samples (the app runs with its configuration).
ECHO = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
POST_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczc"
    "dCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd"
    "4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r"
    "+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4"
    "XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIG"
    "HBZZIs2pDBS8R07+qN+E7Q=="
)


def _passive(response) -> dict[str, str]:
    """The fields of an encrypted passive reply, after checking its signature."""
    assert response.status_code == 200
    outer = response.text
    field = {
        n: re.search(rf"<{n}>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</{n}>", outer)[1]
        for n in ("Encrypt", "MsgSignature", "TimeStamp", "Nonce")
    }
    expected = wecom_signature(WECOM_TOKEN, field["TimeStamp"], field["Nonce"], field["Encrypt"])
    assert field["MsgSignature"] == expected
    inner = CIPHER.decrypt(field["Encrypt"])
    return {
        n: m[1]
        for n in ("ToUserName", "FromUserName", "MsgType", "Content")
        if (m := re.search(rf"<{n}><!\[CDATA\[(.*?)\]\]></{n}>", inner, re.S))
    }


def test_the_published_get_vector_returns_the_echo(bots) -> None:
    params = {
        "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
        "timestamp": "1409659589",
        "nonce": "263014780",
        "echostr": ECHO,
    }
    response = bots.get("/bots/wecom", params=params)
    assert response.status_code == 200
    assert response.text == "1616140317555161061"
    assert response.headers["content-type"].startswith("text/plain")


def test_the_published_post_vector_is_answered_passively(fresh) -> None:
    params = {
        "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6",
        "timestamp": "1409659813",
        "nonce": "1372623149",
    }
    body = (
        f"<xml><ToUserName><![CDATA[{WECOM_CORP_ID}]]></ToUserName>"
        f"<Encrypt><![CDATA[{POST_ENCRYPT}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
    )
    with fresh() as client:
        reply = _passive(Call("POST", "/bots/wecom", body.encode(), {}, params).send(client))
    assert reply["ToUserName"] == "mycreate"  # the sender of "hello"
    assert reply["FromUserName"] == WECOM_CORP_ID
    assert reply["MsgType"] == "text" and reply["Content"]


def test_a_question_is_answered_in_the_response_encrypted(bots, receiver) -> None:
    user = uid("user")
    reply = _passive(wecom(QUESTION, user=user).send(bots))
    assert reply["ToUserName"] == user
    assert "【任务7】" in reply["Content"] and "来源：【任务7】" in reply["Content"]
    assert receiver.about(user) == []  # nothing sent separately


def test_a_long_answer_stays_within_2048_bytes_with_its_sources(bots) -> None:
    content = _passive(wecom("第7项任务讲什么？").send(bots))["Content"]
    assert len(content.encode()) <= 2048  # cutting itself: test_reply.py
    assert content.endswith("来源：【任务7】共建现代化综合交通运输体系")


def test_a_slow_answer_is_acknowledged_then_sent_with_message_send(fresh, receiver) -> None:
    user = uid("user")
    with fresh(wecom_passive_wait_s=0) as client, receiver.holding(SEND) as gate:
        response = wecom(QUESTION, user=user).send(client)
        assert response.status_code == 200 and response.content == b""
        time.sleep(0.2)
        assert receiver.about(user) == []
        gate.set()
        (sent,) = receiver.wait(user, SEND)
    assert sent.query["access_token"] == [ACCESS_TOKEN]
    assert sent.body["touser"] == user and sent.body["agentid"] == 218
    assert sent.body["msgtype"] == "text" and "【任务7】" in sent.body["text"]["content"]


def _signed(encrypted: str) -> Call:
    return wecom_encrypted(encrypted)


def _truncated(text: str) -> Call:
    raw = base64.b64decode(CIPHER.encrypt(wecom_message(text)))
    return _signed(base64.b64encode(raw[:-16]).decode())


def _bad_padding(text: str) -> Call:
    raw = base64.b64decode(CIPHER.encrypt(wecom_message(text)))
    return _signed(base64.b64encode(raw[:-16] + bytes(16)).decode())


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda t: wecom_encrypted(CIPHER.encrypt(wecom_message(t)), token="guessed"), 401),
        (lambda t: _without(wecom(t), "msg_signature"), 401),
        (
            lambda t: _signed(WeComCipher(WECOM_AES_KEY, "wwothercorp").encrypt(wecom_message(t))),
            400,
        ),
        (_truncated, 400),
        (_bad_padding, 400),
        (lambda t: _signed(CIPHER.encrypt(f"<xml><Content>{t}</Content>")), 400),
        (lambda t: _signed(CIPHER.encrypt(f'<!DOCTYPE x [<!ENTITY a "{t}">]><xml>&a;</xml>')), 400),
        (lambda t: Call("POST", "/bots/wecom", f"<xml><Encrypt>{t}".encode()), 400),
        (lambda t: Call("POST", "/bots/wecom", b"{}"), 400),
        (lambda t: wecom(t * 40_000), 413),
    ],
    ids=[
        "forged",
        "unsigned",
        "wrong-corp-id",
        "truncated",
        "bad-padding",
        "malformed-xml",
        "dtd",
        "no-encrypt",
        "not-xml",
        "oversized",
    ],
)
def test_bad_callbacks_get_4xx_and_no_reply(fresh, receiver, make, status) -> None:
    marker = uid("q")
    with fresh(wecom_passive_wait_s=0) as client:
        response = make(marker).send(client)
        assert response.status_code == status, response.text
        assert b"<MsgSignature>" not in response.content
    assert receiver.about(marker) == []


def _without(call: Call, name: str) -> Call:
    del call.params[name]
    return call


@pytest.mark.parametrize("signature", ["0" * 40, None])
def test_a_url_check_with_a_bad_signature_is_refused(bots, signature) -> None:
    params = {"timestamp": "1409659589", "nonce": "263014780", "echostr": ECHO}
    if signature:
        params["msg_signature"] = signature
    response = bots.get("/bots/wecom", params=params)
    assert response.status_code == 401
    assert "1616140317555161061" not in response.text


def test_a_redelivered_message_is_answered_once(fresh, receiver) -> None:
    user, msg_id = uid("user"), "4561255354251345000"
    with fresh(wecom_passive_wait_s=0) as client:
        for _ in range(2):
            assert wecom(QUESTION, user=user, msg_id=msg_id).send(client).content == b""
    assert len(receiver.about(user, SEND)) == 1


def test_events_are_not_answered(fresh, receiver) -> None:
    user = uid("user")
    with fresh(wecom_passive_wait_s=0) as client:
        response = wecom("", user=user, kind="event").send(client)
        assert response.status_code == 200 and response.content == b""
    assert receiver.about(user) == []


def test_follow_ups_read_their_own_conversation(bots) -> None:
    user, other = uid("user"), uid("user")
    _passive(wecom("第7项任务讲什么？", user=user).send(bots))
    follow = _passive(wecom("那谁牵头？", user=user).send(bots))["Content"]
    assert "【任务7】" in follow and "牵头" in follow
    alone = _passive(wecom("那谁牵头？", user=other).send(bots))["Content"]
    assert "【任务7】" not in alone


def test_help_lists_usage_and_example_questions(bots) -> None:
    content = _passive(wecom("帮助").send(bots))["Content"]
    assert "可以这样问" in content and content.count("\n· ") == 3
