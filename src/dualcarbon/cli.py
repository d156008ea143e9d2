"""Command line: ``dualcarbon run | footprint | pathway | compare | validate | init | disclose | factors | serve | org
| user``.

Heavy modules (polars, pint, the engine) are imported inside the commands so that
``dualcarbon --help`` answers quickly. Exit codes: 0 success, 2 invalid input, 1 internal error.
"""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from dualcarbon.project.examples import names as bundled_examples

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="dualcarbon (双碳): carbon accounting and neutrality."
)
factors_app = typer.Typer(no_args_is_help=True, help="Search and show bundled emission factors.")
app.add_typer(factors_app, name="factors")
org_app = typer.Typer(no_args_is_help=True, help="Organisations of the API's store (see docs/api.md).")
app.add_typer(org_app, name="org")
user_app = typer.Typer(
    no_args_is_help=True, help="People of the API's store: list them, reset a password (see docs/api.md)."
)
app.add_typer(user_app, name="user")

LangOption = typer.Option(None, "--lang", help="Language of messages and report: zh or en.")
EXAMPLES = list(bundled_examples())  # every folder of src/dualcarbon/examples


def _console():
    from rich.console import Console

    return Console(), Console(stderr=True)


def _t(lang: str | None):
    from dualcarbon.i18n import languages, translator

    return translator(lang if lang in languages() else "en")


def _project_lang(project: Path | None, lang: str | None) -> str:
    """The language of messages: --lang, else the project's [report] lang, else English."""
    import tomllib

    from dualcarbon.i18n import languages

    if lang in languages():
        return str(lang)
    try:
        data = tomllib.loads((Path(project) / "dualcarbon.toml").read_text(encoding="utf-8-sig")) if project else {}
        chosen = data.get("report", {}).get("lang")
    except (OSError, ValueError, AttributeError):
        chosen = None
    return chosen if chosen in languages() else "en"


def _fail_input(exc, lang: str | None, problems_file: Path | None = None) -> None:
    _, err = _console()
    lang = lang or "en"
    t = _t(lang)
    err.print(f"[bold red]{t('cli.problems_found', n=len(exc.problems))}[/]")
    for problem in exc.problems:
        err.print(f"  • {problem.message(lang)}", markup=False, highlight=False)
    if problems_file is not None:
        from dualcarbon.project.problems_book import write_problems

        write_problems(exc.problems, problems_file, lang)
        err.print(t("validate.problems_written", path=str(problems_file)), markup=False, highlight=False)
    raise typer.Exit(2)


def _guard(fn, lang, project: Path | None = None, problems_file: Path | None = None):
    from dualcarbon.errors import InputError, msg
    from dualcarbon.i18n import languages

    try:
        if lang is not None and lang not in languages():
            raise InputError.single(
                msg("problem.language", choices=", ".join(languages())), column="--lang", value=lang
            )
        return fn()
    except InputError as exc:
        _fail_input(exc, _project_lang(project, lang), problems_file)


@app.command()
def run(
    project: Path = typer.Argument(..., help="Project folder with dualcarbon.toml and activities."),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default PROJECT/out)."),
    lang: str | None = LangOption,
    engine: str = typer.Option("local", "--engine", help="local, or dask: the Parquet passes on a Dask cluster."),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Dask scheduler address (tcp://host:8786); default: a local cluster of 2 worker processes.",
    ),
    batch_rows: int | None = typer.Option(
        None, "--batch-rows", min=1000, help="Rows read at a time from Parquet ledgers (bounds memory)."
    ),
    pdf: bool | None = typer.Option(
        None,
        "--pdf/--no-pdf",
        help="Also write report.pdf (needs Chromium and CJK fonts: apt-get install chromium fonts-noto-cjk); "
        "default: as the output folder has it (a report.pdf there is printed again).",
    ),
    with_pathway: bool | None = typer.Option(
        None,
        "--pathway/--no-pathway",
        help="Also compute the least-cost pathway (as `dualcarbon pathway`); default: as the output folder has it "
        "(a pathway written there by `dualcarbon pathway` is computed again, not removed).",
    ),
    emissions: str = typer.Option(
        "auto",
        "--emissions",
        help="Row-level emissions file: csv, parquet, xlsx (one worksheet: up to 1,048,575 rows) or none; "
        "auto (default): emissions.csv up to 1,048,575 rows (a spreadsheet's limit), emissions.parquet above.",
    ),
    uncertainty: int | None = typer.Option(
        None,
        "--uncertainty",
        min=0,
        max=1_000_000,
        help="Monte Carlo iterations of the inventory's uncertainty (IPCC 2006 Vol. 1 Ch. 3 Approaches 1 and 2); "
        "0: none; default: [method] uncertainty of dualcarbon.toml (docs/uncertainty.md).",
    ),
) -> None:
    """Compute the GHG inventory of PROJECT and write summary.json, emissions.csv, inventory.csv, report.html
    (and report.pdf with --pdf)."""
    from dualcarbon.project import job
    from dualcarbon.project.group import is_group

    console, err = _console()
    if is_group(project):  # a group project (docs/groups.md): its entities run or read, then consolidated
        given = {
            "--pdf": pdf,
            "--pathway": with_pathway,
            "--emissions": emissions != "auto",
            "--uncertainty": uncertainty is not None,
            "--engine": engine != "local",
            "--scheduler": scheduler is not None,
            "--batch-rows": batch_rows is not None,
        }
        _run_group(console, err, project, out, lang, [option for option, on in given.items() if on])
        return
    steps = ["load", "compute", "summarize", "optimize", "report", "write"]
    with _steps(err, steps) as progress:

        def work():
            from dualcarbon.errors import InputError
            from dualcarbon.project.outputs import EMISSIONS_FORMATS

            if emissions not in EMISSIONS_FORMATS:
                raise InputError.single(
                    f"expected one of: {', '.join(EMISSIONS_FORMATS)}", column="--emissions", value=emissions
                )
            if engine not in ("local", "dask"):
                raise InputError.single(f"unknown engine {engine!r}: expected local or dask", column="--engine")
            if scheduler and engine != "dask":
                raise InputError.single("--scheduler needs --engine dask", column="--scheduler", value=scheduler)
            start = functools.partial(
                job.run,
                project,
                out,
                lang,
                progress,
                batch_rows=batch_rows,
                pdf=pdf,
                emissions=emissions,
                uncertainty=uncertainty,
            )
            if engine == "dask":
                from dualcarbon.project.distributed import dask_mapper

                with dask_mapper(scheduler) as mapper:
                    return start(mapper=mapper, pathway=with_pathway)
            return start(pathway=with_pathway)

        result = _guard(lambda: _pdf_guard(work, lang), lang, project)
    lang = lang or result.project.settings.report.lang
    _print_summary(console, result.inventory.summary, lang)
    if result.inventory.summary.get("uncertainty"):
        _print_uncertainty(console, result.inventory.summary["uncertainty"], lang)
    if result.inventory.summary.get("territory"):
        _print_territory(console, result.inventory.summary["territory"], lang)
    if result.inventory.summary.get("intensity"):
        _print_intensity(console, result.inventory.summary["intensity"], lang)
    if result.inventory.summary.get("ets"):
        _print_ets(console, result.inventory.summary["ets"], lang)
    if result.inventory.summary.get("neutrality"):
        _print_neutrality(console, result.inventory.summary["neutrality"], lang)
    if result.inventory.summary.get("financed"):
        _print_financed(console, result.inventory.summary["financed"], lang)
    if result.pathway is not None:
        _print_pathway(console, err, result.pathway, lang)
    _print_written(console, err, result.written, lang)


def _run_group(console, err, project: Path, out: Path | None, lang: str | None, options: list[str]) -> None:
    """``dualcarbon run GROUP``: the group's consolidation (docs/groups.md), its totals and entities printed;
    ``options``: those of ``run`` given that a group does not take (each a problem, exit 2)."""
    from dualcarbon.errors import InputError, Problem, msg
    from dualcarbon.project.group import run_group

    def work():
        if options:
            raise InputError([Problem(None, None, o, None, msg("group.problem.option")) for o in options])
        return run_group(project, out, lang, progress)

    with _steps(err, ["load", "compute", "report", "write"]) as progress:
        result = _guard(work, lang, project)
    lang = lang or result.project.settings.report.lang
    _print_summary(console, result.summary, lang)
    _print_group(console, result.summary["group"], lang)
    _print_written(console, err, result.written, lang)


def _print_group(console, block: dict, lang: str) -> None:
    """The entities with their shares and contributions, and each elimination with its reason."""
    from rich.table import Table

    from dualcarbon import figures
    from dualcarbon.report.sections import percent

    t = _t(lang)
    table = Table(title=t("group.cli.title", approach=t(f"boundary.{block['approach']}")))
    table.add_column(t("group.report.col.entity"))
    table.add_column(t("group.report.col.equity"), justify="right")
    table.add_column(t("group.report.col.share"), justify="right")
    table.add_column(t("group.report.col.own_total"), justify="right")
    table.add_column(t("group.report.col.contribution"), justify="right")
    for e in block["entities"]:
        name = (e.get("name_en") if lang == "en" else None) or e["name_zh"]
        table.add_row(
            name,
            percent(e["equity_share"]),
            percent(e["share"]),
            figures.tonnes(e["totals"]["total_location"]),
            figures.tonnes(e["contribution"]["total_location"]),
        )
    console.print(table)
    for x in block["eliminations"]:
        console.print(f"- {x[f'reason_{lang}']}", markup=False, highlight=False)


def _print_written(console, err, written: list[Path], lang: str) -> None:
    """The files written, and a warning when a Chinese report.pdf was printed without a Chinese font."""
    t = _t(lang)
    for path in written:
        console.print(t("cli.wrote", path=str(path)), highlight=False)
    if lang == "zh" and any(path.name == "report.pdf" for path in written):
        from dualcarbon.report.pdf import cjk_font_installed

        if cjk_font_installed() is False:
            err.print(f"[yellow]! {t('cli.no_cjk_font')}[/]", highlight=False)


def _pdf_guard(work, lang: str | None):
    """``work()``, with a missing PDF engine reported as what to install (exit 2, nothing written)."""
    from dualcarbon.report.pdf import PdfEngineMissing, PdfRenderError

    try:
        return work()
    except PdfEngineMissing as exc:
        _, err = _console()
        err.print(f"[bold red]{_t(lang)('cli.pdf_engine_missing')}[/]", highlight=False)
        err.print(f"  {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    except PdfRenderError as exc:
        _, err = _console()
        err.print(f"internal error: {exc}", markup=False, highlight=False)
        raise typer.Exit(1) from exc


def _print_summary(console, summary: dict, lang: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    from dualcarbon import figures

    t = _t(lang)
    org, period = summary["organization"], summary["period"]
    name = (org.get("name_en") or org["name"]) if lang == "en" else org["name"]
    from rich.cells import cell_len

    title = t("cli.title", org=name, start=period["start"], end=period["end"])
    # as wide as the title (within the console), so that the title does not wrap in the middle of a date
    divisor = figures.scale(summary["totals"].values(), lang)
    table = Table(title=title, min_width=min(cell_len(title), console.width))
    table.add_column(t("cli.item"))
    table.add_column(_tonnes_header(t, divisor), justify="right")
    labels = {
        "scope1": "totals.scope1",
        "scope2_location": "totals.scope2_location",
        "scope2_market": "totals.scope2_market",
        "scope3": "totals.scope3",
        "total_location": "totals.total_location",
        "total_market": "totals.total_market",
        "biogenic_co2": "totals.biogenic_co2",
    }
    for key, label in labels.items():
        table.add_row(t(label), figures.scaled(summary["totals"][key], divisor))
    console.print(table)
    for warning in summary.get("warnings", []):
        message = escape(warning["message_zh" if lang == "zh" else "message_en"])
        console.print(f"[yellow]! {message}[/]", highlight=False)


def _print_uncertainty(console, record: dict, lang: str) -> None:
    """One line: Approach 2's mean and 95 % interval of the location-based total, Approach 1's ±."""
    from dualcarbon import figures
    from dualcarbon.report.sections import percent

    line = _t(lang)(
        "uncertainty.cli.line",
        iterations=f"{record['iterations']:,}",
        mean=figures.tonnes(record["mean"]),
        low=figures.tonnes(record["p2_5"]),
        high=figures.tonnes(record["p97_5"]),
        u=percent(record["approach1"]["u"]),
    )
    console.print(line, highlight=False, markup=False)


def _print_financed(console, financed: dict, lang: str) -> None:
    """The portfolio's financed emissions (docs/financed.md): total, per million invested, WACI against the
    benchmark's, the weighted data quality score; then any holding whose attribution was capped."""
    from dualcarbon import figures

    t = _t(lang)

    def number(value: float | None, digits: int = 1) -> str:
        return "—" if value is None else f"{value:,.{digits}f}"

    bench = financed.get("benchmark") or {}
    lines = [
        t(
            "financed.cli.total",
            total=figures.tonnes(financed["total_t"]),
            scope3=figures.tonnes(financed["total_scope3_t"]),
            holdings=financed["holdings"],
        ),
        t(
            "financed.cli.per_million",
            value=number(financed["per_million_invested_t"], 2),
            currency=financed.get("currency") or "",
        ),
        t("financed.cli.waci", value=number(financed["waci_t_per_million_revenue"])),
    ]
    if bench.get("waci_t_per_million_revenue") is not None:
        lines.append(
            t(
                "financed.cli.benchmark",
                value=number(bench["waci_t_per_million_revenue"]),
                allocation=number(bench.get("allocation")),
                selection=number(bench.get("selection")),
            )
        )
    lines.append(t("financed.cli.quality", score=number(financed["data_quality"]["weighted"], 2)))
    change = financed.get("change")
    if change:
        lines.append(
            t(
                "financed.cli.change",
                total=number(change["total"]),
                emissions=number(change["emissions"]),
                denominator=number(change["denominator"]),
                outstanding=number(change["outstanding"]),
                entries=number(change["entries_exits"]),
            )
        )
    for line in lines:
        console.print(line, highlight=False, markup=False)
    for flag in financed.get("flags", []):
        console.print(
            t(f"financed.cli.flag.{flag['flag']}", id=flag["id"]), style="yellow", highlight=False, markup=False
        )


def _tonnes_header(t: Callable[..., str], divisor: float) -> str:
    """The unit of a table's tonnes: 万吨 CO2e when ``figures.scale`` chose it, else tonnes."""
    from dualcarbon import figures

    return t("fig.wan_t_co2e") if divisor == figures.WAN else t("cli.unit_t_co2e")


def _print_territory(console, territory: dict, lang: str) -> None:
    """A territory's headline figures: GPC BASIC and BASIC+, indirect electricity, removals, intensities
    (docs/territory.md); in Chinese the totals in 万吨 CO2e."""
    from rich.table import Table

    t = _t(lang)
    table = Table(title=t("cli.territory.title", year=territory["year"]))
    table.add_column(t("cli.item"))
    table.add_column(t("cli.territory.value"), justify="right")
    table.add_column(t("cli.territory.unit"))
    scale = 1e4 if lang == "zh" else 1.0  # 万吨

    def row(key: str, value: float | None, unit: str, divide: float = 1.0, digits: int = 2) -> None:
        text = "—" if value is None else f"{value / divide:,.{digits}f}"
        table.add_row(t(f"cli.territory.{key}"), text, t(f"cli.territory.unit_{unit}"))

    row("basic", territory["gpc"]["basic"], "total", scale)
    row("basic_plus", territory["gpc"]["basic_plus"], "total", scale)
    row("indirect_electricity", territory["ipcc"]["indirect_electricity_t"], "total", scale)
    row("removals", territory["removals_t"], "total", scale)
    row("per_capita", territory["per_capita_t"], "per_capita", digits=3)
    row("per_gdp", territory["per_gdp_t_per_10k_cny"], "per_gdp", digits=4)
    row("energy", territory["energy_tce"], "energy", scale)
    row("energy_intensity", territory["energy_intensity_tce_per_10k_cny"], "energy_intensity", digits=4)
    console.print(table)
    if territory["per_capita_t"] is None or territory["per_gdp_t_per_10k_cny"] is None:
        console.print(f"[yellow]! {t('cli.territory.no_intensity', year=territory['year'])}[/]", highlight=False)


def _print_intensity(console, block: dict, lang: str) -> None:
    """Intensity per unit of product ([output]): the year's and the base year's, t CO2e per unit."""
    from rich.table import Table

    from dualcarbon.report.intensity import rows

    t = _t(lang)
    table = Table(title=t("intensity.cli_title", year=block["year"]))
    table.add_column(t("intensity.col.product"))
    table.add_column(t("intensity.col.quantity", year=block["year"]), justify="right")
    table.add_column(t("intensity.col.intensity", year=block["year"]), justify="right")
    compare = block.get("base_year") and block["base_year"] != block["year"]
    if compare:
        table.add_column(t("intensity.cli_base", year=block["base_year"]), justify="right")
        table.add_column(t("intensity.col.change"), justify="right")
    for r in rows(block, t, lang):
        table.add_row(r["name"], r["quantity"], r["intensity"], *([r["base"] or "–", r["change"]] if compare else []))
    console.print(table)


def _print_ets(console, block: dict, lang: str) -> None:
    """Power units under the national ETS (docs/ets.md): each unit's emissions, intensities, allowance and
    surplus; the flags and the values not read in the MEE documents."""
    from rich.markup import escape
    from rich.table import Table

    from dualcarbon.report.ets import ets_view

    t = _t(lang)
    view = ets_view(block, t, lang)
    assert view is not None
    # short headers, the units in the caption: the report's full headers cut off at 80 columns (zh: "排放量（tC…")
    table = Table(title=view["title"], caption=t("ets.cli.caption"))
    for key in ("unit", "emissions", "intensity_power", "intensity_heat", "allowance", "surplus"):
        table.add_column(t(f"ets.cli.col.{key}"), justify="left" if key == "unit" else "right", overflow="fold")
    for u in view["units"]:
        table.add_row(
            u["unit"], u["emissions"], u["intensity_power"], u["intensity_heat"], u["allowance"], u["surplus"]
        )
    total = view["total"]
    table.add_row(t("ets.report.total"), total["emissions"], "", "", total["allowance"], total["surplus"])
    console.print(table)
    console.print(escape(view["plan"]), highlight=False)
    if view["compliance"]:
        console.print(escape(view["compliance"]), highlight=False)
    for problem in view["allocation_problems"]:
        console.print(f"[yellow]! {escape(problem)}[/]", highlight=False)
    console.print(t("ets.cli.flags", flags=len(view["checks"]), file="ets_units.xlsx"), highlight=False)
    if view["unconfirmed"]:
        console.print(f"[yellow]! {escape(view['unconfirmed'])}[/]", highlight=False)


def _print_neutrality(console, n: dict, lang: str) -> None:
    """The assessment: standard, status, balance, every check with its reason, the claim or what is missing."""
    from rich.markup import escape
    from rich.table import Table

    from dualcarbon import figures

    t = _t(lang)
    status = t(f"neutrality.status.{n['status'].replace(' ', '_')}")
    colour = {"achieved": "green", "not achieved": "red"}.get(n["status"], "yellow")
    console.print(
        f"[bold]{t('term.label', label=t('section.neutrality'))}[/]{n['standard_name'][lang]} — [bold {colour}]{status}[/]",
        highlight=False,
    )
    keys = ("base_year_emissions", "reductions", "emissions", "removals", "credits", "net")
    divisor = figures.scale([n["balance"].get(key) for key in keys], lang)
    table = Table(title=t("neutrality.balance.title"))
    table.add_column(t("cli.item"))
    table.add_column(_tonnes_header(t, divisor), justify="right")
    for key in keys:
        table.add_row(t(f"neutrality.balance.{key}"), figures.scaled(n["balance"].get(key), divisor))
    console.print(table)
    checks = Table(title=t("neutrality.checks"), show_lines=False)
    for col in ("col.check", "col.status", "col.reason"):
        checks.add_column(t(col), overflow="fold")
    for c in n["checks"]:
        mark = {"passed": "green", "failed": "red"}.get(c["status"], "dim")
        label = t(f"check.status.{c['status'].replace(' ', '_')}")
        checks.add_row(escape(c["id"]), f"[{mark}]{label}[/]", escape(c[f"reason_{lang}"]))
    console.print(checks)
    counts = n["counts"]
    console.print(
        t("neutrality.counts", passed=counts["passed"], failed=counts["failed"], na=counts["not applicable"]),
        highlight=False,
    )
    if n.get("claim"):
        console.print(
            f"{t('term.label', label=t('neutrality.claim.title'))}{n['claim'][lang]}", highlight=False, markup=False
        )
    for item in n.get("missing") or []:
        text = escape(t("term.label", label=item["check"]) + (item[f"remedy_{lang}"] or item[f"reason_{lang}"]))
        console.print(f"[red]✗[/] {text}", highlight=False)


@app.command()
def pathway(
    project: Path = typer.Argument(
        ..., help="Project folder with dualcarbon.toml ([targets], [pathway]) and measures.csv."
    ),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default PROJECT/out)."),
    lang: str | None = LangOption,
    pdf: bool | None = typer.Option(
        None,
        "--pdf/--no-pdf",
        help="Also write report.pdf, the whole report (inventory, neutrality, pathway) printed by Chromium; "
        "default: as the output folder has it (a report.pdf there is printed again).",
    ),
) -> None:
    """Inventory, neutrality assessment, projection and least-cost pathway to the targets: writes the run's
    files plus pathway.csv, measures_plan.csv, abatement.csv, pathway.json, and one report holding them all
    (and report.pdf with --pdf)."""
    from dualcarbon.project import job

    console, err = _console()
    steps = ["load", "compute", "optimize", "report", "write"]
    with _steps(err, steps) as progress:
        result = _guard(
            lambda: _pdf_guard(lambda: job.pathway(project, out, lang, progress, pdf=pdf), lang), lang, project
        )
    lang = lang or result.project.settings.report.lang
    _print_pathway(console, err, result.pathway, lang)
    _print_written(console, err, result.written, lang)


@app.command()
def compare(
    old: Path = typer.Argument(..., help="Output folder of the earlier run (summary.json, sources.csv)."),
    new: Path = typer.Argument(..., help="Output folder of the later run."),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default: 'compare' beside NEW)."),
    lang: str | None = LangOption,
) -> None:
    """Compare two runs year on year: totals, intensity, scopes, categories and sources, with the change split
    into method, emission-factor and activity effects; writes compare.json, compare.csv and compare.html
    (docs/compare.md)."""
    from dualcarbon.compare import compare as compare_runs
    from dualcarbon.project import compare as files
    from dualcarbon.report.compare import render_compare

    chosen = _project_lang(Path(new).parent, lang)

    def work():
        result = compare_runs(files.read_run(old, str(old)), files.read_run(new, str(new)))
        target = out if out is not None else Path(new).parent / "compare"
        return result, files.write(target, result, render_compare(result, chosen))

    result, written = _guard(work, lang, Path(new).parent)
    console, err = _console()
    _print_compare(console, result, chosen)
    _print_written(console, err, written, chosen)


def _print_compare(console, result: dict, lang: str) -> None:
    """The comparison's tables: the reasons for the change, the totals, the largest changes by source."""
    from rich.table import Table

    from dualcarbon.report.compare import compare_view

    t = _t(lang)
    view = compare_view(result, lang)
    for note in view["notes"]:
        console.print(f"[yellow]! {note}[/]", highlight=False, markup=True)
    periods = [(r.get("period") or {}).get("end", "")[:4] for r in (result["old"], result["new"])]
    table = Table(title=t("compare.cli.decomposition", old=periods[0], new=periods[1]))
    table.add_column(t("compare.col.effect"))
    table.add_column(t("compare.col.change_t"), justify="right")
    for d in view["decomposition"]:
        table.add_row(d["label"], d["value"])
    console.print(table)
    totals = Table(title=t("compare.cli.totals"))
    for name in ("cli.item", "compare.old", "compare.new", "compare.col.change_t", "compare.col.percent"):
        totals.add_column(t(name), justify="left" if name == "cli.item" else "right")
    for r in view["totals"]:
        totals.add_row(r["label"], r["old"], r["new"], r["change"], r["percent"])
    console.print(totals)
    sources = Table(title=t("compare.cli.sources"))
    sources.add_column(t("compare.col.source"))
    sources.add_column(t("compare.col.status"))
    for key in (
        "compare.effect.method_t",
        "compare.effect.factor_t",
        "compare.effect.activity_t",
        "compare.col.change_t",
    ):
        sources.add_column(t(key), justify="right")
    for s in view["sources"][:10]:
        status = s["status"] + (f" · {s['reason']}" if s["reason"] else "")
        sources.add_row(s["name"], status, s["method"], s["factor"], s["activity_effect"], s["change"])
    console.print(sources)


@contextmanager
def _steps(err, steps: list[str]) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the job's current step (only on a terminal); yields the callback."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("dualcarbon", total=len(steps))
        yield lambda step: bar.update(task, description=step, completed=steps.index(step))


def _print_pathway(console, err, result, lang: str) -> None:
    from rich.table import Table

    from dualcarbon import figures

    t = _t(lang)
    plan = result.plan
    status = t(f"pathway.status.{plan.status}")
    console.print(
        t(
            "cli.pathway_status",
            start=plan.years[0],
            end=plan.years[-1],
            status=plan.status if status.startswith("pathway.") else status,
        ),
        highlight=False,
    )
    for shortfall in plan.shortfalls:
        err.print(f"[bold red]! {shortfall.message(lang)}[/]", highlight=False)
    rows = plan.table.to_dicts()
    divisor = figures.scale([row[key] for row in rows for key in ("bau_t", "target_t", "net_t")], lang)
    table = Table(caption=t("report.unit_note", unit=_tonnes_header(t, divisor)))
    for col in ("col.year", "pathway.series.bau", "pathway.series.target", "pathway.series.net"):
        table.add_column(t(col), justify="right")
    for row in rows:
        if row["year"] % 5 == 0 or row is rows[0] or row is rows[-1] or row["shortfall_t"] > 0:
            target = "" if row["target_t"] is None else figures.scaled(row["target_t"], divisor)
            table.add_row(
                str(row["year"]), figures.scaled(row["bau_t"], divisor), target, figures.scaled(row["net_t"], divisor)
            )
    console.print(table)
    names = {m.id: m.name(lang) for m in result.measures}
    for m in plan.measures.filter(plan.measures["chosen"]).sort("start_year").to_dicts():
        console.print(
            "  "
            + t(
                "cli.pathway_chosen",
                name=names.get(m["id"], m["id"]),
                year=m["start_year"],
                share=f"{m['adoption'] * 100:.0f}",
            ),
            highlight=False,
        )
    currency = result.settings.currency
    console.print(t("cli.pathway_cost", cost=figures.money(plan.cost_discounted, lang, currency)), highlight=False)
    if plan.cost_discounted < 0:  # a negative cost is a saving: say so in words
        saving, unit = figures.money_parts(-plan.cost_discounted, lang, currency)
        console.print(
            "  " + t("plan.net_saving", value=saving, currency=unit, start=plan.years[0], end=plan.years[-1]),
            highlight=False,
        )
    _print_fiscal(console, result, lang)


def _print_fiscal(console, result, lang: str) -> None:
    """The carbon price, and the plan with and without the fiscal support side by side, with each instrument's
    source, what it paid and what leaving it out changes (docs/pathway.md, "Carbon prices and fiscal support")."""
    from rich.table import Table

    from dualcarbon import figures
    from dualcarbon.pathway.compute import effect_words

    t = _t(lang)
    plan, currency = result.plan, result.settings.currency
    record = result.fiscal_summary()
    carbon = record["carbon_price"]
    if carbon is not None:
        rows = carbon["by_year"]
        shown = [r for r in rows if r is rows[0] or r is rows[-1] or r["year"] % 5 == 0]
        statuses = sorted({p["status"] for p in carbon["points"]})
        console.print(
            t(
                "fiscal.cli.carbon",
                series=carbon["series"],
                status=", ".join(t(f"fiscal.status.{s}") for s in statuses),
                prices=", ".join(f"{r['year']} {r['price']:,.2f}" for r in shown) + f" {currency}/t",
                cost=figures.money(carbon["cost_discounted"] or 0.0, lang, currency),
            ),
            highlight=False,
        )
    without = result.without
    if without is None:
        return
    console.print(t("fiscal.cli.compare", count=len(result.instruments)), highlight=False)
    names = {m.id: m.name(lang) for m in result.measures}

    def choice(row: dict | None) -> str:
        if row is None or not row["chosen"]:
            return t("fiscal.not_chosen")
        return t("fiscal.chosen", year=row["start_year"], share=f"{row['adoption'] * 100:.0f}")

    supported = {r["id"]: r for r in plan.measures.to_dicts()}
    unsupported = {r["id"]: r for r in without.measures.to_dicts()}
    table = Table()
    for col in ("pathway.col.measure", "fiscal.col.with", "fiscal.col.without"):
        table.add_column(t(col))
    for mid, row in supported.items():
        if row["chosen"] or unsupported[mid]["chosen"]:
            table.add_row(names.get(mid, mid), choice(row), choice(unsupported[mid]))
    table.add_row(
        t("fiscal.row.cost"),
        figures.money(plan.cost_discounted, lang, currency),
        figures.money(without.cost_discounted, lang, currency),
    )
    last = plan.years[-1]
    table.add_row(
        t("fiscal.row.net_end", year=last),
        figures.co2e(float(plan.table["net_t"][-1]), lang),
        figures.co2e(float(without.table["net_t"][-1]), lang),
    )
    console.print(table)
    for inst, item in zip(result.instruments, record["instruments"], strict=True):
        console.print(
            "  "
            + t(
                "fiscal.cli.instrument",
                name=inst.name(lang),
                kind=t(f"fiscal.kind.{inst.kind}"),
                document=inst.document,
                article=inst.article,
                status=t(f"fiscal.status.{inst.status}"),
                support=figures.money(item["support_discounted"] or 0.0, lang, currency),
                effect=effect_words(item, names, t, lang, currency),
            ),
            highlight=False,
        )


@app.command()
def footprint(
    project: Path = typer.Argument(..., help="Project folder with [product], processes.csv and exchanges.csv."),
    product: str | None = typer.Option(None, "--product", help="The product (default: [product] reference)."),
    iterations: int | None = typer.Option(
        None, "--iterations", min=0, help="Monte Carlo iterations (default: [product] iterations; 0: none)."
    ),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Seed of the Monte Carlo (default: [product] seed)."),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default PROJECT/out)."),
    lang: str | None = LangOption,
    pdf: bool | None = typer.Option(
        None,
        "--pdf/--no-pdf",
        help="Also write report.pdf (needs Chromium and CJK fonts: apt-get install chromium fonts-noto-cjk); "
        "default: as the output folder has it (a report.pdf there is printed again).",
    ),
) -> None:
    """Compute the carbon footprint of PROJECT's product (ISO 14067) and write footprint.json, by_process.csv,
    by_stage.csv and report.html (and report.pdf with --pdf) (docs/products.md)."""
    from dualcarbon.project.job import footprint_job

    def work():
        return footprint_job(project, out, lang, product=product, iterations=iterations, seed=seed, pdf=pdf)

    result = _guard(lambda: _pdf_guard(work, lang), lang, project)
    lang = lang or result.model.settings.report.lang
    record = result.record
    console, err = _console()
    _print_footprint(console, record, lang)
    if record.get("neutrality"):
        _print_product_claim(console, record["neutrality"], lang)
    _print_written(console, err, result.written, lang)
    if result.report_by_run:
        console.print(_t(lang)("product.cli.report_by_run", path=str(project)), highlight=False)


def _print_product_claim(console, n: dict, lang: str) -> None:
    """Whether the product's carbon-neutral claim holds (docs/products-neutrality.md): the balance, then the
    claim a label can carry or what is missing."""
    t = _t(lang)
    b, p = n["balance"], n.get("product") or {}
    status = t(f"neutrality.status.{n['status'].replace(' ', '_')}")
    console.print(t("product.claim.cli_status", standard=n["standard"], status=status), highlight=False)
    console.print(
        t(
            "product.claim.cli_balance",
            units=f"{p.get('units_sold') or 0:,.0f}",
            per_unit=_kg(p.get("footprint_kg_co2e") or 0.0),
            emissions=f"{b['emissions']:,.2f}",
            reductions="—" if b.get("reductions") is None else f"{b['reductions']:,.2f}",
            credits=f"{b['credits']:,.2f}",
            net=f"{b['net']:,.2f}",
        ),
        highlight=False,
    )
    if n.get("claim"):
        console.print(t("term.label", label=t("product.claim.title")) + n["claim"][lang], highlight=False)
    for m in n.get("missing") or []:
        console.print(f"  - {m['check']}: {m[f'reason_{lang}']}", highlight=False)


def _print_footprint(console, record: dict, lang: str) -> None:
    """The footprint per functional unit of each product (with its 95 % interval) and the largest contributors."""
    from rich.table import Table

    t = _t(lang)
    reference = record["products"][0]
    name = reference["name_en"] if lang == "en" else reference["name"]
    boundary = t(f"product.boundary.{record['boundary']}")
    table = Table(title=t("product.cli.title", name=name, boundary=boundary, gwp=record["gwp_set"]))
    table.add_column(t("product.cli.product"))
    table.add_column(t("product.cli.functional_unit"))
    table.add_column(t("product.cli.footprint"), justify="right")
    table.add_column(t("product.cli.interval"), justify="right")
    for p in record["products"]:
        unc = p["uncertainty"]
        interval = (
            t("product.cli.interval_value", low=_kg(unc["p2_5"]), high=_kg(unc["p97_5"]))
            if unc and unc["p2_5"] is not None
            else "—"
        )
        table.add_row(
            p["name_en"] if lang == "en" else p["name"],
            p.get(f"functional_unit_{lang}") or p["functional_unit"],
            _kg(p["footprint_kg_co2e"]),
            interval,
        )
    console.print(table)
    if record["uncertainty"]:
        u = record["uncertainty"]
        console.print(t("product.cli.monte_carlo", iterations=u["iterations"], seed=u["seed"]), highlight=False)
    else:
        console.print(t("product.cli.no_interval"), highlight=False)
    top = Table(title=t("product.cli.contributors", product=name))
    top.add_column(t("product.cli.process"))
    top.add_column(t("product.cli.stage"))
    top.add_column(t("product.cli.kg"), justify="right")
    top.add_column(t("product.cli.share"), justify="right")
    for row in record["by_process"][:10]:
        share = "—" if row["share"] is None else f"{row['share'] * 100:.1f} %"
        label = row["name_en"] if lang == "en" else row["name"]
        if label != row["process"]:
            label = f"{label} ({row['process']})"
        stage = row.get("stage_name_en" if lang == "en" else "stage_name") or row["stage"] or ""
        top.add_row(label, stage, _kg(row["kg_co2e"]), share)
    console.print(top)
    bio = record["biogenic"]
    if bio["co2_emissions_kg"] or bio["co2_removals_kg"]:
        console.print(
            t("product.cli.biogenic", emitted=_kg(bio["co2_emissions_kg"]), removed=_kg(bio["co2_removals_kg"])),
            highlight=False,
        )


def _kg(value: float) -> str:
    """kg CO2e with four significant figures (a footprint per unit spans 1e-3 to 1e3)."""
    return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"


@app.command()
def validate(
    project: Path = typer.Argument(..., help="Project folder."),
    lang: str | None = LangOption,
    problems: Path | None = typer.Option(
        None,
        "--problems",
        help="Also write the problems to this workbook (.xlsx): file, row, column, value, what is expected.",
    ),
) -> None:
    """Check PROJECT's files without computing; report every problem (exit 2 if any)."""
    from dualcarbon.project.load import activity_files, load
    from dualcarbon.project.products import has_product, load_product

    def check():
        from dualcarbon.errors import InputError, msg

        if problems is not None and problems.suffix.lower() != ".xlsx":
            raise InputError.single(msg("problem.xlsx_expected"), column="--problems", value=str(problems))
        if has_product(project) and not activity_files(project):  # a product model alone (docs/products.md)
            return None, load_product(project)
        loaded = load(project, measures=True)  # every problem of every file, measures.csv's too, in one pass
        from dualcarbon.financed.portfolio import assess as financed_assess

        financed_assess(project, loaded.settings, loaded.limits)  # holdings.csv and the files [financed] names
        if loaded.settings.product is None:
            return loaded, None
        return loaded, load_product(project, library=loaded.library, settings=loaded.settings)

    from dualcarbon.project.group import is_group, validate_group

    if is_group(project):  # a group (docs/groups.md): its files and every entity project's
        group = _guard(lambda: validate_group(project), lang, project, problems)
        console, _ = _console()
        t = _t(lang or group.settings.report.lang)
        console.print(t("group.cli.valid", n=len(group.entities), transfers=len(group.transfers)))
        return
    loaded, model = _guard(check, lang, project, problems)
    console, _ = _console()
    settings = loaded.settings if loaded is not None else model.settings
    t = _t(lang or settings.report.lang)
    if loaded is not None:
        console.print(t("cli.valid", n=loaded.activities.height))
    if model is not None:
        console.print(t("product.cli.valid", n=sum(not p.background for p in model.system.processes)))


@app.command()
def template(
    kind: str = typer.Argument(..., help="activities, credits, sinks, measures or indicators."),
    lang: str | None = LangOption,
    output: Path | None = typer.Option(None, "--output", "-o", help="Workbook to write (default: KIND.xlsx here)."),
) -> None:
    """Write an Excel template of an input table: headers in zh or en, drop-down lists for enumerated columns.
    Filled in, it is read as it is by validate and run (and the dashboard's upload)."""
    from dualcarbon.errors import InputError, msg
    from dualcarbon.project import templates

    chosen = lang or "en"

    def write():
        if kind not in templates.KINDS:
            raise InputError.single(
                msg("problem.one_of", choices=", ".join(templates.KINDS)), column="KIND", value=kind
            )
        path = output or Path(templates.TEMPLATES[kind].file)
        if path.suffix.lower() != ".xlsx":
            raise InputError.single(msg("problem.xlsx_expected"), column="--output", value=str(path))
        if path.exists():
            raise InputError.single(msg("problem.template_exists"), column="--output", value=str(path))
        return templates.write(kind, chosen, path)

    path = _guard(write, lang)
    console, _ = _console()
    console.print(_t(chosen)("template.written", path=str(path)), markup=False, highlight=False)


@app.command()
def init(
    directory: Path = typer.Argument(..., help="New project folder to create."),
    example: str = typer.Option("cement-plant", "--example", help=f"One of: {', '.join(EXAMPLES)}."),
    lang: str | None = LangOption,
) -> None:
    """Create a project folder from a bundled example (messages in --lang, else the example's language)."""
    from importlib import resources

    if example not in EXAMPLES:
        typer.echo(_t(lang)("cli.init.unknown_example", example=example, choices=", ".join(EXAMPLES)), err=True)
        raise typer.Exit(2)
    if directory.exists() and any(directory.iterdir()):
        typer.echo(_t(lang)("cli.init.not_empty", path=str(directory)), err=True)
        raise typer.Exit(2)
    source = resources.files("dualcarbon").joinpath("examples", example)
    with resources.as_file(source) as src:
        shutil.copytree(src, directory, dirs_exist_ok=True, ignore=shutil.ignore_patterns("out", "__pycache__"))
    # a product project (processes.csv, docs/products.md) is computed by `footprint`, not `run`
    created = "cli.created_product" if (directory / "processes.csv").is_file() else "cli.created"
    typer.echo(_t(_project_lang(directory, lang))(created, path=str(directory), example=example))


@factors_app.command("search")
def factors_search(
    text: str = typer.Argument(
        "", help="Text in a key, alias or name (天然气, diesel, 327310); may be empty with a filter."
    ),
    project: Path | None = typer.Option(None, "--project", help="Rank for this project: its country, region and sets."),
    lang: str | None = LangOption,
    factor_set: list[str] = typer.Option([], "--set", help="Only this factor set (repeat for several)."),
    region: str | None = typer.Option(None, "--region", help="Only this region and the regions within it (CN, US)."),
    gas: str | None = typer.Option(None, "--gas", help="Only this gas (CO2, CH4, N2O, CO2e, ...)."),
    year: int | None = typer.Option(None, "--year", help="Only factors of this year (undated defaults have none)."),
    limit: int = typer.Option(50, "--limit", min=1, help="Rows to show."),
    offset: int = typer.Option(0, "--offset", min=0, help="Rows to skip (the next page)."),
):
    """List factors matching TEXT and the filters, what fits first: the project's country (else the
    language's home: zh → CN), then the language, then the set precedence."""
    from rich.table import Table

    from dualcarbon.errors import InputError, msg
    from dualcarbon.factors import search
    from dualcarbon.factors.library import FactorLibrary
    from dualcarbon.project.load import load_settings

    lib = FactorLibrary.load()

    def find():
        filters = search.Filters(text, tuple(factor_set), region, gas, year)
        if filters.empty():
            raise InputError.single(msg("fsearch.problem.search_for_cli"), column="TEXT")
        unknown = [s for s in factor_set if s not in lib.sets]
        if unknown:
            raise InputError.single(
                msg("fsearch.problem.unknown_set", sets=", ".join(lib.sets)), column="--set", value=unknown[0]
            )
        settings = load_settings(project) if project else None
        chosen = lang or (settings.report.lang if settings else None)
        return chosen, search.search(lib, filters, search.Fit.of(settings, chosen), offset, limit)

    chosen, found = _guard(find, lang)
    t = _t(chosen)
    console, _ = _console()
    if found.total == 0:
        console.print(t("fsearch.cli.none", q=text), markup=False, highlight=False)
        raise typer.Exit(1)
    table = Table(caption=t("fsearch.cli.caption", first=offset + 1, last=offset + found.rows.height, n=found.total))
    name_column = "name_zh" if chosen == "zh" else "name_en"
    for col in ("key", "name", "set", "parameter", "gas", "value", "region", "year"):
        # keys and sets are what users copy: never truncated
        table.add_column(t(f"fsearch.col.{col}"), overflow="fold", no_wrap=col in ("key", "set", "region"))
    for r in found.rows.iter_rows(named=True):
        unit = f"{r['unit_numerator'] or ''} / {r['unit_denominator'] or ''}".strip(" /")
        value = f"{r['value']:g} {unit}" if r["value"] is not None else ""
        table.add_row(
            r["key"],
            r[name_column] or r["name"] or "",
            r["factor_set"],
            r["parameter"],
            r["gas"] or "",
            value,
            r["region"],
            str(r["year"] or ""),
        )
    console.print(table)


@factors_app.command("show")
def factors_show(
    key: str = typer.Argument(..., help="Activity key or alias, e.g. fuel/natural_gas or 天然气."),
    region: str | None = typer.Option(None, "--region", help="Region for the fallback chain, e.g. CN-NCG."),
    year: int | None = typer.Option(None, "--year", help="Reporting year (nearest factor year first)."),
    lang: str | None = LangOption,
):
    """Show every factor for KEY with value, unit, citation and how far the value was checked."""
    from dualcarbon.factors.library import FactorLibrary

    t = _t(lang)
    lib = FactorLibrary.load()
    rows = lib.show(key, region, year)
    console, _ = _console()
    if rows.height == 0:
        console.print(t("cli.factor.none", activity=key), markup=False, highlight=False)
        raise typer.Exit(1)

    def line(label: str, value: object) -> None:
        text = t("report.label_value", label=t(f"cli.factor.{label}"), value=value)
        console.print(f"    {text}", highlight=False, markup=False)

    for r in rows.iter_rows(named=True):
        unit = f"{r['unit_numerator'] or ''} / {r['unit_denominator'] or ''}".strip(" /")
        where = t(
            "cli.factor.where",
            set=r["factor_set"],
            region=r["region"],
            year=r["year"] or "-",
            basis=r["basis"] or "-",
        )
        console.print(
            f"[bold]{r['key']}[/] {r['parameter']} {r['gas'] or ''} = {r['value']:g} {unit}  [dim]({where})[/]",
            highlight=False,
        )
        line("source", r["citation"] or r["dataset"])
        if r["check"]:
            console.print(
                "    " + t("report.label_value", label=t("cite.check_label"), value=t("cite.check." + r["check"])),
                highlight=False,
                markup=False,
            )
        if r["mapping_note"]:
            line("mapping", r["mapping_note"])
        if r["notes"]:
            line("notes", r["notes"])
        line("id", r["factor_id"])


@factors_app.command("sets")
def factors_sets(lang: str | None = LangOption):
    """List the factor sets with version, rows and content hash."""
    from rich.table import Table

    from dualcarbon.factors.library import FactorLibrary, read_sets_table

    t = _t(lang)
    console, _ = _console()
    table = Table()
    for col in ("factor_set", "dataset", "version", "rows", "sha256"):
        table.add_column(t(f"cli.sets.{col}"))
    for s in read_sets_table(FactorLibrary.load()):
        table.add_row(s["factor_set"], s["dataset"], s["version"][:60], str(s["rows"]), s["sha256"][:16])
    console.print(table)


StoreOption = typer.Option(
    None,
    "--store",
    help="DuckDB file or postgresql://user:password@host/db URL "
    "(default: $DUALCARBON_STORE, else store.duckdb in the user's data folder).",
)


def _open_store(location: str | None, lang: str | None = None):
    from dualcarbon.store import Store, StoreError, default_location

    location = location or default_location()
    try:
        return Store.open(location)
    except ImportError as exc:
        typer.echo(_t(lang)("cli.store.needs_server", why=str(exc)), err=True)
        raise typer.Exit(1) from exc
    except StoreError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc


@app.command()
def disclose(
    project: Path = typer.Argument(..., help="Project folder whose run's outputs are disclosed."),
    framework: str = typer.Option(..., "--framework", help="cdp, esrs-e1, ifrs-s2 or cn-exchange."),
    lang: str | None = LangOption,
    out: Path | None = typer.Option(None, "--out", help="The run's output folder (default: PROJECT/out)."),
    revenue: float | None = typer.Option(None, "--revenue", help="Net revenue of the period, in --currency units."),
    currency: str | None = typer.Option(None, "--currency", help="Currency of --revenue (ISO 4217, e.g. CNY)."),
) -> None:
    """Fill a disclosure framework's fields from PROJECT's last run and write
    out/disclosure-FRAMEWORK-LANG.xlsx: a cover (the run, locked or not, verified or not), the fields
    filled with value, unit and source, and what is missing with why (docs/disclosure.md)."""
    chosen = _project_lang(project, lang)

    def export():
        from dualcarbon.disclosure.fill import fill, revenue_of
        from dualcarbon.disclosure.frameworks import framework as framework_of
        from dualcarbon.disclosure.frameworks import framework_ids
        from dualcarbon.errors import InputError, msg
        from dualcarbon.project.disclosure import read_run, write_export
        from dualcarbon.report.disclosure import workbook_bytes

        if framework not in framework_ids():
            raise InputError.single(
                msg("problem.disclosure_framework", choices=", ".join(framework_ids())),
                column="--framework",
                value=framework,
            )
        fw = framework_of(framework)
        income = revenue_of(revenue, currency)
        out_dir = out or project / "out"
        summary, sha256 = read_run(out_dir)
        disclosure = fill(fw, summary, income)
        t = _t(chosen)
        data = workbook_bytes(disclosure, summary, sha256, chosen, t, str(out_dir), income)
        path = write_export(out_dir, f"disclosure-{fw.id}-{chosen}.xlsx", data)
        return disclosure, path

    disclosure, path = _guard(export, lang, project)
    console, _ = _console()
    message = _t(chosen)(
        "cli.disclose.written",
        framework=disclosure.framework.name(chosen),
        filled=len(disclosure.filled),
        missing=len(disclosure.missing),
        total=len(disclosure.fields),
        path=str(path),
    )
    console.print(message, markup=False, highlight=False)


@app.command()
def serve(
    store: str | None = StoreOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, help="Runs computed at the same time (one process each)."),
    max_upload_mb: float = typer.Option(50, "--max-upload-mb", min=0.001, help="Largest upload accepted, in MiB."),
    cors_origin: list[str] = typer.Option(
        [], "--cors-origin", help="Origin allowed to call the API from a browser (repeatable); none by default."
    ),
    open_signup: bool = typer.Option(
        False, "--open-signup", help="Let anyone create an organisation with POST /api/organisations."
    ),
    max_upload_rows: int = typer.Option(
        5_000_000, "--max-upload-rows", min=1, help="Most data rows one upload may hold (more: 413)."
    ),
    upload_memory_mb: int = typer.Option(
        2048,
        "--upload-memory-mb",
        min=1024,
        help="Address space of the worker process that reads an upload, in MiB (more: 413).",
    ),
    upload_seconds: float = typer.Option(
        60, "--upload-seconds", min=1, help="Longest time reading one upload may take (more: 413)."
    ),
    upload_workers: int = typer.Option(2, "--upload-workers", min=1, help="Uploads read at the same time."),
    lang: str | None = LangOption,
) -> None:
    """Serve the HTTP API (docs at /docs). On a store with no organisation, prints a one-time setup token."""
    import secrets

    t = _t(lang)
    try:
        import uvicorn

        from dualcarbon.api import ServerConfig, create_app
    except ImportError as exc:
        typer.echo(t("cli.serve.needs_server", why=str(exc)), err=True)
        raise typer.Exit(1) from exc
    opened = _open_store(store, lang)
    setup_token = None
    if not open_signup and opened.count_organisations() == 0:
        setup_token = f"dcs_{secrets.token_urlsafe(24)}"
    config = ServerConfig(
        store=opened.db.location,
        max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        cors_origins=cors_origin,
        open_signup=open_signup,
        workers=workers,
        setup_token=setup_token,
        max_upload_rows=max_upload_rows,
        upload_memory_bytes=upload_memory_mb * 1024 * 1024,
        upload_seconds=upload_seconds,
        upload_workers=upload_workers,
    )
    application = create_app(config, opened)
    url = f"http://{host}:{port}"
    typer.echo(t("cli.serve.listening", version=_version(), url=url, store=opened.db.location))
    typer.echo(t("cli.serve.dashboard", url=url))
    if setup_token:
        typer.echo(t("cli.serve.no_organisation"))
        typer.echo(
            f"  curl -X POST {url}/api/organisations -H 'Authorization: Bearer {setup_token}' "
            '-H \'Content-Type: application/json\' -d \'{"name": "My organisation", "admin_name": "Me", '
            '"admin_login": "me@example.com", "admin_password": "a long password"}\''
        )
        typer.echo("  " + t("cli.serve.or_dashboard", url=url))
        typer.echo(t("cli.serve.setup_token", token=setup_token))
    try:
        uvicorn.run(application, host=host, port=port, log_level="info")
    finally:
        opened.close()


def _version() -> str:
    from dualcarbon import __version__

    return __version__


PasswordStdinOption = typer.Option(
    False, "--password-stdin", help="Read the password from the first line of standard input (for scripts)."
)


def _new_password(from_stdin: bool, option: str, lang: str | None = None) -> str:
    """A new password, asked twice without echo (or read from stdin); exit 2 when too short."""
    from dualcarbon.errors import InputError
    from dualcarbon.store.accounts import check_password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        t = _t(lang)
        password = typer.prompt(
            t("cli.password.prompt"),
            hide_input=True,
            confirmation_prompt=t("cli.password.repeat"),
        )
    try:
        check_password(password, option)
    except InputError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    return password


@org_app.command("create")
def org_create(
    name: str = typer.Argument(..., help="The organisation's name."),
    admin: str = typer.Option("admin", "--admin", help="Name of its first user, an admin."),
    email: str | None = typer.Option(None, "--email", help="The admin's e-mail address."),
    login: str | None = typer.Option(
        None, "--login", help="The admin's sign-in name for the dashboard (asks for a password, no echo)."
    ),
    password_stdin: bool = PasswordStdinOption,
    store: str | None = StoreOption,
    lang: str | None = LangOption,
) -> None:
    """Create an organisation and its admin in the store; prints the admin's API token (shown once).
    With --login, the admin also signs in to the dashboard with that name and a password."""
    from dualcarbon.errors import InputError
    from dualcarbon.store.accounts import check_login, hash_password

    password_hash = None
    if login is not None:
        try:
            login = check_login(login, "--login")
        except InputError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from exc
        password_hash = hash_password(_new_password(password_stdin, "password", lang))
    t = _t(lang)
    opened = _open_store(store, lang)
    try:
        if login is not None and opened.login_taken(login):
            typer.echo(t("cli.org.login_taken", login=login), err=True)
            raise typer.Exit(2)
        org, user, token = opened.create_organisation(name, admin, email, login, password_hash)
        details = {"name": name, "admin_user_id": user["id"], "login": login, "by": "operator (CLI)"}
        opened.audit(org["id"], None, "organisation.created", "organisation", org["id"], details)
    finally:
        opened.close()
    typer.echo(t("cli.org.created", org=org["id"], name=name, user=user["id"], admin=admin))
    if login is not None:
        typer.echo(t("cli.org.login", login=login))
    typer.echo(t("cli.org.token", token=token))


@org_app.command("list")
def org_list(store: str | None = StoreOption, lang: str | None = LangOption) -> None:
    """List the store's organisations."""
    opened = _open_store(store, lang)
    try:
        rows = opened.organisations()
    finally:
        opened.close()
    for row in rows:
        typer.echo(f"{row['id']}\t{row['name']}\t{row['created_at']:%Y-%m-%d}")


@user_app.command("list")
def user_list(store: str | None = StoreOption, lang: str | None = LangOption) -> None:
    """List every user of the store: organisation, sign-in name, name, role, and whether disabled."""
    t = _t(lang)
    opened = _open_store(store, lang)
    try:
        rows = [(org, user) for org in opened.organisations() for user in opened.users(org["id"])]
    finally:
        opened.close()
    for org, user in rows:
        state = (
            t("cli.user.disabled")
            if user["disabled"]
            else ("" if user["has_password"] or not user["login"] else t("cli.user.no_password"))
        )
        typer.echo(f"{org['name']}\t{user['login'] or '-'}\t{user['name']}\t{user['role']}\t{state}".rstrip())


@user_app.command("reset-password")
def user_reset_password(
    login: str = typer.Argument(..., help="The sign-in name of the user (see `dualcarbon user list`)."),
    set_password: bool = typer.Option(
        False, "--set-password", help="Set a new password here (asked twice, no echo) instead of printing a code."
    ),
    password_stdin: bool = PasswordStdinOption,
    store: str | None = StoreOption,
    lang: str | None = LangOption,
) -> None:
    """The way back in for an admin who lost access, run on the server's machine: the user's password
    stops working, their sessions end, and a one-time code (valid 7 days) to set a new one is
    printed, or, with --set-password, the new password is set at once."""
    from dualcarbon.store.accounts import hash_password

    t = _t(lang)
    new_hash = hash_password(_new_password(password_stdin, "password", lang)) if set_password else None
    opened = _open_store(store, lang)
    try:
        row = opened.password_login(login)
        if row is None:
            typer.echo(t("cli.user.unknown", login=login), err=True)
            raise typer.Exit(2)
        details = {"by": "operator (CLI)"}
        if new_hash is not None:
            opened.set_password(row["org_id"], row["user_id"], new_hash)
            opened.audit(row["org_id"], None, "password.reset", "user", row["user_id"], {**details, "set": True})
            typer.echo(t("cli.user.password_set", login=row["login"], name=row["name"]))
            return
        code_row, code = opened.reset_password(row["org_id"], row["user_id"], None)
        opened.audit(row["org_id"], None, "password.reset", "user", row["user_id"], details)
    finally:
        opened.close()
    typer.echo(t("cli.user.password_reset", login=row["login"], name=row["name"]))
    typer.echo(t("cli.user.set_new", code=code, until=f"{code_row['expires_at']:%Y-%m-%d %H:%M}"))
    typer.echo(t("cli.user.code", code=code))
    if row["disabled"]:
        typer.echo(t("cli.user.disabled_note"), err=True)


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
    except Exception as exc:  # internal error: exit 1 with a short message
        print(f"internal error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
