"""Read a run's output folder for a disclosure export and write the export into it, in the folder's
manifest like every output of dualcarbon (so the next run, which supersedes it, removes it)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from dualcarbon.errors import InputError, msg
from dualcarbon.project.outputs import MANIFEST, SUMMARY_SCHEMA, _entries, _manifest_names, _write_manifest


def read_run(out_dir: Path) -> tuple[dict, str]:
    """A run's summary.json and its SHA-256; ``InputError`` when the folder holds no run's outputs."""
    path = out_dir / "summary.json"
    try:
        data = path.read_bytes()
        summary = json.loads(data)
    except (OSError, ValueError) as exc:
        raise InputError.single(msg("problem.disclosure_no_run"), file=str(out_dir), value=type(exc).__name__) from exc
    if not isinstance(summary, dict) or summary.get("schema") != SUMMARY_SCHEMA or "totals" not in summary:
        raise InputError.single(msg("problem.disclosure_no_run"), file=str(path), column="schema")
    if summary.get("product") is not None and not summary.get("by_category"):
        raise InputError.single(msg("problem.disclosure_no_inventory"), file=str(path))
    return summary, hashlib.sha256(data).hexdigest()


def write_export(out_dir: Path, name: str, data: bytes) -> Path:
    """Write ``name`` into a run's output folder in one rename and list it in the folder's manifest.
    A file of that name that dualcarbon did not write is never replaced (``InputError``)."""
    manifest = out_dir / MANIFEST
    if not manifest.is_file():
        raise InputError.single(msg("problem.disclosure_no_run"), file=str(out_dir), column=MANIFEST)
    owned = _manifest_names(manifest)
    target = out_dir / name
    if target.exists() and name not in owned:
        raise InputError.single(msg("problem.disclosure_not_ours"), file=str(target))
    tmp = out_dir / f".{name}.tmp-{os.getpid()}"
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    record = json.loads(manifest.read_text(encoding="utf-8"))
    entries = [e for e in record["files"] if e["name"] != name] + _entries(out_dir, [name])
    tmp_manifest = out_dir / f".{MANIFEST}.tmp-{os.getpid()}"
    try:
        _write_manifest(tmp_manifest, sorted(entries, key=lambda e: str(e["name"])))
        os.replace(tmp_manifest, manifest)
    finally:
        tmp_manifest.unlink(missing_ok=True)
    return target
