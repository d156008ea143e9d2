"""Typed records of the neutrality assessment: what the checks read, and what they return.

Frame schemas (credits, Scope 2 instruments, forest stands) are declared once here; the project
layer builds frames of these schemas from credits.csv and sinks.csv.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from dualcarbon.model import Neutrality, Organization, Period

PASSED, FAILED, NOT_APPLICABLE = "passed", "failed", "not applicable"
ACHIEVED, NOT_ACHIEVED = "achieved", "not achieved"
MANDATORY, ADVISORY = "mandatory", "advisory"

#: Statuses of a credit or certificate that has been retired (cancelled) in its registry.
RETIRED_STATUS = frozenset({"retired", "cancelled", "canceled", "redeemed", "已注销", "已核销"})
#: Statuses of credits that are contracted or forward-issued, not yet verified and issued (ex ante).
EX_ANTE_STATUS = frozenset({"forward", "contracted", "ex-ante", "ex_ante", "远期", "预签发"})
#: Every status a carbon credit row of credits.csv may carry.
CREDIT_STATUS = RETIRED_STATUS | EX_ANTE_STATUS | {"issued", "active", "held", "pending", "已签发", "持有", "待注销"}

#: Every row of credits.csv, typed: carbon credits (``kind`` = credit) and Scope 2 instruments
#: (``kind`` = instrument; ``quantity_t`` null, ``mwh`` set).
CREDIT_SCHEMA = {
    "_row": pl.Int64,
    "id": pl.String,
    "kind": pl.String,
    "type": pl.String,
    "quantity_t": pl.Float64,
    "mwh": pl.Float64,
    "facility": pl.String,
    "region": pl.String,
    "vintage": pl.Int32,
    "registry": pl.String,
    "serial_start": pl.String,
    "serial_end": pl.String,
    "project_type": pl.String,
    "project_id": pl.String,
    "project_url": pl.String,
    "removal": pl.Boolean,
    "retired_on": pl.Date,
    "beneficiary": pl.String,
    "status": pl.String,
    "permanence_evidence": pl.String,
}

#: Forest stands of sinks.csv, typed (areas in ha); parameter columns null where not given.
STAND_SCHEMA = {
    "_row": pl.Int64,
    "id": pl.String,
    "type": pl.String,
    "area_ha": pl.Float64,
    "species_group": pl.String,
    "planting_year": pl.Int32,
    "volume_growth_m3_per_ha_yr": pl.Float64,
    "wood_density_t_per_m3": pl.Float64,
    "bef": pl.Float64,
    "root_shoot": pl.Float64,
    "carbon_fraction": pl.Float64,
    "harvest_m3": pl.Float64,
    "issued_as": pl.String,
    "evidence": pl.String,
}


def empty(schema: dict) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


@dataclass(frozen=True)
class BaseYear:
    """The base-year footprint that reductions are shown against (ISO 14068-1 plan: base period)."""

    year: int
    emissions_t: float
    source: str  # "base_year_emissions" or the summary.json it was read from
    gwp_set: str | None = None
    boundary: str | None = None


@dataclass(frozen=True)
class Evidence:
    """What the project folder holds besides the inventory: base year, documents, earlier claims."""

    base: BaseYear | None = None
    documents: Mapping[str, bool] = field(default_factory=dict)  # "plan" / "qes" → file present
    previous_credits: pl.DataFrame = field(
        default_factory=lambda: empty(
            {
                "id": pl.String,
                "_row": pl.Int64,
                "registry": pl.String,
                "serial_start": pl.String,
                "serial_end": pl.String,
                "claim": pl.String,
            }
        )
    )


@dataclass(frozen=True)
class Balance:
    """The ISO 14068-1 balance in t CO2e: footprint, reductions, removals, offsetting."""

    footprint_t: float  # inventory of the period on the claim's Scope 2 basis
    sink_losses_t: float  # stands whose stock fell in the period (reversals), booked as emissions
    emissions_t: float  # footprint + sink losses
    base_year: int | None
    base_year_emissions_t: float | None
    reductions_t: float | None  # base year − footprint (negative: emissions rose)
    removals_t: float
    residual_t: float  # emissions − removals: what credits must cover
    credits_eligible_t: float  # retired credits that passed every mandatory credit check
    credits_applied_t: float
    credits_surplus_t: float
    credits_excluded_t: float
    credits_removal_t: float  # of the applied credits, removal credits
    net_t: float  # residual − credits applied
    scope2_basis: str
    applied_ids: tuple[str, ...] = ()  # the credits applied, in the order they were applied

    def as_dict(self) -> dict:
        return {
            "emissions": self.emissions_t,
            "reductions": self.reductions_t,
            "removals": self.removals_t,
            "credits": self.credits_applied_t,
            "net": self.net_t,
            "footprint": self.footprint_t,
            "sink_losses": self.sink_losses_t,
            "base_year": self.base_year,
            "base_year_emissions": self.base_year_emissions_t,
            "residual": self.residual_t,
            "credits_eligible": self.credits_eligible_t,
            "credits_surplus": self.credits_surplus_t,
            "credits_excluded": self.credits_excluded_t,
            "credits_removal": self.credits_removal_t,
            "scope2_basis": self.scope2_basis,
        }


@dataclass(frozen=True)
class Facts:
    """Everything a check reads: the claim settings, the inventory, credits, stands and evidence."""

    neutrality: Neutrality
    organization: Organization
    period: Period
    gwp_set: str
    totals: Mapping[str, float]
    by_gas: tuple[dict, ...]
    by_category: tuple[dict, ...]
    by_iso_category: tuple[dict, ...]
    facilities: frozenset[str]
    credits: pl.DataFrame  # kind = credit rows of CREDIT_SCHEMA
    instruments: pl.DataFrame  # kind = instrument rows of CREDIT_SCHEMA
    applied_instruments: frozenset[str]  # instrument ids the market-based method applied
    stands: pl.DataFrame  # sinks.estimate of the stands (empty without sinks.csv)
    evidence: Evidence
    footprint_t: float  # on the claim's Scope 2 basis
    footprint_location_t: float
    balance: Balance | None = None  # set for the checks that read the balance
    product: Mapping[str, Any] | None = None  # a product subject: its footprint (footprint.json)

    @property
    def claimant_names(self) -> tuple[str, ...]:
        names = (self.organization.name, self.organization.name_en, self.neutrality.subject_name)
        return tuple(n for n in names if n)

    @property
    def claim_anchor(self) -> dt.date:
        return self.neutrality.claim_date or self.period.end


@dataclass(frozen=True)
class Outcome:
    """What a check found: its status, the reason in both languages and, when failed, the remedy."""

    status: str
    reason_en: str
    reason_zh: str
    remedy_en: str = ""
    remedy_zh: str = ""
    excluded: tuple[str, ...] = ()  # credits (credit checks) or stands (sink checks) left out of the balance


@dataclass(frozen=True)
class Rule:
    """One check of a rule set (``data/rules/*.toml``): which function, the clause it rests on,
    how that clause was established, whether a failure blocks the claim, and its parameters."""

    id: str
    kind: str
    clause: str
    clause_status: str  # read | second-hand | unverified
    severity: str  # mandatory | advisory
    params: Mapping[str, Any] = field(default_factory=dict)  # TOML values: str, number, list, table
    clause_zh: str = ""


@dataclass(frozen=True)
class Check:
    """One check of the assessment: the rule's identity and clause, and its outcome."""

    id: str
    clause: str
    clause_zh: str
    clause_status: str  # read | second-hand | unverified: how the clause reference was established
    severity: str
    outcome: Outcome

    def as_dict(self) -> dict:
        o = self.outcome
        return {
            "id": self.id,
            "clause": self.clause,
            "clause_zh": self.clause_zh,
            "clause_status": self.clause_status,
            "severity": self.severity,
            "status": o.status,
            "reason_zh": o.reason_zh,
            "reason_en": o.reason_en,
        }
