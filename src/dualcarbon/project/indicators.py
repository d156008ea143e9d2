"""``indicators.csv``: what a subject tracks beside its emissions (DESIGN.md, "Territories").

One row per indicator and year: ``indicator`` (an id; the well-known ids below get their names and
default units from the locale catalogues, any other id is allowed and named by itself), ``year``,
``value``, ``unit``, and for the indicator as a whole ``target``, ``target_year``, ``better``
(``lower`` | ``higher``) and ``source``. The target, its year, ``better`` and the unit may be written
on one row of the indicator or repeated on several; rows that disagree are an error. A value written
with ``%`` (``27%``) is in per cent (unit ``%``). Every problem names file, row, column, the value
found and what was expected.

``records`` turns the frame into ``summary.json``'s ``indicators`` and ``status`` says how an
indicator stands against its target; both are pure functions of the frame.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import polars as pl

from dualcarbon.errors import InputError, Problem, msg
from dualcarbon.i18n import catalogue
from dualcarbon.model import GDP_UNITS, Settings
from dualcarbon.project import reader
from dualcarbon.project.limits import ReadLimits

REQUIRED = ["indicator", "year", "value"]
OPTIONAL = ["unit", "target", "target_year", "better", "source", "note"]
#: ``年份`` is the credits' ``vintage`` in the shared header aliases (factors/data/columns.csv): here it is the year
LOCAL_ALIASES = {"vintage": "year"}
#: Well-known indicators and which way is better (None: neither, e.g. population). Names and default
#: units: ``indicator.name.<id>`` and ``indicator.unit.<id>`` in locales/zh.toml and en.toml.
WELL_KNOWN: dict[str, Literal["lower", "higher"] | None] = {
    "population": None,
    "gdp": "higher",
    "forest_cover": "higher",
    "pm25": "lower",
    "good_air_days": "higher",
    "heavy_pollution_days": "lower",
    "renewable_share": "higher",
    "nev_share": "higher",
    "fuel_cell_vehicles": "higher",
}
BETTER = ("lower", "higher")
STATUSES = ("met", "on_track", "off_track", "no_target")
#: Units of the indicators the territory reads by year, as multiples of one person and one yuan.
PERSONS = {"人": 1.0, "person": 1.0, "persons": 1.0, "万人": 1e4, "10,000 persons": 1e4, "10k persons": 1e4}
MONEY = {**GDP_UNITS, "100 million CNY": 1e8, "10,000 CNY": 1e4, "10k CNY": 1e4}
SCALED_UNITS = {"population": PERSONS, "gdp": MONEY}

SCHEMA = {
    "_row": pl.Int64,
    "indicator": pl.String,
    "year": pl.Int32,
    "value": pl.Float64,
    "unit": pl.String,
    "target": pl.Float64,
    "target_year": pl.Int32,
    "better": pl.String,
    "source": pl.String,
}


def empty() -> pl.DataFrame:
    """The frame of a project without ``indicators.csv``."""
    return pl.DataFrame(schema=SCHEMA)


def name(indicator: str, lang: str) -> str:
    """The display name of an indicator in ``lang``: the catalogue's for a well-known id, else the id."""
    return catalogue(lang).get(f"indicator.name.{indicator}", indicator)


def default_unit(indicator: str, lang: str) -> str | None:
    """The catalogue's unit of a well-known indicator in ``lang`` (None for another id)."""
    return catalogue(lang).get(f"indicator.unit.{indicator}")


def _id_aliases() -> dict[str, str]:
    """Well-known ids by their Chinese and English names (lower case), so ``森林覆盖率`` is ``forest_cover``."""
    out = {}
    for lang in ("en", "zh"):
        for ind in WELL_KNOWN:
            out[name(ind, lang).lower()] = ind
    return out | {ind: ind for ind in WELL_KNOWN} | {"pm2.5": "pm25"}


def find(root: Path) -> Path | None:
    """The project's indicators table (``indicators.csv``, ``.xlsx`` …), if any."""
    paths = [p for p in sorted(Path(root).glob("indicators.*")) if p.suffix.lower() in reader.SUFFIXES]
    return paths[0] if paths else None


def load_indicators(
    root: Path, lang: str = "zh", limits: ReadLimits = reader.DEFAULT_LIMITS
) -> tuple[pl.DataFrame, list[Problem]]:
    """(the indicators, one row per indicator and year, ``SCHEMA``; problems) from the optional file.

    ``lang``: the language of the default units of well-known indicators written without one."""
    path = find(root)
    if path is None:
        return empty(), []
    file = path.name
    ragged: list[Problem] = []  # rows with more fields than the header: reported, the others checked
    try:
        raw = reader.read_table(path, display_name=file, limits=limits, problems=ragged)
    except InputError as exc:
        return empty(), exc.problems
    frame, problems = parse(raw, file, lang)
    return (empty(), ragged + problems) if ragged else (frame, problems)


def parse(raw: pl.DataFrame, file: str = "indicators.csv", lang: str = "zh") -> tuple[pl.DataFrame, list[Problem]]:
    """Validate a table read by ``reader.read_table`` (text columns and ``_row``) into ``SCHEMA``."""
    raw = raw.rename({k: v for k, v in LOCAL_ALIASES.items() if k in raw.columns and v not in raw.columns})
    known = REQUIRED + OPTIONAL
    problems = reader.header_problems(file, raw.columns, REQUIRED, known)
    if problems:
        return empty(), problems
    t = raw.with_columns([pl.lit(None, pl.String).alias(c) for c in OPTIONAL if c not in raw.columns])
    aliases = _id_aliases()
    percent = pl.col("value").str.strip_chars().str.ends_with("%").fill_null(False)
    t = t.with_columns(
        pl.col("indicator").str.to_lowercase().replace(aliases).alias("_id"),
        pl.col("year").str.extract(r"^(\d{4})(?:\.0+)?$").cast(pl.Int32).alias("_year"),
        pl.when(percent)
        .then(reader.parse_number(pl.col("value")) * 100)
        .otherwise(reader.parse_number(pl.col("value")))
        .alias("_value"),
        pl.when(pl.col("target").str.strip_chars().str.ends_with("%"))
        .then(reader.parse_number(pl.col("target")) * 100)
        .otherwise(reader.parse_number(pl.col("target")))
        .alias("_target"),
        pl.col("target_year").str.extract(r"^(\d{4})(?:\.0+)?$").cast(pl.Int32).alias("_target_year"),
        pl.col("better").str.to_lowercase().alias("_better"),
        pl.when(pl.col("unit").is_null() & (percent | pl.col("target").str.ends_with("%").fill_null(False)))
        .then(pl.lit("%"))
        .otherwise(pl.col("unit"))
        .alias("_unit"),
    )

    def where(mask: pl.Expr, column: str, expected: str) -> None:
        for row in t.filter(mask).head(200).iter_rows(named=True):
            problems.append(Problem(file, row["_row"], column, row.get(column), expected))

    where(pl.col("indicator").is_null(), "indicator", msg("problem.indicator_required"))
    where(pl.col("year").is_null(), "year", msg("problem.year_required"))
    where(pl.col("year").is_not_null() & pl.col("_year").is_null(), "year", msg("problem.year"))
    where((pl.col("_year") < 1900) | (pl.col("_year") > 2200), "year", msg("problem.year_range"))
    where(pl.col("value").is_null(), "value", msg("problem.value_required"))
    where(pl.col("value").is_not_null() & pl.col("_value").is_null(), "value", msg("problem.number"))
    where(percent & pl.col("unit").is_not_null() & (pl.col("unit") != "%"), "unit", msg("problem.value_percent"))
    where(pl.col("target").is_not_null() & pl.col("_target").is_null(), "target", msg("problem.number"))
    where(
        pl.col("target_year").is_not_null() & pl.col("_target_year").is_null(),
        "target_year",
        msg("problem.year_target"),
    )
    where(
        (pl.col("_target_year") < 1900) | (pl.col("_target_year") > 2200),
        "target_year",
        msg("problem.year_range"),
    )
    where(pl.col("better").is_not_null() & ~pl.col("_better").is_in(BETTER), "better", msg("problem.better"))
    where(
        pl.col("_target").is_not_null() & pl.col("target_year").is_null(),
        "target_year",
        msg("problem.target_year_required"),
    )
    where(
        pl.col("target").is_null() & pl.col("_target_year").is_not_null(),
        "target",
        msg("problem.target_required"),
    )
    keyed = pl.col("_id").is_not_null() & pl.col("_year").is_not_null()
    where(
        keyed & pl.struct("_id", "_year").is_duplicated(),
        "year",
        msg("problem.indicator_year_twice"),
    )
    # the indicator's target, target_year, better and unit: one value for all its rows
    for column, col in (
        ("target", "_target"),
        ("target_year", "_target_year"),
        ("better", "_better"),
        ("unit", "_unit"),
    ):
        given = t.filter(pl.col("_id").is_not_null() & pl.col(col).is_not_null())
        first = given.group_by("_id").agg(pl.col(col).sort_by("_row").first().alias("_first"), pl.col("_row").min())
        clash = given.join(first.select("_id", "_first"), on="_id").filter(pl.col(col) != pl.col("_first"))
        for row in clash.head(200).iter_rows(named=True):
            problems.append(
                Problem(
                    file,
                    row["_row"],
                    column,
                    row[column],
                    msg("problem.indicator_clash", id=row["_id"], column=column, first=str(row["_first"])),
                )
            )
    if problems:
        return empty(), problems
    per_indicator = t.group_by("_id").agg(  # the rows agree (checked above): the first value given
        *[pl.col(c).drop_nulls().first() for c in ("_target", "_target_year", "_better", "_unit")],
        pl.col("_row").min().alias("_first_row"),
    )
    defaults = pl.DataFrame(
        {
            "_id": list(WELL_KNOWN),
            "_default_better": list(WELL_KNOWN.values()),
            "_default_unit": [default_unit(i, lang) for i in WELL_KNOWN],
        },
        schema={"_id": pl.String, "_default_better": pl.String, "_default_unit": pl.String},
    )
    per_indicator = per_indicator.join(defaults, on="_id", how="left").with_columns(
        pl.coalesce("_better", "_default_better").alias("_better"),
        pl.coalesce("_unit", "_default_unit").alias("_unit"),
    )
    for row in per_indicator.filter(pl.col("_target").is_not_null() & pl.col("_better").is_null()).iter_rows(
        named=True
    ):
        problems.append(
            Problem(
                file,
                row["_first_row"],
                "better",
                None,
                msg("problem.indicator_better", id=row["_id"]),
            )
        )
    for ind, units in SCALED_UNITS.items():
        for row in per_indicator.filter((pl.col("_id") == ind) & ~pl.col("_unit").is_in(list(units))).iter_rows(
            named=True
        ):
            problems.append(
                Problem(
                    file,
                    row["_first_row"],
                    "unit",
                    row["_unit"],
                    msg("problem.indicator_unit", choices=", ".join(units), indicator=ind),
                )
            )
    if problems:
        return empty(), problems
    frame = (
        t.select("_row", "_id", "_year", "_value", "source")
        .join(per_indicator, on="_id")
        .select(
            "_row",
            pl.col("_id").alias("indicator"),
            pl.col("_year").alias("year"),
            pl.col("_value").alias("value"),
            pl.col("_unit").alias("unit"),
            pl.col("_target").alias("target"),
            pl.col("_target_year").alias("target_year"),
            pl.col("_better").alias("better"),
            "source",
        )
        .cast(pl.Schema(SCHEMA))
        .join(per_indicator.select(pl.col("_id").alias("indicator"), "_first_row"), on="indicator")
        .sort("_first_row", "year")  # the indicators in the order of the file, each by year
        .drop("_first_row")
    )
    return frame, []


def series(frame: pl.DataFrame, indicator: str, unit: str | None = None) -> dict[int, float]:
    """{year: value} of one indicator (empty when absent), in its own unit or converted to ``unit``.

    Conversions are between scales of one quantity only: persons (人, 万人) and money (元, 万元, 亿元 …),
    e.g. ``series(frame, "population", "人")``; each row by its own unit (a row without one is taken to be
    in ``unit``). ValueError when a unit is not of the same quantity."""
    rows = frame.filter(pl.col("indicator") == indicator).sort("year")
    out = {}
    for year, value, own in rows.select("year", "value", "unit").iter_rows():
        factor = 1.0
        if unit is not None and own is not None and own != unit:
            scales = next((s for s in (PERSONS, MONEY) if own in s and unit in s), None)
            if scales is None:
                raise ValueError(f"indicator {indicator} is in {own!r}, which cannot be converted to {unit!r}")
            factor = scales[own] / scales[unit]
        out[int(year)] = float(value) * factor
    return out


def status(
    values: dict[int, float], target: float | None, target_year: int | None, better: str | None
) -> Literal["met", "on_track", "off_track", "no_target"]:
    """How an indicator stands against its target.

    - ``no_target``: no target (or no direction to judge it by);
    - ``met``: the latest value meets the target (≤ it when lower is better, ≥ when higher);
    - ``on_track``: not met yet, but the least-squares line through the series, extended to the
      target year, meets it there (needs two years or more and a target year after the latest);
    - ``off_track``: otherwise.
    """
    if target is None or better not in BETTER or not values:
        return "no_target"

    def meets(v: float) -> bool:
        tol = 1e-9 * max(abs(target), 1.0)
        return v <= target + tol if better == "lower" else v >= target - tol

    years = sorted(values)
    if meets(values[years[-1]]):
        return "met"
    if len(years) < 2 or target_year is None or target_year <= years[-1]:
        return "off_track"
    n = len(years)
    mean_x = sum(years) / n
    mean_y = sum(values[y] for y in years) / n
    sxx = sum((y - mean_x) ** 2 for y in years)
    slope = sum((y - mean_x) * (values[y] - mean_y) for y in years) / sxx
    return "on_track" if meets(mean_y + slope * (target_year - mean_x)) else "off_track"


def records(frame: pl.DataFrame) -> list[dict]:
    """``summary.json``'s ``indicators``: one record per indicator, names from the catalogues ([] when none)."""
    out = []
    for ind in frame["indicator"].unique(maintain_order=True).to_list():
        rows = frame.filter(pl.col("indicator") == ind).sort("year")
        first = rows.row(0, named=True)
        values = series(rows, ind)
        sources = rows["source"].drop_nulls().unique(maintain_order=True).to_list()
        out.append(
            {
                "indicator": ind,
                "name_zh": name(ind, "zh"),
                "name_en": name(ind, "en"),
                "unit": first["unit"],
                "better": first["better"],
                "target": first["target"],
                "target_year": first["target_year"],
                # sources in Chinese are joined as Chinese text is (；), others with "; "
                "source": ("；" if any(re.search("[\u4e00-\u9fff]", s) for s in sources) else "; ").join(sources)
                if sources
                else None,
                "series": [{"year": y, "value": v} for y, v in values.items()],
                "latest": values[max(values)],
                "status": status(values, first["target"], first["target_year"], first["better"]),
            }
        )
    return out


def by_year(frame: pl.DataFrame, settings: Settings) -> dict[str, dict[int, float]]:
    """GDP (in currency units, 元, at the territory's constant prices) and population (persons) by
    year, as intensity targets divide by them: ``indicators.csv``'s ``gdp`` and ``population``, and
    ``[territory]``'s values for the period's last year where the file has none."""
    gdp = series(frame, "gdp", "元")
    people = series(frame, "population", "人")
    last = settings.period.end.year
    territory = settings.territory
    if territory is not None:
        if territory.gdp_currency_units is not None:
            gdp.setdefault(last, territory.gdp_currency_units)
        if territory.population is not None:
            people.setdefault(last, float(territory.population))
    return {"gdp": dict(sorted(gdp.items())), "capita": dict(sorted(people.items()))}
