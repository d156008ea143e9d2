"""Stored batches laid out as a project folder (DESIGN.md, "Project folder"), so that a run reads
exactly what ``dualcarbon run`` reads, and a verifier can download the same folder.

``dualcarbon.toml``, ``credits.<ext>``, ``sinks.<ext>``, ``measures.<ext>``, ``indicators.<ext>``, ``units.<ext>`` and
``generation.<ext>`` from the latest batch of their kind; every activities batch as ``activities/<batch id>-<its file
name>``; own factors as ``factors/<batch id>-<name>.csv``; documents (the neutrality plan, a QES), holdings files,
instruments and carbon price files under their own name.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from dualcarbon.errors import Problem

Row = dict[str, Any]
# A fixed time for every member of an inputs zip, so the same inputs give the same bytes.
ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def safe_name(filename: str) -> str:
    """The file name alone (no folders), with only letters, digits, ``._-`` (other characters → ``_``)."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    stem, dot, suffix = name.rpartition(".")
    stem, suffix = (stem, suffix) if dot else (name, "")
    stem = re.sub(r"[^\w.\-]", "_", stem)[:80].strip(".") or "file"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def path_of(batch: Row) -> str:
    """Where a batch goes in the project folder."""
    name, kind = safe_name(batch["filename"]), batch["kind"]
    suffix = PurePosixPath(name).suffix
    if kind == "settings":
        return "dualcarbon.toml"
    if kind in ("credits", "sinks", "measures", "indicators", "processes", "exchanges", "units", "generation"):
        return f"{kind}{suffix}"
    # where dualcarbon.toml names them ([neutrality] plan, [financed], [pathway] instruments and carbon_price): the top
    if kind in ("documents", "holdings", "instruments", "prices"):
        return name
    return f"{kind}/{batch['id']}-{name}"


def layout(batches: Iterable[Row]) -> list[tuple[Row, str]]:
    """(batch, path) for each batch, in the given order."""
    return [(batch, path_of(batch)) for batch in batches]


def write(folder: Path, inputs: Iterable[tuple[str, bytes]]) -> Path:
    """Write (path, content) pairs under ``folder``."""
    for path, data in inputs:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def zip_bytes(inputs: Iterable[tuple[str, bytes]], top: str) -> bytes:
    """A zip of the folder under ``top/``, byte-identical for the same inputs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(inputs):
            info = zipfile.ZipInfo(f"{top}/{path}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def problem_mapper(placed: Iterable[tuple[Row, str]], lang: str = "en") -> Callable[[Problem], dict]:
    """Problems as JSON records that name the file as it was uploaded, and its batch; their text in
    ``lang``, for a person on the dashboard (``Problem.record``)."""
    by_path: dict[str, Row] = {}
    for batch, path in placed:
        by_path[path] = batch
        by_path.setdefault(PurePosixPath(path).name, batch)  # own-factor errors name the file alone

    def record(problem: Problem) -> dict:
        batch = by_path.get(problem.file or "")
        file = batch["filename"] if batch else problem.file

        def uploaded(text: str) -> str:
            for path in sorted(by_path, key=len, reverse=True):  # "duplicate id (first used at <path> row 2)"
                if "/" in path and path in text:
                    text = text.replace(path, by_path[path]["filename"])
            return text

        fields = {k: uploaded(v) if isinstance(v, str) else v for k, v in (problem.fields or {}).items()}
        named = Problem(
            file, problem.row, problem.column, problem.value, uploaded(problem.expected), problem.key, fields
        )
        return {"batch": batch["id"] if batch else None, **named.record(lang, web=True)}

    return record
