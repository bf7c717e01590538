"""The official ``openai`` client against a real uvicorn server: plain, streamed, follow-ups."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from openai import OpenAI

from tests.service.http.conftest import QUESTION

FIRST = "铁路方面要推进哪些项目？"
FOLLOW_UP = "那谁牵头？"
FOOTER = "\n\n来源：【任务7】共建现代化综合交通运输体系"


@pytest.fixture(scope="module")
def oa(live_server: str) -> Iterator[OpenAI]:
    with OpenAI(base_url=f"{live_server}/v1", api_key="x", max_retries=0) as client:
        yield client


def ask(oa: OpenAI, *messages: dict, model: str = "policy-qa"):
    return oa.chat.completions.create(model=model, messages=list(messages))  # type: ignore[arg-type]


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def test_plain_completion_cites_task_7_with_a_source_footer(oa: OpenAI) -> None:
    reply = ask(oa, user(QUESTION), model="anything-goes")
    assert reply.id.startswith("chatcmpl-")
    assert reply.object == "chat.completion"
    assert reply.model == "anything-goes"
    choice = reply.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    text = choice.message.content or ""
    assert text.endswith(FOOTER)
    assert "广铁集团" in text
    assert text.index("【任务7】") < text.index("来源：")
    assert reply.usage is not None
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    assert reply.usage.prompt_tokens == len(QUESTION)  # one estimated token a CJK character


def test_the_structured_answer_rides_along(oa: OpenAI) -> None:
    reply = ask(oa, user(QUESTION))
    extra = reply.model_extra or {}
    policy = extra["policy_qa"]
    assert policy["kind"] == "lead"
    assert policy["abstained"] is False
    assert policy["reason_text"] is None
    cite = policy["citations"][0]
    assert (cite["task"], cite["marker"]) == (7, "【任务7】")
    assert cite["lead"] == ["省发展改革委", "省交通运输厅"]
    assert reply.choices[0].message.content == policy["answer"] + FOOTER


def test_streaming_gives_the_same_text_in_chunks_of_one_id(oa: OpenAI) -> None:
    plain = ask(oa, user(QUESTION)).choices[0].message.content
    stream = oa.chat.completions.create(
        model="policy-qa",
        messages=[user(QUESTION)],  # type: ignore[list-item]
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert len({c.id for c in chunks}) == 1
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    first = chunks[0].choices[0].delta
    assert first.role == "assistant"
    assert first.content == ""
    with_choices = [c for c in chunks if c.choices]
    pieces = [c.choices[0].delta.content or "" for c in with_choices]
    assert sum(1 for p in pieces if p) > 5, "the text should arrive in several pieces"
    assert "".join(pieces) == plain
    final = with_choices[-1]
    assert final.choices[0].finish_reason == "stop"
    assert [c.choices[0].finish_reason for c in with_choices[:-1]] == [None] * (
        len(with_choices) - 1
    )
    assert (final.model_extra or {})["policy_qa"]["citations"][0]["task"] == 7
    usage_chunk = chunks[-1]
    assert usage_chunk.choices == []
    assert usage_chunk.usage is not None
    assert usage_chunk.usage.completion_tokens > 0
    assert all(c.usage is None for c in chunks[:-1])


def test_streaming_without_include_usage_sends_no_usage_chunk(oa: OpenAI) -> None:
    stream = oa.chat.completions.create(
        model="policy-qa",
        messages=[user(QUESTION)],  # type: ignore[list-item]
        stream=True,
    )
    chunks = list(stream)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.choices for c in chunks)


def test_a_follow_up_is_about_the_task_the_conversation_cited(oa: OpenAI) -> None:
    first = ask(oa, user(FIRST)).choices[0].message.content or ""
    assert "【任务7】" in first
    reply = ask(oa, user(FIRST), {"role": "assistant", "content": first}, user(FOLLOW_UP))
    policy = (reply.model_extra or {})["policy_qa"]
    assert policy["question"] == FOLLOW_UP
    assert policy["kind"] == "lead"
    assert {c["task"] for c in policy["citations"]} == {7}
    assert "省发展改革委" in (reply.choices[0].message.content or "")


def test_a_follow_up_reads_the_assistant_turn(oa: OpenAI) -> None:
    """With no earlier user turn, only the assistant's 【任务7】 can say what
    "那谁牵头？" is about: the adapter must pass assistant messages on."""
    first = ask(oa, user(FIRST)).choices[0].message.content or ""
    reply = ask(
        oa,
        {"role": "system", "content": "You answer questions about a policy document."},
        {"role": "assistant", "content": first},
        user(FOLLOW_UP),
    )
    policy = (reply.model_extra or {})["policy_qa"]
    assert {c["task"] for c in policy["citations"]} == {7}
    alone = (ask(oa, user(FOLLOW_UP)).model_extra or {})["policy_qa"]
    assert alone["abstained"] is True  # without the turn it names no topic


def test_content_as_a_list_of_parts(oa: OpenAI) -> None:
    reply = ask(
        oa,
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "铁路项目"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                {"type": "text", "text": "由谁牵头？"},
            ],
        },
    )
    assert (reply.model_extra or {})["policy_qa"]["question"] == QUESTION


def test_a_declined_answer_says_why(oa: OpenAI) -> None:
    reply = ask(oa, user("港珠澳大桥收费标准是多少"))
    policy = (reply.model_extra or {})["policy_qa"]
    assert policy["abstained"] is True
    assert policy["citations"] == []
    assert policy["reason"] == "no_amount_in_evidence"
    assert policy["status"] == "not_stated"
    assert [r["task"] for r in policy["related"]][:1] == [7]
    text = reply.choices[0].message.content or ""
    assert "来源" not in text
    # What the document does not state, then the related clauses: no answer, no dead end.
    assert text.startswith(policy["answer"])
    assert "金额" in policy["answer"]
    assert "\n\n相关条款（供参考，并非答案）：\n【任务7】" in text
    assert "金额" in policy["reason_text"]


def test_models_lists_policy_qa(oa: OpenAI) -> None:
    ids = [m.id for m in oa.models.list()]
    assert ids == ["policy-qa"]
    assert oa.models.retrieve("policy-qa").owned_by == "policy-qa"
    with pytest.raises(openai.NotFoundError):
        oa.models.retrieve("gpt-4o")


def test_errors_reach_the_client_as_openai_errors(oa: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        ask(oa, user(QUESTION), {"role": "assistant", "content": "…"})
    assert caught.value.status_code == 400
    body = caught.value.body
    assert isinstance(body, dict)
    assert body["param"] == "messages"
    assert body["code"] == "last_message_not_user"
    with pytest.raises(openai.UnprocessableEntityError) as empty:
        ask(oa, user("   "))
    assert "empty" in empty.value.message
    # and the server still answers
    assert "【任务7】" in (ask(oa, user(QUESTION)).choices[0].message.content or "")
