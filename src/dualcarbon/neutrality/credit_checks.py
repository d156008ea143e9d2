"""Checks on carbon credits (ISO 14068-1:2023 clause 11; PAS 2060:2014 9.1.2) and on the Scope 2
instruments behind a market-based footprint (GHG Protocol Scope 2 Guidance, Table 7.1).

Each check takes the facts and its rule and returns an ``Outcome``; a mandatory credit check that
fails names the credits it excludes from the balance. Clause numbers are data (the rule-set
files), so the reasons here speak of the requirement, not of a clause.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

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
from dualcarbon.neutrality.texts import EMPTY, LANGS, Text, frame_text, joined, same, say, series

#: Project types of nature-based removals, whose permanence (reversal risk) needs evidence.
NATURE_BASED = r"(?i)(造林|林业|森林|碳汇|竹林|红树林|草原|湿地|土壤|forest|afforest|reforest|redd|\barr\b|\bifm\b|mangrove|wetland|soil|agroforest)"
#: Certificate types of which one unit is 1 MWh (1 GEC = 1,000 kWh, 发改能源〔2023〕1044号).
ONE_MWH_CERTIFICATES = ("GEC", "I-REC", "REC", "GO")


def passed(reason: Text) -> Outcome:
    return Outcome(PASSED, reason.en, reason.zh)


def failed(reason: Text, fix: Text = EMPTY, excluded: tuple[str, ...] = ()) -> Outcome:
    return Outcome(FAILED, reason.en, reason.zh, fix.en, fix.zh, excluded)


def not_applicable(reason: Text) -> Outcome:
    return Outcome(NOT_APPLICABLE, reason.en, reason.zh)


def tonnes(value: float) -> str:
    """t CO2e as printed in reasons: thousands separators, 2 decimals."""
    return f"{value:,.2f}"


def listing(items: list[str], limit: int = 8) -> str:
    """The first items of a list, comma separated, with the count of the rest."""
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit})" if len(items) > limit else "")


def listed(items: Sequence[Text | str], limit: int = 8) -> Text:
    """``listing`` of messages (each in its language) or of ids (alike in both)."""
    texts = [i if isinstance(i, Text) else same(i) for i in items]
    return Text(listing([t.en for t in texts], limit), listing([t.zh for t in texts], limit))


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
        return not_applicable(say("neutrality.check.credits.none"))
    return None


Why = Callable[[str], pl.Expr]


def _bad(credits: pl.DataFrame, mask: pl.Expr, why: Why) -> tuple[Text, tuple[str, ...]]:
    """Failing credits listed as "id (why)" in both languages (``why(lang)``: the reason of a row), and
    their ids."""
    rows = credits.filter(mask).select(
        "id", *(frame_text("neutrality.check.item", lang, id=pl.col("id"), why=why(lang)).alias(lang) for lang in LANGS)
    )
    return Text(listing(rows["en"].to_list()), listing(rows["zh"].to_list())), tuple(rows["id"])


def _cases(lang: str, cases: Sequence[tuple[pl.Expr, str, dict[str, pl.Expr]]], key: str, **fields: pl.Expr) -> pl.Expr:
    """A row's message in ``lang``: the first case whose condition holds (condition, key, fields), else ``key``."""
    message = frame_text(key, lang, **fields)
    for condition, case_key, case_fields in reversed(cases):
        message = pl.when(condition).then(frame_text(case_key, lang, **case_fields)).otherwise(message)
    return message


def credit_retired(f: Facts, rule: Rule) -> Outcome:
    """Only credits issued and then retired (cancelled) in their registry count (ISO 14068-1 11.1)."""
    if (na := _no_credits(f)) is not None:
        return na
    status = pl.col("status").fill_null("")
    retired = status.is_in(list(RETIRED_STATUS))
    mask = ~retired | pl.col("retired_on").is_null()
    credits, ids = _bad(
        f.credits,
        mask,
        lambda lang: _cases(
            lang,
            [(retired, "neutrality.check.credit_retired.no_date", {})],
            "neutrality.check.credit_retired.status",
            status=status,
        ),
    )
    if ids:
        return failed(
            say("neutrality.check.credit_retired.failed", credits=credits), say("neutrality.fix.credit_retired"), ids
        )
    return passed(say("neutrality.check.credit_retired.passed", n=f.credits.height))


def retirement_window(f: Facts, rule: Rule) -> Outcome:
    """Credits retired no later than ``months`` after the anchor date: the end of the claim period
    (ISO 14068-1 11.2, 12 months) or the date of the declaration (PAS 2060 9.1.2 e), 12 months)."""
    if (na := _no_credits(f)) is not None:
        return na
    months = int(rule.params.get("months", 12))
    if rule.params.get("anchor") == "claim_date":
        if f.neutrality.claim_date is None:
            return failed(
                say("neutrality.check.retirement_window.no_claim_date"),
                say("neutrality.fix.retirement_window.no_claim_date"),
            )
        anchor, what = f.neutrality.claim_date, say("neutrality.check.retirement_window.from_claim_date")
    else:
        anchor, what = f.period.end, say("neutrality.check.retirement_window.from_period_end")
    limit = add_months(anchor, months)
    late = pl.col("retired_on") > limit
    date = pl.col("retired_on").cast(pl.String)
    credits, ids = _bad(
        f.credits, late, lambda lang: frame_text("neutrality.check.retirement_window.item", lang, date=date)
    )
    window = {"limit": limit, "months": months, "anchor": what, "anchor_date": anchor}
    if ids:
        return failed(
            say("neutrality.check.retirement_window.failed", credits=credits, **window),
            say("neutrality.fix.retirement_window.late"),
            ids,
        )
    return passed(say("neutrality.check.retirement_window.passed", **window))


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
    credits, ids = _bad(
        f.credits,
        mask,
        lambda lang: _cases(
            lang,
            [
                (forward, "neutrality.check.ex_post.ex_ante", {"status": status}),
                (pl.col("vintage").is_null(), "neutrality.check.ex_post.no_vintage", {}),
            ],
            "neutrality.check.ex_post.after_retirement",
            vintage=vintage,
        ),
    )
    if ids:
        return failed(say("neutrality.check.ex_post.failed", credits=credits), say("neutrality.fix.ex_post"), ids)
    late = f.credits.filter(pl.col("vintage") > f.period.end.year)["id"].to_list()
    note = say("neutrality.check.ex_post.late_vintage", credits=listing(late)) if late else EMPTY
    return passed(say("neutrality.check.ex_post.passed", late_vintage=note))


def unique(f: Facts, rule: Rule) -> Outcome:
    """No unit claimed twice: serial ranges do not overlap within this claim or with earlier
    claims (ISO 14068-1 11.3 g); PAS 2060 9.1.2 b))."""
    if (na := _no_credits(f)) is not None:
        return na
    inside = serials.overlaps(f.credits)
    earlier = serials.overlaps(f.credits, f.evidence.previous_credits)
    if inside.height or earlier.height:
        pairs = [
            say("neutrality.check.unique.overlap", id=r["id"], other=r["id_b"]) for r in inside.iter_rows(named=True)
        ]
        pairs += [
            say("neutrality.check.unique.overlap_earlier", id=r["id"], other=r["id_b"])
            for r in earlier.iter_rows(named=True)
        ]
        ids = tuple(dict.fromkeys([*inside["id_b"], *earlier["id"]]))
        return failed(say("neutrality.check.unique.failed", pairs=listed(pairs)), say("neutrality.fix.unique"), ids)
    claims = f.evidence.previous_credits["claim"].n_unique() if f.evidence.previous_credits.height else 0
    return passed(say("neutrality.check.unique.passed", claims=claims))


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
    credits, ids = _bad(
        c,
        mask,
        lambda lang: _cases(
            lang,
            [
                (pl.col("registry").is_null(), "neutrality.check.records.no_registry", {}),
                (miss_serial, "neutrality.check.records.no_serials", {}),
                (count_off, "neutrality.check.records.count_off", {"count": count}),
            ],
            "neutrality.check.records.not_claimant",
            beneficiary=pl.col("beneficiary").fill_null(""),
        ),
    )
    if ids:
        return failed(
            say("neutrality.check.records.failed", credits=credits),
            say("neutrality.fix.records", claimant=" / ".join(f.claimant_names)),
            ids,
        )
    return passed(say("neutrality.check.records.passed"))


def programme(f: Facts, rule: Rule) -> Outcome:
    """The crediting programme is one the rule set accepts (ISO 14068-1 11.3; PAS 2060 9.1.2)."""
    if (na := _no_credits(f)) is not None:
        return na
    accepted = series(list(rule.params["accepted"]))
    credits, ids = _bad(f.credits, ~pl.col("type").is_in(list(rule.params["accepted"])), lambda lang: pl.col("type"))
    if ids:
        return failed(
            say("neutrality.check.programme.failed", accepted=accepted, credits=credits),
            say("neutrality.fix.programme", accepted=accepted),
            ids,
        )
    return passed(say("neutrality.check.programme.passed", accepted=accepted))


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
    problems = []
    if lacking.len():
        problems.append(say("neutrality.check.permanence.no_evidence", credits=listing(lacking.to_list())))
    if removal_t == 0:
        problems.append(say("neutrality.check.permanence.no_removals"))
    if problems:
        return failed(joined(problems), say("neutrality.fix.permanence"))
    share = 100 * removal_t / total_t if total_t else 0.0
    return passed(say("neutrality.check.permanence.passed", share=f"{share:.1f}"))


def outside_boundary(f: Facts, rule: Rule) -> Outcome:
    """Offsets come from outside the subject's boundary: a credit from one of the organisation's
    own facilities is already in the inventory (ISO 14068-1 clause 10; PAS 2060 9.1.2 a))."""
    if (na := _no_credits(f)) is not None:
        return na
    own = [x for x in f.facilities if x]
    credits, ids = _bad(f.credits, pl.col("facility").is_in(own), lambda lang: pl.col("facility"))
    if ids:
        return failed(
            say("neutrality.check.outside_boundary.failed", credits=credits),
            say("neutrality.fix.outside_boundary"),
            ids,
        )
    return passed(say("neutrality.check.outside_boundary.passed"))


def public_documentation(f: Facts, rule: Rule) -> Outcome:
    """The project documentation of each credit is publicly available (PAS 2060 9.1.2 f))."""
    if (na := _no_credits(f)) is not None:
        return na
    lacking = f.credits.filter(pl.col("project_url").is_null())["id"].to_list()
    if lacking:
        return failed(
            say("neutrality.check.public_documentation.failed", credits=listing(lacking)),
            say("neutrality.fix.public_documentation"),
        )
    return passed(say("neutrality.check.public_documentation.passed"))


#: What an applied Scope 2 instrument lacks, by case.
SCOPE2_PROBLEMS = {
    "no_registry": "neutrality.check.scope2_quality.no_registry",
    "no_serials": "neutrality.check.scope2_quality.no_serials",
    "no_date": "neutrality.check.scope2_quality.no_date",
    "not_ours": "neutrality.check.scope2_quality.not_ours",
    "count_off": "neutrality.check.scope2_quality.count_off",
}


def scope2_quality(f: Facts, rule: Rule) -> Outcome:
    """Certificates and contracts behind a market-based footprint meet the Scope 2 Quality
    Criteria: tracked in a registry with unique serials (one certificate = 1 MWh), retired for the
    reporting entity (GHG Protocol Scope 2 Guidance, Table 7.1, criteria 2-3; numbering second-hand)."""
    if f.neutrality.scope2_basis == "location":
        return not_applicable(say("neutrality.check.scope2_quality.location"))
    if f.instruments.is_empty():
        return not_applicable(say("neutrality.check.scope2_quality.none"))
    inst = serials.parsed(f.instruments).with_columns(_is_claimant(f).alias("_ours"))
    applied = inst.filter(pl.col("id").is_in(list(f.applied_instruments)))
    unused = inst.filter(~pl.col("id").is_in(list(f.applied_instruments)))["id"].to_list()
    certificate = pl.col("type").is_in(list(ONE_MWH_CERTIFICATES))
    problems = applied.select(
        "id",
        pl.when(pl.col("registry").is_null())
        .then(pl.lit("no_registry"))
        .when(pl.col("serial_start").is_null() | pl.col("serial_end").is_null())
        .then(pl.lit("no_serials"))
        .when(pl.col("retired_on").is_null())
        .then(pl.lit("no_date"))
        .when(~pl.col("_ours"))
        .then(pl.lit("not_ours"))
        .when(
            certificate & pl.col("serial_count").is_not_null() & ((pl.col("serial_count") - pl.col("mwh")).abs() > 0.5)
        )
        .then(pl.lit("count_off"))
        .alias("why"),
    ).filter(pl.col("why").is_not_null())
    if problems.height:
        items = [say("neutrality.check.item", id=i, why=say(SCOPE2_PROBLEMS[case])) for i, case in problems.iter_rows()]
        return failed(
            say("neutrality.check.scope2_quality.failed", instruments=listed(items)),
            say("neutrality.fix.scope2_quality"),
        )
    note = say("neutrality.check.scope2_quality.unused", instruments=listing(unused)) if unused else EMPTY
    return passed(
        say(
            "neutrality.check.scope2_quality.passed",
            n=applied.height,
            mwh=f"{float(applied['mwh'].sum() or 0.0):,.0f}",
            unused=note,
        )
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
