"""Checking an uploaded file before it is stored, with the CLI's own code: the file is laid out in a
project folder beside the project's current settings (and own factors), and read by
``project.load`` — so the API reports exactly the problems ``dualcarbon validate`` would, naming
the file as it was uploaded, its row and column."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from dualcarbon.api.errors import ApiError, input_error
from dualcarbon.errors import InputError
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.store import Store
from dualcarbon.store import folder as layout

SUFFIXES = {
    "settings": (".toml",),
    "activities": (".csv", ".tsv", ".txt", ".xlsx", ".parquet"),
    "credits": (".csv", ".tsv", ".xlsx", ".parquet"),
    "factors": (".csv",),
    "sinks": (".csv", ".tsv", ".xlsx", ".parquet"),
    "measures": (".csv", ".tsv", ".xlsx", ".parquet"),
    "documents": (".md", ".txt", ".pdf"),
}
# Names a document may not take: the project folder's own files.
RESERVED = ("dualcarbon.toml", "activities", "credits", "sinks", "measures", "factors", "out")


def check(
    store: Store, bundled: FactorLibrary, org_id: str, project_id: str, kind: str, filename: str, data: bytes
) -> int | None:
    """Validate one upload of ``kind``; its number of data rows (None for settings).

    Raises ApiError: 422 with the problems, or 409 when activities or credits come before the
    project has settings.
    """
    suffix = PurePosixPath(layout.safe_name(filename)).suffix
    if kind == "documents" and PurePosixPath(layout.safe_name(filename)).stem.lower() in RESERVED:
        raise input_error(
            InputError.single(
                f"a document may not be named like the project's own files ({', '.join(RESERVED)})", file=filename
            )
        )
    if suffix not in SUFFIXES[kind]:
        raise input_error(
            InputError.single(
                f"unsupported file type '{suffix}' for {kind}: expected {', '.join(SUFFIXES[kind])}", file=filename
            )
        )
    current = [b for b in store.current_inputs(org_id, project_id) if b["kind"] in ("settings", "factors")]
    if kind != "settings" and not any(b["kind"] == "settings" for b in current):
        raise ApiError(
            409,
            "settings_required",
            "the project has no settings yet: PUT "
            f"/api/projects/{project_id}/settings (the contents of dualcarbon.toml) first",
        )
    if kind == "settings":
        current = [b for b in current if b["kind"] != "settings"]
    upload = {"id": "upload", "kind": kind, "filename": filename}
    placed = [*layout.layout(current), (upload, layout.path_of(upload))]
    with tempfile.TemporaryDirectory(prefix="dualcarbon-upload-") as tmp:
        root = Path(tmp)
        layout.write(root, [(path, data if batch is upload else store.blob(batch["sha256"])) for batch, path in placed])
        try:
            return _validate(root, kind, placed, bundled)
        except InputError as exc:
            records = [layout.problem_mapper(placed)(p) for p in exc.problems]
            for rec in records:  # the upload is not a batch yet
                rec["batch"] = None if rec["batch"] == upload["id"] else rec["batch"]
            raise input_error(exc, records) from None


def _validate(root: Path, kind: str, placed: list[tuple[dict[str, Any], str]], bundled: FactorLibrary) -> int | None:
    from dualcarbon.project import load, reader
    from dualcarbon.project.credits import load_credits

    factor_files = sorted(root.joinpath("factors").glob("*.csv"))
    if kind == "factors":
        limits = load.read_limits(load.load_settings(root))
        for path in factor_files:  # the width, size and encoding checks ``load`` makes
            reader.check_header(path, path.name, limits)
        return FactorLibrary.load(bundled.ureg, project_factor_files=factor_files).sets["project"].rows
    library = FactorLibrary.load(bundled.ureg, project_factor_files=factor_files) if factor_files else bundled
    settings = load.load_settings(root)
    load.check_settings(settings, library)
    if kind in ("settings", "documents"):
        return None
    path = root / placed[-1][1]
    if kind == "sinks":
        from dualcarbon.project.sinks import load_sinks

        stands, problems = load_sinks(root, library.ureg, settings.period.end.year)
        if problems:
            raise InputError(problems)
        return stands.height
    if kind == "measures":
        from dualcarbon.project.job import read_measures

        return len(read_measures(root)[0])
    if kind == "credits":
        _, _, problems = load_credits(root, library.ureg)
        if problems:
            raise InputError(problems)
        return reader.read_table(path, display_name=placed[-1][1]).height
    project = load.load(root, library=library)
    return int(project.activities["_n"].sum())
