"""Benchmark: ordinal CFA with WLSMV (``ce.fit(..., ordered=True)``) vs lavaan's ``cfa(..., ordered=TRUE)``.

Data: the bundled survey cleaned with ``ce.clean`` (531 answers, 7-point items with missing answers) and the
measurement part of the bundled instrument's model (7 factors, 28 items: 168 thresholds, 378 polychoric
correlations and their 546 × 546 asymptotic covariance matrix), ``missing="pairwise"``.
Target (issue 18): at least 5× faster than lavaan. Run:  python benchmarks/bench_ordinal.py
``main()`` returns a dict of timings (used by benchmarks/run.py).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def lavaan_ms(data, model: str, n_fits: int = 3, missing: str = "pairwise") -> float:
    if shutil.which("Rscript") is None:
        return float("nan")
    with tempfile.TemporaryDirectory() as tmp:
        dp, mp = Path(tmp) / "d.csv", Path(tmp) / "m.lav"
        data.to_csv(dp, index=False)
        mp.write_text(model)
        out = subprocess.run(["Rscript", str(HERE / "lavaan_ordinal_bench.R"), str(dp), str(mp), str(n_fits),
                              missing], capture_output=True, text=True, timeout=1800)
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "ms_per_fit":
            return float(parts[1])
    return float("nan")


def main(repeat: int = 3) -> dict:
    import cem_edu as ce

    inst = ce.load_instrument()
    model = "\n".join(ln for ln in inst.model().splitlines() if "=~" in ln) + "\n"
    data = ce.clean(ce.load_dataset("cem_survey"), inst).data
    items = [c for v in inst.items_by_construct().values() for c in v]
    data = data[items]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ce.fit(model, data, ordered=True, missing="pairwise")          # warm-up: imports
        ours = 1000 * _best(lambda: ce.fit(model, data, ordered=True, missing="pairwise"), repeat)
    lav = lavaan_ms(data, model, n_fits=repeat)
    out = {"model": "bundled measurement model, 28 items x 7 categories, n = 531, pairwise", "cem_edu_ms": ours,
           "lavaan_ms": lav, "ratio_lavaan_over_ours": lav / ours, "target_ratio": 5.0, "ok": lav / ours >= 5.0}
    print(f"ordinal CFA, WLSMV (28 items, n=531)  cem_edu {ours:7.1f} ms | lavaan {lav:7.1f} ms "
          f"({lav / ours:4.1f}x; target >= 5x)")
    return out


if __name__ == "__main__":
    main()
