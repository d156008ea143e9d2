"""Checking one uploaded file in a worker process of the server's ``Sandbox`` (``api.uploads``), with the
CLI's own readers: what ``dualcarbon validate`` would report, as plain data that crosses processes.

A module outside ``dualcarbon.api``: a new worker imports this (and the readers), not the web app.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from dualcarbon.errors import InputError, Problem
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


def validate(root: str, kind: str, path: str, ceiling: ReadLimits) -> dict[str, Any]:
    """In a worker: check the folder ``root`` for an upload of ``kind`` at ``path``, its tables read
    within ``ceiling`` (the server's limits; the project's ``[input]`` may lower them, not raise them).

    Returns plain data: ``{"rows": n}``, ``{"problems": [...], "count": n}`` or ``{"error": text}``.
    """
    try:
        rows = _validate(Path(root), kind, path, bundled_library(), ceiling)
    except InputError as exc:
        return {"problems": [asdict(p) for p in exc.problems[:MAX_PROBLEMS]], "count": len(exc.problems)}
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # noqa: BLE001 - a reader's Rust panic is a BaseException, and cannot be pickled
        return {"error": f"{exc.__class__.__name__}: {str(exc)[:500]}"}
    return {"rows": rows}


def _validate(root: Path, kind: str, path_text: str, bundled: FactorLibrary, ceiling: ReadLimits) -> int | None:
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
    return int(project.activities["_n"].sum())


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
