"""The ordered assessment of a carbon-neutrality claim (ISO 14068-1:2023; other rule sets alike).

Order of the standard's hierarchy: (1) the footprint of the subject for the period, from the
inventory (Scope 2 on the claim's basis, Scope 3 as inventoried); (2) reductions against the base
year; (3) own removals (forest stands, Tier 1); (4) offsetting of the residual with retired
credits that pass every mandatory credit check. Then the checks that read the balance (balance,
claim), and the status: ``achieved`` iff every mandatory check passed or does not apply,
``not applicable`` when the standard does not cover the subject, else ``not achieved``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import polars as pl

from dualcarbon.model import Settings
from dualcarbon.neutrality import credit_checks, rules, sinks
from dualcarbon.neutrality.checks import AFTER_BALANCE, KINDS, verification_kind, verified_by
from dualcarbon.neutrality.records import (
    ACHIEVED,
    CREDIT_SCHEMA,
    FAILED,
    MANDATORY,
    NOT_ACHIEVED,
    NOT_APPLICABLE,
    PASSED,
    STAND_SCHEMA,
    Balance,
    Check,
    Evidence,
    Facts,
    Outcome,
    empty,
)
from dualcarbon.neutrality.texts import Text, say

#: Credit checks whose mandatory failure takes the named credits out of the balance.
EXCLUDING_CREDITS = frozenset(credit_checks.KINDS) - {"scope2_quality"}
CHECK_COLUMNS = ["id", "clause", "clause_zh", "clause_status", "severity", "status", "reason_zh", "reason_en"]


@dataclass(frozen=True)
class Assessment:
    """The result: status, balance, checks in the rule set's order, the claim wording it permits,
    and the credits and stands behind the balance."""

    rule_set: rules.RuleSet
    subject: str
    subject_name_en: str
    subject_name_zh: str
    status: str
    balance: Balance
    checks: tuple[Check, ...]
    claim_en: str | None
    claim_zh: str | None
    credits: pl.DataFrame
    stands: pl.DataFrame
    period: tuple[str, str]
    verification: Mapping[str, object]
    product: Mapping[str, object] | None = None  # a product subject: functional unit, units, per-unit figures

    def counts(self) -> dict[str, int]:
        statuses = [c.outcome.status for c in self.checks]
        return {s: statuses.count(s) for s in (PASSED, FAILED, NOT_APPLICABLE)}

    def missing(self, severity: str = MANDATORY) -> list[dict]:
        """Failed checks of one severity: what is missing, and what would fix it."""
        return [
            {
                "check": c.id,
                "reason_en": c.outcome.reason_en,
                "reason_zh": c.outcome.reason_zh,
                "remedy_en": c.outcome.remedy_en,
                "remedy_zh": c.outcome.remedy_zh,
            }
            for c in self.checks
            if c.outcome.status == FAILED and c.severity == severity
        ]

    def checks_frame(self) -> pl.DataFrame:
        """The checks as ``out/neutrality.csv`` has them."""
        return pl.DataFrame([c.as_dict() for c in self.checks], schema={c: pl.String for c in CHECK_COLUMNS})

    def as_dict(self) -> dict:
        """The ``neutrality`` section of ``summary.json`` (DESIGN.md)."""
        rs = self.rule_set
        claim = None
        if self.claim_en is not None:
            claim = {"en": self.claim_en, "zh": self.claim_zh, "wording_status": rs.claim_status}
        return {
            "standard": rs.id,
            "standard_name": {"en": rs.name_en, "zh": rs.name_zh},
            "subject": self.subject,
            "subject_name": {"en": self.subject_name_en, "zh": self.subject_name_zh},
            "period": {"start": self.period[0], "end": self.period[1]},
            "status": self.status,
            "balance": self.balance.as_dict(),
            "checks": [c.as_dict() for c in self.checks],
            "counts": self.counts(),
            "claim": claim,
            "missing": self.missing(),
            "recommendations": self.missing("advisory"),
            "verification": dict(self.verification),
            "note": {"en": rs.note_en, "zh": rs.note_zh},
            "credits": [_jsonable(r) for r in self.credits.iter_rows(named=True)],
            "sinks": [_jsonable(r) for r in self.stands.iter_rows(named=True)],
            **({"product": dict(self.product)} if self.product is not None else {}),
        }


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items() if not k.startswith("_")}


def assess(
    summary: Mapping,
    settings: Settings,
    credits: pl.DataFrame | None = None,
    stands: pl.DataFrame | None = None,
    evidence: Evidence | None = None,
    applied_instruments: Iterable[str] = (),
    facilities: Iterable[str | None] | None = None,
) -> Assessment:
    """Assess ``settings.neutrality`` over an inventory ``summary`` (the ``dualcarbon.summary/1``
    record), the rows of credits.csv (``CREDIT_SCHEMA``), the forest stands (``STAND_SCHEMA``,
    parameters resolved by ``sinks.resolve``) and the evidence of the project folder.

    ``applied_instruments``: ids of the Scope 2 instruments the market-based method applied.
    ``facilities``: every facility of the inventory (``Inventory.facilities``); None: those of the summary's
    ``by_facility``, which names them all only while ``by_facility_complete`` (ValueError otherwise: a credit
    from a facility outside the listed largest would pass the boundary check unseen).
    """
    n = settings.neutrality
    if n is None:
        raise ValueError("settings have no [neutrality] table")
    if facilities is None:
        if summary.get("by_facility_complete") is False:
            raise ValueError("summary.json by_facility lists only the largest facilities: pass every facility")
        facilities = (r.get("facility") for r in summary.get("by_facility") or ())
    rule_set = rules.load(n.standard)
    credits = empty(CREDIT_SCHEMA) if credits is None else credits
    evidence = evidence or Evidence()
    resolved = sinks.resolve(empty(STAND_SCHEMA)) if stands is None else stands
    estimated = sinks.estimate(resolved, settings.period.start, settings.period.end)
    totals = summary["totals"]
    scope2 = totals[f"scope2_{n.scope2_basis}"]
    facts = Facts(
        neutrality=n,
        organization=settings.organization,
        period=settings.period,
        gwp_set=summary["gwp_set"],
        totals=totals,
        by_gas=tuple(summary.get("by_gas") or ()),
        by_category=tuple(summary.get("by_category") or ()),
        by_iso_category=tuple(summary.get("by_iso_category") or ()),
        facilities=frozenset(f for f in facilities if f),
        credits=credits.filter(pl.col("kind") == "credit"),
        instruments=credits.filter(pl.col("kind") == "instrument"),
        applied_instruments=frozenset(applied_instruments),
        stands=estimated,
        evidence=evidence,
        footprint_t=totals["scope1"] + scope2 + totals["scope3"],
        footprint_location_t=totals["scope1"] + totals["scope2_location"] + totals["scope3"],
    )

    checks, status, bal, credit_rows, stands_out = evaluate(facts, rule_set)

    org = settings.organization
    name_zh = n.subject_name or org.name
    name_en = n.subject_name or org.name_en or org.name
    verification = verification_record(settings)
    claim_en = claim_zh = None
    if status == ACHIEVED:
        by_en, by_zh, common = claim_fields(settings)
        claim_en = rule_set.claim_en.format(
            subject=name_en, entity=org.name_en or org.name, verification=by_en, **common
        )
        claim_zh = rule_set.claim_zh.format(subject=name_zh, entity=org.name, verification=by_zh, **common)
    stand_rows = estimated.with_columns(pl.col("id").is_in(list(stands_out)).not_().alias("counted"))
    return Assessment(
        rule_set,
        n.subject,
        name_en,
        name_zh,
        status,
        bal,
        checks,
        claim_en,
        claim_zh,
        credit_rows,
        stand_rows,
        (settings.period.start.isoformat(), settings.period.end.isoformat()),
        verification,
    )


def verification_record(settings: Settings) -> dict:
    """The claim's verification as summary.json records it: type, verifier, date."""
    n = settings.neutrality
    assert n is not None
    return {
        "type": n.verification_type,
        "verifier": n.verifier,
        "claim_date": n.claim_date and n.claim_date.isoformat(),
    }


def claim_fields(settings: Settings) -> tuple[str, str, dict[str, str]]:
    """What every claim text names: the verification (en, zh: its kind and by whom) and the period and
    claim date, the fields of the rule set's ``claim_en``/``claim_zh`` templates."""
    n = settings.neutrality
    assert n is not None
    by = verification_kind(n.verification_type) + verified_by(n.verifier)
    common = {
        "start": settings.period.start.isoformat(),
        "end": settings.period.end.isoformat(),
        "claim_date": n.claim_date.isoformat() if n.claim_date else "—",
    }
    return by.en, by.zh, common


def evaluate(facts: Facts, rule_set: rules.RuleSet) -> tuple[tuple[Check, ...], str, Balance, pl.DataFrame, set[str]]:
    """Run ``rule_set`` over ``facts`` in the standard's order: the checks that do not read the balance,
    the balance without the credits and stands they exclude, then the balance checks. Returns the
    checks, the status, the balance, the credit listing and the stands left out."""
    outcomes: dict[str, Outcome] = {}
    for rule in rule_set.checks:
        if rule.kind not in AFTER_BALANCE:
            outcomes[rule.id] = KINDS[rule.kind](facts, rule)
    blocking = [
        (r, outcomes[r.id])
        for r in rule_set.checks
        if r.id in outcomes and r.severity == MANDATORY and outcomes[r.id].status == FAILED
    ]
    excluded_by: dict[str, list[str]] = {}
    for rule, outcome in blocking:
        if rule.kind in EXCLUDING_CREDITS:
            for credit_id in outcome.excluded:
                excluded_by.setdefault(credit_id, []).append(rule.id)
    stands_out = {s for r, o in blocking if r.kind == "sinks_not_credited" for s in o.excluded}
    bal, credit_rows = _balance(facts, excluded_by, stands_out)
    facts = replace(facts, balance=bal)
    for rule in rule_set.checks:
        if rule.kind in AFTER_BALANCE:
            outcomes[rule.id] = KINDS[rule.kind](facts, rule)

    subject_rule = next((r for r in rule_set.checks if r.kind == "subject"), None)
    out_of_scope = subject_rule is not None and outcomes[subject_rule.id].status == NOT_APPLICABLE
    if out_of_scope and subject_rule is not None:
        why = outcomes[subject_rule.id]
        for rule in rule_set.checks:
            if rule is not subject_rule:
                not_assessed = say("neutrality.check.not_assessed", reason=Text(why.reason_en, why.reason_zh))
                outcomes[rule.id] = Outcome(NOT_APPLICABLE, not_assessed.en, not_assessed.zh)
    checks = tuple(
        Check(r.id, r.clause, r.clause_zh, r.clause_status, r.severity, outcomes[r.id]) for r in rule_set.checks
    )
    if out_of_scope:
        status = NOT_APPLICABLE
    elif any(c.severity == MANDATORY and c.outcome.status == FAILED for c in checks) or bal.net_t > 0.001:
        status = NOT_ACHIEVED
    else:
        status = ACHIEVED

    return checks, status, bal, credit_rows, stands_out


def _balance(f: Facts, excluded_by: dict[str, list[str]], stands_out: set[str]) -> tuple[Balance, pl.DataFrame]:
    """Emissions, removals and the credits applied to the residual, in retirement order (ISO 14068-1
    clause 10: offsetting of residual emissions; a surplus is reported, never carried over)."""
    counted = f.stands.filter(~pl.col("id").is_in(list(stands_out)))
    removals = float(counted["net_t_co2"].clip(lower_bound=0).sum() or 0.0)
    losses = float((-counted["net_t_co2"]).clip(lower_bound=0).sum() or 0.0)
    emissions = f.footprint_t + losses
    residual = emissions - removals
    need = max(residual, 0.0)
    out = excluded_by.keys()
    q = pl.col("quantity_t")
    eligible = pl.col("eligible")
    c = (
        f.credits.with_columns((~pl.col("id").is_in(list(out))).alias("eligible"))
        .sort(["eligible", "retired_on", "id"], descending=[True, False, False], nulls_last=True)
        .with_columns(pl.when(eligible).then(q).otherwise(0.0).cum_sum().alias("_cum"))
        .with_columns(
            pl.when(eligible)
            .then(pl.min_horizontal(q, (need - (pl.col("_cum") - q)).clip(lower_bound=0)))
            .otherwise(0.0)
            .alias("applied_t")
        )
        .with_columns(
            pl.col("id")
            .replace_strict({i: ";".join(c) for i, c in excluded_by.items()}, default="", return_dtype=pl.String)
            .alias("excluded_by")
        )
        .drop("_cum")
    )
    eligible_t = float(c.filter(eligible)["quantity_t"].sum() or 0.0)
    applied_t = float(c["applied_t"].sum() or 0.0)
    base = f.evidence.base
    bal = Balance(
        footprint_t=f.footprint_t,
        sink_losses_t=losses,
        emissions_t=emissions,
        base_year=f.neutrality.base_year,
        base_year_emissions_t=base.emissions_t if base else None,
        reductions_t=(base.emissions_t - f.footprint_t) if base else None,
        removals_t=removals,
        residual_t=residual,
        credits_eligible_t=eligible_t,
        credits_applied_t=applied_t,
        credits_surplus_t=eligible_t - applied_t,
        credits_excluded_t=float(c.filter(~eligible)["quantity_t"].sum() or 0.0),
        credits_removal_t=float(c.filter(pl.col("removal").fill_null(False))["applied_t"].sum() or 0.0),
        net_t=residual - applied_t,
        scope2_basis=f.neutrality.scope2_basis,
        applied_ids=tuple(c.filter(pl.col("applied_t") > 0)["id"]),
    )
    listing = c.select(
        "id",
        "type",
        "registry",
        "serial_start",
        "serial_end",
        "project_type",
        "project_id",
        "removal",
        "vintage",
        "retired_on",
        "beneficiary",
        "status",
        "quantity_t",
        "eligible",
        "applied_t",
        "excluded_by",
    )
    return bal, listing
