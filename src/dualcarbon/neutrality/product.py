"""Carbon-neutral products: the neutrality assessment with ``[neutrality] subject = "product"``.

The subject's emissions in the period are its carbon footprint per functional unit (ISO 14067, the
``product`` record of summary.json / footprint.json) times the functional units sold in the period
(``[product] units_sold``); reductions are shown against the base period's footprint per unit
(``[product] base_footprint_kg_co2e``, the study of ``[neutrality] base_year``) on the same units, so
they measure what changed in the product, not in the sales; the residual is offset with retired credits
(credits.csv) under the rule set's credit checks. The rule set's ``product_checks`` are added to its
checks, and an achieved claim is worded as its ``product_claim_*`` templates permit (ISO 14068-1 product
claims name the product, the functional unit and the period of sale; PAS 2060 its declaration of
achievement). ``missing`` lists what stands between the product and the claim.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace

import polars as pl

from dualcarbon.model import Settings
from dualcarbon.neutrality import rules, sinks
from dualcarbon.neutrality.assess import Assessment, claim_fields, evaluate, verification_record
from dualcarbon.neutrality.records import (
    ACHIEVED,
    CREDIT_SCHEMA,
    STAND_SCHEMA,
    BaseYear,
    Evidence,
    Facts,
    empty,
)

BASE_SOURCE = "[product] base_footprint_kg_co2e"


def per_unit_kg(footprint: Mapping) -> float:
    """The footprint of one functional unit, kg CO2e (footprint.json ``footprint_kg_co2e``)."""
    value = footprint.get("footprint_kg_co2e")
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"the product footprint has no finite footprint_kg_co2e (found {value!r})")
    return float(value)


def by_gas(footprint: Mapping, units_sold: float) -> tuple[dict, ...]:
    """The elementary flows of the footprint as inventory gases of the period (t), for the gas check:
    mass and CO2e per unit (footprint.json ``by_flow``) × units sold / 1000. Uptakes (negative CO2e)
    are removals, reported apart (``product_biogenic``), not netted into a gas."""
    rows = []
    for r in footprint.get("by_flow") or ():
        co2e_kg = r.get("kg_co2e") or 0.0
        if co2e_kg <= 0:
            continue
        rows.append(
            {
                "gas": r["flow"],
                "mass_t": (r.get("mass_kg") or 0.0) * units_sold / 1000,
                "co2e_t": co2e_kg * units_sold / 1000,
            }
        )
    return tuple(rows)


def assess_product(
    footprint: Mapping,
    settings: Settings,
    *,
    units_sold: float | None,
    base_footprint_kg_co2e: float | None = None,
    name_en: str | None = None,
    name_zh: str | None = None,
    credits: pl.DataFrame | None = None,
    stands: pl.DataFrame | None = None,
    evidence: Evidence | None = None,
    facilities: Iterable[str] | None = None,
) -> Assessment:
    """Assess the carbon neutrality of the product of ``footprint`` (footprint.json or summary.json
    ``product``) for the units sold in ``settings.period``, under ``settings.neutrality.standard``.

    Emissions (t) = footprint per unit (kg) × ``units_sold`` / 1000 (ISO 14068-1 via ISO 14067: the
    footprint of the subject is that of the units it covers); base-period emissions = the base
    footprint per unit × the same units, so reductions (t) = (base − current per unit) × units / 1000.
    ``facilities``: ids inside the product system whose credits would already be in the footprint
    (default: the processes of ``by_process``).
    """
    n = settings.neutrality
    if n is None:
        raise ValueError("settings have no [neutrality] table")
    rule_set = rules.load(n.standard)
    per_unit = per_unit_kg(footprint)
    units = units_sold if units_sold is not None else 0.0
    boundary = footprint.get("boundary")
    functional_unit = footprint.get("functional_unit")
    # the product's study is the truth for these; [neutrality] fills in what the footprint does not say
    n = n.model_copy(
        update={
            "subject": "product",
            "functional_unit": functional_unit or n.functional_unit,
            "units_in_period": units_sold if units_sold is not None else n.units_in_period,
            "system_boundary": boundary.replace("-", "_") if boundary else n.system_boundary,
            "boundary": n.boundary or (f"{boundary}, {functional_unit}" if boundary else None),
        }
    )
    evidence = evidence or Evidence()
    # a base of 0 t (no units, or a zero base footprint) shows no reduction and would divide by zero in the checks
    if base_footprint_kg_co2e and units > 0 and n.base_year is not None:
        evidence = replace(
            evidence,
            base=BaseYear(n.base_year, base_footprint_kg_co2e * units / 1000, BASE_SOURCE, footprint.get("gwp_set")),
        )
    credits = empty(CREDIT_SCHEMA) if credits is None else credits
    resolved = sinks.resolve(empty(STAND_SCHEMA)) if stands is None else stands
    estimated = sinks.estimate(resolved, settings.period.start, settings.period.end)
    if facilities is None:
        facilities = (r.get("process") for r in footprint.get("by_process") or ())
    biogenic = footprint.get("biogenic") or {}
    footprint_t = per_unit * units / 1000
    facts = Facts(
        neutrality=n,
        organization=settings.organization,
        period=settings.period,
        gwp_set=str(footprint.get("gwp_set") or ""),
        totals={"biogenic_co2": (biogenic.get("co2_emissions_kg") or 0.0) * units / 1000},
        by_gas=by_gas(footprint, units),
        by_category=(),
        by_iso_category=(),
        facilities=frozenset(f for f in facilities if f),
        credits=credits.filter(pl.col("kind") == "credit"),
        instruments=credits.filter(pl.col("kind") == "instrument"),
        applied_instruments=frozenset(),
        stands=estimated,
        evidence=evidence,
        footprint_t=footprint_t,
        footprint_location_t=footprint_t,
        product=dict(footprint),
    )
    product_rules = replace(rule_set, checks=rule_set.checks + rule_set.product_checks)
    checks, status, bal, credit_rows, stands_out = evaluate(facts, product_rules)

    org = settings.organization
    subject_zh = name_zh or n.subject_name or _product_name(footprint, "name") or org.name
    subject_en = name_en or n.subject_name or _product_name(footprint, "name_en") or subject_zh
    verification = verification_record(settings)
    claim_en = claim_zh = None
    if status == ACHIEVED:
        by_en, by_zh, period = claim_fields(settings)
        common = {
            **period,
            "functional_unit": n.functional_unit,
            "footprint_kg": f"{per_unit:.3g}",
            "units": f"{units:,.0f}",
            "credits_t": f"{bal.credits_applied_t:,.2f}",
        }
        claim_en = (rule_set.product_claim_en or rule_set.claim_en).format(
            subject=subject_en, entity=org.name_en or org.name, verification=by_en, **common
        )
        # the footprint's functional unit as Chinese readers see it ([product] functional_unit_zh)
        common_zh = {**common, "functional_unit": footprint.get("functional_unit_zh") or n.functional_unit}
        claim_zh = (rule_set.product_claim_zh or rule_set.claim_zh).format(
            subject=subject_zh, entity=org.name, verification=by_zh, **common_zh
        )
    stand_rows = estimated.with_columns(pl.col("id").is_in(list(stands_out)).not_().alias("counted"))
    return Assessment(
        product_rules,
        "product",
        subject_en,
        subject_zh,
        status,
        bal,
        checks,
        claim_en,
        claim_zh,
        credit_rows,
        stand_rows,
        (settings.period.start.isoformat(), settings.period.end.isoformat()),
        verification,
        product={
            "reference": footprint.get("reference"),
            "functional_unit": n.functional_unit,
            "boundary": boundary,
            "footprint_kg_co2e": per_unit,
            "units_sold": units_sold,
            "base_footprint_kg_co2e": base_footprint_kg_co2e,
            "reduction_per_unit_kg": (base_footprint_kg_co2e - per_unit) if base_footprint_kg_co2e else None,
        },
    )


def _product_name(footprint: Mapping, key: str) -> str | None:
    """The reference product's name from the footprint's ``products`` list, if it names one."""
    for p in footprint.get("products") or ():
        if p.get("id") == footprint.get("reference") and p.get(key):
            return str(p[key])
    return None
