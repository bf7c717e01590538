"""Wire models of the OpenAI-compatible endpoints: chat completions and the model list.

The answer behind a chat reply reuses the ``/v1/ask`` contract of
:mod:`service.http.schemas`, as do the examples shown in ``/docs``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.http.schemas import (
    ASK_EXAMPLE,
    EXAMPLE_ANSWER,
    EXAMPLE_QUESTION,
    AskResponse,
    RequestModel,
    Text,
)


class ContentPart(RequestModel):
    """One part of a message's content; only ``text`` parts are read."""

    type: str
    text: Text | None = None


class ChatMessage(RequestModel):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: Text | list[ContentPart] | None = None

    def text(self) -> str:
        """The message's text: a string as it is, text parts joined, other parts skipped."""
        if isinstance(self.content, str):
            return self.content
        parts = self.content or []
        return "".join(p.text for p in parts if p.type == "text" and p.text is not None)


class StreamOptions(RequestModel):
    include_usage: bool = False


class ChatRequest(RequestModel):
    """A Chat Completions request; sampling options and tools are accepted and ignored."""

    model: str = "policy-qa"
    messages: list[ChatMessage]
    stream: bool = False
    stream_options: StreamOptions | None = None

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "model": "policy-qa",
                    "messages": [{"role": "user", "content": EXAMPLE_QUESTION}],
                },
                {
                    "model": "policy-qa",
                    "stream": True,
                    "stream_options": {"include_usage": True},
                    "messages": [
                        {"role": "user", "content": "铁路方面要推进哪些项目？"},
                        {"role": "assistant", "content": "…推进合浦至湛江铁路…【任务7】"},
                        {"role": "user", "content": [{"type": "text", "text": "那谁牵头？"}]},
                    ],
                },
            ]
        },
    )


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class PolicyQA(AskResponse):
    """The structured answer behind a chat reply: the response contract + reason_text."""


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    policy_qa: PolicyQA = Field(description="Citations and the rest of the answer.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "chatcmpl-5d1f0c0e9b7a4a41a5b1",
                    "object": "chat.completion",
                    "created": 1767225600,
                    "model": "policy-qa",
                    "choices": [
                        {
                            "index": 0,
                            "message": {
                                "role": "assistant",
                                "content": EXAMPLE_ANSWER
                                + "\n\n来源：【任务7】共建现代化综合交通运输体系",
                            },
                            "finish_reason": "stop",
                            "logprobs": None,
                        }
                    ],
                    "usage": {"prompt_tokens": 9, "completion_tokens": 79, "total_tokens": 88},
                    "policy_qa": ASK_EXAMPLE,
                }
            ]
        }
    )


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
