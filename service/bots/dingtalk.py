"""``POST /bots/dingtalk``: the DingTalk enterprise-internal robot in HTTP mode.

1. Verify the ``timestamp`` (ms, within 1 hour) and ``sign`` headers:
   base64(HMAC-SHA256(app secret, timestamp + "\\n" + app secret)).
2. Take each ``msgId`` once; in a group (``conversationType`` "2") answer only when
   the robot is mentioned (``isInAtList``).
3. Acknowledge at once, then POST the answer as markdown to the message's
   ``sessionWebhook`` before ``sessionWebhookExpiredTime``, mentioning the asker in a
   group. Only webhooks under ``POLICYQA_DINGTALK_WEBHOOK_PREFIX`` are called.

Conversations: a one-to-one chat is one; a group has no threads, so in a group each
asker has their own.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from service.bots.core import Bots, parse_json, refuse, text_at
from service.bots.reply import MARKDOWN, Format, strip_mentions
from service.bots.signatures import SignatureError, verify_dingtalk

# DingTalk documents no limit for a robot's markdown; long ones are cut off in the app.
FORMAT = Format(MARKDOWN, 3500)
TITLE_CHARS = 20  # of the question, as the markdown title (what a notification shows)


def router(bots: Bots) -> APIRouter:
    """The DingTalk route over ``bots`` (settings, memory, outbound client)."""
    secret = bots.settings.dingtalk_app_secret.get_secret_value()
    # Ends with "/", so https://oapi.dingtalk.com.example.net/ is not under it.
    allowed = bots.settings.dingtalk_webhook_prefix.rstrip("/") + "/"
    api = APIRouter()

    @api.post("/bots/dingtalk")
    async def dingtalk(request: Request) -> Response:
        raw = await bots.read_body(request)
        try:
            verify_dingtalk(
                secret,
                request.headers.get("timestamp"),
                request.headers.get("sign"),
                now_ms=int(bots.clock() * 1000),
            )
        except SignatureError as err:
            raise refuse(401, str(err)) from None
        message = parse_json(raw, "the DingTalk message")
        webhook = text_at(message, "sessionWebhook")
        if not webhook.startswith(allowed):
            raise refuse(400, "the sessionWebhook is missing or not a DingTalk address")
        group = message.get("conversationType") == "2"
        if message.get("msgtype", "text") != "text" or (group and not message.get("isInAtList")):
            return JSONResponse({})
        expires = message.get("sessionWebhookExpiredTime")
        if isinstance(expires, int) and expires <= bots.clock() * 1000:
            return JSONResponse({})  # too late to reply
        engine = bots.engine(request)  # 503 before it loads
        msg_id = text_at(message, "msgId")
        if msg_id and not bots.seen.first(("dingtalk", msg_id)):
            return JSONResponse({})
        question = strip_mentions(text_at(message, "text", "content"))
        asker = text_at(message, "senderStaffId")
        chat = text_at(message, "conversationId")
        key = ("dingtalk", chat, asker) if group else ("dingtalk", chat)

        async def send(text: str) -> None:
            # A mention shows only when its "@id" is in the text too.
            mention = f"\n\n@{asker}" if group and asker else ""
            reply = {
                "msgtype": "markdown",
                "markdown": {"title": question[:TITLE_CHARS] or "政策问答", "text": text + mention},
                "at": {"atUserIds": [asker] if asker else []},
            }
            await bots.outbound.dingtalk_send(webhook, reply)

        bots.spawn(bots.deliver("dingtalk", bots.respond(engine, key, question, FORMAT), send))
        return JSONResponse({})

    return api
