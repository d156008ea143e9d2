"""The year-on-year decomposition (dualcarbon.compare) on a hand-made two-year case.

Every expected figure is worked out by hand in the comments from the module's formulas:
method M = E0' − E0 (E0' the older emissions restated), factor F = q0 · f1 − E0', activity
A = (q1 − q0) · f1, with f = E / q.
"""

from __future__ import annotations

import polars as pl
import pytest

from dualcarbon.compare import RunResults, compare

NAMES = {
    "fuel/natural_gas": ("天然气", "Natural gas"),
    "electricity/grid": ("外购电力", "Purchased electricity (grid)"),
    "fuel/diesel": ("柴油", "Diesel"),
    "process/lime": ("石灰生产", "Lime production"),
    "refrigerant/HFC-134a": ("HFC-134a", "HFC-134a"),
    "spend/naics/311119": ("乳制品制造", "Dairy product manufacturing"),
}


def _sources(rows: list[tuple[str, str, str, str, float, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "activity": a,
                "activity_name_zh": NAMES[a][0],
                "activity_name_en": NAMES[a][1],
                "activity_kind": "x",
                "scope": s,
                "category": c,
                "quantity": q,
                "unit": u,
                "co2e_t": e,
            }
            for a, s, c, u, q, e in rows
        ]
    )


def _emissions(rows: list[tuple[str, str, str, str, str, float, float, str]]) -> pl.LazyFrame:
    return pl.DataFrame(
        [
            {"key": k, "scope": s, "category": c, "scope2_method": m, "gas": g, "gwp": w, "co2e_t": e, "formula": f}
            for k, s, c, m, g, w, e, f in rows
        ],
        schema={
            "key": pl.String,
            "scope": pl.String,
            "category": pl.String,
            "scope2_method": pl.String,
            "gas": pl.String,
            "gwp": pl.Float64,
            "co2e_t": pl.Float64,
            "formula": pl.String,
        },
    ).lazy()


def _summary(gwp: str, gwp_values: dict[str, float], total: float, boundary: str = "operational_control") -> dict:
    return {
        "organization": {"name": "例", "boundary": boundary},
        "period": {"start": "2024-01-01", "end": "2024-12-31"},
        "gwp_set": gwp,
        "gwp_values": gwp_values,
        "totals": {"scope1": 0.0, "total_location": total},
        "by_category": [],
    }


COMB, GRID, LIME = "E = Q × NCV × EF", "E = Q × EF_grid", "E = Q × EF (Tier 1)"

# 2023, AR5 (CH4 28): gas 1,000 GJ → CO2 50 t + CH4 0.1 t × 28 = 52.8 t; grid 3,600 GJ → 200 t
# (its market-based row, 150 t, is not in the location-based total); diesel 10 t → 30 t; lime 100 t → 50 t.
OLD = RunResults(
    summary=_summary("AR5", {"CO2": 1.0, "CH4": 28.0}, 52.8 + 200 + 30 + 50),
    sources=_sources(
        [
            ("fuel/natural_gas", "1", "1.stationary", "GJ", 1000.0, 52.8),
            ("electricity/grid", "2", "2.electricity", "GJ", 3600.0, 200.0),
            ("fuel/diesel", "1", "1.mobile", "t", 10.0, 30.0),
            ("process/lime", "1", "1.process", "t", 100.0, 50.0),
        ]
    ),
    emissions=_emissions(
        [
            ("fuel/natural_gas", "1", "1.stationary", None, "CO2", 1.0, 50.0, COMB),
            ("fuel/natural_gas", "1", "1.stationary", None, "CH4", 28.0, 2.8, COMB),
            ("electricity/grid", "2", "2.electricity", "location", "CO2", 1.0, 200.0, GRID),
            ("electricity/grid", "2", "2.electricity", "market", "CO2", 1.0, 150.0, "E = MWh × supplier EF"),
            ("fuel/diesel", "1", "1.mobile", None, "CO2", 1.0, 30.0, COMB),
            ("process/lime", "1", "1.process", None, "CO2", 1.0, 50.0, LIME),
        ]
    ),
)

# 2024, AR6 (CH4 29.8): gas 1,200 GJ at a CO2 factor of 0.051 t/GJ (was 0.050) → 61.2 + 0.12 × 29.8 = 64.776 t;
# grid 3,600 GJ at a new grid factor → 180 t; diesel gone; lime 120 t by a Tier 2 formula → 48 t;
# a new refrigerant source, 13 t.
NEW = RunResults(
    summary=_summary("AR6", {"CO2": 1.0, "CH4": 29.8}, 64.776 + 180 + 48 + 13),
    sources=_sources(
        [
            ("fuel/natural_gas", "1", "1.stationary", "GJ", 1200.0, 64.776),
            ("electricity/grid", "2", "2.electricity", "GJ", 3600.0, 180.0),
            ("process/lime", "1", "1.process", "t", 120.0, 48.0),
            ("refrigerant/HFC-134a", "1", "1.fugitive", "t", 0.01, 13.0),
        ]
    ),
    emissions=_emissions(
        [
            ("fuel/natural_gas", "1", "1.stationary", None, "CO2", 1.0, 61.2, COMB),
            ("fuel/natural_gas", "1", "1.stationary", None, "CH4", 29.8, 3.576, COMB),
            ("electricity/grid", "2", "2.electricity", "location", "CO2", 1.0, 180.0, GRID),
            ("process/lime", "1", "1.process", None, "CO2", 1.0, 48.0, "E = Q × EF (Tier 2, measured)"),
            ("refrigerant/HFC-134a", "1", "1.fugitive", None, "HFC-134a", 1300.0, 13.0, "E = leak × GWP"),
        ]
    ),
)


def _by_source(result: dict) -> dict[str, dict]:
    return {s["activity"]: s for s in result["sources"]}


def test_each_effect_by_hand() -> None:
    result = compare(OLD, NEW)
    s = _by_source(result)
    gas = s["fuel/natural_gas"]
    # E0' = 50 + 0.1 × 29.8 = 52.98 → M = 0.18; f1 = 64.776 / 1200 = 0.05398, q0·f1 = 53.98 → F = 1.0
    # (the CO2 factor's 0.001 t/GJ × 1,000 GJ); A = 200 GJ × 0.05398 = 10.796.
    assert gas["status"] == "continuing" and gas["method_reason"] == "gwp"
    assert gas["method_t"] == pytest.approx(0.18)
    assert gas["factor_t"] == pytest.approx(1.0)
    assert gas["activity_t"] == pytest.approx(10.796)
    assert gas["change_t"] == pytest.approx(11.976)
    grid = s["electricity/grid"]
    # CO2 only (GWP 1 in both sets): M = 0; same quantity: A = 0; F = 180 − 200 = −20.
    assert grid["method_t"] == pytest.approx(0.0)
    assert grid["factor_t"] == pytest.approx(-20.0)
    assert grid["activity_t"] == pytest.approx(0.0)
    lime = s["process/lime"]
    # Another formula: the whole change of intensity is method, M = 100 × 0.4 − 50 = −10, F = 0;
    # A = 20 t × 0.4 = 8.
    assert lime["method_reason"] == "gwp_formula"
    assert lime["method_t"] == pytest.approx(-10.0)
    assert lime["factor_t"] == 0.0
    assert lime["activity_t"] == pytest.approx(8.0)
    assert s["fuel/diesel"]["status"] == "dropped" and s["fuel/diesel"]["change_t"] == pytest.approx(-30.0)
    assert s["fuel/diesel"]["method_t"] is None
    assert s["refrigerant/HFC-134a"]["status"] == "new"
    assert s["refrigerant/HFC-134a"]["change_t"] == pytest.approx(13.0)
    d = result["decomposition"]
    # 305.776 − 332.8 = −27.024 = M (0.18 − 10) + F (1 − 20) + A (10.796 + 8) + new 13 + dropped −30.
    assert d["total_change_t"] == pytest.approx(-27.024)
    assert d["method_t"] == pytest.approx(-9.82)
    assert d["factor_t"] == pytest.approx(-19.0)
    assert d["activity_t"] == pytest.approx(18.796)
    assert d["new_sources_t"] == pytest.approx(13.0)
    assert d["dropped_sources_t"] == pytest.approx(-30.0)
    assert d["other_t"] == pytest.approx(0.0, abs=1e-9)
    assert result["method_changes"]["gwp_set"] == ["AR5", "AR6"]
    assert result["method_changes"]["formula_sources"] == 1
    assert result["method_changes"]["boundary"] is None
    # The largest change first.
    assert [x["activity"] for x in result["sources"]][:2] == ["fuel/diesel", "electricity/grid"]


def test_without_emission_rows_a_new_gwp_set_is_all_method() -> None:
    """Without the older run's gases the GWP restatement is unknown: the whole change of intensity of
    every continuing source is method, and a warning says so."""
    result = compare(RunResults(OLD.summary, OLD.sources, None), RunResults(NEW.summary, NEW.sources, None))
    gas = _by_source(result)["fuel/natural_gas"]
    # M = q0 · f1 − E0 = 53.98 − 52.8 = 1.18; F = 0; A = 10.796.
    assert gas["method_t"] == pytest.approx(1.18)
    assert gas["factor_t"] == 0.0
    assert gas["activity_t"] == pytest.approx(10.796)
    assert set(result["warnings"]) == {"no_emission_rows", "gwp_without_emission_rows"}


def test_same_methods_split_into_factor_and_activity_and_boundary_named() -> None:
    old = RunResults(
        _summary("AR5", {"CO2": 1.0}, 100.0),
        _sources(
            [("fuel/diesel", "1", "1.mobile", "t", 10.0, 30.0), ("process/lime", "1", "1.process", "t", 100.0, 70.0)]
        ),
        _emissions([("fuel/diesel", "1", "1.mobile", None, "CO2", 1.0, 30.0, COMB)]),
    )
    new = RunResults(
        _summary("AR5", {"CO2": 1.0}, 36.0 + 70.0, boundary="equity_share"),
        _sources(
            [("fuel/diesel", "1", "1.mobile", "t", 12.0, 36.0), ("process/lime", "1", "1.process", "t", 100.0, 70.0)]
        ),
        _emissions([("fuel/diesel", "1", "1.mobile", None, "CO2", 1.0, 36.0, COMB)]),
    )
    result = compare(old, new)
    diesel = _by_source(result)["fuel/diesel"]
    # 3 t CO2/t both years: F = 0, A = 2 t × 3 = 6.
    assert (diesel["method_t"], diesel["factor_t"], diesel["activity_t"]) == pytest.approx((0.0, 0.0, 6.0))
    assert diesel["method_reason"] is None
    assert result["method_changes"]["boundary"] == ["operational_control", "equity_share"]
    assert result["decomposition"]["activity_t"] == pytest.approx(6.0)


def test_factors_published_in_co2e_follow_the_gwp_set_as_method() -> None:
    """A spend-based factor's gases without a GWP of their own come in CO2e (gas ``CO2e``), which the GWP set
    the run chose decides: with another set their change is method, not factor. 1,000 USD both years; AR5:
    CO2 0.5 t + CO2e 0.1 t; AR6: CO2 0.5 t + CO2e 0.12 t → M = 0.02, F = 0, A = 0. (Measured before this rule:
    M = 0, F = 0.02.)"""
    key = ("spend/naics/311119", "3", "3.1", "USD")
    old = RunResults(
        _summary("AR5", {"CO2": 1.0, "CO2e": 1.0}, 0.6),
        _sources([(*key[:3], key[3], 1000.0, 0.6)]),
        _emissions(
            [
                (*key[:3], None, "CO2", 1.0, 0.5, "E = spend × EEIO EF"),
                (*key[:3], None, "CO2e", 1.0, 0.1, "E = spend × EEIO EF"),
            ]
        ),
    )
    new = RunResults(
        _summary("AR6", {"CO2": 1.0, "CO2e": 1.0}, 0.62),
        _sources([(*key[:3], key[3], 1000.0, 0.62)]),
        _emissions(
            [
                (*key[:3], None, "CO2", 1.0, 0.5, "E = spend × EEIO EF"),
                (*key[:3], None, "CO2e", 1.0, 0.12, "E = spend × EEIO EF"),
            ]
        ),
    )
    line = compare(old, new)["sources"][0]
    assert (line["method_t"], line["factor_t"], line["activity_t"]) == pytest.approx((0.02, 0.0, 0.0))
    assert line["method_reason"] == "gwp"
