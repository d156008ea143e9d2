"""A small multi-year project run for the waste methods (IPCC 2006 Vol. 5): settings, rows, result."""

from __future__ import annotations

import textwrap
from pathlib import Path

import polars as pl

from dualcarbon import engine, inventory
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.project.load import load

WASTE_TOML = """\
[organization]
name = "Waste test"
country = "CN"

[period]
start = {start}-01-01
end = {end}-12-31

[method]
gwp = "AR5"
factor_sets = ["ipcc2006"]
{method}
"""

FOD = 'waste = "fod"\nclimate_zone = "boreal_temperate_dry"'


def write_waste_project(root: Path, rows: str, *, start: int = 2021, end: int = 2023, method: str = FOD) -> Path:
    """A project folder with ``dualcarbon.toml`` (an organisation, ``method`` lines under [method]) and rows."""
    root.mkdir(parents=True)
    (root / "dualcarbon.toml").write_text(WASTE_TOML.format(start=start, end=end, method=method), encoding="utf-8")
    (root / "activities.csv").write_text(textwrap.dedent(rows).strip() + "\n", encoding="utf-8")
    return root


class WasteRun:
    def __init__(self, emissions: pl.DataFrame, summary: dict, warnings: list[dict]):
        self.emissions = emissions
        self.summary = summary
        self.warnings = warnings

    def rows(self, **where) -> pl.DataFrame:
        rows = self.emissions
        for column, value in where.items():
            rows = rows.filter(pl.col(column) == value)
        return rows

    def mass(self, **where) -> float:
        return float(self.rows(**where)["mass_t"].sum())


def run_waste(root: Path, library: FactorLibrary, rows: str, own_factors: str | None = None, **kwargs) -> WasteRun:
    """Run the project; ``own_factors``: the text of a ``factors/own.csv`` (then the library is loaded anew)."""
    write_waste_project(root, rows, **kwargs)
    if own_factors:
        (root / "factors").mkdir()
        (root / "factors" / "own.csv").write_text(textwrap.dedent(own_factors).strip() + "\n", encoding="utf-8")
    project = load(root, None if own_factors else library)
    result = engine.compute(project.activities, project.library, project.settings, project.instruments, project.spend)
    inv = inventory.summarize(
        result.emissions, project.settings, project.library, result.warnings, project.activities.height
    )
    return WasteRun(result.emissions, inv.summary, result.warnings)
