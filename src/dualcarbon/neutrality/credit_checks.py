"""Checks on carbon credits (ISO 14068-1:2023 clause 11; PAS 2060:2014 9.1.2) and on the Scope 2
instruments behind a market-based footprint (GHG Protocol Scope 2 Guidance, Table 7.1).

Each check takes the facts and its rule and returns an ``Outcome``; a mandatory credit check that
fails names the credits it excludes from the balance. Clause numbers are data (the rule-set
files), so the reasons here speak of the requirement, not of a clause.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from dualcarbon.neutrality import serials
from dualcarbon.neutrality.records import (
    EX_ANTE_STATUS,
    FAILED,
    NOT_APPLICABLE,
    PASSED,
    RETIRED_STATUS,
    Facts,
    Outcome,
    Rule,
)

#: Project types of nature-based removals, whose permanence (reversal risk) needs evidence.
NATURE_BASED = r"(?i)(造林|林业|森林|碳汇|竹林|红树林|草原|湿地|土壤|forest|afforest|reforest|redd|\barr\b|\bifm\b|mangrove|wetland|soil|agroforest)"
#: Certificate types of which one unit is 1 MWh (1 GEC = 1,000 kWh, 发改能源〔2023〕1044号).
ONE_MWH_CERTIFICATES = ("GEC", "I-REC", "REC", "GO")


def passed(en: str, zh: str) -> Outcome:
    return Outcome(PASSED, en, zh)


def failed(en: str, zh: str, remedy_en: str = "", remedy_zh: str = "", excluded: tuple[str, ...] = ()) -> Outcome:
    return Outcome(FAILED, en, zh, remedy_en, remedy_zh, excluded)


def not_applicable(en: str, zh: str) -> Outcome:
    return Outcome(NOT_APPLICABLE, en, zh)


def tonnes(value: float) -> str:
    """t CO2e as printed in reasons: thousands separators, 2 decimals."""
    return f"{value:,.2f}"


def listing(items: list[str], limit: int = 8) -> str:
    """The first items of a list, comma separated, with the count of the rest."""
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit})" if len(items) > limit else "")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, the day clamped to the month's length (2024-02-29 + 12 → 2025-02-28)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


_NAME_NOISE = r"[\s.,，。·()（）\-_'\"]"


def name_key(text: str | None) -> str:
    """A name compared loosely: case, spaces and punctuation ignored."""
    return re.sub(_NAME_NOISE, "", text or "").lower()


def _is_claimant(f: Facts) -> pl.Expr:
    """Whether the row's beneficiary is the claimant (by ``name_key``), as an expression."""
    names = [name_key(n) for n in f.claimant_names]
    return pl.col("beneficiary").str.replace_all(_NAME_NOISE, "").str.to_lowercase().is_in(names).fill_null(False)


def _no_credits(f: Facts) -> Outcome | None:
    if f.credits.is_empty():
        return not_applicable("no carbon credits in credits.csv", "credits.csv 中没有碳信用")
    return None


def _bad(
    credits: pl.DataFrame, mask: pl.Expr, why_en: pl.Expr, why_zh: pl.Expr
) -> tuple[list[str], list[str], tuple[str, ...]]:
    """Failing credits: "id (why)" in both languages, and their ids."""
    rows = credits.filter(mask).select("id", why_en.alias("en"), why_zh.alias("zh"))
    return (
        [f"{i} ({w})" for i, w in zip(rows["id"], rows["en"], strict=True)],
        [f"{i}（{w}）" for i, w in zip(rows["id"], rows["zh"], strict=True)],
        tuple(rows["id"]),
    )


def credit_retired(f: Facts, rule: Rule) -> Outcome:
    """Only credits issued and then retired (cancelled) in their registry count (ISO 14068-1 11.1)."""
    if (na := _no_credits(f)) is not None:
        return na
    status = pl.col("status").fill_null("")
    mask = ~status.is_in(list(RETIRED_STATUS)) | pl.col("retired_on").is_null()
    en, zh, ids = _bad(
        f.credits,
        mask,
        pl.when(status.is_in(list(RETIRED_STATUS)))
        .then(pl.lit("no retirement date"))
        .otherwise(pl.concat_str([pl.lit("status '"), status, pl.lit("' is not retired")])),
        pl.when(status.is_in(list(RETIRED_STATUS)))
        .then(pl.lit("无注销日期"))
        .otherwise(pl.concat_str([pl.lit("状态为“"), status, pl.lit("”，未注销")])),
    )
    if ids:
        return failed(
            f"credits not retired, left out of the balance: {listing(en)}",
            f"未注销的碳信用，不计入平衡：{listing(zh)}",
            "retire the credits in their registry for the claimant and record status and retired_on",
            "在登记簿中为声明方注销这些碳信用，并填写 status 和 retired_on",
            ids,
        )
    n = f.credits.height
    return passed(
        f"all {n} credit batches are retired, each with a retirement date", f"全部 {n} 批碳信用均已注销并有注销日期"
    )


def retirement_window(f: Facts, rule: Rule) -> Outcome:
    """Credits retired no later than ``months`` after the anchor date: the end of the claim period
    (ISO 14068-1 11.2, 12 months) or the date of the declaration (PAS 2060 9.1.2 e), 12 months)."""
    if (na := _no_credits(f)) is not None:
        return na
    months = int(rule.params.get("months", 12))
    if rule.params.get("anchor") == "claim_date":
        if f.neutrality.claim_date is None:
            return failed(
                "the retirement window runs from the date of the declaration, but claim_date is not given",
                "注销期限自声明日期起算，但未填写 claim_date",
                "set claim_date in [neutrality]",
                "在 [neutrality] 中填写 claim_date",
            )
        anchor, what_en, what_zh = f.neutrality.claim_date, "the declaration date", "声明日期"
    else:
        anchor, what_en, what_zh = f.period.end, "the end of the claim period", "声明期结束"
    limit = add_months(anchor, months)
    late = pl.col("retired_on") > limit
    date = pl.col("retired_on").cast(pl.String)
    en, zh, ids = _bad(
        f.credits, late, pl.concat_str([pl.lit("retired "), date]), pl.concat_str([date, pl.lit(" 注销")])
    )
    if ids:
        return failed(
            f"credits retired after {limit} ({months} months after {what_en} {anchor}): {listing(en)}",
            f"碳信用注销晚于 {limit}（{what_zh} {anchor} 后 {months} 个月）：{listing(zh)}",
            "use credits retired within the window",
            "改用在期限内注销的碳信用",
            ids,
        )
    return passed(
        f"every retirement date is on or before {limit} ({months} months after {what_en} {anchor})",
        f"所有注销日期均不晚于 {limit}（{what_zh} {anchor} 后 {months} 个月）",
    )


def ex_post(f: Facts, rule: Rule) -> Outcome:
    """Ex-post credits only: not forward or contracted, and the vintage (the year the reduction
    or removal occurred) not after the retirement (ISO 14068-1 11.1; PAS 2060 9.1.2 d))."""
    if (na := _no_credits(f)) is not None:
        return na
    status = pl.col("status").fill_null("")
    retired_year = pl.col("retired_on").dt.year()
    forward = status.is_in(list(EX_ANTE_STATUS))
    mask = forward | pl.col("vintage").is_null() | (pl.col("vintage") > retired_year)
    vintage = pl.col("vintage").cast(pl.String)
    en, zh, ids = _bad(
        f.credits,
        mask,
        pl.when(forward)
        .then(pl.concat_str([pl.lit("status '"), status, pl.lit("' is ex ante")]))
        .when(pl.col("vintage").is_null())
        .then(pl.lit("no vintage"))
        .otherwise(pl.concat_str([pl.lit("vintage "), vintage, pl.lit(" after retirement")])),
        pl.when(forward)
        .then(pl.concat_str([pl.lit("状态“"), status, pl.lit("”为事前签发")]))
        .when(pl.col("vintage").is_null())
        .then(pl.lit("无年份"))
        .otherwise(pl.concat_str([pl.lit("年份 "), vintage, pl.lit(" 晚于注销")])),
    )
    if ids:
        return failed(
            f"credits not shown to be ex post: {listing(en)}",
            f"无法证明为事后签发的碳信用：{listing(zh)}",
            "use credits issued for reductions or removals that already occurred, with their vintage",
            "改用减排或清除已发生后签发的碳信用，并填写年份",
            ids,
        )
    late = f.credits.filter(pl.col("vintage") > f.period.end.year)["id"].to_list()
    note_en = f"; vintage after the claim period (allowed, disclosed): {listing(late)}" if late else ""
    note_zh = f"；年份晚于声明期（允许，予以披露）：{listing(late)}" if late else ""
    return passed(
        f"every credit is ex post: vintage on or before its retirement year{note_en}",
        f"所有碳信用均为事后签发：年份不晚于注销年份{note_zh}",
    )


def unique(f: Facts, rule: Rule) -> Outcome:
    """No unit claimed twice: serial ranges do not overlap within this claim or with earlier
    claims (ISO 14068-1 11.3 g); PAS 2060 9.1.2 b))."""
    if (na := _no_credits(f)) is not None:
        return na
    inside = serials.overlaps(f.credits)
    earlier = serials.overlaps(f.credits, f.evidence.previous_credits)
    if inside.height or earlier.height:
        en = [f"{r['id_b']} overlaps {r['id']}" for r in inside.iter_rows(named=True)]
        zh = [f"{r['id_b']} 与 {r['id']} 序列号重叠" for r in inside.iter_rows(named=True)]
        en += [f"{r['id']} overlaps {r['id_b']} of an earlier claim" for r in earlier.iter_rows(named=True)]
        zh += [f"{r['id']} 与以往声明中的 {r['id_b']} 序列号重叠" for r in earlier.iter_rows(named=True)]
        ids = tuple(dict.fromkeys([*inside["id_b"], *earlier["id"]]))
        return failed(
            f"the same units are claimed twice: {listing(en)}",
            f"同一批碳信用被重复使用：{listing(zh)}",
            "remove the duplicated rows; a credit counts in one claim only",
            "删除重复的行；每个碳信用只能用于一次声明",
            ids,
        )
    claims = f.evidence.previous_credits["claim"].n_unique() if f.evidence.previous_credits.height else 0
    return passed(
        f"serial ranges are unique within this claim and against {claims} earlier claim(s)",
        f"序列号在本次声明内及与 {claims} 份以往声明之间均无重复",
    )


def records(f: Facts, rule: Rule) -> Outcome:
    """Documented retirement: registry, serial range covering the quantity, and the claimant as
    beneficiary (ISO 14068-1 11.4; PAS 2060 9.1.2 g))."""
    if (na := _no_credits(f)) is not None:
        return na
    c = serials.parsed(f.credits).with_columns(_is_claimant(f).alias("_ours"))
    miss_serial = pl.col("serial_start").is_null() | pl.col("serial_end").is_null()
    count_off = pl.col("serial_count").is_not_null() & ((pl.col("serial_count") - pl.col("quantity_t")).abs() > 0.5)
    not_ours = ~pl.col("_ours")
    mask = pl.col("registry").is_null() | miss_serial | count_off | not_ours
    count = pl.col("serial_count").cast(pl.String)
    en, zh, ids = _bad(
        c,
        mask,
        pl.when(pl.col("registry").is_null())
        .then(pl.lit("no registry"))
        .when(miss_serial)
        .then(pl.lit("no serial range"))
        .when(count_off)
        .then(pl.concat_str([pl.lit("serial range holds "), count, pl.lit(" units, not the quantity")]))
        .otherwise(
            pl.concat_str(
                [pl.lit("beneficiary '"), pl.col("beneficiary").fill_null(""), pl.lit("' is not the claimant")]
            )
        ),
        pl.when(pl.col("registry").is_null())
        .then(pl.lit("无登记簿"))
        .when(miss_serial)
        .then(pl.lit("无序列号范围"))
        .when(count_off)
        .then(pl.concat_str([pl.lit("序列号范围含 "), count, pl.lit(" 个单位，与数量不符")]))
        .otherwise(pl.concat_str([pl.lit("受益方“"), pl.col("beneficiary").fill_null(""), pl.lit("”不是声明方")])),
    )
    if ids:
        return failed(
            f"retirement records incomplete: {listing(en)}",
            f"注销记录不完整：{listing(zh)}",
            f"record registry, serial_start/serial_end and the beneficiary ({' / '.join(f.claimant_names)})",
            f"填写登记簿、序列号起止及受益方（{' / '.join(f.claimant_names)}）",
            ids,
        )
    return passed(
        "every credit names its registry, a serial range matching its quantity and the claimant as beneficiary",
        "每批碳信用均注明登记簿、与数量一致的序列号范围，受益方为声明方",
    )


def programme(f: Facts, rule: Rule) -> Outcome:
    """The crediting programme is one the rule set accepts (ISO 14068-1 11.3; PAS 2060 9.1.2)."""
    if (na := _no_credits(f)) is not None:
        return na
    accepted = list(rule.params["accepted"])
    en, zh, ids = _bad(f.credits, ~pl.col("type").is_in(accepted), pl.col("type"), pl.col("type"))
    if ids:
        return failed(
            f"credit types this standard does not accept ({', '.join(accepted)} are): {listing(en)}",
            f"本标准不接受的碳信用类型（接受 {'、'.join(accepted)}）：{listing(zh)}",
            f"use credits of {', '.join(accepted)}",
            f"改用 {'、'.join(accepted)} 碳信用",
            ids,
        )
    return passed(
        f"every credit is of an accepted programme ({', '.join(accepted)})",
        f"所有碳信用均来自认可的机制（{'、'.join(accepted)}）",
    )


def permanence(f: Facts, rule: Rule) -> Outcome:
    """Removal credits of nature-based projects show how reversals are covered, and the portfolio
    holds some removals (ISO 14068-1 11.2 d); the growing removal share is second-hand)."""
    if (na := _no_credits(f)) is not None:
        return na
    nature = pl.col("project_type").fill_null("").str.contains(NATURE_BASED)
    lacking = f.credits.filter(pl.col("removal").fill_null(False) & nature & pl.col("permanence_evidence").is_null())[
        "id"
    ]
    removal_t = float(f.credits.filter(pl.col("removal").fill_null(False))["quantity_t"].sum() or 0.0)
    total_t = float(f.credits["quantity_t"].sum() or 0.0)
    en, zh = [], []
    if lacking.len():
        en.append(
            f"nature-based removal credits without permanence evidence (buffer pool, insurance): {listing(lacking.to_list())}"
        )
        zh.append(f"基于自然的清除类碳信用未提供持久性证明（缓冲池、保险等）：{listing(lacking.to_list())}")
    if removal_t == 0:
        en.append("the portfolio holds avoidance credits only (removal share 0 %)")
        zh.append("碳信用组合仅含减排（避免）类，清除类占比为 0%")
    if en:
        return failed(
            "; ".join(en),
            "；".join(zh),
            "add permanence_evidence, and plan a growing share of removal credits",
            "补充 permanence_evidence，并逐步提高清除类碳信用比例",
        )
    share = 100 * removal_t / total_t if total_t else 0.0
    return passed(
        f"removal credits are {share:.1f} % of the portfolio, nature-based ones with permanence evidence",
        f"清除类碳信用占 {share:.1f}%，基于自然的项目均有持久性证明",
    )


def outside_boundary(f: Facts, rule: Rule) -> Outcome:
    """Offsets come from outside the subject's boundary: a credit from one of the organisation's
    own facilities is already in the inventory (ISO 14068-1 clause 10; PAS 2060 9.1.2 a))."""
    if (na := _no_credits(f)) is not None:
        return na
    own = [x for x in f.facilities if x]
    en, zh, ids = _bad(f.credits, pl.col("facility").is_in(own), pl.col("facility"), pl.col("facility"))
    if ids:
        return failed(
            f"credits from facilities inside the boundary (their effect is already in the footprint): {listing(en)}",
            f"来自边界内设施的碳信用（其效果已体现在碳足迹中）：{listing(zh)}",
            "use credits from projects outside the boundary",
            "改用边界外项目产生的碳信用",
            ids,
        )
    return passed("no credit comes from a facility inside the boundary", "没有碳信用来自边界内的设施")


def public_documentation(f: Facts, rule: Rule) -> Outcome:
    """The project documentation of each credit is publicly available (PAS 2060 9.1.2 f))."""
    if (na := _no_credits(f)) is not None:
        return na
    lacking = f.credits.filter(pl.col("project_url").is_null())["id"].to_list()
    if lacking:
        return failed(
            f"no public project documentation (project_url): {listing(lacking)}",
            f"未提供项目公开文件链接（project_url）：{listing(lacking)}",
            "add the registry page of each project in project_url",
            "在 project_url 中填写各项目的登记页面",
        )
    return passed("every credit links its public project documentation", "每批碳信用均附项目公开文件链接")


def scope2_quality(f: Facts, rule: Rule) -> Outcome:
    """Certificates and contracts behind a market-based footprint meet the Scope 2 Quality
    Criteria: tracked in a registry with unique serials (one certificate = 1 MWh), retired for the
    reporting entity (GHG Protocol Scope 2 Guidance, Table 7.1, criteria 2-3; numbering second-hand)."""
    if f.neutrality.scope2_basis == "location":
        return not_applicable("the balance uses location-based Scope 2", "平衡采用基于位置的范围二排放")
    if f.instruments.is_empty():
        return not_applicable("no Scope 2 instruments in credits.csv", "credits.csv 中没有范围二合同工具")
    inst = serials.parsed(f.instruments).with_columns(_is_claimant(f).alias("_ours"))
    applied = inst.filter(pl.col("id").is_in(list(f.applied_instruments)))
    unused = inst.filter(~pl.col("id").is_in(list(f.applied_instruments)))["id"].to_list()
    certificate = pl.col("type").is_in(list(ONE_MWH_CERTIFICATES))
    problems = applied.select(
        "id",
        pl.when(pl.col("registry").is_null())
        .then(pl.lit("no registry"))
        .when(pl.col("serial_start").is_null() | pl.col("serial_end").is_null())
        .then(pl.lit("no serial range"))
        .when(pl.col("retired_on").is_null())
        .then(pl.lit("no retirement date"))
        .when(~pl.col("_ours"))
        .then(pl.lit("not retired for the reporting entity"))
        .when(
            certificate & pl.col("serial_count").is_not_null() & ((pl.col("serial_count") - pl.col("mwh")).abs() > 0.5)
        )
        .then(pl.lit("serial range does not match the MWh"))
        .alias("why"),
    ).filter(pl.col("why").is_not_null())
    zh_why = {
        "no registry": "无登记簿",
        "no serial range": "无序列号范围",
        "no retirement date": "无注销日期",
        "not retired for the reporting entity": "未为报告主体注销",
        "serial range does not match the MWh": "序列号范围与兆瓦时不符",
    }
    if problems.height:
        en = [f"{i} ({w})" for i, w in problems.iter_rows()]
        zh = [f"{i}（{zh_why[w]}）" for i, w in problems.iter_rows()]
        return failed(
            f"applied Scope 2 instruments lack quality evidence: {listing(en)}",
            f"已采用的范围二合同工具缺少质量证明：{listing(zh)}",
            "record registry, serials, retirement date and beneficiary of each certificate, or use location-based Scope 2",
            "补充各证书的登记簿、序列号、注销日期和受益方，或采用基于位置的范围二排放",
        )
    mwh = float(applied["mwh"].sum() or 0.0)
    note_en = f"; not applied (outside the market-based total): {listing(unused)}" if unused else ""
    note_zh = f"；未采用（不计入基于市场的排放）：{listing(unused)}" if unused else ""
    return passed(
        f"{applied.height} applied instrument(s), {mwh:,.0f} MWh: registry, unique serials, retired for the "
        f"reporting entity{note_en}",
        f"已采用 {applied.height} 项合同工具，共 {mwh:,.0f} 兆瓦时：均有登记簿、唯一序列号，并为报告主体注销{note_zh}",
    )


KINDS = {
    "credit_retired": credit_retired,
    "retirement_window": retirement_window,
    "ex_post": ex_post,
    "unique": unique,
    "records": records,
    "programme": programme,
    "permanence": permanence,
    "outside_boundary": outside_boundary,
    "public_documentation": public_documentation,
    "scope2_quality": scope2_quality,
}
