"""Moderation (``report(..., moderation=("X", "Z", "Y"))``): does Z change the effect of X on Y?

CB-SEM (``method="cbsem"`` or ``"both"``): :func:`cem_edu.psychometrics.moderation.moderation` — the latent
interaction X·Z measured by double-mean-centred product indicators (Lin et al. 2010), Y ~ X + Z + X·Z,
the interaction path b₃ with SE, Wald interval and p, the simple slopes ω(w) = b₁ + b₃·w at w = −1 SD,
the mean and +1 SD of the latent Z (``semTools::probe2WayMC``), the Johnson–Neyman boundaries in one
sentence and the Johnson–Neyman figure, and the interaction model's fit. PLS-SEM (``"pls"`` or
``"both"``): the two-stage approach (Henseler & Chin 2010; Hair et al. 2021, ch. 7) on the same three
constructs, paths and simple slopes with bootstrap intervals, f² of the interaction.

The missing-data rule is the report's: FIML or listwise deletion for CB-SEM; with ordinal items (WLSMV,
pairwise) the product indicators are not ordinal, so the interaction model is fitted by ML with listwise
deletion and the section and the methods paragraph say so. PLS uses mean replacement or listwise
deletion as the PLS section does.
"""
from __future__ import annotations

import warnings
from dataclasses import replace

import pandas as pd

from ..context import Context, Section
from ..fitting import fit_sentence, fit_table


def triple_title(ctx: Context, x: str, z: str, y: str) -> str:
    """"Y ~ X + Z + X × Z" in the report's language (construct names from the questionnaire)."""
    nx, nz, ny = (ctx.construct_name(c) for c in (x, z, y))
    return f"{ny} ~ {nx} + {nz} + {nx} × {nz}"


def cbsem_rule(ctx: Context) -> str:
    """The missing-data rule of the CB-SEM interaction model: the report's FIML or listwise deletion;
    listwise with ordinal items (product indicators of ordinal items are fitted by ML, not WLSMV)."""
    return "fiml" if ctx.missing == "fiml" and not ctx.ordered else "listwise"


def _cbsem(ctx: Context, x: str, z: str, y: str) -> tuple[list, dict]:
    from ...plots.moderation import johnson_neyman
    from ...psychometrics.moderation import moderation

    out = ctx.out
    rule = cbsem_rule(ctx)
    with warnings.catch_warnings():  # the listwise loss is stated in the section, not warned on the console
        warnings.filterwarnings("ignore", message=r".*listwise deletion dropped")
        res = moderation(ctx.data, ctx.spec, x=x, z=z, y=y, missing=rule, language=ctx.lang)
    name = {c: ctx.construct_name(c) for c in (x, z, y)}
    n_used, n_all = int(res.fit.fit.get("ntotal", len(ctx.data))), len(ctx.data)
    matched = len(ctx.spec[x]) == len(ctx.spec[z])
    blocks = [out.paragraph(out.t("report.mod.intro", x=name[x], z=name[z], y=name[y],
                                  k=len(ctx.spec[x]) * (1 if matched else len(ctx.spec[z])),
                                  pairs=out.t("report.mod.pairs_matched" if matched else "report.mod.pairs_all"),
                                  estimator=res.fit.estimator, missing=out.t(f"report.missing_{rule}"),
                                  n=n_used, n_all=n_all))]
    if ctx.ordered:
        blocks.append(out.paragraph(out.t("report.mod.ordinal"), "callout"))
    elif ctx.missing == "listwise" and n_used < n_all:
        blocks.append(out.paragraph(out.t("report.listwise_loss", used=n_used, total=n_all,
                                          share=round(100 * (1 - n_used / n_all))), "callout"))
    e = res.fit.estimates
    rows = e[(e["op"] == "~") & (e["lhs"] == y)].set_index("label").loc[["b1", "b2", "b3"]]
    causes = [name[x], name[z], f"{name[x]} × {name[z]}"]
    ptab = pd.DataFrame({
        out.t("report.col.path"): [out.arrow(c, name[y]) for c in causes],
        out.t("report.col.b"): rows["est"].to_numpy(), out.t("report.col.se"): rows["se"].to_numpy(),
        out.t("report.col.beta"): rows["std_all"].to_numpy(), "z": rows["z"].to_numpy(),
        out.t("report.col.p"): rows["pvalue"].to_numpy(), out.t("report.col.ci_lower"): rows["ci_lower"].to_numpy(),
        out.t("report.col.ci_upper"): rows["ci_upper"].to_numpy()})
    blocks.append(out.table(ptab, out.t("report.mod.paths_caption", ci=out.t("report.ci_wald")), index=False,
                            pcols=(out.t("report.col.p"),)))
    b3 = rows.loc["b3"]
    blocks.append(out.paragraph(out.t("report.mod.b3_sig" if b3["pvalue"] < 0.05 else "report.mod.b3_ns",
                                      x=name[x], z=name[z], y=name[y], b=out.num(float(b3["est"])),
                                      se=out.num(float(b3["se"])), p=out.p_text(float(b3["pvalue"])),
                                      lo=out.num(float(b3["ci_lower"])), hi=out.num(float(b3["ci_upper"])))))
    sl = res.simple_slopes
    stab = pd.DataFrame({
        out.t("report.mod.col.at", z=name[z]): [out.t(f"report.mod.at.{k}") for k in ("minus", "mean", "plus")],
        out.t("report.mod.col.value"): sl["moderator"].to_numpy(),
        out.t("report.mod.col.slope", x=name[x]): sl["slope"].to_numpy(), out.t("report.col.se"): sl["se"].to_numpy(),
        "z": sl["z"].to_numpy(), out.t("report.col.p"): sl["p"].to_numpy(),
        out.t("report.col.ci_lower"): sl["ci_lower"].to_numpy(),
        out.t("report.col.ci_upper"): sl["ci_upper"].to_numpy()})
    blocks.append(out.table(stab, out.t("report.mod.slopes_caption", x=name[x], y=name[y], z=name[z],
                                        sd=out.num(res.moderator_sd)),
                            index=False, pcols=(out.t("report.col.p"),)))
    jn = {"x": name[x], "y": name[y], "z": name[z]}
    if res.jn:
        lo, hi = res.jn
        jn.update(lo=out.num(lo), hi=out.num(hi), lo_sd=out.num(lo / res.moderator_sd, 2),
                  hi_sd=out.num(hi / res.moderator_sd, 2))
    jn_text = out.t(f"report.mod.jn.{res.jn_significant}", **jn)
    if any(abs(b) > 3 * res.moderator_sd for b in res.jn):  # a boundary the data hardly reach
        jn_text += " " + out.t("report.mod.jn_far", z=name[z])
    blocks.append(out.paragraph(jn_text))
    shown = replace(res, x=name[x], z=name[z], y=name[y])  # the figure's labels in the report's language
    ax = johnson_neyman(shown, language=ctx.lang)
    blocks.append(out.figure(ax.figure, out.t("report.mod.jn_caption", x=name[x], y=name[y], z=name[z])))
    blocks.append(out.paragraph(fit_sentence(out, res.fit.fit)))
    blocks.append(out.table(fit_table(out, res.fit), out.t("report.mod.fit_caption")))
    result = {**res.to_dict(), "missing": rule, "n": n_used, "matched": matched, "estimator": res.fit.estimator}
    return blocks, result


def _pls(ctx: Context, x: str, z: str, y: str) -> tuple[list, dict]:
    from ...pls import pls
    from ...pls.moderation import moderation_model

    out = ctx.out
    missing = "listwise" if ctx.missing == "listwise" else "mean"
    draws = ctx.bootstrap or (1000 if ctx.bootstrap_default_off else 0)  # the PLS bootstrap is fast: keep it
    res = pls(moderation_model(ctx.spec, x, z, y), ctx.data, interactions=[(x, z, y)], bootstrap=draws,
              seed=ctx.seed, missing=missing, progress=False)
    term = f"{x}*{z}"
    name = {c: ctx.construct_name(c) for c in (x, z, y)}
    name[term] = f"{name[x]} × {name[z]}"
    ci = out.t("report.ci_boot", n=draws) if draws else out.t("report.pls.no_bootstrap")
    blocks = [out.paragraph(out.t("report.mod.pls_intro", x=name[x], z=name[z], y=name[y], n=res.n_used,
                                  missing=out.t(f"report.pls.missing_{missing}"), ci=ci))]
    p = res.paths[res.paths["lhs"] == y].set_index("rhs").loc[[x, z, term]]
    f2 = res.f2[res.f2["lhs"] == y].set_index("rhs")["f2"]
    ptab = pd.DataFrame({
        out.t("report.col.path"): [out.arrow(name[c], name[y]) for c in (x, z, term)],
        out.t("report.col.beta"): p["est"].to_numpy(), out.t("report.col.se"): p["se"].to_numpy(),
        out.t("report.col.p"): p["pvalue"].to_numpy(), out.t("report.col.ci_lower"): p["ci_lower"].to_numpy(),
        out.t("report.col.ci_upper"): p["ci_upper"].to_numpy(), "f²": [f2.get(c) for c in (x, z, term)]})
    blocks.append(out.table(ptab, out.t("report.mod.pls_paths_caption", ci=ci), index=False,
                            pcols=(out.t("report.col.p"),)))
    b3 = p.loc[term]
    blocks.append(out.paragraph(out.t("report.mod.pls_b3", x=name[x], z=name[z], y=name[y], b=out.num(float(b3["est"])),
                                      p=out.p_text(float(b3["pvalue"])), f2=out.num(float(f2[term]), 4))))
    sl = res.simple_slopes(term, y)
    stab = pd.DataFrame({
        out.t("report.mod.col.at", z=name[z]): [out.t(f"report.mod.at.{k}") for k in ("minus", "mean", "plus")],
        out.t("report.mod.col.slope", x=name[x]): sl["est"].to_numpy(), out.t("report.col.se"): sl["se"].to_numpy(),
        out.t("report.col.p"): sl["pvalue"].to_numpy(), out.t("report.col.ci_lower"): sl["ci_lower"].to_numpy(),
        out.t("report.col.ci_upper"): sl["ci_upper"].to_numpy()})
    blocks.append(out.table(stab, out.t("report.mod.pls_slopes_caption", x=name[x], y=name[y], z=name[z], ci=ci),
                            index=False, pcols=(out.t("report.col.p"),), note=out.t("report.mod.pls_no_jn")))
    keep = ["lhs", "rhs", "est", "se", "pvalue", "ci_lower", "ci_upper"]
    result = {"x": x, "z": z, "y": y, "interaction": term, "n": int(res.n_used), "missing": missing, "bootstrap": draws,
              "paths": p.reset_index()[keep].to_dict(orient="records"), "f2": float(f2[term]),
              "simple_slopes": sl[["at", "est", "se", "pvalue", "ci_lower", "ci_upper"]].to_dict(orient="records")}
    return blocks, result


def section(ctx: Context) -> Section:
    out = ctx.out
    s = Section("moderation", out.t("report.s.moderation"))
    # the CB-SEM part, the PLS part or both; with both, each under its own sub-heading
    parts = [(method, key, fit, []) for method, key, fit in (("cbsem", "moderation", _cbsem),
                                                             ("pls", "moderation_pls", _pls))
             if ctx.method in (method, "both")]
    for x, z, y in ctx.moderation:
        if len(ctx.moderation) > 1:
            s.blocks.append(out.heading("report.mod.heading", model=triple_title(ctx, x, z, y)))
        for method, _, fit, found in parts:
            if len(parts) > 1:
                s.blocks.append(out.heading(f"report.mod.heading_{method}"))
            blocks, result = fit(ctx, x, z, y)
            s.blocks.extend(blocks)
            found.append(result)
    for _, key, _, found in parts:
        if found:
            ctx.results[key] = found
    return s
