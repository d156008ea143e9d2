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
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from dualcarbon.api.errors import ApiError, input_error, problem_record
from dualcarbon.errors import InputError, Problem, msg
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.i18n import translator
from dualcarbon.project.limits import ReadLimits
from dualcarbon.store import Store
from dualcarbon.store import folder as layout
from dualcarbon.workers import Sandbox, WorkerFailed

MiB = 1024 * 1024
# Problems sent back from the worker at most (a file of a million bad columns has a million).
MAX_PROBLEMS = 1000


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
}
# The tables of a product model (docs/products.md), checked together once both are there.
PRODUCT_KINDS = ("processes", "exchanges")
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
    beside = ("settings", "factors", "processes", "exchanges") if kind in PRODUCT_KINDS else ("settings", "factors")
    current = [b for b in store.current_inputs(org_id, project_id) if b["kind"] in beside]
    if kind != "settings" and not any(b["kind"] == "settings" for b in current):
        raise ApiError(
            409,
            "settings_required",
            "the project has no settings yet: PUT "
            f"/api/projects/{project_id}/settings (the contents of dualcarbon.toml) first",
        )
    if kind == "settings" or kind in PRODUCT_KINDS:  # the upload replaces the current batch of its kind
        current = [b for b in current if b["kind"] != kind]
    upload = {"id": "upload", "kind": kind, "filename": filename}
    placed = [*layout.layout(current), (upload, layout.path_of(upload))]
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="upload-", dir=scratch) as tmp:
        root = Path(tmp)
        layout.write(root, [(path, data if batch is upload else store.blob(batch["sha256"])) for batch, path in placed])
        try:
            outcome = sandbox.call(validate, str(root), kind, placed[-1][1], limits.read_limits(), site, period)
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


# -- in the worker process ---------------------------------------------------------------------------
_library: FactorLibrary | None = None


def bundled_library() -> FactorLibrary:
    """The bundled factor library, loaded once per worker process."""
    global _library
    if _library is None:
        _library = FactorLibrary.load()
    return _library


def warm() -> None:
    """Ready a new worker: the readers imported, the library loaded."""
    from dualcarbon.project import load  # noqa: F401 - imported for its cost, before the first upload

    bundled_library()


def validate(
    root: str,
    kind: str,
    path: str,
    ceiling: ReadLimits,
    site: str | None = None,
    period: tuple[date, date] | None = None,
) -> dict[str, Any]:
    """In a worker: check the folder ``root`` for an upload of ``kind`` at ``path``, its tables read
    within ``ceiling`` (the server's limits; the project's ``[input]`` may lower them, not raise them);
    with ``site`` and ``period``, that each activity row of the upload is of that facility and period.

    Returns plain data: ``{"rows": n}``, ``{"problems": [...], "count": n}`` or ``{"error": text}``.
    """
    try:
        rows = _validate(Path(root), kind, path, bundled_library(), ceiling, site, period)
    except InputError as exc:
        return {"problems": [asdict(p) for p in exc.problems[:MAX_PROBLEMS]], "count": len(exc.problems)}
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # noqa: BLE001 - a reader's Rust panic is a BaseException, and cannot be pickled
        return {"error": f"{exc.__class__.__name__}: {str(exc)[:500]}"}
    return {"rows": rows}


def _validate(
    root: Path,
    kind: str,
    path_text: str,
    bundled: FactorLibrary,
    ceiling: ReadLimits,
    site: str | None = None,
    period: tuple[date, date] | None = None,
) -> int | None:
    from dualcarbon.project import load, reader
    from dualcarbon.project.credits import load_credits

    factor_files = sorted(root.joinpath("factors").glob("*.csv"))
    if kind == "factors":
        limits = load.read_limits(load.load_settings(root), ceiling)
        for path in factor_files:  # the width, size and encoding checks ``load`` makes
            reader.check_header(path, path.name, limits)
        return FactorLibrary.load(bundled.ureg, project_factor_files=factor_files).sets["project"].rows
    library = FactorLibrary.load(bundled.ureg, project_factor_files=factor_files) if factor_files else bundled
    settings = load.load_settings(root)
    load.check_settings(settings, library)
    if kind in ("settings", "documents"):
        return None
    limits = load.read_limits(settings, ceiling)
    path = root / path_text
    if kind == "holdings":
        from dualcarbon.financed.portfolio import check_upload

        return check_upload(root, settings, path_text, limits)
    if kind == "sinks":
        from dualcarbon.project.sinks import load_sinks

        stands, problems = load_sinks(root, library.ureg, settings.period.end.year, limits)
        if problems:
            raise InputError(problems)
        return stands.height
    if kind == "indicators":
        from dualcarbon.project.indicators import load_indicators

        frame, problems = load_indicators(root, settings.report.lang, limits)
        if problems:
            raise InputError(problems)
        return frame.height
    if kind == "measures":
        from dualcarbon.project.job import read_measures

        return len(read_measures(root, limits)[0])
    if kind in ("processes", "exchanges"):
        return _validate_product(root, kind, path, path_text, settings, library, limits)
    if kind == "credits":
        _, _, problems = load_credits(root, library.ureg, limits)
        if problems:
            raise InputError(problems)
        return reader.read_table(path, display_name=path_text, limits=limits).height
    project = load.load(root, library=library, limits=ceiling)
    if site is not None and period is not None:
        _check_request(project.activities, path_text, site, period)
    return int(project.activities["_n"].sum())


def _check_request(activities: Any, path_text: str, site: str, period: tuple[date, date]) -> None:
    """Every row of the upload at ``path_text`` is of the facility ``site`` and within ``period`` (a
    site's submission may carry neither another site's rows nor another period's: the approved sites'
    batches are added up for a run for disclosure of the period)."""
    import polars as pl

    start, end = period
    rows = activities.filter(pl.col("_file") == path_text).sort("_row")
    problems: list[Problem] = []
    for row in rows.select("_row", "facility", "date", "period_end").iter_rows(named=True):
        if (row["facility"] or "") != site:
            problems.append(
                Problem(path_text, row["_row"], "facility", row["facility"], msg("problem.site_facility", site=site))
            )
        # a period_start/period_end row: date is its period_start (a dated row's period_end is its date)
        ranged = row["period_end"] is not None and row["period_end"] != row["date"]
        first, last = row["date"], row["period_end"] or row["date"]
        expected = msg("problem.request_period", start=start.isoformat(), end=end.isoformat())
        if first is not None and first < start:
            problems.append(
                Problem(path_text, row["_row"], "period_start" if ranged else "date", first.isoformat(), expected)
            )
        if last is not None and last > end:
            problems.append(
                Problem(path_text, row["_row"], "period_end" if ranged else "date", last.isoformat(), expected)
            )
    if problems:
        raise InputError(problems)


def _validate_product(root: Path, kind: str, path: Path, path_text: str, settings, library, limits) -> int:
    """processes.csv or exchanges.csv of a product model (docs/products.md): its header and cells read; the whole
    model checked as `dualcarbon validate` checks it (units, activity keys, allocation …) once the project has
    ``[product]`` and both tables."""
    from dualcarbon.project import products, reader

    other = "exchanges" if kind == "processes" else "processes"
    if settings.product is not None and products.table_path(root, other) is not None:
        products.load_product(root, library=library, limits=limits, settings=settings)
    problems: list[Problem] = []
    frame = reader.read_table(path, display_name=path_text, limits=limits, problems=problems)
    problems += products.header_problems(path_text, kind, frame.columns)
    if problems:
        raise InputError(problems)
    return frame.height
