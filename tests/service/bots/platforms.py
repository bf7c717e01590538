"""Requests as each platform sends them: signed (and encrypted) with the test secrets,
using the signature functions of service.bots.signatures (tested against the published
vectors in test_signatures.py)."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from service.bots.signatures import (
    WeComCipher,
    dingtalk_sign,
    feishu_encrypt,
    feishu_signature,
    slack_signature,
    wecom_signature,
)
from service.config import Settings

DINGTALK_SECRET = "dingtalk-app-secret-for-tests"
FEISHU_APP_ID = "cli_test_app"
FEISHU_APP_SECRET = "feishu-app-secret-for-tests"
FEISHU_TOKEN = "feishu-verification-token"
FEISHU_KEY = "feishu encrypt key for tests"
# WeCom's published sample configuration (vector A), so the vector runs on the route.
WECOM_TOKEN = "QDG6eK"
WECOM_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
WECOM_CORP_ID = "wx5823bf96d3bd56c7"
WECOM_AGENT_ID = 218
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_BOT_USER = "UBOTPOLICYQA"


def bot_settings(base: str, **overrides: Any) -> Settings:
    """Settings with every platform on, their APIs at the receiver ``base``."""
    values: dict[str, Any] = {
        "rate_limit_per_minute": 0,
        "dingtalk_app_secret": DINGTALK_SECRET,
        "dingtalk_webhook_prefix": f"{base}/robot/",
        "feishu_app_id": FEISHU_APP_ID,
        "feishu_app_secret": FEISHU_APP_SECRET,
        "feishu_verification_token": FEISHU_TOKEN,
        "feishu_encrypt_key": FEISHU_KEY,
        "feishu_api_base": base,
        "wecom_token": WECOM_TOKEN,
        "wecom_aes_key": WECOM_AES_KEY,
        "wecom_corp_id": WECOM_CORP_ID,
        "wecom_corp_secret": "wecom-corp-secret-for-tests",
        "wecom_agent_id": WECOM_AGENT_ID,
        "wecom_api_base": base,
        "slack_signing_secret": SLACK_SECRET,
        "slack_bot_token": "xoxb-test-token",
        "slack_api_base": f"{base}/api",
    }
    return Settings(**{**values, **overrides})


def uid(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex[:12]


@dataclass
class Call:
    """One HTTP request: path, headers, query parameters and the raw body."""

    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)

    def send(self, client: Any) -> Any:
        """Send it with a TestClient or an httpx.Client."""
        return client.request(
            self.method, self.path, content=self.body, headers=self.headers, params=self.params
        )


# --- DingTalk -----------------------------------------------------------------------


def dingtalk(
    text: str,
    *,
    receiver: str,
    chat: str | None = None,
    group: bool = False,
    at_bot: bool = True,
    msg_id: str | None = None,
    staff: str = "staff-001",
    timestamp_ms: int | None = None,
    secret: str = DINGTALK_SECRET,
) -> Call:
    now = int(time.time() * 1000)
    ts = str(timestamp_ms if timestamp_ms is not None else now)
    chat = chat or uid("cid")
    message = {
        "msgtype": "text",
        "text": {"content": f" {text}"},
        "msgId": msg_id or uid("msg"),
        "createAt": now,
        "conversationType": "2" if group else "1",
        "conversationId": chat,
        "senderId": "$:LWCP_v1:$encrypted",
        "senderNick": "张三",
        "senderStaffId": staff,
        "isInAtList": at_bot,
        "chatbotUserId": "$:LWCP_v1:$bot",
        "sessionWebhook": f"{receiver}/robot/sendBySession?session={chat}",
        "sessionWebhookExpiredTime": now + 90 * 60 * 1000,
    }
    headers = {
        "Content-Type": "application/json",
        "timestamp": ts,
        "sign": dingtalk_sign(secret, ts),
    }
    return Call("POST", "/bots/dingtalk", json.dumps(message).encode(), headers)


# --- Feishu -------------------------------------------------------------------------


def feishu_event(
    text: str,
    *,
    chat: str | None = None,
    group: bool = False,
    mention_bot: bool = True,
    message_id: str | None = None,
    event_id: str | None = None,
    root_id: str = "",
    sender_type: str = "user",
    token: str = FEISHU_TOKEN,
) -> dict[str, Any]:
    mentions = []
    if group and mention_bot:
        text = f"@_user_1 {text}"
        mentions = [{"key": "@_user_1", "id": {"open_id": "ou_policyqa_bot"}, "name": "政策问答"}]
    return {
        "schema": "2.0",
        "header": {
            "event_id": event_id or uid("ev"),
            "event_type": "im.message.receive_v1",
            "create_time": str(int(time.time() * 1000)),
            "token": token,
            "app_id": FEISHU_APP_ID,
            "tenant_key": "tenant",
        },
        "event": {
            "sender": {"sender_id": {"open_id": "ou_user"}, "sender_type": sender_type},
            "message": {
                "message_id": message_id or uid("om_"),
                "root_id": root_id,
                "chat_id": chat or uid("oc_"),
                "chat_type": "group" if group else "p2p",
                "message_type": "text",
                "content": json.dumps({"text": text}, ensure_ascii=False),
                "mentions": mentions,
            },
        },
    }


def feishu(payload: dict[str, Any] | str, *, key: str = FEISHU_KEY, sign: bool = True) -> Call:
    """The encrypted, signed request carrying ``payload``."""
    plain = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    body = json.dumps({"encrypt": feishu_encrypt(key, plain)}).encode()
    return feishu_raw(body, key=key, sign=sign)


def feishu_raw(body: bytes, *, key: str = FEISHU_KEY, sign: bool = True) -> Call:
    headers = {"Content-Type": "application/json"}
    if sign:
        ts, nonce = str(int(time.time())), uid()
        headers |= {
            "X-Lark-Request-Timestamp": ts,
            "X-Lark-Request-Nonce": nonce,
            "X-Lark-Signature": feishu_signature(ts, nonce, key, body),
        }
    return Call("POST", "/bots/feishu", body, headers)


# --- WeCom --------------------------------------------------------------------------

CIPHER = WeComCipher(WECOM_AES_KEY, WECOM_CORP_ID)


def wecom_message(
    text: str, *, user: str | None = None, msg_id: str | None = None, kind: str = "text"
) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{WECOM_CORP_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{user or uid('user')}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>"
        f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id or uuid.uuid4().int % 10**19}</MsgId>"
        f"<AgentID>{WECOM_AGENT_ID}</AgentID></xml>"
    )


def wecom_encrypted(encrypted: str, *, token: str = WECOM_TOKEN) -> Call:
    """The POST that carries ``encrypted`` (signed with ``token``)."""
    ts, nonce = str(int(time.time())), str(uuid.uuid4().int % 10**9)
    body = (
        f"<xml><ToUserName><![CDATA[{WECOM_CORP_ID}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[{WECOM_AGENT_ID}]]></AgentID></xml>"
    ).encode()
    params = {
        "msg_signature": wecom_signature(token, ts, nonce, encrypted),
        "timestamp": ts,
        "nonce": nonce,
    }
    return Call("POST", "/bots/wecom", body, {"Content-Type": "text/xml"}, params)


def wecom(text: str, **fields: Any) -> Call:
    return wecom_encrypted(CIPHER.encrypt(wecom_message(text, **fields)))


# --- Slack --------------------------------------------------------------------------


def slack_event(
    text: str,
    *,
    channel: str | None = None,
    direct: bool = False,
    kind: str = "app_mention",
    event_id: str | None = None,
    ts: str | None = None,
    thread_ts: str | None = None,
    user: str = "UASKER01",
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message" if direct else kind,
        "user": user,
        "text": text if direct else f"<@{SLACK_BOT_USER}> {text}",
        "channel": channel or uid("C"),
        "ts": ts or f"{time.time():.6f}",
        **extra,
    }
    if direct:
        event["channel_type"] = "im"
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event": event,
        "event_id": event_id or uid("Ev"),
        "event_time": int(time.time()),
        "authorizations": [{"user_id": SLACK_BOT_USER, "is_bot": True}],
    }


def slack(
    payload: dict[str, Any] | bytes,
    *,
    timestamp: int | None = None,
    secret: str = SLACK_SECRET,
    retry: int | None = None,
) -> Call:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    ts = str(timestamp if timestamp is not None else int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": slack_signature(secret, ts, body),
    }
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return Call("POST", "/bots/slack", body, headers)
