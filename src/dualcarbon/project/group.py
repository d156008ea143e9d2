"""A group project (docs/groups.md): ``dualcarbon.toml`` with ``[group]`` (the entities, each with its own
project folder or a prior run's ``out/``, its equity share and whether the group controls it) and the
optional ``intragroup.csv`` (transfers between entities). ``run_group`` runs or reads each entity, consolidates
them (``dualcarbon.group``) and writes the group's summary.json, group.csv, inventory.csv and report.html.

Every problem names the file, row and column: a ``[group]`` key as ``group.entities.<n>.<key>`` (n from 1),
an intragroup.csv cell by its row and column; all problems of the settings, the entities and the transfers are
reported together, and nothing is written when there is one.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from pydantic import ValidationError

from dualcarbon import group as consolidation
from dualcarbon.errors import InputError, Problem, msg
from dualcarbon.model import GroupEntity, GroupSettings
from dualcarbon.project import reader
from dualcarbon.project.limits import ReadLimits

SETTINGS_FILE = "dualcarbon.toml"
REQUIRED = ["id", "seller", "buyer", "kind", "quantity", "unit", "co2e_t"]
OPTIONAL = ["co2e_market_t", "category", "note"]
SCOPE3_CATEGORIES = tuple(f"3.{n}" for n in range(1, 16))
#: group.csv's figure columns, t CO2e
FIGURES = ("scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market")


@dataclass
class GroupProject:
    root: Path
    settings: GroupSettings
    transfers: list[consolidation.Transfer]

    @property
    def entities(self) -> list[GroupEntity]:
        return self.settings.group.entities


@dataclass
class GroupResult:
    project: GroupProject
    summary: dict
    written: list[Path]


def is_group(root: Path | str) -> bool:
    """Whether the folder's dualcarbon.toml has a ``[group]`` table (False when it cannot be read: the
    project's own loader reports why)."""
    path = Path(root) / SETTINGS_FILE
    try:
        return isinstance(tomllib.loads(path.read_text(encoding="utf-8-sig")).get("group"), dict)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def load_settings(root: Path) -> GroupSettings:
    """``dualcarbon.toml`` of a group; InputError naming each key that is wrong (entities numbered from 1)."""
    from dualcarbon.project.load import settings_message

    data = tomllib.loads((root / SETTINGS_FILE).read_text(encoding="utf-8-sig"))
    try:
        return GroupSettings.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            parts = list(err["loc"])
            if parts[:2] == ["group", "entities"] and len(parts) > 2 and isinstance(parts[2], int):
                parts[2] += 1  # people count entities from 1
            value = err.get("input") if err["type"] != "missing" else None
            problems.append(
                Problem(
                    SETTINGS_FILE,
                    None,
                    ".".join(str(p) for p in parts),
                    None if value is None or isinstance(value, dict | list) else str(value),
                    settings_message(err),
                )
            )
        raise InputError(problems) from exc


def entity_place(entity: GroupEntity, settings: GroupSettings) -> str:
    """``group.entities.<n>.path``: where an entity's folder is named in dualcarbon.toml."""
    return f"group.entities.{settings.group.entities.index(entity) + 1}.path"


def entity_problems(root: Path, settings: GroupSettings) -> list[Problem]:
    """Each entity's folder must hold a project (dualcarbon.toml) or a prior run's summary.json; a group
    project as an entity is given by its out/ folder."""
    problems = []
    for e in settings.group.entities:
        folder = root / e.path
        place = entity_place(e, settings)
        if (folder / "summary.json").is_file():
            continue
        if not (folder / SETTINGS_FILE).is_file():
            problems.append(Problem(SETTINGS_FILE, None, place, e.path, msg("group.problem.entity_folder")))
        elif is_group(folder):
            problems.append(Problem(SETTINGS_FILE, None, place, e.path, msg("group.problem.entity_group")))
    return problems


def find_transfers(root: Path) -> Path | None:
    """The group's intragroup table (``intragroup.csv``, ``.xlsx`` …), if any."""
    paths = [p for p in sorted(Path(root).glob("intragroup.*")) if p.suffix.lower() in reader.SUFFIXES]
    return paths[0] if paths else None


def load_transfers(
    root: Path, entity_ids: list[str], limits: ReadLimits = reader.DEFAULT_LIMITS
) -> tuple[list[consolidation.Transfer], list[Problem]]:
    """intragroup.csv's rows as transfers, and the problems of its cells (none without the file)."""
    path = find_transfers(root)
    if path is None:
        return [], []
    file = path.name
    ragged: list[Problem] = []
    try:
        raw = reader.read_table(path, display_name=file, limits=limits, problems=ragged)
    except InputError as exc:
        return [], exc.problems
    transfers, problems = parse_transfers(raw, entity_ids, file)
    return transfers, ragged + problems


def parse_transfers(
    raw: pl.DataFrame, entity_ids: list[str], file: str = "intragroup.csv"
) -> tuple[list[consolidation.Transfer], list[Problem]]:
    """Validate intragroup.csv (text columns and ``_row``, ``reader.read_table``) into transfers."""
    problems = reader.header_problems(file, raw.columns, REQUIRED, REQUIRED + OPTIONAL)
    if problems:
        return [], problems
    for column in OPTIONAL:
        if column not in raw.columns:
            raw = raw.with_columns(pl.lit(None, pl.String).alias(column))
    numbers = raw.with_columns(
        reader.parse_number(pl.col(c)).alias(f"_{c}") for c in ("quantity", "co2e_t", "co2e_market_t")
    )
    entities = ", ".join(entity_ids)
    first_row: dict[str, int] = {}
    transfers: list[consolidation.Transfer] = []
    # one row per transfer, a handful per group: reading them one by one is not a hot path
    for r in numbers.iter_rows(named=True):
        row: int = r["_row"]
        found: list[Problem] = []

        def problem(column: str, expected, value=None, row=row, found=found) -> None:
            found.append(Problem(file, row, column, value if value is None else str(value), expected))

        for column in ("id", "seller", "buyer", "kind", "unit"):
            if r[column] is None:
                problem(column, msg("problem.value_required"))
        if r["id"] is not None:
            if r["id"] in first_row:
                problem("id", msg("problem.duplicate_id", file=file, row=first_row[r["id"]]), r["id"])
            first_row.setdefault(r["id"], row)
        for column in ("seller", "buyer"):
            if r[column] is not None and r[column] not in entity_ids:
                problem(column, msg("group.problem.not_an_entity", choices=entities), r[column])
        if r["seller"] is not None and r["seller"] == r["buyer"]:
            problem("buyer", msg("group.problem.same_entity"), r["buyer"])
        kind = (r["kind"] or "").lower()
        if r["kind"] is not None and kind not in consolidation.KINDS:
            problem("kind", msg("problem.one_of", choices=", ".join(consolidation.KINDS)), r["kind"])
        if r["_quantity"] is None or not r["_quantity"] > 0:
            problem("quantity", msg("problem.positive_quantity"), r["quantity"])
        for column in ("co2e_t", "co2e_market_t"):
            value = r[f"_{column}"]
            if (value is None and (column == "co2e_t" or r[column] is not None)) or (
                value is not None and not (value >= 0 and math.isfinite(value))
            ):
                problem(column, msg("problem.non_negative"), r[column])
        if kind in consolidation.GOODS_KINDS and r["category"] not in SCOPE3_CATEGORIES:
            problem("category", msg("group.problem.scope3_category"), r["category"])
        if kind in consolidation.ENERGY_KINDS and r["category"] is not None:
            problem("category", msg("group.problem.no_category_for_energy"), r["category"])
        if kind in consolidation.GOODS_KINDS and r["co2e_market_t"] is not None:
            problem("co2e_market_t", msg("group.problem.no_market_for_goods"), r["co2e_market_t"])
        if found:
            problems += found
            continue
        transfers.append(
            consolidation.Transfer(
                id=r["id"],
                seller=r["seller"],
                buyer=r["buyer"],
                kind=kind,
                quantity=r["_quantity"],
                unit=r["unit"],
                co2e_t=r["_co2e_t"],
                co2e_market_t=r["_co2e_market_t"],
                category=r["category"],
                note=r["note"],
                row=row,
            )
        )
    return transfers, problems


def load_group(root: Path | str) -> GroupProject:
    """The group's settings, its entities' folders checked and its transfers; InputError with every problem."""
    root = Path(root)
    settings = load_settings(root)
    problems = entity_problems(root, settings)
    transfers, found = load_transfers(root, [e.id for e in settings.group.entities])
    problems += found
    if problems:
        raise InputError(problems)
    return GroupProject(root, settings, transfers)


def entity_summary(project: GroupProject, entity: GroupEntity) -> dict:
    """An entity's summary.json record: its prior run's (``path`` an out/ folder), else its project run now
    (nothing written into the entity's folder). InputError, naming the entity, when it does not fit the group:
    another period or GWP set, or a summary.json that is not dualcarbon's."""
    folder = project.root / entity.path
    place = entity_place(entity, project.settings)
    path = folder / "summary.json"
    if path.is_file():
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
            if summary.get("schema") != "dualcarbon.summary/1":
                raise ValueError(f"schema {summary.get('schema')!r}")
            if not isinstance(summary.get("totals"), dict):
                raise ValueError("no totals")
        except (ValueError, AttributeError) as exc:
            raise InputError(
                Problem(SETTINGS_FILE, None, place, entity.path, msg("group.problem.entity_summary", why=str(exc)))
            ) from exc
    else:
        from dualcarbon.project import job

        try:
            summary = job.run(folder, write=False).inventory.summary
        except InputError as exc:
            raise in_entity(exc, entity) from exc
    period = project.settings.period
    expected = f"{period.start.isoformat()} – {period.end.isoformat()}"
    found = f"{summary.get('period', {}).get('start')} – {summary.get('period', {}).get('end')}"
    problems = []
    if found != expected:
        problems.append(
            Problem(
                SETTINGS_FILE,
                None,
                place,
                entity.path,
                msg("group.problem.entity_period", found=found, expected=expected),
            )
        )
    gwp = project.settings.method.gwp
    if summary.get("gwp_set") != gwp:
        problems.append(
            Problem(
                SETTINGS_FILE,
                None,
                place,
                entity.path,
                msg("group.problem.entity_gwp", found=str(summary.get("gwp_set")), expected=gwp),
            )
        )
    if problems:
        raise InputError(problems)
    return summary


def in_entity(exc: InputError, entity: GroupEntity) -> InputError:
    """The problems of an entity's own files, each file named by its path in the group (``farm/activities.csv``)."""
    problems = []
    for p in exc.problems:
        file = f"{entity.path.rstrip('/')}/{p.file or SETTINGS_FILE}"
        problems.append(Problem(file, p.row, p.column, p.value, p.expected, p.key, p.fields))
    return InputError(problems)


def validate_group(root: Path | str) -> GroupProject:
    """``dualcarbon validate GROUP``: the group's files (``load_group``) and every entity project's files (as
    ``dualcarbon validate`` checks them), without computing; InputError with every problem of them all."""
    from dualcarbon.project.load import load

    root = Path(root)
    project = load_group(root)
    problems: list[Problem] = []
    for e in project.entities:
        folder = root / e.path
        if (folder / "summary.json").is_file():
            continue
        try:
            load(folder, measures=True)
        except InputError as exc:
            problems += in_entity(exc, e).problems
    if problems:
        raise InputError(problems)
    return project


def group_summary(project: GroupProject, summaries: dict[str, dict]) -> dict:
    """The group's ``dualcarbon.summary/1`` record: the consolidated totals, by category and by gas at the top
    level, and ``group`` (approach, entities, eliminations, totals); InputError if a transfer removes more than
    its buyer counts."""
    from dualcarbon import __version__

    problems = consolidation.check_transfers(project.transfers, summaries, _transfers_name(project.root))
    if problems:
        raise InputError(problems)
    s = project.settings
    block = consolidation.consolidate(s.organization.boundary, s.group.entities, summaries, project.transfers)
    organization = s.organization.model_dump(exclude_none=True)
    return {
        "schema": "dualcarbon.summary/1",
        "generator": f"dualcarbon {__version__}",
        "organization": organization,
        "period": {"start": s.period.start.isoformat(), "end": s.period.end.isoformat()},
        "gwp_set": s.method.gwp,
        "unit": "t CO2e",
        "totals": block["totals"],
        "by_gas": block.pop("by_gas"),
        "by_category": block.pop("by_category"),
        "factor_sets": _factor_sets(summaries),
        "neutrality": None,
        "warnings": [],
        "group": block,
    }


def _transfers_name(root: Path) -> str:
    path = find_transfers(root)
    return path.name if path is not None else "intragroup.csv"


def _factor_sets(summaries: dict[str, dict]) -> list[dict]:
    """The factor sets of the entities' runs, each once."""
    seen: dict[tuple, dict] = {}
    for summary in summaries.values():
        for fs in summary.get("factor_sets") or []:
            seen.setdefault((fs.get("dataset"), fs.get("version"), fs.get("sha256")), fs)
    return list(seen.values())


def group_table(summary: dict) -> pl.DataFrame:
    """group.csv: one row per entity (its contribution: its own figures times its share), one per elimination
    (negative), and the group's total, whose figures are the sums of the rows above it (t CO2e)."""
    block = summary["group"]
    rows = []
    for e in block["entities"]:
        rows.append(
            {
                "line": "entity",
                "id": e["id"],
                "name_zh": e["name_zh"],
                "name_en": e["name_en"],
                "equity_share": e["equity_share"],
                "operational_control": str(e["operational_control"]).lower(),
                "financial_control": str(e["financial_control"]).lower(),
                "share": e["share"],
                "entity_total_location_t": e["totals"]["total_location"],
                "entity_total_market_t": e["totals"]["total_market"],
                **{f"{k}_t": e["contribution"][k] for k in FIGURES},
                "reason_zh": e["reason_zh"],
                "reason_en": e["reason_en"],
            }
        )
    for x in block["eliminations"]:
        figures = dict.fromkeys(FIGURES, 0.0)
        if x["scope"] == "2":
            figures |= {"scope2_location": -x["eliminated_location_t"], "scope2_market": -x["eliminated_market_t"]}
        else:
            figures["scope3"] = -x["eliminated_location_t"]
        figures["total_location"] = figures["scope2_location"] + figures["scope3"]
        figures["total_market"] = figures["scope2_market"] + figures["scope3"]
        rows.append(
            {
                "line": "elimination",
                "id": x["id"],
                "share": x["eliminated_share"],
                **{f"{k}_t": v for k, v in figures.items()},
                "reason_zh": x["reason_zh"],
                "reason_en": x["reason_en"],
            }
        )
    rows.append({"line": "total", "id": "", **{f"{k}_t": block["totals"][k] for k in FIGURES}})
    schema = {
        "line": pl.String,
        "id": pl.String,
        "name_zh": pl.String,
        "name_en": pl.String,
        "equity_share": pl.Float64,
        "operational_control": pl.String,
        "financial_control": pl.String,
        "share": pl.Float64,
        "entity_total_location_t": pl.Float64,
        "entity_total_market_t": pl.Float64,
        **{f"{k}_t": pl.Float64 for k in FIGURES},
        "reason_zh": pl.String,
        "reason_en": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def inventory_table(summary: dict) -> pl.DataFrame:
    """inventory.csv of a group: the consolidated inventory by scope and category (eliminations deducted)."""
    rows = [
        {"scope": r["scope"], "category": r["category"], "scope2_method": r.get("scope2_method"), "co2e_t": r["co2e_t"]}
        for r in summary["by_category"]
    ]
    schema = {"scope": pl.String, "category": pl.String, "scope2_method": pl.String, "co2e_t": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def run_group(
    root: Path | str,
    out: Path | str | None = None,
    lang: str | None = None,
    progress: Callable[[str], None] | None = None,
    write: bool = True,
) -> GroupResult:
    """``dualcarbon run GROUP``: load the group, run (or read) each entity, consolidate, and write summary.json,
    group.csv, inventory.csv and report.html into ``out`` (default ``root/out``) atomically."""
    from dualcarbon.inventory import Inventory
    from dualcarbon.project.outputs import prepare, write_outputs

    step = progress or (lambda _: None)
    root = Path(root)
    out_dir = Path(out) if out else root / "out"
    names = ["summary.json", "inventory.csv", "group.csv", "report.html"]
    if write:
        prepare(out_dir, legacy=out is None, names=names)
    step("load")
    project = load_group(root)
    step("compute")
    summaries = {e.id: entity_summary(project, e) for e in project.entities}
    summary = group_summary(project, summaries)
    written: list[Path] = []
    if write:
        from dualcarbon.report.group import render_group_report

        step("report")
        html = render_group_report(summary, lang or project.settings.report.lang)
        step("write")
        empty = pl.DataFrame()
        inv = Inventory(summary, inventory_table(summary), empty, empty, empty)
        written = write_outputs(
            out_dir, inv, empty, html, {"group.csv": group_table(summary)}, emissions_format="none", legacy=out is None
        )
    return GroupResult(project, summary, written)
