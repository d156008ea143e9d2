"""``sinks.csv``: the organisation's own forest stands (DESIGN.md, "Project folder").

One row per stand or project: ``id``, ``type`` (afforestation | forest_management), ``area`` and
``unit`` (亩, ha, 公顷, 万亩, m2 … ; 1 亩 = 1/15 ha exactly), ``species_group`` (an id, Chinese or
English name of the bundled parameter table), ``planting_year``, and optionally the stand's own
``volume_growth_m3_per_ha_yr``, ``wood_density_t_per_m3``, ``bef``, ``root_shoot``,
``carbon_fraction`` (overriding the defaults), ``harvest_m3`` (stem volume harvested in the
period), ``issued_as`` (the credit project its removals were issued as, if any), ``evidence``,
``note``. Every problem names file, row, column, value and what was expected.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dualcarbon import units
from dualcarbon.errors import Problem, msg
from dualcarbon.neutrality import sinks
from dualcarbon.neutrality.records import STAND_SCHEMA, empty
from dualcarbon.project import reader
from dualcarbon.project.limits import ReadLimits

REQUIRED = ["id", "type", "area", "unit", "species_group", "planting_year"]
OPTIONAL = [*sinks.PARAMETERS, "harvest_m3", "issued_as", "evidence", "note"]
#: Plausible ranges of the stand's own parameters: a value outside is a typing or unit mistake.
#: BEF >= 1 because above-ground biomass includes the stem; a BCEF (t/m3, e.g. Fang et al. 2001's
#: a + b/V) already holds the wood density and must not be given as BEF.
RANGES = {
    "volume_growth_m3_per_ha_yr": (0.0, 60.0, "a stem-volume increment in m3/ha/yr, > 0 and <= 60"),
    "wood_density_t_per_m3": (0.1, 1.2, "a basic wood density in t dry matter/m3, between 0.1 and 1.2"),
    "bef": (
        1.0,
        3.0,
        "a biomass expansion factor (above-ground / stem biomass) between 1 and 3; a BCEF in t/m3 "
        "already holds the wood density",
    ),
    "root_shoot": (0.0, 1.5, "a root-to-shoot ratio between 0 and 1.5"),
    "carbon_fraction": (0.3, 0.6, "a carbon fraction of dry matter between 0.3 and 0.6"),
}


def load_sinks(
    root: Path, ureg, period_end_year: int, limits: ReadLimits = reader.DEFAULT_LIMITS
) -> tuple[pl.DataFrame, list[Problem]]:
    """(stands with their parameters resolved, ``sinks.resolve``; problems) from the optional
    sinks file, read within ``limits``; no file gives an empty frame."""
    paths = [p for p in sorted(root.glob("sinks.*")) if p.suffix.lower() in reader.SUFFIXES]
    if not paths:
        return sinks.resolve(empty(STAND_SCHEMA)), []
    name = paths[0].name
    ragged: list[Problem] = []  # rows with more fields than the header: reported, the others checked
    try:
        s = reader.read_table(paths[0], display_name=name, limits=limits, problems=ragged)
    except Exception as exc:  # InputError from the reader carries its own problems
        return empty(STAND_SCHEMA), list(
            getattr(exc, "problems", [Problem(name, None, None, None, msg("problem.unreadable", why=str(exc)))])
        )
    problems = ragged + reader.header_problems(name, s.columns, REQUIRED, REQUIRED + OPTIONAL)
    if len(problems) > len(ragged):  # a header problem: the rows cannot be checked
        return empty(STAND_SCHEMA), problems
    s = s.with_columns([pl.lit(None, pl.String).alias(c) for c in OPTIONAL if c not in s.columns])

    def where(mask: pl.Expr, column: str, expected: str) -> None:
        for row in s.filter(mask).head(200).iter_rows(named=True):
            problems.append(Problem(name, row["_row"], column, row.get(column), expected))

    names = sinks.species_names()
    s = s.with_columns(
        reader.parse_number(pl.col("area")).alias("_area"),
        pl.col("planting_year").str.extract(r"^(\d{4})$").cast(pl.Int32).alias("_planting_year"),
        pl.col("species_group").str.to_lowercase().replace_strict(names, default=None).alias("_group"),
        *[reader.parse_number(pl.col(p)).alias(f"_{p}") for p in [*sinks.PARAMETERS, "harvest_m3"]],
    )
    where(pl.col("id").is_null(), "id", msg("problem.id_required"))
    where(pl.col("id").is_duplicated() & pl.col("id").is_not_null(), "id", msg("problem.stand_twice"))
    where(~pl.col("type").is_in(list(sinks.TYPES)), "type", msg("problem.one_of", choices=", ".join(sinks.TYPES)))
    where(pl.col("_area").is_null(), "area", msg("problem.number"))
    where(pl.col("_area") <= 0, "area", msg("problem.positive_area"))
    where(pl.col("_planting_year").is_null(), "planting_year", msg("problem.planting_year"))
    where(
        pl.col("_planting_year") > period_end_year,
        "planting_year",
        msg("problem.planted_after", year=period_end_year),
    )
    where(pl.col("_planting_year") < 1900, "planting_year", msg("problem.year_after_1900"))
    groups = sorted({g for g in names.values()})
    where(
        pl.col("_group").is_null(),
        "species_group",
        msg("problem.species_group", choices=", ".join(groups)),
    )
    for p, (low, high, _what) in RANGES.items():
        where(pl.col(p).is_not_null() & pl.col(f"_{p}").is_null(), p, msg("problem.number"))
        where(
            (pl.col(f"_{p}") <= low) | (pl.col(f"_{p}") > high)
            if p == "volume_growth_m3_per_ha_yr"
            else (pl.col(f"_{p}") < low) | (pl.col(f"_{p}") > high),
            p,
            msg(f"problem.sink_range.{p}"),
        )
    where(
        pl.col("harvest_m3").is_not_null() & pl.col("_harvest_m3").is_null(),
        "harvest_m3",
        msg("problem.harvest_number"),
    )
    where(pl.col("_harvest_m3") < 0, "harvest_m3", msg("problem.harvest_negative"))
    conv = units.conversion_table(s["unit"].drop_nulls().unique().to_list(), ureg)
    s = s.join(conv, on="unit", how="left")
    where(pl.col("dimension").fill_null("") != "area", "unit", msg("problem.area_unit"))
    if problems:
        return empty(STAND_SCHEMA), problems
    stands = s.select(
        "_row",
        "id",
        "type",
        (pl.col("_area") * pl.col("to_base")).alias("area_ha"),
        pl.col("_group").alias("species_group"),
        pl.col("_planting_year").alias("planting_year"),
        *[pl.col(f"_{p}").alias(p) for p in sinks.PARAMETERS],
        pl.col("_harvest_m3").alias("harvest_m3"),
        "issued_as",
        "evidence",
    ).cast(pl.Schema(STAND_SCHEMA))
    resolved = sinks.resolve(stands)
    for p in sinks.PARAMETERS:
        for row in resolved.filter(pl.col(p).is_null()).iter_rows(named=True):
            problems.append(
                Problem(
                    name,
                    row["_row"],
                    p,
                    None,
                    msg("problem.no_species_default", group=row["species_group"]),
                )
            )
    return (empty(STAND_SCHEMA) if problems else resolved), problems
