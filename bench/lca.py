"""The matrix LCA engine against Brightway's (bw2calc 3.x with PARDISO) on one synthetic product system.

    python bench/lca.py [--processes 25000] [--bw-python /path/to/venv/bin/python] [--json]

The synthetic system has the size of a large LCI database: ``--processes`` processes in tiers from raw
materials to final products (short upstream chains), about ``--inputs`` technosphere inputs each
(Poisson), a quarter of them from a few dozen hub products (electricity, transport, fuels) which also
supply each other, the rest from lower tiers of the process's own sector (sectors of about 250
processes, linked through the hubs only), and a few per cent of inputs (``--loops``) from a neighbour
downstream, which close short loops; ``--flows`` elementary flows, about 15 per process with a few common ones (fossil CO2, CH4,
N2O) used by most, and a GWP100 characterisation of 80 of them. Production amounts on the diagonal,
inputs worth 20–80 % of the output per column (so the matrix is diagonally dominant by columns); every
input and every elementary exchange lognormal (σg 1.05–1.5), production amounts certain.

Sparsity against a real database: ecoinvent 3.10.1 cutoff is 23,523 × 23,523 with 293k non-zeros in A
(figure from bw2calc 3.1's IterativeLCA docstring), 12.5 per column; this system has about 13 per column
at 25,000. It differs in shape: a real database's input counts are fat-tailed (markets with hundreds of
suppliers), its loops are not a few per cent of edges but a large strongly connected component through
electricity, transport and market processes, and its units are mixed (MJ, kWh, kg, t·km), so column sums
of inputs are not bounded by the output and the convergence of iterative solvers is slower than here.

Tasks, each method in its own process (CPU seconds beside wall seconds and the peak RSS of that process,
medians of ``--repeat`` rounds in which ours and bw2calc's lines alternate, the order reversed every other
round, with the load average when each ran), end to end from the coordinate arrays (building the matrices
included); the report ends with the issue's targets, each met or not:

- ``one``: the score of one unit of one product;
- ``many``: the scores of ``--demands`` single-product demands;
- ``all``: the footprints of one unit of every product;
- ``mc``: Monte Carlo iterations per second (all uncertain amounts resampled each iteration).

Every method's results are checked against our SuperLU solve to 1e-9 relative; Monte Carlo is checked by
solving the first samples of our sampler again with SuperLU (Brightway draws other random numbers).
bw2calc runs only if ``--bw-python`` names a Python where bw2calc and pypardiso are installed; it is not a
dependency of dualcarbon.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TOLERANCE = 1e-9
# share of inputs drawn from any process of another sector: 5 % of random long-range links made SciPy's
# SuperLU fill L and U with 20 million non-zeros (27 CPU s) and PARDISO take minutes; a real database's
# long-range links run through markets and hubs, which this system has, so it keeps none
CROSS = 0.0
LOOP: dict[str, float] = {}
# bw2calc's routes that are many times slower than its fastest for the task: run in the first round only.
# (FastScoresOnlyMultiLCA forward for all 25,000 products, 25,000 forward solves, did not finish in 600 s and
# is left out unless --all-forward.)
SLOW = {
    "many": ("LCA.lci loop", "FastScoresOnlyMultiLCA forward")
}  # CPU seconds of a Monte Carlo loop alone, when a method reports it


# -- the synthetic system ------------------------------------------------------------------------------
def synthetic(
    processes: int, inputs: int = 12, flows: int = 2500, hubs: int = 40, loops: float = 0.03, seed: int = 1
) -> dict[str, np.ndarray]:
    """Coordinate arrays of A and B with lognormal σg per entry, and c (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = processes
    hubs = min(hubs, max(1, n // 10))
    tiers = 6
    # sectors of about 250 processes (metals, crops, chemicals, ...), each in tiers from raw materials to
    # final products; a process draws most inputs from lower tiers of its own sector
    sectors = max(1, n // 250)
    sector = np.sort(rng.integers(0, sectors, n))
    sector[:hubs] = 0
    tier = rng.integers(0, tiers, n)
    order = np.lexsort((tier, sector))
    sector, tier = sector[order], tier[order]
    tier[:hubs] = 0
    k = np.maximum(rng.poisson(inputs, n), 1)
    col = np.repeat(np.arange(n), k)
    total = col.size
    key = sector * tiers + tier
    start_of = np.searchsorted(key, np.arange(sectors * tiers + 1))
    first_of_sector = start_of[sector * tiers]
    low = np.maximum(first_of_sector[col], hubs)
    high = np.where(tier[col] == 0, col, start_of[key[col]])
    row = low + (rng.random(total) * np.maximum(high - low, 1)).astype(np.int64)
    kind = rng.random(total)
    # 5 % from any process of another, upstream sector
    other = (kind > 0.90) & (kind <= 0.90 + CROSS)
    row[other] = (rng.random(other.sum()) * np.maximum(low[other], 1)).astype(np.int64)
    # a quarter from the hubs (which take their own inputs from each other only)
    hub = (kind < 0.25) | (col < hubs) | (high <= low)
    row[hub] = rng.integers(0, hubs, hub.sum())
    # loops: an input from a neighbour downstream (within 20 places), so each closes a short cycle
    loop = (kind > 1.0 - loops) & (col >= hubs)
    row[loop] = np.minimum(col[loop] + rng.integers(1, 21, loop.sum()), n - 1)
    keep = row != col
    row, col = row[keep], col[keep]
    amount = rng.lognormal(0.0, 1.0, row.size)
    diagonal = np.where(rng.random(n) < 0.1, rng.uniform(0.5, 2.0, n), 1.0)
    share = rng.uniform(0.2, 0.8, n)
    column_sum = np.bincount(col, weights=amount, minlength=n)
    amount *= (share * diagonal / np.where(column_sum > 0, column_sum, 1.0))[col]
    a_row = np.concatenate([np.arange(n), row])
    a_col = np.concatenate([np.arange(n), col])
    a_amount = np.concatenate([diagonal, -amount])
    a_sigma = np.concatenate([np.ones(n), np.exp(rng.uniform(0.05, 0.4, row.size))])

    m = np.maximum(rng.poisson(15, n), 1)
    b_col = np.repeat(np.arange(n), m)
    popularity = 1.0 / np.arange(1, flows + 1) ** 1.1
    b_row = rng.choice(flows, b_col.size, p=popularity / popularity.sum())
    b_amount = rng.lognormal(-3.0, 2.0, b_col.size) * np.where(rng.random(b_col.size) < 0.01, -1.0, 1.0)
    b_sigma = np.exp(rng.uniform(0.05, 0.4, b_col.size))
    c = np.zeros(flows)
    others = min(77, max(flows - 3, 0) // 2)
    gwp = np.concatenate([[0, 1, 2], rng.choice(np.arange(3, flows), others, replace=False)])[: min(flows, 80)]
    c[gwp] = np.concatenate([[1.0, 28.0, 265.0], rng.lognormal(5.0, 2.0, others)])[: gwp.size]
    return {
        "a_row": a_row,
        "a_col": a_col,
        "a_amount": a_amount,
        "a_sigma": a_sigma,
        "b_row": b_row,
        "b_col": b_col,
        "b_amount": b_amount,
        "b_sigma": b_sigma,
        "c": c,
    }


def demands(processes: int, count: int, seed: int = 2) -> np.ndarray:
    """The products demanded, one unit each: from the downstream half (final products), without repeats."""
    rng = np.random.default_rng(seed)
    return rng.choice(np.arange(processes // 2, processes), min(count, processes - processes // 2), replace=False)


# -- our engine ----------------------------------------------------------------------------------------
def product_system(data: dict[str, np.ndarray]):  # type: ignore[no-untyped-def]
    from dualcarbon.lca.system import Entries, Process, ProductSystem
    from dualcarbon.uncertainty.distributions import LOGNORMAL, NONE, Uncertain

    n = int(data["a_row"].max()) + 1

    def uncertain(amount: np.ndarray, sigma: np.ndarray) -> Uncertain:
        kind = np.where(sigma > 1.0, LOGNORMAL, NONE).astype(np.int8)
        nan = np.full(amount.size, np.nan)
        return Uncertain(amount, kind, np.where(sigma > 1.0, sigma, np.nan), nan, nan.copy())

    processes = tuple(Process(str(j), str(j), str(j), "unit", "GLO", "production") for j in range(n))
    flows = tuple(f"flow {k}" for k in range(data["c"].size))
    return ProductSystem(
        processes,
        flows,
        Entries(data["a_row"], data["a_col"], uncertain(data["a_amount"], data["a_sigma"])),
        Entries(data["b_row"], data["b_col"], uncertain(data["b_amount"], data["b_sigma"])),
        data["c"],
        "0",
        "1 unit",
        "cradle-to-gate",
    )


def ours(task: str, data: dict[str, np.ndarray], wanted: np.ndarray, options: dict) -> np.ndarray:  # type: ignore[type-arg]
    import scipy.sparse as sp

    from dualcarbon.lca import compute, montecarlo
    from dualcarbon.lca.solve import Factorised

    solver = options["solver"]
    system = product_system(data)
    n = len(system.processes)
    if task == "one":
        return np.array([compute.score(system, {str(wanted[0]): 1.0}, solver=solver)])
    if task == "many":
        f = sp.csc_matrix((np.ones(wanted.size), (wanted, np.arange(wanted.size))), shape=(n, wanted.size))
        return Factorised(system, solver=solver).scores(f)
    if task == "all":
        return compute.footprints(system, solver=solver)
    if task == "mc":
        return montecarlo.simulate(system, {str(wanted[0]): 1.0}, options["iterations"], seed=42)
    if task == "mc-check":
        fast = montecarlo.simulate(system, {str(wanted[0]): 1.0}, options["iterations"], seed=43)
        exact = montecarlo.simulate(system, {str(wanted[0]): 1.0}, options["iterations"], seed=43, exact=True)
        return np.concatenate([fast, exact])
    raise ValueError(task)


# -- bw2calc (run with --bw-python) --------------------------------------------------------------------
def brightway(route: str, data: dict[str, np.ndarray], wanted: np.ndarray, options: dict) -> np.ndarray:  # type: ignore[type-arg]
    import warnings

    import bw2calc as bc
    import bw_processing as bwp

    warnings.simplefilter("ignore")
    n = int(data["a_row"].max()) + 1
    flow_id = n + np.arange(data["c"].size)  # biosphere ids apart from product ids
    use_distributions = route in ("MonteCarloLCA", "IterativeLCA", "JacobiGMRESLCA")

    def distributions(amount: np.ndarray, sigma: np.ndarray) -> np.ndarray:
        d = np.zeros(amount.size, dtype=bwp.UNCERTAINTY_DTYPE)
        lognormal = sigma > 1.0
        d["uncertainty_type"] = np.where(lognormal, 2, 0)
        d["loc"] = np.where(lognormal, np.log(np.abs(amount)), np.abs(amount))
        d["scale"] = np.where(lognormal, np.log(sigma), np.nan)
        d["shape"] = d["minimum"] = d["maximum"] = np.nan
        d["negative"] = amount < 0
        return d

    dp = bwp.create_datapackage(sequential=True)
    a_amount = data["a_amount"]
    inputs = data["a_row"] != data["a_col"]
    indices = np.empty(a_amount.size, dtype=bwp.INDICES_DTYPE)
    indices["row"], indices["col"] = data["a_row"], data["a_col"]
    # Brightway stores inputs as positive amounts flipped into the matrix
    a_positive = np.where(inputs, -a_amount, a_amount)
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="technosphere",
        indices_array=indices,
        data_array=a_positive,
        flip_array=inputs,
        distributions_array=distributions(a_positive, data["a_sigma"]),
    )
    b_indices = np.empty(data["b_amount"].size, dtype=bwp.INDICES_DTYPE)
    b_indices["row"], b_indices["col"] = flow_id[data["b_row"]], data["b_col"]
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        name="biosphere",
        indices_array=b_indices,
        data_array=data["b_amount"],
        distributions_array=distributions(data["b_amount"], data["b_sigma"]),
    )
    gwp = np.flatnonzero(data["c"])
    c_indices = np.empty(gwp.size, dtype=bwp.INDICES_DTYPE)
    c_indices["row"], c_indices["col"] = flow_id[gwp], flow_id[gwp]
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        name="gwp",
        identifier=["gwp"],
        indices_array=c_indices,
        data_array=data["c"][gwp],
    )
    if route == "LCA":
        lca = bc.LCA({int(wanted[0]): 1.0}, data_objs=[dp])
        lca.lci()
        lca.lcia()
        return np.array([lca.score])
    if route == "LCA.lci loop":
        lca = bc.LCA({int(wanted[0]): 1.0}, data_objs=[dp])
        lca.lci(factorize=True)
        lca.lcia()
        scores = []
        for j in wanted:
            lca.lcia(demand={int(j): 1.0})
            scores.append(lca.score)
        return np.array(scores)
    if route.startswith("FastScoresOnlyMultiLCA"):
        direction = route.split()[-1]
        everything = wanted if options["task"] == "many" else np.arange(n)
        fast = bc.FastScoresOnlyMultiLCA(
            demands={str(j): {int(j): 1.0} for j in everything},
            method_config={"impact_categories": [("gwp",)]},
            data_objs=[dp],
            direction=direction,
        )
        scores = fast.calculate()
        return np.asarray(scores.sel(processes=[str(j) for j in everything]).values, dtype=np.float64).ravel()
    if use_distributions:
        cls = {"MonteCarloLCA": bc.LCA, "IterativeLCA": bc.IterativeLCA, "JacobiGMRESLCA": bc.JacobiGMRESLCA}[route]
        lca = cls({int(wanted[0]): 1.0}, data_objs=[dp], use_distributions=True, seed_override=42)
        lca.lci()
        lca.lcia()
        scores = []
        # bw2calc's set-up (matrices, first factorisation) is left out of its Monte Carlo rate; ours is not
        cpu = time.process_time()
        for _ in range(options["iterations"]):
            next(lca)
            scores.append(lca.score)
        LOOP["cpu_s"] = time.process_time() - cpu
        return np.array(scores)
    raise ValueError(route)


# -- one measurement in its own process ----------------------------------------------------------------
def worker(arguments: argparse.Namespace) -> None:
    data = dict(np.load(arguments.data))
    wanted = np.load(arguments.wanted)
    options = json.loads(arguments.options)
    # imports before the clock starts: a library's import time is not the calculation's
    if arguments.worker == "ours":
        import dualcarbon.lca.compute  # noqa: F401
        import dualcarbon.lca.montecarlo  # noqa: F401
    else:
        import bw2calc  # noqa: F401
        import bw_processing  # noqa: F401
    wall, cpu = time.perf_counter(), time.process_time()
    if arguments.worker == "ours":
        result = ours(options["task"], data, wanted, options)
    else:
        result = brightway(options["route"], data, wanted, options)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    np.save(arguments.out, result)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall_s": wall, "cpu_s": cpu, "peak_mib": peak_mib, "loop_cpu_s": LOOP.get("cpu_s", cpu)}))


def run(python: str, engine: str, options: dict, folder: Path, timeout: float) -> dict | None:  # type: ignore[type-arg]
    out = folder / f"result-{os.getpid()}-{time.monotonic_ns()}.npy"
    command = [python, str(Path(__file__).resolve()), "--worker", engine, "--data", str(folder / "system.npz")]
    command += ["--wanted", str(folder / "wanted.npy"), "--options", json.dumps(options), "--out", str(out)]
    env = dict(os.environ)
    src = Path(__file__).resolve().parent.parent / "src"
    if engine == "ours":
        env["PYTHONPATH"] = str(src) + os.pathsep + env.get("PYTHONPATH", "")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["result"] = np.load(out)
    out.unlink()
    return figures


def relative_difference(result: np.ndarray, reference: np.ndarray) -> float:
    scale = np.maximum(np.abs(reference), 1e-300)
    return float(np.max(np.abs(result - reference) / scale)) if reference.size else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=25_000)
    parser.add_argument("--inputs", type=int, default=12)
    parser.add_argument("--flows", type=int, default=2_500)
    parser.add_argument("--loops", type=float, default=0.03)
    parser.add_argument("--demands", type=int, default=1_000)
    parser.add_argument("--iterations", type=int, default=100, help="our Monte Carlo iterations")
    parser.add_argument("--bw-iterations", type=int, default=10, help="bw2calc Monte Carlo iterations")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--solvers", default="auto,superlu", help="our solvers to time (comma-separated)")
    parser.add_argument("--tasks", default="one,many,all,mc")
    parser.add_argument("--bw-python", help="a Python with bw2calc 3.x and pypardiso installed")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--skip-slow", action="store_true", help="leave out bw2calc's slow routes for many demands")
    parser.add_argument(
        "--all-forward", action="store_true", help="also time bw2calc's forward multi-LCA for all products (slow)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--wanted", help=argparse.SUPPRESS)
    parser.add_argument("--options", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        worker(arguments)
        return

    tasks = arguments.tasks.split(",")
    solvers = arguments.solvers.split(",")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        data = synthetic(arguments.processes, arguments.inputs, arguments.flows, loops=arguments.loops)
        np.savez(folder / "system.npz", **data)
        np.save(folder / "wanted.npy", demands(arguments.processes, arguments.demands))
        n = arguments.processes
        nnz_a, nnz_b = int(data["a_row"].size), int(data["b_row"].size)

        rows: list[dict] = []  # type: ignore[type-arg]
        references: dict[str, np.ndarray] = {}
        for task in tasks:
            lines: list[tuple[str, str, dict]] = []  # type: ignore[type-arg]
            if task == "mc":
                for solver in solvers[:1]:
                    lines.append(
                        (
                            "ours",
                            f"dualcarbon {solver}",
                            {"task": "mc", "solver": solver, "iterations": arguments.iterations},
                        )
                    )
            else:
                # SuperLU first: the reference every other result is compared with (run once if not asked for)
                for solver in ["superlu", *[s for s in solvers if s != "superlu"]]:
                    options = {"task": task, "solver": solver, "reference_only": solver not in solvers}
                    lines.append(("ours", f"dualcarbon {solver}", options))
            if arguments.bw_python:
                routes = {
                    "one": ["LCA"],
                    "many": ["LCA.lci loop", "FastScoresOnlyMultiLCA forward", "FastScoresOnlyMultiLCA adjoint"],
                    "all": ["FastScoresOnlyMultiLCA adjoint"],
                    "mc": ["MonteCarloLCA", "IterativeLCA", "JacobiGMRESLCA"],
                }[task]
                if arguments.all_forward and task == "all":
                    routes.insert(0, "FastScoresOnlyMultiLCA forward")
                for route in routes:
                    options = {"task": task, "route": route, "iterations": arguments.bw_iterations}
                    # bw2calc's routes that are not its fastest for the task: timed once, for the record
                    options["slow"] = route in SLOW.get(task, ())
                    if options["slow"] and arguments.skip_slow:
                        continue
                    lines.append(("bw", f"bw2calc {route}", options))
            # rounds: every line once per round, ours and theirs alternating (the order reversed every other
            # round), so that a change in the machine's load falls on both; SuperLU-as-reference and the slow
            # routes run in the first round only
            runs: dict[str, list] = {label: [] for _, label, _ in lines}  # type: ignore[type-arg]
            loads: dict[str, list[float]] = {label: [] for _, label, _ in lines}
            for round_ in range(arguments.repeat):
                for engine, label, options in lines if round_ % 2 == 0 else lines[::-1]:
                    if round_ > 0 and (options.get("reference_only") or options.get("slow")):
                        continue
                    python = sys.executable if engine == "ours" else arguments.bw_python
                    loads[label].append(os.getloadavg()[0])
                    runs[label].append(run(python, engine, options, folder, arguments.timeout))
            for _engine, label, options in lines:
                errors = [r["error"] for r in runs[label] if r and "error" in r]
                row: dict = {"task": task, "method": label, "runs": len(runs[label])}  # type: ignore[type-arg]
                row["load"] = statistics.median(loads[label])
                if errors:
                    row["error"] = errors[0]
                    rows.append(row)
                    continue
                done = [r for r in runs[label] if r]
                result = done[0]["result"]
                row["cpu_s"] = statistics.median(r["cpu_s"] for r in done)
                row["wall_s"] = statistics.median(r["wall_s"] for r in done)
                row["peak_mib"] = statistics.median(r["peak_mib"] for r in done)
                if task == "mc":
                    count = options["iterations"]
                    row["iterations"] = count
                    row["iterations_per_cpu_s"] = count / statistics.median(r["loop_cpu_s"] for r in done)
                    row["mean"] = float(np.mean(result))
                elif task in references:
                    row["max_relative_difference"] = relative_difference(result, references[task])
                else:
                    references[task] = result
                    row["max_relative_difference"] = 0.0
                rows.append(row)
            if task == "mc":
                checked = run(
                    sys.executable,
                    "ours",
                    {"task": "mc-check", "solver": "auto", "iterations": 16},
                    folder,
                    arguments.timeout,
                )
                if checked and "result" in checked:
                    fast, exact = np.split(checked["result"], 2)
                    for row in rows:
                        if row["method"].startswith("dualcarbon") and row["task"] == "mc":
                            row["max_relative_difference"] = relative_difference(fast, exact)

    report = {
        "load_average": list(os.getloadavg()),
        "cpus": os.cpu_count(),
        "processes": n,
        "technosphere_nonzeros": nnz_a,
        "biosphere_nonzeros": nnz_b,
        "flows": arguments.flows,
        "demands": int(min(arguments.demands, n - n // 2)),
        "rows": rows,
    }
    for row in rows:
        row["agrees"] = row.get("max_relative_difference", 0.0) <= TOLERANCE if "error" not in row else False
    _ratios(rows)
    report["targets"] = _targets(rows)
    if arguments.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    if any(not row["agrees"] for row in rows if "error" not in row and "max_relative_difference" in row):
        sys.exit(1)


def _ratios(rows: list[dict]) -> None:  # type: ignore[type-arg]
    """Our best line against bw2calc's fastest route, per task, in CPU seconds (iterations per CPU second for mc)."""
    for task in {row["task"] for row in rows}:
        mine = [r for r in rows if r["task"] == task and r["method"].startswith("dualcarbon") and "cpu_s" in r]
        theirs = [r for r in rows if r["task"] == task and r["method"].startswith("bw2calc") and "cpu_s" in r]
        if not mine or not theirs:
            continue
        if task == "mc":
            best = max(mine, key=lambda r: r["iterations_per_cpu_s"])
            for r in theirs:
                r["ours_times_faster"] = best["iterations_per_cpu_s"] / r["iterations_per_cpu_s"]
        else:
            best = min(mine, key=lambda r: r["cpu_s"])
            for r in theirs:
                r["ours_times_faster"] = r["cpu_s"] / best["cpu_s"]


TARGETS = {"one": 3.0, "many": 5.0, "all": 5.0}


def _targets(rows: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    """The issue's targets, each with what was measured and whether it is met."""
    out: list[dict] = []  # type: ignore[type-arg]
    for task in dict.fromkeys(row["task"] for row in rows):
        mine = [r for r in rows if r["task"] == task and r["method"].startswith("dualcarbon") and "cpu_s" in r]
        theirs = [r for r in rows if r["task"] == task and r["method"].startswith("bw2calc") and "cpu_s" in r]
        if not mine or not theirs:
            continue
        if task == "mc":
            best = max(mine, key=lambda r: r["iterations_per_cpu_s"])
            for route, factor, strict in (("MonteCarloLCA", 10.0, False), ("IterativeLCA", 1.0, True)):
                other = [r for r in theirs if r["method"] == f"bw2calc {route}"]
                if other:
                    ratio = best["iterations_per_cpu_s"] / other[0]["iterations_per_cpu_s"]
                    met = ratio > factor if strict else ratio >= factor
                    sign = ">" if strict else "≥"
                    out.append(
                        {
                            "target": f"mc: iterations/CPU s {sign} {factor:g} × bw2calc {route}",
                            "measured": f"{ratio:.1f} ×",
                            "met": met,
                        }
                    )
            fastest = [r for r in theirs if r["method"] == "bw2calc MonteCarloLCA"] or theirs
        else:
            best = min(mine, key=lambda r: r["cpu_s"])
            fastest = [min(theirs, key=lambda r: r["cpu_s"])]
            ratio = fastest[0]["cpu_s"] / best["cpu_s"]
            out.append(
                {
                    "target": f"{task}: ≥ {TARGETS[task]:g} × faster than {fastest[0]['method']}",
                    "measured": f"{ratio:.1f} ×",
                    "met": ratio >= TARGETS[task],
                }
            )
        out.append(
            {
                "target": f"{task}: peak memory ≤ {fastest[0]['method']}'s",
                "measured": f"{best['peak_mib']:.0f}/{fastest[0]['peak_mib']:.0f} MiB",
                "met": best["peak_mib"] <= fastest[0]["peak_mib"],
            }
        )
    return out


def _print(report: dict) -> None:  # type: ignore[type-arg]
    print(
        f"{report['processes']:,} processes, A {report['technosphere_nonzeros']:,} non-zeros, "
        f"B {report['biosphere_nonzeros']:,} non-zeros, {report['flows']:,} flows; many = {report['demands']:,} demands"
    )
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in report['load_average'])}")
    header = (
        f"{'task':<5} {'method':<38} {'runs':>4} {'load':>5} {'CPU s':>8} {'wall s':>8} {'it/CPU s':>9} "
        f"{'peak MiB':>9} {'max rel diff':>12} {'ours ×':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in report["rows"]:
        if "error" in r:
            print(f"{r['task']:<5} {r['method']:<38} error: {r['error']}")
            continue
        rate = f"{r['iterations_per_cpu_s']:9.2f}" if "iterations_per_cpu_s" in r else " " * 9
        diff = f"{r['max_relative_difference']:12.1e}" if "max_relative_difference" in r else " " * 12
        ratio = f"{r['ours_times_faster']:7.1f}" if "ours_times_faster" in r else ""
        print(
            f"{r['task']:<5} {r['method']:<38} {r['runs']:4d} {r['load']:5.1f} {r['cpu_s']:8.2f} {r['wall_s']:8.2f} "
            f"{rate} {r['peak_mib']:9.0f} {diff} {ratio}"
        )
    if report["targets"]:
        print()
        print("targets (issue 17): ours against bw2calc's fastest route for each task, in CPU seconds")
        for t in report["targets"]:
            print(f"  {t['target']:<58} {t['measured']:>10}  {'met' if t['met'] else 'NOT met'}")


if __name__ == "__main__":
    main()
