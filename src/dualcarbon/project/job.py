"""The main job: project folder → validated activities → engine → inventory → outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import polars as pl

from dualcarbon import collapse, engine, inventory, neutrality, quality
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


def data_quality(project: Project, inv: inventory.Inventory, emissions: pl.DataFrame) -> dict:
    """The data-quality record (``quality.assess``) in ``summary["data_quality"]``; records summed
    into calculation groups (ledgers) keep no evidence references, so evidence is not assessed."""
    evidence = None if project.ledger is not None else project.activities.select("_idx", "evidence", "_n")
    inv.summary["data_quality"] = quality.assess(emissions, evidence)
    return inv.summary["data_quality"]


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
        grouped: bool | None = None, mapper: Callable | None = None, pdf: bool = False) -> JobResult:  # fmt: skip
    """Run the inventory of a project folder and write ``out/`` (atomically).

    ``mapper``: a ``map`` that runs the per-file passes elsewhere (``distributed.dask_mapper``).
    ``pdf``: also write ``report.pdf`` (headless Chromium, ``report.pdf``); without an engine this
    fails before anything is computed or written.
    """
    step = progress or (lambda _: None)
    engine_path = None
    if pdf and write:
        from dualcarbon.report.pdf import find_engine

        engine_path = find_engine()
    step("load")
    project = load(root, batch_rows=batch_rows, grouped=grouped, mapper=mapper)
    step("compute")
    result, inv = calculate(project, mapper or map)
    data_quality(project, inv, result.emissions)
    assessment = assess(project, inv, result.emissions)
    written: list[Path] = []
    if write:
        step("report")
        from dualcarbon.report.html import render_report

        report_lang = lang or project.settings.report.lang
        html = render_report(inv.summary, inv.inventory, inv.by_source, inv.factor_sources, report_lang)
        files = {"report.pdf": _pdf(inv, report_lang, engine_path)} if engine_path else None
        step("write")
        rows = project.ledger.emission_rows(result.emissions) if project.ledger is not None else result.emissions
        extra = {"neutrality.csv": assessment.checks_frame()} if assessment is not None else None
        written = write_outputs(Path(out) if out else project.root / "out", inv, rows, html, extra, files)
    return JobResult(project, inv, result.emissions, written, assessment)


def _pdf(inv: inventory.Inventory, lang: str, engine_path: str) -> bytes:
    """``report.pdf``: the report's print layout, printed by headless Chromium (``report.pdf``)."""
    from dualcarbon.report.html import render_report
    from dualcarbon.report.pdf import html_to_pdf

    html = render_report(inv.summary, inv.inventory, inv.by_source, inv.factor_sources, lang, print_layout=True)
    return html_to_pdf(html, engine_path)
