"""Time the least-cost pathway on synthetic district-sized problems (HiGHS, single machine).

    python bench/pathway.py                       # 200 measures × 40 years, 3 seeds
    python bench/pathway.py --measures 400 --years 40 --seeds 1 2 3 --partial 0.85

Each problem: 5 sectors × 8 districts of sources with growth per sector, N measures (every 40th a
removal such as afforestation; a share ``--partial`` divisible, the rest all-or-nothing with a start
year to choose), cuts against the base year, a peak year, neutrality with removals and priced offsets
(tests/pathway/synthetic.py). Prints the model size, status, MIP gap and seconds (model build + solve).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "pathway"))

import synthetic  # noqa: E402

from dualcarbon.pathway import optimize  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measures", type=int, default=200)
    parser.add_argument("--years", type=int, default=40)
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    parser.add_argument("--partial", type=float, default=synthetic.PARTIAL, help="share of divisible measures")
    parser.add_argument("--json", action="store_true", help="one JSON record per run")
    args = parser.parse_args()
    synthetic.PARTIAL = args.partial
    for seed in args.seeds:
        inputs = synthetic.problem(args.measures, args.years, seed)
        binaries = sum(not m.partial for m in inputs.measures)
        began = time.perf_counter()
        plan = optimize.solve(inputs)
        seconds = time.perf_counter() - began
        record = {
            "measures": args.measures,
            "years": args.years,
            "seed": seed,
            "all_or_nothing": binaries,
            "status": plan.status,
            "mip_gap": plan.mip_gap,
            "seconds": round(seconds, 2),
            "chosen": int(plan.measures["chosen"].sum()),
            "cost_discounted": plan.cost_discounted,
        }
        if args.json:
            print(json.dumps(record))
        else:
            print(
                f"{args.measures} measures × {args.years} years, seed {seed}: {binaries} all-or-nothing; "
                f"{plan.status}, gap {plan.mip_gap:.2e}, {seconds:.1f} s, {record['chosen']} chosen"
            )


if __name__ == "__main__":
    main()
