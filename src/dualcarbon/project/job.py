"""The main job: project folder → validated activities → engine → inventory → neutrality
assessment → (with ``pathway``) the least-cost pathway → outputs, written atomically."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from dualcarbon import collapse, engine, inventory, neutrality, quality
from dualcarbon import intensity as plant_intensity
from dualcarbon.ets import tables as ets_tables
from dualcarbon.ets.units import has_units
from dualcarbon.model import Period, Settings
from dualcarbon.neutrality.records import BaseYear, Evidence
from dualcarbon.project import ets as project_ets
from dualcarbon.project import footprint, indicators, product_claim
from dualcarbon.project.limits import ReadLimits
from dualcarbon.project.load import Project, activity_files, load
from dualcarbon.project.outputs import (
    EMISSIONS_FORMATS,
    choose_format,
    emissions_names,
    owned_files,
    prepare,
    write_outputs,
)
from dualcarbon.territory import gpc

if TYPE_CHECKING:
    from dualcarbon.pathway import compute
    from dualcarbon.pathway.prices import PriceSeries
    from dualcarbon.project.products import ProductProject


@dataclass
class JobResult:
    project: Project
    inventory: inventory.Inventory
    emissions: object
    written: list[Path]
    assessment: neutrality.Assessment | None = None
    pathway: compute.Result | None = None
    ets: project_ets.EtsResult | None = None


def applied_instruments(emissions: pl.DataFrame) -> list[str]:
    """Ids of the Scope 2 instruments the market-based method applied (trace ``credits:<id>``)."""
    ids = emissions.filter(pl.col("factor_ids").str.starts_with("credits:"))["factor_ids"].unique()
    return sorted(i.removeprefix("credits:") for i in ids.to_list())


def assess(project: Project, inv: inventory.Inventory, emissions: pl.DataFrame) -> neutrality.Assessment | None:
    """The neutrality assessment of ``[neutrality]`` over the inventory; it fills ``summary["neutrality"]``.

    Over a period of several years the claim is for the last one (``claim_year``); a territory's claim
    counts the GPC lines of its totals (``claim_rows``)."""
    if project.settings.neutrality is None:
        return None
    claimed, settings, evidence = inv, project.settings, project.evidence
    if len(settings.period.years) > 1 or settings.is_territory:
        claimed, settings, evidence = claim_year(project, inv, emissions)
    result = neutrality.assess(
        claimed.summary,
        settings,
        project.credits,
        project.stands,
        evidence,
        applied_instruments(emissions),
        facilities=claimed.facilities["facility"],
    )
    inv.summary["neutrality"] = result.as_dict()
    return result


def claim_year(
    project: Project, inv: inventory.Inventory, emissions: pl.DataFrame
) -> tuple[inventory.Inventory, Settings, Evidence | None]:
    """A multi-year project's claim: the inventory of the period's last calendar year (the claim
    period: its removals, credit vintages and dates are checked against it), and, when ``[neutrality]
    base_year`` is a year of the period and neither ``base_year_emissions`` nor ``base_year_summary`` is
    given, the base year's footprint taken from the same project's rows of that year (on the claim's
    Scope 2 basis)."""
    settings = project.settings
    n = settings.neutrality
    assert n is not None
    last = settings.period.end.year
    period = Period(start=max(settings.period.start, dt.date(last, 1, 1)), end=settings.period.end)
    claim_settings = settings.model_copy(update={"period": period, "neutrality": n.model_copy(update={"period": None})})
    counted = claim_rows(project, emissions)

    def of_year(year: int) -> inventory.Inventory:
        rows = counted.filter(pl.col("year") == year)
        activity_rows = int(project.activities["_n"].sum())
        return inventory.summarize(rows, claim_settings, project.library, inv.summary["warnings"], activity_rows)

    claimed = of_year(last)
    evidence = project.evidence
    own = n.base_year_emissions is None and n.base_year_summary is None
    if own and n.base_year in settings.period.years and len(settings.period.years) > 1:
        footprint = of_year(n.base_year).summary["totals"][f"total_{n.scope2_basis}"]
        base = BaseYear(n.base_year, footprint, "by_year", settings.method.gwp)
        evidence = replace(evidence or Evidence(), base=base)
    return claimed, claim_settings, evidence


def claim_rows(project: Project, emissions: pl.DataFrame) -> pl.DataFrame:
    """The emission rows a claim counts: a territory's BASIC+ lines (``gpc.counted_rows``, as its
    intensities and pathway; docs/territory.md); an organisation's rows as they are."""
    if project.settings.is_territory and "gpc" in emissions.columns:
        return gpc.counted_rows(emissions)
    return emissions


def territory_inputs(project: Project) -> tuple[dict[int, float], dict[int, float]]:
    """Population (persons) and GDP (in ``[territory] gdp_unit``) by year: the indicators ``population``
    and ``gdp`` of ``indicators.csv`` (``Project.indicators``, converted by ``indicators.series``), and
    ``[territory]``'s values for the period's last year where the file has none."""
    t = project.settings.territory
    assert t is not None
    population = indicators.series(project.indicators, "population", "人")
    gdp = indicators.series(project.indicators, "gdp", t.gdp_unit)
    last = project.settings.period.end.year
    if t.population is not None:
        population.setdefault(last, t.population)
    if t.gdp is not None:
        gdp.setdefault(last, t.gdp)
    return population, gdp


def territory_figures(project: Project, inv: inventory.Inventory, emissions: pl.DataFrame) -> None:
    """A territory's ``summary["territory"]`` and each ``by_year`` entry's ``territory`` (docs/territory.md)."""
    from dualcarbon.territory import summary as territory_summary

    population, gdp = territory_inputs(project)
    block, per_year = territory_summary.summarize(emissions, project.settings, project.stands, population, gdp)
    inv.summary["territory"] = block
    for entry in inv.summary["by_year"]:
        entry["territory"] = per_year.get(entry["year"])


def data_quality(project: Project, inv: inventory.Inventory, emissions: pl.DataFrame) -> dict:
    """The data-quality record (``quality.assess``) in ``summary["data_quality"]``; records summed
    into calculation groups (ledgers) keep no evidence references, so evidence is not assessed."""
    evidence = None if project.ledger is not None else project.activities.select("_idx", "evidence", "_n")
    inv.summary["data_quality"] = quality.assess(emissions, evidence)
    return inv.summary["data_quality"]


def inventory_uncertainty(
    project: Project, inv: inventory.Inventory, emissions: pl.DataFrame, iterations: int | None = None
) -> dict | None:
    """``summary["uncertainty"]``: IPCC 2006 Vol. 1 Ch. 3 Approaches 1 and 2 over the inventory
    (``uncertainty.inventory.assess``) when ``iterations`` (else ``[method] uncertainty``) is above 0;
    None otherwise, at no cost to the run."""
    method = project.settings.method
    n = method.uncertainty if iterations is None else iterations
    if not n:
        inv.summary["uncertainty"] = None
        return None
    from dualcarbon.uncertainty.inventory import assess as assess_uncertainty

    acts = project.activities
    stated = pl.col("uncertainty") if "uncertainty" in acts.columns else pl.lit(None, pl.Float64)
    if method.activity_uncertainty is not None:
        stated = stated.fill_null(method.activity_uncertainty)
    activity_u = acts.select(pl.col("_idx"), stated.cast(pl.Float64).alias("uncertainty"))
    inv.summary["uncertainty"] = assess_uncertainty(
        emissions, activity_u, project.library.factors, n, method.uncertainty_seed
    )
    return inv.summary["uncertainty"]


def calculate(project: Project, mapper: Callable = map) -> tuple[engine.EngineResult, inventory.Inventory]:
    """Engine and inventory of a loaded project (``mapper`` spreads the ledger's partitions)."""
    result = engine.compute(project.activities, project.library, project.settings, project.instruments, project.spend)
    lines = None
    if project.ledger is not None:  # groups span facilities: share their CO2e back out
        lines = project.ledger.facility_lines(collapse.group_rates(result.emissions), mapper)
    rows = int(project.activities["_n"].sum())
    inv = inventory.summarize(result.emissions, project.settings, project.library, result.warnings, rows, lines)
    if project.settings.is_territory:
        territory_figures(project, inv, result.emissions)
    inv.summary["intensity"] = plant_intensity.summarize(result.emissions, project.settings, lines)
    return result, inv


def read_measures(root: Path, limits: ReadLimits | None = None) -> tuple[list, str]:
    """The project's measures (none without a measures file) and the file's name; InputError if invalid.

    ``limits``: those the project was loaded with (``Project.limits``); None: the defaults."""
    from dualcarbon.errors import InputError
    from dualcarbon.project.measures import find, load_measures

    path = find(root)
    if path is None:
        return [], "measures.csv"
    found, problems = load_measures(path, limits or ReadLimits())
    if problems:
        raise InputError(problems)
    return found, path.name


def run(
    root: Path | str,
    out: Path | str | None = None,
    lang: str | None = None,
    progress: Callable[[str], None] | None = None,
    write: bool = True,
    batch_rows: int | None = None,
    grouped: bool | None = None,
    mapper: Callable | None = None,
    pathway: bool | None = False,
    pdf: bool | None = False,
    emissions: str = "auto",
    uncertainty: int | None = None,
) -> JobResult:
    """Run the inventory of a project folder (and its neutrality assessment when configured) and
    write ``out/`` atomically.

    ``pathway``: also the least-cost pathway to ``[targets]`` (``dualcarbon pathway``), adding
    pathway.csv, measures_plan.csv, abatement.csv and pathway.json (docs/pathway.md) and the report's
    pathway section. ``None``: as the output folder has it (``kept_parts``): a folder that holds a
    pathway gets it computed again, so a ``run`` after a ``pathway`` neither drops nor leaves stale
    the pathway's files.
    ``mapper``: a ``map`` that runs the per-file passes elsewhere (``distributed.dask_mapper``).
    ``pdf``: also write ``report.pdf`` (headless Chromium, ``report.pdf``); without an engine this
    fails before anything is computed or written. ``None``: as the output folder has it (a folder that
    holds a report.pdf gets it printed again, never a PDF older than the report beside it).
    ``uncertainty``: Monte Carlo iterations of the inventory's uncertainty (docs/uncertainty.md); None: as
    ``[method] uncertainty`` has it, 0: none.
    ``emissions``: the row-level emission file, ``csv``, ``parquet``, ``xlsx``, ``none`` or ``auto`` (CSV while
    the rows fit a spreadsheet, Parquet above: ``outputs.choose_format``, which refuses ``xlsx`` above them).
    """
    if emissions not in EMISSIONS_FORMATS:
        from dualcarbon.errors import InputError, msg

        raise InputError.single(
            msg("problem.one_of", choices=", ".join(EMISSIONS_FORMATS)), column="--emissions", value=emissions
        )
    step = progress or (lambda _: None)
    out_dir = Path(out) if out else Path(root) / "out"
    kept = kept_parts(out_dir, legacy=out is None) if write else set()
    pdf_kept = pdf is None and "pdf" in kept
    pdf = pdf or pdf_kept
    engine_path = None
    if pdf and write:
        from dualcarbon.report.pdf import PdfEngineMissing, find_engine

        try:
            engine_path = find_engine()
        except PdfEngineMissing as exc:
            if not pdf_kept:
                raise
            raise PdfEngineMissing(exc.searched, kept=True) from exc
    if write:  # a folder dualcarbon may not write into is refused before any work (and again when writing)
        names = ["summary.json", "inventory.csv", *FULL_TABLES, "report.html", *emissions_names(emissions)]
        names += ["report.pdf"] * pdf
        names += list(PATHWAY_OUTPUTS) * bool(pathway)
        names += [project_ets.XLSX] * has_units(Path(root))
        prepare(out_dir, legacy=out is None, names=names)
    step("load")
    from dualcarbon.project import products

    if products.has_product(Path(root)) and not activity_files(Path(root)):
        from dualcarbon.errors import InputError, msg

        raise InputError.single(msg("product.error.run_without_activities", root=str(root)), file="activities.csv")
    project = load(root, batch_rows=batch_rows, grouped=grouped, mapper=mapper)
    from dualcarbon.financed import portfolio as financed_portfolio

    portfolio = financed_portfolio.assess(Path(root), project.settings, project.limits)  # before any file is written
    if pathway is None:  # kept when the folder has one and the project still sets targets
        pathway = "pathway" in kept and (project.settings.targets or project.settings.pathway) is not None
    measures, measures_file = _pathway_inputs(project) if pathway else ([], "")
    instruments, price_series, instruments_file = fiscal_inputs(project, measures) if pathway else ([], None, "")
    step("compute")
    result, inv = calculate(project, mapper or map)
    if write:  # emissions.xlsx of more rows than a sheet holds: refused before the report and any file
        choose_format(emissions, int(inv.summary["emission_rows"]))
    inv.summary["indicators"] = indicators.records(project.indicators)
    inv.summary["financed"] = None if portfolio is None else portfolio.summary
    data_quality(project, inv, result.emissions)
    inventory_uncertainty(project, inv, result.emissions, uncertainty)
    footprint_record = product_footprint(project)
    if footprint_record is not None and product_claim.claimed(project.settings):
        assessment = product_assessment(project, inv, footprint_record)
    else:
        assessment = assess(project, inv, result.emissions)
    inv.summary["product"] = None if footprint_record is None else footprint.summary_product(footprint_record)
    ets_result = project_ets.compute(project.ets) if project.ets is not None else None
    inv.summary["ets"] = None if ets_result is None else ets_result.summary
    plan = None
    if pathway:
        from dualcarbon.neutrality.sinks import annual_removals
        from dualcarbon.pathway import compute as pathway_compute

        step("optimize")
        years = list(range(project.settings.period.start.year, 2201))
        stands = annual_removals(project.stands, years)
        plan = pathway_compute.compute(
            result.emissions,
            project.settings,
            measures,
            measures_file,
            stands,
            indicators.by_year(project.indicators, project.settings),
            instruments,
            price_series,
            inv.summary.get("ets"),
            instruments_file,
        )
    written: list[Path] = []
    if write:
        lang = lang or project.settings.report.lang
        step("report")
        from dualcarbon.report.html import render_report

        html = render_report(
            inv.summary, inv.inventory, inv.by_source, inv.factor_sources, lang, pathway=plan, product=footprint_record
        )
        files = {"report.pdf": _pdf(inv, lang, engine_path, plan, footprint_record)} if engine_path else {}
        if ets_result is not None:
            files[project_ets.XLSX] = ets_tables.workbook(
                ets_result.summary, ets_result.fuel, ets_result.months, ets_result.years, lang
            )
        step("write")
        rows = project.ledger.emission_rows(result.emissions) if project.ledger is not None else result.emissions
        tables = full_tables(inv)
        if assessment is not None:
            tables["neutrality.csv"] = assessment.checks_frame()
        if portfolio is not None:
            tables["financed.csv"] = portfolio.table
        texts = {}
        if footprint_record is not None:
            tables |= footprint.tables(footprint_record)
            texts["footprint.json"] = footprint.json_text(footprint_record)
        if plan is not None:
            tables |= {
                "pathway.csv": plan.plan.table,
                "measures_plan.csv": plan.plan.measures,
                "abatement.csv": plan.plan.abatement,
            }
            texts["pathway.json"] = _pathway_json(plan, lang)
        fmt = choose_format(emissions, int(inv.summary["emission_rows"]))
        written = write_outputs(
            out_dir, inv, rows, html, tables, texts, files, emissions_format=fmt, legacy=out is None
        )
    return JobResult(project, inv, result.emissions, written, assessment, plan, ets_result)


def product_assessment(project: Project, inv: inventory.Inventory, record: dict) -> neutrality.Assessment | None:
    """The carbon-neutral claim of the project's product (docs/products-neutrality.md): it fills footprint.json's
    and summary.json's ``neutrality``."""
    p = project.settings.product
    assert p is not None, "called for a project with [product]"
    result = product_claim.assess(
        record,
        project.settings,
        project.credits,
        project.stands,
        project.evidence,
        units_sold=p.units_sold,
        base_footprint_kg_co2e=p.base_footprint_kg_co2e,
    )
    inv.summary["neutrality"] = record["neutrality"]
    return result


def product_footprint(project: Project) -> dict | None:
    """footprint.json of a project with ``[product]`` (docs/products.md), its Monte Carlo as ``[product]`` sets it."""
    if project.settings.product is None:
        return None
    from dualcarbon.project import products

    model = products.load_product(project.root, library=project.library, settings=project.settings)
    return footprint.footprint(model)


@dataclass
class FootprintResult:
    model: ProductProject
    record: dict
    written: list[Path]
    report_by_run: bool  # the project has activities: its report is run's (inventory and product section)


def footprint_job(
    root: Path | str,
    out: Path | str | None = None,
    lang: str | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    product: str | None = None,
    iterations: int | None = None,
    seed: int | None = None,
    pdf: bool | None = None,
) -> FootprintResult:
    """``dualcarbon footprint``: the product's footprint (docs/products.md), its carbon-neutral claim when
    ``[neutrality] subject = "product"``, and footprint.json, by_process.csv, by_stage.csv, report.html (and
    report.pdf) written atomically into ``out`` (default ``root/out``).

    A project that also has activities keeps ``run``'s report.html and report.pdf (which hold the product
    section beside the inventory). ``pdf``: also report.pdf; None: as the output folder has it; without a
    Chromium this fails before anything is computed or written, and when it is not printed an earlier
    report.pdf of the folder is removed."""
    from dualcarbon.project import footprint as outputs
    from dualcarbon.project.products import load_product

    step = progress or (lambda _: None)
    out_dir = Path(out) if out is not None else Path(root) / "out"
    report_by_run = Path(root).is_dir() and bool(activity_files(Path(root)))
    printed = pdf if pdf is not None else "pdf" in kept_parts(out_dir, legacy=out is None)
    engine_path = None
    if printed and not report_by_run:
        from dualcarbon.report.pdf import find_engine

        engine_path = find_engine()
    step("load")
    model = load_product(root)
    step("compute")
    record = outputs.footprint(model, product=product, iterations=iterations, seed=seed)
    if product_claim.claimed(model.settings) and record["reference"] == model.product.reference:
        credits, stands, evidence = product_claim.read_inputs(model.root, model.settings, model.library)
        product_claim.assess(
            record,
            model.settings,
            credits,
            stands,
            evidence,
            units_sold=model.product.units_sold,
            base_footprint_kg_co2e=model.product.base_footprint_kg_co2e,
        )
    documents = None
    if not report_by_run:
        step("report")
        documents = outputs.report_documents(model, record, lang or model.settings.report.lang, engine_path)
    step("write")
    drop = ("report.pdf",) if documents is not None else ()  # a report.pdf not printed again: removed
    written = outputs.write(out_dir, record, legacy=out is None, documents=documents, drop=drop)
    return FootprintResult(model, record, written, report_by_run)


def pathway(
    root: Path | str,
    out: Path | str | None = None,
    lang: str | None = None,
    progress: Callable[[str], None] | None = None,
    write: bool = True,
    pdf: bool | None = None,
) -> JobResult:
    """``run`` with the least-cost pathway (``dualcarbon pathway``): the inventory, the neutrality
    assessment and the pathway in one report; ``pdf`` as in ``run``."""
    return run(root, out, lang, progress, write, pathway=True, pdf=pdf)


#: the full tables of which summary.json and the report show the largest entries (``inventory.TOP``)
FULL_TABLES = ("facilities.csv", "sources.csv")


def full_tables(inv: inventory.Inventory) -> dict[str, pl.DataFrame]:
    """facilities.csv (every facility: ``inventory.facility_table``) and sources.csv (every activity source of
    the report: ``Inventory.by_source``), written by every run whatever their length (docs/file-formats.md)."""
    return {"facilities.csv": inv.facilities, "sources.csv": inv.by_source.select(SOURCE_COLUMNS)}


#: sources.csv's columns, in order
SOURCE_COLUMNS = [
    "activity",
    "activity_name_zh",
    "activity_name_en",
    "activity_kind",
    "scope",
    "category",
    "quantity",
    "unit",
    "co2e_t",
]

#: the files a pathway adds to the run's outputs
PATHWAY_OUTPUTS = ("pathway.csv", "measures_plan.csv", "abatement.csv", "pathway.json")


def kept_parts(out_dir: Path, legacy: bool = False) -> set[str]:
    """The optional parts an output folder holds from an earlier run: ``pdf`` (report.pdf) and
    ``pathway`` (pathway.json). A run that is not told otherwise writes them again, so that ``run`` and
    ``pathway`` never remove each other's files and the folder never mixes outputs of two runs.
    Nothing for a folder dualcarbon may not write into (``prepare`` says why)."""
    from dualcarbon.errors import InputError

    try:
        owned = owned_files(out_dir, legacy)
    except InputError:
        return set()
    return {part for part, name in (("pdf", "report.pdf"), ("pathway", "pathway.json")) if name in owned}


def fiscal_inputs(project: Project, measures: list) -> tuple[list, PriceSeries | None, str]:
    """The project's fiscal instruments (``[pathway] instruments``, else instruments.csv if any) and the carbon
    price file ``[pathway] carbon_price`` names (None for a bundled series or a price in dualcarbon.toml) and the
    instruments file's name;
    InputError naming file, row and column if either is invalid."""
    from dualcarbon.errors import InputError
    from dualcarbon.pathway import prices
    from dualcarbon.project import fiscal

    pw = project.settings.pathway
    path = fiscal.find(project.root, pw.instruments if pw is not None else None)
    instruments: list = []
    if path is not None:
        instruments, problems = fiscal.load_instruments(path, measures, project.limits)
        if problems:
            raise InputError(problems)
    series = None
    spec = pw.carbon_price if pw is not None else None
    if isinstance(spec, str) and spec.strip().lower() not in prices.bundled():
        series, problems = fiscal.load_prices(project.root / spec, project.limits)
        if problems:
            raise InputError(problems)
    return instruments, series, path.name if path is not None else "instruments.csv"


def _pathway_inputs(project: Project) -> tuple[list, str]:
    from dualcarbon.errors import InputError, Problem, msg

    if project.settings.targets is None and project.settings.pathway is None:
        raise InputError(
            Problem(
                "dualcarbon.toml",
                None,
                "targets",
                None,
                msg("problem.targets_required"),
            )
        )
    return read_measures(project.root, project.limits)


def _pathway_json(plan: compute.Result, lang: str) -> str:
    """pathway.json: the pathway's summary with both charts as plotly JSON."""
    from dualcarbon.i18n import translator
    from dualcarbon.pathway import charts

    t = translator(lang)
    record = plan.summary()
    record["charts"] = {
        "trajectory": json.loads(charts.trajectory_figure(plan.plan.table, t, plan.known_t).to_json()),
        "macc": json.loads(charts.macc_figure(plan.plan.macc, t, lang, plan.settings.currency).to_json()),
    }
    for name, per in (("intensity", "gdp"), ("per_capita", "capita")):
        figure = charts.intensity_figure(plan.plan.table, t, per)
        if figure is not None:
            record["charts"][name] = json.loads(figure.to_json())
    return json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n"


def _pdf(
    inv: inventory.Inventory,
    lang: str,
    engine_path: str,
    plan: compute.Result | None = None,
    product: dict | None = None,
) -> bytes:
    """``report.pdf``: the report's print layout, printed by headless Chromium (``report.pdf``)."""
    from dualcarbon.report.html import render_report
    from dualcarbon.report.pdf import html_to_pdf

    html = render_report(
        inv.summary,
        inv.inventory,
        inv.by_source,
        inv.factor_sources,
        lang,
        pathway=plan,
        print_layout=True,
        product=product,
    )
    return html_to_pdf(html, engine_path)
