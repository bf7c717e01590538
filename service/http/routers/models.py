"""``GET /v1/models``: the one model this service answers as, for OpenAI clients."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.http.errors import error_response
from service.http.openai_schemas import ModelCard, ModelList
from service.http.schemas import error_example
from service.http.translate import MODEL_ID

router = APIRouter(prefix="/v1", tags=["openai"])


def _card(request: Request) -> ModelCard:
    return ModelCard(id=MODEL_ID, created=request.app.state.started, owned_by="policy-qa")


@router.get("/models", response_model=ModelList, summary="List models (one: policy-qa)")
async def list_models(request: Request) -> ModelList:
    return ModelList(data=[_card(request)])


@router.get(
    "/models/{model_id}",
    response_model=ModelCard,
    summary="Retrieve a model",
    responses={404: error_example("The model 'gpt-4o' does not exist", "model", "model_not_found")},
)
async def get_model(model_id: str, request: Request) -> object:
    if model_id != MODEL_ID:
        return error_response(
            404,
            f"The model {model_id!r} does not exist; this service has {MODEL_ID!r}",
            param="model",
            code="model_not_found",
        )
    return _card(request)
