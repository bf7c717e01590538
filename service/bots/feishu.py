"""``POST /bots/feishu``: Feishu/Lark event subscription (schema 2.0) in Encrypt Key mode.

1. Verify ``X-Lark-Signature`` = sha256_hex(timestamp + nonce + encrypt key + raw
   body) before reading the body; decrypt ``{"encrypt": …}`` (AES-256-CBC, key =
   SHA-256 of the Encrypt Key, IV = the first 16 bytes).
2. ``url_verification`` (unsigned by Feishu's design): check the Verification Token
   inside the decrypted body and echo ``{"challenge"}``.
3. ``im.message.receive_v1``: check the token again, take each ``header.event_id`` and
   each message id once, skip bots; ``message.content`` is a JSON string. In a group
   answer only when the bot itself is mentioned.
4. Acknowledge at once (Feishu pushes again after 3 s), then reply to the message
   with the reply-message API (a tenant access token from the app id and secret), as
   a ``post`` whose ``md`` element carries the markdown.

Conversations: a one-to-one chat is one; in a group, each reply chain (the question
and the replies under it, ``root_id``) is one.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from service.bots.core import Bots, dig, list_at, parse_json, refuse, text_at
from service.bots.outbound import DeliveryError
from service.bots.reply import MARKDOWN, Format, strip_mentions
from service.bots.signatures import SignatureError, feishu_decrypt, verify_feishu

log = logging.getLogger(__name__)

# A post message may be 30 KB; past a few thousand characters a chat reply is unread.
FORMAT = Format(MARKDOWN, 4000)
EVENT = "im.message.receive_v1"


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def router(bots: Bots) -> APIRouter:
    """The Feishu route over ``bots`` (settings, memory, outbound client)."""
    encrypt_key = bots.settings.feishu_encrypt_key.get_secret_value()
    token = bots.settings.feishu_verification_token.get_secret_value()
    api = APIRouter()

    @api.post("/bots/feishu")
    async def feishu(request: Request) -> Response:
        raw = await bots.read_body(request)
        signature = request.headers.get("x-lark-signature")
        if signature is not None:
            try:
                verify_feishu(
                    request.headers.get("x-lark-request-timestamp"),
                    request.headers.get("x-lark-request-nonce"),
                    encrypt_key,
                    raw,
                    signature,
                )
            except SignatureError as err:
                raise refuse(401, str(err)) from None
        encrypted = parse_json(raw, "the Feishu event").get("encrypt")
        if not isinstance(encrypted, str):
            raise refuse(
                400, "the Feishu event is not encrypted: set an Encrypt Key in its console"
            )
        try:
            event = parse_json(feishu_decrypt(encrypt_key, encrypted).encode(), "the Feishu event")
        except SignatureError as err:
            raise refuse(400, str(err)) from None
        if event.get("type") == "url_verification":
            if not _same(text_at(event, "token"), token):
                raise refuse(401, "Feishu: the verification token does not match")
            return JSONResponse({"challenge": text_at(event, "challenge")})
        if signature is None:
            raise refuse(401, "Feishu: the X-Lark-Signature header is missing")
        if not _same(text_at(event, "header", "token"), token):
            raise refuse(401, "Feishu: the verification token does not match")
        message = dig(event, "event", "message")
        if text_at(event, "header", "event_type") != EVENT or not isinstance(message, dict):
            return JSONResponse({})
        if dig(event, "event", "sender", "sender_type") != "user":
            return JSONResponse({})  # other bots, and our own replies
        if message.get("message_type") != "text":
            return JSONResponse({})
        engine = bots.engine(request)  # 503 before it loads: Feishu pushes again
        message_id = text_at(message, "message_id")
        event_id = text_at(event, "header", "event_id") or message_id
        if not bots.seen.first(("feishu", "event", event_id), ("feishu", "message", message_id)):
            return JSONResponse({})
        text = _text(message)
        chat = text_at(message, "chat_id")
        group = message.get("chat_type") != "p2p"
        key = (
            ("feishu", chat, text_at(message, "root_id") or message_id)
            if group
            else ("feishu", chat)
        )

        async def reply() -> str | None:
            if group and not await _mentions_us(bots, message):
                return None
            return await bots.respond(engine, key, text, FORMAT)

        async def send(answer: str) -> None:
            post = {"zh_cn": {"content": [[{"tag": "md", "text": answer}]]}}
            body = {
                "msg_type": "post",
                "content": json.dumps(post, ensure_ascii=False),
                "uuid": message_id[:50],  # Feishu sends one reply per uuid
            }
            await bots.outbound.feishu_reply(message_id, body)

        bots.spawn(bots.deliver("feishu", reply(), send))
        return JSONResponse({})

    return api


def _text(message: dict[str, Any]) -> str:
    """The text of a text message, its mention placeholders (@_user_1) removed."""
    try:
        content = json.loads(text_at(message, "content") or "{}")
    except ValueError:
        raise refuse(400, "Feishu: the message content is not valid JSON") from None
    text = text_at(content, "text")
    for mention in list_at(message, "mentions"):
        placeholder = text_at(mention, "key")
        if placeholder:
            text = text.replace(placeholder, " ")
    return strip_mentions(text)


async def _mentions_us(bots: Bots, message: dict[str, Any]) -> bool:
    """Whether a group message mentions this bot (not only someone else)."""
    mentioned = {text_at(m, "id", "open_id") for m in list_at(message, "mentions")}
    if not mentioned - {""}:
        return False
    try:
        return await bots.outbound.feishu_bot_open_id() in mentioned
    except DeliveryError as err:  # the reply would fail the same way: stay silent
        log.warning("feishu: could not tell whom a group message mentions: %s", err)
        return False
