"""The report's plant-intensity rows (summary.json ``intensity``, docs/report.md): per product its output,
the emissions counted and the intensity in t CO2e per unit, beside the base year's."""

from __future__ import annotations

from collections.abc import Callable


def number(value: float | None, digits: int = 4) -> str:
    """An intensity with ``digits`` decimals, or a dash."""
    return "–" if value is None else f"{value:,.{digits}f}"


def product_name(product: dict, lang: str) -> str:
    return product.get(f"name_{lang}") or product.get("name_en") or product.get("name_zh") or product["id"]


def counted(product: dict, t: Callable[..., str]) -> str:
    """Which emissions a product's intensity counts: its scopes (and Scope 2 method) and its selector."""
    scopes = "+".join(product["scopes"]) + (
        t(f"intensity.scope2_{product['scope2']}") if "2" in product["scopes"] else ""
    )
    if product.get("covers"):
        return t("intensity.counts_covers", scopes=scopes, covers=product["covers"])
    return t("intensity.counts", scopes=scopes)


def rows(block: dict | None, t: Callable[..., str], lang: str) -> list[dict]:
    """One row per product, its figures as text (quantities without decimals, intensities with four)."""
    out = []
    for p in (block or {}).get("products") or []:
        base = p.get("base") or {}
        change = p.get("change_percent")
        out.append(
            {
                "id": p["id"],
                "name": product_name(p, lang),
                "counts": counted(p, t),
                "quantity": "–" if p["quantity"] is None else f"{p['quantity']:,.0f} {p['unit']}",
                "emissions_t": "–" if p["emissions_t"] is None else f"{p['emissions_t']:,.0f}",
                "intensity": "–"
                if p["intensity_t"] is None
                else t("intensity.value", value=number(p["intensity_t"]), unit=p["unit"]),
                "base": None
                if not base
                else (
                    t("intensity.unknown", year=base["year"])
                    if base.get("intensity_t") is None
                    else t("intensity.value", value=number(base["intensity_t"]), unit=p["unit"])
                ),
                "change": "–" if change is None else f"{change:+.1f} %",
            }
        )
    return out
