"""``POST /bots/slack``: the Slack Events API.

1. Verify ``X-Slack-Signature`` over the raw body, with the timestamp within 5 minutes.
2. Echo ``url_verification``.
3. Take ``event_callback`` once per ``event_id`` (and per message: an ``app_mention``
   and a ``message`` event can carry the same one); a retry of a taken event (one
   with ``X-Slack-Retry-Num``) is answered with ``X-Slack-No-Retry: 1``.
4. Skip bots (our own replies included) and edits; in channels answer only mentions;
   acknowledge at once, and reply in the thread with ``chat.postMessage``.

Conversations: a direct message channel is one; in a channel, each thread is one.
"""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from service.bots.core import Bots, dig, parse_json, refuse, text_at
from service.bots.reply import SLACK, Format, strip_mentions
from service.bots.signatures import SignatureError, verify_slack

# Slack truncates a message's text past 40,000 characters and advises under 4,000.
FORMAT = Format(SLACK, 3900)
_ANSWERED = frozenset({"app_mention", "message"})


def router(bots: Bots) -> APIRouter:
    """The Slack route over ``bots`` (settings, memory, outbound client)."""
    secret = bots.settings.slack_signing_secret.get_secret_value()
    api = APIRouter()

    @api.post("/bots/slack")
    async def slack(request: Request) -> Response:
        raw = await bots.read_body(request)
        try:
            verify_slack(
                secret,
                request.headers.get("x-slack-request-timestamp"),
                raw,
                request.headers.get("x-slack-signature"),
                now=bots.clock(),
            )
        except SignatureError as err:
            raise refuse(401, str(err)) from None
        payload = parse_json(raw, "the Slack event")
        kind = payload.get("type")
        if kind == "url_verification":
            return JSONResponse({"challenge": text_at(payload, "challenge")})
        if kind != "event_callback":
            return Response(status_code=200)
        event = payload.get("event")
        if not isinstance(event, dict) or not _for_us(event, _bot_user(payload)):
            return Response(status_code=200)
        engine = bots.engine(request)  # 503 before it loads: Slack retries
        channel, ts = text_at(event, "channel"), text_at(event, "ts")
        event_id = text_at(payload, "event_id") or f"{channel}/{ts}"
        if not bots.seen.first(("slack", event_id), ("slack", channel, ts)):
            retried = request.headers.get("x-slack-retry-num") is not None
            return Response(status_code=200, headers={"X-Slack-No-Retry": "1"} if retried else {})
        question = strip_mentions(html.unescape(text_at(event, "text")))
        direct = event.get("channel_type") == "im"
        thread = text_at(event, "thread_ts") or (None if direct else ts)
        key = ("slack", channel) if direct else ("slack", channel, thread)

        async def send(text: str) -> None:
            message: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
            if thread:
                message["thread_ts"] = thread
            await bots.outbound.slack_post(message)

        reply = bots.respond(engine, key, question, FORMAT)
        bots.spawn(bots.deliver("slack", reply, send))
        return Response(status_code=200)

    return api


def _bot_user(payload: dict[str, Any]) -> str:
    """Our bot's user id, from the event's authorizations (Slack sends them)."""
    found = payload.get("authorizations")
    if isinstance(found, list) and found:
        return text_at(found[0], "user_id")
    return ""


def _for_us(event: dict[str, Any], bot_user: str) -> bool:
    """A person's new message to the bot: a mention, or any message in a direct chat."""
    if event.get("type") not in _ANSWERED or event.get("subtype") or event.get("bot_id"):
        return False  # edits, deletions, joins, and every bot's messages, ours included
    user = text_at(event, "user")
    if not user or user == bot_user or not text_at(event, "channel"):
        return False
    if event["type"] == "app_mention" or dig(event, "channel_type") == "im":
        return True
    # A channel message mentioning the bot (when the app also gets message.channels).
    return bool(bot_user) and f"<@{bot_user}" in text_at(event, "text")
