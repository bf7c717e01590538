"""``GET`` and ``POST /bots/wecom``: the callback of a WeCom self-built app.

- ``msg_signature`` = sha1 of the sorted token, timestamp, nonce and encrypted text;
  the text is AES-256-CBC (key = b64decode(EncodingAESKey + "="), IV = key[:16], PKCS#7
  to 32 bytes) over 16 random bytes, a 4-byte length, the message and the corp id,
  which must be ours.
- ``GET`` (registering the URL): verify, decrypt ``echostr`` and return it as plain text.
- ``POST``: the ``Encrypt`` element is taken from the raw body with a strict pattern
  and verified before any XML parser sees anything; the decrypted message is parsed
  (no DTDs). Each ``MsgId`` is taken once. An answer ready within
  ``POLICYQA_WECOM_PASSIVE_WAIT_S`` goes back in the response as encrypted XML (at
  most 2,048 bytes); a later one through the app's message/send API, after an empty
  200 (WeCom's "no passive reply").

Conversations: app messages are one-to-one, so each user has one.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import xml.etree.ElementTree as ET

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from service.bots.core import Bots, refuse
from service.bots.reply import Format, strip_mentions, utf8_size
from service.bots.signatures import SignatureError, WeComCipher, verify_wecom, wecom_signature

# Text messages, passive or sent, hold at most 2,048 bytes.
FORMAT = Format(None, 2048, utf8_size)
_ENCRYPT = re.compile(
    rb"<Encrypt>\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]+)\]\]>|([A-Za-z0-9+/=]+))"
    rb"\s*</Encrypt>"
)
_DTD = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def router(bots: Bots) -> APIRouter:
    """The WeCom routes over ``bots``. Raises ValueError for a malformed AES key."""
    settings = bots.settings
    token = settings.wecom_token.get_secret_value()
    cipher = WeComCipher(settings.wecom_aes_key.get_secret_value(), settings.wecom_corp_id)
    api = APIRouter()

    def check(request: Request, encrypted: str | None) -> str:
        """Verify the query's signature over ``encrypted``, then decrypt it."""
        query = request.query_params
        try:
            verify_wecom(
                token,
                query.get("timestamp"),
                query.get("nonce"),
                encrypted,
                query.get("msg_signature"),
            )
        except SignatureError as err:
            raise refuse(401, str(err)) from None
        try:
            return cipher.decrypt(encrypted or "")
        except SignatureError as err:
            raise refuse(400, str(err)) from None

    @api.get("/bots/wecom")
    async def verify_url(request: Request) -> Response:
        return PlainTextResponse(check(request, request.query_params.get("echostr")))

    @api.post("/bots/wecom")
    async def receive(request: Request) -> Response:
        raw = await bots.read_body(request)
        found = _ENCRYPT.search(raw)
        if found is None:
            raise refuse(400, "WeCom: the body holds no <Encrypt> element")
        fields = _fields(check(request, (found[1] or found[2]).decode("ascii")))
        if fields.get("MsgType") != "text":
            return Response(status_code=200)  # events (entering the app, …): no reply
        engine = bots.engine(request)  # 503 before it loads: WeCom retries
        user = fields.get("FromUserName", "")
        msg_id = fields.get("MsgId") or f"{user}/{fields.get('CreateTime', '')}"
        if not user or not bots.seen.first(("wecom", msg_id)):
            return Response(status_code=200)
        question = strip_mentions(fields.get("Content", ""))
        job = asyncio.ensure_future(bots.respond(engine, ("wecom", user), question, FORMAT))
        done, _ = await asyncio.wait({job}, timeout=settings.wecom_passive_wait_s)
        if job in done and job.exception() is None:
            now = str(int(bots.clock()))
            xml = passive_reply(cipher, token, settings.wecom_corp_id, user, job.result(), now)
            return Response(xml, media_type="application/xml")

        async def send(text: str) -> None:
            await bots.outbound.wecom_send(user, text)

        bots.spawn(bots.deliver("wecom", job, send))
        return Response(status_code=200)

    return api


def _fields(plain: str) -> dict[str, str]:
    """The child elements of a decrypted ``<xml>`` message, by tag; 400 if malformed."""
    if _DTD.search(plain):
        raise refuse(400, "WeCom: the message declares a DTD")
    try:
        root = ET.fromstring(plain)
    except ET.ParseError:
        raise refuse(400, "WeCom: the decrypted message is not well-formed XML") from None
    return {child.tag: (child.text or "").strip() for child in root}


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def passive_reply(
    cipher: WeComCipher,
    token: str,
    corp_id: str,
    user: str,
    text: str,
    timestamp: str,
    nonce: str | None = None,
) -> str:
    """The encrypted XML that answers a callback with a text message to ``user``."""
    nonce = nonce or str(secrets.randbelow(10**10))
    message = (
        f"<xml><ToUserName>{_cdata(user)}</ToUserName>"
        f"<FromUserName>{_cdata(corp_id)}</FromUserName>"
        f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(text)}</Content></xml>"
    )
    encrypted = cipher.encrypt(message)
    signature = wecom_signature(token, timestamp, nonce, encrypted)
    return (
        f"<xml><Encrypt>{_cdata(encrypted)}</Encrypt>"
        f"<MsgSignature>{_cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{_cdata(nonce)}</Nonce></xml>"
    )
