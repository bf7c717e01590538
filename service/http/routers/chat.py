"""``POST /v1/chat/completions``: the OpenAI Chat Completions protocol, plain and streamed.

The last message is the question; earlier user and assistant messages are its
history. The reply is the answer for people (``service.present``): its 【任务N】
markers and a 来源 footer; ``policy_qa`` carries the structured answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from service.answer import answer_question
from service.http.deps import EngineDep
from service.http.openai_schemas import ChatCompletion, ChatRequest
from service.http.schemas import error_example
from service.http.translate import chat_conversation, chunks, completion
from service.present import present

router = APIRouter(prefix="/v1", tags=["openai"])

# Pause between streamed pieces. The answer is whole before the first byte, so
# without it every piece would arrive in one packet and nothing would visibly
# stream; 10 ms a piece adds about 0.2 s to a typical answer.
STREAM_PACE_S = 0.01
_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


async def _events(stream: Iterator[dict[str, Any]]) -> AsyncIterator[str]:
    for n, chunk in enumerate(stream):
        if n and STREAM_PACE_S:
            await asyncio.sleep(STREAM_PACE_S)
        yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    summary="Chat Completions (OpenAI-compatible), with or without streaming",
    responses={
        200: {
            "content": {
                "text/event-stream": {
                    "example": 'data: {"id":"chatcmpl-…","object":"chat.completion.chunk",…}'
                    "\n\ndata: [DONE]\n\n"
                }
            },
            "description": "A chat.completion, or with stream: true an SSE stream of chunks.",
        },
        400: error_example(
            "the last message must be from the user (the question), not from the assistant",
            "messages",
            "last_message_not_user",
        ),
        422: error_example("the question is empty", "messages", "bad_question"),
        503: error_example(
            "the index is still loading; try again in a few seconds",
            code="not_ready",
            type_="server_error",
        ),
    },
)
async def chat_completions(body: ChatRequest, engine: EngineDep, request: Request) -> Any:
    """Answer the last (user) message; any ``model`` name is accepted and echoed.

    Sampling options, tools and other fields OpenAI defines are accepted and ignored.
    """
    question, history = chat_conversation(body.messages)
    result = await run_in_threadpool(answer_question, engine, question, history)
    request.state.answer = result  # for the access log and metrics
    text = present(result)
    if not body.stream:
        return JSONResponse(completion(result, text, body.model, body.messages))
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    stream = chunks(result, text, body.model, body.messages, include_usage)
    return StreamingResponse(_events(stream), media_type="text/event-stream", headers=_SSE_HEADERS)
