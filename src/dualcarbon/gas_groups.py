"""Gases as a reader sees them: the gases that matter named, trace gases grouped, CO2e-only apart.

GHG Protocol Corporate Standard Ch. 9 asks for emissions of each of the seven Kyoto gases; a
spend-based inventory (USEEIO, 18 species) also carries trace gases at micrograms per dollar. The
full list stays in ``by_gas`` and ``emissions.csv``; ``by_gas_group`` names CO2, CH4 and N2O and any
other gas at or above ``SHOWN_SHARE`` of the gross total, groups the rest as ``other``, and reports
factors published only as CO2e (no gas given by the source) as ``co2e_only``, which is not a gas.
"""

from __future__ import annotations

#: The source gave only a CO2e value (USEEIO "HFCs and PFCs, unspecified", EPA Hub waste, ...).
CO2E_ONLY = "CO2e"
ALWAYS_SHOWN = ("CO2", "CH4", "N2O")
SHOWN_SHARE = 0.001  # 0.1 % of the gross CO2e of the gases


def by_gas_group(by_gas: list[dict], co2e_only_t: float) -> list[dict]:
    """``[{"group", "gases", "mass_t", "co2e_t"}]``: named gases (largest first), ``other``, ``co2e_only``.

    ``mass_t`` is given for a single gas only (masses of different gases are not added).
    """
    gross = sum(abs(g["co2e_t"] or 0.0) for g in by_gas) + abs(co2e_only_t)
    named: list[dict] = []
    other: list[dict] = []
    for g in by_gas:
        share = abs(g["co2e_t"] or 0.0) / gross if gross else 0.0
        (named if g["gas"] in ALWAYS_SHOWN or share >= SHOWN_SHARE else other).append(g)
    groups = [{"group": g["gas"], "gases": [g["gas"]], "mass_t": g["mass_t"], "co2e_t": g["co2e_t"]} for g in named]
    if other:
        groups.append(
            {
                "group": "other",
                "gases": [g["gas"] for g in other],
                "mass_t": None,
                "co2e_t": float(sum(float(g["co2e_t"] or 0.0) for g in other)),
            }
        )
    if co2e_only_t:
        groups.append({"group": "co2e_only", "gases": [], "mass_t": None, "co2e_t": co2e_only_t})
    return groups


def shown_gases(by_gas: list[dict]) -> tuple[list[str], list[str]]:
    """(gases named, gases grouped as other) by the rule of :func:`by_gas_group`."""
    groups = by_gas_group([g for g in by_gas if g["gas"] != CO2E_ONLY], 0.0)
    named = [g["group"] for g in groups if g["group"] != "other"]
    other: list[str] = next((g["gases"] for g in groups if g["group"] == "other"), [])
    return named, other
