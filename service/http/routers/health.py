"""Liveness and readiness: ``/healthz`` while the process runs, ``/readyz`` once loaded."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.http.deps import RETRY_AFTER_S, HolderDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: 200 while the process runs")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: 200 once the index is loaded, else 503",
    responses={503: {"description": "The index is loading, or failed to load (see detail)."}},
)
async def readyz(holder: HolderDep) -> Any:
    state = holder.state
    if state == "ready":
        return {"status": "ready"}
    body: dict[str, Any] = {"status": state}
    headers = None
    if state == "failed":
        body["detail"] = f"the index could not be loaded: {holder.error}"
    else:
        body["detail"] = "the index is still loading"
        headers = {"Retry-After": str(RETRY_AFTER_S)}
    return JSONResponse(body, status_code=503, headers=headers)
