"""The samplers of uncertain amounts: moments, reproducibility, parameters that describe nothing."""

import numpy as np

from dualcarbon.uncertainty.distributions import KINDS, Uncertain


def _amounts() -> Uncertain:
    kind = np.array([KINDS[k] for k in ("none", "lognormal", "lognormal", "normal", "triangular", "uniform")], np.int8)
    amount = np.array([3.0, 2.0, -0.5, 10.0, 4.0, 0.0])
    scale = np.array([np.nan, 1.5, 1.2, 2.0, np.nan, np.nan])
    low = np.array([np.nan, np.nan, np.nan, np.nan, 1.0, 5.0])
    high = np.array([np.nan, np.nan, np.nan, np.nan, 10.0, 7.0])
    return Uncertain(amount, kind, scale, low, high)


def test_sample_means_converge_to_the_analytic_means() -> None:
    # lognormal: E[X] = median × exp(σ²/2) with σ = ln σg; triangular (a + c + b)/3; uniform (a + b)/2
    u = _amounts()
    draws = u.sample(np.random.default_rng(7), 400_000)
    assert draws.shape == (400_000, 6)
    assert np.all(draws[:, 0] == 3.0)
    expected = np.array([3.0, 2.0 * np.exp(np.log(1.5) ** 2 / 2), -0.5 * np.exp(np.log(1.2) ** 2 / 2), 10.0, 5.0, 6.0])
    np.testing.assert_allclose(u.mean(), expected)
    np.testing.assert_allclose(draws.mean(axis=0), expected, rtol=5e-3)
    assert np.all(draws[:, 2] < 0)  # a negative amount stays negative
    # the median of a lognormal is its amount; σ of ln X is ln σg
    assert abs(np.median(draws[:, 1]) - 2.0) < 0.01
    assert abs(np.log(draws[:, 1]).std() - np.log(1.5)) < 2e-3


def test_a_fixed_seed_gives_the_same_samples() -> None:
    u = _amounts()
    a = u.sample(np.random.default_rng(42), 50)
    b = u.sample(np.random.default_rng(42), 50)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, u.sample(np.random.default_rng(43), 50))


def test_parameters_that_describe_no_distribution_are_found() -> None:
    kind = np.array([KINDS["lognormal"], KINDS["lognormal"], KINDS["normal"], KINDS["triangular"], KINDS["uniform"], 9])
    amount = np.array([1.0, 1.0, 1.0, 11.0, 1.0, 1.0])
    scale = np.array([1.0, 2.0, -1.0, np.nan, np.nan, np.nan])
    low = np.array([np.nan, np.nan, np.nan, 0.0, 3.0, np.nan])
    high = np.array([np.nan, np.nan, np.nan, 10.0, 3.0, np.nan])
    assert list(Uncertain(amount, kind, scale, low, high).invalid()) == [0, 2, 3, 4, 5]
    assert list(Uncertain.certain(np.array([1.0, -2.0])).invalid()) == []
