"""``POST /v1/ask``: one question (with its conversation) → the response contract."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.answer import answer_question
from service.http.deps import EngineDep
from service.http.schemas import AskRequest, AskResponse, error_example
from service.http.translate import answer_payload, ask_history

router = APIRouter(prefix="/v1", tags=["ask"])


@router.post(
    "/ask",
    response_model=AskResponse,
    summary="Answer a question with quotes and 【任务N】 citations",
    responses={
        400: error_example(
            "invalid request: question: Field required", "question", "invalid_value"
        ),
        422: error_example(
            "the question is empty; ask something like 铁路项目由哪些部门牵头？",
            "question",
            "bad_question",
        ),
        503: error_example(
            "the index is still loading; try again in a few seconds",
            code="not_ready",
            type_="server_error",
        ),
    },
)
def ask(body: AskRequest, engine: EngineDep, request: Request) -> JSONResponse:
    """Answer ``question``; ``history`` holds the earlier turns for follow-ups
    ("那谁牵头？" after an answer citing 【任务7】 is about task 7).

    A declined answer has ``abstained: true``, no citations, a ``reason`` code and
    ``reason_text``. A sync route: FastAPI runs it in its threadpool, so the CPU
    work of answering never blocks the event loop.
    """
    result = answer_question(engine, body.question, ask_history(body.history))
    request.state.answer = result  # for the access log and metrics
    # Returned as is: the contract passes through unfiltered (the model documents it).
    return JSONResponse(answer_payload(result))
