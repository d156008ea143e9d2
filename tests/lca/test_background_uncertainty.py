"""The background factors' own uncertainty in product Monte Carlo: a background process (an activity key resolved
through the factor library) carries the published 95 % range of its factors on its biosphere entries, as the
organisational inventory's Monte Carlo takes them (IPCC 2006 Vol. 1 Ch. 3; uncertainty.inventory)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from projects import write_settings

from dualcarbon.lca import montecarlo
from dualcarbon.project.products import background_uncertainty, load_product
from dualcarbon.uncertainty.distributions import LOGNORMAL, NORMAL

Z95 = 1.959963984540054


def diesel_project(root: Path) -> Path:
    product = '[product]\nreference = "plant"\nfunctional_unit = "1 t"\nboundary = "cradle-to-gate"\n'
    write_settings(root, sets=["ipcc2006"], extra=product)
    (root / "processes.csv").write_text("id,name,name_en,unit,location,stage\nplant,工厂,Plant,t,CN,making\n")
    (root / "exchanges.csv").write_text(
        "process,input,amount,unit,type\nplant,plant,1,t,production\nplant,fuel/diesel,2,t,technosphere\n"
    )
    return root


def test_diesel_ncv_range_reaches_the_footprint(tmp_path: Path) -> None:
    """IPCC 2006 Vol. 2 Table 1.2 gives gas/diesel oil an NCV of 43.0 TJ/Gg with a 95 % range of 41.4–43.3; the
    library has no range for its CO2, CH4 and N2O factors. The range is skewed (0.3 above, 1.6 below), so the
    inventory takes it as a lognormal multiplier with σ = ln(43.3/41.4)/(2 × 1.96) = 0.011447; every gas of
    the diesel background process is then lognormal with σg = e^σ around its published kg (the median), and
    the footprint of 2 t of diesel, 2 × Σ kg × GWP × M with M of median 1, has a coefficient of variation of
    σ × √Σ share² ≈ σ (CO2 is 99.7 % of it)."""
    project = load_product(diesel_project(tmp_path / "diesel"))
    sigma = math.log(43.3 / 41.4) / (2 * Z95)
    (diesel,) = project.background
    assert "ipcc2006:11" in diesel.trace["factor_ids"]
    assert set(diesel.uncertainty) == {"CO2", "CH4", "N2O"}
    for kind, scale in diesel.uncertainty.values():
        assert kind == LOGNORMAL and scale == pytest.approx(math.exp(sigma), rel=1e-12)
    bio = project.system.biosphere
    assert np.all(bio.amount.kind == LOGNORMAL)
    assert np.allclose(bio.amount.scale, math.exp(sigma))

    c = project.system.characterisation
    kg = bio.amount.amount
    contribution = 2 * kg * c[bio.row]
    static = contribution.sum()
    shares = contribution / static
    scores = montecarlo.simulate(project.system, {"plant": 1.0}, 20_000, seed=3)
    expected_cv = math.sqrt(np.sum(shares**2) * (math.exp(sigma**2) - 1))
    assert expected_cv == pytest.approx(0.01141, abs=5e-5)  # the hand figure: σ √Σ share², shares 0.997, ...
    assert np.std(scores) / np.mean(scores) == pytest.approx(expected_cv, rel=0.03)  # sd estimate: ±0.5 % (1σ)
    assert np.median(scores) == pytest.approx(static, rel=1e-3)


def test_combining_the_factors_of_a_flow() -> None:
    spread = {"a": (LOGNORMAL, math.exp(0.1)), "b": (LOGNORMAL, math.exp(0.2)), "n": (NORMAL, 0.05)}
    # lognormal factors alone: a product of lognormals, σ_ln = √(0.1² + 0.2²), around the published kg
    assert background_uncertainty([(10.0, ["a", "b", "x"])], spread) == (LOGNORMAL, pytest.approx(math.exp(0.05**0.5)))
    # a normal among them: a normal with the product's exact variance, Π(1 + cv²) − 1 (cv of the lognormal √(e^σ² − 1))
    kind, sd = background_uncertainty([(10.0, ["a", "n"])], spread)  # type: ignore[misc]
    assert kind == NORMAL and sd == pytest.approx(10.0 * math.sqrt(math.exp(0.01) * 1.0025 - 1), rel=1e-12)
    # two rows of one flow (two gases' rows mapped to one flow, or two parts): their variances add
    kind, sd = background_uncertainty([(10.0, ["n"]), (4.0, ["a"]), (1.0, [])], spread)  # type: ignore[misc]
    assert kind == NORMAL and sd == pytest.approx(math.sqrt(100 * 0.0025 + 16 * (math.exp(0.01) - 1)), rel=1e-12)
    # no factor with a range: certain
    assert background_uncertainty([(10.0, ["x"])], spread) is None
