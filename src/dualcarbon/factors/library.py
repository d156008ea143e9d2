"""The factor library: bundled factor sets (and a project's own) in one normalised frame.

Every published row keeps its dataset, version, table, source reference and notes. The
sources' own activity names are mapped to canonical activity keys through
``data/mapping.csv`` (identity when no row maps them), never by editing the data.
Each factor also gets ``value_norm``: the published value in base units (kg of gas per base
unit of activity for emission factors, GJ per base unit for calorific values, t C per GJ for
carbon content), so that the engine multiplies without unit work on the hot path.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TypedDict

import polars as pl

from dualcarbon import units
from dualcarbon.errors import InputError, Problem, msg
from dualcarbon.factors.gwp import GwpTable, gas_aliases, load_gwp

DATA = resources.files("dualcarbon.factors").joinpath("data")

FACTOR_COLUMNS = [
    "dataset",
    "version",
    "table",
    "parameter",
    "activity_id",
    "name",
    "sector",
    "region",
    "year",
    "gas",
    "value",
    "unit_numerator",
    "unit_denominator",
    "basis",
    "lower",
    "upper",
    "source_ref",
    "notes",
    "condition",
    "check",
]
#: Columns only some files have (IPCC agriculture and waste defaults): the condition that is part of
#: the key (climate zone, temperature, system) and how far the value was checked (SOURCES.md §7).
OPTIONAL_COLUMNS = ["condition", "check"]
REQUIRED_COLUMNS = ["parameter", "activity_id", "value", "unit_numerator"]

# Parameters whose numerator is the mass of a gas (emission factors).
EF_PARAMETERS = {"ef", "ef_without_margins"}
ENERGY_PARAMETERS = {"ncv", "heat_content"}
PROJECT_SET = "project"


@dataclass(frozen=True)
class FactorSet:
    """One versioned dataset (or a slice of one) that projects name in their precedence list."""

    factor_set: str
    file: str
    dataset: str
    version: str
    sha256: str
    rows: int
    name_en: str
    name_zh: str


def _read_data_csv(name: str) -> pl.DataFrame:
    with DATA.joinpath(name).open("rb") as fh:
        return pl.read_csv(fh.read(), infer_schema=False)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_IPCC_CODE = r"\b\d\.[A-Z](?:\.[0-9a-z]+)*"


def _ipcc_sectors(expr: pl.Expr) -> pl.Expr:
    """IPCC source-category codes in a sector label, as a list.

    '1.A.2 Manufacturing…' → ['1.A.2']; '1.A.4.b Residential; 1.A.4.c.i Agriculture…' →
    ['1.A.4.b', '1.A.4.c.i'] (IPCC 2006 Table 2.5 serves both). Labels of other datasets
    ('Natural Gas', 'Scope 1') give no code: the factor applies to every sector.
    """
    return expr.str.extract_all(_IPCC_CODE)


class UnitNormaliser:
    """Turns (numerator, denominator) unit pairs into base-unit multipliers, once per distinct pair."""

    def __init__(self, ureg, gwp_ar5: GwpTable):
        self.ureg = ureg
        self.gwp_ar5 = gwp_ar5
        self._aliases = gas_aliases()

    def table(self, frame: pl.DataFrame) -> pl.DataFrame:
        pairs = frame.select("parameter", "unit_numerator", "unit_denominator", "gas", "basis").unique()
        rows = [self._one(**row) for row in pairs.iter_rows(named=True)]
        schema = {
            "parameter": pl.String,
            "unit_numerator": pl.String,
            "unit_denominator": pl.String,
            "gas": pl.String,
            "basis": pl.String,
            "gas_id": pl.String,
            "multiplier": pl.Float64,
            "denominator_dim": pl.String,
            "price_year": pl.Int32,
            "unit_error": pl.String,
        }
        return pl.DataFrame(rows, schema=schema, orient="row")

    def _one(self, parameter, unit_numerator, unit_denominator, gas, basis):
        key = (parameter, unit_numerator, unit_denominator, gas, basis)
        num = (unit_numerator or "").strip()
        den = (unit_denominator or "").strip()
        gas_id = self._aliases.get((gas or "").strip().lower()) if gas else None
        if not den and "/" in num:  # e.g. 'tonne CO2/tonne clinker produced'
            num, den = (p.strip() for p in num.split("/", 1))
            den = re.sub(r"^(tonnes?|t)\b.*$", "t", den)
        try:
            if parameter in EF_PARAMETERS:
                mass_unit, num_gas = units.split_gas_unit(num)
                gas_id = gas_id or (self._aliases.get(num_gas.lower()) if num_gas else None)
                mult = units.convert(1.0, mass_unit, "kg", self.ureg)
                # Per-gas parts published in CO2e (DESNZ, AR5) become mass of the gas.
                if num_gas and num_gas.upper() == "CO2E" and gas_id not in (None, "CO2e"):
                    gwp = self.gwp_ar5.get(gas_id)
                    if gwp is None:
                        return (*key, gas_id, None, None, None, f"no AR5 GWP for {gas_id}")
                    mult /= gwp
                if num_gas and num_gas.upper() == "CO2E" and gas_id is None:
                    gas_id = "CO2e"
            elif parameter in ENERGY_PARAMETERS:
                mult = units.convert(1.0, num, "GJ", self.ureg)
            elif parameter == "carbon_content":
                mass_unit, _ = units.split_gas_unit(num)
                mult = units.convert(1.0, mass_unit, "t", self.ureg)
            else:  # fractions and other parameters
                if num in ("%", "% (by weight)"):
                    return (*key, gas_id, 0.01, None, None, None)
                if num in ("fraction", "1", ""):
                    return (*key, gas_id, 1.0, None, None, None)
                mult = 1.0
            if not den:
                return (*key, gas_id, mult, None, None, None)
            year = units.price_year(den)
            den_clean = re.sub(r"\s*\(\d{4}\)\s*", "", den)
            dim = units.dimension_of(den_clean, self.ureg)
            to_base = units.convert(1.0, den_clean, units.BASE_UNITS[dim], self.ureg)
            return (*key, gas_id, mult / to_base, dim, year, None)
        except Exception as exc:  # keep loading; the row is flagged and never resolved
            return (*key, gas_id, None, None, None, str(exc))


#: Check codes of the ``check`` column (shown beside a citation, never in it; texts in the locale catalogues
#: under ``cite.check.<code>``; what was compared, row by row, is in data/SOURCES.md).
CHECK_CODES = (
    "checked",  # compared with the publication itself
    "publisher_file",  # read by script from the publisher's own data file (a copy), not compared with its site
    "database",  # read from an export of the IPCC Emission Factor Database, not compared with the printed table
    "second_copy",  # as "database", and equal in an independent second copy
    "agrees",  # equal in a second publication (e.g. the EPA Hub's GWP table), not compared with the first
    "compiled",  # read from a public compilation of the publication's table
    "disagrees",  # two copies disagree; the database value is kept
    "transcribed",  # the original could not be obtained; transcribed from public secondary sources
    "untraced",  # the table itself could not be found; the reading on which several transcriptions agree
    "definition",  # a value by definition (GWP of CO2 = 1)
)


def _citation() -> pl.Expr:
    """The publication a factor comes from: issuer and document (``source_ref``), then its table.

    How the number reached us (copies, transcriptions) is never part of it: that is in SOURCES.md, and how far
    the value was checked is the separate ``check`` code."""
    return pl.concat_str(
        [pl.col("source_ref").str.strip_chars(), pl.col("table").str.strip_chars()], separator="; ", ignore_nulls=True
    ).str.strip_chars("; ")


def _normalise(frame: pl.DataFrame, normaliser: UnitNormaliser) -> pl.DataFrame:
    """Add gas ids, base-unit values, denominator dimension, IPCC sector code and citation."""
    table = normaliser.table(frame)
    joined = frame.join(
        table,
        on=["parameter", "unit_numerator", "unit_denominator", "gas", "basis"],
        how="left",
        nulls_equal=True,
    )
    return (
        joined.with_columns(
            pl.col("gas").alias("gas_source"),
            pl.coalesce(pl.col("gas_id"), pl.col("gas")).alias("gas"),
            pl.col("value").str.strip_chars().cast(pl.Float64, strict=False).alias("value"),
            pl.col("year").str.strip_chars().cast(pl.Int32, strict=False).alias("year"),
            _ipcc_sectors(pl.col("sector")).alias("ipcc_sector"),
            pl.coalesce(pl.col("region").str.strip_chars(), pl.lit("GLOBAL")).alias("region"),
        )
        .explode("ipcc_sector", empty_as_null=True)
        .with_columns(
            (pl.col("value") * pl.col("multiplier")).alias("value_norm"),
            _citation().alias("citation"),
        )
    )


class FactorLibrary:
    """All factor sets known to a run, normalised into one frame, plus catalogue and regions."""

    def __init__(self, factors: pl.DataFrame, sets: dict[str, FactorSet], ureg, gwp_ar5: GwpTable):
        self.factors = factors
        self.sets = sets
        self.ureg = ureg
        self._gwp_ar5 = gwp_ar5

    # -- construction -------------------------------------------------------------------
    @classmethod
    def load(cls, ureg=None, project_factor_files: list[Path] | None = None) -> FactorLibrary:
        """Load every bundled factor set (and a project's own ``factors/*.csv``)."""
        ureg = ureg or units.make_registry()
        gwp_ar5 = load_gwp("AR5")
        normaliser = UnitNormaliser(ureg, gwp_ar5)
        manifest = _read_data_csv("factor_sets.csv")
        mapping = _read_data_csv("mapping.csv")
        frames, cache = [], {}
        sets: dict[str, FactorSet] = {}
        for spec in manifest.iter_rows(named=True):
            path = DATA.joinpath(spec["file"])
            if not path.is_file():
                continue
            if spec["file"] not in cache:
                raw = path.read_bytes()
                frame = pl.read_csv(raw, infer_schema=False).with_row_index("_line", offset=2)
                cache[spec["file"]] = (raw, frame)
            raw, frame = cache[spec["file"]]
            if spec["table_pattern"]:
                frame = frame.filter(pl.col("table").str.contains(spec["table_pattern"]))
            version = frame["version"].drop_nulls().unique().sort().to_list()
            one = FactorSet(
                spec["factor_set"],
                spec["file"],
                spec["dataset"] or frame["dataset"][0],
                "; ".join(version[:3]),
                _sha256(raw),
                frame.height,
                spec["name_en"],
                spec["name_zh"],
            )
            sets[spec["factor_set"]] = _merge_set(sets.get(spec["factor_set"]), one)
            for column in OPTIONAL_COLUMNS:
                if column not in frame.columns:
                    frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
            # Factor ids are "set:line"; a set's later files tag their lines ("ipcc2006:waste.12").
            frames.append(
                frame.with_columns(
                    pl.lit(spec["factor_set"]).alias("factor_set"),
                    (pl.lit(spec["id_tag"] or "") + pl.col("_line").cast(pl.String)).alias("_line"),
                )
            )
        for path in project_factor_files or []:
            frames.append(cls._project_frame(path).with_columns(pl.col("_line").cast(pl.String)))
            raw = path.read_bytes()
            sets.setdefault(
                PROJECT_SET,
                FactorSet(PROJECT_SET, "factors/", "project", "", "", 0, "Project's own factors", "项目自有因子"),
            )
            prev = sets[PROJECT_SET]
            sets[PROJECT_SET] = FactorSet(
                PROJECT_SET,
                "factors/",
                "project",
                "",
                _sha256(prev.sha256.encode() + raw),
                prev.rows + frames[-1].height,
                prev.name_en,
                prev.name_zh,
            )
        frame = pl.concat([f.select(["_line", "factor_set", *FACTOR_COLUMNS]) for f in frames])
        frame = _apply_mapping(frame, mapping, set(_read_data_csv("activities.csv")["key"].to_list()))
        frame = _normalise(frame, normaliser).with_columns(
            pl.concat_str([pl.col("factor_set"), pl.col("_line").cast(pl.String)], separator=":").alias("factor_id")
        )
        return cls(frame, sets, ureg, gwp_ar5)

    @staticmethod
    def _project_frame(path: Path) -> pl.DataFrame:
        """A project's own factor CSV, in the bundled data's columns (SOURCES.md schema)."""
        try:
            frame = pl.read_csv(path, infer_schema=False)
        except Exception as exc:
            raise InputError.single(msg("problem.factor_file", why=str(exc)), file=str(path)) from exc
        missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
        if missing:
            raise InputError([Problem(path.name, None, c, None, msg("problem.required_column")) for c in missing])
        for column in FACTOR_COLUMNS:
            if column not in frame.columns:
                frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
        frame = frame.with_columns(
            pl.coalesce(pl.col("dataset"), pl.lit(f"project:{path.name}")).alias("dataset"),
            pl.coalesce(pl.col("table"), pl.lit(path.name)).alias("table"),
        )
        return frame.with_row_index("_line", offset=2).with_columns(pl.lit(PROJECT_SET).alias("factor_set"))

    # -- catalogue ------------------------------------------------------------------------
    @cached_property
    def catalog(self) -> pl.DataFrame:
        """Canonical activity keys with kind, default scope/category, names and aliases."""
        return _read_data_csv("activities.csv").with_columns(pl.col("biogenic") == "true")

    @cached_property
    def aliases(self) -> dict[str, str]:
        """Lower-case alias or key → canonical key (天然气 → fuel/natural_gas)."""
        out: dict[str, str] = {}
        for row in self.catalog.iter_rows(named=True):
            if "*" in row["key"]:
                continue
            out[row["key"].lower()] = row["key"]
            for alias in filter(None, (row["aliases"] or "").split("|")):
                # as the reader normalises cells (NFKC): '：' and '（）' are matched as ':' and '()'
                out[unicodedata.normalize("NFKC", alias).strip().lower()] = row["key"]
        return out

    @cached_property
    def known_keys(self) -> set[str]:
        keys = set(self.factors["key"].drop_nulls().unique().to_list())
        return keys | {k for k in self.catalog["key"].to_list() if "*" not in k}

    @cached_property
    def regions(self) -> pl.DataFrame:
        return _read_data_csv("regions.csv")

    def region_chain(self, region: str) -> list[str]:
        """Fallback chain facility region → grid → country → GLOBAL (DESIGN.md, 'region')."""
        parents = dict(zip(self.regions["region"], self.regions["parent"], strict=True))
        chain: list[str] = []
        current: str | None = region
        while current and current not in chain:
            chain.append(current)
            current = parents.get(current) or ("GLOBAL" if current != "GLOBAL" else None)
        return chain

    def gwp(self, gwp_set: str) -> GwpTable:
        return self._gwp_ar5 if gwp_set == "AR5" else load_gwp(gwp_set)

    # -- look-ups for people ----------------------------------------------------------------
    def search(self, text: str, limit: int = 50) -> pl.DataFrame:
        """Factors whose key, name or alias contains ``text`` (case-insensitive); ``factors.search``
        ranks, filters and pages them for people."""
        from dualcarbon.factors import search

        return search.search(self, search.Filters(text), limit=limit).rows

    def show(self, key: str, region: str | None = None, year: int | None = None) -> pl.DataFrame:
        """Every factor for a key (or alias), nearest region of the fallback chain first."""
        key = self.aliases.get(key.strip().lower(), key.strip())
        rows = self.factors.filter(pl.col("key") == key)
        if region:
            chain = self.region_chain(region)
            rank = pl.DataFrame({"region": chain, "_level": list(range(len(chain)))})
            rows = rows.join(rank, on="region", how="inner").sort("_level").drop("_level")
        if year is not None:
            rows = (
                rows.with_columns((pl.col("year").cast(pl.Int64) - year).abs().fill_null(0).alias("_dy"))
                .sort("_dy", maintain_order=True)
                .drop("_dy")
            )
        return rows


def _merge_set(earlier: FactorSet | None, more: FactorSet) -> FactorSet:
    """A set spread over several files (IPCC 2006: energy/IPPU, AFOLU, waste) is one set: its files,
    versions and row counts joined, its hash the hash of the files' hashes in manifest order."""
    if earlier is None:
        return more
    versions = list(dict.fromkeys([*earlier.version.split("; "), *more.version.split("; ")]))
    return FactorSet(
        earlier.factor_set,
        f"{earlier.file}; {more.file}",
        earlier.dataset,
        "; ".join(v for v in versions if v),
        _sha256((earlier.sha256 + more.sha256).encode()),
        earlier.rows + more.rows,
        earlier.name_en,
        earlier.name_zh,
    )


def _apply_mapping(frame: pl.DataFrame, mapping: pl.DataFrame, catalog_keys: set[str]) -> pl.DataFrame:
    """Source activity ids → canonical keys (identity unless ``mapping.csv`` says otherwise).

    A source id may map to several keys (a proxy: IPCC 'Other Bituminous Coal' also serves
    原煤), so mapped rows are duplicated, one per key, and the mapping note is kept. A source
    id that is itself a catalogue key keeps that key too (IPCC 'Natural Gas' is
    fuel/natural_gas and also the proxy for fuel/lng).
    """
    frame = frame.with_row_index("_src")
    pairs = frame.select("_src", "factor_set", "table", "activity_id").join(
        mapping.rename({"table": "_table_pattern", "source_activity_id": "activity_id"}),
        on=["factor_set", "activity_id"],
        how="inner",
    )
    if pairs.height:
        ok = [
            not pattern or re.search(pattern, table or "") is not None
            for pattern, table in zip(pairs["_table_pattern"].to_list(), pairs["table"].to_list(), strict=True)
        ]
        pairs = pairs.filter(pl.Series(ok, dtype=pl.Boolean))
    mapped = frame.join(pairs.select("_src", "key", pl.col("note").alias("mapping_note")), on="_src")
    unmapped = frame.join(
        pairs.filter(~pl.col("activity_id").is_in(list(catalog_keys))).select("_src"), on="_src", how="anti"
    ).with_columns(pl.col("activity_id").alias("key"), pl.lit(None, pl.String).alias("mapping_note"))
    return pl.concat([unmapped, mapped]).sort("_src").drop("_src")


class SetRecord(TypedDict):
    """A factor set as ``dualcarbon factors sets``, the API and ``summary.json`` show it."""

    factor_set: str
    dataset: str
    version: str
    sha256: str
    rows: int
    name_en: str
    name_zh: str


def read_sets_table(library: FactorLibrary) -> list[SetRecord]:
    """Factor sets as records for ``dualcarbon factors sets`` and ``summary.json``."""
    return [
        {
            "factor_set": s.factor_set,
            "dataset": s.dataset,
            "version": s.version,
            "sha256": s.sha256,
            "rows": s.rows,
            "name_en": s.name_en,
            "name_zh": s.name_zh,
        }
        for s in library.sets.values()
    ]
