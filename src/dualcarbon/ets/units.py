"""Reading ``units.csv`` (the power units) and ``generation.csv`` (their months), and picking the units'
fuel and electricity rows out of the validated activities (DESIGN.md, "Power units under the China ETS").

Every bad cell is a ``Problem`` naming file, row, column, the value and what was expected; all of them
are collected and raised together (``InputError``), before anything is computed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dualcarbon.errors import InputError, Problem, msg
from dualcarbon.ets import rules
from dualcarbon.ets.model import COOLING, FUEL_CLASSES, PowerUnit
from dualcarbon.project import reader
from dualcarbon.project.limits import ReadLimits
from dualcarbon.units import BASE_UNITS

UNIT_COLUMNS = ["id", "facility", "fuel_class", "capacity_mw", "cooling", "chp"]
UNIT_REQUIRED = ["id", "fuel_class", "capacity_mw"]
GENERATION_COLUMNS = [
    "unit",
    "month",
    "generation_mwh",
    "supplied_mwh",
    "own_use_mwh",
    "heat_supplied_gj",
    "load_factor",
    "heat_ratio",
]
GENERATION_REQUIRED = ["unit", "month", "generation_mwh", "supplied_mwh"]
GENERATION_NUMBERS = ["generation_mwh", "supplied_mwh", "own_use_mwh", "heat_supplied_gj"]
TRUE_FALSE = {"true": True, "yes": True, "1": True, "是": True, "false": False, "no": False, "0": False, "否": False}
GENERATION_SCHEMA = {
    "unit": pl.String,
    "month": pl.String,
    "generation_mwh": pl.Float64,
    "supplied_mwh": pl.Float64,
    "own_use_mwh": pl.Float64,
    "heat_supplied_gj": pl.Float64,
    "load_factor": pl.Float64,
    "heat_ratio": pl.Float64,
    "_row": pl.Int64,
}


@dataclass
class Plant:
    """A project's power units and their months (``generation`` holds ``GENERATION_SCHEMA``)."""

    units: list[PowerUnit]
    generation: pl.DataFrame


def find(root: Path, stem: str) -> Path | None:
    paths = [p for p in sorted(root.glob(f"{stem}.*")) if p.suffix.lower() in reader.SUFFIXES]
    return paths[0] if paths else None


def has_units(root: Path) -> bool:
    return find(root, "units") is not None


def _read(path: Path, limits: ReadLimits, columns: list[str], required: list[str]) -> tuple[pl.DataFrame, list]:
    name = path.name
    problems: list[Problem] = []
    try:
        frame = reader.read_table(path, display_name=name, limits=limits, problems=problems)
    except InputError as exc:
        return pl.DataFrame(), problems + exc.problems
    problems += reader.header_problems(name, frame.columns, required, columns)
    if problems:
        return pl.DataFrame(), problems
    frame = frame.with_columns([pl.lit(None, pl.String).alias(c) for c in columns if c not in frame.columns])
    return frame, []


def _where(frame: pl.DataFrame, name: str, mask: pl.Expr, column: str, expected, problems: list[Problem]) -> None:
    for row in frame.filter(mask).head(200).iter_rows(named=True):
        text = expected(row) if callable(expected) else expected
        problems.append(Problem(name, row["_row"], column, row.get(column), text))


def read_units(path: Path, limits: ReadLimits) -> tuple[list[PowerUnit], list[Problem]]:
    """units.csv: one row per unit (``PowerUnit``); problems for every bad cell."""
    u, problems = _read(path, limits, UNIT_COLUMNS, UNIT_REQUIRED)
    if problems:
        return [], problems
    name = path.name
    u = u.with_columns(
        reader.parse_number(pl.col("capacity_mw")).alias("_capacity"),
        pl.col("chp")
        .str.to_lowercase()
        .replace_strict(TRUE_FALSE, default=None, return_dtype=pl.Boolean)
        .alias("_chp"),
        pl.col("cooling").str.to_lowercase().alias("_cooling"),
    )
    _where(u, name, pl.col("id").is_null(), "id", msg("problem.id_required"), problems)
    _where(
        u,
        name,
        pl.col("id").is_not_null() & pl.col("id").is_duplicated(),
        "id",
        msg("problem.ets.unit_twice"),
        problems,
    )
    _where(
        u,
        name,
        ~pl.col("fuel_class").is_in(list(FUEL_CLASSES)).fill_null(False),
        "fuel_class",
        msg("problem.one_of", choices=", ".join(FUEL_CLASSES)),
        problems,
    )
    _where(u, name, pl.col("_capacity").is_null(), "capacity_mw", msg("problem.number"), problems)
    _where(u, name, pl.col("_capacity") <= 0, "capacity_mw", msg("problem.ets.capacity"), problems)
    _where(
        u,
        name,
        pl.col("cooling").is_not_null() & ~pl.col("_cooling").is_in(list(COOLING)),
        "cooling",
        msg("problem.one_of", choices=", ".join(COOLING)),
        problems,
    )
    _where(u, name, pl.col("chp").is_not_null() & pl.col("_chp").is_null(), "chp", msg("problem.true_false"), problems)
    if problems:
        return [], problems
    units = [
        PowerUnit(
            r["id"],
            r["facility"] or r["id"],
            r["fuel_class"],
            float(r["_capacity"]),
            r["_cooling"] or "water",
            bool(r["_chp"]),
        )
        for r in u.iter_rows(named=True)
    ]
    return units, []


def read_generation(
    path: Path, limits: ReadLimits, units: list[PowerUnit], start: dt.date, end: dt.date
) -> tuple[pl.DataFrame, list[Problem]]:
    """generation.csv: one row per unit and month within the period (``GENERATION_SCHEMA``)."""
    g, problems = _read(path, limits, GENERATION_COLUMNS, GENERATION_REQUIRED)
    if problems:
        return pl.DataFrame(schema=GENERATION_SCHEMA), problems
    name = path.name
    ids = [u.id for u in units]
    g = g.with_columns(
        reader.parse_date(pl.col("month")).alias("_date"),
        *[reader.parse_number(pl.col(c)).alias(f"_{c}") for c in [*GENERATION_NUMBERS, "load_factor", "heat_ratio"]],
    )
    _where(
        g,
        name,
        ~pl.col("unit").is_in(ids).fill_null(False),
        "unit",
        msg("problem.ets.unknown_unit", choices=", ".join(ids)),
        problems,
    )
    month = msg("problem.ets.month", start=start.isoformat(), end=end.isoformat())
    _where(g, name, pl.col("_date").is_null(), "month", month, problems)
    first = dt.date(start.year, start.month, 1)
    _where(g, name, (pl.col("_date") < first) | (pl.col("_date") > end), "month", month, problems)
    g = g.with_columns(pl.col("_date").dt.strftime("%Y-%m").alias("_month"))
    twice = g.filter(pl.col("_month").is_not_null() & pl.struct("unit", "_month").is_duplicated())
    if twice.height:
        firsts = twice.group_by("unit", "_month").agg(pl.col("_row").min().alias("_first"))
        twice = twice.join(firsts, on=["unit", "_month"]).filter(pl.col("_row") > pl.col("_first"))
        _where(twice, name, pl.lit(True), "month", lambda r: msg("problem.ets.month_twice", row=r["_first"]), problems)
    for c in GENERATION_NUMBERS:
        _where(g, name, pl.col(c).is_not_null() & pl.col(f"_{c}").is_null(), c, msg("problem.number"), problems)
        _where(g, name, pl.col(f"_{c}") < 0, c, msg("problem.non_negative"), problems)
    for c in ("load_factor", "heat_ratio"):
        _where(g, name, pl.col(c).is_not_null() & pl.col(f"_{c}").is_null(), c, msg("problem.number"), problems)
        _where(g, name, (pl.col(f"_{c}") < 0) | (pl.col(f"_{c}") > 1), c, msg("problem.fraction"), problems)
    if problems:
        return pl.DataFrame(schema=GENERATION_SCHEMA), problems
    frame = g.select(
        "unit",
        pl.col("_month").alias("month"),
        pl.col("_generation_mwh").alias("generation_mwh"),
        pl.col("_supplied_mwh").alias("supplied_mwh"),
        pl.col("_own_use_mwh").alias("own_use_mwh"),
        pl.col("_heat_supplied_gj").fill_null(0.0).alias("heat_supplied_gj"),
        pl.col("_load_factor").alias("load_factor"),
        pl.col("_heat_ratio").alias("heat_ratio"),
        "_row",
    ).cast(pl.Schema(GENERATION_SCHEMA))
    return frame, []


def load_plant(root: Path, limits: ReadLimits, start: dt.date, end: dt.date) -> tuple[Plant | None, list[Problem]]:
    """The project's units and their months: None without units.csv; problems of either file (generation.csv
    is required with units.csv, and needs it)."""
    units_path, generation_path = find(root, "units"), find(root, "generation")
    if units_path is None:
        if generation_path is not None:
            return None, [Problem(generation_path.name, None, None, None, msg("problem.ets.units_missing"))]
        return None, []
    units, problems = read_units(units_path, limits)
    if generation_path is None:
        return None, problems + [Problem("generation.csv", None, None, None, msg("problem.ets.generation_missing"))]
    if problems:
        return None, problems
    generation, problems = read_generation(generation_path, limits, units, start, end)
    if problems:
        return None, problems
    return Plant(units, generation), []


def unit_rows(
    activities: pl.DataFrame, units: list[PowerUnit], guideline: rules.Guideline
) -> tuple[pl.DataFrame, pl.DataFrame, list[Problem]]:
    """The units' fuel rows (combustion rows whose ``facility`` is a unit id) ready for
    ``accounting.combustion``, the units' purchased electricity rows, and problems where the guideline
    cannot count a fuel row: a fuel without the defaults a missing parameter needs, a quantity in another
    dimension than the guideline's unit, ``measured`` true without a carbon content."""
    ids = [u.id for u in units]
    mine = activities.filter(pl.col("facility").is_in(ids))
    if "measured" not in mine.columns:  # a typed Parquet ledger without the column
        mine = mine.with_columns(pl.lit(None, pl.Boolean).alias("measured"))
    fuels = rules.fuels()
    fuel_keys = {k: f.fuel for k, f in fuels.items()}
    fuel = mine.filter(pl.col("kind") == "combustion").with_columns(
        pl.col("key").replace_strict(fuel_keys, default="other").alias("fuel"),
        pl.col("key").replace_strict({k: f.dimension for k, f in fuels.items()}, default=None).alias("_dimension"),
        pl.col("key")
        .replace_strict({k: f.unit for k, f in fuels.items()}, default=None)
        .fill_null(pl.col("dimension").replace_strict(BASE_UNITS, default=None))
        .alias("consumption_unit"),
        pl.col("key")
        .replace_strict({k: f.per_base for k, f in fuels.items()}, default=1.0, return_dtype=pl.Float64)
        .alias("per_base"),
    )
    problems: list[Problem] = []

    def where(mask: pl.Expr, column: str, expected) -> None:
        for row in fuel.filter(mask).head(200).iter_rows(named=True):
            text = expected(row) if callable(expected) else expected
            problems.append(Problem(row["_file"], row["_row"], column, row.get(column), text))

    where(
        (pl.col("fuel") != "other") & (pl.col("dimension") != pl.col("_dimension")),
        "unit",
        lambda r: msg("problem.ets.fuel_dimension", activity=r["activity"], unit=r["consumption_unit"]),
    )
    where(
        (pl.col("fuel") == "other")
        & (
            pl.col("ncv_gj_per_base").is_null()
            | pl.col("carbon_content_t_per_gj").is_null()
            | pl.col("oxidation").is_null()
        ),
        "activity",
        lambda r: msg("problem.ets.other_fuel", activity=r["activity"]),
    )
    where(
        (pl.col("measured") == True) & pl.col("carbon_content_t_per_gj").is_null(),  # noqa: E712 - a null stays null
        "carbon_content",
        msg("problem.ets.carbon_content_required"),
    )
    for fuel_class in ("coal", "gas"):
        if guideline.parameter(fuel_class, "ncv_default") is None:
            where(
                (pl.col("fuel") == fuel_class) & pl.col("ncv_gj_per_base").is_null(),
                "ncv",
                lambda r: msg("problem.ets.ncv_required", activity=r["activity"], guideline=guideline.version),
            )
    electricity = mine.filter(pl.col("kind") == "electricity")
    return fuel, electricity, problems
