"""The calculation engine: validated activities → one row per activity × gas, with its trace.

Pure: frames and records in, frames and records out. Units were converted and factor keys
resolved by ``project.load``; here each activity kind goes to its method module, then every
gas mass is weighted with the project's GWP set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import polars as pl

from dualcarbon.errors import InputError, Problem, msg
from dualcarbon.factors.gwp import blend_components
from dualcarbon.factors.ipcc_params import IpccParameters
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.methods import (
    biological,
    cement,
    combustion,
    direct,
    electricity,
    fugitive,
    incineration,
    livestock,
    scope3,
    soils,
    solid_waste,
    wastewater,
)
from dualcarbon.methods.agri_params import AgriParameters
from dualcarbon.methods.common import REQUEST_KEYS, empty_emissions, warning
from dualcarbon.methods.waste_params import WasteDefaults
from dualcarbon.model import Settings
from dualcarbon.territory import gpc

DIRECT_KINDS = ["heat", "freight", "travel", "vehicle", "waste"]
CEMENT_KINDS = ["cement_clinker", "cement_raw_meal", "cement_kiln_dust", "cement_organic_carbon"]
AGRICULTURE_KINDS = ["enteric", "manure", "soils", "rice"]
ACTIVITY_ATTRS = [
    "_idx",
    "_file",
    "_row",
    "id",
    "facility",
    "date",
    "month",
    "year",
    "activity",
    "key",
    "kind",
    "scope",
    "category",
    "iso_category",
    "biogenic",
    "quantity",
    "unit",
    "dimension",
    "quantity_base",
    "region",
    "_n",
    "_w",
    "gpc",
    "gpc_given",
]


@dataclass
class EngineResult:
    emissions: pl.DataFrame
    warnings: list[dict] = field(default_factory=list)


@dataclass
class SpendTables:
    rates: pl.DataFrame
    index: pl.DataFrame


def compute(
    activities: pl.DataFrame,
    library: FactorLibrary,
    settings: Settings,
    instruments: pl.DataFrame | None = None,
    spend: SpendTables | None = None,
) -> EngineResult:
    """Emission rows for every activity; raises InputError listing every row with no factor."""
    sets = settings.factor_sets()
    parts: list[pl.DataFrame] = []
    problems: list[Problem] = []
    warnings: list[dict] = []
    ipcc_waste, others = _ipcc_waste_rows(activities, settings)
    problems += _needs_waste_method(others)
    others = others.filter(~pl.col("key").is_in(list(IPCC_ONLY_KEYS)))

    def by_kind(*kinds: str) -> pl.DataFrame:
        return others.filter(pl.col("kind").is_in(list(kinds)))

    def run(result):
        rows, found = result
        parts.append(rows)
        problems.extend(found)
        return rows

    acts = by_kind("combustion")
    if acts.height:
        rows, found, mobile_rows = combustion.compute(acts, library, sets)
        run((rows, found))
        if mobile_rows:
            warnings.append(_mobile_note(mobile_rows, by_kind("vehicle").height > 0))
    elec = by_kind("electricity")
    if elec.height:
        location = run(direct.compute(elec, library, sets, "electricity"))
        inst = instruments if instruments is not None else None
        if inst is None or inst.height == 0:
            inst = pl.DataFrame(schema=electricity_instrument_schema())
        chains = {r: library.region_chain(r) for r in elec["region"].unique().to_list()}
        residual = electricity.residual_factors(elec, library, sets)
        market, notes = electricity.compute(elec, location, inst, settings.period.years, chains, residual)
        parts.append(market)
        warnings.extend(notes)
    if ipcc_waste.height:
        rows, found, notes = _waste(ipcc_waste, library, settings)
        parts.append(rows)
        problems.extend(found)
        warnings.extend(notes)
    for kind in DIRECT_KINDS:
        acts = by_kind(kind)
        if acts.height:
            acts, notes = _with_proxies(acts, library, sets, settings.method.proxy_regions, kind)
            warnings.extend(notes)
            run(direct.compute(acts, library, sets, kind))
    acts = by_kind("spend")
    if acts.height:
        if spend is None:
            raise ValueError("spend tables are required for spend-based activities")
        price_year = _price_year(library, sets)
        acts, found = scope3.to_factor_dollars(acts, spend.rates, spend.index, price_year)
        problems.extend(found)
        proxies = list(dict.fromkeys([*settings.method.proxy_regions, EEIO_ECONOMY]))
        acts, notes = _with_proxies(acts.filter(pl.col("quantity_base").is_not_null()), library, sets, proxies, "spend")
        warnings.extend(notes)
        rows, found = direct.compute(acts, library, sets, "spend")
        problems.extend(found)
        if settings.method.gwp == scope3.PUBLISHED_CO2E_GWP:
            rows, notes = scope3.published_co2e_scale(rows, acts, library, sets, library.gwp(scope3.PUBLISHED_CO2E_GWP))
            warnings.extend(notes)
        parts.append(rows)
    acts = by_kind("fugitive")
    if acts.height:
        run(fugitive.compute(acts, blend_components()))
    acts = by_kind(*CEMENT_KINDS)
    if acts.height:
        run(cement.compute(acts, library, sets))
    agri = by_kind(*AGRICULTURE_KINDS)
    if agri.height:  # IPCC 2006 Vol. 4 (livestock, managed soils, rice)
        params = AgriParameters(library, settings)
        acts = agri.filter(pl.col("kind").is_in(["enteric", "manure"]))
        if acts.height:
            run(livestock.compute(acts, params, settings.method.mean_temperature_c))
        acts = agri.filter(pl.col("kind").is_in(["soils", "rice"]))
        if acts.height:
            run(soils.compute(acts, params))
    if problems:
        raise InputError(_dedupe(problems))

    emissions = pl.concat(parts, how="diagonal_relaxed") if parts else empty_emissions()
    if "co2e_scale" not in emissions.columns:
        emissions = emissions.with_columns(pl.lit(None, pl.Float64).alias("co2e_scale"))
    gwp = library.gwp(settings.method.gwp)
    gwp_frame = pl.DataFrame({"gas": list(gwp.values), "gwp": list(gwp.values.values())})
    emissions = emissions.join(gwp_frame, on="gas", how="left")
    missing_gwp = emissions.filter(pl.col("gwp").is_null())
    if missing_gwp.height:
        gases = ", ".join(sorted(missing_gwp["gas"].unique().to_list()))
        raise InputError.single(msg("problem.no_gwp", gwp=settings.method.gwp, gases=str(gases)))
    if settings.method.gwp == "AR6" and emissions.filter(pl.col("gas") == "SF6").height:
        warnings.append(warning("ar6_sf6_gwp", "warning.ar6_sf6_gwp"))
    attrs = activities.select([c for c in ACTIVITY_ATTRS if c in activities.columns])
    emissions = (
        emissions.rename({"biogenic": "_biogenic_row"})
        .join(attrs, on="_idx", how="left")
        .with_columns(
            # spend rows: CO2e scaled to the published CO2e factor (methods/scope3.py); others × GWP
            (pl.col("mass_t") * pl.col("gwp") * pl.col("co2e_scale").fill_null(1.0)).alias("co2e_t"),
            (
                pl.coalesce(
                    pl.col("_biogenic_row"),
                    pl.col("biogenic") if "biogenic" in attrs.columns else pl.lit(None, pl.Boolean),
                ).fill_null(False)
                & (pl.col("gas") == "CO2")
            ).alias("biogenic"),
        )
        .drop("_biogenic_row", "co2e_scale")
    )
    if settings.is_territory:  # a gas in another IPCC category than its row reports under that code and its line
        emissions = emissions.with_columns(pl.coalesce(pl.col("ipcc_category"), pl.col("category")).alias("category"))
        emissions = gpc.emission_lines(emissions)
    if "year" in emissions.columns and emissions["period_year"].null_count() < emissions.height:
        # emissions of an earlier deposit fall in the year the method says (no month of their own)
        later = pl.col("period_year").is_not_null()
        emissions = emissions.with_columns(
            pl.coalesce(pl.col("period_year"), pl.col("year")).alias("year"),
            *(
                [pl.when(later).then(None).otherwise(pl.col("month")).alias("month")]
                if "month" in emissions.columns
                else []
            ),
        )
    return EngineResult(emissions, warnings)


#: Key prefixes of waste rows that the IPCC 2006 Vol. 5 methods compute when ``[method] waste`` is set
#: (a territory always); an organisation without it keeps the waste factors (Scope 3 category 5).
IPCC_WASTE_PREFIXES = {
    "waste/landfill/": "solid_waste",
    "waste/incineration/": "incineration",
    "waste/composting/": "biological",
    "waste/anaerobic_digestion/": "biological",
}
#: Keys that only the IPCC methods can compute (no waste factor exists for them).
IPCC_ONLY_KEYS = (solid_waste.DEPOSIT_KEYS - {"waste/landfill/msw"}) | {
    solid_waste.RECOVERED_KEY,
    "waste/composting/organic",
    "waste/anaerobic_digestion/organic",
}


def _waste_method_of(key: pl.Expr) -> pl.Expr:
    out = pl.lit(None, pl.String)
    for prefix, method in IPCC_WASTE_PREFIXES.items():
        out = pl.when(key.str.starts_with(prefix)).then(pl.lit(method)).otherwise(out)
    return out


def _ipcc_waste_rows(activities: pl.DataFrame, settings: Settings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows the IPCC waste methods compute (wastewater always) and the others."""
    by_ipcc = pl.col("kind") == "wastewater"
    if settings.waste_method:
        by_ipcc = by_ipcc | ((pl.col("kind") == "waste") & _waste_method_of(pl.col("key")).is_not_null())
    ipcc = activities.filter(by_ipcc)
    return ipcc, activities.filter(~by_ipcc) if ipcc.height else activities


def _needs_waste_method(activities: pl.DataFrame) -> list[Problem]:
    """Rows of keys that only the IPCC waste methods compute, in a project that did not choose one."""
    rows = activities.filter(pl.col("key").is_in(list(IPCC_ONLY_KEYS)))
    return [
        Problem(
            r["_file"],
            r["_row"],
            "activity",
            r["activity"],
            msg("problem.waste_method", key=r["key"]),
        )
        for r in rows.head(200).iter_rows(named=True)
    ]


def _waste(acts: pl.DataFrame, library: FactorLibrary, settings: Settings) -> tuple[pl.DataFrame, list[Problem], list]:
    """IPCC 2006 Vol. 5 methods: solid waste disposal, biological treatment, incineration, wastewater."""
    country = settings.organization.country
    sets, edition, region = settings.factor_sets(), settings.method.ipcc_edition, settings.default_region
    params = IpccParameters(library, sets, edition, country, [region])
    defaults = WasteDefaults(params, IpccParameters(library, sets, edition, country, [region, "IPCC:Japan"]))
    acts = acts.with_columns(
        pl.when(pl.col("kind") == "wastewater")
        .then(pl.lit("wastewater"))
        .otherwise(_waste_method_of(pl.col("key")))
        .alias("_method")
    )
    parts, problems, warnings = [], [], []
    for method, part in acts.partition_by("_method", as_dict=True).items():
        name = method[0]
        if name == "solid_waste":
            rows, found, notes = solid_waste.compute(
                part, defaults, settings.waste_method or "fod", settings.method.climate_zone, settings.period.years
            )
        elif name == "biological":
            rows, found, notes = biological.compute(part, defaults)
        elif name == "incineration":
            rows, found, notes = incineration.compute(part, defaults)
        else:
            rows, found, notes = wastewater.compute(part, defaults)
        parts.append(rows)
        problems += found
        warnings += notes
    return (pl.concat(parts) if parts else empty_emissions()), problems, warnings


def electricity_instrument_schema() -> dict:
    return {
        "id": pl.String,
        "type": pl.String,
        "mwh": pl.Float64,
        "factor_kg_per_kwh": pl.Float64,
        "facility": pl.String,
        "region": pl.String,
        "vintage": pl.Int32,
        "status": pl.String,
    }


EEIO_ECONOMY = "US"  # USEEIO models the US economy (SOURCES.md#useeio)
#: The kinds of activity a proxy region stands in for, as the warning names them.
PROXY_KINDS = {
    "heat": "warning.kind.heat",
    "freight": "warning.kind.freight",
    "travel": "warning.kind.travel",
    "vehicle": "warning.kind.vehicle",
    "waste": "warning.kind.waste",
    "spend": "warning.kind.spend",
}


def _with_proxies(
    acts: pl.DataFrame, library: FactorLibrary, sets: list[str], proxies: list[str], kind: str
) -> tuple[pl.DataFrame, list[dict]]:
    """Rows with no factor on their own region chain take the first proxy region that has one.

    GHG Protocol Scope 3 Calculation Guidance §7 (data quality; proxy data): data of another
    region may stand in where none exists for the activity's own, and is disclosed: here as a
    warning and in the trace's ``region_used``.
    """
    # Work on the distinct requests (a small table), not on the rows.
    reqs = acts.select(REQUEST_KEYS).unique().with_row_index("_idx").with_columns(pl.col("_idx").cast(pl.UInt32))
    found_ids = direct.resolve(reqs, library, sets)["_idx"].unique()
    pending = reqs.filter(~pl.col("_idx").is_in(found_ids.implode()))
    notes, proxied = [], []
    for proxy in proxies:
        if pending.height == 0:
            break
        trial = pending.with_columns(pl.lit(proxy).alias("region"))
        hit = direct.resolve(trial, library, sets)["_idx"].unique()
        if hit.len() == 0:
            continue
        found = pending.filter(pl.col("_idx").is_in(hit.implode()))
        proxied.append(found.select(REQUEST_KEYS).with_columns(pl.lit(proxy).alias("_proxy")))
        pending = pending.filter(~pl.col("_idx").is_in(hit.implode()))
        rows = acts.join(found.select(REQUEST_KEYS), on=REQUEST_KEYS, how="semi", nulls_equal=True)
        own = ", ".join(sorted(rows["region"].unique().to_list()))
        count = int(rows["_n"].sum()) if "_n" in rows.columns else rows.height  # a group stands for _n rows
        notes.append(
            warning(
                "proxy_region", "warning.proxy_region", count=count, kind=msg(PROXY_KINDS[kind]), own=own, proxy=proxy
            )
        )
    if not proxied:
        return acts, notes
    acts = (
        acts.join(pl.concat(proxied), on=REQUEST_KEYS, how="left", nulls_equal=True)
        .with_columns(pl.coalesce(pl.col("_proxy"), pl.col("region")).alias("region"))
        .drop("_proxy")
    )
    return acts, notes


def _mobile_note(rows: int, has_vehicle_rows: bool) -> dict:
    """Mobile fuel rows with the EPA Hub's mobile CO2: where their CH4 and N2O come from."""
    counted = msg("warning.mobile_ch4_n2o.counted" if has_vehicle_rows else "warning.mobile_ch4_n2o.not_counted")
    return warning("mobile_ch4_n2o", "warning.mobile_ch4_n2o.text", rows=rows, counted=counted)


def _price_year(library: FactorLibrary, sets: list[str]) -> int:
    years = library.factors.filter(
        pl.col("factor_set").is_in(sets) & pl.col("denominator_dim").str.starts_with("currency:")
    )["price_year"].drop_nulls()
    return int(cast(int, years.max())) if years.len() else 2022


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.file, p.row, p.column, p.expected)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
