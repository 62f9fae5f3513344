"""The one-factor-per-construct CFA behind omega, CR, AVE and Fornell–Larcker.

``measurement(data, spec)`` fits every construct in one confirmatory model (as a researcher would
hand semTools::compRelSEM a fitted lavaan measurement model): loadings free, latent covariances
free, residual variances free, listwise deletion, maximum likelihood. A construct with a single item
has its residual variance fixed to 0 (lavaan's default), so it is the item itself.

The fit is done by ``cem_edu.sem.fit`` (which reproduces lavaan); the quantities needed here are
read from its parameter table.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..stats.threads import blas_single_threaded
from ..errors import DataError
from ..i18n import t, verbatim
from ..results import Result

__all__ = ["Measurement", "measurement", "measurement_syntax"]


@dataclass(frozen=True)
class Measurement(Result):
    """What the reliability statistics need from a fitted measurement model.

    ``lam``: unstandardised loadings per construct {construct: Series(item -> λ)};
    ``psi``: latent variances {construct: ψ}; ``std``: standardised (std_all) loadings;
    ``lv_cor``: latent correlation matrix; ``S``: sample covariance (divisor N) of the items used;
    ``n``: rows used (listwise).
    """

    lam: dict
    psi: dict
    std: dict
    lv_cor: pd.DataFrame
    S: pd.DataFrame
    n: int
    engine: str


def measurement_syntax(spec: dict[str, list[str]]) -> str:
    """lavaan syntax of the one-factor-per-construct model (single items: residual variance fixed to 0)."""
    lines = []
    for f, cols in spec.items():
        lines.append(f"{f} =~ " + " + ".join(cols))
        if len(cols) == 1:
            lines.append(f"{cols[0]} ~~ 0*{cols[0]}")
    return "\n".join(lines)


@blas_single_threaded
def measurement(df: pd.DataFrame, spec: dict[str, list[str]]) -> Measurement:
    """Fit the measurement model of ``spec`` on ``df`` (listwise) and collect loadings, ψ and S."""
    cols = list(dict.fromkeys(c for v in spec.values() for c in v))
    dupes = [c for c in cols if sum(c in v for v in spec.values()) > 1]
    if dupes:
        raise DataError(t("reliability.item_twice", items=verbatim(dupes)))
    sub = df[cols].astype(float).dropna()
    n = len(sub)
    if n <= len(cols):
        raise DataError(t("reliability.too_few_rows", n=n, p=len(cols)))
    x = sub.to_numpy()
    S = np.cov(x, rowvar=False, bias=True)
    S_df = pd.DataFrame(S, index=cols, columns=cols)
    from ..sem import fit  # noqa: PLC0415 - the SEM engine is heavy; import it only when needed

    # neutral names for the engine, so any column or construct name works (Persian, spaces, ...)
    item_code = {c: f"i{k + 1}" for k, c in enumerate(cols)}
    fac_code = {f: f"f{k + 1}" for k, f in enumerate(spec)}
    coded = {fac_code[f]: [item_code[c] for c in v] for f, v in spec.items()}
    data = sub.rename(columns=item_code)
    syntax = measurement_syntax(coded)
    res = fit(syntax, data, std_lv=False)
    back = {v: k for k, v in {**item_code, **fac_code}.items()}
    est = res.estimates.copy()
    est["lhs"] = est["lhs"].map(lambda v: back.get(v, v))
    est["rhs"] = est["rhs"].map(lambda v: back.get(v, v))
    return _from_estimates(est, spec, S_df, n)


def _from_estimates(est: pd.DataFrame, spec, S_df, n) -> Measurement:
    lam, psi, std = {}, {}, {}
    load = est[est["op"] == "=~"]
    for f, cols in spec.items():
        rows = load[load["lhs"] == f].set_index("rhs")
        lam[f] = rows["est"].reindex(cols).astype(float)
        std[f] = rows["std_all"].reindex(cols).astype(float)
        v = est[(est["op"] == "~~") & (est["lhs"] == f) & (est["rhs"] == f)]
        psi[f] = float(v["est"].iloc[0])
    names = list(spec)
    cor = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    cov = est[(est["op"] == "~~") & est["lhs"].isin(names) & est["rhs"].isin(names) & (est["lhs"] != est["rhs"])]
    for _, r in cov.iterrows():
        cor.loc[r["lhs"], r["rhs"]] = cor.loc[r["rhs"], r["lhs"]] = float(r["std_all"])
    return Measurement(lam, psi, std, cor, S_df, n, "cem_edu.sem.fit")
