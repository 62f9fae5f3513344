"""Benchmark: ce.reliability on n = 100,000 responses × 30 items (6 constructs × 5 items).

Target (DESIGN.md / issue 6): under 2 s. Also times pingouin.cronbach_alpha on the same 6 scales
(alpha + CI only) for comparison. Run:  python benchmarks/bench_reliability.py
``main()`` returns a dict of timings (used by benchmarks/run.py).
"""
from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd


def make_data(n: int = 100_000, constructs: int = 6, items: int = 5, seed: int = 1) -> tuple[pd.DataFrame, dict]:
    """Simulated 5-point Likert answers from a correlated-factor model, with 1 % missing answers."""
    rng = np.random.default_rng(seed)
    phi = np.full((constructs, constructs), 0.4) + 0.6 * np.eye(constructs)
    f = rng.standard_normal((n, constructs)) @ np.linalg.cholesky(phi).T
    cols, spec = {}, {}
    for c in range(constructs):
        names = []
        for i in range(items):
            lam = 0.6 + 0.05 * i
            y = lam * f[:, c] + np.sqrt(1 - lam ** 2) * rng.standard_normal(n)
            v = np.clip(np.round(3 + 1.2 * y), 1, 5)
            v[rng.random(n) < 0.01] = np.nan
            name = f"c{c + 1}_{i + 1}"
            cols[name] = v
            names.append(name)
        spec[f"C{c + 1}"] = names
    return pd.DataFrame(cols), spec


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(repeat: int = 3) -> dict:
    import cem_edu as ce

    data, spec = make_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ce.reliability(data.iloc[:500], spec)  # warm-up: imports
        t_rel = _best(lambda: ce.reliability(data, spec), repeat)
        t_alpha = _best(lambda: [ce.alpha(data, cols) for cols in spec.values()], repeat)
    out = {"n": len(data), "items": data.shape[1], "reliability_s": t_rel, "alpha_6_scales_s": t_alpha,
           "target_s": 2.0, "ok": t_rel < 2.0}
    try:
        import pingouin as pg

        t_pg = _best(lambda: [pg.cronbach_alpha(data[cols]) for cols in spec.values()], repeat)
        out |= {"pingouin_alpha_6_scales_s": t_pg, "ratio_pingouin_over_ours_alpha": t_pg / t_alpha}
    except ImportError:  # pragma: no cover
        pass
    lines = [f"reliability (alpha+CI, omega, CR, AVE) n={out['n']:,} x {out['items']} items: {t_rel:.3f} s "
             f"(target < 2 s: {'OK' if out['ok'] else 'TOO SLOW'})",
             f"alpha of 6 scales: cem-edu {t_alpha:.3f} s"]
    if "pingouin_alpha_6_scales_s" in out:
        ratio = out["ratio_pingouin_over_ours_alpha"]
        lines[-1] += f", pingouin {out['pingouin_alpha_6_scales_s']:.3f} s (" + (
            f"cem-edu {ratio:.1f}x faster" if ratio >= 1 else f"pingouin {1 / ratio:.1f}x faster") + \
            "; cem-edu also computes psych's item statistics and alpha-if-item-deleted)"
    print("\n".join(lines))
    return out


if __name__ == "__main__":
    main()
