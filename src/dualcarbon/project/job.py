"""The main job: project folder → validated activities → engine → inventory → outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import polars as pl

from dualcarbon import collapse, engine, inventory, neutrality
from dualcarbon.project.load import Project, load
from dualcarbon.project.outputs import write_outputs


@dataclass
class JobResult:
    project: Project
    inventory: inventory.Inventory
    emissions: object
    written: list[Path]
    assessment: neutrality.Assessment | None = None


def applied_instruments(emissions: pl.DataFrame) -> list[str]:
    """Ids of the Scope 2 instruments the market-based method applied (trace ``credits:<id>``)."""
    ids = emissions.filter(pl.col("factor_ids").str.starts_with("credits:"))["factor_ids"].unique()
    return sorted(i.removeprefix("credits:") for i in ids.to_list())


def assess(project: Project, inv: inventory.Inventory, emissions: pl.DataFrame) -> neutrality.Assessment | None:
    """The neutrality assessment of ``[neutrality]`` over the inventory; it fills ``summary["neutrality"]``."""
    if project.settings.neutrality is None:
        return None
    result = neutrality.assess(inv.summary, project.settings, project.credits, project.stands, project.evidence,
                               applied_instruments(emissions))  # fmt: skip
    inv.summary["neutrality"] = result.as_dict()
    return result


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
    assessment = assess(project, inv, result.emissions)
    written: list[Path] = []
    if write:
        step("report")
        from dualcarbon.report.html import render_report

        html = render_report(inv.summary, inv.inventory, inv.by_source, inv.factor_sources,
                             lang or project.settings.report.lang)  # fmt: skip
        step("write")
        rows = project.ledger.emission_rows(result.emissions) if project.ledger is not None else result.emissions
        extra = {"neutrality.csv": assessment.checks_frame()} if assessment is not None else None
        written = write_outputs(Path(out) if out else project.root / "out", inv, rows, html, extra)
    return JobResult(project, inv, result.emissions, written, assessment)
