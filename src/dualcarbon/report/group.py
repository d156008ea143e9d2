"""The report of a group (``dualcarbon run GROUP``, docs/groups.md): the consolidated key figures, the group
section (entities with their shares and contributions, the eliminations with their explanations, the totals
from the sum of the entities to the group's) and the consolidated categories; every label from the locale
catalogues, in the chosen language."""

from __future__ import annotations

from markupsafe import Markup

from dualcarbon import __version__, figures
from dualcarbon.i18n import translator
from dualcarbon.report.html import FONT_FAMILY, _category_code, _category_names, _environment, _label
from dualcarbon.report.sections import category_rows, percent


def group_view(summary: dict, lang: str) -> dict | None:
    """The rows of the group section (``sections/group.html.j2``), or None for a summary without ``group``."""
    block = summary.get("group")
    if not block:
        return None
    t = translator(lang)

    def control(value: object) -> str:
        return t("group.report.joint") if value == "joint" else t("group.report.yes" if value else "group.report.no")

    entities = [
        dict(
            e,
            name=(e.get("name_en") if lang == "en" else None) or e["name_zh"],
            operational=control(e["operational_control"]),
            financial=control(e["financial_control"]),
            reason=e[f"reason_{lang}"],
        )
        for e in block["entities"]
    ]
    eliminations = [dict(x, reason_text=x[f"reason_{lang}"]) for x in block["eliminations"]]
    keys = ("scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market")
    gross = {k: sum(e["contribution"][k] for e in block["entities"]) for k in keys}
    return {
        "approach": t(f"boundary.{block['approach']}"),
        "entities": entities,
        "eliminations": eliminations,
        "figures": keys,
        "gross": gross,
        "less": {k: block["totals"][k] - gross[k] for k in keys},
        "totals": block["totals"],
    }


def render_group_report(summary: dict, lang: str) -> str:
    """The group's report.html: one self-contained document (no script, no external URL)."""
    t = translator(lang)
    names = _category_names(lang)
    category_name = {code: name for (scheme, code), name in names.items() if scheme.startswith("ghgp_")}
    org = summary["organization"]
    context = {
        "t": t,
        "lang": lang,
        "s": summary,
        "org_name": (org.get("name_en") if lang == "en" else None) or org["name"],
        "label": lambda key, value: _label(t, f"{key}.{str(value).replace(' ', '_')}", value),
        "generator": summary.get("generator") or f"dualcarbon {__version__}",
        "font_family": Markup(FONT_FAMILY),
        "headline": lambda value, gas="co2e": figures.co2e_parts(value, lang, gas),
        "category_code": _category_code,
        "categories": category_rows(summary.get("by_category") or [], category_name),
        "group": group_view(summary, lang),
        "pct": percent,
        "print_layout": False,
    }
    return _environment().get_template("group_report.html.j2").render(context)
