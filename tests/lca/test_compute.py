"""Contributions and the supply-chain tree (Heijungs and Suh 2002, section 8.2), checked by hand and by sums."""

from __future__ import annotations

import numpy as np
import pytest

from dualcarbon.lca import compute

from .systems import build, random_dominant


def test_loop_analysis_by_hand() -> None:
    """The loop of test_solve: s = (10/9, 5/9); CO2 2 and 1 kg/unit, CH4 0.1 kg on p1 at 28 kg CO2e/kg."""
    a = np.array([[1.0, -0.2], [-0.5, 1.0]])
    b = np.array([[2.0, 1.0], [0.0, 0.1]])
    system = build(a, b, np.array([1.0, 28.0]), stages=["farm", "dairy"])
    result = compute.analyse(system, {"p0": 1.0})
    direct = [20 / 9, (1.0 + 2.8) * 5 / 9]
    assert result.score == pytest.approx(sum(direct), rel=1e-12)
    np.testing.assert_allclose(result.supply, [10 / 9, 5 / 9], rtol=1e-12)
    assert result.by_process[0][0] == 0 and result.by_process[0][1] == pytest.approx(direct[0], rel=1e-12)
    assert result.by_stage == pytest.approx({"farm": direct[0], "dairy": direct[1]}, rel=1e-12)
    assert result.by_flow["f1"] == pytest.approx((0.5 / 9, 2.8 * 5 / 9), rel=1e-12)
    # tree: root p0 with 1 unit; its input 0.5 of product 1, whose footprint is (2·0.2 + 3.8)/0.9 per unit
    x1 = (0.4 + 3.8) / 0.9
    tree = result.tree
    assert tree["process"] == 0 and tree["amount"] == 1.0 and tree["kg_co2e"] == pytest.approx(result.score)
    child = tree["children"][0]
    assert child["process"] == 1 and child["amount"] == pytest.approx(0.5)
    assert child["kg_co2e"] == pytest.approx(0.5 * x1, rel=1e-12)
    # the loop goes on to depth 3: p0 → p1 → p0 (0.1) → p1 (0.05)
    assert child["children"][0]["amount"] == pytest.approx(0.1)
    assert child["children"][0]["children"][0]["amount"] == pytest.approx(0.05)
    assert child["children"][0]["children"][0]["children"] == []


def test_substitution_gives_negative_branch() -> None:
    """p0 makes product 0 and its co-product displaces 0.3 of product 1 (a positive off-diagonal entry):
    s1 = -0.3, the score 2 - 0.3·1 = 1.7 and the tree carries the avoided burden as a negative node."""
    a = np.array([[1.0, 0.0], [0.3, 1.0]])
    system = build(a, np.array([[2.0, 1.0]]), np.array([1.0]))
    result = compute.analyse(system, {"p0": 1.0})
    assert result.score == pytest.approx(1.7, rel=1e-12)
    assert result.tree["children"][0]["amount"] == pytest.approx(-0.3)
    assert result.tree["children"][0]["kg_co2e"] == pytest.approx(-0.3)


@pytest.mark.parametrize("seed", [4, 5])
def test_contributions_sum_to_score(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b, c = random_dominant(120, 10, rng)
    stages = [["raw", "process", "use"][j % 3] for j in range(120)]
    system = build(a, b, c, stages=stages)
    result = compute.analyse(system, {"p3": 2.0, "p7": 0.5}, depth=2, cutoff=0.05)
    expected = c @ b @ np.linalg.solve(a, result_demand(120, {3: 2.0, 7: 0.5}))
    assert result.score == pytest.approx(expected, rel=1e-10)
    assert sum(kg for _, kg in result.by_process) == pytest.approx(result.score, rel=1e-10)
    assert sum(result.by_stage.values()) == pytest.approx(result.score, rel=1e-10)
    assert sum(kg for _, kg in result.by_flow.values()) == pytest.approx(result.score, rel=1e-10)
    # two demanded products: a root without process, one child per product, their kg adding to the score
    assert result.tree["process"] is None
    assert sum(child["kg_co2e"] for child in result.tree["children"]) == pytest.approx(result.score, rel=1e-10)

    def walk(node: dict, level: int) -> None:
        assert level <= 2
        for child in node["children"]:
            assert abs(child["kg_co2e"]) >= 0.05 * abs(result.score)
            walk(child, level + 1)

    walk(result.tree, 0)


def result_demand(n: int, amounts: dict[int, float]) -> np.ndarray:
    f = np.zeros(n)
    for j, v in amounts.items():
        f[j] = v
    return f


def test_unknown_demand() -> None:
    system = build(np.eye(2), np.array([[1.0, 1.0]]), np.array([1.0]))
    with pytest.raises(KeyError, match="not a process"):
        compute.analyse(system, {"milk": 1.0})
