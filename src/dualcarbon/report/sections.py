"""What the verifier's sections of the report show, prepared from the summary record: the table of
contents, the methods and factor sources of each category, and the data-quality notes.

Pure functions: records and frames in, plain dicts and lists out, which the templates lay out.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from functools import cache
from importlib import resources

import polars as pl

FORMULAS = resources.files("dualcarbon").joinpath("locales", "formulas.csv")

# (section id, heading key, whether the section is shown), in document order; the contents list
# and the numbered headings both follow this order.
SECTIONS: list[tuple[str, str, Callable[[dict], bool]]] = [
    ("organization", "section.organization", lambda c: True),
    ("territory-key-figures", "section.territory_key_figures", lambda c: bool(c["territory"])),
    ("gpc", "section.gpc", lambda c: bool(c["territory"])),
    ("ipcc", "section.ipcc", lambda c: bool(c["territory"])),
    ("intensity", "section.intensity", lambda c: bool(c["territory"])),
    ("removals", "section.removals", lambda c: bool(c["territory"])),
    ("key-figures", "section.key_figures", lambda c: not c["territory"]),
    ("breakdown", "section.breakdown", lambda c: not c["territory"] and bool(c["charts"]["breakdown"])),
    ("categories", "section.categories", lambda c: not c["territory"]),
    ("plant-intensity", "intensity.section", lambda c: bool(c.get("plant_intensity"))),
    ("ets", "ets.report.title", lambda c: bool(c.get("ets"))),
    ("financed", "financed.report.section", lambda c: bool(c.get("financed"))),
    ("by-gas", "section.by_gas", lambda c: True),
    ("scope3", "section.scope3", lambda c: not c["territory"]),
    ("iso-categories", "section.iso_categories", lambda c: not c["territory"] and bool(c["iso"])),
    ("facilities", "section.facilities", lambda c: bool(c["facilities"])),
    ("monthly", "section.monthly", lambda c: bool(c["months"]) and not c["monthly_hidden"]),
    ("trend", "section.trend", lambda c: len(c["trend"]) > 1),
    ("indicators", "section.indicators", lambda c: bool(c["indicators"])),
    ("sources", "section.sources", lambda c: True),
    ("methods", "section.methods", lambda c: True),
    ("data-quality", "section.data_quality", lambda c: True),
    ("uncertainty", "uncertainty.section", lambda c: bool(c.get("uncertainty"))),
    ("product", "product.report.title", lambda c: bool(c.get("product"))),
    ("neutrality", "section.neutrality", lambda c: c["s"].get("neutrality") is not None),
    ("disclosure", "section.disclosure", lambda c: bool(c.get("disclosure"))),
    ("pathway", "section.pathway", lambda c: bool(c["pathway"])),
]
# Trace ids that name no library factor: the row's own measured parameters, the facility's
# clinker analysis, a Scope 2 instrument, a GWP value (docs/cli.md, "Reading the results").
OWN_DATA = {
    "row:ncv": "ref.row_ncv",
    "row:carbon_content": "ref.row_carbon_content",
    "row:measured": "ref.row_measured",
    "facility:clinker_oxides": "ref.facility_clinker_oxides",
}


def table_of_contents(context: dict, t: Callable[..., str]) -> list[dict]:
    """The sections the report shows, in order: ``id`` and ``title`` (numbered by the stylesheet)."""
    out = []
    for section_id, key, shown in SECTIONS:
        if shown(context):
            title = (context["pathway"] or {}).get("title") if section_id == "pathway" else None
            out.append({"id": section_id, "title": title or t(key)})
    return out


def category_rows(by_category: list[dict], category_name: dict[str, str]) -> list[dict]:
    """One row per category with its location- and market-based CO2e (they differ only in Scope 2,
    GHG Protocol Scope 2 Guidance §7.1), and a subtotal row per scope, in category order."""
    order = list(category_name)
    rows: dict[tuple[str, str], dict] = {}
    for r in by_category:
        row = rows.setdefault(
            (r["scope"], r["category"]),
            {
                "scope": r["scope"],
                "category": r["category"],
                "name": category_name.get(r["category"], ""),
                "location_t": 0.0,
                "market_t": 0.0,
                "total": False,
            },
        )
        method = r.get("scope2_method")
        if method in (None, "location", "both"):
            row["location_t"] += r["co2e_t"]
        if method in (None, "market", "both"):
            row["market_t"] += r["co2e_t"]
    ranked = sorted(
        rows.values(),
        key=lambda r: (r["scope"], order.index(r["category"]) if r["category"] in order else len(order), r["category"]),
    )
    out: list[dict] = []
    for scope in dict.fromkeys(r["scope"] for r in ranked):
        members = [r for r in ranked if r["scope"] == scope]
        out += members
        out.append(
            {
                "scope": scope,
                "category": "",
                "name": "",
                "total": True,
                "location_t": sum(r["location_t"] for r in members),
                "market_t": sum(r["market_t"] for r in members),
            }
        )
    return out


def _reference(factor_id: str, gwp_set: str | None, t: Callable[..., str]) -> str:
    """A person's reading of a trace id that is not a library factor."""
    if factor_id in OWN_DATA:
        return t(OWN_DATA[factor_id])
    prefix, _, rest = factor_id.partition(":")
    if prefix == "credits":
        return t("ref.credits", id=rest)
    if prefix == "gwp":
        return t("ref.gwp", gas=rest, gwp=gwp_set or "")
    return factor_id


def method_blocks(
    by_method: list[dict],
    factor_sources: pl.DataFrame,
    category_name: dict[str, str],
    gwp_set: str | None,
    t: Callable[..., str],
    lang: str = "en",
) -> list[dict]:
    """Per category with emissions: the methods applied (formula with standard and clause, gases,
    records, CO2e), the library factors they used with their citations, and the project's own data.

    ``by_method`` is ``summary["by_method"]`` (``inventory.methods_used``); ``factor_sources`` the
    factors used (``inventory._factor_sources``) with ``factor_id``.
    """
    factors = {f["factor_id"]: f for f in factor_sources.to_dicts() if f.get("factor_id")}
    blocks: dict[tuple[str, str], dict] = {}
    for m in by_method:
        code = (m.get("scope") or "", m.get("category") or "")
        block = blocks.setdefault(
            code,
            {
                "scope": code[0],
                "category": code[1],
                "name": category_name.get(code[1], ""),
                "co2e_t": 0.0,
                "methods": [],
                "factor_ids": [],
                "own": [],
            },
        )
        if m.get("scope2_method") in (None, "location"):
            block["co2e_t"] += m.get("co2e_t") or 0.0
        kind = m.get("kind") or ""
        name = t(f"method.{kind}")
        formula = formula_text(m.get("formula"), lang)
        block["methods"].append(m | {"name": "" if name == f"method.{kind}" else name, "formula": formula})
        for factor_id in m.get("factor_ids") or []:
            if factor_id in block["factor_ids"]:
                continue
            block["factor_ids"].append(factor_id)
            if factor_id not in factors:
                block["own"].append({"id": factor_id, "text": _reference(factor_id, gwp_set, t)})
    for block in blocks.values():
        used = [factors[i] for i in block.pop("factor_ids") if i in factors]
        block["factors"] = sorted(used, key=lambda f: (f.get("activity") or "", f.get("gas") or "", f["factor_id"]))
    return list(blocks.values())


@cache
def _formulas(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    with FORMULAS.open(encoding="utf-8") as fh:
        return {row["formula"]: row[lang] for row in csv.DictReader(fh) if row.get(lang)}


def formula_text(formula: str | None, lang: str) -> str | None:
    """A method's formula as the reader's language writes it (``locales/formulas.csv``: the English
    formula of the trace, as emissions.csv keeps it, and its translation); the trace's text otherwise."""
    if not formula:
        return formula
    return _formulas(lang).get(formula, formula)


def quality_view(record: dict | None, t: Callable[..., str]) -> dict | None:
    """The data-quality section: headline notes (one sentence each, in the report's language) and
    the record's tables (``quality.assess``); None when the summary has no such record."""
    if not record:
        return None
    notes: list[str] = []
    tiers = {r["tier"]: r for r in record.get("tiers") or []}
    share = percent
    if tiers.get("1", {}).get("co2e_t"):
        notes.append(t("quality.note.tier1", share=share(tiers["1"]["share"])))
    fallbacks = record.get("region_fallbacks") or []
    if fallbacks:
        notes.append(
            t("quality.note.region_fallback", n=len(fallbacks), share=share(sum(r["share"] or 0.0 for r in fallbacks)))
        )
    years = record.get("factor_years") or []
    if years:
        notes.append(t("quality.note.factor_year", n=len(years), share=share(sum(r["share"] or 0.0 for r in years))))
    evidence = record.get("evidence")
    if evidence is None:
        notes.append(t("quality.note.evidence_not_tracked"))
    elif evidence["records"]:
        notes.append(
            t(
                "quality.note.evidence_missing",
                records=evidence["records"],
                total=evidence["total_records"],
                share=share(evidence["share"]),
            )
        )
    else:
        notes.append(t("quality.note.evidence_complete", total=evidence["total_records"]))
    coverage = record.get("scope2_coverage")
    if coverage is not None:
        notes.append(
            t(
                "quality.note.scope2_coverage",
                share=share(coverage["share"]),
                covered=f"{coverage['covered_mwh']:,.0f}",
                mwh=f"{coverage['mwh']:,.0f}",
            )
        )
    return {
        "notes": notes,
        "tiers": record.get("tiers") or [],
        "region_fallbacks": fallbacks,
        "factor_years": years,
        "scope2_coverage": coverage,
    }


def uncertainty_view(record: dict | None, t: Callable[..., str]) -> dict | None:
    """The uncertainty section (``summary.json`` ``uncertainty``, docs/uncertainty.md): one row per total
    with Approach 2's statistics and Approach 1's ±, the notes, the largest contributors; None when the
    run computed no uncertainty."""
    if not record:
        return None
    totals = [("totals.total_location", record), ("totals.total_market", record.get("market") or {})]
    rows = [
        {
            "label": t(key),
            "central_t": r["central_t"],
            "mean": r["mean"],
            "median": r["median"],
            "p2_5": r["p2_5"],
            "p97_5": r["p97_5"],
            "approach1": percent(r["approach1"]["u"]),
        }
        for key, r in totals
        if r
    ]
    cover = record.get("coverage") or {}
    notes = [
        t("uncertainty.intro", iterations=f"{record['iterations']:,}", seed=record["seed"]),
        t(
            "uncertainty.coverage",
            factor_share=percent(cover.get("factor_share")),
            activity_share=percent(cover.get("activity_share")),
        ),
    ]
    if not all(r["approach1"]["valid"] for _, r in totals if r):
        notes.append(t("uncertainty.approach1_invalid"))
    contributors = [
        {
            "id": c["id"],
            "label": c["label"],
            "kind": t(f"uncertainty.input.{c['input']}"),
            "u": percent(c["u"]),
            "co2e_t": c["co2e_t"],
            "variance_share": percent(c["variance_share"]),
        }
        for c in record.get("contributors") or []
    ]
    return {"rows": rows, "notes": notes, "contributors": contributors}


def percent(share: float | None) -> str:
    """A share as a percentage with one decimal ("33.6 %"); "—" when undefined."""
    return "—" if share is None or share != share else f"{share * 100:.1f} %"


def facility_rows(summary: dict) -> tuple[list[dict], dict | None]:
    """The facility table's rows: ``summary.json`` ``by_facility`` as listed (every facility by name, or the
    largest first), and, when it lists only the largest (``by_facility_complete`` false), its record of the
    others apart (``facility`` null, ``facilities`` their number); None when every facility is listed."""
    rows = list(summary.get("by_facility") or [])
    if rows and rows[-1].get("facility") is None and rows[-1].get("facilities") is not None:
        return rows[:-1], rows[-1]
    return rows, None


def top_sources(by_source: pl.DataFrame, top: int) -> tuple[pl.DataFrame, dict | None]:
    """The activity sources the report lists: the ``top`` largest (``by_source`` comes largest first), and
    the others as one record (``sources`` their number, ``co2e_t`` the sum of every source less the listed
    ones, correctly rounded, as ``inventory.listed_facilities``); None when all are listed. Their quantities,
    in units of different dimensions, are not added."""
    if by_source.height <= top:
        return by_source, None
    listed = by_source.head(top)
    rest_t = math.fsum([math.fsum(by_source["co2e_t"].to_list()), *(-x for x in listed["co2e_t"].to_list())])
    return listed, {"sources": by_source.height - top, "co2e_t": rest_t}
