"""Checking one uploaded file in a worker process of the server's ``Sandbox`` (``api.uploads``), with the
CLI's own readers: what ``dualcarbon validate`` would report, as plain data that crosses processes.

A module outside ``dualcarbon.api``: a new worker imports this (and the readers), not the web app.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from dualcarbon.errors import InputError, Problem, msg
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.project.limits import ReadLimits

# Problems sent back from the worker at most (a file of a million bad columns has a million).
MAX_PROBLEMS = 1000

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
    with ``site`` and ``period`` (a data request's, docs/collection.md), that each activity row of the
    upload is of that facility and dated within that period.

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
    if kind in ("units", "generation"):
        return _validate_plant(root, kind, path, settings, limits)
    if kind in ("instruments", "prices"):
        return _validate_fiscal(root, kind, path, limits)
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
            column = "period_start" if ranged else "date"
            problems.append(Problem(path_text, row["_row"], column, first.isoformat(), expected))
        if last is not None and last > end:
            column = "period_end" if ranged else "date"
            problems.append(Problem(path_text, row["_row"], column, last.isoformat(), expected))
    if problems:
        raise InputError(problems)


def _validate_plant(root: Path, kind: str, path: Path, settings, limits) -> int:
    """units.csv or generation.csv (docs/ets.md): units.csv alone, or both together as ``dualcarbon validate``
    reads them (generation.csv names the units, so it needs units.csv first, as the CLI does)."""
    from dualcarbon.ets import units as ets_units

    problems: list[Problem] = []
    if kind == "units":
        units, problems = ets_units.read_units(path, limits)
        if problems or ets_units.find(root, "generation") is None:
            if problems:
                raise InputError(problems)
            return len(units)
    plant, problems = ets_units.load_plant(root, limits, settings.period.start, settings.period.end)
    if problems or plant is None:
        raise InputError(problems or [Problem(path.name, None, None, None, msg("problem.ets.units_missing"))])
    return len(plant.units) if kind == "units" else plant.generation.height


def _validate_fiscal(root: Path, kind: str, path: Path, limits) -> int:
    """instruments.csv (against the project's measures, whose ids it names) or a carbon price file
    (docs/pathway.md, "Carbon prices and fiscal support"), read as ``dualcarbon pathway`` reads them."""
    from dualcarbon.project import fiscal
    from dualcarbon.project.job import read_measures

    if kind == "prices":
        series, problems = fiscal.load_prices(path, limits)
        if problems or series is None:
            raise InputError(problems)
        return len(series.points)
    measures = read_measures(root, limits)[0]
    instruments, problems = fiscal.load_instruments(path, measures, limits)
    if problems:
        raise InputError(problems)
    return len(instruments)


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
