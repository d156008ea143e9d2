"""Brightway processed datapackages (``bw_processing``) ⇄ ``ProductSystem``.

A user's matrices from a database they hold a licence for (exported by Brightway as a processed
datapackage) run here, and a product system built here is written in the form Brightway 2.5 /
bw2calc 2+ reads: ``LCA(demand, data_objs=[package])``. Needs the optional extra ``brightway``
(``pip install dualcarbon[brightway]``).

Brightway's conventions, which this module keeps:

- Three matrices, each a persistent vector group: ``technosphere_matrix`` (rows products,
  columns activities), ``biosphere_matrix`` (rows elementary flows, columns activities) and
  ``characterization_matrix`` (diagonal: row and column the flow, the value its factor). Indices are
  integer ids, shared by products, activities and flows (one id space, as in bw2data's node table):
  here process *i* (0-based) is id *i + 1* and its product has the same id (a single-output
  process, as bw2data makes them), flow *j* is id *n + 1 + j*.
- Technosphere inputs are stored as positive amounts with ``flip`` true (bw2calc negates them when
  it builds A); productions and avoided products (positive entries of our A) are not flipped.
  Biosphere entries are never flipped: an uptake is a negative amount.
- Uncertainty as ``stats_arrays`` codes in ``UNCERTAINTY_DTYPE`` records: 0 undefined (no
  uncertainty; 1 "no uncertainty" is read alike), 2 lognormal with ``loc`` = ln|amount| (the median's
  logarithm) and ``scale`` = σ = ln σg, ``negative`` true for a negative amount; 3 normal with
  ``loc`` the mean and ``scale`` the standard deviation; 4 uniform with ``minimum``/``maximum``;
  5 triangular with ``loc`` the mode. The distribution describes the stored (unflipped) amount.
  Other codes (Weibull, gamma, beta, …) have no equivalent in ``Uncertain`` and are refused by name.
  ``loc``, ``scale`` and the bounds are float32 in the format: a round trip keeps them to float32's
  7 digits; the amounts themselves (``data``, float64) are exact.
- What ids cannot carry (process names, units, stages, flow names, the reference product, the
  functional unit, the boundary) is a JSON metadata resource ``dualcarbon_system``; a package
  without it (one made by bw2data) reads with the ids as process and flow names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from dualcarbon.lca.system import Entries, Process, ProductSystem
from dualcarbon.uncertainty.distributions import LOGNORMAL, NONE, NORMAL, TRIANGULAR, UNIFORM, Uncertain

TECHNOSPHERE, BIOSPHERE, CHARACTERISATION = "technosphere_matrix", "biosphere_matrix", "characterization_matrix"
METADATA = "dualcarbon_system"
#: stats_arrays uncertainty type ids (stats_arrays.distributions: UndefinedUncertainty.id = 0, NoUncertainty 1,
#: LognormalUncertainty 2, NormalUncertainty 3, UniformUncertainty 4, TriangularUncertainty 5)
BW_UNDEFINED, BW_NO_UNCERTAINTY, BW_LOGNORMAL, BW_NORMAL, BW_UNIFORM, BW_TRIANGULAR = 0, 1, 2, 3, 4, 5
TO_BW = {NONE: BW_UNDEFINED, LOGNORMAL: BW_LOGNORMAL, NORMAL: BW_NORMAL, UNIFORM: BW_UNIFORM, TRIANGULAR: BW_TRIANGULAR}
FROM_BW = {
    BW_UNDEFINED: NONE,
    BW_NO_UNCERTAINTY: NONE,
    BW_LOGNORMAL: LOGNORMAL,
    BW_NORMAL: NORMAL,
    BW_UNIFORM: UNIFORM,
    BW_TRIANGULAR: TRIANGULAR,
}
BW_NAMES = {
    6: "Bernoulli",
    7: "discrete uniform",
    8: "Weibull",
    9: "gamma",
    10: "beta",
    11: "generalized extreme value",
    12: "Student's t",
}


def _bwp() -> Any:
    try:
        import bw_processing
    except ImportError as exc:  # pragma: no cover - the message is the point
        raise ImportError(
            "Brightway datapackages need the optional extra: pip install 'dualcarbon[brightway]'"
        ) from exc
    return bw_processing


def to_brightway(amounts: Uncertain, flip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Our amounts as Brightway's ``data`` array and distributions (``UNCERTAINTY_DTYPE``) of the stored
    amounts: where ``flip``, the stored amount is −amount and its distribution is mirrored."""
    bwp = _bwp()
    sign = np.where(flip, -1.0, 1.0)
    a = amounts.amount * sign
    lo = np.where(flip, -amounts.high, amounts.low)
    hi = np.where(flip, -amounts.low, amounts.high)
    kind = amounts.kind
    out = np.zeros(len(amounts), dtype=bwp.UNCERTAINTY_DTYPE)
    out["uncertainty_type"] = np.vectorize(TO_BW.__getitem__, otypes=[np.uint8])(kind) if len(kind) else []
    out["loc"] = a
    out["scale"] = np.nan
    out["shape"] = np.nan
    out["minimum"] = np.nan
    out["maximum"] = np.nan
    lg = kind == LOGNORMAL
    with np.errstate(divide="ignore"):
        out["loc"][lg] = np.log(np.abs(a[lg]))
        out["scale"][lg] = np.log(amounts.scale[lg])
    out["negative"] = lg & (a < 0)
    nm = kind == NORMAL
    out["scale"][nm] = amounts.scale[nm]
    bounded = (kind == TRIANGULAR) | (kind == UNIFORM)
    out["minimum"][bounded] = lo[bounded]
    out["maximum"][bounded] = hi[bounded]
    return a, out


def from_brightway(data: np.ndarray, distributions: np.ndarray | None, flip: np.ndarray) -> Uncertain:
    """Brightway's stored amounts and distributions as our amounts (flipped back where ``flip``)."""
    n = len(data)
    sign = np.where(flip, -1.0, 1.0)
    amount = np.asarray(data, dtype=np.float64) * sign
    if distributions is None:
        return Uncertain.certain(amount)
    codes = distributions["uncertainty_type"].astype(np.int64)
    unknown = sorted(set(np.unique(codes).tolist()) - set(FROM_BW))
    if unknown:
        names = ", ".join(f"{c} ({BW_NAMES.get(c, 'unknown')})" for c in unknown)
        raise ValueError(f"uncertainty types without an equivalent here: {names}; expected 0-5")
    kind = np.vectorize(FROM_BW.__getitem__, otypes=[np.int8])(codes) if n else np.zeros(0, np.int8)
    scale = np.full(n, np.nan)
    lg, nm = kind == LOGNORMAL, kind == NORMAL
    scale[lg] = np.exp(distributions["scale"][lg].astype(np.float64))
    scale[nm] = distributions["scale"][nm].astype(np.float64)
    lo = distributions["minimum"].astype(np.float64)
    hi = distributions["maximum"].astype(np.float64)
    bounded = (kind == TRIANGULAR) | (kind == UNIFORM)
    low = np.where(bounded, np.where(flip, -hi, lo), np.nan)
    high = np.where(bounded, np.where(flip, -lo, hi), np.nan)
    return Uncertain(amount, kind, scale, low, high)


def write_datapackage(system: ProductSystem, path: Path | str, name: str | None = None) -> Path:
    """Write ``system`` as a Brightway processed datapackage: ``path`` ending in ``.zip`` is one zip file
    (Brightway's own form), any other path a folder. Returns the path written."""
    bwp = _bwp()
    path = Path(path)
    if path.suffix == ".zip":
        fs = bwp.generic_zipfile_filesystem(dirpath=path.parent, filename=path.name)
    else:
        fs = bwp.generic_directory_filesystem(dirpath=path)
    dp = bwp.create_datapackage(
        fs=fs, name=bwp.clean_datapackage_name(name or system.reference), sum_intra_duplicates=True
    )
    n = len(system.processes)
    ids = np.arange(1, n + 1, dtype=np.int64)
    flow_ids = np.arange(n + 1, n + 1 + len(system.flows), dtype=np.int64)

    def add(matrix: str, rows: np.ndarray, cols: np.ndarray, amounts: Uncertain, flip: np.ndarray) -> None:
        indices = np.zeros(len(rows), dtype=bwp.INDICES_DTYPE)
        indices["row"], indices["col"] = rows, cols
        data, dist = to_brightway(amounts, flip)
        dp.add_persistent_vector(
            matrix=matrix,
            name=matrix.removesuffix("_matrix"),
            indices_array=indices,
            data_array=data,
            distributions_array=dist,
            flip_array=flip,
        )

    t, b = system.technosphere, system.biosphere
    add(TECHNOSPHERE, ids[t.row], ids[t.col], t.amount, t.amount.amount < 0)
    add(BIOSPHERE, flow_ids[b.row], ids[b.col], b.amount, np.zeros(len(b.row), bool))
    c = np.asarray(system.characterisation, dtype=np.float64)
    nz = np.flatnonzero(c)
    add(CHARACTERISATION, flow_ids[nz], flow_ids[nz], Uncertain.certain(c[nz]), np.zeros(nz.size, bool))
    dp.add_json_metadata(
        data={
            "schema": "dualcarbon.bw_system/1",
            "processes": [
                {
                    "id": p.id,
                    "bw_id": int(i),
                    "name": p.name,
                    "name_en": p.name_en,
                    "unit": p.unit,
                    "location": p.location,
                    "stage": p.stage,
                    "background": p.background,
                }
                for p, i in zip(system.processes, ids, strict=True)
            ],
            "flows": [{"id": f, "bw_id": int(i)} for f, i in zip(system.flows, flow_ids, strict=True)],
            "reference": system.reference,
            "functional_unit": system.functional_unit,
            "boundary": system.boundary,
        },
        valid_for="technosphere",
        name=METADATA,
    )
    dp.finalize_serialization()
    return path


def _vectors(dp: Any, matrix: str) -> tuple[np.ndarray, np.ndarray, Uncertain]:
    """Every vector group of one matrix, concatenated (entries at the same position add up, as Brightway
    sums duplicates): rows, columns (Brightway ids) and amounts."""
    rows, cols, parts = [], [], []
    filtered = dp.filter_by_attribute("matrix", matrix)
    for group in filtered.groups:
        resources = {r["kind"]: r["name"] for r in filtered.resources if r.get("group") == group}
        if resources.get("indices") is None or resources.get("data") is None:
            raise ValueError(f"{matrix} group {group!r}: a persistent vector needs indices and data")
        indices, _ = filtered.get_resource(resources["indices"])
        data, _ = filtered.get_resource(resources["data"])
        if np.ndim(data) != 1:
            raise ValueError(f"{matrix} group {group!r}: only vectors (one static value per entry) are read")
        flip = filtered.get_resource(resources["flip"])[0] if "flip" in resources else np.zeros(len(data), bool)
        dist = filtered.get_resource(resources["distributions"])[0] if "distributions" in resources else None
        rows.append(np.asarray(indices["row"], np.int64))
        cols.append(np.asarray(indices["col"], np.int64))
        parts.append(from_brightway(np.asarray(data), dist, np.asarray(flip, bool)))
    if not parts:
        empty = np.zeros(0, np.int64)
        return empty, empty.copy(), Uncertain.certain(np.zeros(0))
    bad = [p.invalid() for p in parts]
    if any(b.size for b in bad):
        first = next(b for b in bad if b.size)
        raise ValueError(
            f"{matrix}: {sum(b.size for b in bad)} entries whose distribution describes nothing (a lognormal of "
            f"amount 0 or σg ≤ 1, a negative sd, bounds out of order), the first at position {int(first[0])}"
        )
    joined = Uncertain(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in ("amount", "kind", "scale", "low", "high"))
    )
    return np.concatenate(rows), np.concatenate(cols), joined


def read_datapackage(path: Path | str, reference: str | None = None) -> ProductSystem:
    """A Brightway processed datapackage (a ``.zip`` or a folder) as a ``ProductSystem``.

    Products are matched to activities by id (a square technosphere whose product ids are its activity
    ids, as bw2data builds single-output processes); ``reference``: the product studied (by default the
    metadata's, else the first activity)."""
    bwp = _bwp()
    path = Path(path)
    if path.suffix == ".zip":
        fs = bwp.generic_zipfile_filesystem(dirpath=path.parent, filename=path.name, write=False)
    else:
        from fsspec.implementations.dirfs import DirFileSystem
        from fsspec.implementations.local import LocalFileSystem

        fs = DirFileSystem(path=str(path), fs=LocalFileSystem())
    dp = bwp.load_datapackage(fs)
    meta = _metadata(dp)
    t_rows, t_cols, t_amounts = _vectors(dp, TECHNOSPHERE)
    b_rows, b_cols, b_amounts = _vectors(dp, BIOSPHERE)
    c_rows, _, c_amounts = _vectors(dp, CHARACTERISATION)
    if meta:
        process_ids = np.array([p["bw_id"] for p in meta["processes"]], np.int64)
        flow_ids = np.array([f["bw_id"] for f in meta["flows"]], np.int64)
        processes = tuple(
            Process(p["id"], p["name"], p["name_en"], p["unit"], p["location"], p["stage"], p["background"])
            for p in meta["processes"]
        )
        flows = tuple(f["id"] for f in meta["flows"])
    else:
        process_ids = np.unique(t_cols)
        flow_ids = np.unique(b_rows)
        processes = tuple(Process(str(i), str(i), str(i), "", "", "") for i in process_ids)
        flows = tuple(str(i) for i in flow_ids)
    extra = np.setdiff1d(np.unique(t_rows), process_ids)
    if extra.size:
        raise ValueError(
            f"{TECHNOSPHERE}: product ids {extra[:5].tolist()} are not activity ids; only square systems whose "
            "products share their activity's id (single-output processes) are read"
        )
    column = {int(i): k for k, i in enumerate(process_ids)}
    flow_row = {int(i): k for k, i in enumerate(flow_ids)}
    unknown_flows = np.setdiff1d(np.unique(b_rows), flow_ids)
    if unknown_flows.size or np.setdiff1d(np.unique(b_cols), process_ids).size:
        raise ValueError(f"{BIOSPHERE}: rows or columns that name no flow or activity of the package")
    c = np.zeros(len(flows))
    for row, value in zip(c_rows.tolist(), c_amounts.amount.tolist(), strict=True):
        if row in flow_row:  # factors of flows no process emits do not enter the footprint
            c[flow_row[row]] += value
    lookup = np.vectorize(column.__getitem__, otypes=[np.int64])
    flow_lookup = np.vectorize(flow_row.__getitem__, otypes=[np.int64])
    technosphere = Entries(
        lookup(t_rows) if t_rows.size else t_rows, lookup(t_cols) if t_cols.size else t_cols, t_amounts
    )
    biosphere = Entries(
        flow_lookup(b_rows) if b_rows.size else b_rows, lookup(b_cols) if b_cols.size else b_cols, b_amounts
    )
    return ProductSystem(
        processes=processes,
        flows=flows,
        technosphere=technosphere,
        biosphere=biosphere,
        characterisation=c,
        reference=reference or (meta or {}).get("reference") or processes[0].id,
        functional_unit=(meta or {}).get("functional_unit", ""),
        boundary=(meta or {}).get("boundary", ""),
    )


def _metadata(dp: Any) -> dict | None:
    for index, resource in enumerate(dp.resources):
        if resource.get("name") == METADATA:
            data, _ = dp.get_resource(index)
            return data
    return None
