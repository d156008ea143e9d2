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
from dualcarbon.neutrality import credit_checks
from dualcarbon.neutrality.credit_checks import add_months, failed, listing, not_applicable, passed, tonnes
from dualcarbon.neutrality.records import Facts, Outcome, Rule
from dualcarbon.neutrality.sinks import PARAMETERS

SUBJECT_ZH = {"organization": "组织", "product": "产品", "territory": "区域"}
#: How a claim is substantiated, in English and Chinese (``[neutrality] verification_type``).
VERIFICATION = {
    "third_party": ("independent third-party verification", "独立第三方核查"),
    "other_party": ("other-party validation", "其他方确认"),
    "self_declared": ("self-declaration", "自我声明"),
}
#: Kinds that read the balance, so they run after the credits are settled.
AFTER_BALANCE = frozenset({"balance", "claim"})


def subject(f: Facts, rule: Rule) -> Outcome:
    """The subject is one the standard covers (ISO 14068-1 clause 1: organisations and products,
    not territories; PAS 2060 clause 1: any subject, towns and cities included)."""
    s = f.neutrality.subject
    if s in rule.params["subjects"]:
        article = "an" if s[0] in "aeiou" else "a"
        return passed(
            f"the subject is {article} {s}, which this standard covers",
            f"评价对象为{SUBJECT_ZH[s]}，属于本标准的适用范围",
        )
    return not_applicable(
        str(rule.params["outside_en"]).format(subject=s), str(rule.params["outside_zh"]).format(subject=SUBJECT_ZH[s])
    )


def gases(f: Facts, rule: Rule) -> Outcome:
    """The balance covers every greenhouse gas as CO2e, not CO2 alone (ISO 14068-1 clause 1)."""
    if not f.by_gas:
        return failed(
            "the inventory has no emissions by gas", "清单中没有分气体的排放", "complete the inventory", "完善排放清单"
        )
    bad = [
        g["gas"]
        for g in f.by_gas
        if (g.get("mass_t") or 0) > 0
        and not (isinstance(g.get("co2e_t"), float | int) and math.isfinite(g["co2e_t"]) and g["co2e_t"] > 0)
    ]
    if bad:
        return failed(
            f"gases without a CO2e value: {listing(bad)}",
            f"未折算为二氧化碳当量的气体：{listing(bad)}",
            f"give every gas a {f.gwp_set} GWP",
            f"为每种气体提供 {f.gwp_set} GWP 值",
        )
    names = [g["gas"] for g in f.by_gas]
    named, other = shown_gases(list(f.by_gas))  # trace gases of spend-based factors grouped (gas_groups.py)
    if other:
        gases_en = f"all gases of the inventory ({listing(named, 6)} and {len(other)} other gases below 0.1 % each)"
        gases_zh = f"清单中的全部气体（{listing(named, 6)}及其他 {len(other)} 种各占不足 0.1% 的气体）"
    else:
        gases_en = f"all {len(names)} gases of the inventory ({listing(names, 6)})"
        gases_zh = f"清单中全部 {len(names)} 种气体（{listing(names, 6)}）"
    return passed(
        f"the balance is in CO2e over {gases_en}, IPCC {f.gwp_set} 100-year GWP",
        f"平衡以二氧化碳当量计，涵盖{gases_zh}，采用 IPCC {f.gwp_set} 100 年 GWP",
    )


def footprint_organization(f: Facts, rule: Rule) -> Outcome:
    """Footprint completeness of an organisation: each required ISO 14064-1 category quantified
    or excluded with a reason; where the rule set says so, exclusions carry estimates, stay below a
    share of the total and none exceeds a single-source share (PAS 2060: 95 % coverage, 1 %)."""
    p = rule.params
    if f.neutrality.subject not in p.get("subjects", ["organization"]):
        return not_applicable("the subject is not an organization", "评价对象不是组织")
    quantified = {r["category"] for r in f.by_iso_category if (r.get("co2e_t") or 0) > 0}
    excluded = {e.category: e for e in f.neutrality.exclusions}
    en: list[str] = []
    zh: list[str] = []
    missing = [c for c in p["required"] if c not in quantified and c not in excluded]
    if missing:
        en.append(f"ISO 14064-1 categories neither quantified nor excluded with a reason: {', '.join(missing)}")
        zh.append(f"既未量化也未说明排除理由的 ISO 14064-1 类别：{'、'.join(missing)}")
    locked = [c for c in p.get("not_excludable", []) if c in excluded]
    if locked:
        en.append(f"categories that must be included in full are excluded: {', '.join(locked)}")
        zh.append(f"必须全部纳入的类别被排除：{'、'.join(locked)}")
    estimates = [e.estimate_t for e in f.neutrality.exclusions]
    if p.get("estimates_required") and any(v is None for v in estimates):
        no_estimate = [e.category for e in f.neutrality.exclusions if e.estimate_t is None]
        en.append(f"exclusions without an estimate of their size: {', '.join(no_estimate)}")
        zh.append(f"排除项未估算其排放量：{'、'.join(no_estimate)}")
    total = f.footprint_t + sum(v or 0.0 for v in estimates)
    share = sum(v or 0.0 for v in estimates) / total if total > 0 else 0.0
    if "max_excluded_share" in p and share > float(p["max_excluded_share"]):
        en.append(f"excluded emissions are {share:.1%} of the total, more than {float(p['max_excluded_share']):.0%}")
        zh.append(f"排除的排放占总量 {share:.1%}，超过 {float(p['max_excluded_share']):.0%}")
    if "max_single_excluded_share" in p and total > 0:
        big = [
            e.category
            for e in f.neutrality.exclusions
            if (e.estimate_t or 0) / total > float(p["max_single_excluded_share"])
        ]
        if big:
            en.append(
                f"excluded sources above {float(p['max_single_excluded_share']):.0%} of the total: {', '.join(big)}"
            )
            zh.append(f"超过总量 {float(p['max_single_excluded_share']):.0%} 的排放源被排除：{'、'.join(big)}")
    if en:
        return failed(
            "; ".join(en),
            "；".join(zh),
            "quantify the categories, or exclude them in [neutrality.exclusions] with a reason and an estimate",
            "量化这些类别，或在 [neutrality.exclusions] 中说明排除理由并估算排放量",
        )
    ex_en = f"; excluded with reasons: {', '.join(sorted(excluded))} ({share:.1%} of the total)" if excluded else ""
    ex_zh = f"；有理由排除：{'、'.join(sorted(excluded))}（占总量 {share:.1%}）" if excluded else ""
    return passed(
        f"ISO 14064-1 categories quantified: {', '.join(sorted(quantified))}{ex_en}",
        f"已量化的 ISO 14064-1 类别：{'、'.join(sorted(quantified))}{ex_zh}",
    )


def footprint_product(f: Facts, rule: Rule) -> Outcome:
    """A product's footprint states its functional unit, life-cycle boundary and the units in the
    period (ISO 14068-1 product annex via ISO 14067; clause numbers unverified)."""
    n = f.neutrality
    if n.subject != "product":
        return not_applicable("the subject is not a product", "评价对象不是产品")
    missing = [k for k in ("functional_unit", "system_boundary", "units_in_period") if getattr(n, k) is None]
    if missing or n.units_in_period is None or n.system_boundary is None:
        return failed(
            f"product footprint lacks: {', '.join(missing)}",
            f"产品碳足迹缺少：{'、'.join(missing)}",
            "set them in [neutrality]",
            "在 [neutrality] 中填写",
        )
    if n.units_in_period <= 0:  # [product] units_sold may be 0: the claim would cover nothing
        return failed(
            "no functional units sold in the period: the claim would cover nothing",
            "本期未售出任何功能单位：声明不涵盖任何产品",
            "set [product] units_sold to the units sold in the period",
            "在 [product] units_sold 中填写本期售出的功能单位数",
        )
    per_unit = f.footprint_t / n.units_in_period
    # ',g' would print 2,000,000 units as 2e+06
    units = f"{n.units_in_period:,.0f}" if n.units_in_period.is_integer() else f"{n.units_in_period:,.6g}"
    return passed(
        f"{tonnes(f.footprint_t)} t CO2e for {units} × {n.functional_unit} "
        f"({per_unit:.6g} t CO2e each), {n.system_boundary.replace('_', '-')}",
        f"{units} 个功能单位（{(f.product or {}).get('functional_unit_zh') or n.functional_unit}）共 "
        f"{tonnes(f.footprint_t)} 吨二氧化碳当量（每单位 {per_unit:.6g} 吨），"
        f"边界 {_zh_boundary(n.system_boundary)}",
    )


#: a product's system boundary as a Chinese reason names it
_ZH_BOUNDARY = {"cradle_to_gate": "从摇篮到大门", "cradle_to_grave": "从摇篮到坟墓"}


def _zh_boundary(boundary: str) -> str:
    """``cradle-to-gate`` (or ``cradle_to_gate``) as Chinese writes it; another boundary as written."""
    return _ZH_BOUNDARY.get(boundary.replace("-", "_"), boundary.replace("_", "-"))


def removals_separate(f: Facts, rule: Rule) -> Outcome:
    """Removals are reported apart from emissions and reductions, and biogenic CO2 outside the
    totals: no inventory line may net a removal into emissions (ISO 14064-1:2018 via ISO 14068-1)."""
    negative = [f"{r.get('category')}" for r in f.by_category if (r.get("co2e_t") or 0) < 0]
    negative += [f"{g['gas']}" for g in f.by_gas if (g.get("co2e_t") or 0) < 0]
    if negative:
        return failed(
            f"inventory lines below zero net removals into emissions: {listing(negative)}",
            f"清单中存在负值，清除量被并入排放：{listing(negative)}",
            "report removals in sinks.csv, not as negative emissions",
            "在 sinks.csv 中报告清除量，不以负排放计入",
        )
    removals = float(f.stands["net_t_co2"].clip(lower_bound=0).sum() or 0.0) if f.stands.height else 0.0
    biogenic = f.totals.get("biogenic_co2", 0.0)
    return passed(
        f"emissions ({tonnes(f.footprint_t)} t), own removals ({tonnes(removals)} t) and biogenic CO2 "
        f"({tonnes(biogenic)} t, outside the totals) are reported separately; reductions are not netted",
        f"排放（{tonnes(f.footprint_t)} 吨）、自有清除（{tonnes(removals)} 吨）与生物质二氧化碳（{tonnes(biogenic)} 吨，"
        f"不计入总量）分别报告，减排量不与之相抵",
    )


def base_year(f: Facts, rule: Rule) -> Outcome:
    """A base year with its footprint, against which reductions are shown (ISO 14068-1 plan)."""
    n = f.neutrality
    if n.first_period and rule.params.get("not_needed_in_first_period"):
        return not_applicable("first claim period: no earlier period to compare", "首个声明期：无可比较的以往期间")
    if n.base_year is None:
        return failed(
            "no base year",
            "未设定基准年",
            "set base_year and base_year_emissions (or base_year_summary)",
            "设定 base_year 及 base_year_emissions（或 base_year_summary）",
        )
    b = f.evidence.base
    if b is None:
        return failed(
            f"base year {n.base_year} has no footprint",
            f"基准年 {n.base_year} 没有碳足迹数据",
            "set base_year_emissions (t CO2e) or base_year_summary (a summary.json of the base year)",
            "填写 base_year_emissions（吨二氧化碳当量）或 base_year_summary（基准年的 summary.json）",
        )
    typed = b.source == "base_year_emissions"  # given in the settings, else read from a summary.json
    return passed(
        f"base year {b.year}: {tonnes(b.emissions_t)} t CO2e ({'as given in the settings' if typed else b.source})",
        f"基准年 {b.year}：{tonnes(b.emissions_t)} 吨二氧化碳当量（{'设置中填写' if typed else b.source}）",
    )


def base_year_recalculation(f: Facts, rule: Rule) -> Outcome:
    """Whether the base year must be recalculated: another GWP set or consolidation approach, or
    structural changes above the significance threshold (ISO 14064-1:2018 6.4; GHG Protocol
    Corporate Standard ch. 5; the threshold is the rule set's parameter)."""
    b, n = f.evidence.base, f.neutrality
    if b is None:
        return not_applicable("no base-year footprint", "无基准年碳足迹")
    threshold = float(rule.params.get("significance", 0.05))
    en, zh = [], []
    if b.gwp_set and b.gwp_set != f.gwp_set:
        en.append(f"the base year uses {b.gwp_set} GWPs, this period {f.gwp_set}")
        zh.append(f"基准年采用 {b.gwp_set} GWP，本期采用 {f.gwp_set}")
    if b.boundary and b.boundary != f.organization.boundary:
        en.append(f"the base year is consolidated by {b.boundary}, this period by {f.organization.boundary}")
        zh.append(f"基准年合并方法为 {b.boundary}，本期为 {f.organization.boundary}")
    share = n.structural_changes_t / b.emissions_t
    if share >= threshold and not n.base_year_recalculated:
        en.append(
            f"structural changes of {tonnes(n.structural_changes_t)} t are {share:.1%} of the base year, "
            f"at or above the {threshold:.0%} significance threshold"
        )
        zh.append(
            f"结构变化 {tonnes(n.structural_changes_t)} 吨，占基准年 {share:.1%}，达到 {threshold:.0%} 的显著性阈值"
        )
    if en:
        return failed(
            "the base year needs recalculation: " + "; ".join(en),
            "基准年需要重新计算：" + "；".join(zh),
            "recalculate the base-year footprint on this period's basis, then set base_year_recalculated = true",
            "按本期口径重新计算基准年碳足迹，然后设置 base_year_recalculated = true",
        )
    gwp_en = f"same GWP set ({f.gwp_set})" if b.gwp_set else "GWP set of the base year not stated"
    gwp_zh = f"GWP 口径一致（{f.gwp_set}）" if b.gwp_set else "未说明基准年 GWP 口径"
    state_en = "recalculated" if n.base_year_recalculated else f"structural changes {share:.1%} < {threshold:.0%}"
    state_zh = "已重新计算" if n.base_year_recalculated else f"结构变化 {share:.1%} < {threshold:.0%}"
    return passed(f"no recalculation needed: {gwp_en}; {state_en}", f"无需重新计算：{gwp_zh}；{state_zh}")


def plan(f: Facts, rule: Rule) -> Outcome:
    """The management plan holds the elements the rule set requires (ISO 14068-1 clause 8, the
    carbon-neutrality management plan; PAS 2060 clause 7, reviewed every 12 months)."""
    n, p = f.neutrality, rule.params
    need = list(p["require"])
    horizon = f.period.end.year + int(p.get("short_term_years", 10))
    labels = {
        "document": ("the plan document", "计划文件"),
        "commitment_date": ("commitment_date", "承诺日期 commitment_date"),
        "reduction_targets": ("reduction_targets", "减排目标 reduction_targets"),
        "short_and_long_term": (
            f"a short-term (by {horizon}) and a long-term target",
            f"短期（{horizon} 年前）和长期目标",
        ),
        "net_zero_year": ("net_zero_year", "净零年份 net_zero_year"),
        "offset_strategy": ("offset_strategy", "抵消策略 offset_strategy"),
        "plan_date": ("plan_date", "计划日期 plan_date"),
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
    en = [labels[k][0] for k in missing]
    zh = [labels[k][1] for k in missing]
    if "document" in missing and n.plan:
        en[missing.index("document")] = f"the plan document ('{n.plan}' not found in the project folder)"
        zh[missing.index("document")] = f"计划文件（项目文件夹中找不到“{n.plan}”）"
    months = p.get("max_age_months")
    if months is not None and n.plan_date is not None and n.plan_date < add_months(f.claim_anchor, -int(months)):
        en.append(f"a review within {months} months (plan_date {n.plan_date})")
        zh.append(f"{months} 个月内的评审（plan_date {n.plan_date}）")
    if en:
        return failed(
            f"the management plan lacks: {'; '.join(en)}",
            f"管理计划缺少：{'；'.join(zh)}",
            "complete the plan and its keys in [neutrality]",
            "完善管理计划及 [neutrality] 中的相应设置",
        )
    targets = ", ".join(f"-{t.reduction_percent:g} % by {t.year}" for t in n.reduction_targets)
    targets_zh = "，".join(f"{t.year} 年减排 {t.reduction_percent:g}%" for t in n.reduction_targets)
    return passed(
        f"plan '{n.plan}' with targets {targets or '-'}; net zero {n.net_zero_year or '-'}",
        f"计划“{n.plan}”，目标：{targets_zh or '-'}；净零年份 {n.net_zero_year or '-'}",
    )


def target_ambition(f: Facts, rule: Rule) -> Outcome:
    """Near-term absolute targets at least as steep as a linear ``annual_rate`` from the base year
    (yardstick: SBTi absolute contraction, 4.2 %/yr for 1.5 °C; second-hand)."""
    n = f.neutrality
    rate, near = float(rule.params["annual_rate"]), int(rule.params.get("near_term_years", 10))
    horizon = f.period.end.year + near
    targets = [t for t in n.reduction_targets if t.year <= horizon]
    if n.base_year is None or not targets:
        return not_applicable("no base year or no near-term target", "无基准年或近期目标")
    weak = [(t, min(100.0, 100 * rate * (t.year - n.base_year))) for t in targets]
    weak = [(t, need) for t, need in weak if t.reduction_percent < need]
    if weak:
        en = [f"-{t.reduction_percent:g} % by {t.year} (needs -{need:.1f} %)" for t, need in weak]
        zh = [f"{t.year} 年减排 {t.reduction_percent:g}%（应至少 {need:.1f}%）" for t, need in weak]
        return failed(
            f"near-term targets below {rate:.1%}/yr from {n.base_year}: {'; '.join(en)}",
            f"近期目标低于自 {n.base_year} 年起每年 {rate:.1%} 的线性减排：{'；'.join(zh)}",
            "raise the near-term targets",
            "提高近期目标",
        )
    return passed(
        f"near-term targets meet {rate:.1%}/yr linear from {n.base_year}",
        f"近期目标达到自 {n.base_year} 年起每年 {rate:.1%} 的线性减排",
    )


def reductions(f: Facts, rule: Rule) -> Outcome:
    """Reductions first: the period's footprint below the base year in absolute terms, or in
    intensity where the rule set allows it (ISO 14068-1 hierarchy, clauses 4 and 9; PAS 2060
    clause 8, the first period may rest on offsets alone)."""
    n, b = f.neutrality, f.evidence.base
    if n.first_period and rule.params.get("first_period_offset_only"):
        return passed(
            "first claim period: the declaration may rest on offsets; reductions are due from the next period",
            "首个声明期：可仅依靠抵消；自下一期起须实现减排",
        )
    if b is None:
        return failed(
            "no base-year footprint, so no reduction can be shown: neutrality would rest on offsets alone",
            "没有基准年碳足迹，无法证明减排：碳中和将完全依靠抵消",
            "give the base-year footprint",
            "提供基准年碳足迹",
        )
    cut = b.emissions_t - f.footprint_t
    if cut > 0:
        return passed(
            f"emissions {tonnes(f.footprint_t)} t are {tonnes(cut)} t ({cut / b.emissions_t:.1%}) below base year "
            f"{b.year} ({tonnes(b.emissions_t)} t)",
            f"排放 {tonnes(f.footprint_t)} 吨，较基准年 {b.year}（{tonnes(b.emissions_t)} 吨）减少 {tonnes(cut)} 吨"
            f"（{cut / b.emissions_t:.1%}）",
        )
    if rule.params.get("allow_intensity") and n.output and n.base_year_output:
        now, then = f.footprint_t / n.output, b.emissions_t / n.base_year_output
        unit = n.output_unit or "unit"
        if now < then:
            return passed(
                f"absolute emissions rose by {tonnes(-cut)} t, but the intensity fell from {then:.4g} to "
                f"{now:.4g} t CO2e/{unit} ({(then - now) / then:.1%}); absolute reductions are preferred",
                f"绝对排放增加 {tonnes(-cut)} 吨，但强度由 {then:.4g} 降至 {now:.4g} 吨二氧化碳当量/{unit}"
                f"（{(then - now) / then:.1%}）；标准优先要求绝对减排",
            )
    return failed(
        f"emissions {tonnes(f.footprint_t)} t are not below base year {b.year} ({tonnes(b.emissions_t)} t): "
        "neutrality would rest on offsets alone",
        f"排放 {tonnes(f.footprint_t)} 吨未低于基准年 {b.year}（{tonnes(b.emissions_t)} 吨）：碳中和将完全依靠抵消",
        "reduce emissions within the boundary before offsetting",
        "先在边界内减排，再进行抵消",
    )


def instruments_not_reductions(f: Facts, rule: Rule) -> Outcome:
    """Energy certificates stay in market-based Scope 2 and are not reductions: a reduction that
    disappears on the location basis rests on certificates (ISO 14068-1, second-hand, one source)."""
    b = f.evidence.base
    applied = sorted(f.applied_instruments)
    if f.neutrality.scope2_basis == "location" or not applied or b is None:
        return not_applicable(
            "no applied Scope 2 instrument, no base year, or location-based balance",
            "无已采用的范围二合同工具、无基准年，或平衡采用基于位置的排放",
        )
    market, location = b.emissions_t - f.footprint_t, b.emissions_t - f.footprint_location_t
    if market > 0 >= location:
        return failed(
            f"the reduction of {tonnes(market)} t exists only on the market basis: location-based emissions are "
            f"{tonnes(-location)} t above the base year; certificates ({listing(applied)}) are not reductions",
            f"{tonnes(market)} 吨的减排仅在基于市场的口径下成立：基于位置的排放比基准年高 {tonnes(-location)} 吨；"
            f"绿证等合同工具（{listing(applied)}）不属于减排",
            "reduce emissions on site, not only through certificates",
            "通过实际减排而不仅是购买证书",
        )
    return passed(
        f"certificates ({listing(applied)}) stay in market-based Scope 2; location-based change against the base "
        f"year: {tonnes(-location)} t",
        f"合同工具（{listing(applied)}）仅计入基于市场的范围二；基于位置的排放较基准年变化 {tonnes(-location)} 吨",
    )


def removals_traceable(f: Facts, rule: Rule) -> Outcome:
    """Own removals carry their method and parameter sources; a stand's own value needs evidence
    (ISO 14068-1 principles of transparency and conservativeness, clause 4)."""
    s = f.stands
    if s.is_empty():
        return not_applicable("no own removals (sinks.csv)", "无自有清除（sinks.csv）")
    own = pl.any_horizontal([~pl.col(f"{p}_default") for p in PARAMETERS])
    lacking = s.filter(own & pl.col("evidence").is_null())["id"].to_list()
    if lacking:
        return failed(
            f"stands with their own parameter values but no evidence: {listing(lacking)}",
            f"采用自有参数但未提供依据的林分：{listing(lacking)}",
            "name the measurement or source of each own value in the evidence column",
            "在 evidence 列注明自有参数的测定或来源",
        )
    defaults = int(
        s.select(pl.sum_horizontal([pl.col(f"{p}_default").cast(pl.Int32) for p in PARAMETERS]).sum()).item()
    )
    own_values = s.height * len(PARAMETERS) - defaults
    gain, loss = float(s["gain_t_co2"].sum()), float(s["loss_t_co2"].sum())
    return passed(
        f"{s.height} stand(s), growth {tonnes(gain)} t CO2 and harvest loss {tonnes(loss)} t CO2; every parameter "
        f"traced: {defaults} Tier 1 defaults of the bundled table, {own_values} stands' own values with evidence",
        f"{s.height} 个林分，生长 {tonnes(gain)} 吨、采伐损失 {tonnes(loss)} 吨二氧化碳；参数均可追溯："
        f"{defaults} 个取自内置表的 Tier 1 缺省值，{own_values} 个附依据的自有值",
    )


def sinks_not_credited(f: Facts, rule: Rule) -> Outcome:
    """A stand whose removals were issued as credits (e.g. a CCER afforestation project) is not
    counted again as an own removal (ISO 14068-1 11.3 g), double counting)."""
    s = f.stands
    if s.is_empty():
        return not_applicable("no own removals (sinks.csv)", "无自有清除（sinks.csv）")
    issued = s.filter(pl.col("issued_as").is_not_null())
    if issued.height:
        items = [f"{i} ({p})" for i, p in issued.select("id", "issued_as").iter_rows()]
        return failed(
            f"stands already issued as credits, left out of the removals: {listing(items)}",
            f"已签发为碳信用的林分，不计入清除量：{listing(items)}",
            "count such removals once: as credits (credits.csv) or as own removals",
            "此类清除只能计一次：作为碳信用或作为自有清除",
            tuple(issued["id"]),
        )
    return passed("no stand has credits issued for its removals", "没有林分的清除量已签发为碳信用")


def balance(f: Facts, rule: Rule) -> Outcome:
    """Residual emissions (emissions − removals) offset by eligible retired credits: net ≤ 0
    (ISO 14068-1 clause 10, offsetting; PAS 2060 clause 9)."""
    b = f.balance
    assert b is not None, "the balance checks run after the balance is settled (AFTER_BALANCE)"
    tolerance = float(rule.params.get("tolerance_t", 0.001))
    if b.residual_t <= tolerance:
        return passed(
            f"own removals ({tonnes(b.removals_t)} t) cover the emissions ({tonnes(b.emissions_t)} t)",
            f"自有清除（{tonnes(b.removals_t)} 吨）已覆盖排放（{tonnes(b.emissions_t)} 吨）",
        )
    if b.net_t <= tolerance:
        surplus_en = (
            f"; {tonnes(b.credits_surplus_t)} t retired beyond the need cannot be carried to another period"
            if b.credits_surplus_t > tolerance
            else ""
        )
        surplus_zh = (
            f"；多注销的 {tonnes(b.credits_surplus_t)} 吨不得结转至其他期间" if b.credits_surplus_t > tolerance else ""
        )
        return passed(
            f"residual emissions {tonnes(b.residual_t)} t are offset by {tonnes(b.credits_applied_t)} t of "
            f"eligible retired credits{surplus_en}",
            f"剩余排放 {tonnes(b.residual_t)} 吨已由 {tonnes(b.credits_applied_t)} 吨合格注销碳信用抵消{surplus_zh}",
        )
    return failed(
        f"residual emissions {tonnes(b.residual_t)} t, eligible credits {tonnes(b.credits_applied_t)} t: "
        f"{tonnes(b.net_t)} t not offset",
        f"剩余排放 {tonnes(b.residual_t)} 吨，合格碳信用 {tonnes(b.credits_applied_t)} 吨：尚有 {tonnes(b.net_t)} 吨未抵消",
        f"retire {tonnes(b.net_t)} t more of eligible credits, or reduce emissions / enhance removals by as much",
        f"再注销 {tonnes(b.net_t)} 吨合格碳信用，或以同等数量减排、增加清除",
    )


def claim(f: Facts, rule: Rule) -> Outcome:
    """The claim names what the standard requires and comes after the period and after every
    retirement it rests on (ISO 14068-1 clauses 12-13; numbers unverified)."""
    n = f.neutrality
    en, zh = [], []
    for key in rule.params.get("require", []):
        if getattr(n, key) in (None, ""):
            en.append(f"{key} is not given")
            zh.append(f"未填写 {key}")
    day = n.claim_date
    if day is not None and day <= f.period.end:
        en.append(f"claim_date {day} is not after the end of the period {f.period.end}")
        zh.append(f"声明日期 {day} 不晚于声明期结束 {f.period.end}")
    assert f.balance is not None, "the claim check runs after the balance is settled (AFTER_BALANCE)"
    applied = f.credits.filter(pl.col("id").is_in(list(f.balance.applied_ids)))
    last = cast(dt.date | None, applied["retired_on"].max()) if applied.height else None
    if day is not None and last is not None and day < last:
        en.append(f"claim_date {day} is before the last retirement it rests on ({last})")
        zh.append(f"声明日期 {day} 早于所依据的最后一次注销（{last}）")
    if en:
        return failed(
            "the claim is incomplete: " + "; ".join(en),
            "声明不完整：" + "；".join(zh),
            "complete the claim keys in [neutrality]",
            "完善 [neutrality] 中的声明信息",
        )
    return passed(
        f"claim dated {day}, after the period and after the last retirement; boundary stated",
        f"声明日期 {day}，晚于声明期及最后一次注销；已说明边界",
    )


def verification(f: Facts, rule: Rule) -> Outcome:
    """How the claim is substantiated: third-party verification (ISO 14064-3), other-party or
    self-declared (ISO 14068-1 clause 13; PAS 2060 clause 10 and Annex A, with its QES)."""
    n = f.neutrality
    en, zh = [], []
    kind_of = n.verification_type
    if kind_of is None:
        en.append("verification_type is not given")
        zh.append("未填写 verification_type")
    if rule.params.get("qes") and not f.evidence.documents.get("qes"):
        what = f"'{n.qes}' not found" if n.qes else "qes not given"
        what_zh = f"未找到文件“{n.qes}”" if n.qes else "未填写 [neutrality] qes"
        en.append(f"no qualifying explanatory statement ({what})")
        zh.append(f"缺少合格解释性声明 QES（{what_zh}）")
    if en or kind_of is None:
        return failed(
            "; ".join(en),
            "；".join(zh),
            "state how the claim is substantiated (and give the QES)",
            "说明声明的证实方式（并提供 QES）",
        )
    kind = VERIFICATION[kind_of]
    if kind_of == "self_declared":
        kind = (f"{kind[0]} (the weakest substantiation)", f"{kind[1]}（证实力度最弱）")
    by_en = f" by {n.verifier}" if n.verifier else ""
    by_zh = f"（{n.verifier}）" if n.verifier else ""
    return passed(f"substantiated by {kind[0]}{by_en}", f"证实方式：{kind[1]}{by_zh}")


def _no_product(f: Facts) -> Outcome | None:
    if f.neutrality.subject != "product" or f.product is None:
        return not_applicable("the subject is not a product", "评价对象不是产品")
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
        return passed(
            f"the footprint covers the life cycle {boundary}", f"碳足迹覆盖生命周期：{_zh_boundary(boundary)}"
        )
    return failed(
        f"the footprint is {boundary or 'of an unstated boundary'}, not {' or '.join(wanted)}: "
        "the claim covers only that part of the life cycle and must say so",
        f"碳足迹边界为{_zh_boundary(boundary) or '未说明'}，而非{'或'.join(_zh_boundary(b) for b in wanted)}："
        "声明只覆盖该部分生命周期，须明确说明",
        "extend the study to the whole life cycle, or state the boundary on the label",
        "将研究扩展至全生命周期，或在标签上注明边界",
    )


def product_biogenic(f: Facts, rule: Rule) -> Outcome:
    """Biogenic CO2 emissions and removals of the product are quantified and reported apart from
    the fossil ones (ISO 14067:2018, biogenic carbon; PAS 2050; clause numbers unverified)."""
    if (na := _no_product(f)) is not None:
        return na
    bio = (f.product or {}).get("biogenic")
    if not isinstance(bio, Mapping) or bio.get("co2_emissions_kg") is None or bio.get("co2_removals_kg") is None:
        return failed(
            "the footprint does not report biogenic CO2 emissions and removals apart",
            "碳足迹未单独报告生物质二氧化碳排放与清除",
            "report biogenic CO2 flows (CO2_biogenic) apart in the product system",
            "在产品系统中单独报告生物质二氧化碳流",
        )
    units = f.neutrality.units_in_period or 0.0
    emit, removed = float(bio["co2_emissions_kg"]), float(bio["co2_removals_kg"])
    return passed(
        f"biogenic CO2 reported apart: {emit:.4g} kg emitted and {removed:.4g} kg removed per unit "
        f"({tonnes(emit * units / 1000)} t and {tonnes(removed * units / 1000)} t for the units sold)",
        f"生物质二氧化碳单独报告：每单位排放 {emit:.4g} 千克、清除 {removed:.4g} 千克"
        f"（销售量合计 {tonnes(emit * units / 1000)} 吨和 {tonnes(removed * units / 1000)} 吨）",
    )


def product_uncertainty(f: Facts, rule: Rule) -> Outcome:
    """The footprint states its uncertainty, here a Monte Carlo 95 % interval (ISO 14067:2018,
    interpretation: uncertainty assessment; clause number unverified)."""
    if (na := _no_product(f)) is not None:
        return na
    u = (f.product or {}).get("uncertainty")
    if not isinstance(u, Mapping) or u.get("p2_5") is None or u.get("p97_5") is None:
        return failed(
            "the footprint states no uncertainty (no Monte Carlo interval)",
            "碳足迹未说明不确定性（无蒙特卡洛区间）",
            "run the footprint with iterations (e.g. --iterations 1000)",
            "计算碳足迹时进行蒙特卡洛模拟（如 --iterations 1000）",
        )
    return passed(
        f"95 % interval {float(u['p2_5']):.4g} to {float(u['p97_5']):.4g} kg CO2e per unit "
        f"({int(u.get('iterations') or 0):,} Monte Carlo iterations)",
        f"95% 区间为每单位 {float(u['p2_5']):.4g} 至 {float(u['p97_5']):.4g} 千克二氧化碳当量"
        f"（蒙特卡洛 {int(u.get('iterations') or 0):,} 次）",
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
