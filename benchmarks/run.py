"""SEM speed: cem_edu vs semopy vs lavaan (via Rscript when installed), ratios in one run.

    python benchmarks/run.py [--quick]

1. one ML fit of Holzinger–Swineford (3 factors, 9 indicators, n = 301) and of a CEM-size model
   (6 factors, 20 indicators, 3 indirect effects, n = 480, simulated here with numpy);
2. a 1,000-draw bootstrap of the CEM model (all parameters and := effects) vs lavaan
   se = "bootstrap";
3. Monte Carlo power, 5 sample sizes x 500 replications of the CEM model (target < 30 s on 2 cores);
4. reliability (bench_reliability.py) and ordinal CFA with WLSMV vs lavaan (bench_ordinal.py, target >= 5x).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from sem_models import CEM_MODEL, CEM_POPULATION, HS_MODEL, cem_data  # noqa: E402


def best_ms(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def semopy_ms(model: str, data: pd.DataFrame, repeat: int) -> float:
    try:
        import semopy
    except ImportError:
        return float("nan")
    desc = "\n".join(l for l in model.splitlines() if ":=" not in l)
    desc = desc.replace("f*", "").replace("m*", "").replace("h*", "").replace("s*", "").replace("p*", "").replace("l*", "")

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            semopy.Model(desc).fit(data)
    return best_ms(run, repeat)


def lavaan(data: pd.DataFrame, model: str, n_fits: int, n_boot: int):
    if shutil.which("Rscript") is None:
        return float("nan"), float("nan")
    with tempfile.TemporaryDirectory() as tmp:
        dp, mp = Path(tmp) / "d.csv", Path(tmp) / "m.lav"
        data.to_csv(dp, index=False)
        mp.write_text(model)
        out = subprocess.run(["Rscript", str(HERE / "lavaan_bench.R"), str(dp), str(mp), str(n_fits), str(n_boot)],
                             capture_output=True, text=True, timeout=1800)
    vals = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            vals[parts[0]] = float(parts[1])
    return vals.get("ms_per_fit", float("nan")), vals.get("boot_seconds", float("nan"))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, 200 bootstrap draws, 100 reps")
    args = ap.parse_args(argv)
    import cem_edu.sem as sem
    from cem_edu.sem.bootstrap import bootstrap

    hs = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
    cem = cem_data()
    rep = 5 if args.quick else 20
    n_boot = 200 if args.quick else 1000
    n_reps = 100 if args.quick else 500
    print(f"cem-edu SEM benchmarks (cores: {os.cpu_count()})")
    print("-" * 72)
    rows = []
    for name, model, data in (("HS CFA (9 ind., n=301)", HS_MODEL, hs), ("CEM SEM (20 ind., 6 f., n=480)", CEM_MODEL, cem)):
        ours = best_ms(lambda: sem.fit(model, data), rep)
        semo = semopy_ms(model, data, rep)
        lav, _ = lavaan(data, model, 50 if not args.quick else 10, 0)
        rows.append((name, ours, semo, lav))
        print(f"{name:34s} cem_edu {ours:7.1f} ms | semopy {semo:7.1f} ms ({semo / ours:4.1f}x) | "
              f"lavaan {lav:7.1f} ms ({lav / ours:4.1f}x)")
    print("-" * 72)
    res = sem.fit(CEM_MODEL, cem)
    t0 = time.perf_counter()
    bootstrap(res, n_boot, seed=1, progress=False)
    ours_b1 = time.perf_counter() - t0
    t0 = time.perf_counter()
    bootstrap(res, n_boot, seed=1, progress=False, n_jobs=2, backend="threading")
    ours_b2 = time.perf_counter() - t0
    _, lav_b = lavaan(cem, CEM_MODEL, 1, n_boot)
    print(f"bootstrap {n_boot} draws (CEM)        cem_edu {ours_b1:6.2f} s (1 core), {ours_b2:6.2f} s (2 threads) | "
          f"lavaan {lav_b:6.2f} s ({lav_b / min(ours_b1, ours_b2):4.1f}x)")
    t0 = time.perf_counter()
    sem.power(CEM_POPULATION, n=[100, 200, 300, 400, 500], reps=n_reps, seed=1, progress=False)
    tp = time.perf_counter() - t0
    print(f"Monte Carlo power 5 n x {n_reps} reps (CEM)  cem_edu {tp:6.2f} s (1 process; target < 30 s)")
    print("-" * 72)
    import bench_reliability  # benchmarks/ is on sys.path when run as a script

    rows.append(bench_reliability.main())
    import bench_ordinal  # ordinal CFA (WLSMV) vs lavaan cfa(..., ordered = TRUE)

    rows.append(bench_ordinal.main())
    return rows


if __name__ == "__main__":
    main()
