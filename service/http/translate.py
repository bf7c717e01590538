"""Translation in and out of the HTTP API: requests → (question, history), Answer → JSON.

Nothing here answers anything: the question and its earlier turns go to
``answer_question`` as they came, and its :class:`Answer` comes back as the
response contract, a Chat Completion or a stream of chunks.
"""

from __future__ import annotations

import math
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from service.contract import Answer
from service.http.errors import InvalidRequest
from service.http.openai_schemas import ChatMessage
from service.http.schemas import HistoryTurn
from service.present import reason_text
from service.query import Turn

MODEL_ID = "policy-qa"
# Characters of one streamed content delta at most; markers (【任务7】) and line
# breaks always travel whole, and a clause ends a piece at its punctuation.
PIECE_CHARS = 8
_WHOLE = re.compile(r"(【[^【】\n]{1,20}】|\n+)")
_CLAUSE = re.compile(r"[^，。；：！？、,;:!?]+[，。；：！？、,;:!?]*|[，。；：！？、,;:!?]+")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def answer_payload(answer: Answer) -> dict[str, Any]:
    """The response contract (``status``, ``related`` and ``suggestions`` included) plus
    ``reason_text``, the decline reason in words."""
    data = answer.to_dict()
    data["reason_text"] = reason_text(answer.reason) if answer.reason else None
    return data


def ask_history(history: Sequence[str | HistoryTurn]) -> list[str | Turn]:
    """``/v1/ask`` history: strings stay user turns, role objects become Turns."""
    return [item if isinstance(item, str) else Turn(item.role, item.content) for item in history]


def chat_conversation(messages: Sequence[ChatMessage]) -> tuple[str, list[str | Turn]]:
    """The question (the last message, from the user) and the earlier user and
    assistant turns; system, developer and tool messages are not part of it."""
    if not messages:
        raise InvalidRequest(
            "messages is empty: send at least one message from the user",
            param="messages",
            code="empty_messages",
        )
    last = messages[-1]
    if last.role != "user":
        raise InvalidRequest(
            f"the last message must be from the user (the question), not from the {last.role}",
            param="messages",
            code="last_message_not_user",
        )
    history: list[str | Turn] = []
    for message in messages[:-1]:
        text = message.text()
        if not text.strip():
            continue
        if message.role == "user":
            history.append(text)
        elif message.role == "assistant":
            history.append(Turn("assistant", text))
    return last.text(), history


def estimate_tokens(text: str) -> int:
    """A token count without a tokenizer: one per CJK character or full-width mark,
    and one per four other characters (roughly how BPE tokenizers split them).

    >>> estimate_tokens("铁路项目由谁牵头？"), estimate_tokens("who leads rail?")
    (9, 4)
    """
    cjk = len(_CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def usage(messages: Sequence[ChatMessage], text: str) -> dict[str, int]:
    """Estimated usage (see :func:`estimate_tokens`): every message's text in, the reply out."""
    prompt = sum(estimate_tokens(m.text()) for m in messages)
    completion = estimate_tokens(text)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def completion(
    answer: Answer, text: str, model: str, messages: Sequence[ChatMessage]
) -> dict[str, Any]:
    """A ``chat.completion`` whose content is ``text``, with ``policy_qa`` beside it."""
    return {
        "id": completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": usage(messages, text),
        "policy_qa": answer_payload(answer),
    }


def pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """``text`` cut into stream deltas that join back to it exactly.

    >>> pieces("由省发展改革委牵头，广铁集团等负责【任务7】\\n\\n来源：【任务7】")
    ['由省发展改', '革委牵头，', '广铁集团等负责', '【任务7】', '\\n\\n', '来源：', '【任务7】']
    """
    out: list[str] = []
    for part in _WHOLE.split(text):
        if not part:
            continue
        if _WHOLE.fullmatch(part):
            out.append(part)
            continue
        for clause in _CLAUSE.findall(part):
            # A long clause in even pieces, not a full one and a stub.
            step = math.ceil(len(clause) / math.ceil(len(clause) / size))
            out.extend(clause[i : i + step] for i in range(0, len(clause), step))
    return out


def chunks(
    answer: Answer,
    text: str,
    model: str,
    messages: Sequence[ChatMessage],
    include_usage: bool = False,
) -> Iterator[dict[str, Any]]:
    """The ``chat.completion.chunk`` objects of one streamed reply, in order.

    One id for all; the first delta carries the role, then the content pieces, then
    an empty delta with ``finish_reason`` and ``policy_qa``; with ``include_usage``,
    every chunk has ``usage: null`` and a last one with no choices carries it.
    """
    base = {
        "id": completion_id(),
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }
    extra: dict[str, Any] = {"usage": None} if include_usage else {}

    def chunk(delta: dict[str, str], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**base, "choices": [choice], **extra}

    yield chunk({"role": "assistant", "content": ""})
    for piece in pieces(text):
        yield chunk({"content": piece})
    yield {**chunk({}, "stop"), "policy_qa": answer_payload(answer)}
    if include_usage:
        yield {**base, "choices": [], "usage": usage(messages, text)}
