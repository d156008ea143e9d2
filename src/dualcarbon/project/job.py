"""The main job: project folder → validated activities → engine → inventory → outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from dualcarbon import collapse, engine, inventory
from dualcarbon.project.load import Project, load
from dualcarbon.project.outputs import write_outputs


@dataclass
class JobResult:
    project: Project
    inventory: inventory.Inventory
    emissions: object
    written: list[Path]


def calculate(project: Project, mapper: Callable = map) -> tuple[engine.EngineResult, inventory.Inventory]:
    """Engine and inventory of a loaded project (``mapper`` spreads the ledger's partitions)."""
    result = engine.compute(project.activities, project.library, project.settings, project.instruments, project.spend)
    lines = None
    if project.ledger is not None:  # groups span facilities: share their CO2e back out
        lines = project.ledger.facility_lines(collapse.group_rates(result.emissions), mapper)
    rows = int(project.activities["_n"].sum())
    inv = inventory.summarize(result.emissions, project.settings, project.library, result.warnings, rows, lines)
    return result, inv


def run(root: Path | str, out: Path | str | None = None, lang: str | None = None,
        progress: Callable[[str], None] | None = None, write: bool = True, batch_rows: int | None = None,
        grouped: bool | None = None, mapper: Callable | None = None) -> JobResult:  # fmt: skip
    """Run the inventory of a project folder and write ``out/`` (atomically).

    ``mapper``: a ``map`` that runs the per-file passes elsewhere (``distributed.dask_mapper``).
    """
    step = progress or (lambda _: None)
    step("load")
    project = load(root, batch_rows=batch_rows, grouped=grouped, mapper=mapper)
    step("compute")
    result, inv = calculate(project, mapper or map)
    written: list[Path] = []
    if write:
        step("report")
        from dualcarbon.report.html import render_report

        html = render_report(inv.summary, inv.inventory, inv.by_source, inv.factor_sources,
                             lang or project.settings.report.lang)  # fmt: skip
        step("write")
        rows = project.ledger.emission_rows(result.emissions) if project.ledger is not None else result.emissions
        written = write_outputs(Path(out) if out else project.root / "out", inv, rows, html)
    return JobResult(project, inv, result.emissions, written)
