"""Every call the bots make to a platform, through one ``httpx.AsyncClient``.

Timeouts on every call; a request that could not connect, or that a gateway
answered 502/503/504, is tried again (twice, after a short pause). The access
tokens the platforms want are fetched from the app's credentials and cached until
shortly before they expire (Feishu's tenant token, WeCom's access token); a reply
refused for a stale token fetches a new one once. Base URLs come from the settings,
so tests point them at a local server. Tokens and secrets are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from indexer.errors import PolicyQAError
from service.config import Settings

log = logging.getLogger(__name__)
# httpx logs each request's URL at INFO, and WeCom puts its corp secret and access
# token in the query string: with `policyqa -v` they would reach the logs.
logging.getLogger("httpx").setLevel(logging.WARNING)

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RETRIES = 2
RETRY_PAUSE_S = 0.3
_RETRY_STATUSES = frozenset({502, 503, 504})
# A cached token is replaced this long before the platform says it expires.
TOKEN_MARGIN_S = 300
# Codes meaning "the token is invalid or expired": Feishu's, then WeCom's.
_STALE_TOKEN = frozenset({99991661, 99991663, 99991668, 40014, 42001})


class DeliveryError(PolicyQAError):
    """A platform did not take a reply (or a token request); the message says which."""


class Outbound:
    """The bots' one HTTP client and their cached access tokens."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._transport = transport
        self._clock = clock
        self._client: httpx.AsyncClient | None = None
        self._tokens: dict[str, tuple[str, float]] = {}  # name -> (token, expires at)
        self._locks: dict[str, asyncio.Lock] = {}
        self.feishu_bot_id: str | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=TIMEOUT, transport=self._transport, follow_redirects=False
            )
        return self._client

    async def aclose(self) -> None:
        """Close the client (at shutdown); a later call opens a new one."""
        if self._client is not None:
            await self._client.aclose()
        self._client = None
        self._locks.clear()

    async def request(self, method: str, url: str, **options: Any) -> httpx.Response:
        """One call, tried again on connection failures and gateway errors."""
        for attempt in range(RETRIES + 1):
            try:
                response = await self.client.request(method, url, **options)
            except (httpx.ConnectError, httpx.ConnectTimeout) as err:
                if attempt == RETRIES:
                    raise DeliveryError(f"could not connect to {_host(url)}: {err}") from None
            else:
                if response.status_code not in _RETRY_STATUSES or attempt == RETRIES:
                    return response
            await asyncio.sleep(RETRY_PAUSE_S * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _json(self, method: str, url: str, what: str, **options: Any) -> dict[str, Any]:
        response = await self.request(method, url, **options)
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 400 or not isinstance(data, dict):
            raise DeliveryError(f"{what}: {_host(url)} answered HTTP {response.status_code}")
        return data

    async def _token(self, name: str, fetch: Callable[[], Awaitable[tuple[str, float]]]) -> str:
        cached = self._tokens.get(name)
        if cached and cached[1] > self._clock():
            return cached[0]
        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock:  # one fetch at a time; the others take its token
            cached = self._tokens.get(name)
            if cached and cached[1] > self._clock():
                return cached[0]
            token, lifetime = await fetch()
            self._tokens[name] = (token, self._clock() + max(0.0, lifetime - TOKEN_MARGIN_S))
            return token

    async def _with_token(
        self, name: str, fetch: Callable[[], Awaitable[tuple[str, float]]], call: Any
    ) -> dict[str, Any]:
        """``call(token)``, once more with a new token when the platform calls it stale."""
        for attempt in range(2):
            data: dict[str, Any] = await call(await self._token(name, fetch))
            code = data.get("code", data.get("errcode", 0))
            if code not in _STALE_TOKEN or attempt:
                return data
            self._tokens.pop(name, None)
        raise AssertionError("unreachable")  # pragma: no cover

    # --- DingTalk ---------------------------------------------------------------------

    async def dingtalk_send(self, webhook: str, message: dict[str, Any]) -> None:
        """POST a message to a conversation's ``sessionWebhook`` (no token needed)."""
        data = await self._json("POST", webhook, "DingTalk reply", json=message)
        _check(data, "errcode", "DingTalk reply")

    # --- Feishu -----------------------------------------------------------------------

    async def _feishu_fetch(self) -> tuple[str, float]:
        url = f"{self.settings.feishu_api_base}/open-apis/auth/v3/tenant_access_token/internal"
        credentials = {
            "app_id": self.settings.feishu_app_id,
            "app_secret": self.settings.feishu_app_secret.get_secret_value(),
        }
        data = await self._json("POST", url, "Feishu token", json=credentials)
        _check(data, "code", "Feishu token")
        return _token(data, "tenant_access_token", "expire", "Feishu token")

    async def _feishu(self, method: str, path: str, what: str, **options: Any) -> dict[str, Any]:
        url = f"{self.settings.feishu_api_base}{path}"

        async def call(token: str) -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {token}"}
            return await self._json(method, url, what, headers=headers, **options)

        data = await self._with_token("feishu", self._feishu_fetch, call)
        _check(data, "code", what)
        return data

    async def feishu_reply(self, message_id: str, body: dict[str, Any]) -> None:
        """Reply to ``message_id`` with the reply-message API."""
        path = f"/open-apis/im/v1/messages/{message_id}/reply"
        await self._feishu("POST", path, "Feishu reply", json=body)

    async def feishu_bot_open_id(self) -> str:
        """The bot's own open_id (to tell a mention of it from one of someone else)."""
        if self.feishu_bot_id is None:
            data = await self._feishu("GET", "/open-apis/bot/v3/info", "Feishu bot info")
            bot = data.get("bot")
            open_id = bot.get("open_id") if isinstance(bot, dict) else None
            if not isinstance(open_id, str) or not open_id:
                raise DeliveryError("Feishu bot info: the answer holds no open_id")
            self.feishu_bot_id = open_id
        return self.feishu_bot_id

    # --- WeCom ------------------------------------------------------------------------

    async def _wecom_fetch(self) -> tuple[str, float]:
        url = f"{self.settings.wecom_api_base}/cgi-bin/gettoken"
        params = {
            "corpid": self.settings.wecom_corp_id,
            "corpsecret": self.settings.wecom_corp_secret.get_secret_value(),
        }
        data = await self._json("GET", url, "WeCom token", params=params)
        _check(data, "errcode", "WeCom token")
        return _token(data, "access_token", "expires_in", "WeCom token")

    async def wecom_send(self, user: str, text: str) -> None:
        """Send ``text`` to ``user`` with the message/send API of the app."""
        url = f"{self.settings.wecom_api_base}/cgi-bin/message/send"
        message = {
            "touser": user,
            "msgtype": "text",
            "agentid": self.settings.wecom_agent_id,
            "text": {"content": text},
        }

        async def call(token: str) -> dict[str, Any]:
            params = {"access_token": token}
            return await self._json("POST", url, "WeCom send", params=params, json=message)

        _check(await self._with_token("wecom", self._wecom_fetch, call), "errcode", "WeCom send")

    # --- Slack ------------------------------------------------------------------------

    async def slack_post(self, message: dict[str, Any]) -> None:
        """``chat.postMessage`` with the bot token."""
        token = self.settings.slack_bot_token.get_secret_value()
        url = f"{self.settings.slack_api_base}/chat.postMessage"
        headers = {"Authorization": f"Bearer {token}"}
        data = await self._json("POST", url, "Slack reply", json=message, headers=headers)
        if data.get("ok") is not True:
            raise DeliveryError(f"Slack reply: refused ({str(data.get('error'))[:80]})")


def _host(url: str) -> str:
    """The host of ``url`` only: query strings may hold tokens, paths session keys."""
    try:
        return httpx.URL(url).host or "?"
    except httpx.InvalidURL:
        return "?"


def _token(data: dict[str, Any], key: str, expires: str, what: str) -> tuple[str, float]:
    """An access token and its lifetime in seconds, from a token API's answer."""
    token = data.get(key)
    if not isinstance(token, str) or not token:
        raise DeliveryError(f"{what}: the answer holds no {key}")
    return token, float(data.get(expires) or 0)


def _check(data: dict[str, Any], field: str, what: str) -> None:
    code = data.get(field, 0)
    if code not in (0, None):
        message = str(data.get("msg") or data.get("errmsg") or "")[:80]
        raise DeliveryError(f"{what}: refused with code {code} ({message})")
