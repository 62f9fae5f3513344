"""Latent interaction (moderation) in CB-SEM by product indicators with double-mean centering.

* ``product_indicators(data, x_items, z_items)`` — the product indicators of Lin et al. (2010):
  centre the indicators, multiply them (matched pairs or all pairs), centre the products again
  (``semTools::indProd(..., meanC = TRUE, doubleMC = TRUE)``).
* ``moderation_syntax(...)`` — the lavaan syntax of the model Y ~ X + Z + X:Z with the latent
  interaction measured by those products.
* ``moderation(data, spec, x=, z=, y=)`` — fits it with ``ce.fit`` and probes the interaction:
  simple slopes of X at chosen values of the latent moderator (``semTools::probe2WayMC``) and the
  Johnson–Neyman interval; ``cem_edu.plots.johnson_neyman`` and ``simple_slopes`` draw them.

May import: errors, i18n, this package's constructs and the SEM engine's ``fit``. Never imports plots.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError, ModelError
from ..i18n import get_language, t
from ..results import Result, json_records, json_safe, output_html
from ..validation import check_columns

__all__ = ["product_indicators", "moderation_syntax", "moderation", "ModerationResult"]


def _pairs(x_items, z_items, match):
    x_items, z_items = list(x_items), list(z_items)
    if match is None:
        match = len(x_items) == len(z_items)
    if match:
        if len(x_items) != len(z_items):
            raise ModelError(t("mod.match_lengths", nx=len(x_items), nz=len(z_items)))
        return list(zip(x_items, z_items))
    return [(a, b) for a in x_items for b in z_items]


def product_indicators(data, x_items, z_items, *, match: bool | None = None, double_mean: bool = True,
                       sep: str = ".") -> pd.DataFrame:
    """Product indicators of the latent interaction X·Z (Lin et al. 2010; Marsh, Wen & Hau 2004).

    Each indicator is mean-centred, x̃ = x − x̄; the products x̃_i·z̃_j are formed for matched pairs
    (``match=True``: x1·z1, x2·z2, …; the default when both constructs have as many items) or for
    all pairs (``match=False``); with ``double_mean`` each product is centred again,
    p = x̃z̃ − mean(x̃z̃), so the latent interaction needs no mean structure. Means use the answered
    values (missing stays missing). Names are ``x{sep}z`` ("x1.z1"), as ``semTools::indProd``.

    Returns ``data`` (as a DataFrame) with the product columns added.

    References
    ----------
    Lin, G.-C., Wen, Z., Marsh, H. W., & Lin, H.-S. (2010). Structural equation models of latent
    interactions: Clarification of orthogonalizing and double-mean-centering strategies. Structural
    Equation Modeling, 17(3), 374–391. Marsh, H. W., Wen, Z., & Hau, K.-T. (2004). Psychological
    Methods, 9(3), 275–300.
    """
    from .constructs import check_items  # noqa: PLC0415
    from ..intake import as_frame  # noqa: PLC0415

    df = as_frame(data).copy()
    pairs = _pairs(x_items, z_items, match)
    cols = list(dict.fromkeys([*x_items, *z_items]))
    check_columns(df, cols, key="mod.missing_columns")
    x = pd.DataFrame(check_items(df, cols, where=t("mod.where")), columns=cols, index=df.index)
    centred = x - x.mean()
    for a, b in pairs:
        name = f"{a}{sep}{b}"
        if name in df.columns:
            raise DataError(t("mod.name_taken", name=name))
        p = centred[a] * centred[b]
        df[name] = p - p.mean() if double_mean else p
    return df


def moderation_syntax(x_items, z_items, y_items, *, x: str = "X", z: str = "Z", y: str = "Y", xz: str | None = None,
                      match: bool | None = None, sep: str = ".", start_products: bool = False) -> str:
    """lavaan syntax of Y ~ X + Z + X·Z with the latent interaction measured by product indicators.

    ``XZ =~ x1.z1 + x2.z2 + …`` with the products of :func:`product_indicators` (same ``match`` and
    ``sep``); the structural paths carry the labels ``b1`` (X), ``b2`` (Z) and ``b3`` (X·Z). With all
    pairs, residuals of products that share an indicator covary (Marsh et al. 2004). X, Z and X·Z
    covary freely (lavaan's default for exogenous latent variables). ``start_products`` writes
    ``start(1)*`` before the free product loadings (lavaan's "simple" start; starting values only, the
    solution is the same).
    """
    xz = xz or f"{x}{z}"
    pairs = _pairs(x_items, z_items, match)
    prods = [f"{a}{sep}{b}" for a, b in pairs]
    lines = [f"{x} =~ {' + '.join(x_items)}", f"{z} =~ {' + '.join(z_items)}", f"{y} =~ {' + '.join(y_items)}",
             f"{xz} =~ " + " + ".join(p if (i == 0 or not start_products) else f"start(1)*{p}"
                                     for i, p in enumerate(prods)),
             f"{y} ~ b1*{x} + b2*{z} + b3*{xz}"]
    for i in range(len(pairs)):
        for j in range(i + 1, len(pairs)):
            if set(pairs[i]) & set(pairs[j]):
                lines.append(f"{prods[i]} ~~ {prods[j]}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class ModerationResult(Result):
    """A fitted latent-interaction model: ``fit`` (FitResult), ``paths`` (b1, b2, b3 rows of the
    estimates), ``simple_slopes`` (DataFrame: moderator value, slope, se, z, p, ci), ``jn`` (Johnson–Neyman
    boundaries, list of moderator values) and ``jn_significant`` (where the slope differs from 0)."""

    fit: object
    x: str
    z: str
    y: str
    xz: str
    paths: pd.DataFrame
    simple_slopes: pd.DataFrame
    jn: list
    jn_significant: str
    moderator_sd: float
    b: np.ndarray
    v: np.ndarray
    level: float
    syntax: str
    language: str = field(default="en", compare=False)

    def slope_at(self, values) -> pd.DataFrame:
        """Slope of X (with SE, z, p and CI at ``level``) at moderator values (latent units, mean 0)."""
        w = np.atleast_1d(np.asarray(values, dtype=float))
        b1, b3 = self.b
        est = b1 + b3 * w
        se = np.sqrt(np.maximum(self.v[0, 0] + 2 * w * self.v[0, 1] + w ** 2 * self.v[1, 1], 0))
        zc = stats.norm.ppf((1 + self.level) / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            zval = est / se
        return pd.DataFrame({"moderator": w, "slope": est, "se": se, "z": zval,
                             "p": 2 * stats.norm.sf(np.abs(zval)), "ci_lower": est - zc * se,
                             "ci_upper": est + zc * se})

    def to_dict(self) -> dict:
        return {"x": self.x, "z": self.z, "y": self.y, "interaction": self.xz,
                "paths": json_records(self.paths), "simple_slopes": json_records(self.simple_slopes),
                "johnson_neyman": [json_safe(v) for v in self.jn], "jn_significant": self.jn_significant,
                "moderator_sd": self.moderator_sd, "fit": {k: json_safe(v) for k, v in self.fit.fit.items()}}

    def _lines(self) -> list[str]:
        lang = self.language
        b3 = self.paths.set_index("label").loc["b3"]
        jn = ", ".join(f"{v:.3f}" for v in self.jn) if self.jn else "—"
        return [t("mod.title", lang, y=self.y, x=self.x, z=self.z),
                self.paths.round(4).to_string(index=False),
                t("mod.b3_line", lang, est=round(float(b3["est"]), 3), p=round(float(b3["pvalue"]), 4)),
                t("mod.slopes", lang, sd=round(self.moderator_sd, 3)),
                self.simple_slopes.round(4).to_string(index=False),
                t(f"mod.jn.{self.jn_significant}", lang, jn=jn)]

    def __str__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        import html  # noqa: PLC0415

        body = "".join(f"<pre>{html.escape(s)}</pre>" if "\n" in s else f"<p>{html.escape(s)}</p>"
                       for s in self._lines())
        return output_html(body, self.language)


def _jn(b, v, level):
    """Moderator values where the slope's Wald test is exactly at the critical value, and where it is significant.

    Solves (b1 + b3·w)² = c²(v11 + 2w·v13 + w²·v33), c = z_{(1+level)/2}: a w² + b w + c0 = 0 with
    a = b3² − c²v33, b = 2(b1b3 − c²v13), c0 = b1² − c²v11 (Johnson & Neyman 1936; Bauer & Curran 2005).
    """
    b1, b3 = b
    c2 = stats.norm.ppf((1 + level) / 2) ** 2
    a = b3 ** 2 - c2 * v[1, 1]
    bb = 2 * (b1 * b3 - c2 * v[0, 1])
    c0 = b1 ** 2 - c2 * v[0, 0]
    disc = bb ** 2 - 4 * a * c0
    if disc < 0 or a == 0:
        return [], ("everywhere" if c0 > 0 else "nowhere")
    r = sorted([(-bb - np.sqrt(disc)) / (2 * a), (-bb + np.sqrt(disc)) / (2 * a)])
    return [float(r[0]), float(r[1])], ("outside" if a > 0 else "inside")


def moderation(data, spec, *, x: str, z: str, y: str, match: bool | None = None, probe=(-1.0, 0.0, 1.0),
               level: float = 0.95, estimator: str = "ML", missing: str = "listwise",
               language: str | None = None) -> ModerationResult:
    """Latent moderation: does Z change the effect of X on Y? (product indicators, double-mean centring).

    Fits Y = b1·X + b2·Z + b3·XZ + ζ with X, Z, Y measured by their items and XZ by the double-mean-
    centred products of :func:`product_indicators`, through ``ce.fit`` (same ``estimator`` and
    ``missing`` options). The simple slope of X at moderator value w (latent units; Z has mean 0) is

        ω(w) = b1 + b3·w,   SE = √(v11 + 2w·v13 + w²·v33)

    with v the covariance matrix of (b1, b3), as ``semTools::probe2WayMC``; ``probe`` gives w in SDs of
    the latent Z (−1, 0, +1 by default). The Johnson–Neyman boundaries are the w at which ω(w)/SE is
    at the critical value: the slope is significant outside (or inside) them.

    Parameters
    ----------
    data : DataFrame or CleanData.
    spec : Instrument, lavaan measurement syntax or dict {construct: [items]}.
    x, z, y : the predictor, moderator and outcome constructs.

    References
    ----------
    Lin et al. (2010), Structural Equation Modeling 17, 374–391. Marsh, Wen & Hau (2004), Psychological
    Methods 9, 275–300. Preacher, Curran & Bauer (2006), Journal of Educational and Behavioral Statistics
    31, 437–448. Bauer & Curran (2005), Multivariate Behavioral Research 40, 373–400.

    See also: moderation in PLS-SEM by the two-stage approach, ``ce.pls(model, data,
    interactions=[(x, z)])`` with ``res.simple_slopes()`` (:mod:`cem_edu.pls.moderation`).
    """
    from .constructs import resolve_spec  # noqa: PLC0415
    from ..intake import as_frame  # noqa: PLC0415
    from ..sem import fit  # noqa: PLC0415

    lang = language or get_language()
    df = as_frame(data)
    sp = resolve_spec(spec, df, language=lang)
    for role, name in (("x", x), ("z", z), ("y", y)):
        if name not in sp:
            raise ModelError(t("mod.unknown_construct", lang, role=role, name=name, known=", ".join(sp)))
    if len({x, z, y}) < 3:
        raise ModelError(t("mod.distinct", lang))
    xz = f"{x}{z}"
    if xz in sp:
        xz = f"{x}_x_{z}"
    data2 = product_indicators(df, sp[x], sp[z], match=match)
    syntax = moderation_syntax(sp[x], sp[z], sp[y], x=x, z=z, y=y, xz=xz, match=match)
    # products correlate weakly with one another, so ce.fit's covariance-ratio (fabin-like) starting values
    # for their loadings can be far off (C x N -> O in psych::bfi did not converge); start them at 1
    started = moderation_syntax(sp[x], sp[z], sp[y], x=x, z=z, y=y, xz=xz, match=match, start_products=True)
    res = fit(started, data2, estimator=estimator, missing=missing, progress=False)
    e = res.estimates
    paths = e[(e["op"] == "~") & (e["lhs"] == y)][["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue",
                                                     "std_all"]].reset_index(drop=True)
    pt = res.model.partable
    free = {lab: int(pt.loc[pt["label"] == lab, "free"].iloc[0]) - 1 for lab in ("b1", "b3")}
    idx = [free["b1"], free["b3"]]
    v = np.asarray(res.vcov)[np.ix_(idx, idx)]
    b = np.array([float(res.x[free["b1"]]), float(res.x[free["b3"]])])
    var_z = float(e[(e["op"] == "~~") & (e["lhs"] == z) & (e["rhs"] == z)]["est"].iloc[0])
    sd = float(np.sqrt(var_z))
    jn, where = _jn(b, v, level)
    out = ModerationResult(fit=res, x=x, z=z, y=y, xz=xz, paths=paths, simple_slopes=pd.DataFrame(), jn=jn,
                           jn_significant=where, moderator_sd=sd, b=b, v=v, level=float(level), syntax=syntax,
                           language=lang)
    slopes = out.slope_at(np.asarray(probe, dtype=float) * sd)
    slopes.insert(0, "sd", np.asarray(probe, dtype=float))
    object.__setattr__(out, "simple_slopes", slopes)
    return out
