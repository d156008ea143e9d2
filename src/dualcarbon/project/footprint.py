"""A product footprint's outputs: footprint.json, by_process.csv, by_stage.csv and summary.json ``product``.

The figures come from the core (``lca.compute.analyse`` for contributions and the supply-chain tree,
``lca.montecarlo.simulate`` for the uncertainty); here they are named (process ids, names, stages), cut to
what a reader takes in (the 50 largest processes, then the others summed) and written atomically beside
the other outputs: files of the folder that dualcarbon wrote before (a run's summary.json) are kept.
Schema ``dualcarbon.footprint/1`` (docs/products.md).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from dualcarbon.errors import InputError, msg, render
from dualcarbon.i18n import translator
from dualcarbon.project import outputs
from dualcarbon.project.products import ProductProject
from dualcarbon.project.spreadsheet import neutralise

SCHEMA = "dualcarbon.footprint/1"
TOP_PROCESSES = 50
HISTOGRAM_BINS = 20
TREE_DEPTH = 4
TREE_CUTOFF = 0.01
FILES = ("footprint.json", "by_process.csv", "by_stage.csv")
#: summary.json ``product``: the pinned subset of footprint.json (DESIGN.md "Products")
SUMMARY_KEYS = ("reference", "functional_unit", "footprint_kg_co2e", "by_stage", "by_process", "uncertainty")


def footprint(
    project: ProductProject, *, product: str | None = None, iterations: int | None = None, seed: int | None = None
) -> dict[str, Any]:
    """The footprint.json record of ``product`` (default ``[product] reference``) and of the ``[product] report``
    products, with Monte Carlo intervals when ``iterations`` (default ``[product] iterations``) > 0."""
    system, settings = project.system, project.product
    ids = [p.id for p in system.processes]
    reference = product or settings.reference
    if reference not in ids or system.processes[ids.index(reference)].background:
        from dualcarbon.errors import did_you_mean
        from dualcarbon.project.products import _close

        hint = did_you_mean(_close(reference, [p.id for p in system.processes if not p.background]))
        raise InputError.single(msg("product.error.unknown_product", hint=hint), column="--product", value=reference)
    iterations = settings.iterations if iterations is None else iterations
    if iterations < 0:
        raise InputError.single(msg("product.error.iterations"), column="--iterations", value=iterations)
    seed = (settings.seed if settings.seed is not None else 0) if seed is None else seed
    from dualcarbon.lca import compute  # SciPy's sparse matrices: only when a footprint is computed
    from dualcarbon.lca.solve import Factorised, SingularSystem

    try:
        lca = Factorised(system)
        analysis = compute.analyse(system, {reference: 1.0}, depth=TREE_DEPTH, cutoff=TREE_CUTOFF, factorised=lca)
    except SingularSystem as exc:
        raise InputError.single(msg("product.error.singular", why=str(exc)), file="exchanges.csv") from exc
    x = analysis.footprints
    score = analysis.score
    reported = [reference] + [p for p in settings.report if p != reference]
    products = []
    for pid in reported:
        j = ids.index(pid)
        p = system.processes[j]
        unc = _uncertainty(project, pid, iterations, seed) if iterations > 0 else None
        products.append(
            {
                "id": pid,
                "name": p.name,
                "name_en": p.name_en,
                "unit": p.unit,
                "functional_unit": _functional_unit(project, pid),
                "functional_unit_zh": _functional_unit(project, pid, "zh"),
                "functional_unit_en": _functional_unit(project, pid, "en"),
                "footprint_kg_co2e": float(x[j]),
                "uncertainty": unc,
            }
        )
    by_process = [_process_row(project, j, kg, score) for j, kg in analysis.by_process]
    top = by_process[:TOP_PROCESSES]
    rest = by_process[TOP_PROCESSES:]
    if rest:
        kg = sum(r["kg_co2e"] for r in rest)
        top.append(
            {
                "process": "others",
                "name": render("product.others", {}, "zh"),
                "name_en": render("product.others", {}, "en"),
                "stage": None,
                "kg_co2e": kg,
                "share": _share(kg, score),
            }
        )
    stages = sorted(analysis.by_stage.items(), key=lambda item: -abs(item[1]))
    by_stage = [
        {
            "stage": s,
            "name": stage_name(s, "zh"),
            "name_en": stage_name(s, "en"),
            "kg_co2e": kg,
            "share": _share(kg, score),
        }
        for s, kg in stages
    ]
    flows = sorted(analysis.by_flow.items(), key=lambda item: -abs(item[1][1]))
    by_flow = [{"flow": f, "mass_kg": m, "kg_co2e": kg} for f, (m, kg) in flows]
    record = {
        "schema": SCHEMA,
        "reference": reference,
        "functional_unit": _functional_unit(project, reference),
        "functional_unit_zh": _functional_unit(project, reference, "zh"),
        "functional_unit_en": _functional_unit(project, reference, "en"),
        "boundary": system.boundary,
        "gwp_set": project.gwp.gwp_set,
        "unit": "kg CO2e",
        "footprint_kg_co2e": float(x[ids.index(reference)]),
        "products": products,
        "by_stage": by_stage,
        "by_process": top,
        "by_flow": by_flow,
        "biogenic": _biogenic(project, analysis.supply),
        "tree": _tree(project, analysis.tree),
        "uncertainty": products[0]["uncertainty"],
        "background": [
            {"process": b.id, "kg_co2e_per_unit": float(x[ids.index(b.id)]), **b.trace} for b in project.background
        ],
        "factor_sets": project.factor_sets(),
        "neutrality": None,
    }
    record["_all_processes"] = by_process  # for by_process.csv; not part of footprint.json
    return record


def summary_product(record: dict[str, Any]) -> dict[str, Any]:
    """summary.json ``product``: the pinned subset of footprint.json."""
    out = {k: record[k] for k in SUMMARY_KEYS}
    if out["uncertainty"] is not None:
        out["uncertainty"] = {k: v for k, v in out["uncertainty"].items() if k != "histogram"}
    return out


def _functional_unit(project: ProductProject, pid: str, lang: str | None = None) -> str:
    """The functional unit of a reported product: ``[product] functional_unit`` (``_zh``/``_en`` in ``lang``)
    for the reference, else one unit of the product by its name ('1 kg 原料奶', '1 kg Raw milk')."""
    if pid == project.product.reference:
        return project.product.functional_unit_in(lang) if lang else project.product.functional_unit
    p = project.system.processes[project.system.index(pid)]
    return f"1 {p.unit} {p.name if lang == 'zh' else p.name_en}"


def stage_name(stage: str | None, lang: str) -> str:
    """A life-cycle stage as ``lang`` writes it: the catalogue's ``product.stage.<id>`` (farm → 牧场), else the
    stage as processes.csv writes it."""
    if not stage:
        return ""
    key = f"product.stage.{stage.replace(' ', '_')}"
    text = translator(lang)(key)
    return stage if text == key else text


def _share(kg: float, score: float) -> float | None:
    return kg / score if score != 0 else None


def _process_row(project: ProductProject, j: int, kg: float, score: float) -> dict[str, Any]:
    p = project.system.processes[j]
    row: dict[str, Any] = {
        "process": p.id,
        "name": p.name,
        "name_en": p.name_en,
        "stage": p.stage,
        "stage_name": stage_name(p.stage, "zh"),
        "stage_name_en": stage_name(p.stage, "en"),
        "kg_co2e": kg,
        "share": _share(kg, score),
    }
    if p.background:
        trace = next((b.trace for b in project.background if b.id == p.id), {})
        row["trace"] = {k: trace.get(k) for k in ("activity", "region_used", "factor_ids", "factor_sets", "citation")}
    return row


def _uncertainty(project: ProductProject, pid: str, iterations: int, seed: int) -> dict[str, Any]:
    """Monte Carlo of one functional unit: mean, median, 2.5 and 97.5 percentiles and a histogram."""
    from dualcarbon.lca import montecarlo

    scores = montecarlo.simulate(project.system, {pid: 1.0}, iterations, seed)
    finite = scores[np.isfinite(scores)]
    counts, edges = np.histogram(finite, bins=HISTOGRAM_BINS) if finite.size else (np.array([]), np.array([]))
    return {
        "iterations": int(iterations),
        "seed": int(seed),
        "mean": float(np.mean(finite)) if finite.size else None,
        "median": float(np.median(finite)) if finite.size else None,
        "p2_5": float(np.percentile(finite, 2.5)) if finite.size else None,
        "p97_5": float(np.percentile(finite, 97.5)) if finite.size else None,
        "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    }


def _biogenic(project: ProductProject, supply: np.ndarray) -> dict[str, float]:
    """Biogenic CO2 emitted and taken up over the life cycle, kg (ISO 14067:2018 7.2: documented separately)."""
    system = project.system
    if "CO2_biogenic" not in system.flows:
        return {"co2_emissions_kg": 0.0, "co2_removals_kg": 0.0}
    k = system.flows.index("CO2_biogenic")
    bio = system.biosphere
    at = bio.row == k
    mass = bio.amount.amount[at] * supply[bio.col[at]]
    return {"co2_emissions_kg": float(mass[mass > 0].sum()), "co2_removals_kg": float(-mass[mass < 0].sum())}


def _tree(project: ProductProject, node: dict[str, Any]) -> dict[str, Any]:
    j = node["process"]
    p = project.system.processes[j] if j is not None else None
    return {
        "process": p.id if p else None,
        "name": p.name if p else None,
        "name_en": p.name_en if p else None,
        "amount": node["amount"],
        "unit": p.unit if p else None,
        "kg_co2e": node["kg_co2e"],
        "children": [_tree(project, c) for c in node["children"]],
    }


def tables(record: dict[str, Any]) -> dict[str, pl.DataFrame]:
    """by_process.csv (every process with a contribution) and by_stage.csv."""
    rows = record["_all_processes"]
    by_process = pl.DataFrame(
        {
            "process": [r["process"] for r in rows],
            "name": [r["name"] for r in rows],
            "name_en": [r["name_en"] for r in rows],
            "stage": [r["stage"] for r in rows],
            "kg_co2e": [r["kg_co2e"] for r in rows],
            "share": [r["share"] for r in rows],
            "factor_sets": [(r.get("trace") or {}).get("factor_sets") for r in rows],
            "citation": [(r.get("trace") or {}).get("citation") for r in rows],
        },
        schema={
            "process": pl.String,
            "name": pl.String,
            "name_en": pl.String,
            "stage": pl.String,
            "kg_co2e": pl.Float64,
            "share": pl.Float64,
            "factor_sets": pl.String,
            "citation": pl.String,
        },
    )
    stage_schema = {
        "stage": pl.String,
        "name": pl.String,
        "name_en": pl.String,
        "kg_co2e": pl.Float64,
        "share": pl.Float64,
    }
    by_stage = pl.DataFrame([{k: r.get(k) for k in stage_schema} for r in record["by_stage"]], schema=stage_schema)
    return {"by_process.csv": by_process, "by_stage.csv": by_stage}


def json_text(record: dict[str, Any]) -> str:
    public = {k: v for k, v in record.items() if not k.startswith("_")}
    return json.dumps(public, ensure_ascii=False, indent=2) + "\n"


def write(
    out_dir: Path,
    record: dict[str, Any],
    legacy: bool = False,
    documents: dict[str, str | bytes] | None = None,
    drop: tuple[str, ...] = (),
) -> list[Path]:
    """footprint.json, by_process.csv, by_stage.csv and ``documents`` (report.html, report.pdf: name → text or
    bytes) into ``out_dir``, atomically: written in a temporary folder, then moved in; the folder's other outputs
    (those of ``dualcarbon run``) stay, in its manifest, except those of ``drop`` that dualcarbon wrote (a
    report.pdf not printed again, which would no longer match the report beside it)."""
    out_dir = Path(out_dir)
    documents = documents or {}
    names = (*FILES, *documents)
    owned = outputs.prepare(out_dir, legacy, names)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = outputs._make_tmp(out_dir)
    try:
        (tmp / "footprint.json").write_text(json_text(record), encoding="utf-8")
        for name, frame in tables(record).items():
            neutralise(frame).write_csv(tmp / name)
        for name, data in documents.items():
            if isinstance(data, str):
                (tmp / name).write_text(data, encoding="utf-8")
            else:
                (tmp / name).write_bytes(data)
        if not out_dir.exists():
            outputs._write_manifest(tmp / outputs.MANIFEST, outputs._entries(tmp, names))
            os.replace(tmp, out_dir)
        else:
            dropped = {name for name in drop if name in owned and name not in names}
            kept = [e for e in _manifest(out_dir) if e["name"] not in names and e["name"] in owned - dropped]
            entries = kept + outputs._entries(tmp, names)
            # the manifest names the new files before they arrive: a run killed meanwhile leaves nothing unowned
            during = entries + [{"name": n, "bytes": None, "sha256": None} for n in sorted(dropped)]
            outputs._write_manifest(tmp / ".manifest-during", sorted(during, key=lambda e: str(e["name"])))
            os.replace(tmp / ".manifest-during", out_dir / outputs.MANIFEST)
            for name in names:
                os.replace(tmp / name, out_dir / name)
            for name in dropped:
                (out_dir / name).unlink(missing_ok=True)
            outputs._write_manifest(tmp / outputs.MANIFEST, sorted(entries, key=lambda e: str(e["name"])))
            os.replace(tmp / outputs.MANIFEST, out_dir / outputs.MANIFEST)
            tmp.rmdir()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(out_dir / name for name in names)


def report_documents(
    project: ProductProject, record: dict[str, Any], lang: str, pdf_engine: str | None = None
) -> dict[str, str | bytes]:
    """report.html of a footprint (``report.html.render_product_report``) in ``lang``, and report.pdf printed by
    the Chromium at ``pdf_engine`` when given (``report.pdf``)."""
    from dualcarbon.report.html import render_product_report

    org = project.settings.organization
    organization = {"name": org.name, "name_en": org.name_en}
    period = {"start": project.settings.period.start.isoformat(), "end": project.settings.period.end.isoformat()}
    documents: dict[str, str | bytes] = {"report.html": render_product_report(record, organization, period, lang)}
    if pdf_engine is not None:
        from dualcarbon.report.pdf import html_to_pdf

        printed = render_product_report(record, organization, period, lang, print_layout=True)
        documents["report.pdf"] = html_to_pdf(printed, pdf_engine)
    return documents


def _manifest(out_dir: Path) -> list[dict[str, Any]]:
    path = out_dir / outputs.MANIFEST
    if not path.is_file():
        return []
    try:
        return list(json.loads(path.read_text(encoding="utf-8")).get("files", []))
    except (ValueError, AttributeError):
        return []
