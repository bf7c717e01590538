"""``GET /metrics``: the process's Prometheus metrics (see ``service.http.observe``).

Open like the probes (no API key, no rate limit): keep it off the public side of a
proxy. Each worker process has its own registry.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter(tags=["operations"], include_in_schema=False)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Requests by route and status, latency, requests in flight, answers and declines."""
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
