"""Excel templates of the project's input tables (``dualcarbon template KIND``, the dashboard's download).

A template is a workbook whose first sheet has the table's header, in Chinese (the aliases of
``factors/data/columns.csv``, which the reader maps back to the contract's column names) or in
English (the column names themselves), required columns in bold, and drop-down lists (data
validation) on the columns whose values are enumerated: activity keys, units, scopes, credit types
and statuses, species groups … The lists live on a hidden second sheet. A filled template is read
as it is by ``dualcarbon validate``, ``run`` and the dashboard's upload.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from dualcarbon.i18n import translator


@dataclass(frozen=True)
class Column:
    name: str  # the contract's column name
    required: bool = False
    choices: str | None = None  # a list of LISTS
    strict: bool = False  # only the listed values (else the list is offered, other values allowed)


@dataclass(frozen=True)
class Template:
    kind: str
    file: str  # the file name the project folder expects
    columns: list[Column] = field(default_factory=list)


ROWS = 2000  # rows of the sheet that get the drop-down lists

TEMPLATES = {
    "activities": Template(
        "activities",
        "activities.xlsx",
        [
            Column("id", True),
            Column("facility"),
            Column("date", True),
            Column("activity", True, "activity"),
            Column("quantity", True),
            Column("unit", True, "unit"),
            Column("region", False, "region"),
            Column("scope", False, "scope", strict=True),
            Column("category", False, "category"),
            Column("ncv"),
            Column("ncv_unit", False, "ncv_unit"),
            Column("carbon_content"),
            Column("carbon_content_unit", False, "carbon_content_unit"),
            Column("oxidation"),
            Column("supplier"),
            Column("evidence"),
            Column("note"),
        ],
    ),
    "credits": Template(
        "credits",
        "credits.xlsx",
        [
            Column("id", True),
            Column("type", True, "credit_type", strict=True),
            Column("quantity", True),
            Column("unit", True, "credit_unit"),
            Column("factor"),
            Column("facility"),
            Column("region", False, "region"),
            Column("vintage"),
            Column("registry"),
            Column("serial_start"),
            Column("serial_end"),
            Column("project_type"),
            Column("removal", False, "boolean", strict=True),
            Column("retired_on"),
            Column("beneficiary"),
            Column("status", False, "credit_status"),
        ],
    ),
    "sinks": Template(
        "sinks",
        "sinks.xlsx",
        [
            Column("id", True),
            Column("type", True, "sink_type", strict=True),
            Column("area", True),
            Column("unit", True, "area_unit"),
            Column("species_group", True, "species_group"),
            Column("planting_year", True),
            Column("volume_growth_m3_per_ha_yr"),
            Column("wood_density_t_per_m3"),
            Column("bef"),
            Column("root_shoot"),
            Column("carbon_fraction"),
            Column("harvest_m3"),
            Column("evidence"),
            Column("note"),
        ],
    ),
    "measures": Template(
        "measures",
        "measures.xlsx",
        [
            Column("id", True),
            Column("name_zh"),
            Column("name_en"),
            Column("kind", False, "measure_kind", strict=True),
            Column("applies_to", False, "activity"),
            Column("share"),
            Column("potential_t"),
            Column("capex"),
            Column("opex"),
            Column("savings"),
            Column("cost_per_t"),
            Column("lifetime_years"),
            Column("start_year"),
            Column("ramp_up_years"),
            Column("excludes"),
            Column("partial", False, "boolean", strict=True),
            Column("source"),
            Column("note"),
        ],
    ),
    "indicators": Template(
        "indicators",
        "indicators.xlsx",
        [
            Column("indicator", True),
            Column("year", True),
            Column("value", True),
            Column("unit"),
            Column("target"),
            Column("target_year"),
            Column("better", False, "better", strict=True),
            Column("source"),
            Column("note"),
        ],
    ),
}
KINDS = tuple(TEMPLATES)


def header(column: str, lang: str) -> str:
    """The header of a column in ``lang``: its Chinese alias in zh, the column's own name in en."""
    return column if lang == "en" else translator(lang)(f"template.col.{column}")


def _lists(lang: str) -> dict[str, list[str]]:
    """The values of each drop-down list, in ``lang`` where the reader accepts both."""
    from dualcarbon.factors.library import FactorLibrary
    from dualcarbon.neutrality import sinks
    from dualcarbon.project import credits

    library = FactorLibrary.load()
    catalog = library.catalog.filter(~library.catalog["key"].str.contains(r"\*", literal=True))
    activities = []
    for key, name_zh in catalog.select("key", "name_zh").iter_rows():
        chinese = lang == "zh" and name_zh and library.aliases.get(str(name_zh).lower()) == key
        activities.append(str(name_zh) if chinese else key)
    species = sinks.species_names()
    groups = sorted(set(species.values()))
    if lang == "zh":  # the group's Chinese name where the catalogue of species has one
        by_group: dict[str, str] = {}
        for name, group in sorted(species.items()):
            if any("\u4e00" <= ch <= "\u9fff" for ch in name) and group not in by_group:
                by_group[group] = name
        groups = [by_group.get(g, g) for g in groups]
    zh = lang == "zh"
    return {
        "activity": sorted(dict.fromkeys(activities)),
        "unit": (
            ["吨", "千克", "万立方米", "立方米", "升", "千瓦时", "万千瓦时", "兆瓦时", "吉焦", "吨标准煤", "元", "万元"]
            if zh
            else ["t", "kg", "Nm3", "m3", "L", "gal", "kWh", "MWh", "GJ", "MMBtu", "therm", "USD"]
        ),
        "region": sorted(str(r) for r in library.regions["region"].to_list()),
        "scope": ["1", "2", "3"],
        "category": ["1.stationary", "1.mobile", "1.process", "1.fugitive", "2.electricity", "2.heat"]
        + [f"3.{i}" for i in range(1, 16)],
        "ncv_unit": ["GJ/t", "GJ/万Nm3", "GJ/Nm3", "MJ/kg", "TJ/Gg"],
        "carbon_content_unit": ["tC/GJ", "tC/TJ", "kgC/GJ"],
        "credit_type": sorted(credits.SCOPE2_TYPES) + sorted(credits.CREDIT_TYPES),
        "credit_unit": ["MWh", "tCO2e"],
        "credit_status": ["已注销", "持有", "待注销", "远期"] if zh else ["retired", "held", "pending", "forward"],
        "boolean": ["是", "否"] if zh else ["true", "false"],
        "sink_type": list(sinks.TYPES),
        "area_unit": ["亩", "万亩", "公顷", "m2"] if zh else ["ha", "m2", "亩"],
        "species_group": groups,
        "measure_kind": ["abatement", "removal"],
        "better": ["lower", "higher"],
    }


def workbook_bytes(kind: str, lang: str) -> bytes:
    """The template of ``kind`` (one of ``KINDS``) as an .xlsx, headers in ``lang``."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    template = TEMPLATES[kind]
    t = translator(lang)
    lists = _lists(lang)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t(f"template.kind.{kind}")[:31]
    choices = book.create_sheet("lists")
    choices.sheet_state = "hidden"
    used: dict[str, str] = {}
    for i, column in enumerate(template.columns, start=1):
        cell = sheet.cell(row=1, column=i, value=header(column.name, lang))
        cell.font = Font(bold=column.required)
        if column.required:
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
        cell.comment = Comment(
            t("template.required" if column.required else "template.optional", column=column.name), "dualcarbon"
        )
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(12, len(str(cell.value)) * 2 + 2)
        if column.choices is None:
            continue
        if column.choices not in used:
            values = lists[column.choices]
            at = get_column_letter(len(used) + 1)
            choices.cell(row=1, column=len(used) + 1, value=column.choices)
            for r, value in enumerate(values, start=2):
                choices.cell(row=r, column=len(used) + 1, value=value)
            used[column.choices] = f"lists!${at}$2:${at}${len(values) + 1}"
        validation = DataValidation(
            type="list",
            formula1=f"={used[column.choices]}",
            allow_blank=True,
            showErrorMessage=column.strict,
            errorTitle=t("template.invalid_title"),
            error=t("template.invalid", column=header(column.name, lang)),
        )
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{ROWS + 1}")
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write(kind: str, lang: str, path: Path | str) -> Path:
    """Write the template of ``kind`` to ``path`` (replacing it) and return the path."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(workbook_bytes(kind, lang))
    tmp.replace(path)
    return path
