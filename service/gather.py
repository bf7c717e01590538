"""Stage 4, gather: the retrieval a route asks for (none for a catalog lookup)."""

from __future__ import annotations

from time import perf_counter

from service.engine import Engine
from service.retrieve import Retrieval
from service.route import LOOKUP, Route


def gather(engine: Engine, route: Route, timing: dict[str, float]) -> Retrieval | None:
    """Hybrid retrieval of the route's query (read with the question); records
    ``timing["retrieve"]`` in ms."""
    if route.kind == LOOKUP or route.query is None:
        return None
    began = perf_counter()
    retrieval = engine.search(route.query)
    timing["retrieve"] = round((perf_counter() - began) * 1000, 2)
    return retrieval
