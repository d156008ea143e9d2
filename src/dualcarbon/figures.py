"""Figures as a reader sees them in the report, the CLI and (mirrored in ``web/static/js/format.js``) the
dashboard; the files (summary.json, the CSVs) keep exact values. The rules (docs/report.md, "Figures"):

- Tonnes in a table: whole tonnes from 100 t (``1,405,714``), 2 decimals below (``99.76``), no "-0".
- A quantity with its unit in a Chinese text or headline: 万吨 from 10,000 t, 2 decimals
  (``140.57 万吨 CO2e``); tonnes below (``1,096 吨 CO2e``). English keeps tonnes (``1,405,714 t CO2e``).
- A Chinese table whose largest figure reaches 10,000 t may be given in 万吨 as a whole (``scale``).
- Money: whole units, no fen or cents; in Chinese 亿元 from 10⁸ and 万元 from 10⁴, 2 decimals
  (``-1.72 亿元``, ``35.00 万元``, ``8,000 元``); in English ``CNY 172,254,983``.

Unit words come from the catalogues (``fig.*``), so a figure reads the same wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from dualcarbon.i18n import translator

WAN = 1e4  # 万
YI = 1e8  # 亿
WHOLE_FROM_T = 100.0  # tonnes at or above this are shown without decimals in tables
WAN_FROM_T = 1e4  # tonnes at or above this are shown in 万吨 in Chinese


def _missing(value: float | None) -> bool:
    return value is None or value != value or value in (float("inf"), float("-inf"))


def fixed(value: float | None, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals and thousands separators; "—" for none; never "-0.00"."""
    if _missing(value):
        return "—"
    assert value is not None
    # half away from zero on the exact binary value, as JavaScript's toFixed rounds (format.js): 1234.5 → "1,235"
    exact = Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = f"{exact:,.{digits}f}"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def tonnes(value: float | None) -> str:
    """Tonnes in a table: whole tonnes from 100 t, 2 decimals below (1,405,713.53 → "1,405,714")."""
    if _missing(value):
        return "—"
    assert value is not None
    return fixed(value, 0 if abs(value) >= WHOLE_FROM_T - 0.005 else 2)


def quantity(value: float | None) -> str:
    """Activity data and masses: like ``tonnes``, but small quantities keep 4 significant digits."""
    if value is not None and value == value and 0 < abs(value) < 1:
        return f"{value:.4g}"
    return tonnes(value)


def wan(value: float | None) -> str:
    """A figure in 万 (ten thousands), 2 decimals: 1,405,713.53 → "140.57"."""
    return "—" if _missing(value) else fixed(value / WAN, 2)  # type: ignore[operator]


def scale(values: Iterable[float | None], lang: str) -> float:
    """The divisor of a table's tonnes: 1e4 (万吨) in Chinese when its largest figure reaches 10,000 t."""
    largest = max((abs(v) for v in values if not _missing(v)), default=0.0)  # type: ignore[arg-type]
    return WAN if lang == "zh" and largest >= WAN_FROM_T else 1.0


def scaled(value: float | None, divisor: float) -> str:
    """A table cell in the unit ``scale`` chose: 万吨 with 2 decimals, or tonnes as ``tonnes``."""
    return wan(value) if divisor == WAN else tonnes(value)


def co2e_parts(value: float | None, lang: str, gas: str = "co2e") -> tuple[str, str]:
    """(figure, unit) of a quantity of CO2e (or of CO2: ``gas="co2"``) for a headline or a sentence."""
    t = translator(lang)
    if lang == "zh" and not _missing(value) and abs(value) >= WAN_FROM_T - 0.005:  # type: ignore[arg-type]
        return wan(value), t(f"fig.wan_t_{gas}")
    return tonnes(value), t(f"fig.t_{gas}")


def co2e(value: float | None, lang: str, gas: str = "co2e") -> str:
    """A quantity with its unit: "140.57 万吨 CO2e" in Chinese, "1,405,714 t CO2e" in English."""
    number, unit = co2e_parts(value, lang, gas)
    return number if number == "—" else f"{number} {unit}"


def money_parts(value: float | None, lang: str, currency: str = "CNY") -> tuple[str, str]:
    """(figure, unit) of an amount of money, in whole units (no fen or cents); in Chinese in 亿/万
    of the currency's Chinese name from 10⁸ and 10⁴ (``fig.currency.<code>``)."""
    t = translator(lang)
    name = currency_name(currency, lang)
    if _missing(value):
        return "—", name
    assert value is not None
    if lang == "zh":
        if abs(value) >= YI - 0.5:
            return fixed(value / YI, 2), t("fig.yi", unit=name)
        if abs(value) >= WAN - 0.5:
            return fixed(value / WAN, 2), t("fig.wan", unit=name)
    return fixed(value, 0), name


def currency_name(currency: str, lang: str) -> str:
    """A currency as the language names it: "元" for CNY in Chinese; the ISO 4217 code otherwise."""
    key = f"fig.currency.{currency}"
    name = translator(lang)(key)
    return currency if name == key else name


def whole(value: float | None) -> str:
    """An amount of money in a table: whole units with thousands separators, no fen or cents."""
    return fixed(value, 0)


def money(value: float | None, lang: str, currency: str = "CNY") -> str:
    """An amount with its unit: "-1.72 亿元", "8,000 元"; "CNY 172,254,983" in English."""
    number, unit = money_parts(value, lang, currency)
    if number == "—":
        return number
    return f"{number} {unit}" if lang == "zh" else f"{unit} {number}"


def amount(value: float | None) -> str:
    """A value in the unit the user gave it (an indicator): whole numbers without decimals, others up to 2."""
    if _missing(value):
        return "—"
    assert value is not None
    return fixed(value, 0) if float(value).is_integer() else fixed(value, 2).rstrip("0").rstrip(".")
