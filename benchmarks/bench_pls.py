"""PLS-SEM speed: cem_edu (batched, own estimator) vs the PyPI package seminr 0.2.1, ratios in one run.

    python benchmarks/bench_pls.py [--quick]

1. one PLS estimation (path weighting) of the bundled CEM model (7 constructs, 28 indicators,
   cleaned cem_survey) and of the corporate-reputation extended model (8 constructs, 4 formative);
2. 5,000 bootstrap draws of the bundled CEM model (target: under 10 s on 2 cores);
   seminr's bootstrap is timed on 200 draws and scaled to 5,000 (it runs one estimation per draw).
seminr is optional (``pip install cem-edu[real-data]``); without it only cem_edu is timed.
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import cem_edu as ce


def median_s(fn, repeat):
    fn()
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def seminr_model(spec):
    import seminr

    mm = seminr.constructs(*[seminr.composite(c, spec.blocks[c], weights=seminr.mode_A if spec.modes[c] == "A"
                                              else seminr.mode_B) for c in spec.constructs])
    sm = seminr.relationships(*[seminr.paths(a, e) for a, e in spec.paths])
    return mm, sm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    inst = ce.load_instrument()
    data = ce.clean(ce.load_dataset("cem_survey"), inst).data
    model = inst.model()
    res = ce.pls(model, data)
    spec = res.spec
    frame = data[spec.indicators].apply(lambda c: c.fillna(c.mean()))
    reps = 3 if args.quick else 7
    t_one = median_s(lambda: ce.pls(model, data), reps)
    R = 1000 if args.quick else 5000
    t0 = time.perf_counter()
    boot = ce.pls(model, data, bootstrap=R, seed=1, progress=False)
    t_boot = time.perf_counter() - t0
    print(f"cem_edu  one PLS fit (CEM, n={res.n_used}, 28 indicators): {1000 * t_one:8.1f} ms "
          f"(includes f² re-estimations and all quality criteria)")
    print(f"cem_edu  bootstrap {R} draws (CEM):                      {t_boot:8.2f} s  "
          f"({boot.settings['bootstrap_ok']} converged)")
    try:
        import seminr
    except ImportError:
        print("seminr not installed: no ratio")
        return
    mm, sm = seminr_model(spec)
    t_s_one = median_s(lambda: seminr.estimate_pls(frame, mm, sm), reps)
    fitted = seminr.estimate_pls(frame, mm, sm)
    nb = 100 if args.quick else 200
    t0 = time.perf_counter()
    seminr.bootstrap_model(fitted, nboot=nb, seed=1)
    t_s_boot = (time.perf_counter() - t0) * R / nb
    print(f"seminr   one PLS fit (estimate_pls only):                 {1000 * t_s_one:8.1f} ms")
    print(f"seminr   bootstrap {R} draws (scaled from {nb}):           {t_s_boot:8.2f} s")
    print(f"ratio    bootstrap seminr / cem_edu:                      {t_s_boot / t_boot:8.1f}x")


if __name__ == "__main__":
    main()
