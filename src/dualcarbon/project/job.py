"""The main job: project folder → validated activities → engine → inventory → outputs; and the
pathway job: the same inventory, then targets, projection and the least-cost pathway."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from dualcarbon import collapse, engine, inventory
from dualcarbon.project.load import Project, load
from dualcarbon.project.outputs import write_outputs

if TYPE_CHECKING:
    from dualcarbon.pathway import compute


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


@dataclass
class PathwayJobResult:
    project: Project
    inventory: inventory.Inventory
    pathway: "compute.Result"
    written: list[Path]


def read_measures(root: Path) -> tuple[list, str]:
    """The project's measures (none without a measures file) and the file's name; InputError if invalid."""
    from dualcarbon.errors import InputError
    from dualcarbon.project.measures import find, load_measures

    path = find(root)
    if path is None:
        return [], "measures.csv"
    found, problems = load_measures(path)
    if problems:
        raise InputError(problems)
    return found, path.name


def pathway(root: Path | str, out: Path | str | None = None, lang: str | None = None,
            progress: Callable[[str], None] | None = None, write: bool = True) -> PathwayJobResult:  # fmt: skip
    """Inventory, then the least-cost pathway to the project's targets; writes ``out/`` atomically with
    the run's files plus pathway.csv, measures_plan.csv, abatement.csv and pathway.json (docs/pathway.md)."""
    import json

    from dualcarbon.errors import InputError, Problem
    from dualcarbon.pathway import charts, compute
    from dualcarbon.report.html import render_report

    step = progress or (lambda _: None)
    step("load")
    project = load(root)
    if project.settings.targets is None and project.settings.pathway is None:
        raise InputError(Problem("dualcarbon.toml", None, "targets", None,
                                 "a pathway needs [targets] (and optionally [pathway]); see docs/pathway.md"))  # fmt: skip
    measures, measures_file = read_measures(project.root)
    step("compute")
    result, inv = calculate(project)
    step("optimize")
    pw = compute.compute(result.emissions, project.settings, measures, measures_file)
    written: list[Path] = []
    if write:
        lang = lang or project.settings.report.lang
        step("report")
        html = render_report(inv.summary, inv.inventory, inv.by_source, inv.factor_sources, lang, pathway=pw)
        from dualcarbon.i18n import translator

        t = translator(lang)
        record = pw.summary()
        record["charts"] = {
            "trajectory": json.loads(charts.trajectory_figure(pw.plan.table, t).to_json()),
            "macc": json.loads(charts.macc_figure(pw.plan.macc, t, lang, pw.settings.currency).to_json()),
        }
        step("write")
        rows = project.ledger.emission_rows(result.emissions) if project.ledger is not None else result.emissions
        extra = {"pathway.csv": pw.plan.table, "measures_plan.csv": pw.plan.measures, "abatement.csv": pw.plan.abatement}
        text = {"pathway.json": json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n"}
        written = write_outputs(Path(out) if out else project.root / "out", inv, rows, html, extra, text)
    return PathwayJobResult(project, inv, pw, written)
