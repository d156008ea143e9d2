"""The year-on-year comparison (``dualcarbon.compare``) as people read it: the rows of the CLI's tables
and of ``compare.html``, a self-contained page in the chosen language (every label from the
catalogues, ``compare.*``; category names from categories.csv; figures as docs/report.md,
"Figures", has them)."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from dualcarbon import __version__, figures
from dualcarbon.i18n import translator

# The effects of the decomposition, in the order they are taken (dualcarbon.compare).
EFFECTS = ("method_t", "factor_t", "activity_t", "new_sources_t", "dropped_sources_t", "other_t")


def _change(value: float | None) -> str:
    """A signed change in tonnes: "+1,234", "−20.00"; "—" for none."""
    if value is None or value != value:
        return "—"
    text = figures.tonnes(value)
    return text if text.startswith("-") or text in ("0", "0.00") else f"+{text}"


def _pct(value: float | None) -> str:
    return "—" if value is None or value != value else f"{value:+.1f} %"


def _run_label(run: dict, t: Callable[..., str], lang: str) -> str:
    period = run.get("period") or {}
    name = (run.get("organization_en") if lang == "en" else None) or run.get("organization") or ""
    return t("compare.run_label", name=name, start=period.get("start", ""), end=period.get("end", ""))


def compare_view(result: dict, lang: str) -> dict:
    """Every row of the comparison with its figures formatted and its labels in ``lang``."""
    from dualcarbon.report.html import _category_names

    t = translator(lang)
    names = _category_names(lang)
    old, new = result["old"], result["new"]
    notes = []
    mc = result["method_changes"]
    if mc.get("gwp_set"):
        notes.append(t("compare.note.gwp", old=mc["gwp_set"][0], new=mc["gwp_set"][1]))
    if mc.get("boundary"):
        b_old, b_new = (t(f"boundary.{b}") if b else "—" for b in mc["boundary"])
        notes.append(t("compare.note.boundary", old=b_old, new=b_new))
    if mc.get("formula_sources"):
        notes.append(t("compare.note.formula", n=mc["formula_sources"]))
    notes += [t(f"compare.warning.{w}") for w in result.get("warnings") or []]

    def line(label: str, entry: dict) -> dict:
        return {
            "label": label,
            "old": figures.tonnes(entry.get("old")),
            "new": figures.tonnes(entry.get("new")),
            "change": _change(entry.get("change")),
            "percent": _pct(entry.get("change_percent")),
        }

    totals = [line(t(f"totals.{x['item']}"), x) for x in result["totals"]]
    categories = []
    for c in result["by_category"]:
        name = names.get((f"ghgp_scope{c['scope']}", c["category"])) or c["category"]
        categories.append(line(t("compare.category", scope=c["scope"], name=name), c))
    d = result["decomposition"]
    decomposition = [
        {"label": t(f"compare.effect.{k}"), "value": _change(d.get(k)), "key": k}
        for k in EFFECTS
        if k != "other_t" or abs(d.get(k) or 0.0) >= 0.005
    ]
    decomposition.append(
        {"label": t("compare.effect.total_change_t"), "value": _change(d["total_change_t"]), "key": "total"}
    )
    intensity = []
    for p in result["intensity"]:
        name = (p.get("name_en") if lang == "en" else p.get("name_zh")) or p.get("name_zh") or p["id"]
        i = p["intensity_t"]
        intensity.append(
            {
                "label": t("compare.intensity_label", name=name, unit=p.get("unit") or ""),
                "old": "—" if i["old"] is None else f"{i['old']:,.4f}",
                "new": "—" if i["new"] is None else f"{i['new']:,.4f}",
                "percent": _pct(i["change_percent"]),
            }
        )
    sources = []
    for s in result["sources"]:
        name = (s.get("activity_name_en") if lang == "en" else s.get("activity_name_zh")) or s["activity"]
        sources.append(
            {
                "name": name,
                "activity": s["activity"],
                "scope": s["scope"],
                "status": t(f"compare.status.{s['status']}"),
                "reason": t(f"compare.reason.{s['method_reason']}") if s.get("method_reason") else "",
                "quantity_old": figures.quantity(s.get("quantity_old")),
                "quantity_new": figures.quantity(s.get("quantity_new")),
                "unit": s.get("unit") or "",
                "old": figures.tonnes(s.get("co2e_t_old")),
                "new": figures.tonnes(s.get("co2e_t_new")),
                "change": _change(s.get("change_t")),
                "method": _change(s.get("method_t")),
                "factor": _change(s.get("factor_t")),
                "activity_effect": _change(s.get("activity_t")),
            }
        )
    return {
        "old_label": _run_label(old, t, lang),
        "new_label": _run_label(new, t, lang),
        "runs": [
            {
                "role": t(f"compare.{role}"),
                "label": _run_label(run, t, lang),
                "gwp": run.get("gwp_set") or "—",
                "boundary": t(f"boundary.{run['boundary']}") if run.get("boundary") else "—",
                "factor_sets": ", ".join(run.get("factor_sets") or []),
            }
            for role, run in (("old", old), ("new", new))
        ],
        "notes": notes,
        "totals": totals,
        "categories": categories,
        "decomposition": decomposition,
        "intensity": intensity,
        "sources": sources,
    }


def render_compare(result: dict, lang: str) -> str:
    """compare.html: the comparison as a self-contained page (``compare.html.j2``)."""
    from dualcarbon.report.html import FONT_FAMILY, _environment

    context = {
        "t": translator(lang),
        "view": compare_view(result, lang),
        "generator": f"dualcarbon {__version__}",
        "font_family": Markup(FONT_FAMILY),
        "print_layout": False,
    }
    return _environment().get_template("compare.html.j2").render(context)
