"""The output folder: dualcarbon never deletes or replaces a file it did not write, every output
folder has a manifest of what dualcarbon wrote, and temporary folders of killed runs are removed
at the next run (those of dead processes only). Issue 13, items 4 and 5."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.project import outputs

OUTPUTS = {
    "summary.json",
    "emissions.csv",
    "inventory.csv",
    "facilities.csv",
    "sources.csv",
    "report.html",
    outputs.MANIFEST,
}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path → bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def said(result) -> str:
    return " ".join(result.output.split())  # rich wraps long lines


def run(*args: str):
    return CliRunner().invoke(app, ["run", *args, "--lang", "en"])


@pytest.fixture
def dairy(tmp_path) -> Path:
    root = tmp_path / "work" / "dairy"
    assert CliRunner().invoke(app, ["init", str(root), "--example", "dairy"]).exit_code == 0
    return root


def test_out_pointing_at_the_project_folder_is_refused(dairy):
    before = snapshot(dairy)
    result = run(str(dairy), "--out", str(dairy))
    assert result.exit_code == 2, result.output
    assert str(dairy) in said(result) and "--out" in said(result) and outputs.MANIFEST in said(result)
    assert "not empty" in said(result)
    assert snapshot(dairy) == before  # before the fix: exit 0 and the inputs deleted


def test_out_pointing_at_the_folder_above_is_refused(dairy):
    work = dairy.parent
    (work / "neighbour").mkdir()
    (work / "neighbour" / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    before = snapshot(work)
    result = run(str(dairy), "--out", str(work))
    assert result.exit_code == 2, result.output
    assert str(work) in said(result)
    assert snapshot(work) == before  # before the fix: the project and its neighbour deleted
    assert [p.name for p in work.parent.iterdir()] == ["work"]  # no temporary folder left beside it


def test_out_that_is_a_file_is_refused(dairy, tmp_path):
    target = tmp_path / "results.txt"
    target.write_text("mine\n", encoding="utf-8")
    result = run(str(dairy), "--out", str(target))
    assert result.exit_code == 2 and "not a folder" in said(result)
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_manifest_lists_every_output_with_its_sha256(dairy):
    assert run(str(dairy)).exit_code == 0
    out = dairy / "out"
    assert {p.name for p in out.iterdir()} == OUTPUTS
    manifest = json.loads((out / outputs.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["schema"] == "dualcarbon.manifest/1"
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == OUTPUTS - {outputs.MANIFEST}
    for name, entry in listed.items():
        data = (out / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data)


def test_new_and_empty_folders_are_written(dairy, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for target in (empty, tmp_path / "new" / "deeper"):
        result = run(str(dairy), "--out", str(target))
        assert result.exit_code == 0, result.output
        assert {p.name for p in target.iterdir()} == OUTPUTS


def test_user_files_in_out_are_kept_and_stale_outputs_removed(dairy, tmp_path):
    out = tmp_path / "results"
    assert run(str(dairy), "--out", str(out)).exit_code == 0
    (out / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (out / "charts").mkdir()
    (out / "charts" / "a.png").write_bytes(b"\x89PNG")
    # an output of an earlier run that this run does not write (as report.pdf after a run with --pdf)
    (out / "neutrality.csv").write_text("old\n", encoding="utf-8")
    manifest = json.loads((out / outputs.MANIFEST).read_text(encoding="utf-8"))
    manifest["files"].append({"name": "neutrality.csv", "bytes": 4, "sha256": None})
    (out / outputs.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (out / "summary.json").write_text("{}", encoding="utf-8")  # an output, edited: still dualcarbon's

    result = run(str(dairy), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes\n"  # before the fix: deleted
    assert (out / "charts" / "a.png").read_bytes() == b"\x89PNG"
    assert not (out / "neutrality.csv").exists()
    assert {p.name for p in out.iterdir()} == OUTPUTS | {"notes.txt", "charts"}
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["schema"] == "dualcarbon.summary/1"
    assert "notes.txt" not in said(result)  # "Wrote …" names the outputs only


def test_a_user_file_with_an_output_name_is_never_replaced(tmp_path):
    root = tmp_path / "cement"
    assert CliRunner().invoke(app, ["init", str(root), "--example", "cement-plant"]).exit_code == 0
    assert run(str(root)).exit_code == 0
    out = root / "out"
    (out / "pathway.csv").write_text("my own pathway\n", encoding="utf-8")  # not in the manifest
    before = snapshot(out)
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "'pathway.csv'" in said(result) and str(out) in said(result)
    assert snapshot(out) == before


def test_default_out_of_an_older_version_keeps_the_users_files(dairy):
    """PROJECT/out without a manifest (written before manifests): files named as dualcarbon's
    outputs are taken as its own, the others are kept."""
    out = dairy / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"schema": "dualcarbon.summary/1"}', encoding="utf-8")
    (out / "pathway.json").write_text("{}", encoding="utf-8")  # an older pathway run's
    (out / "memo.docx").write_bytes(b"PK\x03\x04")
    result = run(str(dairy))
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == OUTPUTS | {"memo.docx"}
    assert (out / "memo.docx").read_bytes() == b"PK\x03\x04"


def test_explicit_out_of_an_older_version_is_recognised_by_its_summary(dairy, tmp_path):
    out = tmp_path / "old"
    out.mkdir()
    (out / "summary.json").write_text('{"schema": "dualcarbon.summary/1"}', encoding="utf-8")
    (out / "emissions.csv").write_text("id\n", encoding="utf-8")
    (out / "readme.txt").write_text("kept\n", encoding="utf-8")
    assert run(str(dairy), "--out", str(out)).exit_code == 0
    assert {p.name for p in out.iterdir()} == OUTPUTS | {"readme.txt"}


def test_a_foreign_manifest_is_refused(dairy, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / outputs.MANIFEST).write_text('{"schema": "something/else", "files": []}', encoding="utf-8")
    (out / "data.csv").write_text("1\n", encoding="utf-8")
    before = snapshot(out)
    result = run(str(dairy), "--out", str(out))
    assert result.exit_code == 2 and "not a manifest of dualcarbon" in said(result)
    assert snapshot(out) == before


# -- temporary folders of killed runs --------------------------------------------------------------
def leftover(parent: Path, pid: int, start: int, name: str = "out") -> Path:
    folder = parent / f".{name}.tmp-{outputs._host_tag()}-{pid}-{start}-0123abcd"
    folder.mkdir()
    (folder / "emissions.csv").write_bytes(b"x" * 1000)
    return folder


def dead_pid() -> tuple[int, int]:
    """The pid and start time of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    start = outputs._started(child.pid)
    child.kill()
    child.wait()
    assert start is not None and outputs._started(child.pid) is None
    return child.pid, start


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start times from /proc (Linux)")
def test_leftovers_of_dead_runs_are_removed_those_of_live_runs_kept(dairy):
    pid, start = dead_pid()
    dead = leftover(dairy, pid, start)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = leftover(dairy, sleeper.pid, outputs._started(sleeper.pid) or 0)
        reused = leftover(dairy, sleeper.pid, (outputs._started(sleeper.pid) or 0) - 1)  # same pid, other process
        other_host = dairy / f".out.tmp-00000000-{pid}-{start}-0123abcd"
        other_host.mkdir()
        users = dairy / ".out.tmp-mine"
        users.mkdir()
        other_out = leftover(dairy, pid, start, name="results")  # another output folder's: not this run's
        result = run(str(dairy))
        assert result.exit_code == 0, result.output
        assert not dead.exists() and not reused.exists()  # before the fix: never removed
        assert live.exists() and other_host.exists() and users.exists() and other_out.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_leftovers_are_removed_even_when_the_next_run_fails(dairy):
    """The next run cleans up first: an input error later in the run does not keep the leftovers."""
    pid, start = dead_pid()
    dead = leftover(dairy, pid, start)
    (dairy / "activities.csv").write_text("id,activity\n1,fuel/diesel\n", encoding="utf-8")
    assert run(str(dairy)).exit_code == 2
    assert not dead.exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start times from /proc (Linux)")
def test_a_run_killed_while_writing_leaves_a_folder_the_next_run_removes(tmp_path):
    """A real ``kill -9`` of ``dualcarbon run`` once its temporary folder exists (a ledger of
    200,000 rows: the emission table takes about a second to write)."""
    from engine.test_scale import synthetic  # tests/ is on the path (conftest's imports)

    root = synthetic(tmp_path / "p", rows=200_000, files=2)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(outputs.__file__).parents[2]), *sys.path])}
    cmd = [sys.executable, "-c", "from dualcarbon.cli import main; main()", "run", str(root), "--lang", "en"]
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    found: list[Path] = []
    while not found and child.poll() is None and time.monotonic() < deadline:
        found = [p for p in root.iterdir() if p.name.startswith(".out.tmp-")]
        time.sleep(0.005)
    assert found, "the run ended (or timed out) before its temporary folder appeared"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    assert found[0].is_dir() and not (root / "out").exists()  # killed before the outputs were moved in
    result = run(str(root))
    assert result.exit_code == 0, result.output
    assert [p.name for p in root.iterdir() if p.name.startswith(".out.")] == []
    assert {p.name for p in (root / "out").iterdir()} == OUTPUTS
