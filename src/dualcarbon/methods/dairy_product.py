"""Dairy product rules: fat-and-protein-corrected milk and the IDF physical allocation between milk and meat.

* FPCM, IDF Bulletin 479/2015 (*A common carbon footprint approach for the dairy sector*), the
  correction to 4.0 % fat and 3.3 % true protein:
  FPCM (kg) = raw milk (kg) × (0.1226 × fat % + 0.0776 × true protein % + 0.2534).
  The same equation is used with the 2022 edition (IDF Bulletin 520/2022, *The IDF global Carbon
  Footprint standard for the dairy sector*) by software that cites it (e.g. the cowfootR package's
  "IDF formula").
* Allocation of the farm's emissions between milk and the live animals it sells (cull cows, surplus
  calves), IDF Bulletin 479/2015 pp. 34–36, the physical (feed-energy) allocation:
  AF_milk = 1 − 6.04 × BMR, BMR = M_meat / M_milk (kg live weight sold / kg FPCM sold); the
  bulletin's typical BMR 0.02 gives 88 % to milk, its worked example 1 − 6.04 × 0.024 = 0.86.
  The 2015 edition says it made "a minor adjustment" to the 2010 equation (IDF Bulletin 445/2010);
  the 2010 constant is not used here.

What was read where (nothing here comes from a copy of the IDF bulletins themselves, which are sold
by the IDF and not reachable from this project): the 2015 allocation equation, its typical BMR and
worked example are quoted from a third party's notes that quote Bulletin 479/2015 pp. 34–36; the FPCM
coefficients from a published R package (cowfootR) that implements the IDF standard; the 2010 → 2015
change from the IDF's own web page on the carbon footprint guide. For the 2022 edition (Bulletin
520/2022) two second-hand sources disagree: one implements the allocation as a ratio of net energies
(milk 3.1 MJ/kg FPCM against 11–15 MJ/kg live weight, "p. 86"), and we could not check it against
the text; so the 2015 rule is the one implemented, and a study under the 2022 edition should confirm
the constant against its copy (``bmr_coefficient`` takes another value).
"""

from __future__ import annotations

import polars as pl

# IDF Bulletin 479/2015: FPCM = milk × (FAT × fat % + PROTEIN × protein % + CONSTANT)
FPCM_FAT_COEFFICIENT = 0.1226
FPCM_PROTEIN_COEFFICIENT = 0.0776
FPCM_CONSTANT = 0.2534

# IDF Bulletin 479/2015 pp. 34–36: AF_milk = 1 − 6.04 × BMR
IDF_2015_BMR_COEFFICIENT = 6.04

# Which emission rows of an organisational inventory are the herd's: IPCC 2006 Vol. 4 categories
# 3.A.1 (enteric), 3.A.2 (manure) and 3.C.4-3.C.6 (managed soils, indirect N2O), as the engine's kinds.
HERD_KINDS = ("enteric", "manure", "soils")


def fpcm_factor(fat_percent: float, protein_percent: float) -> float:
    """kg FPCM per kg of raw milk with ``fat_percent`` fat and ``protein_percent`` true protein (IDF 2015)."""
    if not (0 < fat_percent < 100 and 0 < protein_percent < 100):
        raise ValueError(f"fat and protein are percentages of the milk's mass, got {fat_percent}, {protein_percent}")
    return FPCM_FAT_COEFFICIENT * fat_percent + FPCM_PROTEIN_COEFFICIENT * protein_percent + FPCM_CONSTANT


def fpcm_kg(milk_kg: float, fat_percent: float, protein_percent: float) -> float:
    """Raw milk corrected to 4.0 % fat and 3.3 % true protein, kg FPCM (IDF Bulletin 479/2015)."""
    if milk_kg < 0:
        raise ValueError(f"milk_kg must not be negative, got {milk_kg}")
    return milk_kg * fpcm_factor(fat_percent, protein_percent)


def beef_to_milk_ratio(meat_live_weight_kg: float, milk_fpcm_kg: float) -> float:
    """BMR: kg live weight of animals sold per kg FPCM sold (IDF Bulletin 479/2015 pp. 34–36)."""
    if milk_fpcm_kg <= 0:
        raise ValueError(f"milk_fpcm_kg must be positive, got {milk_fpcm_kg}")
    if meat_live_weight_kg < 0:
        raise ValueError(f"meat_live_weight_kg must not be negative, got {meat_live_weight_kg}")
    return meat_live_weight_kg / milk_fpcm_kg


def milk_allocation_factor(
    meat_live_weight_kg: float, milk_fpcm_kg: float, bmr_coefficient: float = IDF_2015_BMR_COEFFICIENT
) -> float:
    """AF_milk = 1 − 6.04 × BMR: the share of the farm's emissions that milk carries (IDF Bulletin 479/2015).

    The rest, 1 − AF_milk, goes to the live animals sold. A BMR at which the rule leaves milk nothing
    (AF_milk ≤ 0) is outside the range the rule was fitted on and is an error."""
    bmr = beef_to_milk_ratio(meat_live_weight_kg, milk_fpcm_kg)
    share = 1.0 - bmr_coefficient * bmr
    if share <= 0:
        raise ValueError(
            f"BMR {bmr:.4g} kg live weight per kg FPCM leaves milk no share (AF_milk = {share:.4g}); "
            "the IDF rule applies to dairy farms, where milk is the main product"
        )
    return share


def herd_flows_kg(emissions: pl.DataFrame) -> dict[str, float]:
    """The herd's elementary flows (kg) from the rows the engine computed for an inventory.

    Enteric fermentation and manure CH4 are biogenic methane (``CH4_biogenic``); manure and soil N2O
    stay ``N2O``. Reads the columns ``kind``, ``gas`` and ``mass_t`` of the emission rows."""
    herd = emissions.filter(pl.col("kind").is_in(HERD_KINDS))
    flows = herd.with_columns(
        pl.when(pl.col("gas") == "CH4").then(pl.lit("CH4_biogenic")).otherwise(pl.col("gas")).alias("flow")
    )
    totals = flows.group_by("kind", "flow").agg((pl.col("mass_t").sum() * 1000.0).alias("kg"))
    return {f"{r['kind']}:{r['flow']}": r["kg"] for r in totals.sort("kind", "flow").iter_rows(named=True)}
