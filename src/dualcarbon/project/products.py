"""Read a product project (``[product]``, processes.csv, exchanges.csv) into a ``ProductSystem``.

DESIGN.md "Products" pins the files. What this module decides, and docs/products.md explains:

- Activity keys (``electricity/grid``, ``fuel/diesel``, ``spend/naics/311119`` …) in ``input`` are resolved
  exactly as inventory rows are: one activity row per distinct (key, unit, region) goes through
  ``load.validate_activities`` and ``engine.compute`` (aliases, units, region fallback, factor-set
  precedence, the method of the activity's kind, location-based electricity). Each resolved (key, region,
  dimension) becomes a background process (diagonal 1, ``background=True``) per base unit of its dimension,
  whose B column holds the gas masses the engine found for one base unit; its trace keeps the factor ids,
  sets, formula and citation.
- Co-products: a process with several ``production`` rows is split into single-output processes by the
  rows' ``allocation`` shares (ISO 14044:2006 4.3.4.2): each co-product's column holds the process's other
  exchanges times its share and its own production amount on the diagonal. A ``substitution`` row (system
  expansion, ISO 14044:2006 4.3.4.2; ISO 14067:2018 6.4.6.2) enters the named product with a positive sign
  in A: an avoided product is a negative input.
- Elementary flows: the gases of the GWP table (aliases accepted), ``CH4_biogenic`` and ``CO2_biogenic``,
  ``CO2e`` for a figure published only as CO2e; masses in kg.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from dualcarbon import engine, units
from dualcarbon.errors import InputError, Problem, did_you_mean, msg
from dualcarbon.factors.gwp import GwpTable, _data_rows, gas_aliases, load_gwp
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.factors.search import key_names
from dualcarbon.lca.system import Entries, Process, ProductSystem
from dualcarbon.model import Product, Settings
from dualcarbon.project import load as project_load
from dualcarbon.project import reader
from dualcarbon.project.limits import ReadLimits
from dualcarbon.uncertainty.distributions import KINDS, LOGNORMAL, NORMAL, TRIANGULAR, UNIFORM, Uncertain
from dualcarbon.uncertainty.inventory import factor_multipliers, uncertain_factors

SETTINGS_FILE = "dualcarbon.toml"
PROCESS_COLUMNS = ("id", "name", "name_en", "unit", "location", "stage")
PROCESS_REQUIRED = ("id", "unit")
EXCHANGE_COLUMNS = (
    "process",
    "input",
    "amount",
    "unit",
    "type",
    "uncertainty",
    "gsd",
    "sd",
    "min",
    "max",
    "allocation",
    "source",
    "region",
    "note",
)
EXCHANGE_REQUIRED = ("process", "input", "amount", "unit", "type")
TYPES = ("production", "technosphere", "biosphere", "substitution")
BIOGENIC_FLOWS = {"ch4_biogenic": "CH4_biogenic", "co2_biogenic": "CO2_biogenic"}
#: how far allocation shares may be from summing to 1 (shares typed with a few decimals)
SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Background:
    """A background process: an activity key resolved through the factor library, and its trace."""

    id: str
    key: str
    region: str | None
    unit: str
    kg_per_unit: dict[str, float]  # flow → kg per unit
    trace: dict[str, Any]
    stage: str = ""  # the stage of the processes that use it
    # flow → (distribution kind, σg or sd in kg per unit) from the published ranges of its factors; flows absent
    # are certain (``background_uncertainty``)
    uncertainty: dict[str, tuple[int, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class ProductProject:
    """A validated product project: the system, the settings and what the outputs cite."""

    root: Path
    settings: Settings
    product: Product
    system: ProductSystem
    gwp: GwpTable
    library: FactorLibrary
    background: tuple[Background, ...] = ()
    sources: dict[str, list[str]] = field(default_factory=dict)  # process id → sources of its exchanges

    def factor_sets(self) -> list[dict[str, str]]:
        """The factor sets the background processes used, as summary.json lists them."""
        used = sorted({s for b in self.background for s in str(b.trace.get("factor_sets") or "").split("; ") if s})
        out = []
        for name in used:
            fs = self.library.sets.get(name)
            if fs is not None:
                out.append({"dataset": fs.dataset, "version": fs.version, "sha256": fs.sha256, "factor_set": name})
        return out


def table_path(root: Path, stem: str) -> Path | None:
    """``processes.csv`` (or .tsv/.txt/.xlsx/.parquet) in the project folder."""
    for suffix in project_load.TABLE_SUFFIXES:
        path = root / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


def has_product(root: Path) -> bool:
    """Whether the folder holds a product model (its exchanges table)."""
    return table_path(Path(root), "exchanges") is not None


def load_product(
    root: Path | str,
    library: FactorLibrary | None = None,
    limits: ReadLimits | None = None,
    settings: Settings | None = None,
) -> ProductProject:
    """Read and validate the product project at ``root``; InputError with every problem found."""
    root = Path(root)
    if not root.is_dir():
        raise InputError.single(msg("problem.folder_missing", root=str(root)))
    settings = settings or project_load.load_settings(root)
    if settings.product is None:
        raise InputError.single(msg("product.error.no_product"), file=SETTINGS_FILE, column="product")
    limits = project_load.read_limits(settings, limits)
    problems: list[Problem] = []
    if library is None:
        factors = sorted((root / "factors").glob("*.csv")) if (root / "factors").is_dir() else []
        library = FactorLibrary.load(project_factor_files=factors)
    project_load.check_settings(settings, library)
    tables = {}
    for stem, required in (("processes", PROCESS_REQUIRED), ("exchanges", EXCHANGE_REQUIRED)):
        path = table_path(root, stem)
        if path is None:
            problems.append(Problem(f"{stem}.csv", None, None, None, msg("product.error.missing_file")))
            continue
        try:
            frame = reader.read_table(path, display_name=path.name, limits=limits, problems=problems)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        known = PROCESS_COLUMNS if stem == "processes" else EXCHANGE_COLUMNS
        found = reader.header_problems(path.name, frame.columns, required, known)
        problems += found
        if not found:
            for column in known:
                if column not in frame.columns:
                    frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
            tables[stem] = (path.name, frame)
    if problems or len(tables) < 2:
        raise InputError(problems)
    builder = _Builder(root, settings, library, tables["processes"], tables["exchanges"])
    return builder.build()


def header_problems(name: str, stem: str, columns: list[str]) -> list[Problem]:
    """The header problems of processes.csv (``stem`` "processes") or exchanges.csv: required columns missing,
    unknown columns (with the closest known one)."""
    if stem == "processes":
        return reader.header_problems(name, columns, PROCESS_REQUIRED, PROCESS_COLUMNS)
    return reader.header_problems(name, columns, EXCHANGE_REQUIRED, EXCHANGE_COLUMNS)


def _close(value: str, choices: list[str]) -> str | None:
    found = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return found[0] if found else None


@dataclass
class _Column:
    """One column of A and B being built: a product of the foreground."""

    process: Process
    parent: str  # the process of processes.csv whose exchanges it takes
    production_row: int  # index of its production row in the exchanges frame
    share: float


class _Builder:
    def __init__(self, root, settings: Settings, library: FactorLibrary, processes, exchanges):
        self.root = root
        self.settings = settings
        self.product: Product = settings.product  # type: ignore[assignment]  # checked by load_product
        self.library = library
        self.ureg = library.ureg
        self.gwp = load_gwp(settings.method.gwp)
        self.pname, self.pframe = processes
        self.xname, self.xframe = exchanges
        self.problems: list[Problem] = []

    # -- helpers --------------------------------------------------------------------------
    def _problem(self, file: str, row: int | None, column: str | None, value: object, expected) -> None:
        self.problems.append(Problem(file, row, column, None if value is None else str(value), expected))

    def _convert(self, unit: str, to_unit: str) -> float | None:
        """Factor from ``unit`` to ``to_unit``; identical texts need no unit registry (``item``, ``a``)."""
        if unit == to_unit:
            return 1.0
        try:
            return units.convert(1.0, unit, to_unit, self.ureg)
        except ValueError:
            return None

    # -- processes.csv --------------------------------------------------------------------
    def _processes(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for r in self.pframe.iter_rows(named=True):
            pid, row = r["id"], r["_row"]
            if pid is None:
                self._problem(self.pname, row, "id", None, msg("product.error.id_required"))
                continue
            if "/" in pid or pid.lower() in self.flow_names:
                self._problem(self.pname, row, "id", pid, msg("product.error.id_reserved"))
                continue
            if pid in out:
                self._problem(
                    self.pname, row, "id", pid, msg("problem.duplicate_id", file=self.pname, row=out[pid]["_row"])
                )
                continue
            if r["unit"] is None:
                self._problem(self.pname, row, "unit", None, msg("problem.unit_required"))
            out[pid] = r
        return out

    @cached_property
    def flow_names(self) -> dict[str, str]:
        """Lower-case flow name or alias → flow (``co2`` → CO2, ``ch4_biogenic`` → CH4_biogenic)."""
        names = {a: g for a, g in gas_aliases().items() if self.gwp.get(g) is not None}
        for row in _data_rows("gases.csv"):  # Chinese names: 甲烷, 二氧化碳, 氧化亚氮 …
            if self.gwp.get(row["gas"]) is not None and row["name_zh"]:
                names.setdefault(re.sub(r"[（(].*$", "", row["name_zh"]).strip().lower(), row["gas"])
        names.update(BIOGENIC_FLOWS)
        names["co2e"] = "CO2e"
        return names

    # -- the whole build ------------------------------------------------------------------
    def build(self) -> ProductProject:
        procs = self._processes()
        x = self.xframe.with_columns(
            reader.parse_number(pl.col(c)).alias(f"_{c}") for c in ("amount", "gsd", "sd", "min", "max", "allocation")
        )
        rows = x.to_dicts()
        flows = self.flow_names
        # production rows: who makes what
        makers: dict[str, list[int]] = {}
        product_of: dict[str, str] = {}  # product id → the process that makes it
        producing = {q["process"] for q in rows if (q["type"] or "").lower() == "production"}
        for i, r in enumerate(rows):
            self._check_row(r, procs)
            if r["type"] == "production" and r["process"] in procs and r["input"] is not None:
                if r["input"] in product_of and product_of[r["input"]] != r["process"]:
                    self._problem(
                        self.xname,
                        r["_row"],
                        "input",
                        r["input"],
                        msg("product.error.two_makers", other=product_of[r["input"]]),
                    )
                    continue
                if r["input"] != r["process"] and r["input"] in procs and r["input"] in producing:
                    self._problem(
                        self.xname, r["_row"], "input", r["input"], msg("product.error.two_makers", other=r["input"])
                    )
                    continue
                makers.setdefault(r["process"], []).append(i)
                product_of[r["input"]] = r["process"]
        self._distributions(rows)
        for r in rows:
            pid = r["process"]
            if r["type"] != "production" and pid in procs and pid not in makers and pid in product_of:
                other = product_of[pid]
                self._problem(self.xname, r["_row"], "process", pid, msg("product.error.coproduct_row", other=other))
        for pid, r in procs.items():
            if pid not in makers and pid not in product_of:
                self._problem(self.pname, r["_row"], "id", pid, msg("product.error.no_production"))
        columns = self._columns(procs, makers, rows)
        index = {c.process.id: j for j, c in enumerate(columns)}
        parents = {c.parent for c in columns}
        # inputs: process ids, flows or activity keys
        keyed: list[int] = []
        for i, r in enumerate(rows):
            if r["type"] not in ("technosphere", "substitution") or r["input"] is None or r["process"] not in procs:
                continue
            name = r["input"]
            if name in index:
                continue
            if name in procs and name in parents:  # a multi-output process named instead of one of its products
                made = ", ".join(rows[k]["input"] for k in makers.get(name, []))
                self._problem(self.xname, r["_row"], "input", name, msg("product.error.multi_output", products=made))
            elif name.lower() in flows:
                self._problem(self.xname, r["_row"], "type", r["type"], msg("product.error.flow_as_input", flow=name))
            else:
                keyed.append(i)
        for r in rows:
            if r["type"] == "biosphere" and r["input"] is not None and r["input"].lower() not in flows:
                hint = did_you_mean(_close(r["input"], sorted({*flows.values(), *BIOGENIC_FLOWS.values()})))
                self._problem(self.xname, r["_row"], "input", r["input"], msg("product.error.unknown_flow", hint=hint))
        background, bg_of_row = self._background(rows, keyed, procs, index)
        self._names(self.product.reference, index, "product.reference")
        for pid in self.product.report:
            self._names(pid, index, "product.report")
        return self._assemble(procs, rows, columns, index, background, bg_of_row, flows)

    def _names(self, pid: str, index: dict[str, int], column: str) -> None:
        if pid not in index:
            hint = did_you_mean(_close(pid, list(index)))
            self._problem(SETTINGS_FILE, None, column, pid, msg("product.error.unknown_product", hint=hint))

    def _check_row(self, r: dict[str, Any], procs: dict[str, dict[str, Any]]) -> None:
        """The cells of one exchange: process, type, amount, uncertainty parameters, allocation."""
        name, row = self.xname, r["_row"]
        for column in EXCHANGE_REQUIRED:
            if r[column] is None:
                self._problem(name, row, column, None, msg("product.error.required", column=column))
        if r["process"] is not None and r["process"] not in procs:
            hint = did_you_mean(_close(r["process"], list(procs)))
            self._problem(name, row, "process", r["process"], msg("product.error.unknown_process", hint=hint))
        if r["type"] is not None and r["type"] not in TYPES:
            r["type"] = r["type"].lower() if r["type"].lower() in TYPES else r["type"]
            if r["type"] not in TYPES:
                self._problem(name, row, "type", r["type"], msg("product.error.type", types=", ".join(TYPES)))
        if r["amount"] is not None and r["_amount"] is None:
            self._problem(name, row, "amount", r["amount"], msg("problem.number"))
        amount = r["_amount"]
        if amount is not None and r["type"] == "production" and not amount > 0:
            self._problem(name, row, "amount", r["amount"], msg("product.error.production_amount"))
        if amount is not None and r["type"] in ("technosphere", "substitution") and amount < 0:
            self._problem(name, row, "amount", r["amount"], msg("product.error.negative_input"))
        for column in ("gsd", "sd", "min", "max", "allocation"):
            if r[column] is not None and r[f"_{column}"] is None:
                self._problem(name, row, column, r[column], msg("problem.number"))
        kind_text = (r["uncertainty"] or "none").lower()
        if kind_text not in KINDS:
            self._problem(name, row, "uncertainty", r["uncertainty"], msg("product.error.kind", kinds=", ".join(KINDS)))
            r["_kind"] = 0
        else:
            r["_kind"] = KINDS[kind_text]
        if r["allocation"] is not None and r["type"] != "production":
            self._problem(name, row, "allocation", r["allocation"], msg("product.error.allocation_only_production"))

    def _distributions(self, rows: list[dict[str, Any]]) -> None:
        """Uncertainty parameters that describe no distribution (``Uncertain.invalid``), all rows at once."""
        typed = [r for r in rows if r["_amount"] is not None]
        if not typed:
            return
        kinds = [r["_kind"] for r in typed]
        scale = [_scale(r) for r in typed]
        amounts = [r["_amount"] for r in typed]
        every = _uncertain(kinds, amounts, scale, [r["_min"] for r in typed], [r["_max"] for r in typed])
        names = {v: k for k, v in KINDS.items()}
        for k in every.invalid():
            r = typed[int(k)]
            column = {LOGNORMAL: "gsd", NORMAL: "sd"}.get(r["_kind"], "min")
            expected = msg(f"product.error.distribution.{names[r['_kind']]}")
            self._problem(self.xname, r["_row"], column, r[column], expected)

    def _columns(self, procs, makers: dict[str, list[int]], rows) -> list[_Column]:
        """One column per product: a process with one output keeps its own; a multi-output one is split."""
        columns: list[_Column] = []
        for pid, made in makers.items():
            parent = procs[pid]
            shares = [rows[i]["_allocation"] for i in made]
            if len(made) == 1:
                share = shares[0]
                if share is not None and abs(share - 1.0) > SHARE_TOLERANCE:
                    r = rows[made[0]]
                    self._problem(
                        self.xname, r["_row"], "allocation", r["allocation"], msg("product.error.allocation_single")
                    )
                shares = [1.0]
            else:
                missing = [rows[i] for i, s in zip(made, shares, strict=True) if s is None or not 0 <= s <= 1]
                for r in missing:
                    self._problem(
                        self.xname, r["_row"], "allocation", r["allocation"], msg("product.error.allocation_share")
                    )
                if not missing and abs(sum(shares) - 1.0) > SHARE_TOLERANCE:
                    r = rows[made[0]]
                    total = f"{sum(shares):.6g}"
                    self._problem(
                        self.xname,
                        r["_row"],
                        "allocation",
                        r["allocation"],
                        msg("product.error.allocation_sum", process=pid, total=total),
                    )
                shares = [s if s is not None else 0.0 for s in shares]  # reported: the other cells are still checked
            for i, share in zip(made, shares, strict=True):
                r = rows[i]
                own = procs.get(r["input"]) or {}
                unit = own.get("unit") or r["unit"]
                process = Process(
                    id=r["input"],
                    name=own.get("name") or parent.get("name") or r["input"],
                    name_en=own.get("name_en") or parent.get("name_en") or own.get("name") or r["input"],
                    unit=unit,
                    location=own.get("location") or parent.get("location") or "",
                    stage=own.get("stage") or parent.get("stage") or "",
                )
                columns.append(_Column(process, pid, i, float(share)))
        return columns

    # -- background processes from activity keys ------------------------------------------
    def _region(self, r: dict[str, Any], procs) -> str | None:
        """The region an activity key is resolved for: the row's ``region``, else its process's ``location``
        when that is a region the library knows, else the project's default (None)."""
        if r["region"]:
            return r["region"]
        location = (procs.get(r["process"]) or {}).get("location")
        return location if location in self._regions else None

    @cached_property
    def _regions(self) -> set[str]:
        return set(self.library.regions["region"].to_list())

    def _background(
        self, rows, keyed: list[int], procs, index
    ) -> tuple[list[Background], dict[int, tuple[int, float]]]:
        """Resolve the activity keys: background processes, and for each row (its background, base units per unit)."""
        if not keyed:
            return [], {}
        requests: dict[tuple[str, str, str | None], int] = {}
        for i in keyed:
            r = rows[i]
            requests.setdefault((r["input"], r["unit"], self._region(r, procs)), i)
        start = self.settings.period.start.isoformat()
        frame = pl.DataFrame(
            {
                "id": [f"exchange-{rows[i]['_row']}" for i in requests.values()],
                "date": [start] * len(requests),
                "activity": [k[0] for k in requests],
                "quantity": ["1"] * len(requests),
                "unit": [k[1] for k in requests],
                "region": [k[2] for k in requests],
                "_row": [rows[i]["_row"] for i in requests.values()],
                "_file": [self.xname] * len(requests),
            },
            schema={
                c: pl.Int64 if c == "_row" else pl.String
                for c in ("id", "date", "activity", "quantity", "unit", "region", "_row", "_file")
            },
        )
        activities, found = project_load.validate_activities([frame], self.settings, self.library)
        renamed = {"activity": "input", "quantity": "amount", "id": "input", "date": "input"}
        for p in found:
            if p.column == "activity" and p.key == "problem.unknown_activity" and p.value is not None:
                close = _close(p.value, list(index))
                if close:
                    p = Problem(
                        p.file, p.row, p.column, p.value, msg("product.error.unknown_input", hint=did_you_mean(close))
                    )
            p.column = renamed.get(p.column or "", p.column)
            self.problems.append(p)
        if found or activities is None:
            return [], {}
        try:
            result = engine.compute(
                activities, self.library, self.settings, None, project_load.spend_tables(self.settings)
            )
        except InputError as exc:
            for p in exc.problems:
                p.column = renamed.get(p.column or "", p.column)
                self.problems.append(p)
            return [], {}
        emissions = result.emissions.filter(pl.col("scope2_method").is_null() | (pl.col("scope2_method") == "location"))
        citations = self._citations(emissions)
        by_request: dict[int, tuple[tuple[str, str, str], float]] = {}
        resolved: dict[tuple[str, str, str], tuple[Any, ...]] = {}
        for a in activities.iter_rows(named=True):
            row, key, dim, base = a["_row"], a["key"], a["dimension"], a["quantity_base"]
            region = a["region"]
            ident = (key, region or "", dim)
            if ident not in resolved:
                gases = emissions.filter(pl.col("_idx") == a["_idx"])
                kg: dict[str, float] = {}
                parts: dict[str, list[tuple[float, list[str]]]] = {}
                for g in gases.iter_rows(named=True):
                    flow = g["gas"]
                    if g["biogenic"] and flow in ("CO2", "CH4"):
                        flow = f"{flow}_biogenic"
                    mass = g["mass_t"] * 1000.0 / base
                    kg[flow] = kg.get(flow, 0.0) + mass
                    parts.setdefault(flow, []).append((mass, (g["factor_ids"] or "").split("; ")))
                first = gases.row(0, named=True) if gases.height else {}
                ids = "; ".join(sorted({s for v in gases["factor_ids"].drop_nulls().to_list() for s in v.split("; ")}))
                sets = {s for v in gases["factor_sets"].drop_nulls().to_list() for s in v.split("; ")}
                unit = dim.split(":", 1)[1] if dim.startswith("currency:") else units.BASE_UNITS[dim]
                trace = {
                    "activity": key,
                    "region": region,
                    "region_used": first.get("region_used"),
                    "year_used": first.get("year_used"),
                    "unit": unit,
                    "factor_ids": ids,
                    "factor_sets": "; ".join(sorted(sets)),
                    "formula": first.get("formula"),
                    "parameters": "; ".join(gases["parameters"].drop_nulls().unique(maintain_order=True).to_list()),
                    "citation": "; ".join(citations[i] for i in ids.split("; ") if citations.get(i)),
                }
                spread = {f: u for f, part in parts.items() if (u := background_uncertainty(part, self._factor_spread))}
                resolved[ident] = (region, unit, kg, trace, spread)
            by_request[row] = (ident, base)
        # one background process per resolved key and stage of the processes using it, so that contributions by
        # stage keep the farm's electricity on the farm (the same B column in each)
        uses: dict[int, tuple[tuple[str, str, str], str, float]] = {}
        for i in keyed:
            x = rows[i]
            at = requests[(x["input"], x["unit"], self._region(x, procs))]
            ident, base = by_request[rows[at]["_row"]]
            uses[i] = (ident, (procs.get(x["process"]) or {}).get("stage") or "", base)
        stages: dict[tuple[str, str, str], list[str]] = {}
        for ident, stage, _ in uses.values():
            if stage not in stages.setdefault(ident, []):
                stages[ident].append(stage)
        background: list[Background] = []
        number: dict[tuple[tuple[str, str, str], str], int] = {}
        for ident, used_in in stages.items():
            region, unit, kg, trace, spread = resolved[ident]
            for stage in used_in:
                bid = f"{ident[0]}@{region}" if region else ident[0]
                if len([k for k in stages if k[:2] == ident[:2]]) > 1:
                    bid += f" [{unit}]"
                if len(used_in) > 1:
                    bid += f" ({stage})"
                number[(ident, stage)] = len(background)
                background.append(Background(bid, ident[0], region, unit, kg, trace, stage, spread))
        bg_of_row = {i: (number[(ident, stage)], base) for i, (ident, stage, base) in uses.items()}
        return background, bg_of_row

    @cached_property
    def _factor_spread(self) -> dict[str, tuple[int, float]]:
        """Factor id → (kind, relative scale) of the library's factors with a published 95 % interval, as the
        inventory's Monte Carlo takes them (``uncertainty.inventory.factor_multipliers``: normal for a symmetric
        interval, lognormal for a skewed one; IPCC 2006 Vol. 1 Ch. 3 §3.2.2.4)."""
        usable = uncertain_factors(self.library.factors)
        if usable.height == 0:
            return {}
        multipliers, _ = factor_multipliers(
            usable["value"].to_numpy(), usable["lower"].to_numpy(), usable["upper"].to_numpy()
        )
        return {
            fid: (int(k), float(sc))
            for fid, k, sc in zip(usable["factor_id"].to_list(), multipliers.kind, multipliers.scale, strict=True)
        }

    def _citations(self, emissions: pl.DataFrame) -> dict[str, str]:
        ids = {s for v in emissions["factor_ids"].drop_nulls().to_list() for s in v.split("; ")}
        factors = self.library.factors.filter(pl.col("factor_id").is_in(list(ids))).select("factor_id", "citation")
        return {r["factor_id"]: r["citation"] or "" for r in factors.unique("factor_id").iter_rows(named=True)}

    # -- the matrices ---------------------------------------------------------------------
    def _assemble(self, procs, rows, columns: list[_Column], index, background: list[Background], bg_of_row, flows):
        n_fore = len(columns)
        names = key_names(self.library, sorted({b.key for b in background}))
        processes = [c.process for c in columns] + [
            Process(
                b.id,
                names[b.key][0],
                names[b.key][1],
                b.unit,
                b.region or "",
                b.stage,
                background=True,
            )
            for b in background
        ]
        a_rows: list[int] = []
        a_cols: list[int] = []
        a_parts: list[tuple[dict[str, Any], float]] = []  # (exchange, multiplier)
        b_rows: list[int] = []
        b_cols: list[int] = []
        b_parts: list[tuple[dict[str, Any], float]] = []
        flow_index: dict[str, int] = {}
        by_parent: dict[str, list[int]] = {}
        for j, c in enumerate(columns):
            by_parent.setdefault(c.parent, []).append(j)
        for j, c in enumerate(columns):
            r = rows[c.production_row]
            if r["_amount"] is None or r["unit"] is None:
                continue  # reported
            factor = self._convert(r["unit"], c.process.unit)
            if factor is None:
                self._unit_problem(r, c.process.unit)
                continue
            a_rows.append(j)
            a_cols.append(j)
            a_parts.append((r, factor))
        for i, r in enumerate(rows):
            if r["type"] not in TYPES or r["type"] == "production" or r["process"] not in by_parent:
                continue
            if r["_amount"] is None or r["input"] is None or r["unit"] is None:
                continue  # reported
            targets = by_parent[r["process"]]
            sign = -1.0 if r["type"] == "technosphere" else 1.0
            if r["type"] == "biosphere":
                if r["input"].lower() not in flows:
                    continue  # reported
                flow = flows[r["input"].lower()]
                factor = self._convert(r["unit"], "kg")
                if factor is None:
                    self._unit_problem(r, "kg")
                    continue
                k = flow_index.setdefault(flow, len(flow_index))
                for j in targets:
                    b_rows.append(k)
                    b_cols.append(j)
                    b_parts.append((r, factor * columns[j].share))
                continue
            if i in bg_of_row:
                row_index, factor = n_fore + bg_of_row[i][0], bg_of_row[i][1]
            elif r["input"] in index:
                row_index = index[r["input"]]
                factor = self._convert(r["unit"], processes[row_index].unit)
                if factor is None:
                    self._unit_problem(r, processes[row_index].unit)
                    continue
            else:
                continue  # reported (an unknown input, a multi-output process, a flow as input)
            for j in targets:
                a_rows.append(row_index)
                a_cols.append(j)
                a_parts.append((r, sign * factor * columns[j].share))
        if self.problems:
            raise InputError(self.problems)
        diag = {"amount": "1", "_amount": 1.0, "_kind": 0, "gsd": None, "_gsd": None, "sd": None, "_sd": None}
        for k, b in enumerate(background):
            a_rows.append(n_fore + k)
            a_cols.append(n_fore + k)
            a_parts.append(({**diag, "_min": None, "_max": None}, 1.0))
            for flow, kg in b.kg_per_unit.items():
                b_rows.append(flow_index.setdefault(flow, len(flow_index)))
                b_cols.append(n_fore + k)
                kind, scale = b.uncertainty.get(flow, (0, math.nan))
                spread = {"_kind": kind, "_gsd": scale if kind == LOGNORMAL else None}
                spread["_sd"] = scale if kind == NORMAL else None
                b_parts.append(({**diag, "_amount": kg, "_min": None, "_max": None, **spread}, 1.0))
        flow_names = tuple(flow_index)
        characterisation = np.array([self._gwp_of(f) for f in flow_names], dtype=np.float64)
        system = ProductSystem(
            processes=tuple(processes),
            flows=flow_names,
            technosphere=Entries(np.array(a_rows, dtype=np.int64), np.array(a_cols, dtype=np.int64), _scaled(a_parts)),
            biosphere=Entries(np.array(b_rows, dtype=np.int64), np.array(b_cols, dtype=np.int64), _scaled(b_parts)),
            characterisation=characterisation,
            reference=self.product.reference,
            functional_unit=self.product.functional_unit,
            boundary=self.product.boundary,
        )
        sources: dict[str, list[str]] = {}
        for r in rows:
            if r["source"]:
                sources.setdefault(r["process"], []).append(r["source"])
        return ProductProject(
            self.root, self.settings, self.product, system, self.gwp, self.library, tuple(background), sources
        )

    def _unit_problem(self, r: dict[str, Any], expected_unit: str) -> None:
        hint = did_you_mean(units.suggestion(r["unit"]))
        self._problem(
            self.xname, r["_row"], "unit", r["unit"], msg("product.error.unit", unit=expected_unit, hint=hint)
        )

    def _gwp_of(self, flow: str) -> float:
        """kg CO2e per kg of a flow in the project's GWP set (ISO 14067:2018 6.4.1 — GWP100 of the IPCC);
        biogenic CH4 takes the set's CH4 value and biogenic CO2 counts 1 (ISO 14067:2018 6.4.9.2)."""
        if flow in ("CO2_biogenic", "CO2e"):
            return 1.0
        if flow == "CH4_biogenic":
            return float(self.gwp["CH4"])
        return float(self.gwp[flow])


def background_uncertainty(
    parts: list[tuple[float, list[str]]], spread: dict[str, tuple[int, float]]
) -> tuple[int, float] | None:
    """The distribution of a background process's kg of one flow per unit, from the factors behind it.

    ``parts``: the kg of each emission row that makes up the flow with the factor ids its trace names;
    ``spread``: factor id → (kind, relative scale) for factors with a published range. Each row's kg is
    the product of its factors, so each uncertain factor multiplies it: lognormal factors alone give a
    lognormal with σ_ln = √Σσᵢ² (a product of lognormals is lognormal) and the median at the published
    kg; otherwise a normal with the published kg as mean and the product's exact relative variance
    Π(1 + cvᵢ²) − 1 (Goodman 1960; IPCC 2006 Vol. 1 Ch. 3 Eq. 3.1 is its first-order term), several rows
    of one flow adding their variances. None when no factor has a range (a certain amount).
    Returns (kind, σg) for a lognormal, (kind, sd in kg) for a normal."""
    total = sum(kg for kg, _ in parts)
    variance = 0.0
    lognormal_only = len(parts) == 1
    sigma2 = 0.0
    uncertain = False
    for kg, ids in parts:
        relative = 1.0
        for fid in dict.fromkeys(ids):
            if fid not in spread:
                continue
            uncertain = True
            kind, scale = spread[fid]
            if kind == LOGNORMAL:
                s2 = math.log(scale) ** 2
                sigma2 += s2
                relative *= math.exp(s2)  # 1 + cv² of a lognormal
            else:
                lognormal_only = False
                relative *= 1.0 + scale**2
        variance += (kg * kg) * (relative - 1.0)
    if not uncertain or total == 0.0:
        return None
    if lognormal_only and sigma2 > 0.0:
        return LOGNORMAL, math.exp(math.sqrt(sigma2))
    return NORMAL, math.sqrt(variance)


def _scale(r: dict[str, Any]) -> float:
    kind = r.get("_kind", 0)
    if kind == LOGNORMAL:
        return _num(r.get("_gsd"))
    if kind == NORMAL:
        return _num(r.get("_sd"))
    return math.nan


def _num(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _uncertain(kind, amount, scale, low, high) -> Uncertain:
    return Uncertain(
        np.array(amount, dtype=np.float64),
        np.array(kind, dtype=np.int8),
        np.array(scale, dtype=np.float64),
        np.array([_num(v) for v in low], dtype=np.float64),
        np.array([_num(v) for v in high], dtype=np.float64),
    )


def _scaled(parts: list[tuple[dict[str, Any], float]]) -> Uncertain:
    """The amounts of the exchanges, each multiplied by its factor (unit conversion × share × sign), with
    their distributions scaled alike: σg is unchanged, sd scales by |factor|, bounds scale (and swap when
    the factor is negative)."""
    kind = np.array([r.get("_kind", 0) for r, _ in parts], dtype=np.int8)
    factor = np.array([f for _, f in parts], dtype=np.float64)
    amount = np.array([r["_amount"] for r, _ in parts], dtype=np.float64) * factor
    scale = np.array([_scale(r) for r, _ in parts], dtype=np.float64)
    scale = np.where(kind == NORMAL, scale * np.abs(factor), scale)
    low = np.array([_num(r.get("_min")) for r, _ in parts], dtype=np.float64) * factor
    high = np.array([_num(r.get("_max")) for r, _ in parts], dtype=np.float64) * factor
    bounded = np.isin(kind, (TRIANGULAR, UNIFORM))
    swap = bounded & (factor < 0)
    low, high = np.where(swap, high, low), np.where(swap, low, high)
    low = np.where(bounded, low, np.nan)
    high = np.where(bounded, high, np.nan)
    return Uncertain(amount, kind, scale, low, high)
