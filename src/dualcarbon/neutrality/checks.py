"""The check functions of the assessment, by kind; a rule set (``data/rules/*.toml``) says which
kinds it uses, with which clause, severity and parameters.

Each function takes the facts and its rule and returns an ``Outcome`` with the reason in English
and Chinese (and, when failed, what would fix it). Checks on credits and Scope 2 instruments are
in ``credit_checks``; ``KINDS`` lists them all. The order follows ISO 14068-1:2023: subject,
footprint, base year and plan, reductions, removals, offsetting, claim.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import cast

import polars as pl

from dualcarbon.gas_groups import shown_gases
from dualcarbon.i18n import catalogue
from dualcarbon.neutrality import credit_checks
from dualcarbon.neutrality.credit_checks import add_months, failed, listing, not_applicable, passed, tonnes
from dualcarbon.neutrality.records import Facts, Outcome, Rule
from dualcarbon.neutrality.sinks import PARAMETERS
from dualcarbon.neutrality.texts import EMPTY, Text, joined, same, say, series

#: The subject as the reasons name it ("an organization", "组织"), by ``[neutrality] subject``.
SUBJECTS = {
    "organization": "neutrality.check.subject.kind.organization",
    "product": "neutrality.check.subject.kind.product",
    "territory": "neutrality.check.subject.kind.territory",
}
#: How a claim is substantiated (``[neutrality] verification_type``), as the reasons and claims name it.
VERIFICATION = {
    "third_party": "neutrality.check.verification.kind.third_party",
    "other_party": "neutrality.check.verification.kind.other_party",
    "self_declared": "neutrality.check.verification.kind.self_declared",
}
#: Kinds that read the balance, so they run after the credits are settled.
AFTER_BALANCE = frozenset({"balance", "claim"})


def percent(share: float, digits: int = 1) -> str:
    """A share as the reasons print it: ``0.125`` → "12.5%"."""
    return f"{share:.{digits}%}"


def subject(f: Facts, rule: Rule) -> Outcome:
    """The subject is one the standard covers (ISO 14068-1 clause 1: organisations and products,
    not territories; PAS 2060 clause 1: any subject, towns and cities included). ``params.outside``:
    the message (a catalogue key, field ``subject``) of a subject the standard does not cover."""
    s = f.neutrality.subject
    if s in rule.params["subjects"]:
        return passed(say("neutrality.check.subject.passed", subject=say(SUBJECTS[s])))
    return not_applicable(say(str(rule.params["outside"]), subject=say(SUBJECTS[s])))


def gases(f: Facts, rule: Rule) -> Outcome:
    """The balance covers every greenhouse gas as CO2e, not CO2 alone (ISO 14068-1 clause 1)."""
    if not f.by_gas:
        return failed(say("neutrality.check.gases.none"), say("neutrality.fix.gases.none"))
    bad = [
        g["gas"]
        for g in f.by_gas
        if (g.get("mass_t") or 0) > 0
        and not (isinstance(g.get("co2e_t"), float | int) and math.isfinite(g["co2e_t"]) and g["co2e_t"] > 0)
    ]
    if bad:
        return failed(
            say("neutrality.check.gases.no_co2e", gases=listing(bad)),
            say("neutrality.fix.gases.no_co2e", gwp=f.gwp_set),
        )
    names = [g["gas"] for g in f.by_gas]
    named, other = shown_gases(list(f.by_gas))  # trace gases of spend-based factors grouped (gas_groups.py)
    if other:
        covered = say("neutrality.check.gases.all_grouped", gases=listing(named, 6), other=len(other))
    else:
        covered = say("neutrality.check.gases.all", gases=listing(names, 6), n=len(names))
    return passed(say("neutrality.check.gases.passed", covered=covered, gwp=f.gwp_set))


def footprint_organization(f: Facts, rule: Rule) -> Outcome:
    """Footprint completeness of an organisation: each required ISO 14064-1 category quantified
    or excluded with a reason; where the rule set says so, exclusions carry estimates, stay below a
    share of the total and none exceeds a single-source share (PAS 2060: 95 % coverage, 1 %)."""
    p = rule.params
    if f.neutrality.subject not in p.get("subjects", ["organization"]):
        return not_applicable(say("neutrality.check.footprint_organization.not_organization"))
    quantified = {r["category"] for r in f.by_iso_category if (r.get("co2e_t") or 0) > 0}
    excluded = {e.category: e for e in f.neutrality.exclusions}
    problems: list[Text] = []
    missing = [c for c in p["required"] if c not in quantified and c not in excluded]
    if missing:
        problems.append(say("neutrality.check.footprint_organization.missing", categories=series(missing)))
    locked = [c for c in p.get("not_excludable", []) if c in excluded]
    if locked:
        problems.append(say("neutrality.check.footprint_organization.locked", categories=series(locked)))
    estimates = [e.estimate_t for e in f.neutrality.exclusions]
    if p.get("estimates_required") and any(v is None for v in estimates):
        no_estimate = [e.category for e in f.neutrality.exclusions if e.estimate_t is None]
        problems.append(say("neutrality.check.footprint_organization.no_estimate", categories=series(no_estimate)))
    total = f.footprint_t + sum(v or 0.0 for v in estimates)
    share = sum(v or 0.0 for v in estimates) / total if total > 0 else 0.0
    if "max_excluded_share" in p and share > float(p["max_excluded_share"]):
        problems.append(
            say(
                "neutrality.check.footprint_organization.excluded_share",
                share=percent(share),
                limit=percent(float(p["max_excluded_share"]), 0),
            )
        )
    if "max_single_excluded_share" in p and total > 0:
        big = [
            e.category
            for e in f.neutrality.exclusions
            if (e.estimate_t or 0) / total > float(p["max_single_excluded_share"])
        ]
        if big:
            problems.append(
                say(
                    "neutrality.check.footprint_organization.single_share",
                    limit=percent(float(p["max_single_excluded_share"]), 0),
                    categories=series(big),
                )
            )
    if problems:
        return failed(joined(problems), say("neutrality.fix.footprint_organization"))
    exclusions = (
        say(
            "neutrality.check.footprint_organization.exclusions",
            categories=series(sorted(excluded)),
            share=percent(share),
        )
        if excluded
        else EMPTY
    )
    return passed(
        say(
            "neutrality.check.footprint_organization.passed",
            categories=series(sorted(quantified)),
            exclusions=exclusions,
        )
    )


def footprint_product(f: Facts, rule: Rule) -> Outcome:
    """A product's footprint states its functional unit, life-cycle boundary and the units in the
    period (ISO 14068-1 product annex via ISO 14067; clause numbers unverified)."""
    n = f.neutrality
    if n.subject != "product":
        return not_applicable(say("neutrality.check.product.not_product"))
    missing = [k for k in ("functional_unit", "system_boundary", "units_in_period") if getattr(n, k) is None]
    if missing or n.units_in_period is None or n.system_boundary is None:
        return failed(
            say("neutrality.check.footprint_product.missing", missing=series(missing)),
            say("neutrality.fix.footprint_product.missing"),
        )
    if n.units_in_period <= 0:  # [product] units_sold may be 0: the claim would cover nothing
        return failed(
            say("neutrality.check.footprint_product.no_units"), say("neutrality.fix.footprint_product.no_units")
        )
    per_unit = f.footprint_t / n.units_in_period
    # ',g' would print 2,000,000 units as 2e+06
    units = f"{n.units_in_period:,.0f}" if n.units_in_period.is_integer() else f"{n.units_in_period:,.6g}"
    return passed(
        say(
            "neutrality.check.footprint_product.passed",
            footprint=tonnes(f.footprint_t),
            units=units,
            functional_unit=Text(
                str(n.functional_unit), str((f.product or {}).get("functional_unit_zh") or n.functional_unit)
            ),
            per_unit=f"{per_unit:.6g}",
            boundary=_boundary(n.system_boundary),
        )
    )


def _boundary(boundary: str) -> Text:
    """A life-cycle boundary (``cradle-to-gate`` or ``cradle_to_gate``) as each language writes it: English
    as given, Chinese from the catalogue's ``product.boundary.*`` (another boundary as written)."""
    written = boundary.replace("_", "-")
    return Text(written, catalogue("zh").get(f"product.boundary.{written}", written))


def removals_separate(f: Facts, rule: Rule) -> Outcome:
    """Removals are reported apart from emissions and reductions, and biogenic CO2 outside the
    totals: no inventory line may net a removal into emissions (ISO 14064-1:2018 via ISO 14068-1)."""
    negative = [f"{r.get('category')}" for r in f.by_category if (r.get("co2e_t") or 0) < 0]
    negative += [f"{g['gas']}" for g in f.by_gas if (g.get("co2e_t") or 0) < 0]
    if negative:
        return failed(
            say("neutrality.check.removals_separate.failed", lines=listing(negative)),
            say("neutrality.fix.removals_separate"),
        )
    removals = float(f.stands["net_t_co2"].clip(lower_bound=0).sum() or 0.0) if f.stands.height else 0.0
    biogenic = f.totals.get("biogenic_co2", 0.0)
    return passed(
        say(
            "neutrality.check.removals_separate.passed",
            emissions=tonnes(f.footprint_t),
            removals=tonnes(removals),
            biogenic=tonnes(biogenic),
        )
    )


def base_year(f: Facts, rule: Rule) -> Outcome:
    """A base year with its footprint, against which reductions are shown (ISO 14068-1 plan)."""
    n = f.neutrality
    if n.first_period and rule.params.get("not_needed_in_first_period"):
        return not_applicable(say("neutrality.check.base_year.first_period"))
    if n.base_year is None:
        return failed(say("neutrality.check.base_year.none"), say("neutrality.fix.base_year.none"))
    b = f.evidence.base
    if b is None:
        return failed(
            say("neutrality.check.base_year.no_footprint", year=n.base_year),
            say("neutrality.fix.base_year.no_footprint"),
        )
    # given in the settings, else read from a summary.json
    source = say("neutrality.check.base_year.from_settings") if b.source == "base_year_emissions" else same(b.source)
    return passed(say("neutrality.check.base_year.passed", year=b.year, emissions=tonnes(b.emissions_t), source=source))


def base_year_recalculation(f: Facts, rule: Rule) -> Outcome:
    """Whether the base year must be recalculated: another GWP set or consolidation approach, or
    structural changes above the significance threshold (ISO 14064-1:2018 6.4; GHG Protocol
    Corporate Standard ch. 5; the threshold is the rule set's parameter)."""
    b, n = f.evidence.base, f.neutrality
    if b is None:
        return not_applicable(say("neutrality.check.base_year_recalculation.no_base"))
    threshold = float(rule.params.get("significance", 0.05))
    problems: list[Text] = []
    if b.gwp_set and b.gwp_set != f.gwp_set:
        problems.append(say("neutrality.check.base_year_recalculation.gwp", base=b.gwp_set, now=f.gwp_set))
    if b.boundary and b.boundary != f.organization.boundary:
        problems.append(
            say("neutrality.check.base_year_recalculation.boundary", base=b.boundary, now=f.organization.boundary)
        )
    share = n.structural_changes_t / b.emissions_t
    if share >= threshold and not n.base_year_recalculated:
        problems.append(
            say(
                "neutrality.check.base_year_recalculation.structural",
                changes=tonnes(n.structural_changes_t),
                share=percent(share),
                threshold=percent(threshold, 0),
            )
        )
    if problems:
        return failed(
            say("neutrality.check.base_year_recalculation.failed", problems=joined(problems)),
            say("neutrality.fix.base_year_recalculation"),
        )
    if b.gwp_set:
        gwp = say("neutrality.check.base_year_recalculation.same_gwp", gwp=f.gwp_set)
    else:
        gwp = say("neutrality.check.base_year_recalculation.gwp_unstated")
    if n.base_year_recalculated:
        state = say("neutrality.check.base_year_recalculation.recalculated")
    else:
        state = say(
            "neutrality.check.base_year_recalculation.below", share=percent(share), threshold=percent(threshold, 0)
        )
    return passed(say("neutrality.check.base_year_recalculation.passed", gwp=gwp, state=state))


def plan(f: Facts, rule: Rule) -> Outcome:
    """The management plan holds the elements the rule set requires (ISO 14068-1 clause 8, the
    carbon-neutrality management plan; PAS 2060 clause 7, reviewed every 12 months)."""
    n, p = f.neutrality, rule.params
    need = list(p["require"])
    horizon = f.period.end.year + int(p.get("short_term_years", 10))
    labels = {
        "document": say("neutrality.check.plan.document"),
        "commitment_date": say("neutrality.check.plan.commitment_date"),
        "reduction_targets": say("neutrality.check.plan.reduction_targets"),
        "short_and_long_term": say("neutrality.check.plan.short_and_long_term", horizon=horizon),
        "net_zero_year": say("neutrality.check.plan.net_zero_year"),
        "offset_strategy": say("neutrality.check.plan.offset_strategy"),
        "plan_date": say("neutrality.check.plan.plan_date"),
    }
    years = [t.year for t in n.reduction_targets]
    present = {
        "document": bool(f.evidence.documents.get("plan")),
        "commitment_date": n.commitment_date is not None,
        "reduction_targets": bool(years),
        "net_zero_year": n.net_zero_year is not None,
        "short_and_long_term": any(y <= horizon for y in years) and any(y > horizon for y in years),
        "offset_strategy": bool(n.offset_strategy),
        "plan_date": n.plan_date is not None,
    }
    missing = [k for k in need if not present[k]]
    lacks = [labels[k] for k in missing]
    if "document" in missing and n.plan:
        lacks[missing.index("document")] = say("neutrality.check.plan.document_not_found", plan=n.plan)
    months = p.get("max_age_months")
    if months is not None and n.plan_date is not None and n.plan_date < add_months(f.claim_anchor, -int(months)):
        lacks.append(say("neutrality.check.plan.review", months=months, plan_date=n.plan_date))
    if lacks:
        return failed(say("neutrality.check.plan.failed", lacks=joined(lacks)), say("neutrality.fix.plan"))
    targets = [
        say("neutrality.check.plan.target", percent=f"{t.reduction_percent:g}", year=t.year)
        for t in n.reduction_targets
    ]
    return passed(
        say(
            "neutrality.check.plan.passed",
            plan=n.plan,
            targets=joined(targets, "neutrality.separator.targets") if targets else same("-"),
            net_zero_year=n.net_zero_year or "-",
        )
    )


def target_ambition(f: Facts, rule: Rule) -> Outcome:
    """Near-term absolute targets at least as steep as a linear ``annual_rate`` from the base year
    (yardstick: SBTi absolute contraction, 4.2 %/yr for 1.5 °C; second-hand)."""
    n = f.neutrality
    rate, near = float(rule.params["annual_rate"]), int(rule.params.get("near_term_years", 10))
    horizon = f.period.end.year + near
    targets = [t for t in n.reduction_targets if t.year <= horizon]
    if n.base_year is None or not targets:
        return not_applicable(say("neutrality.check.target_ambition.none"))
    weak = [(t, min(100.0, 100 * rate * (t.year - n.base_year))) for t in targets]
    weak = [(t, need) for t, need in weak if t.reduction_percent < need]
    if weak:
        below = [
            say(
                "neutrality.check.target_ambition.weak",
                percent=f"{t.reduction_percent:g}",
                year=t.year,
                need=f"{need:.1f}",
            )
            for t, need in weak
        ]
        return failed(
            say(
                "neutrality.check.target_ambition.failed",
                rate=percent(rate),
                base_year=n.base_year,
                targets=joined(below),
            ),
            say("neutrality.fix.target_ambition"),
        )
    return passed(say("neutrality.check.target_ambition.passed", rate=percent(rate), base_year=n.base_year))


def reductions(f: Facts, rule: Rule) -> Outcome:
    """Reductions first: the period's footprint below the base year in absolute terms, or in
    intensity where the rule set allows it (ISO 14068-1 hierarchy, clauses 4 and 9; PAS 2060
    clause 8, the first period may rest on offsets alone)."""
    n, b = f.neutrality, f.evidence.base
    if n.first_period and rule.params.get("first_period_offset_only"):
        return passed(say("neutrality.check.reductions.first_period"))
    if b is None:
        return failed(say("neutrality.check.reductions.no_base"), say("neutrality.fix.reductions.no_base"))
    cut = b.emissions_t - f.footprint_t
    figures = {"emissions": tonnes(f.footprint_t), "year": b.year, "base": tonnes(b.emissions_t)}
    if cut > 0:
        return passed(
            say("neutrality.check.reductions.passed", cut=tonnes(cut), share=percent(cut / b.emissions_t), **figures)
        )
    if rule.params.get("allow_intensity") and n.output and n.base_year_output:
        now, then = f.footprint_t / n.output, b.emissions_t / n.base_year_output
        if now < then:
            return passed(
                say(
                    "neutrality.check.reductions.intensity",
                    rise=tonnes(-cut),
                    then=f"{then:.4g}",
                    now=f"{now:.4g}",
                    unit=same(n.output_unit) if n.output_unit else say("neutrality.check.reductions.output_unit"),
                    share=percent((then - now) / then),
                )
            )
    return failed(say("neutrality.check.reductions.failed", **figures), say("neutrality.fix.reductions.not_below"))


def instruments_not_reductions(f: Facts, rule: Rule) -> Outcome:
    """Energy certificates stay in market-based Scope 2 and are not reductions: a reduction that
    disappears on the location basis rests on certificates (ISO 14068-1, second-hand, one source)."""
    b = f.evidence.base
    applied = sorted(f.applied_instruments)
    if f.neutrality.scope2_basis == "location" or not applied or b is None:
        return not_applicable(say("neutrality.check.instruments_not_reductions.none"))
    market, location = b.emissions_t - f.footprint_t, b.emissions_t - f.footprint_location_t
    if market > 0 >= location:
        return failed(
            say(
                "neutrality.check.instruments_not_reductions.failed",
                market=tonnes(market),
                above=tonnes(-location),
                instruments=listing(applied),
            ),
            say("neutrality.fix.instruments_not_reductions"),
        )
    return passed(
        say(
            "neutrality.check.instruments_not_reductions.passed", instruments=listing(applied), change=tonnes(-location)
        )
    )


def removals_traceable(f: Facts, rule: Rule) -> Outcome:
    """Own removals carry their method and parameter sources; a stand's own value needs evidence
    (ISO 14068-1 principles of transparency and conservativeness, clause 4)."""
    s = f.stands
    if s.is_empty():
        return not_applicable(say("neutrality.check.stands.none"))
    own = pl.any_horizontal([~pl.col(f"{p}_default") for p in PARAMETERS])
    lacking = s.filter(own & pl.col("evidence").is_null())["id"].to_list()
    if lacking:
        return failed(
            say("neutrality.check.removals_traceable.failed", stands=listing(lacking)),
            say("neutrality.fix.removals_traceable"),
        )
    defaults = int(
        s.select(pl.sum_horizontal([pl.col(f"{p}_default").cast(pl.Int32) for p in PARAMETERS]).sum()).item()
    )
    return passed(
        say(
            "neutrality.check.removals_traceable.passed",
            stands=s.height,
            gain=tonnes(float(s["gain_t_co2"].sum())),
            loss=tonnes(float(s["loss_t_co2"].sum())),
            defaults=defaults,
            own=s.height * len(PARAMETERS) - defaults,
        )
    )


def sinks_not_credited(f: Facts, rule: Rule) -> Outcome:
    """A stand whose removals were issued as credits (e.g. a CCER afforestation project) is not
    counted again as an own removal (ISO 14068-1 11.3 g), double counting)."""
    s = f.stands
    if s.is_empty():
        return not_applicable(say("neutrality.check.stands.none"))
    issued = s.filter(pl.col("issued_as").is_not_null())
    if issued.height:
        items = [f"{i} ({p})" for i, p in issued.select("id", "issued_as").iter_rows()]
        return failed(
            say("neutrality.check.sinks_not_credited.failed", stands=listing(items)),
            say("neutrality.fix.sinks_not_credited"),
            tuple(issued["id"]),
        )
    return passed(say("neutrality.check.sinks_not_credited.passed"))


def balance(f: Facts, rule: Rule) -> Outcome:
    """Residual emissions (emissions − removals) offset by eligible retired credits: net ≤ 0
    (ISO 14068-1 clause 10, offsetting; PAS 2060 clause 9)."""
    b = f.balance
    assert b is not None, "the balance checks run after the balance is settled (AFTER_BALANCE)"
    tolerance = float(rule.params.get("tolerance_t", 0.001))
    if b.residual_t <= tolerance:
        return passed(
            say(
                "neutrality.check.balance.removals_cover",
                removals=tonnes(b.removals_t),
                emissions=tonnes(b.emissions_t),
            )
        )
    if b.net_t <= tolerance:
        surplus = (
            say("neutrality.check.balance.surplus", surplus=tonnes(b.credits_surplus_t))
            if b.credits_surplus_t > tolerance
            else EMPTY
        )
        return passed(
            say(
                "neutrality.check.balance.offset",
                residual=tonnes(b.residual_t),
                credits=tonnes(b.credits_applied_t),
                surplus=surplus,
            )
        )
    return failed(
        say(
            "neutrality.check.balance.failed",
            residual=tonnes(b.residual_t),
            credits=tonnes(b.credits_applied_t),
            net=tonnes(b.net_t),
        ),
        say("neutrality.fix.balance", net=tonnes(b.net_t)),
    )


def claim(f: Facts, rule: Rule) -> Outcome:
    """The claim names what the standard requires and comes after the period and after every
    retirement it rests on (ISO 14068-1 clauses 12-13; numbers unverified)."""
    n = f.neutrality
    problems: list[Text] = []
    for key in rule.params.get("require", []):
        if getattr(n, key) in (None, ""):
            problems.append(say("neutrality.check.claim.not_given", key=key))
    day = n.claim_date
    if day is not None and day <= f.period.end:
        problems.append(say("neutrality.check.claim.within_period", day=day, end=f.period.end))
    assert f.balance is not None, "the claim check runs after the balance is settled (AFTER_BALANCE)"
    applied = f.credits.filter(pl.col("id").is_in(list(f.balance.applied_ids)))
    last = cast(dt.date | None, applied["retired_on"].max()) if applied.height else None
    if day is not None and last is not None and day < last:
        problems.append(say("neutrality.check.claim.before_retirement", day=day, last=last))
    if problems:
        return failed(say("neutrality.check.claim.failed", problems=joined(problems)), say("neutrality.fix.claim"))
    return passed(say("neutrality.check.claim.passed", day=day))


def verification_kind(verification_type: str | None) -> Text:
    """How a claim is substantiated, as the reasons and the claim name it ("independent third-party
    verification"); "(not stated)" without a ``verification_type``."""
    return say(VERIFICATION.get(verification_type or "", "neutrality.check.verification.kind.none"))


def verified_by(verifier: str | None) -> Text:
    """ " by <verifier>" (English) and "（<verifier>）" (Chinese), empty without a verifier."""
    return say("neutrality.check.verification.by", verifier=verifier) if verifier else EMPTY


def verification(f: Facts, rule: Rule) -> Outcome:
    """How the claim is substantiated: third-party verification (ISO 14064-3), other-party or
    self-declared (ISO 14068-1 clause 13; PAS 2060 clause 10 and Annex A, with its QES)."""
    n = f.neutrality
    problems: list[Text] = []
    kind_of = n.verification_type
    if kind_of is None:
        problems.append(say("neutrality.check.verification.not_given"))
    if rule.params.get("qes") and not f.evidence.documents.get("qes"):
        if n.qes:
            what = say("neutrality.check.verification.qes_not_found", qes=n.qes)
        else:
            what = say("neutrality.check.verification.qes_not_given")
        problems.append(say("neutrality.check.verification.no_qes", what=what))
    if problems or kind_of is None:
        return failed(joined(problems), say("neutrality.fix.verification"))
    kind = verification_kind(kind_of)
    if kind_of == "self_declared":
        kind = say("neutrality.check.verification.weakest", kind=kind)
    return passed(say("neutrality.check.verification.passed", kind=kind, by=verified_by(n.verifier)))


def _no_product(f: Facts) -> Outcome | None:
    if f.neutrality.subject != "product" or f.product is None:
        return not_applicable(say("neutrality.check.product.not_product"))
    return None


def product_boundary(f: Facts, rule: Rule) -> Outcome:
    """A product claim covers the life cycle the study covers: cradle-to-grave for what a consumer
    buys; a cradle-to-gate footprint (declared unit) must not be presented as the whole life cycle
    (ISO 14068-1 product annex via ISO 14067:2018 system boundary; clause numbers unverified)."""
    if (na := _no_product(f)) is not None:
        return na
    boundary = str((f.product or {}).get("boundary") or "")
    wanted = [str(b) for b in rule.params.get("boundaries", ["cradle-to-grave"])]
    if boundary in wanted:
        return passed(say("neutrality.check.product_boundary.passed", boundary=_boundary(boundary)))
    return failed(
        say(
            "neutrality.check.product_boundary.failed",
            boundary=_boundary(boundary) if boundary else say("neutrality.check.product_boundary.unstated"),
            wanted=joined([_boundary(b) for b in wanted], "neutrality.separator.or"),
        ),
        say("neutrality.fix.product_boundary"),
    )


def product_biogenic(f: Facts, rule: Rule) -> Outcome:
    """Biogenic CO2 emissions and removals of the product are quantified and reported apart from
    the fossil ones (ISO 14067:2018, biogenic carbon; PAS 2050; clause numbers unverified)."""
    if (na := _no_product(f)) is not None:
        return na
    bio = (f.product or {}).get("biogenic")
    if not isinstance(bio, Mapping) or bio.get("co2_emissions_kg") is None or bio.get("co2_removals_kg") is None:
        return failed(say("neutrality.check.product_biogenic.failed"), say("neutrality.fix.product_biogenic"))
    units = f.neutrality.units_in_period or 0.0
    emit, removed = float(bio["co2_emissions_kg"]), float(bio["co2_removals_kg"])
    return passed(
        say(
            "neutrality.check.product_biogenic.passed",
            emitted=f"{emit:.4g}",
            removed=f"{removed:.4g}",
            emitted_t=tonnes(emit * units / 1000),
            removed_t=tonnes(removed * units / 1000),
        )
    )


def product_uncertainty(f: Facts, rule: Rule) -> Outcome:
    """The footprint states its uncertainty, here a Monte Carlo 95 % interval (ISO 14067:2018,
    interpretation: uncertainty assessment; clause number unverified)."""
    if (na := _no_product(f)) is not None:
        return na
    u = (f.product or {}).get("uncertainty")
    if not isinstance(u, Mapping) or u.get("p2_5") is None or u.get("p97_5") is None:
        return failed(say("neutrality.check.product_uncertainty.failed"), say("neutrality.fix.product_uncertainty"))
    return passed(
        say(
            "neutrality.check.product_uncertainty.passed",
            low=f"{float(u['p2_5']):.4g}",
            high=f"{float(u['p97_5']):.4g}",
            iterations=f"{int(u.get('iterations') or 0):,}",
        )
    )


KINDS = {
    "subject": subject,
    "gases": gases,
    "footprint_organization": footprint_organization,
    "footprint_product": footprint_product,
    "removals_separate": removals_separate,
    "base_year": base_year,
    "base_year_recalculation": base_year_recalculation,
    "plan": plan,
    "target_ambition": target_ambition,
    "reductions": reductions,
    "instruments_not_reductions": instruments_not_reductions,
    "removals_traceable": removals_traceable,
    "sinks_not_credited": sinks_not_credited,
    "balance": balance,
    "claim": claim,
    "verification": verification,
    "product_boundary": product_boundary,
    "product_biogenic": product_biogenic,
    "product_uncertainty": product_uncertainty,
    **credit_checks.KINDS,
}
