"""Brightway processed datapackages: a product system written and read back unchanged, Brightway's sign and
uncertainty conventions in the written arrays, and a package built with bw_processing's own API read here."""

import os
from pathlib import Path

import numpy as np
import pytest

from dualcarbon.lca.system import Entries, Process, ProductSystem
from dualcarbon.uncertainty.distributions import KINDS, Uncertain

if os.environ.get("CI"):  # declared in the test extra: missing under CI is a failure, not a skip
    import bw_processing as bwp
else:
    bwp = pytest.importorskip("bw_processing")

from dualcarbon.lca import interop  # noqa: E402


def _system() -> ProductSystem:
    """Milk at the farm gate with its feed and electricity (a loop: the farm's own feed uses electricity made
    with a little feed), every kind of distribution, an uptake, a negative lognormal and a substitution."""
    k = {name: KINDS[name] for name in KINDS}
    processes = (
        Process("milk", "原奶", "raw milk", "kg", "CN", "farm"),
        Process("feed", "饲料", "feed", "kg", "CN", "feed"),
        Process("electricity", "电力", "electricity", "kWh", "CN-NCG", "energy", background=True),
    )
    t_rows = np.array([0, 1, 2, 1, 2, 1, 2])
    t_cols = np.array([0, 1, 2, 0, 0, 2, 1])
    t = Uncertain(
        amount=np.array([1.0, 1.0, 1.0, -0.9, -0.05, -0.001, -0.02]),
        kind=np.array(
            [k["none"], k["none"], k["none"], k["lognormal"], k["normal"], k["triangular"], k["uniform"]], np.int8
        ),
        scale=np.array([np.nan, np.nan, np.nan, 1.2, 0.005, np.nan, np.nan]),
        low=np.array([np.nan, np.nan, np.nan, np.nan, np.nan, -0.002, -0.03]),
        high=np.array([np.nan, np.nan, np.nan, np.nan, np.nan, -0.0005, -0.01]),
    )
    # substitution: the farm's manure avoids 0.01 kg of feed (a positive off-diagonal entry)
    t = Uncertain(
        *(
            np.append(getattr(t, f), v)
            for f, v in zip(("amount", "kind", "scale", "low", "high"), (0.01, 0, np.nan, np.nan, np.nan), strict=True)
        )
    )
    t_rows, t_cols = np.append(t_rows, 1), np.append(t_cols, 0)
    b = Uncertain(
        amount=np.array([0.02, 0.5, -0.3, 0.6, 0.001]),
        kind=np.array([k["lognormal"], k["none"], k["lognormal"], k["normal"], k["triangular"]], np.int8),
        scale=np.array([1.5, np.nan, 1.1, 0.06, np.nan]),
        low=np.array([np.nan, np.nan, np.nan, np.nan, 0.0005]),
        high=np.array([np.nan, np.nan, np.nan, np.nan, 0.003]),
    )
    return ProductSystem(
        processes=processes,
        flows=("CH4_biogenic", "CO2", "CO2_uptake", "CO2_fossil", "N2O"),
        technosphere=Entries(t_rows, t_cols, t),
        biosphere=Entries(np.array([0, 1, 2, 3, 4]), np.array([0, 1, 1, 2, 1]), b),
        characterisation=np.array([27.0, 1.0, 1.0, 1.0, 273.0]),
        reference="milk",
        functional_unit="1 kg FPCM",
        boundary="cradle-to-gate",
    )


def _same(a: Uncertain, b: Uncertain) -> None:
    np.testing.assert_array_equal(a.amount, b.amount)
    np.testing.assert_array_equal(a.kind, b.kind)
    for field in ("scale", "low", "high"):  # float32 in Brightway's UNCERTAINTY_DTYPE
        np.testing.assert_allclose(getattr(a, field), getattr(b, field), rtol=2e-7, equal_nan=True)


@pytest.mark.parametrize("name", ["system.zip", "system"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    system = _system()
    path = interop.write_datapackage(system, tmp_path / name)
    back = interop.read_datapackage(path)
    assert back.processes == system.processes and back.flows == system.flows
    assert (back.reference, back.functional_unit, back.boundary) == ("milk", "1 kg FPCM", "cradle-to-gate")
    np.testing.assert_array_equal(back.characterisation, system.characterisation)
    for mine, theirs in ((system.technosphere, back.technosphere), (system.biosphere, back.biosphere)):
        np.testing.assert_array_equal(mine.row, theirs.row)
        np.testing.assert_array_equal(mine.col, theirs.col)
        _same(mine.amount, theirs.amount)


def test_the_written_arrays_follow_brightways_conventions(tmp_path: Path) -> None:
    interop.write_datapackage(_system(), tmp_path / "system.zip")
    dp = bwp.load_datapackage(bwp.generic_zipfile_filesystem(dirpath=tmp_path, filename="system.zip", write=False))
    data, _ = dp.get_resource("technosphere.data")
    flip, _ = dp.get_resource("technosphere.flip")
    dist, _ = dp.get_resource("technosphere.distributions")
    indices, _ = dp.get_resource("technosphere.indices")
    # process i is id i + 1; inputs are stored positive and flipped; the substitution (0.01) is not flipped
    assert indices["row"].tolist() == [1, 2, 3, 2, 3, 2, 3, 2]
    assert data.tolist() == [1.0, 1.0, 1.0, 0.9, 0.05, 0.001, 0.02, 0.01]
    assert flip.tolist() == [False, False, False, True, True, True, True, False]
    # stats_arrays ids: 0 undefined, 2 lognormal (loc ln|amount|, scale ln σg), 3 normal, 5 triangular, 4 uniform
    assert dist["uncertainty_type"].tolist() == [0, 0, 0, 2, 3, 5, 4, 0]
    assert dist["loc"][3] == pytest.approx(np.log(0.9), rel=1e-6) and dist["scale"][3] == pytest.approx(
        np.log(1.2), rel=1e-6
    )
    assert dist["scale"][4] == pytest.approx(0.005) and dist["loc"][4] == pytest.approx(0.05)
    # the stored (unflipped) amount's triangle: 0.0005 … 0.002, mode 0.001
    assert dist["minimum"][5] == pytest.approx(0.0005) and dist["maximum"][5] == pytest.approx(0.002)
    bio, _ = dp.get_resource("biosphere.distributions")
    assert bool(bio["negative"][2]) and bio["loc"][2] == pytest.approx(np.log(0.3), rel=1e-6)
    cf_indices, _ = dp.get_resource("characterization.indices")
    assert cf_indices["row"].tolist() == cf_indices["col"].tolist() == [4, 5, 6, 7, 8]  # flows after the 3 processes


def test_a_package_made_with_bw_processing_reads(tmp_path: Path) -> None:
    # as bw2data writes a database: ids 101 (steel) and 102 (electricity) for activities and their products,
    # 900 for CO2; electricity uses 0.1 kg steel per kWh (stored 0.1, flipped), steel 2 kWh per kg (lognormal σg 1.3)
    dp = bwp.create_datapackage(fs=bwp.generic_zipfile_filesystem(dirpath=tmp_path, filename="db.zip"), name="db")
    tech_idx = np.array([(101, 101), (102, 102), (101, 102), (102, 101)], dtype=bwp.INDICES_DTYPE)
    tech_dist = np.array(
        [
            (0, 1.0, np.nan, np.nan, np.nan, np.nan, False),
            (0, 1.0, np.nan, np.nan, np.nan, np.nan, False),
            (3, 0.1, 0.01, np.nan, np.nan, np.nan, False),
            (2, np.log(2.0), np.log(1.3), np.nan, np.nan, np.nan, False),
        ],
        dtype=bwp.UNCERTAINTY_DTYPE,
    )
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="tech",
        indices_array=tech_idx,
        data_array=np.array([1.0, 1.0, 0.1, 2.0]),
        flip_array=np.array([False, False, True, True]),
        distributions_array=tech_dist,
    )
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        name="bio",
        indices_array=np.array([(900, 101), (900, 102)], dtype=bwp.INDICES_DTYPE),
        data_array=np.array([1.8, 0.6]),
    )
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        name="ipcc",
        indices_array=np.array([(900, 900)], dtype=bwp.INDICES_DTYPE),
        data_array=np.array([1.0]),
    )
    dp.finalize_serialization()
    system = interop.read_datapackage(tmp_path / "db.zip", reference="101")
    assert [p.id for p in system.processes] == ["101", "102"] and system.flows == ("900",)
    a = np.zeros((2, 2))
    np.add.at(a, (system.technosphere.row, system.technosphere.col), system.technosphere.amount.amount)
    np.testing.assert_array_equal(a, [[1.0, -0.1], [-2.0, 1.0]])
    u = system.technosphere.amount
    assert u.kind.tolist() == [KINDS["none"], KINDS["none"], KINDS["normal"], KINDS["lognormal"]]
    assert u.scale[3] == pytest.approx(1.3, rel=1e-6) and u.scale[2] == pytest.approx(0.01)
    # footprints by hand: x = A⁻ᵀ Bᵀ c; steel: (1.8 + 2 × 0.6)/(1 − 0.2) = 3.75 kg CO2 per kg
    bmat = np.zeros((1, 2))
    np.add.at(bmat, (system.biosphere.row, system.biosphere.col), system.biosphere.amount.amount)
    x = np.linalg.solve(a.T, bmat.T @ system.characterisation)
    np.testing.assert_allclose(x, [3.75, 0.975])
    # and the engine computes the same from the system read
    from dualcarbon.lca.compute import footprints

    np.testing.assert_allclose(footprints(system), [3.75, 0.975], rtol=1e-12)


def test_an_unsupported_distribution_is_refused_by_name(tmp_path: Path) -> None:
    dp = bwp.create_datapackage(fs=bwp.generic_zipfile_filesystem(dirpath=tmp_path, filename="w.zip"), name="w")
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="tech",
        indices_array=np.array([(1, 1)], dtype=bwp.INDICES_DTYPE),
        data_array=np.array([1.0]),
        distributions_array=np.array([(8, 1.0, 2.0, 1.5, np.nan, np.nan, False)], dtype=bwp.UNCERTAINTY_DTYPE),
    )
    dp.finalize_serialization()
    with pytest.raises(ValueError, match="8 \\(Weibull\\)"):
        interop.read_datapackage(tmp_path / "w.zip")


BW2CALC = """
import json, sys
import numpy as np, bw2calc as bc, bw_processing as bwp
from fsspec.implementations.zip import ZipFileSystem
dp = bwp.load_datapackage(ZipFileSystem(sys.argv[1]))
scores = []
for pid in (1, 2, 3):
    lca = bc.LCA({pid: 1.0}, data_objs=[dp]); lca.lci(); lca.lcia(); scores.append(lca.score)
lca = bc.LCA({1: 1.0}, data_objs=[dp], use_distributions=True, seed_override=3); lca.lci(); lca.lcia()
draws = [(next(lca), lca.score)[1] for _ in range(4000)]
print(json.dumps({"scores": scores, "mean": float(np.mean(draws)), "sd": float(np.std(draws))}))
"""


@pytest.mark.skipif(
    not os.environ.get("DUALCARBON_BW2CALC_PYTHON"),
    reason="bw2calc is not a dependency: set DUALCARBON_BW2CALC_PYTHON to a python that has it (bench/lca.py's venv)",
)
def test_bw2calc_computes_the_same_footprints_from_the_written_package(tmp_path: Path) -> None:
    import json
    import subprocess

    system = _system()
    path = interop.write_datapackage(system, tmp_path / "milk.zip")
    python = os.environ["DUALCARBON_BW2CALC_PYTHON"]
    out = subprocess.run([python, "-c", BW2CALC, str(path)], capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    n = len(system.processes)
    a = np.zeros((n, n))
    np.add.at(a, (system.technosphere.row, system.technosphere.col), system.technosphere.amount.amount)
    b = np.zeros((len(system.flows), n))
    np.add.at(b, (system.biosphere.row, system.biosphere.col), system.biosphere.amount.amount)
    np.testing.assert_allclose(result["scores"], np.linalg.solve(a.T, b.T @ system.characterisation), rtol=1e-12)
    # Monte Carlo with Brightway's own samplers of the written distributions: the mean of ours, to its error
    rng = np.random.default_rng(0)
    t, bs = system.technosphere.amount.sample(rng, 4000), system.biosphere.amount.sample(rng, 4000)
    ours = []
    for k in range(4000):
        a = np.zeros((n, n))
        np.add.at(a, (system.technosphere.row, system.technosphere.col), t[k])
        b = np.zeros((len(system.flows), n))
        np.add.at(b, (system.biosphere.row, system.biosphere.col), bs[k])
        ours.append(system.characterisation @ b @ np.linalg.solve(a, np.eye(n)[:, 0]))
    error = np.hypot(result["sd"], np.std(ours)) / np.sqrt(4000)
    assert abs(result["mean"] - np.mean(ours)) < 4 * error


def test_a_distribution_that_describes_nothing_is_refused(tmp_path: Path) -> None:
    dp = bwp.create_datapackage(fs=bwp.generic_zipfile_filesystem(dirpath=tmp_path, filename="z.zip"), name="z")
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="tech",
        indices_array=np.array([(1, 1), (1, 2), (2, 2)], dtype=bwp.INDICES_DTYPE),
        data_array=np.array([1.0, 0.0, 1.0]),
        flip_array=np.array([False, True, False]),
        distributions_array=np.array(
            [
                (0, 1.0, np.nan, np.nan, np.nan, np.nan, False),
                (2, -np.inf, 0.2, np.nan, np.nan, np.nan, False),  # a lognormal of amount 0
                (0, 1.0, np.nan, np.nan, np.nan, np.nan, False),
            ],
            dtype=bwp.UNCERTAINTY_DTYPE,
        ),
    )
    dp.finalize_serialization()
    with pytest.raises(ValueError, match="technosphere_matrix: 1 entries .* position 1"):
        interop.read_datapackage(tmp_path / "z.zip")
