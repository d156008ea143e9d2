"""The carbon-neutral claim of a project's product (``[neutrality] subject = "product"``,
docs/products-neutrality.md): credits.csv, sinks.csv and the evidence of the folder read as for an
organisation, then ``neutrality.product.assess_product`` over the footprint.json record, whose
``neutrality`` it fills."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dualcarbon.errors import InputError
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.model import Settings
from dualcarbon.neutrality.assess import Assessment
from dualcarbon.neutrality.product import assess_product
from dualcarbon.neutrality.records import Evidence
from dualcarbon.project.credits import load_credits
from dualcarbon.project.load import neutrality_inputs, read_limits


def claimed(settings: Settings) -> bool:
    """Whether the project assesses its product's carbon neutrality."""
    return settings.neutrality is not None and settings.neutrality.subject == "product"


def read_inputs(root: Path, settings: Settings, library: FactorLibrary) -> tuple[pl.DataFrame, pl.DataFrame, Evidence]:
    """(credits.csv typed, forest stands, evidence) of the folder; InputError naming every problem."""
    limits = read_limits(settings)
    _, credits, problems = load_credits(root, library.ureg, limits)
    stands, evidence, found = neutrality_inputs(root, settings, library, limits)
    if problems or found:
        raise InputError(problems + found)
    return credits, stands, evidence or Evidence()


def assess(
    record: dict,
    settings: Settings,
    credits: pl.DataFrame,
    stands: pl.DataFrame | None,
    evidence: Evidence | None,
    *,
    units_sold: float | None,
    base_footprint_kg_co2e: float | None,
) -> Assessment | None:
    """The product's assessment (None unless ``claimed``); ``record["neutrality"]`` set to its record."""
    if not claimed(settings):
        return None
    result = assess_product(
        record,
        settings,
        units_sold=units_sold,
        base_footprint_kg_co2e=base_footprint_kg_co2e,
        credits=credits,
        stands=stands,
        evidence=evidence,
    )
    record["neutrality"] = result.as_dict()
    return result
