"""Group consolidation (docs/groups.md): the entities' inventories summed by the share the consolidation
approach gives each, with intra-group transfers eliminated.

The approaches are those of the GHG Protocol Corporate Standard (rev. 2004), Ch. 3 "Setting organizational
boundaries", which ISO 14064-1:2018 5.1 takes over (consolidate by control, financial or operational, or by
equity share, and apply one approach to the whole organisation):

- equity share: the group's share of the entity's equity;
- financial control: 100 % of an entity the group controls financially, its equity share of a joint venture
  under joint financial control, nothing of an entity it does not control (Ch. 3, Table 1);
- operational control: 100 % of an entity whose operating policies the group introduces and implements,
  nothing otherwise.

Intra-group transfers are counted twice when the group adds up its entities: electricity, heat or steam one
entity generates (its Scope 1) and another buys (its Scope 2), or goods and services one entity produces (its
Scope 1 and 2) and another counts in Scope 3. The part counted twice is the lesser of the two entities' shares
of the buyer's reported emissions for the transfer: the seller's share of the generation is already in the
group's Scope 1 (or 1 and 2), and only the part of the purchase that comes from the seller's outside owners
stays in the group's Scope 2 (or 3). A transfer from or to an entity outside the boundary (share 0) eliminates
nothing. Everything here is a pure function of records: the files are read by ``project.group``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dualcarbon.errors import Problem, msg, render
from dualcarbon.model import GroupEntity

APPROACHES = ("operational_control", "financial_control", "equity_share")
#: the summary totals a group adds up (``total_location`` and ``total_market`` follow from them)
SUMMED = ("scope1", "scope2_location", "scope2_market", "scope3", "biogenic_co2")
#: transfer kinds and the buyer's scope and category they are counted in (Scope 3: the row's category)
ENERGY_KINDS = {"electricity": "2.electricity", "heat": "2.heat", "steam": "2.heat", "cooling": "2.heat"}
GOODS_KINDS = ("goods", "services")
KINDS = (*ENERGY_KINDS, *GOODS_KINDS)


@dataclass(frozen=True)
class Transfer:
    """One row of intragroup.csv: what ``seller`` sold ``buyer`` within the group and the emissions the
    buyer's inventory counts for it (``co2e_t`` on the location basis for Scope 2, ``co2e_market_t`` on the
    market basis, the same when not given)."""

    id: str
    seller: str
    buyer: str
    kind: str
    quantity: float
    unit: str
    co2e_t: float
    co2e_market_t: float | None = None
    category: str | None = None  # the buyer's Scope 3 category (goods, services); None for energy
    note: str | None = None
    row: int | None = None

    @property
    def scope(self) -> str:
        return "2" if self.kind in ENERGY_KINDS else "3"

    @property
    def buyer_category(self) -> str:
        return ENERGY_KINDS[self.kind] if self.kind in ENERGY_KINDS else str(self.category)

    @property
    def market_t(self) -> float:
        return self.co2e_t if self.co2e_market_t is None else self.co2e_market_t


def share(entity: GroupEntity, approach: str) -> tuple[float, str]:
    """The fraction of the entity's emissions the group counts and why (a ``group.basis.*`` code):
    GHG Protocol Corporate Standard Ch. 3 (equity share and control approaches, Table 1)."""
    if approach == "equity_share":
        return entity.equity_share, "equity"
    if approach == "financial_control":
        if entity.financial_control == "joint":
            return entity.equity_share, "joint_financial_control"
        return (1.0, "financial_control") if entity.financial_control else (0.0, "no_financial_control")
    if approach == "operational_control":
        return (1.0, "operational_control") if entity.operational_control else (0.0, "no_operational_control")
    raise ValueError(f"unknown consolidation approach {approach!r}: expected one of {', '.join(APPROACHES)}")


def totals_of(values: Mapping[str, float]) -> dict[str, float]:
    """The summed totals with ``total_location`` and ``total_market`` (DESIGN.md, summary.json)."""
    out = {key: float(values.get(key, 0.0)) for key in SUMMED}
    out["total_location"] = out["scope1"] + out["scope2_location"] + out["scope3"]
    out["total_market"] = out["scope1"] + out["scope2_market"] + out["scope3"]
    return {
        k: out[k]
        for k in (
            "scope1",
            "scope2_location",
            "scope2_market",
            "scope3",
            "total_location",
            "total_market",
            "biogenic_co2",
        )
    }


def _counted(summary: dict, scope: str, category: str, basis: str) -> float:
    """What an entity's inventory counts in one category on one Scope 2 basis (``location`` | ``market``)."""
    return math.fsum(
        [
            r["co2e_t"]
            for r in summary.get("by_category") or []
            if r["scope"] == scope and r["category"] == category and r.get("scope2_method") in (None, "both", basis)
        ]
    )


def check_transfers(
    transfers: Iterable[Transfer], summaries: Mapping[str, dict], file: str = "intragroup.csv"
) -> list[Problem]:
    """A transfer cannot remove more than the buyer counts for it: its ``co2e_t`` (``co2e_market_t``) at most
    the buyer's emissions of that category on the location (market) basis, over all transfers to the buyer."""
    problems = []
    claimed: dict[tuple[str, str, str, str], float] = {}
    for t in transfers:
        for basis, column, value in (("location", "co2e_t", t.co2e_t), ("market", "co2e_market_t", t.market_t)):
            if t.scope == "3" and basis == "market":
                continue
            key = (t.buyer, t.scope, t.buyer_category, basis)
            claimed[key] = claimed.get(key, 0.0) + value
            counted = _counted(summaries[t.buyer], t.scope, t.buyer_category, basis)
            if claimed[key] > counted * (1 + 1e-9) + 1e-9:
                problems.append(
                    Problem(
                        file,
                        t.row,
                        column if t.co2e_market_t is not None or basis == "location" else "co2e_t",
                        f"{value:g}",
                        msg(
                            "group.problem.more_than_counted",
                            buyer=t.buyer,
                            category=t.buyer_category,
                            basis=basis,
                            counted=f"{counted:,.3f}",
                            claimed=f"{claimed[key]:,.3f}",
                        ),
                    )
                )
    return problems


def consolidate(
    approach: str, entities: list[GroupEntity], summaries: Mapping[str, dict], transfers: Iterable[Transfer] = ()
) -> dict:
    """The group's consolidated inventory: ``summary.json``'s ``group`` block (``approach``, ``entities`` with
    their share, own totals and contribution, ``eliminations`` each with its reason in zh and en, ``totals``)
    and the consolidated ``by_category`` and ``by_gas`` (the latter before eliminations: a transfer's emissions
    are given in CO2e only). ``summaries``: each entity's summary.json record, by entity id."""
    shares = {e.id: share(e, approach) for e in entities}
    records: list[dict] = []
    for e in entities:
        fraction, basis = shares[e.id]
        own = totals_of(summaries[e.id]["totals"])
        records.append(
            {
                "id": e.id,
                "name_zh": e.name_zh,
                "name_en": e.name_en,
                "equity_share": e.equity_share,
                "operational_control": e.operational_control,
                "financial_control": e.financial_control,
                "share": fraction,
                "basis": basis,
                "reason_zh": render(f"group.basis.{basis}", {"share": _percent(fraction)}, "zh"),
                "reason_en": render(f"group.basis.{basis}", {"share": _percent(fraction)}, "en"),
                "totals": own,
                "contribution": totals_of({k: fraction * own[k] for k in SUMMED}),
            }
        )
    names = {e.id: {"zh": e.name_zh, "en": e.name_en or e.name_zh} for e in entities}
    eliminations = [_elimination(t, shares, names) for t in transfers]
    summed = {
        key: math.fsum([r["contribution"][key] for r in records])
        - math.fsum([x[f"eliminated_{_basis(key)}_t"] for x in eliminations if _scope(key) == x["scope"]])
        for key in SUMMED
    }
    return {
        "approach": approach,
        "entities": records,
        "eliminations": eliminations,
        "totals": totals_of(summed),
        "by_category": _by_category(entities, shares, summaries, eliminations),
        "by_gas": _by_gas(entities, shares, summaries),
    }


def _scope(key: str) -> str | None:
    return {"scope1": "1", "scope2_location": "2", "scope2_market": "2", "scope3": "3"}.get(key)


def _basis(key: str) -> str:
    return "market" if key == "scope2_market" else "location"


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g} %"


def _elimination(t: Transfer, shares: Mapping[str, tuple[float, str]], names: Mapping[str, Mapping[str, str]]) -> dict:
    """One transfer's elimination: the lesser of the seller's and the buyer's share of what the buyer counts."""
    seller_share, buyer_share = shares[t.seller][0], shares[t.buyer][0]
    removed = min(seller_share, buyer_share)
    if seller_share == 0:
        reason = "seller_outside"
    elif buyer_share == 0:
        reason = "buyer_outside"
    elif seller_share < buyer_share:
        reason = "seller_part"
    else:
        reason = "counted_twice"
    market = t.market_t if t.scope == "2" else t.co2e_t
    fields = {
        "id": t.id,
        "quantity": f"{t.quantity:,.12g}",
        "unit": t.unit,
        "scope": msg(f"scope.{t.scope}"),
        "category": t.buyer_category,
        "basis_t": f"{t.co2e_t:,.3f}",
        "seller_share": _percent(seller_share),
        "buyer_share": _percent(buyer_share),
        "removed_share": _percent(removed),
        "eliminated_t": f"{removed * t.co2e_t:,.3f}",
    }
    return {
        "id": t.id,
        "seller": t.seller,
        "buyer": t.buyer,
        "kind": t.kind,
        "quantity": t.quantity,
        "unit": t.unit,
        "scope": t.scope,
        "category": t.buyer_category,
        "co2e_t": t.co2e_t,
        "co2e_market_t": market,
        "seller_share": seller_share,
        "buyer_share": buyer_share,
        "eliminated_share": removed,
        "eliminated_location_t": removed * t.co2e_t,
        "eliminated_market_t": removed * market,
        "reason": reason,
        **{
            f"reason_{lang}": render(
                f"group.elimination.{reason}",
                {**fields, "seller": names[t.seller][lang], "buyer": names[t.buyer][lang]},
                lang,
            )
            for lang in ("zh", "en")
        },
        "note": t.note,
    }


def _by_category(
    entities: list[GroupEntity],
    shares: Mapping[str, tuple[float, str]],
    summaries: Mapping[str, dict],
    eliminations: list[dict],
) -> list[dict]:
    """The entities' ``by_category`` rows times their shares, less the eliminations, in the entities' order."""
    lines: dict[tuple[str, str, str | None], list[float]] = {}
    for e in entities:
        for r in summaries[e.id].get("by_category") or []:
            lines.setdefault((r["scope"], r["category"], r.get("scope2_method")), []).append(
                shares[e.id][0] * r["co2e_t"]
            )
    for x in eliminations:
        for method, value in (("location", x["eliminated_location_t"]), ("market", x["eliminated_market_t"])):
            if x["scope"] == "3" and method == "market":
                continue
            key: tuple[str, str, str | None] = (x["scope"], x["category"], None if x["scope"] == "3" else method)
            if key not in lines and x["scope"] == "2":  # a Scope 2 line the buyer counts on both bases
                key = (x["scope"], x["category"], "both")
                if method == "market":
                    continue
            lines.setdefault(key, []).append(-value)
    out = []
    for (scope, category, scope2_method), values in sorted(
        lines.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")
    ):
        row: dict = {"scope": scope, "category": category, "co2e_t": math.fsum(values)}
        if scope2_method is not None:
            row["scope2_method"] = scope2_method
        out.append(row)
    return out


def _by_gas(entities: list[GroupEntity], shares: Mapping[str, tuple[float, str]], summaries: Mapping[str, dict]):
    """The entities' ``by_gas`` rows times their shares (before eliminations)."""
    gases: dict[str, tuple[list[float], list[float]]] = {}
    for e in entities:
        for r in summaries[e.id].get("by_gas") or []:
            mass, co2e = gases.setdefault(r["gas"], ([], []))
            mass.append(shares[e.id][0] * r["mass_t"])
            co2e.append(shares[e.id][0] * r["co2e_t"])
    rows = [{"gas": gas, "mass_t": math.fsum(m), "co2e_t": math.fsum(c)} for gas, (m, c) in gases.items()]
    return sorted(rows, key=lambda r: -r["co2e_t"])
