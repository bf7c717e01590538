"""``serve``: the click command, and real server processes started with it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from service.cli.serve import serve
from tests.service.http.conftest import QUESTION

ROOT = Path(__file__).resolve().parents[3]


def test_help_names_the_options() -> None:
    result = CliRunner().invoke(serve, ["--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--index", "--workers"):
        assert option in result.output
    assert "127.0.0.1" in result.output
    assert "8000" in result.output


def test_workers_must_be_positive() -> None:
    result = CliRunner().invoke(serve, ["--workers", "0"])
    assert result.exit_code == 2
    assert "--workers" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(*args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("POLICYQA_INDEX_DIR", None)
    code = "from service.cli.serve import serve; serve()"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return process, f"http://127.0.0.1:{port}"


def _wait_ready(process: subprocess.Popen[bytes], base: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"serve exited with {process.returncode}:\n{out}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail("serve never became ready")


def _stop(process: subprocess.Popen[bytes]) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        out, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    return out.decode()


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_answers_and_shuts_down_cleanly(real_index: Path, workers: str) -> None:
    process, base = _serve("--index", str(real_index), "--workers", workers)
    try:
        _wait_ready(process, base)
        # Each worker loads its own engine: one may be ready before another, and
        # the other answers 503 with Retry-After meanwhile.
        for _ in range(int(workers) * 60):
            response = httpx.post(f"{base}/v1/ask", json={"question": QUESTION}, timeout=30)
            if response.status_code != 503:
                break
            assert response.headers["retry-after"] == "5"
            time.sleep(0.5)
        assert response.status_code == 200, response.text
        assert response.json()["citations"][0]["task"] == 7
    finally:
        out = _stop(process)
    # uvicorn finishes in-flight work, then exits as the signal asks (-15) or with 0.
    assert process.returncode in (0, -signal.SIGTERM), out
    assert "Application shutdown complete" in out
    assert f"policy-qa on {base}/" in out
