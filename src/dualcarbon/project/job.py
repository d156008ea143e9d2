"""The main job: project folder → validated activities → engine → inventory → outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from dualcarbon import engine, inventory
from dualcarbon.project.load import Project, load
from dualcarbon.project.outputs import write_outputs


@dataclass
class JobResult:
    project: Project
    inventory: inventory.Inventory
    emissions: object
    written: list[Path]


def run(root: Path | str, out: Path | str | None = None, lang: str | None = None,
        progress: Callable[[str], None] | None = None, write: bool = True) -> JobResult:  # fmt: skip
    """Run the inventory of a project folder and write ``out/`` (atomically)."""
    step = progress or (lambda _: None)
    step("load")
    project = load(root)
    step("compute")
    result = engine.compute(project.activities, project.library, project.settings, project.instruments, project.spend)
    step("summarize")
    inv = inventory.summarize(result.emissions, project.settings, project.library, result.warnings,
                              project.activities.height)  # fmt: skip
    written: list[Path] = []
    if write:
        step("report")
        from dualcarbon.report.html import render_report

        html = render_report(inv.summary, inv.inventory, inv.by_source, inv.factor_sources,
                             lang or project.settings.report.lang)  # fmt: skip
        step("write")
        written = write_outputs(Path(out) if out else project.root / "out", inv, result.emissions, html)
    return JobResult(project, inv, result.emissions, written)
