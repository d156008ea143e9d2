"""Load and validate a project folder (DESIGN.md, 'Project folder').

Every problem is collected (not just the first) and raised together as one InputError whose
problems name the file, row, column, value found and what was expected. Nothing is written.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from dualcarbon import collapse, units
from dualcarbon.engine import SpendTables
from dualcarbon.errors import InputError, Msg, Problem, did_you_mean, msg
from dualcarbon.factors.gwp import blend_components, gas_aliases
from dualcarbon.factors.library import DATA, FactorLibrary
from dualcarbon.methods.agri_params import manure_system_aliases
from dualcarbon.methods.solid_waste import DEPOSIT_KEYS
from dualcarbon.model import (
    ACTIVITY_SCHEMA,
    AGRICULTURE_COLUMNS,
    BALANCE_COLUMNS,
    FRACTION_COLUMNS,
    NUMBER_COLUMNS,
    SWDS_TYPES,
    Settings,
)
from dualcarbon.neutrality.records import Evidence
from dualcarbon.project import indicators as indicators_table
from dualcarbon.project import reader
from dualcarbon.project.credits import load_credits
from dualcarbon.project.ets import EtsInputs
from dualcarbon.project.ets import inputs as ets_inputs
from dualcarbon.project.ledger import DEFAULT_BATCH_ROWS, Ledger, id_hash, repeated, rows_in, schema
from dualcarbon.project.limits import ReadLimits, check_parquet, from_settings
from dualcarbon.project.neutrality import load_evidence
from dualcarbon.project.sinks import load_sinks
from dualcarbon.territory import gpc
from dualcarbon.territory.summary import check_notation

SETTINGS_FILE = "dualcarbon.toml"
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet")
REQUIRED = ["id", "activity", "quantity", "unit"]
KNOWN_COLUMNS = {
    "id",
    "facility",
    "date",
    "period_start",
    "period_end",
    "activity",
    "quantity",
    "unit",
    "region",
    "sector",
    "scope",
    "category",
    "gpc",
    "ncv",
    "ncv_unit",
    "carbon_content",
    "carbon_content_unit",
    "oxidation",
    "measured",
    "supplier",
    "instrument",
    "evidence",
    "note",
    *FRACTION_COLUMNS,
    *NUMBER_COLUMNS,
    "swds_type",
    "treatment",
    "inventory_start",
    "inventory_end",
    "purchased",
    "disposed",
    "capacity_retired",
    "capacity_new",
    *AGRICULTURE_COLUMNS,
}
BALANCE = BALANCE_COLUMNS
#: Texts of the ``measured`` column (a fuel row's carbon content measured per the ETS guideline, docs/ets.md)
MEASURED_WORDS = {
    "true": True,
    "yes": True,
    "1": True,
    "是": True,
    "实测": True,
    "false": False,
    "no": False,
    "0": False,
    "否": False,
    "缺省": False,
}
KIND_DIMENSIONS = {
    "combustion": ("mass", "volume", "energy"),
    "electricity": ("energy",),
    "heat": ("energy",),
    "freight": ("freight", "distance"),
    "travel": ("passenger_distance", "distance"),
    "vehicle": ("distance", "volume"),  # vehicle-miles (EPA Hub Tables 3-4) or non-road fuel (Table 5)
    "waste": ("mass",),
    "wastewater": ("count", "mass"),
    "fugitive": ("mass",),
    "cement_clinker": ("mass",),
    "cement_raw_meal": ("mass",),
    "cement_kiln_dust": ("mass",),
    "cement_organic_carbon": ("mass",),
    "enteric": ("count",),
    "manure": ("count",),
    "soils": ("mass",),
    "rice": ("area",),
}


@dataclass
class Project:
    """A validated project: settings, activities, instruments and credits, ready for the engine,
    and what a neutrality assessment reads (forest stands, evidence)."""

    root: Path
    settings: Settings
    activities: pl.DataFrame
    instruments: pl.DataFrame
    credits: pl.DataFrame  # every row of credits.csv, typed (neutrality.records.CREDIT_SCHEMA)
    spend: SpendTables
    library: FactorLibrary
    ledger: Ledger | None = None  # set when the activities were summed into groups (typed Parquet)
    stands: pl.DataFrame | None = None  # sinks.csv, parameters resolved (neutrality.sinks.resolve)
    evidence: Evidence | None = None  # set when [neutrality] is configured
    limits: ReadLimits = field(default_factory=ReadLimits)  # how the tables were read (measures.csv is read later)
    #: indicators.csv, one row per indicator and year (``project.indicators.SCHEMA``; empty when absent)
    indicators: pl.DataFrame = field(default_factory=indicators_table.empty)
    #: power units under the China ETS (units.csv, generation.csv; docs/ets.md), None without units.csv
    ets: EtsInputs | None = None


def neutrality_inputs(
    root: Path, settings: Settings, library: FactorLibrary, limits: ReadLimits | None = None
) -> tuple[pl.DataFrame, Evidence | None, list[Problem]]:
    """Forest stands (sinks.csv, read whenever present) and, with ``[neutrality]``, its evidence."""
    stands, problems = load_sinks(root, library.ureg, settings.period.end.year, limits or read_limits(settings))
    if settings.neutrality is None:
        return stands, None, problems
    evidence, found = load_evidence(root, settings)
    return stands, evidence, problems + found


def load_settings(root: Path) -> Settings:
    path = root / SETTINGS_FILE
    if not path.is_file():
        raise InputError.single(msg("problem.settings_missing", root=str(root)), file=SETTINGS_FILE)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError.single(msg("problem.toml_invalid", why=str(exc)), file=SETTINGS_FILE) from exc
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            expected = settings_message(err)
            value = err.get("input") if err["type"] != "missing" else None
            problems.append(Problem(SETTINGS_FILE, None, loc, None if isinstance(value, dict) else value, expected))
        raise InputError(problems) from exc


def read_limits(settings: Settings, ceiling: ReadLimits | None = None) -> ReadLimits:
    """How the project's tables are read: the defaults changed by ``[input]`` (the CLI), or
    ``ceiling`` (a server's limits) lowered, never raised, by ``[input]``; its encoding in both."""
    return from_settings(settings.input) if ceiling is None else ceiling.tightened(settings.input)


def check_settings(settings: Settings, library: FactorLibrary) -> None:
    """The settings' names that must exist in the library: factor sets and proxy regions."""
    unknown_sets = [s for s in settings.factor_sets() if s not in library.sets and s != "project"]
    if unknown_sets:
        raise InputError.single(
            msg("problem.unknown_factor_sets", sets=", ".join(unknown_sets), known=", ".join(library.sets)),
            file=SETTINGS_FILE,
            column="method.factor_sets",
        )
    known = set(library.regions["region"].to_list())
    unknown_proxies = [r for r in settings.method.proxy_regions if r not in known]
    if unknown_proxies:
        raise InputError.single(
            msg("problem.unknown_proxy_regions", regions=", ".join(unknown_proxies)),
            file=SETTINGS_FILE,
            column="method.proxy_regions",
        )


def activity_files(root: Path) -> list[Path]:
    """``activities.*`` plus every table in an ``activities/`` folder (order does not matter)."""
    files = [p for p in sorted(root.glob("activities.*")) if p.suffix.lower() in TABLE_SUFFIXES]
    folder = root / "activities"
    if folder.is_dir():
        files += [p for p in sorted(folder.iterdir()) if p.suffix.lower() in TABLE_SUFFIXES]
    return files


def load(
    root: Path | str,
    library: FactorLibrary | None = None,
    batch_rows: int | None = None,
    grouped: bool | None = None,
    mapper: Callable | None = None,
    limits: ReadLimits | None = None,
    measures: bool = False,
) -> Project:
    """Read, validate and normalise a project folder; raise InputError with every problem.

    ``limits``: None reads the tables with the defaults of ``ReadLimits`` changed by the
    settings' ``[input]`` table (the CLI); a server passes its own, which ``[input]`` can only
    lower (``read_limits``).

    Typed Parquet activities are summed into calculation groups batch by batch (``batch_rows``
    rows at a time; see ``collapse``); other tables are validated row by row. ``grouped``
    forces one way or the other (tests compare them). ``mapper`` (a ``map``, e.g. on Dask) runs
    the per-file passes, one partition per file. ``measures``: check measures.csv too (``validate``).

    One pass: once the settings are read, a file that cannot be read (its encoding, a row with more
    fields than the header, a missing column) does not stop the others being checked; every
    problem found is raised together.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError.single(msg("problem.folder_missing", root=str(root)))
    settings = load_settings(root)
    notation_problems = check_notation(settings)
    if notation_problems:
        raise InputError(notation_problems)
    limits = read_limits(settings, limits)
    problems: list[Problem] = []
    factor_files = sorted((root / "factors").glob("*.csv")) if (root / "factors").is_dir() else []
    readable = []
    for path in factor_files:
        try:
            reader.check_header(path, path.name, limits)
            readable.append(path)
        except InputError as exc:
            problems.extend(exc.problems)
    if library is None:
        try:
            library = FactorLibrary.load(project_factor_files=readable)
        except InputError as exc:  # an own factor file without its columns: the others are still checked
            problems.extend(exc.problems)
            library = FactorLibrary.load()
    try:
        check_settings(settings, library)
    except InputError as exc:
        problems.extend(exc.problems)
    if measures:
        from dualcarbon.project import measures as measures_table

        table = measures_table.find(root)
        found: list = []
        if table is not None:
            found, measure_problems = measures_table.load_measures(table, limits)
            problems.extend(measure_problems)
        problems.extend(_fiscal_problems(root, settings, found, limits))
    files = activity_files(root)
    if not files:
        problems.append(Problem("activities.csv", None, None, None, msg("problem.no_activities")))
        for found in (
            load_credits(root, library.ureg, limits)[2],
            neutrality_inputs(root, settings, library, limits)[2],
            indicators_table.load_indicators(root, settings.report.lang, limits)[1],
        ):
            problems.extend(found)
        raise InputError(problems)
    names = [str(p.relative_to(root)) for p in files]
    parquet = all(p.suffix.lower() == ".parquet" for p in files)
    if parquet:  # from the footers: the ledger is read in batches, so its columns and rows count, not its size
        for path, name in zip(files, names, strict=True):
            check_parquet(path, name, limits, whole=False)
    schemas = [schema(p, n) for p, n in zip(files, names, strict=True)] if parquet else []
    for cols, name in zip(schemas, names, strict=False):
        reader.check_parquet_types(cols, name)
    if grouped is None:
        grouped = parquet and all(collapse.typed(s) for s in schemas)
    if grouped:
        if problems:
            raise InputError(problems)
        if limits.max_rows is not None:  # the cap is for the upload as a whole
            total = sum(rows_in(p) for p in files)
            if total > limits.max_rows:
                raise InputError.single(
                    msg(
                        "problem.too_many_rows_files",
                        total=f"{total:,}",
                        files=len(files),
                        most=f"{limits.max_rows:,}",
                        hint=limits.hint_msg("max_rows"),
                    ),
                    file=names[0] if len(names) == 1 else "activities/",
                )
        instruments, credits, found = load_credits(root, library.ureg, limits)
        stands, evidence, more = neutrality_inputs(root, settings, library, limits)
        indicators, other = indicators_table.load_indicators(root, settings.report.lang, limits)
        plant_problems = ets_inputs(root, settings, limits, None, grouped=True)[1]
        if found or more or other or plant_problems:
            raise InputError(found + more + other + plant_problems)
        activities, ledger = _load_ledger(
            files, names, schemas, settings, library, instruments, batch_rows or DEFAULT_BATCH_ROWS, mapper
        )
        return Project(
            root,
            settings,
            activities,
            instruments,
            credits,
            spend_tables(settings),
            library,
            ledger,
            stands,
            evidence,
            limits,
            indicators,
        )
    frames = []
    activities = None  # type: ignore[assignment]  # set below when a file could be read
    for path in files:
        name = str(path.relative_to(root))
        try:
            frames.append(
                reader.read_table(path, display_name=name, limits=limits, problems=problems).with_columns(
                    pl.lit(name).alias("_file")
                )
            )
        except InputError as exc:
            problems.extend(exc.problems)
    if frames:
        activities, found = validate_activities(frames, settings, library)
        problems.extend(found)
    instruments, credits, found = load_credits(root, library.ureg, limits)
    problems.extend(found)
    stands, evidence, found = neutrality_inputs(root, settings, library, limits)
    problems.extend(found)
    indicators, found = indicators_table.load_indicators(root, settings.report.lang, limits)
    problems.extend(found)
    plant, found = ets_inputs(root, settings, limits, activities if not problems else None)
    problems.extend(found)
    if problems or activities is None:
        raise InputError(problems)
    spend = spend_tables(settings)
    return Project(
        root,
        settings,
        activities,
        instruments,
        credits,
        spend,
        library,
        stands=stands,
        evidence=evidence,
        limits=limits,
        indicators=indicators,
        ets=plant,
    )


LINEAR_KINDS = {"combustion", "electricity", "heat", "freight", "travel", "vehicle", "waste", "spend"}


def linear_activities(library: FactorLibrary) -> dict[str, str]:
    """Activity texts (keys and aliases as written in the catalogue) → kind, for those whose rows
    may be summed across facilities: every kind except cement and refrigerants, whose results
    depend on other rows of the same facility or are not proportional to a quantity, and landfilled
    waste (its methane recovery is per site)."""
    kinds = dict(library.catalog.select("key", "kind").iter_rows())
    return {
        a: kinds[key]
        for a, key in sorted(library.aliases.items())
        # landfill rows: first-order decay subtracts each site's recovered CH4 from its own deposits
        if kinds.get(key) in LINEAR_KINDS and not key.startswith("waste/landfill/")
    }


def _load_ledger(
    files: list[Path],
    names: list[str],
    schemas: list[dict],
    settings: Settings,
    library: FactorLibrary,
    instruments: pl.DataFrame,
    batch_rows: int,
    mapper: Callable | None = None,
) -> tuple[pl.DataFrame, Ledger]:
    """Typed Parquet activities: groups summed batch by batch, validated as groups; when a group
    has a problem, its rows are read again and validated one by one for exact file/row messages."""
    problems: list[Problem] = []
    for name, cols in zip(names, schemas, strict=True):
        problems += check_columns(name, list(cols))
    for path, name in zip(files, names, strict=True):
        if not problems and rows_in(path) == 0:
            problems.append(Problem(name, None, None, None, msg("problem.no_rows")))
    if problems:
        raise InputError(problems)
    columns = sorted(
        {c for cols in schemas for c in cols} | {"id", "quantity", "date", "facility", "activity", "unit", "ncv"}
    )
    keys = collapse.keys_of(columns)
    linear = linear_activities(library)
    apart = instruments.filter(pl.col("facility").is_not_null())["facility"].unique().to_list()
    ledger = Ledger.of(files, names, columns, keys, linear, apart, batch_rows, per_file=mapper is not None)
    groups, id_hashes = ledger.sum_groups(mapper or map)
    with ThreadPoolExecutor(1) as pool:  # the sort of the id hashes runs beside the validation of the groups
        sorting = pool.submit(repeated, id_hashes)  # a sort finds repeats faster than a hash table of millions
        del id_hashes
        text = [c for c, t in groups.schema.items() if t == pl.String and not c.startswith("_") and c != "id"]
        rows_like = collapse.as_rows(groups).with_columns([reader.normalize_text(pl.col(c)).alias(c) for c in text])
        activities, problems = validate_activities([rows_like], settings, library)
        duplicated = sorting.result()
    flagged = groups.filter(pl.col("_bad") > 0)  # a row of these fails a check of its own (``collapse._partials``)
    if problems or duplicated.len() or flagged.height:
        bad = pl.DataFrame(
            [(p.file, p.row) for p in problems if p.row is not None],
            schema={"_file": pl.String, "_row": pl.Int64},
            orient="row",
        )
        bad_groups = pl.concat([groups.join(bad, on=["_file", "_row"], how="semi"), flagged]).select(keys).lazy()
        hashes = duplicated.implode()
        rows = ledger.rows_where(
            lambda lf: (
                pl.concat(
                    [
                        lf.join(bad_groups, on=keys, how="semi", nulls_equal=True),
                        lf.filter(id_hash().is_in(hashes)),
                    ]
                )
                .unique(subset=["_row"])
                .sort("_row")
            )
        )
        if rows.height:
            rows = rows.with_columns([reader.normalize_text(pl.col(c)).alias(c) for c in text])
            _, exact = validate_activities([rows.drop(collapse.EXTRA_KEYS)], settings, library)
            problems = exact or problems
        if problems:
            raise InputError(problems)
    return activities, ledger


def _problems_where(
    frame: pl.DataFrame, mask: pl.Expr, column: str, expected: str | Msg | Callable, value: str | None = None
) -> list[Problem]:
    """Problems for the rows matching ``mask``; ``expected`` is a message or a row → message function."""
    rows = frame.filter(mask)
    out = []
    for row in rows.head(500).iter_rows(named=True):  # only offending rows, capped
        text = expected(row) if callable(expected) else expected
        out.append(Problem(row["_file"], row["_row"], column, row.get(value or column), text))
    return out


def check_columns(name: str, columns: list[str]) -> list[Problem]:
    """Header problems of one activities table: required columns missing, unknown columns."""
    problems = []
    for column in REQUIRED:
        if column not in columns:
            problems.append(Problem(name, 1, column, None, msg("problem.required_column")))
    if "date" not in columns and not {"period_start", "period_end"} <= set(columns):
        problems.append(Problem(name, 1, "date", None, msg("problem.required_date_column")))
    for column in columns:
        if not column.startswith("_") and column not in KNOWN_COLUMNS:
            close = difflib.get_close_matches(column, sorted(KNOWN_COLUMNS), n=1)
            hint = did_you_mean(close[0] if close else None)
            problems.append(Problem(name, 1, column, None, msg("problem.unknown_column", hint=hint)))
    return problems


def _typed(a: pl.DataFrame, column: str, parse) -> pl.Expr:
    """A column's value: as given when the file already typed it (Parquet), else parsed from text."""
    dtype = a.schema[column]
    if dtype.is_numeric() or dtype in (pl.Date, pl.Datetime) or isinstance(dtype, pl.Datetime):
        return pl.col(column).cast(pl.Date) if not dtype.is_numeric() else pl.col(column).cast(pl.Float64)
    return parse(pl.col(column))


def validate_activities(frames: list[pl.DataFrame], settings: Settings, library: FactorLibrary):
    """Validate activity rows (or groups of rows, see ``collapse.as_rows``) and normalise them.

    A table whose header has a problem is left out; the rows of the others are still checked."""
    problems: list[Problem] = []
    good = []
    for frame in frames:
        found = check_columns(frame["_file"][0], frame.columns)
        problems += found
        if not found or all(p.key == "problem.unknown_column" for p in found):
            good.append(frame)
    frames = good
    if not frames:
        return None, problems
    a = pl.concat(frames, how="diagonal_relaxed")
    for column in KNOWN_COLUMNS:
        if column not in a.columns:
            a = a.with_columns(pl.lit(None, pl.String).alias(column))
    a = a.with_row_index("_idx")  # text is already normalised by the reader

    # ids: present and unique across all files
    problems += _problems_where(a, pl.col("id").is_null(), "id", msg("problem.id_required"))
    dup = a.filter(pl.col("id").is_not_null() & pl.col("id").is_duplicated())
    if dup.height:
        first = dup.group_by("id").agg(pl.col("_file").first(), pl.col("_row").first())
        firsts = {r["id"]: (r["_file"], r["_row"]) for r in first.iter_rows(named=True)}
        problems += _problems_where(
            a,
            pl.col("id").is_in(dup["id"].implode())
            & ~pl.col("_idx").is_in(dup.group_by("id").agg(pl.col("_idx").first())["_idx"].implode()),
            "id",
            lambda r: msg("problem.duplicate_id", file=firsts[r["id"]][0], row=firsts[r["id"]][1]),
        )

    # activity → key, kind, default scope/category
    a = a.with_columns(pl.col("activity").str.to_lowercase().replace_strict(library.aliases, default=None).alias("key"))
    a = a.with_columns(pl.coalesce(pl.col("key"), _wildcard_key(pl.col("activity"), library)).alias("key"))
    catalog = _catalog_frame(library)
    exact = [k for k in catalog["_pattern"].to_list() if "*" not in k]
    a = a.with_columns(_pattern(pl.col("key"), exact).alias("_pattern")).join(catalog, on="_pattern", how="left")
    aliases = sorted(library.aliases)
    problems += _problems_where(a, pl.col("activity").is_null(), "activity", msg("problem.activity_required"))
    problems += _problems_where(
        a,
        pl.col("activity").is_not_null() & pl.col("kind").is_null(),
        "activity",
        lambda r: msg("problem.unknown_activity", hint=_suggest(r["activity"], aliases)),
    )

    # quantity
    a = a.with_columns(_typed(a, "quantity", reader.parse_number).alias("_q"))
    a = a.with_columns(
        pl.coalesce(pl.col("_qtotal"), pl.col("_q")).alias("_qtotal")
        if "_qtotal" in a.columns
        else pl.col("_q").alias("_qtotal")
    )
    problems += _problems_where(a, pl.col("quantity").is_null(), "quantity", msg("problem.quantity_required"))
    problems += _problems_where(
        a, pl.col("quantity").is_not_null() & pl.col("_q").is_null(), "quantity", msg("problem.number")
    )
    problems += _problems_where(a, pl.col("_q") < 0, "quantity", msg("problem.quantity_negative"))

    # unit → dimension and base multiplier (one pint call per distinct unit)
    conv = units.conversion_table(a["unit"].drop_nulls().unique().to_list(), library.ureg)
    a = a.join(conv.rename({"error": "_unit_error"}), on="unit", how="left")
    problems += _problems_where(a, pl.col("unit").is_null(), "unit", msg("problem.unit_required"))
    problems += _problems_where(
        a,
        pl.col("_unit_error").is_not_null(),
        "unit",
        lambda r: msg("problem.unknown_unit", unit=r["unit"], hint=did_you_mean(units.suggestion(r["unit"]))),
    )
    allowed = pl.col("kind").replace_strict({k: "|".join(v) for k, v in KIND_DIMENSIONS.items()}, default=None)
    bad_dim = (
        pl.col("dimension").is_not_null()
        & pl.col("kind").is_not_null()
        & (pl.col("kind") != "spend")
        & ~allowed.fill_null("").str.split("|").list.contains(pl.col("dimension"))
    ) | (
        (pl.col("kind") == "spend")
        & pl.col("dimension").is_not_null()
        & ~pl.col("dimension").str.starts_with("currency:")
    )
    # Fuel energy is accepted in heat units (GJ, MMBtu, therm, tce), not in kWh/万千瓦时.
    electrical = [u for u in conv["unit"].to_list() if units.is_electrical(u)]
    fuel_in_kwh = (pl.col("kind") == "combustion") & pl.col("unit").is_in(electrical)
    bad_dim = bad_dim | fuel_in_kwh
    problems += _problems_where(
        a.with_columns(allowed.alias("_allowed")),
        bad_dim,
        "unit",
        lambda r: msg(
            "problem.unit_dimension",
            unit=r["unit"],
            dimension=dimension_msg(r["dimension"]),
            key=r["key"],
            needs=msg("problem.needs_currency")
            if r["kind"] == "spend"
            else msg("problem.needs_fuel")
            if r["kind"] == "combustion"
            else msg(
                "problem.either", choices=[dimension_msg(d) for d in r["_allowed"].split("|")], _sep="problem.or_sep"
            ),
        ),
    )

    # dates
    period = settings.period
    a = a.with_columns(_typed(a, "date", reader.parse_date).alias("_date"))
    last = pl.col("_date_max") if "_date_max" in a.columns else pl.col("_date")  # groups span several dates
    a = a.with_columns(
        pl.coalesce(pl.col("_date"), _typed(a, "period_start", reader.parse_date)).alias("_start"),
        pl.coalesce(_typed(a, "period_end", reader.parse_period_end), last).alias("_end"),
    )
    problems += _problems_where(
        a,
        pl.col("date").is_null() & pl.col("period_start").is_null(),
        "date",
        msg("problem.date_required"),
    )
    problems += _problems_where(
        a,
        pl.col("date").is_not_null() & pl.col("_date").is_null(),
        "date",
        msg("problem.date"),
    )
    problems += _problems_where(
        a,
        pl.col("period_start").is_not_null() & _typed(a, "period_start", reader.parse_date).is_null(),
        "period_start",
        msg("problem.date_start"),
    )
    problems += _problems_where(
        a,
        pl.col("period_end").is_not_null() & pl.col("_end").is_null(),
        "period_end",
        msg("problem.date_end"),
    )
    problems += _problems_where(a, pl.col("_end") < pl.col("_start"), "period_end", msg("problem.end_before_start"))
    # Rows of landfilled waste dated before the period are the deposit history of first-order decay.
    deposit = pl.col("key").is_in(list(DEPOSIT_KEYS))
    history = deposit & (pl.col("_end") < period.start) if settings.waste_method else pl.lit(False)
    outside = (pl.col("_start") < period.start) | (pl.col("_start") > period.end) | (pl.col("_end") > period.end)
    date_column = "date" if "date" in a.columns else "period_start"
    problems += _problems_where(
        a,
        pl.col("_start").is_not_null() & outside & ~history,
        date_column,
        lambda r: msg(
            "problem.outside_period",
            start=str(period.start),
            end=str(period.end),
            hint=msg("problem.history_needs_fod")
            if r["key"] in DEPOSIT_KEYS and r["_start"] is not None and r["_start"] < period.start
            else msg("problem.history_only_landfill")
            if r["_start"] is not None and r["_start"] < period.start
            else "",
        ),
        value="date",
    )

    # region
    known_regions = set(library.regions["region"].to_list())
    a = a.with_columns(pl.col("region").str.to_uppercase())
    problems += _problems_where(
        a,
        pl.col("region").is_not_null() & ~pl.col("region").is_in(list(known_regions)),
        "region",
        lambda r: msg("problem.unknown_region", hint=_suggest(r["region"], sorted(known_regions))),
    )
    # scope / category overrides
    problems += _problems_where(
        a, pl.col("scope").is_not_null() & ~pl.col("scope").is_in(["1", "2", "3"]), "scope", msg("problem.scope")
    )
    problems += _problems_where(
        a,
        pl.col("category").is_not_null()
        & ~pl.col("category").str.contains(r"^(1\.[a-z_]+|2\.[a-z_]+|3\.(1[0-5]|[1-9]))$"),
        "category",
        msg("problem.category"),
    )

    # Tier 2/3 parameters and other numeric columns
    a, found = _parameters(a, library)
    problems += found
    a, found = _waste_columns(a)
    problems += found
    a, found = _fugitive(a, library)
    problems += found
    a, found = _agriculture(a)
    problems += found
    a = a.with_columns(
        pl.col("measured")
        .str.to_lowercase()
        .replace_strict(MEASURED_WORDS, default=None, return_dtype=pl.Boolean)
        .alias("_measured")
    )
    problems += _problems_where(
        a, pl.col("measured").is_not_null() & pl.col("_measured").is_null(), "measured", msg("problem.true_false")
    )
    if problems:
        return None, problems
    if not settings.is_territory:
        problems += _problems_where(
            a,
            pl.col("gpc").is_not_null(),
            "gpc",
            msg("problem.gpc_not_territory"),
        )
        if problems:
            return None, problems
    country_default = settings.default_region
    # a territory's row without a sector takes the IPCC category of its activity key (catalogue), if any
    sector_default = [pl.col("_ipcc_default")] if settings.is_territory and "_ipcc_default" in a.columns else []
    a = a.with_columns(
        pl.col("_qtotal").alias("quantity"),
        (pl.col("_qtotal") * pl.col("to_base")).alias("quantity_base"),
        pl.col("_start").alias("date"),
        pl.col("_end").alias("period_end"),
        pl.col("_start").dt.year().cast(pl.Int32).alias("year"),
        pl.col("_start").dt.strftime("%Y-%m").alias("month"),
        pl.coalesce(pl.col("region"), pl.lit(country_default)).alias("region"),
        pl.coalesce(pl.col("sector"), *sector_default, pl.lit(settings.organization.sector)).alias("sector"),
        pl.coalesce(pl.col("scope"), pl.col("default_scope")).alias("scope"),
        pl.coalesce(pl.col("category"), pl.col("default_category")).alias("category"),
        pl.col("facility").fill_null(""),
        pl.col("_measured").alias("measured"),
    )
    if "_n" not in a.columns:
        a = a.with_columns(pl.lit(1, pl.Int64).alias("_n"))
    if "_w" not in a.columns:
        a = a.with_columns(pl.lit(None, pl.Float64).alias("_w"))
    cols = (
        [c for c in ACTIVITY_SCHEMA]
        + [
            "iso_category",
            "biogenic",
            "supplier",
            "instrument",
            "evidence",
            "note",
            "measured",
            "_n",
            "_w",
        ]
        + ["gpc"] * settings.is_territory
    )
    a = a.select([pl.col(c).cast(ACTIVITY_SCHEMA[c]) if c in ACTIVITY_SCHEMA else pl.col(c) for c in cols])
    if settings.is_territory:
        a, problems = gpc.classify(a)
        if problems:
            return None, problems
    return a, []


def _pattern(key: pl.Expr, exact: list[str]) -> pl.Expr:
    """Catalogue pattern of a key: exact keys, or ``prefix/*`` for open families (spend/naics/*)."""
    return (
        pl.when(key.str.starts_with("spend/naics/"))
        .then(pl.lit("spend/naics/*"))
        .when(key.str.starts_with("refrigerant/"))
        .then(pl.lit("refrigerant/*"))
        .when(key.str.starts_with("vehicle/"))
        .then(pl.lit("vehicle/*"))
        .when(key.str.starts_with("nonroad/"))
        .then(pl.lit("nonroad/*"))
        .when(key.str.starts_with("waste/") & ~key.is_in(exact))
        .then(pl.lit("waste/*"))
        .otherwise(key)
    )


def _wildcard_key(activity: pl.Expr, library: FactorLibrary) -> pl.Expr:
    """Keys of open families typed directly (spend/naics/327310, refrigerant/R-410A, 制冷剂R410A)."""
    text = activity.str.strip_chars()
    lower = text.str.to_lowercase()
    known = pl.lit(list(library.known_keys), dtype=pl.List(pl.String))
    return (
        pl.when(lower.str.starts_with("spend/naics/") & known.list.contains(text))
        .then(text)
        .when(lower.str.starts_with("refrigerant/"))
        .then(text)
        .when(lower.str.contains(r"^(制冷剂|冷媒)"))
        .then(pl.concat_str([pl.lit("refrigerant/"), text.str.replace(r"^(制冷剂|冷媒)\s*", "")]))
        .when(lower.str.contains(r"^(r-?\d|hfc-?\d|sf6|nf3|pfc)"))
        .then(pl.concat_str([pl.lit("refrigerant/"), text]))
        .when(lower.str.starts_with("waste/") & known.list.contains(text))
        .then(text)
        .when((lower.str.starts_with("vehicle/") | lower.str.starts_with("nonroad/")) & known.list.contains(text))
        .then(text)
        .otherwise(None)
    )


def _catalog_frame(library: FactorLibrary) -> pl.DataFrame:
    ipcc = [pl.col("ipcc_category").alias("_ipcc_default")] if "ipcc_category" in library.catalog.columns else []
    return library.catalog.select(
        pl.col("key").alias("_pattern"),
        "kind",
        pl.col("scope").alias("default_scope"),
        pl.col("category").alias("default_category"),
        "iso_category",
        "biogenic",
        *ipcc,
    )


def _suggest(value: str, choices: list[str]) -> Msg | str:
    close = difflib.get_close_matches((value or "").lower(), choices, n=1, cutoff=0.6)
    return did_you_mean(close[0] if close else None)


DIMENSIONS = ("mass", "volume", "energy", "distance", "freight", "passenger_distance", "count", "area", "power")


def dimension_msg(dimension: str | None) -> Msg | str:
    """A unit's dimension in words (``mass``: 质量); a currency or another code as it is."""
    return msg(f"problem.dim.{dimension}") if dimension in DIMENSIONS else str(dimension)


def settings_message(err: Any) -> Msg:
    """What a pydantic error on dualcarbon.toml means, as a catalogue message (its own text where the
    settings' validators wrote one; pydantic's error types otherwise)."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return msg("problem.settings.unknown_key")
    if kind == "missing":
        return msg("problem.settings.required_key")
    if kind == "value_error":
        error = ctx.get("error")
        first = error.args[0] if isinstance(error, Exception) and error.args else error
        if isinstance(first, Msg):
            return first
        return msg("problem.settings.invalid", why=err["msg"].removeprefix("Value error, "))
    if kind in ("literal_error", "enum"):
        return msg("problem.settings.one_of", choices=str(ctx.get("expected", "")))
    if kind in SETTINGS_TYPES:
        return msg(f"problem.settings.{SETTINGS_TYPES[kind]}", **{k: str(v) for k, v in ctx.items()})
    return msg("problem.settings.invalid", why=err["msg"])


SETTINGS_TYPES = {  # pydantic's error type → problem.settings.<key>
    "int_type": "integer",
    "int_parsing": "integer",
    "int_from_float": "integer",
    "float_type": "number",
    "float_parsing": "number",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
    "string_type": "text",
    "date_type": "date",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "list_type": "list",
    "dict_type": "table",
    "model_type": "table",
    "greater_than": "greater_than",
    "greater_than_equal": "greater_than_equal",
    "less_than": "less_than",
    "less_than_equal": "less_than_equal",
    "too_short": "too_short",
    "too_long": "too_long",
    "string_too_short": "too_short_text",
    "string_too_long": "too_long_text",
    "string_pattern_mismatch": "pattern",
}


def _parameters(a: pl.DataFrame, library: FactorLibrary):
    """Tier 2/3 overrides converted to GJ per base unit, t C per GJ and fractions."""
    problems: list[Problem] = []
    for column in ["ncv", "carbon_content", *FRACTION_COLUMNS, *NUMBER_COLUMNS, *BALANCE]:
        a = a.with_columns(_typed(a, column, reader.parse_number).alias(f"_{column}"))
        problems += _problems_where(
            a, pl.col(column).is_not_null() & pl.col(f"_{column}").is_null(), column, msg("problem.number")
        )
        problems += _problems_where(a, pl.col(f"_{column}") < 0, column, msg("problem.non_negative"))
    for column in FRACTION_COLUMNS:
        problems += _problems_where(a, pl.col(f"_{column}") > 1, column, msg("problem.fraction"))
    # ncv: numerator energy, denominator in the row's dimension
    pairs = a.filter(pl.col("_ncv").is_not_null()).select("ncv_unit", "dimension").unique()
    mult: dict[tuple[str | None, str | None], float | Msg] = {}  # a multiplier, or the error of its unit
    for row in pairs.iter_rows(named=True):
        text, dim = row["ncv_unit"], row["dimension"]
        try:
            if not text or "/" not in text:
                mult[(text, dim)] = msg("problem.ncv_unit")
                continue
            num, den = text.split("/", 1)
            if units.dimension_of(den, library.ureg) != dim:
                mult[(text, dim)] = msg(
                    "problem.ncv_unit_dimension",
                    unit=den.strip(),
                    dimension=dimension_msg(units.dimension_of(den, library.ureg)),
                    row_dimension=dimension_msg(dim),
                )
                continue
            mult[(text, dim)] = units.convert(1.0, num, "GJ", library.ureg) / units.convert(
                1.0, den, units.BASE_UNITS[dim], library.ureg
            )
        except Exception as exc:  # noqa: BLE001 - reported to the user with the row
            mult[(text, dim)] = msg("problem.ncv_unit_error", why=str(exc))
    bad = {k for k, v in mult.items() if isinstance(v, Msg)}
    problems += (
        _problems_where(
            a,
            pl.col("_ncv").is_not_null()
            & pl.struct("ncv_unit", "dimension").map_elements(
                lambda s: (s["ncv_unit"], s["dimension"]) in bad, return_dtype=pl.Boolean
            ),
            "ncv_unit",
            lambda r: mult[(r["ncv_unit"], r["dimension"])],
            value="ncv_unit",
        )
        if bad
        else []
    )
    good = pl.DataFrame(
        [(k[0], k[1], v) for k, v in mult.items() if not isinstance(v, Msg)],
        schema={"ncv_unit": pl.String, "dimension": pl.String, "_ncv_mult": pl.Float64},
        orient="row",
    )
    a = a.join(good, on=["ncv_unit", "dimension"], how="left", nulls_equal=True)
    cc_mult: dict[str | None, float | Msg] = {}  # a multiplier, or the error of its unit (None: tC/GJ)
    for text in a.filter(pl.col("_carbon_content").is_not_null())["carbon_content_unit"].unique().to_list():
        try:
            raw = text or "tC/GJ"
            num, den = raw.split("/", 1)
            mass, _ = units.split_gas_unit(num.strip())
            cc_mult[text] = units.convert(1.0, mass, "t", library.ureg) / units.convert(1.0, den, "GJ", library.ureg)
        except Exception as exc:  # noqa: BLE001
            cc_mult[text] = msg("problem.carbon_content_unit", why=str(exc))
    problems += [
        p
        for text, v in cc_mult.items()
        if isinstance(v, Msg)
        for p in _problems_where(a, pl.col("carbon_content_unit") == text, "carbon_content_unit", v)
    ]
    good_cc = {k: v for k, v in cc_mult.items() if not isinstance(v, Msg)}
    a = a.with_columns(
        (pl.col("_ncv") * pl.col("_ncv_mult")).alias("ncv_gj_per_base"),
        (
            pl.col("_carbon_content")
            * pl.col("carbon_content_unit").replace_strict(good_cc, default=None, return_dtype=pl.Float64)
        ).alias("carbon_content_t_per_gj"),
        *[pl.col(f"_{c}").alias(c) for c in [*FRACTION_COLUMNS, *NUMBER_COLUMNS]],
    )
    if None in good_cc:
        a = a.with_columns(
            pl.when(pl.col("carbon_content_unit").is_null())
            .then(pl.col("_carbon_content") * good_cc[None])
            .otherwise(pl.col("carbon_content_t_per_gj"))
            .alias("carbon_content_t_per_gj")
        )
    return a, problems


def _waste_columns(a: pl.DataFrame):
    """Text parameters of waste rows: the site type (IPCC 2006 Vol. 5 Table 3.1) and a decay rate > 0."""
    a = a.with_columns(
        pl.col("swds_type").str.strip_chars().str.to_lowercase().str.replace_all(r"[\s\-]+", "_").alias("swds_type"),
        pl.col("treatment").str.strip_chars().str.to_lowercase().str.replace_all(r"[\s\-]+", "_").alias("treatment"),
        pl.col("ox").alias("swds_ox"),
    )
    problems = _problems_where(
        a,
        pl.col("swds_type").is_not_null() & ~pl.col("swds_type").is_in(SWDS_TYPES),
        "swds_type",
        msg("problem.swds_type", choices=", ".join(SWDS_TYPES)),
    )
    problems += _problems_where(a, pl.col("k") == 0, "k", msg("problem.decay_rate"))
    return a, problems


def _fugitive(a: pl.DataFrame, library: FactorLibrary):
    """Gas or blend of refrigerant rows, and the leaked mass (direct or by material balance)."""
    aliases = gas_aliases()
    blends = {b.lower(): b for b in blend_components()}
    lookup = {**aliases, **blends, **{k.replace("-", ""): v for k, v in {**aliases, **blends}.items()}}
    suffix = pl.col("key").str.strip_prefix("refrigerant/").str.to_lowercase().str.replace_all(r"\s", "")
    is_fug = pl.col("kind") == "fugitive"
    a = a.with_columns(
        pl.when(is_fug)
        .then(
            pl.coalesce(
                suffix.replace_strict(lookup, default=None),
                suffix.str.replace_all("-", "").replace_strict(lookup, default=None),
            )
        )
        .alias("gas_or_blend")
    )
    problems = _problems_where(
        a,
        is_fug & pl.col("gas_or_blend").is_null(),
        "activity",
        msg("problem.unknown_refrigerant"),
    )
    balance_given = pl.any_horizontal([pl.col(f"_{c}").is_not_null() for c in BALANCE])
    balance = (
        (pl.col("_inventory_start").fill_null(0) - pl.col("_inventory_end").fill_null(0))
        + pl.col("_purchased").fill_null(0)
        - pl.col("_disposed").fill_null(0)
        + pl.col("_capacity_retired").fill_null(0)
        - pl.col("_capacity_new").fill_null(0)
    )
    a = a.with_columns(
        balance_given.alias("balance_used"),
        (pl.when(balance_given).then(balance).otherwise(pl.col("_qtotal")) * pl.col("to_base")).alias("leak_t"),
    )
    problems += _problems_where(
        a,
        is_fug & (pl.col("leak_t") < 0),
        "inventory_end",
        msg("problem.negative_balance"),
    )
    return a, problems


PRODUCTIVITY = {"high": "high", "low": "low", "高": "high", "低": "low", "高生产力": "high", "低生产力": "low"}
TRUE_TEXT = {"true", "yes", "y", "1", "是", "淹水"}
FALSE_TEXT = {"false", "no", "n", "0", "否", "不淹水"}


def _agriculture(a: pl.DataFrame):
    """Per-row parameters of livestock, soils and rice rows (IPCC 2006 Vol. 4), parsed and checked."""
    problems: list[Problem] = []
    ranges = {"animal_mass_kg": (0.0, 2000.0), "mean_temperature_c": (-30.0, 40.0), "season_days": (0.0, 366.0)}
    for column, (low, high) in ranges.items():
        a = a.with_columns(_typed(a, column, reader.parse_number).alias(f"_{column}"))
        problems += _problems_where(
            a, pl.col(column).is_not_null() & pl.col(f"_{column}").is_null(), column, msg("problem.number")
        )
        problems += _problems_where(
            a,
            (pl.col(f"_{column}") <= low) | (pl.col(f"_{column}") > high)
            if column != "mean_temperature_c"
            else (pl.col(f"_{column}") < low) | (pl.col(f"_{column}") > high),
            column,
            msg(
                "problem.range_from" if column == "mean_temperature_c" else "problem.range_above",
                low=f"{low:g}",
                high=f"{high:g}",
            ),
        )
    systems = manure_system_aliases()
    choices = ", ".join(sorted(set(systems.values())))
    text = pl.col("manure_system").cast(pl.String).str.strip_chars().str.to_lowercase()
    a = a.with_columns(
        text.replace_strict(systems, default=None).alias("_manure_system"),
        pl.col("productivity")
        .cast(pl.String)
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(PRODUCTIVITY, default=None)
        .alias("_productivity"),
    )
    problems += _problems_where(
        a,
        pl.col("manure_system").is_not_null() & pl.col("_manure_system").is_null(),
        "manure_system",
        msg("problem.manure_system", choices=choices),
    )
    problems += _problems_where(
        a,
        pl.col("productivity").is_not_null() & pl.col("_productivity").is_null(),
        "productivity",
        msg("problem.productivity"),
    )
    flooded = pl.col("flooded_rice").cast(pl.String).str.strip_chars().str.to_lowercase()
    a = a.with_columns(
        pl.when(flooded.is_in(list(TRUE_TEXT)))
        .then(True)
        .when(flooded.is_in(list(FALSE_TEXT)))
        .then(False)
        .otherwise(None)
        .alias("_flooded_rice")
    )
    problems += _problems_where(
        a,
        pl.col("flooded_rice").is_not_null() & pl.col("_flooded_rice").is_null(),
        "flooded_rice",
        msg("problem.flooded_rice"),
    )
    manure = pl.col("kind") == "manure"
    problems += _problems_where(
        a,
        manure & pl.col("manure_system").is_null(),
        "manure_system",
        msg("problem.manure_system_required", choices=choices),
    )
    problems += _problems_where(
        a,
        manure & pl.col("animal_mass_kg").is_null(),
        "animal_mass_kg",
        msg("problem.animal_mass_required"),
    )
    problems += _problems_where(
        a,
        (pl.col("kind") == "rice") & pl.col("season_days").is_null(),
        "season_days",
        msg("problem.season_days_required"),
    )
    a = a.with_columns(
        pl.col("_manure_system").alias("manure_system"),
        pl.col("_productivity").alias("productivity"),
        pl.col("_flooded_rice").alias("flooded_rice"),
        *[pl.col(f"_{c}").alias(c) for c in ranges],
    )
    return a, problems


def spend_tables(settings: Settings) -> SpendTables:
    """Exchange rates and price index: bundled (cited) values, overridden by ``[spend]``."""
    with DATA.joinpath("exchange_rates.csv").open("rb") as fh:
        rates = pl.read_csv(fh.read(), schema_overrides={"year": pl.Int32, "units_per_usd": pl.Float64})
    rates = rates.select("currency", "year", (1 / pl.col("units_per_usd")).alias("usd_per_unit"))
    extra = [
        (cur, int(y), float(v)) for cur, by_year in settings.spend.exchange_rates.items() for y, v in by_year.items()
    ]
    if extra:
        override = pl.DataFrame(
            extra, schema={"currency": pl.String, "year": pl.Int32, "usd_per_unit": pl.Float64}, orient="row"
        )
        rates = pl.concat([override, rates.join(override, on=["currency", "year"], how="anti")])
    with DATA.joinpath("price_index.csv").open("rb") as fh:
        index = pl.read_csv(fh.read(), schema_overrides={"year": pl.Int32, "value": pl.Float64}).select("year", "value")
    if settings.spend.price_index:
        index = pl.DataFrame(
            {"year": list(settings.spend.price_index), "value": list(settings.spend.price_index.values())},
            schema={"year": pl.Int32, "value": pl.Float64},
        )
    return SpendTables(rates, index)


def _fiscal_problems(root: Path, settings, measures: list, limits: ReadLimits) -> list[Problem]:
    """The problems of instruments.csv and of the carbon price file ``[pathway] carbon_price`` names (``validate``)."""
    from dualcarbon.pathway import prices
    from dualcarbon.project import fiscal

    pw = settings.pathway
    found: list[Problem] = []
    path = fiscal.find(root, pw.instruments if pw is not None else None)
    if path is not None:
        found += fiscal.load_instruments(path, measures, limits)[1]
    spec = pw.carbon_price if pw is not None else None
    if isinstance(spec, str) and spec.strip().lower() not in prices.bundled():
        found += fiscal.load_prices(root / spec, limits)[1]
    return found
