"""Checking an uploaded file before it is stored, with the CLI's own code: the file is laid out in a
project folder beside the project's current settings (and own factors), and read by
``project.load`` — so the API reports exactly the problems ``dualcarbon validate`` would, naming
the file as it was uploaded, its row and column.

The reading happens in a worker process of the server's ``Sandbox``, within the readers' limits
(``project.limits.ReadLimits``, the server's row cap among them: checked from a file's header, zip
directory or Parquet footer, 422) and under the server's memory and time limits (413): a file that
is small on the wire but enormous once read (a spreadsheet cell of gigabytes, a million columns, a
Parquet file of 50 M rows) is refused, and the server itself never holds it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from dualcarbon.api.errors import ApiError, input_error, problem_record
from dualcarbon.errors import InputError, Problem, msg
from dualcarbon.i18n import translator
from dualcarbon.project import intake
from dualcarbon.project.limits import ReadLimits
from dualcarbon.store import Store
from dualcarbon.store import folder as layout
from dualcarbon.workers import Sandbox, WorkerFailed

MiB = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    """What the server allows one upload to take while it is checked (``dualcarbon serve`` options)."""

    max_rows: int = 5_000_000
    memory_bytes: int = 2048 * MiB
    seconds: float = 60.0

    def read_limits(self) -> ReadLimits:
        """The readers' limits (width, cell length, expanded size checked before a file is read; rows),
        as ceilings that a project's ``[input]`` table may lower and never raise."""
        # A file's expanded size is held several times over while it is read: a quarter of the
        # worker's memory, so that a decompression bomb is refused from its zip directory at once.
        expanded = min(ReadLimits().max_expanded_bytes, self.memory_bytes // 4)
        return ReadLimits(max_rows=self.max_rows, max_expanded_bytes=expanded, origin="this server")


SUFFIXES = {
    "settings": (".toml",),
    "activities": (".csv", ".tsv", ".txt", ".xlsx", ".parquet"),
    "credits": (".csv", ".tsv", ".xlsx", ".parquet"),
    "factors": (".csv",),
    "sinks": (".csv", ".tsv", ".xlsx", ".parquet"),
    "measures": (".csv", ".tsv", ".xlsx", ".parquet"),
    "indicators": (".csv", ".tsv", ".xlsx", ".parquet"),
    "documents": (".md", ".txt", ".pdf"),
    "processes": (".csv", ".tsv", ".txt", ".xlsx", ".parquet"),
    "exchanges": (".csv", ".tsv", ".txt", ".xlsx", ".parquet"),
    # holdings.csv and the files [financed] names (benchmark, comparison year): docs/financed.md
    "holdings": (".csv", ".tsv", ".xlsx", ".parquet"),
    # power units under the China ETS and their months (docs/ets.md); fiscal instruments and a carbon price file
    # for the pathway (docs/pathway.md, "Carbon prices and fiscal support")
    "units": (".csv", ".tsv", ".txt", ".xlsx", ".parquet"),
    "generation": (".csv", ".tsv", ".txt", ".xlsx", ".parquet"),
    "instruments": (".csv", ".tsv", ".xlsx", ".parquet"),
    "prices": (".csv", ".tsv", ".xlsx", ".parquet"),
}
# The tables of a product model (docs/products.md), checked together once both are there.
PRODUCT_KINDS = ("processes", "exchanges")
# What else the check of a kind reads, beside the settings and own factors.
BESIDE = {
    "processes": ("processes", "exchanges"),
    "exchanges": ("processes", "exchanges"),
    "units": ("units", "generation"),
    "generation": ("units", "generation"),
    "instruments": ("measures",),
    # project.load reads the units and their months with the activities (the units' fuel rows are checked)
    "activities": ("units", "generation"),
}
# Names a document may not take: the project folder's own files.
RESERVED = (
    "dualcarbon.toml",
    "activities",
    "credits",
    "sinks",
    "measures",
    "indicators",
    "factors",
    "out",
    "processes",
    "exchanges",
    "holdings",
    "units",
    "generation",
    "instruments",
)


def check(
    store: Store,
    sandbox: Sandbox,
    limits: UploadLimits,
    scratch: Path,
    org_id: str,
    project_id: str,
    kind: str,
    filename: str,
    data: bytes,
    lang: str = "en",
    site: str | None = None,
    period: tuple[date, date] | None = None,
) -> int | None:
    """Validate one upload of ``kind`` in a worker process; its number of data rows (None for settings).

    ``site``, ``period``: the upload answers a data request for that site and period (first and last
    day; docs/collection.md): each activity row's ``facility`` must name the site and its dates lie in
    the period, else a 422 names the row.

    Raises ApiError: 422 with the problems (a file past the readers' limits among them: rows,
    columns, cell length, expanded size), 413 when reading it needs more memory or time than the
    server allows, or 409 when activities or credits come before the project has settings.
    """
    suffix = PurePosixPath(layout.safe_name(filename)).suffix
    if kind == "documents" and PurePosixPath(layout.safe_name(filename)).stem.lower() in RESERVED:
        raise input_error(
            InputError.single(msg("problem.document_name", names=", ".join(RESERVED)), file=filename),
            lang=lang,
        )
    if suffix not in SUFFIXES[kind]:
        raise input_error(
            InputError.single(
                msg("problem.upload_type", suffix=suffix, kind=kind, expected=", ".join(SUFFIXES[kind])),
                file=filename,
            ),
            lang=lang,
        )
    # what the check reads beside the upload: the settings and own factors; for a product table, the other one
    beside = ("settings", "factors", *BESIDE.get(kind, ()))
    current = [b for b in store.current_inputs(org_id, project_id) if b["kind"] in beside]
    if kind != "settings" and not any(b["kind"] == "settings" for b in current):
        raise ApiError(
            409,
            "settings_required",
            "the project has no settings yet: PUT "
            f"/api/projects/{project_id}/settings (the contents of dualcarbon.toml) first",
        )
    if (
        kind in ("settings", "units", "generation") or kind in PRODUCT_KINDS
    ):  # it replaces the current batch of its kind
        current = [b for b in current if b["kind"] != kind]
    upload = {"id": "upload", "kind": kind, "filename": filename}
    placed = [*layout.layout(current), (upload, layout.path_of(upload))]
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="upload-", dir=scratch) as tmp:
        root = Path(tmp)
        layout.write(root, [(path, data if batch is upload else store.blob(batch["sha256"])) for batch, path in placed])
        try:
            outcome = sandbox.call(intake.validate, str(root), kind, placed[-1][1], limits.read_limits(), site, period)
        except WorkerFailed as failed:
            raise _refusal(filename, limits, failed, lang) from None
    if "error" in outcome:
        raise _refusal(filename, limits, WorkerFailed("error", outcome["error"]), lang)
    if "problems" in outcome:
        problems = [Problem(**p) for p in outcome["problems"]]
        records = [layout.problem_mapper(placed, lang)(p) for p in problems]
        for rec in records:  # the upload is not a batch yet
            rec["batch"] = None if rec["batch"] == upload["id"] else rec["batch"]
        err = input_error(InputError(problems), records, lang)
        if outcome["count"] > len(records):
            err.message = translator(lang)("validate.first_shown", n=outcome["count"], shown=len(records))
        raise err
    return outcome["rows"]


def _refusal(filename: str, limits: UploadLimits, failed: WorkerFailed, lang: str = "en") -> ApiError:
    t = translator(lang)
    if failed.reason == "start":
        return ApiError(503, "unavailable", t("validate.server_busy", file=filename, why=failed.detail))
    if failed.reason == "error":  # the reader itself gave up (a crash in a library on a malformed file)
        failure = msg("problem.reader_failed", why=failed.detail)
        return input_error(InputError.single(failure, file=filename), lang=lang)
    if failed.reason == "time":
        message = t("validate.too_slow", seconds=f"{limits.seconds:g}")
    else:
        message = t("validate.too_big", mib=limits.memory_bytes // MiB)
    problem = Problem(filename, None, None, None, msg("problem.smaller_file"))
    return ApiError(413, "too_large", message, [problem_record(problem, lang)])
