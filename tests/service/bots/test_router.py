"""Mounting the bots: which platforms are on, the start-up line, settings from the
environment, and how the app's protection treats the signed callbacks."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from service.config import Settings, get_settings
from service.http.main import create_app
from tests.service.bots.platforms import (
    SLACK_SECRET,
    bot_settings,
    dingtalk,
    feishu,
    feishu_event,
    slack,
    slack_event,
    uid,
    wecom,
)

QUESTION = "铁路建设由哪个部门牵头？"
OFF = {
    "dingtalk": {"dingtalk_app_secret": ""},
    "feishu": {"feishu_encrypt_key": ""},
    "wecom": {"wecom_corp_secret": ""},
    "slack": {"slack_bot_token": ""},
}


def _call(platform: str, base: str):
    return {
        "dingtalk": lambda: dingtalk(QUESTION, receiver=base),
        "feishu": lambda: feishu(feishu_event(QUESTION)),
        "wecom": lambda: wecom(QUESTION),
        "slack": lambda: slack(slack_event(QUESTION)),
    }[platform]()


@pytest.mark.parametrize("platform", sorted(OFF))
def test_a_platform_not_configured_answers_404_and_the_log_says_why(
    engine, receiver, caplog, platform
) -> None:
    caplog.set_level(logging.INFO, logger="service.bots.router")
    app = create_app(bot_settings(receiver.base, **OFF[platform]), engine=engine)
    (line,) = [r for r in caplog.records if r.name == "service.bots.router"]
    variable = "POLICYQA_" + next(iter(OFF[platform])).upper()
    assert line.levelno == logging.WARNING  # bots are set up: shown without -v
    if platform == "dingtalk":  # its one variable unset: simply off
        assert "dingtalk off;" in line.getMessage()
    else:  # set up in part: the line names what is missing
        assert f"{platform} off (set {variable})" in line.getMessage()
    for other in set(OFF) - {platform}:
        assert f"{other} on at /bots/{other}" in line.getMessage()
    with TestClient(app, raise_server_exceptions=False) as client:
        assert _call(platform, receiver.base).send(client).status_code == 404
        if platform == "wecom":
            assert client.get("/bots/wecom").status_code == 404


def test_with_no_bot_settings_every_platform_is_off(engine, caplog) -> None:
    caplog.set_level(logging.INFO, logger="service.bots.router")
    app = create_app(Settings(rate_limit_per_minute=0), engine=engine)
    (line,) = [r for r in caplog.records if r.name == "service.bots.router"]
    assert line.levelno == logging.INFO
    assert line.getMessage() == ("messaging bots: dingtalk off; feishu off; wecom off; slack off")
    with TestClient(app) as client:
        assert client.post("/bots/slack", content=b"{}").status_code == 404
    assert not any(path.startswith("/bots") for path in app.openapi()["paths"])


def test_a_malformed_wecom_key_turns_wecom_off_without_quoting_it(engine, receiver, caplog) -> None:
    bad = "not-a-43-character-key"
    app = create_app(bot_settings(receiver.base, wecom_aes_key=bad), engine=engine)
    message = " ".join(r.getMessage() for r in caplog.records)
    assert "wecom off (POLICYQA_WECOM_AES_KEY must be the 43-character" in message
    assert bad not in message
    with TestClient(app) as client:
        assert client.get("/bots/wecom").status_code == 404


def test_settings_come_from_the_environment_and_keep_secrets_out_of_reprs(monkeypatch) -> None:
    monkeypatch.setenv("POLICYQA_SLACK_SIGNING_SECRET", SLACK_SECRET)
    monkeypatch.setenv("POLICYQA_WECOM_AGENT_ID", "1000002")
    monkeypatch.setenv("POLICYQA_FEISHU_API_BASE", "https://open.larksuite.com")
    monkeypatch.setenv("POLICYQA_BOT_MEMORY_TTL_S", "600")
    get_settings.cache_clear()
    try:
        settings = get_settings()
    finally:
        get_settings.cache_clear()
    assert settings.slack_signing_secret.get_secret_value() == SLACK_SECRET
    assert settings.wecom_agent_id == 1000002 and settings.bot_memory_ttl_s == 600
    assert settings.feishu_api_base == "https://open.larksuite.com"
    assert SLACK_SECRET not in repr(settings) and SLACK_SECRET not in str(settings.model_dump())


def test_a_bad_api_base_is_refused_at_startup(monkeypatch) -> None:
    from service.config import SettingsError

    monkeypatch.setenv("POLICYQA_SLACK_API_BASE", "slack.com/api")
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsError, match=re.escape("POLICYQA_SLACK_API_BASE=slack.com/api")):
            get_settings()
    finally:
        get_settings.cache_clear()


# --- the app's protection -----------------------------------------------------------


def test_bot_callbacks_need_no_api_key_while_v1_still_does(fresh, receiver) -> None:
    channel = uid("C")
    with fresh(api_keys="key-one-0123456789") as client:
        assert client.post("/v1/ask", json={"question": QUESTION}).status_code == 401
        assert slack(slack_event(QUESTION, channel=channel)).send(client).status_code == 200
        receiver.wait(channel, "/api/chat.postMessage")


def test_bot_callbacks_are_not_rate_limited_by_address(fresh, receiver) -> None:
    channels = [uid("C") for _ in range(3)]
    with fresh(rate_limit_per_minute=1) as client:
        for channel in channels:  # the platform calls from one address for everyone
            assert slack(slack_event(QUESTION, channel=channel)).send(client).status_code == 200
        assert client.get("/").status_code == 200
        assert client.get("/").status_code == 429  # everything else still is
    for channel in channels:
        receiver.wait(channel, "/api/chat.postMessage")


def test_the_bots_body_limit_counts_a_chunked_body(fresh, receiver) -> None:
    channel = uid("C")
    call = slack(slack_event(QUESTION + "很" * 3000, channel=channel))

    def chunks():
        for start in range(0, len(call.body), 1024):
            yield call.body[start : start + 1024]

    with fresh(bot_max_body_bytes=4096) as client:
        response = client.post("/bots/slack", content=chunks(), headers=call.headers)
        assert response.status_code == 413
        assert response.json() == {
            "detail": "the request body is over the bots' limit of 4096 bytes"
        }
    assert receiver.about(channel) == []


def test_the_app_body_limit_applies_to_the_bots_too(fresh, receiver) -> None:
    call = slack(slack_event(QUESTION + "很" * 2000))
    with fresh(max_body_bytes=4096, bot_max_body_bytes=1_000_000) as client:
        assert call.send(client).status_code == 413


def test_a_callback_before_the_index_is_loaded_gets_503_and_is_not_taken(engine, receiver) -> None:
    app = create_app(bot_settings(receiver.base))  # no engine yet: it would load at start
    channel = uid("C")
    call = slack(slack_event(QUESTION, channel=channel))
    response = call.send(TestClient(app, raise_server_exceptions=False))  # never started
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    app.state.engine_holder.engine = engine  # what the loading thread does when done
    with TestClient(app) as client:
        assert call.send(client).status_code == 200  # Slack's retry is answered
        assert "【任务7】" in receiver.wait(channel, "/api/chat.postMessage")[0].body["text"]
