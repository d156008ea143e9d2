"""Typed records that cross boundaries: project settings (``dualcarbon.toml``) and frame schemas."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from dualcarbon.errors import msg

DEFAULT_FACTOR_SETS = {
    "CN": ["gbt32151_8", "cn_mee_grid", "cn_guidelines", "ipcc2006", "gbt32150", "useeio", "us_epa_hub"],
    "US": ["us_epa_hub", "egrid", "useeio", "ipcc2006"],
    "GB": ["uk_desnz", "ipcc2006", "useeio"],
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organization(_Strict):
    """``[organization]``: the reporting subject. ``kind = "territory"`` is a district, city or
    province reported by GPC and IPCC sectors (DESIGN.md, 'Territories'), with ``boundary =
    "administrative"`` and a ``[territory]`` table."""

    name: str
    kind: Literal["organization", "territory", "portfolio"] = "organization"
    boundary: Literal["operational_control", "financial_control", "equity_share", "administrative"] = (
        "operational_control"
    )
    country: str = "CN"
    region: str | None = None
    sector: str = "1.A.2"
    name_en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _territory_boundary(cls, data):
        if isinstance(data, dict) and data.get("kind") == "territory" and "boundary" not in data:
            return {**data, "boundary": "administrative"}
        return data

    @model_validator(mode="after")
    def _boundary_fits_kind(self):
        if (self.kind == "territory") != (self.boundary == "administrative"):
            raise ValueError(
                f'boundary "{self.boundary}" does not fit kind "{self.kind}": a territory is reported within its '
                'administrative boundary (boundary = "administrative"), an organisation by control or equity share'
            )
        return self


class Notation(_Strict):
    """A GPC notation key for a reporting line without a figure (GPC v1.1 Ch. 4): NO not occurring,
    NE not estimated, IE included elsewhere, C confidential; with the reason (``reason_en`` optional)."""

    key: Literal["NO", "NE", "IE", "C"]
    reason: str = Field(min_length=1)
    reason_en: str | None = None


GDP_UNITS = {"元": 1.0, "万元": 1e4, "亿元": 1e8, "CNY": 1.0, "USD": 1.0, "EUR": 1.0, "GBP": 1.0}


class Territory(_Strict):
    """``[territory]``: the district, city or province (DESIGN.md, 'Territories').

    Population and GDP here are those of the period's last year; several years come from
    ``indicators.csv`` (indicators ``population`` and ``gdp``)."""

    admin_code: str | None = Field(default=None, description="GB/T 2260 administrative division code")
    population: float | None = Field(default=None, gt=0, description="permanent residents (常住人口)")
    gdp: float | None = Field(default=None, gt=0, description="regional GDP in gdp_unit at gdp_price_year prices")
    gdp_unit: str = "亿元"
    gdp_price_year: int | None = None
    area_km2: float | None = Field(default=None, gt=0)
    #: notation keys of GPC lines without emission rows, by reference number ("I.4.4") or sub-sector ("V.1")
    notation: dict[str, Notation] = Field(default_factory=dict)

    @field_validator("gdp_unit")
    @classmethod
    def _known_gdp_unit(cls, unit: str) -> str:
        if unit not in GDP_UNITS:
            raise ValueError(f"gdp_unit must be one of {', '.join(GDP_UNITS)}")
        return unit

    @property
    def gdp_currency_units(self) -> float | None:
        """GDP in single currency units (元), or None when not given."""
        return None if self.gdp is None else self.gdp * GDP_UNITS[self.gdp_unit]


class Period(_Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self):
        if self.end < self.start:
            raise ValueError(f"period end {self.end} is before start {self.start}")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))


class Method(_Strict):
    gwp: Literal["AR4", "AR5", "AR6"] = "AR5"
    factor_sets: list[str] | None = None
    scope2: Literal["location", "market", "both"] = "both"
    #: Regions whose factors stand in when a row's own fallback chain has none (disclosed as a
    #: warning and in the trace's ``region_used``), e.g. ["GB"] for road freight in China.
    proxy_regions: list[str] = Field(default_factory=list)
    #: solid waste disposal (IPCC 2006 Vol. 5 Ch. 3): first-order decay over the deposit history, or
    #: the methane-commitment default method where no history exists. None: FOD for a territory; an
    #: organisation's landfill rows keep the waste factors of GHG Protocol Scope 3 category 5.
    waste: Literal["fod", "methane_commitment"] | None = None
    #: edition of the IPCC defaults for agriculture and waste: the 2006 Guidelines or the 2019 Refinement
    ipcc_edition: Literal["2006", "2019"] = "2006"
    #: IPCC climate zone of the sites (IPCC 2006 Vol. 5 Table 3.3, Vol. 4 Table 10.15):
    #: boreal_temperate_dry | boreal_temperate_wet | tropical_dry | tropical_moist_wet
    climate_zone: (
        Literal["boreal_temperate_dry", "boreal_temperate_wet", "tropical_dry", "tropical_moist_wet"] | None
    ) = None
    #: mean annual temperature (°C) of the sites, for manure CH4 (IPCC 2006 Vol. 4 Table 10.14)
    mean_temperature_c: float | None = Field(default=None, ge=-30, le=40)
    #: Monte Carlo iterations of the inventory's uncertainty (IPCC 2006 Vol. 1 Ch. 3 Approach 2; 0: none,
    #: ``dualcarbon run --uncertainty N`` overrides it), the seed of its draws, and the activity-data
    #: uncertainty (half-width of the 95 % interval, a fraction) of rows without an ``uncertainty`` column
    #: value (None: exact); docs/uncertainty.md
    uncertainty: int = Field(default=0, ge=0, le=1_000_000)
    uncertainty_seed: int = Field(default=1, ge=0)
    activity_uncertainty: float | None = Field(default=None, ge=0, le=1)


class Report(_Strict):
    lang: Literal["zh", "en"] = "zh"


class Spend(_Strict):
    """Exchange rates (USD per unit of currency, by year) and a price index for EEIO factors."""

    exchange_rates: dict[str, dict[int, float]] = Field(default_factory=dict)
    price_index: dict[int, float] = Field(default_factory=dict)
    price_index_name: str | None = None


class Exclusion(_Strict):
    """A footprint category left out of the claim, with the reason and an estimate of its size."""

    category: str = Field(
        pattern=r"^([1-6]|3\.(1[0-5]|[1-9]))$",
        description="ISO 14064-1 category 1-6, or GHG Protocol Scope 3 category 3.1-3.15",
    )
    reason: str = Field(min_length=1)
    estimate_t: float | None = Field(default=None, ge=0)


class ReductionTarget(_Strict):
    """An absolute reduction target against the base year (per cent of base-year emissions)."""

    year: int
    reduction_percent: float = Field(gt=0, le=100)


class Neutrality(_Strict):
    """``[neutrality]``: the carbon-neutrality claim to assess (docs/neutrality.md, "Settings")."""

    standard: str = "ISO14068-1"
    subject: Literal["organization", "product", "territory"] = "organization"
    base_year: int | None = None
    plan: str | None = None
    # the subject and its boundary
    subject_name: str | None = None
    period: Period | None = None
    boundary: str | None = None
    scope2_basis: Literal["market", "location"] = "market"
    exclusions: list[Exclusion] = Field(default_factory=list)
    functional_unit: str | None = None
    units_in_period: float | None = Field(default=None, gt=0)
    system_boundary: Literal["cradle_to_grave", "cradle_to_gate"] | None = None
    # base year and reductions
    base_year_emissions: float | None = Field(default=None, gt=0)
    base_year_summary: str | None = None
    base_year_gwp: Literal["AR4", "AR5", "AR6"] | None = None
    base_year_recalculated: bool = False
    structural_changes_t: float = Field(default=0.0, ge=0)
    output: float | None = Field(default=None, gt=0)
    base_year_output: float | None = Field(default=None, gt=0)
    output_unit: str | None = None
    first_period: bool = False
    # the management plan
    plan_date: dt.date | None = None
    commitment_date: dt.date | None = None
    net_zero_year: int | None = None
    reduction_targets: list[ReductionTarget] = Field(default_factory=list)
    offset_strategy: str | None = None
    # credits, claim and verification
    previous_claims: list[str] = Field(default_factory=list)
    claim_date: dt.date | None = None
    verification_type: Literal["third_party", "other_party", "self_declared"] | None = None
    verifier: str | None = None
    qes: str | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if self.base_year_emissions is not None and self.base_year_summary is not None:
            raise ValueError("give base_year_emissions or base_year_summary, not both")
        if (self.base_year_emissions is not None or self.base_year_summary is not None) and self.base_year is None:
            raise ValueError("base_year is required with base_year_emissions or base_year_summary")
        if (self.output is None) != (self.base_year_output is None):
            raise ValueError("output and base_year_output go together (an intensity needs both)")
        return self


class Cut(_Strict):
    """An intermediate target: emissions in ``year`` at least ``percent`` below the base (or peak) year."""

    year: int
    percent: float = Field(gt=0, le=100)
    against: Literal["base", "peak"] = "base"
    #: which emissions the cut covers (a selector, docs/pathway.md); None = all covered emissions
    covers: str | None = None


class IntensityTarget(_Strict):
    """Emissions per unit of GDP (at constant prices) or per person in ``year`` at least ``percent``
    below ``base_year``'s, and in every later year (docs/pathway.md, "Intensity targets")."""

    year: int
    percent: float = Field(gt=0, lt=100)
    #: default: ``[targets] base_year`` (else the inventory year)
    base_year: int | None = None
    per: Literal["gdp", "capita"] = "gdp"
    #: which emissions count (a selector, docs/pathway.md); None = all covered emissions
    covers: str | None = None

    @model_validator(mode="after")
    def _after_base(self):
        if self.base_year is not None and self.year <= self.base_year:
            raise ValueError(f"the intensity target of {self.year} is not after its base year {self.base_year}")
        return self


class EmissionsCap(_Strict):
    """An absolute cap: covered emissions in ``year`` (and every later year) at most ``t`` t CO2e."""

    year: int
    t: float = Field(ge=0)


class Targets(_Strict):
    """``[targets]``: a template (``pathway/data/targets.toml``) and the project's own overrides."""

    template: Literal["china", "us", "sbti-1.5", "none"] = "none"
    base_year: int | None = None
    #: base-year total (t CO2e) when the base year is not the inventory's year
    base_emissions_t: float | None = Field(default=None, ge=0)
    peak_year: int | None = None
    neutral_year: int | None = None
    #: linear contraction, fraction of base-year emissions per year (SBTi absolute contraction)
    annual_rate: float | None = Field(default=None, gt=0, lt=1)
    cuts: list[Cut] = Field(default_factory=list)
    #: residual emissions may be offset with purchased credits in the neutral years
    offsets: bool | None = None
    #: largest residual (before removals and offsets) allowed in the neutral years, % of base
    residual_max_percent: float | None = Field(default=None, ge=0, le=100)
    #: intensity targets: CO2e per unit GDP (constant prices) or per person below a base year's
    intensity: list[IntensityTarget] = Field(default_factory=list)
    #: absolute caps on covered emissions, t CO2e
    caps: list[EmissionsCap] = Field(default_factory=list)


def _all_scopes() -> list[Literal["1", "2", "3"]]:
    return ["1", "2", "3"]


class Pathway(_Strict):
    """``[pathway]``: the projection and the least-cost pathway (docs/pathway.md)."""

    start_year: int | None = None
    end_year: int | None = None
    discount_rate: float = Field(default=0.06, ge=0, lt=1)
    #: annual growth by selector ("default", an activity key, "category:1.stationary" ...):
    #: a rate, or {year = rate} taking effect from that year on
    growth: dict[str, float | dict[int, float]] = Field(default_factory=dict)
    scopes: list[Literal["1", "2", "3"]] = Field(default_factory=_all_scopes)
    scope2: Literal["location", "market"] = "location"
    #: removals outside measures.csv (e.g. forest sinks), t CO2e a year, or {year = t} interpolated
    removals_t: float | dict[int, float] = 0.0
    #: real GDP growth a year after the last year with a GDP (for intensity targets): a rate, or
    #: {year = rate} taking effect from that year on
    gdp_growth: float | dict[int, float] | None = None
    #: population growth a year after the last year with a population (per-capita targets), likewise
    population_growth: float | dict[int, float] | None = None
    currency: str = "CNY"
    #: price of a purchased offset credit (currency per t CO2e), when [targets] offsets = true
    offset_price: float | None = Field(default=None, ge=0)
    #: year whose potentials set the MACC's bar widths (default: the end year)
    macc_year: int | None = None
    time_limit_s: float = Field(default=60.0, gt=0)
    mip_gap: float = Field(default=1e-4, ge=0, lt=1)
    #: carbon price on the covered emissions beyond the free allocation: a bundled series ("cea", "eu-ets"), a
    #: price file of the project ("prices.csv"), a price (currency per t CO2) or {year = price}
    carbon_price: str | float | dict[int, float] | None = None
    #: growth of the price a year after its last given year (a rate or {year = rate}); 0: held flat
    carbon_price_growth: float | dict[int, float] = 0.0
    #: pathway currency per unit of the price series' currency, when they differ (e.g. 7.8 CNY per EUR)
    carbon_price_fx: float | None = Field(default=None, gt=0)
    #: selector of the emissions the price applies to (default: all the pathway covers)
    carbon_covers: str | None = None
    #: free allocation, t CO2 a year: a number, {year = t} (linear between), or "ets" (the ETS run's allowances
    #: of summary.json ets, held at the benchmark × projected output)
    free_allocation: Literal["ets"] | float | dict[int, float] = 0.0
    #: the fiscal instruments file (default: instruments.csv when the project has one)
    instruments: str | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValueError(f"end_year {self.end_year} is before start_year {self.start_year}")
        return self


class InputSettings(_Strict):
    """``[input]``: how the project's tables are read (docs/file-formats.md, 'Encodings' and 'Limits').

    ``encoding`` forces the text encoding of CSV files (any name Python knows: ``cp1252``,
    ``gb18030``, ``utf-8`` ...); unset, it is detected. The others change the limits of
    ``project.limits.ReadLimits`` (unset: its defaults; a server's limits are ceilings)."""

    encoding: str | None = None
    max_columns: int | None = Field(default=None, ge=1)
    max_rows: int | None = Field(default=None, ge=1)
    max_cell_chars: int | None = Field(default=None, ge=1)
    max_expanded_mib: float | None = Field(default=None, gt=0)

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, name: str | None) -> str | None:
        import codecs

        if name is None:
            return None
        try:
            info = codecs.lookup(name)
        except LookupError:
            raise ValueError(f"unknown encoding '{name}'; expected a name such as utf-8, gb18030 or cp1252") from None
        if not getattr(info, "_is_text_encoding", True):  # rot13, base64 ...: codecs, not encodings
            raise ValueError(f"'{name}' is not a text encoding; expected a name such as utf-8, gb18030 or cp1252")
        return info.name


def _scopes_1_2() -> list[Literal["1", "2", "3"]]:
    return ["1", "2"]


class OutputProduct(_Strict):
    """One product of ``[output]``: what the plant made and which emissions its intensity divides
    (docs/file-formats.md, "[output]"): t CO2e per unit of it, e.g. per t clinker, t cement, MWh, t milk."""

    id: str = Field(min_length=1)
    name_zh: str | None = None
    name_en: str | None = None
    #: the unit of the quantity, as written ("t", "MWh", "t 熟料" ...)
    unit: str = Field(min_length=1)
    #: quantity made in the period (a number), or {year = quantity} (the period's years and the base year)
    quantity: float | dict[int, float]
    #: a selector of the emissions counted (docs/pathway.md, "Selectors"); default: all in ``scopes``
    covers: str | None = None
    scopes: list[Literal["1", "2", "3"]] = Field(default_factory=_scopes_1_2)
    scope2: Literal["location", "market"] = "location"
    #: emissions of ``covers`` in years the inventory does not hold (the base year), t CO2e
    emissions_t: dict[int, float] = Field(default_factory=dict)

    @field_validator("quantity")
    @classmethod
    def _positive(cls, q):
        values = q.values() if isinstance(q, dict) else [q]
        if any(v <= 0 for v in values):
            raise ValueError(msg("intensity.problem.quantity"))
        return q

    @field_validator("emissions_t")
    @classmethod
    def _not_negative(cls, e):
        if any(v < 0 for v in e.values()):
            raise ValueError(msg("intensity.problem.emissions"))
        return e

    @field_validator("covers")
    @classmethod
    def _selector(cls, covers):
        if covers is not None:
            from dualcarbon.pathway.sources import parse

            parse(covers)  # a ValueError saying what a selector looks like
        return covers


class Output(_Strict):
    """``[output]``: what the subject produced, for intensities per unit of product (summary.json
    ``intensity``); ``base_year`` the year they are compared with (default: ``[neutrality]`` or
    ``[targets]`` base year)."""

    base_year: int | None = None
    products: list[OutputProduct] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self):
        ids = [p.id for p in self.products]
        if len(ids) != len(set(ids)):
            raise ValueError(msg("intensity.problem.same_id", ids=", ".join(ids)))
        return self


class Product(_Strict):
    """``[product]``: the product whose footprint is computed from processes.csv and exchanges.csv (ISO 14067:2018;
    DESIGN.md "Products"). ``reference``: a process id (its main output) or a co-product's id."""

    reference: str = Field(min_length=1)
    functional_unit: str = Field(min_length=1)
    #: the functional unit as Chinese and English readers see it (default: ``functional_unit`` as written)
    functional_unit_zh: str | None = Field(default=None, min_length=1)
    functional_unit_en: str | None = Field(default=None, min_length=1)
    boundary: Literal["cradle-to-gate", "cradle-to-grave"]
    #: further products reported alongside the reference (e.g. the farm-gate milk)
    report: list[str] = Field(default_factory=list)
    #: default Monte Carlo iterations of ``dualcarbon footprint`` and ``dualcarbon run`` (0: none)
    iterations: int = Field(default=0, ge=0, le=1_000_000)
    seed: int | None = Field(default=None, ge=0)
    #: functional units sold in the period (product neutrality)
    units_sold: float | None = Field(default=None, ge=0)
    #: the base period's footprint per functional unit, kg CO2e (product neutrality)
    base_footprint_kg_co2e: float | None = Field(default=None, ge=0)

    def functional_unit_in(self, lang: str) -> str:
        """The functional unit in ``lang`` (``functional_unit_zh`` / ``_en``), else as written."""
        return getattr(self, f"functional_unit_{lang}", None) or self.functional_unit


class Ets(_Strict):
    """``[ets]``: the China national ETS accounting of power units (units.csv, generation.csv; docs/ets.md).

    ``guideline``: the revision of the MEE accounting guideline for power generation facilities whose
    rule data applies (a version of ``ets/guideline/guidelines.toml``); ``plan_year``: the compliance year
    whose allocation plan gives the allowances (None: the period's year)."""

    guideline: str = "2022"
    plan_year: int | None = Field(default=None, ge=2019, le=2100)


class _TargetsView:
    """``[targets]`` as the pathway resolves it (pathway.targets.resolve): the base year (its own, the
    template's, else the inventory year) and the neutral year (its own, else the template's)."""

    def __init__(self, targets: Targets, period: Period):
        from dualcarbon.pathway.targets import templates

        template = templates().get(targets.template, {})
        whole = period.start == dt.date(period.start.year, 1, 1) and period.end == dt.date(period.end.year, 12, 31)
        inventory_year = period.end.year if whole else period.start.year
        self.base_year: int = int(targets.base_year or template.get("base_year") or inventory_year)
        self.neutral_year: int | None = targets.neutral_year or template.get("neutral_year")


class Financed(_Strict):
    """``[financed]``: the files a portfolio's financed emissions are compared with (docs/financed.md): the
    benchmark index's constituents and the holdings of the comparison year, paths relative to the project;
    ``issuer_scope2``, which Scope 2 of an issuer inventoried in dualcarbon (``issuer_project``) is taken."""

    benchmark: str | None = None
    previous: str | None = None
    issuer_scope2: Literal["location", "market"] = "location"


class Settings(_Strict):
    """The contents of ``dualcarbon.toml`` (DESIGN.md, 'Project folder'); unknown keys are errors."""

    organization: Organization
    territory: Territory | None = None
    period: Period
    method: Method = Method()
    report: Report = Report()
    spend: Spend = Spend()
    neutrality: Neutrality | None = None
    targets: Targets | None = None
    pathway: Pathway | None = None
    output: Output | None = None
    product: Product | None = None
    input: InputSettings = InputSettings()
    ets: Ets | None = None
    financed: Financed | None = None

    @field_validator("neutrality")
    @classmethod
    def _claim_period(cls, n: Neutrality | None, info: ValidationInfo) -> Neutrality | None:
        period = info.data.get("period")
        if n is None or period is None:
            return n
        if n.period is not None and n.period != period:
            raise ValueError(
                f"neutrality.period {n.period.start} to {n.period.end} must equal [period] "
                f"{period.start} to {period.end}: the footprint is the inventory of [period]"
            )
        if n.base_year is not None and n.base_year > period.end.year:
            raise ValueError(f"neutrality.base_year {n.base_year} is after the period {period.start} to {period.end}")
        return n

    @model_validator(mode="before")
    @classmethod
    def _plan_takes_the_cuts(cls, data):
        """One set of targets per subject (docs/pathway.md, "One set of targets"): with the same base year
        in ``[neutrality]`` and ``[targets]``, the targets given on one side only are taken by the other:
        the neutrality plan takes the ``[targets]`` cuts against the base year on all emissions as its
        ``reduction_targets``, the pathway takes the plan's ``reduction_targets`` as cuts, and its neutral
        year from ``net_zero_year`` when neither ``[targets]`` nor its template gives one."""
        if not isinstance(data, dict):
            return data
        neutrality, targets = data.get("neutrality"), data.get("targets")
        if not isinstance(neutrality, dict) or not isinstance(targets, dict):
            return data
        try:
            goals = _TargetsView(Targets.model_validate(targets), Period.model_validate(data.get("period")))
        except (ValueError, TypeError):
            return data  # reported by the validation of the fields themselves
        raw = targets.get("cuts", [])
        plan = neutrality.get("reduction_targets")
        if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
            return data
        if neutrality.get("net_zero_year") is not None and goals.neutral_year is None:
            targets = {**targets, "neutral_year": neutrality["net_zero_year"]}
        if neutrality.get("base_year") is not None and neutrality.get("base_year") == goals.base_year:
            cuts = [c for c in raw if c.get("against", "base") == "base" and c.get("covers") is None]
            if cuts and not plan:
                own = [{"year": c.get("year"), "reduction_percent": c.get("percent")} for c in cuts]
                neutrality = {**neutrality, "reduction_targets": own}
            elif plan and not cuts and isinstance(plan, list) and all(isinstance(r, dict) for r in plan):
                taken = [{"year": r.get("year"), "percent": r.get("reduction_percent")} for r in plan]
                targets = {**targets, "cuts": [*raw, *taken]}
        return {**data, "neutrality": neutrality, "targets": targets}

    @model_validator(mode="after")
    def _one_set_of_targets(self):
        """The neutrality plan and the pathway hold one set of targets: the same base year when both give
        targets, the same reduction targets from it, the same net-zero year."""
        n, t = self.neutrality, self.targets
        if n is None or t is None:
            return self
        goals = _TargetsView(t, self.period)
        if n.reduction_targets and n.base_year is not None and n.base_year != goals.base_year:
            text = ", ".join(f"{r.year}: -{r.reduction_percent:g} %" for r in n.reduction_targets)
            raise ValueError(
                msg("plan.problem.base_years", plan_year=n.base_year, targets=text, pathway_year=goals.base_year)
            )
        if n.net_zero_year is not None and goals.neutral_year is not None and n.net_zero_year != goals.neutral_year:
            raise ValueError(
                msg(
                    "plan.problem.net_zero_year" if t.neutral_year is not None else "plan.problem.net_zero_template",
                    plan_year=n.net_zero_year,
                    pathway_year=goals.neutral_year,
                    template=t.template,
                )
            )
        if n.base_year is None or n.base_year != goals.base_year:
            return self
        own = sorted((c.year, c.percent) for c in t.cuts if c.against == "base" and c.covers is None)
        plan = sorted((r.year, r.reduction_percent) for r in n.reduction_targets)
        if own and plan != own:
            text = ", ".join(f"{y}: -{p:g} %" for y, p in plan)
            cuts = ", ".join(f"{y}: -{p:g} %" for y, p in own)
            raise ValueError(msg("plan.problem.targets_differ", plan=text, cuts=cuts, year=n.base_year))
        return self

    @model_validator(mode="after")
    def _territory_table(self):
        is_territory = self.organization.kind == "territory"
        if is_territory and self.territory is None:
            raise ValueError('organization.kind = "territory" needs a [territory] table (population, gdp, ...)')
        if not is_territory and self.territory is not None:
            raise ValueError('[territory] is given but organization.kind is not "territory"')
        return self

    @property
    def is_territory(self) -> bool:
        return self.organization.kind == "territory"

    @property
    def waste_method(self) -> str | None:
        """Solid waste disposal method: FOD by default for a territory (``[method] waste``)."""
        return self.method.waste or ("fod" if self.is_territory else None)

    @field_validator("method")
    @classmethod
    def _sets_unique(cls, method: Method) -> Method:
        if method.factor_sets and len(set(method.factor_sets)) != len(method.factor_sets):
            raise ValueError("factor_sets lists a set twice")
        return method

    def factor_sets(self) -> list[str]:
        """Precedence: the project's own factors first, then the listed (or country default) sets."""
        listed = self.method.factor_sets or DEFAULT_FACTOR_SETS.get(self.organization.country, ["ipcc2006"])
        return ["project", *[s for s in listed if s != "project"]]

    @property
    def default_region(self) -> str:
        return self.organization.region or self.organization.country


# Columns of the validated activities frame that the engine consumes.
ACTIVITY_SCHEMA = {
    "_idx": pl.UInt32,
    "_file": pl.String,
    "_row": pl.Int64,
    "id": pl.String,
    "facility": pl.String,
    "date": pl.Date,
    "period_end": pl.Date,
    "year": pl.Int32,
    "month": pl.String,
    "activity": pl.String,
    "key": pl.String,
    "kind": pl.String,
    "quantity": pl.Float64,
    "unit": pl.String,
    "dimension": pl.String,
    "quantity_base": pl.Float64,
    "region": pl.String,
    "sector": pl.String,
    "scope": pl.String,
    "category": pl.String,
    "ncv_gj_per_base": pl.Float64,
    "carbon_content_t_per_gj": pl.Float64,
    "oxidation": pl.Float64,
    "uncertainty": pl.Float64,
    "clinker_cao": pl.Float64,
    "clinker_mgo": pl.Float64,
    "noncarbonate_cao": pl.Float64,
    "noncarbonate_mgo": pl.Float64,
    "ckd_calcination": pl.Float64,
    "toc": pl.Float64,
    "gas_or_blend": pl.String,
    "leak_t": pl.Float64,
    "balance_used": pl.Boolean,
    # waste and wastewater (IPCC 2006 Vol. 5): per-row parameters that override the defaults
    "swds_type": pl.String,
    "treatment": pl.String,
    "doc": pl.Float64,
    "docf": pl.Float64,
    "mcf": pl.Float64,
    "k": pl.Float64,
    "swds_ox": pl.Float64,  # the `ox` column (oxidation in a landfill cover; named apart from combustion's)
    "fossil_carbon_fraction": pl.Float64,
    "bod_g_per_person_day": pl.Float64,
    "protein_kg_per_person_yr": pl.Float64,
    # agriculture (IPCC 2006 Vol. 4): per-row parameters, validated in project.load
    "manure_system": pl.String,
    "animal_mass_kg": pl.Float64,
    "productivity": pl.String,
    "mean_temperature_c": pl.Float64,
    "season_days": pl.Float64,
    "flooded_rice": pl.Boolean,
}

# Optional per-row columns of agriculture rows (livestock, managed soils, rice); docs/file-formats.md.
AGRICULTURE_COLUMNS = [
    "manure_system",
    "animal_mass_kg",
    "productivity",
    "mean_temperature_c",
    "season_days",
    "flooded_rice",
]

# Refrigerant material-balance columns (GHG Protocol HFC/PFC tool; IPCC 2006 Vol. 3 Ch. 7 Eq. 7.10).
BALANCE_COLUMNS = ["inventory_start", "inventory_end", "purchased", "disposed", "capacity_retired", "capacity_new"]

# Optional numeric columns users may give (besides quantity); fractions accept '%'.
FRACTION_COLUMNS = [
    "oxidation",
    "clinker_cao",
    "clinker_mgo",
    "noncarbonate_cao",
    "noncarbonate_mgo",
    "ckd_calcination",
    "toc",
    # waste (IPCC 2006 Vol. 5): DOC, DOCf, MCF, OX of a landfill row; fossil carbon share of incinerated waste
    "doc",
    "docf",
    "mcf",
    "ox",
    "fossil_carbon_fraction",
    # activity-data uncertainty: half-width of the 95 % interval (IPCC 2006 Vol. 1 Ch. 3), e.g. 0.05 or 5%
    "uncertainty",
]

# Optional numeric columns that are not fractions (waste: decay rate per year, BOD and protein per person).
NUMBER_COLUMNS = ["k", "bod_g_per_person_day", "protein_kg_per_person_yr"]

# Solid waste disposal site types (IPCC 2006 Vol. 5 Table 3.1), the values of the ``swds_type`` column.
SWDS_TYPES = ["managed_anaerobic", "managed_semi_aerobic", "unmanaged_deep", "unmanaged_shallow", "uncategorised"]


class GroupEntity(_Strict):
    """One entity of ``[group]`` (docs/groups.md): a subsidiary, joint venture or site with its own project
    folder (or a prior run's ``out/``), the group's equity share in it and whether the group controls it
    (GHG Protocol Corporate Standard, rev. 2004, Ch. 3; ISO 14064-1:2018 5.1)."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    name_zh: str = Field(min_length=1)
    name_en: str | None = None
    #: the entity's own project folder or a prior run's out/ folder, relative to the group's folder
    path: str = Field(min_length=1)
    #: the group's share of the entity's equity, a fraction (0.6 for 60 %)
    equity_share: float = Field(ge=0, le=1)
    operational_control: bool
    #: true, false, or "joint" (joint financial control: counted by equity share, Ch. 3 Table 1)
    financial_control: bool | Literal["joint"]


class Group(_Strict):
    """``[group]``: the entities a group consolidates (docs/groups.md); intra-group transfers in intragroup.csv."""

    entities: list[GroupEntity] = Field(min_length=1)

    @field_validator("entities")
    @classmethod
    def _unique_ids(cls, entities: list[GroupEntity]) -> list[GroupEntity]:
        ids = [e.id for e in entities]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"entity ids must be unique: {', '.join(repeated)} used more than once")
        return entities


class GroupMethod(_Strict):
    gwp: Literal["AR4", "AR5", "AR6"] = "AR5"


class GroupSettings(_Strict):
    """``dualcarbon.toml`` of a group project (docs/groups.md): ``[organization]`` (its ``boundary`` is the
    consolidation approach), ``[period]``, ``[method] gwp``, ``[report]`` and ``[group]``."""

    organization: Organization
    period: Period
    method: GroupMethod = GroupMethod()
    report: Report = Report()
    group: Group

    @field_validator("organization")
    @classmethod
    def _an_organisation(cls, org: Organization) -> Organization:
        if org.kind != "organization":
            raise ValueError(f'a group consolidates organisations: kind must be "organization", not "{org.kind}"')
        return org
