"""The report's section on power units under the national ETS (summary.json ``ets``; docs/ets.md): per unit
its emissions as the guideline counts them, output, intensities, allowance and surplus; the compliance;
what a verifier flags; the parameters with their sources and status. Labels from the catalogues."""

from __future__ import annotations

from collections.abc import Callable

from dualcarbon.ets.rules import document_name
from dualcarbon.ets.tables import check_text, parameter_label
from dualcarbon.project.ets import XLSX


def _n(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def ets_view(block: dict | None, t: Callable[..., str], lang: str) -> dict | None:
    """What the template lays out, every number as text; None without units."""
    if not block:
        return None
    g = block["guideline"]
    units = [
        {
            "unit": u["unit"],
            "category": t(f"ets.fuel_class.{u['fuel_class']}"),
            "capacity": _n(u["capacity_mw"]),
            "emissions": _n(u["emissions_t"]),
            "generation": _n(u["generation_mwh"]),
            "supplied": _n(u["supplied_mwh"]),
            "heat": _n(u["heat_supplied_gj"]),
            "heat_ratio": _n(u["heat_ratio"], 4),
            "intensity_power": _n(u["intensity_power_t_per_mwh"], 4),
            "intensity_heat": _n(u["intensity_heat_t_per_gj"], 4),
            "months": f"{u['measured_months']} / {u['default_months']}",
            "allowance": _n(u["allowance_t"]),
            "surplus": _n(u["surplus_t"]),
        }
        for u in block["units"]
    ]
    totals = block["totals"]
    c = block.get("compliance")
    unread = [parameter_label(p, t) for p in block["parameters"] if p["status"] != "read"]
    return {
        "title": t("ets.report.title"),
        "intro": t("ets.report.intro", number=document_name(g["number"], lang), version=g["version"], file=XLSX),
        "guideline": t(
            "ets.about.guideline",
            title=g["title_zh"] if lang == "zh" else g["title_en"],
            number=document_name(g["number"], lang),
            version=g["version"],
            status=t(f"ets.status.{g['status']}"),
        ),
        "units": units,
        "total": {
            "emissions": _n(totals["emissions_t"]),
            "allowance": _n(totals["allowance_t"]),
            "surplus": _n(totals["surplus_t"]),
        },
        "plan": t("ets.report.plan", plan=block.get("plan") or "–", year=block["plan_year"]),
        "compliance": None
        if c is None
        else t(
            "ets.report.compliance",
            year=c["plan_year"],
            allowance=_n(c["allowance_t"]),
            obligation=_n(c["obligation_t"]),
            balance=_n(c["balance_t"]),
        ),
        "allocation_problems": [
            p.get(f"message_{lang}") or p["message_en"] for p in block.get("allocation_problems") or []
        ],
        "checks": [check_text(ch, lang) for ch in block["checks"]],
        "parameters": [
            {
                "name": parameter_label(p, t),
                "value": f"{p['value']:g}" + ("" if p["unit"] == "fraction" else f" {p['unit']}"),
                "document": document_name(p["document"], lang),
                "status": t(f"ets.status.{p['status']}"),
            }
            for p in block["parameters"]
        ],
        "unconfirmed": t("ets.about.unconfirmed", names=t("ets.list_sep").join(unread)) if unread else None,
        "allocation_unconfirmed": len(block.get("allocation_unconfirmed") or []),
    }
