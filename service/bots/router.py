"""The bots' routes: each configured platform's, and a start-up line saying which are on.

A platform is on when every one of its variables is set; its routes are then mounted
under ``/bots``. One that is not has no route, so its path answers 404. The routes
need no API key (the platforms sign their requests instead) and are left out of the
OpenAPI docs: they are for the platforms, not for API clients.

>>> from service.config import Settings
>>> missing(Settings(slack_signing_secret="s"))["slack"]
['POLICYQA_SLACK_BOT_TOKEN']
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter
from pydantic import SecretStr

from service.bots import dingtalk, feishu, slack, wecom
from service.bots.core import Bots
from service.config import ENV_PREFIX, Settings

log = logging.getLogger(__name__)

# Each platform's routes and the settings it needs, all of them.
PLATFORMS: dict[str, tuple[Callable[[Bots], APIRouter], tuple[str, ...]]] = {
    "dingtalk": (dingtalk.router, ("dingtalk_app_secret",)),
    "feishu": (
        feishu.router,
        ("feishu_app_id", "feishu_app_secret", "feishu_verification_token", "feishu_encrypt_key"),
    ),
    "wecom": (
        wecom.router,
        ("wecom_token", "wecom_aes_key", "wecom_corp_id", "wecom_corp_secret", "wecom_agent_id"),
    ),
    "slack": (slack.router, ("slack_signing_secret", "slack_bot_token")),
}


def _is_set(value: object) -> bool:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return bool(value.strip()) if isinstance(value, str) else bool(value)


def missing(settings: Settings) -> dict[str, list[str]]:
    """Per platform, the variables it still needs (empty: it is on)."""
    return {
        name: [
            f"{ENV_PREFIX}{field.upper()}"
            for field in fields
            if not _is_set(getattr(settings, field))
        ]
        for name, (_, fields) in PLATFORMS.items()
    }


def bot_router(settings: Settings, bots: Bots | None = None) -> APIRouter:
    """The routes of the configured platforms, sharing one :class:`Bots` (memory,
    retries seen, outbound client), whose lifespan drains the replies at shutdown."""
    bots = bots or Bots(settings)
    api = APIRouter(lifespan=bots.lifespan, include_in_schema=False)
    states = []
    needed = missing(settings)
    for name, needs in needed.items():
        make, fields = PLATFORMS[name]
        if needs:
            some = len(needs) < len(fields)
            states.append(f"{name} off (set {', '.join(needs)})" if some else f"{name} off")
            continue
        try:
            api.include_router(make(bots))
        except ValueError as err:  # a malformed key: the platform stays off, and says why
            states.append(f"{name} off ({err})")
            continue
        states.append(f"{name} on at /bots/{name}")
    # Shown without -v once any bot is set up (on, or half-configured by mistake); a
    # server without bots mentions them only when asked.
    configured = any(len(needs) < len(PLATFORMS[name][1]) for name, needs in needed.items())
    log.log(
        logging.WARNING if configured else logging.INFO, "messaging bots: %s", "; ".join(states)
    )
    return api
