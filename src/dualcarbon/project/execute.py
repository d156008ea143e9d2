"""The main job in a worker process of the server's runner (``api.runner``): the CLI's own job on a laid-out
project folder, its outcome as plain data (exceptions do not cross processes intact).

A module outside ``dualcarbon.api``: a new worker imports this and the job, not the web app.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import asdict
from pathlib import Path


def execute(
    root: str,
    lang: str | None,
    pathway: bool = False,
    emissions: str = "auto",
    pdf: bool = False,
    footprint: bool = False,
    iterations: int | None = None,
) -> dict:
    """In a worker process: the main job on a project folder; outputs go to ``root/out``.
    ``emissions``: the row-level emission file's format (``job.run``); ``pdf``: also report.pdf;
    ``footprint``: the product footprint instead (``job.footprint_job``, with ``iterations``).

    Returns plain data (exceptions do not cross processes intact): ``{"ok": True}``, or the
    input problems, or an internal error's text.
    """
    from dualcarbon.errors import InputError
    from dualcarbon.project import job

    progress_file = Path(root).parent / "progress"

    def progress(step: str) -> None:
        tmp = progress_file.with_suffix(".tmp")
        tmp.write_text(step, encoding="utf-8")
        os.replace(tmp, progress_file)

    try:
        if footprint:
            job.footprint_job(root, Path(root) / "out", lang, progress, iterations=iterations, pdf=pdf)
        else:
            job.run(root, Path(root) / "out", lang, progress, pathway=pathway, emissions=emissions, pdf=pdf)
    except InputError as exc:
        return {"ok": False, "problems": [asdict(p) for p in exc.problems]}
    except Exception as exc:  # noqa: BLE001 - reported on the run, with the traceback in the log
        return {"ok": False, "internal": f"{exc.__class__.__name__}: {exc}", "traceback": traceback.format_exc()}
    return {"ok": True}
