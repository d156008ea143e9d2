"""The accounting guideline's rule data (``guideline/``), by revision: default carbon contents, NCVs and
oxidation rates, how many measured months a year needs, and the ETS reporting grid factor per year.

Each value keeps its document, clause, year and status (``read`` in the MEE document itself,
``second-hand``, ``unconfirmed``); docs/ets.md lists them. The ETS grid factor is its own series, not the
MEE/NBS grid averages of ``factors/data/china_grid`` (those serve Scope 2 inventories)."""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from dualcarbon.errors import InputError, msg

STATUSES = ("read", "second-hand", "unconfirmed")
#: multipliers of the data's units to the engine's base units (GJ per t, GJ per m3, t C per GJ)
PER_BASE = {"GJ/t": 1.0, "GJ/万Nm3": 1e-4, "tC/GJ": 1.0, "fraction": 1.0, "months": 1.0}


def _text(name: str) -> str:
    return resources.files("dualcarbon.ets").joinpath("guideline", name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Parameter:
    """One value of a guideline: what it is, for which fuel, and where it comes from."""

    guideline: str
    fuel: str
    parameter: str
    value: float
    unit: str
    document: str
    clause: str
    year: int
    status: str
    source: str
    note: str

    @property
    def per_base(self) -> float:
        """The value in the engine's base units (per t, per m3)."""
        return self.value * PER_BASE[self.unit]

    def citation(self) -> str:
        return f"{self.document} ({self.year}), {self.clause}: {self.value:g} {self.unit} [{self.status}]"


@dataclass(frozen=True)
class Guideline:
    """A revision of the accounting guideline for power generation facilities with its parameters."""

    version: str
    title_zh: str
    title_en: str
    issuer: str
    number: str
    year: int
    status: str
    source: str
    parameters: dict[tuple[str, str], Parameter] = field(default_factory=dict)

    def parameter(self, fuel: str, name: str) -> Parameter | None:
        return self.parameters.get((fuel, name))


@dataclass(frozen=True)
class GridFactor:
    """The national grid emission factor the ETS reports use for purchased electricity in ``year``."""

    year: int
    factor_t_per_mwh: float
    document: str
    clause: str
    status: str
    source: str
    note: str

    def citation(self) -> str:
        return f"{self.document}, {self.clause}: {self.factor_t_per_mwh:g} t CO2/MWh ({self.year}) [{self.status}]"


@dataclass(frozen=True)
class Fuel:
    """How a fuel's activity key is counted: its class in the guideline, the dimension of its quantity and
    the unit the guideline's tables state it in (``per_base`` of the engine's base unit)."""

    key: str
    fuel: str
    dimension: str
    unit: str
    per_base: float


@cache
def guidelines() -> dict[str, Guideline]:
    meta = tomllib.loads(_text("guidelines.toml"))["versions"]
    params: dict[str, dict[tuple[str, str], Parameter]] = {v: {} for v in meta}
    for row in csv.DictReader(io.StringIO(_text("parameters.csv"))):
        p = Parameter(
            row["guideline"],
            row["fuel"],
            row["parameter"],
            float(row["value"]),
            row["unit"],
            row["document"],
            row["clause"],
            int(row["year"]),
            row["status"],
            row["source"],
            row["note"],
        )
        assert p.status in STATUSES and p.unit in PER_BASE, p
        params[p.guideline][(p.fuel, p.parameter)] = p
    return {
        v: Guideline(
            v,
            m["title_zh"],
            m["title_en"],
            m["issuer"],
            m["number"],
            int(m["year"]),
            m["status"],
            m["source"],
            params[v],
        )
        for v, m in meta.items()
    }


@cache
def _documents() -> dict[str, str]:
    return dict(tomllib.loads(_text("guidelines.toml")).get("documents", {}))


def document_name(number: str, lang: str) -> str:
    """A document's number as a text in ``lang`` shows it (the Chinese number, or its pinyin rendering)."""
    return _documents().get(number, number) if lang == "en" else number


def guideline(version: str) -> Guideline:
    """The revision ``version`` (``[ets] guideline``); InputError naming the setting if there is none."""
    found = guidelines().get(version)
    if found is None:
        raise InputError.single(
            msg("problem.one_of", choices=", ".join(sorted(guidelines()))),
            file="dualcarbon.toml",
            column="ets.guideline",
            value=version,
        )
    return found


@cache
def grid_factors() -> dict[int, GridFactor]:
    out = {}
    for row in csv.DictReader(io.StringIO(_text("grid_factors.csv"))):
        g = GridFactor(
            int(row["year"]),
            float(row["factor_t_per_mwh"]),
            row["document"],
            row["clause"],
            row["status"],
            row["source"],
            row["note"],
        )
        assert g.status in STATUSES, g
        out[g.year] = g
    return out


def grid_factor(year: int) -> GridFactor | None:
    """The ETS reporting grid factor of ``year``, None where the data has none."""
    return grid_factors().get(year)


@cache
def fuels() -> dict[str, Fuel]:
    """Activity key → how the guideline counts it (``guideline/fuels.csv``)."""
    rows = csv.DictReader(io.StringIO(_text("fuels.csv")))
    return {r["key"]: Fuel(r["key"], r["fuel"], r["dimension"], r["unit"], float(r["per_base"])) for r in rows}
