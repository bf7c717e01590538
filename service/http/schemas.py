"""Request and response models of the HTTP API (Pydantic lives only at this edge).

The domain speaks the frozen dataclasses of :mod:`service.contract`; these models
describe the wire format, check requests and document both in ``/docs``.
Unknown request fields are ignored, as OpenAI clients send many we do not use.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _utf8_text(text: str) -> str:
    # A JSON string may escape a lone surrogate ("\ud800"): it is no text, and it
    # could not be written back out as UTF-8.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("holds an unpaired surrogate; send UTF-8 text") from None
    return text


Text = Annotated[str, AfterValidator(_utf8_text)]
EXAMPLE_QUESTION = "铁路项目由谁牵头？"
EXAMPLE_ANSWER = (
    "「共建现代化综合交通运输体系」中铁路方面的工作由省发展改革委、省交通运输厅牵头，"
    "广铁集团等按职责分工负责【任务7】"
)

ASK_EXAMPLE: dict[str, Any] = {
    "question": EXAMPLE_QUESTION,
    "answer": EXAMPLE_ANSWER,
    "abstained": False,
    "citations": [
        {
            "doc": "gd-pprd-2017",
            "task": 7,
            "section": "二(三)",
            "title": "共建现代化综合交通运输体系",
            "clause_id": "gd-pprd-2017/二/三/7/p2",
            "quote": "(省发展改革委、交通运输厅牵头，广铁集团等按职责分工负责)",
            "lead": ["省发展改革委", "省交通运输厅"],
            "participants": ["广铁集团"],
            "score": 1.0,
            "marker": "【任务7】",
        }
    ],
    "timing_ms": {"retrieve": 11.2, "total": 11.9},
    "kind": "lead",
    "reason": None,
    "ranking": ["7", "26", "19"],
    "status": "answered",
    "related": [],
    "suggestions": [],
    "reason_text": None,
}
# The document covers the topic, not the thing asked: the closest clauses stand beside
# the answer as related, never as citations.
NOT_STATED_EXAMPLE: dict[str, Any] = {
    "question": "港珠澳大桥收费标准是多少？",
    "answer": "文件没有写明「共建现代化综合交通运输体系」中的金额或费用。",
    "abstained": True,
    "citations": [],
    "timing_ms": {"retrieve": 22.1, "total": 24.6},
    "kind": "declined",
    "reason": "no_amount_in_evidence",
    "ranking": ["7", "28", "26"],
    "status": "not_stated",
    "related": [
        {
            "doc": "gd-pprd-2017",
            "task": 7,
            "section": "二(三)",
            "title": "共建现代化综合交通运输体系",
            "clause_id": "gd-pprd-2017/二/三/7/p3",
            "quote": "加快推进港珠澳大桥、广佛肇至梧州高速、玉林至湛江高速、连山至贺州高速、"
            "宁都至龙川高速、甬莞高速、深中通道等项目建设。",
            "lead": ["省交通运输厅"],
            "participants": ["省发展改革委"],
            "score": 0.9631,
            "marker": "【任务7】",
        }
    ],
    "suggestions": [],
    "reason_text": "文件中相关的内容没有写明问题要的金额或费用。",
}
# Nothing in the document is about it: questions it can answer are suggested.
OFF_TOPIC_EXAMPLE: dict[str, Any] = {
    "question": "个人所得税怎么算",
    "answer": "文件中没有找到能回答这个问题的内容。可以问问文件写到的内容，例如：\n"
    "· 「实施统一的市场规则」由谁牵头？\n· 第29项任务讲什么？\n· 「强化督促落实」讲了什么？",
    "abstained": True,
    "citations": [],
    "timing_ms": {"retrieve": 21.8, "total": 23.1},
    "kind": "declined",
    "reason": "off_topic",
    "ranking": ["4", "三(四)", "一(三)"],
    "status": "off_topic",
    "related": [],
    "suggestions": [
        "「实施统一的市场规则」由谁牵头？",
        "第29项任务讲什么？",
        "「强化督促落实」讲了什么？",
    ],
    "reason_text": "这个问题不属于这份文件涉及的内容。",
}


class RequestModel(BaseModel):
    """The base of request bodies here and in :mod:`service.http.openai_schemas`."""

    model_config = ConfigDict(extra="ignore")


# --- /v1/ask ---------------------------------------------------------------


class HistoryTurn(RequestModel):
    """An earlier turn; an assistant turn keeps its 【任务N】 markers."""

    role: Literal["user", "assistant"]
    content: Text


class AskRequest(RequestModel):
    """A question, with the earlier turns of its conversation for follow-ups."""

    question: Text = Field(description="The question, in Chinese or English.")
    history: list[Text | HistoryTurn] = Field(
        default_factory=list,
        description="Earlier turns, oldest first: a string is a user turn.",
    )

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {"question": EXAMPLE_QUESTION},
                {
                    "question": "那谁牵头？",
                    "history": [
                        "铁路方面要推进哪些项目？",
                        {"role": "assistant", "content": "…推进合浦至湛江铁路…【任务7】"},
                    ],
                },
            ]
        },
    )


class CitationOut(BaseModel):
    doc: str
    task: int | None = Field(description="Task number; null for a section that is no task.")
    section: str
    title: str
    clause_id: str
    quote: str = Field(description="Verified to occur verbatim in the clause.")
    lead: list[str]
    participants: list[str]
    score: float
    marker: str


class AskResponse(BaseModel):
    """The response contract (README), plus ``reason_text`` for declined answers."""

    question: str
    answer: str
    abstained: bool = Field(description="True for both not_stated and off_topic.")
    citations: list[CitationOut]
    timing_ms: dict[str, float]
    kind: str = Field(description="search | lead | aggregate | lookup | declined")
    reason: str | None = Field(description="Why the answer was declined, as a code.")
    ranking: list[str]
    status: Literal["answered", "not_stated", "off_topic"] = Field(
        description="answered; not_stated: the document covers the topic but does not state "
        "the thing asked (the answer says what is missing, `related` holds the closest "
        "clauses); off_topic: nothing in the document is about it (`suggestions` holds "
        "questions it can answer)."
    )
    related: list[CitationOut] = Field(
        description="Clauses shown beside the answer, never as its source: the closest ones "
        "to a not_stated question, or a close runner-up an answer did not cite; quotes "
        "verified verbatim like citations."
    )
    suggestions: list[str] = Field(
        description="Questions the document can answer, offered with a decline that has "
        "no related clauses (also written in the answer text)."
    )
    reason_text: str | None = Field(description="The reason in one Chinese sentence.")

    model_config = ConfigDict(
        json_schema_extra={"examples": [ASK_EXAMPLE, NOT_STATED_EXAMPLE, OFF_TOPIC_EXAMPLE]}
    )


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class ErrorResponse(BaseModel):
    """Every error under /v1, in the shape OpenAI clients unwrap."""

    error: ErrorDetail


def error_example(
    message: str,
    param: str | None = None,
    code: str | None = None,
    type_: str = "invalid_request_error",
) -> dict[str, Any]:
    """An ``ErrorResponse`` example for the ``responses`` table of a route."""
    return {
        "model": ErrorResponse,
        "content": {
            "application/json": {
                "example": {
                    "error": {
                        "message": message,
                        "type": type_,
                        "param": param,
                        "code": code,
                    }
                }
            }
        },
    }
