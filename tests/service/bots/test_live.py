"""Acceptance: a real ``policyqa serve`` process, configured through ``POLICYQA_*``
variables only, answers each platform's signed (or encrypted) callback with a reply
citing 【任务N】 at the local receiver, in that platform's message format; a forged
callback gets a 4xx and produces nothing."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.bots.platforms import (
    CIPHER,
    bot_settings,
    dingtalk,
    feishu,
    feishu_event,
    slack,
    slack_event,
    uid,
    wecom,
)
from tests.service.bots.receiver import Receiver

ROOT = Path(__file__).resolve().parents[3]
QUESTION = "铁路建设由哪个部门牵头？"
CITES = re.compile(r"【任务\d+】")
FORGED: list[str] = []  # markers of the forged callbacks: none may ever reach the receiver


def _env(receiver: Receiver, index: Path) -> dict[str, str]:
    settings = bot_settings(receiver.base)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYQA_")}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if (
            name.startswith(("dingtalk_", "feishu_", "wecom_", "slack_"))
            or name == "rate_limit_per_minute"
        ):
            secret = getattr(value, "get_secret_value", None)
            env[f"POLICYQA_{name.upper()}"] = str(secret() if secret else value)
    return env | {"POLICYQA_INDEX_DIR": str(index), "PYTHONUNBUFFERED": "1"}


@pytest.fixture(scope="module")
def served(real_index: Path, receiver: Receiver) -> Iterator[httpx.Client]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-c", "from service.cli import cli; cli()", "serve", "--port", str(port)],
        cwd=ROOT,
        env=_env(receiver, real_index),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    with httpx.Client(base_url=base, timeout=30) as client:
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"serve did not start:\n{process.communicate()[0].decode()}")
            try:
                if client.get("/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        yield client
    process.send_signal(signal.SIGTERM)  # in-flight replies finish first
    out = process.communicate(timeout=30)[0].decode()
    line = "messaging bots: dingtalk on at /bots/dingtalk; feishu on at /bots/feishu; "
    assert line + "wecom on at /bots/wecom; slack on at /bots/slack" in out
    for secret in ("dingtalk-app-secret", "feishu-app-secret", "wecom-corp-secret", "xoxb-"):
        assert secret not in out
    assert all(receiver.about(marker) == [] for marker in FORGED)


def test_dingtalk(served, receiver) -> None:
    forged, chat = uid("cid"), uid("cid")
    FORGED.append(forged)
    assert (
        dingtalk(QUESTION, receiver=receiver.base, chat=forged, secret="guess")
        .send(served)
        .status_code
        == 401
    )
    assert dingtalk(QUESTION, receiver=receiver.base, chat=chat).send(served).status_code == 200
    reply = receiver.wait(chat, "/robot/sendBySession")[0].body
    assert reply["msgtype"] == "markdown" and CITES.search(reply["markdown"]["text"])
    assert receiver.about(forged) == []


def test_feishu(served, receiver) -> None:
    forged, message = uid("om_"), uid("om_")
    FORGED.append(forged)
    call = feishu(feishu_event(QUESTION, message_id=forged))
    call.headers["X-Lark-Signature"] = "f" * 64
    assert call.send(served).status_code == 401
    assert feishu(feishu_event(QUESTION, message_id=message)).send(served).status_code == 200
    reply = receiver.wait(message, f"/open-apis/im/v1/messages/{message}/reply")[0].body
    assert reply["msg_type"] == "post"
    assert CITES.search(json.loads(reply["content"])["zh_cn"]["content"][0][0]["text"])
    assert receiver.about(forged) == []


def test_wecom(served, receiver) -> None:
    forged, user = uid("user"), uid("user")
    FORGED.append(forged)
    call = wecom(QUESTION, user=forged)
    call.params["msg_signature"] = "0" * 40
    assert call.send(served).status_code == 401
    response = wecom(QUESTION, user=user).send(served)
    assert response.status_code == 200
    encrypted = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", response.text)[1]
    inner = CIPHER.decrypt(encrypted)
    assert f"<ToUserName><![CDATA[{user}]]></ToUserName>" in inner
    assert "<MsgType><![CDATA[text]]></MsgType>" in inner and CITES.search(inner)
    assert receiver.about(forged) == []


def test_slack(served, receiver) -> None:
    forged, channel = uid("C"), uid("C")
    FORGED.append(forged)
    stale = int(time.time()) - 600
    assert (
        slack(slack_event(QUESTION, channel=forged), timestamp=stale).send(served).status_code
        == 401
    )
    assert slack(slack_event(QUESTION, channel=channel)).send(served).status_code == 200
    reply = receiver.wait(channel, "/api/chat.postMessage")[0].body
    assert reply["channel"] == channel and reply["thread_ts"] and CITES.search(reply["text"])
    assert receiver.about(forged) == []
