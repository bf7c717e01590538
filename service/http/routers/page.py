"""The web chat page: ``/`` serves ``index.html``, ``/static/<name>`` its script and styles.

The files ship inside the package (``service/http/static``), so the page works
offline with no build step. Only files present at import time are served, by
name, so no path from a request ever reaches the filesystem. Every response
carries a Content-Security-Policy that allows this origin alone: no inline
script, no CDN, no external fonts.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}

# `data:` images only for the empty favicon; connect-src 'self' is the chat API.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # The files change with the package; revalidating keeps an upgraded page fresh.
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


def _static_files() -> dict[str, Path]:
    if not STATIC_DIR.is_dir():
        return {}
    return {
        path.name: path for path in STATIC_DIR.iterdir() if path.is_file() and path.suffix in _TYPES
    }


_FILES = _static_files()


def _serve(name: str) -> Response:
    path = _FILES.get(name)
    if path is None:
        raise HTTPException(status_code=404, detail="Not Found")
    return Response(
        content=path.read_bytes(),
        media_type=_TYPES[path.suffix],
        headers=SECURITY_HEADERS,
    )


@router.get("/")
def index() -> Response:
    """The chat page."""
    return _serve("index.html")


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    """One of the page's files (``app.js``, ``style.css``), by exact name."""
    return _serve(name)
