"""PLS-SEM moderation by the two-stage approach (``ce.pls(..., interactions=...)``).

1. Published: Hair, Hult, Ringle, Sarstedt, Danks & Ray (2021), *PLS-SEM Using R*, ch. 7 (moderation),
   corporate reputation model with switching costs (SC) moderating CUSA -> CUSL, seminr
   ``interaction_term(iv = "CUSA", moderator = "SC", method = two_stage)``. The printed bootstrap
   table is parsed from tests/reference/pls/hair2021_printed.txt (see test_pls_published.py for its
   source); every original estimate is checked to half a unit of its third decimal (CUSA*SC -> CUSL
   = -0.071). The bootstrap SDs come from seminr's own random draws, so they are compared loosely.
2. Independent: stage 1 with ``ce.pls``, the product of its standardised scores built by hand,
   stage 2 with ``ce.pls`` on the augmented data, the interaction path rescaled by the product's SD
   (seminr's ``adjust_interaction``): equal to 1e-8, also for one bootstrap draw redone by hand.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("seminr")   # corp_rep is read from the seminr package

import cem_edu as ce  # noqa: E402
from cem_edu.errors import ModelError  # noqa: E402
from test_pls_published import TOL3, arrow_table  # noqa: E402

MAIN = """
QUAL <~ qual_1 + qual_2 + qual_3 + qual_4 + qual_5 + qual_6 + qual_7 + qual_8
PERF <~ perf_1 + perf_2 + perf_3 + perf_4 + perf_5
CSOR <~ csor_1 + csor_2 + csor_3 + csor_4 + csor_5
ATTR <~ attr_1 + attr_2 + attr_3
COMP =~ comp_1 + comp_2 + comp_3
LIKE =~ like_1 + like_2 + like_3
CUSA =~ cusa
SC =~ switch_1 + switch_2 + switch_3 + switch_4
CUSL =~ cusl_1 + cusl_2 + cusl_3
COMP ~ QUAL + PERF + CSOR + ATTR
LIKE ~ QUAL + PERF + CSOR + ATTR
CUSA ~ COMP + LIKE
CUSL ~ COMP + LIKE + CUSA + SC
"""


@pytest.fixture(scope="module")
def corp_rep():
    return ce.load_dataset("corp_rep")


@pytest.fixture(scope="module")
def moderated(corp_rep):
    # 1000 draws, as the book
    return ce.pls(MAIN, corp_rep, interactions=[("CUSA", "SC")], bootstrap=1000, seed=2021, progress=False)


def test_published_two_stage_paths(moderated):
    printed = arrow_table("sum_boot_corp_rep_mod$bootstrapped_paths")
    assert len(printed) == len(moderated.paths) == 15
    for r in moderated.paths.itertuples():
        row = printed.loc[(r.rhs, r.lhs)]
        assert abs(r.est - row["est"]) <= TOL3, (r.rhs, r.lhs, r.est, row["est"])
        # seminr's bootstrap SDs come from other random draws: agree to ~15% of the SD
        assert abs(r.se - row["sd"]) <= 0.15 * row["sd"] + 0.002, (r.rhs, r.lhs, r.se, row["sd"])
    xz = moderated.paths.set_index("rhs").loc["CUSA*SC"]
    assert round(xz["est"], 3) == -0.071
    assert xz["ci_upper"] < 0            # significant at 5%, as in the book (-0.138, -0.016)


def _stage2_by_hand(frame: pd.DataFrame):
    """Stage 1 with ce.pls, the product of the standardised scores, stage 2 with ce.pls."""
    s1 = ce.pls(MAIN, frame)
    sc = s1.scores
    z = (sc - sc.mean()) / sc.std(ddof=1)
    prod = (z["CUSA"] * z["SC"]).to_numpy()
    aug = frame.loc[sc.index].copy()
    aug["cusa_sc"] = prod
    s2 = ce.pls(MAIN + "XZ =~ cusa_sc\nCUSL ~ XZ\n", aug)
    return s2, prod.std(ddof=1)


def test_independent_two_stage(corp_rep):
    ours = ce.pls(MAIN, corp_rep, interactions=[("CUSA", "SC")])
    hand, sd_prod = _stage2_by_hand(corp_rep)
    a = ours.paths.set_index(["lhs", "rhs"])["est"]
    b = hand.paths.assign(rhs=hand.paths["rhs"].replace({"XZ": "CUSA*SC"})).set_index(["lhs", "rhs"])["est"]
    b.loc[("CUSL", "CUSA*SC")] /= sd_prod          # seminr's adjust_interaction: the centred, unscaled product
    assert np.max(np.abs(a - b.loc[a.index])) < 1e-8
    assert np.max(np.abs(ours.r2 - hand.r2.loc[ours.r2.index])) < 1e-8
    f_ours = ours.f2.set_index(["lhs", "rhs"])["f2"]
    f_hand = hand.f2.assign(rhs=hand.f2["rhs"].replace({"XZ": "CUSA*SC"})).set_index(["lhs", "rhs"])["f2"]
    assert np.max(np.abs(f_ours - f_hand.loc[f_ours.index])) < 1e-8
    assert 0 < f_ours.loc[("CUSL", "CUSA*SC")] < 0.02      # a small interaction effect (Kenny: 0.005/0.01/0.025)
    lo = ours.loadings.set_index("item")["est"]
    assert np.max(np.abs(lo.drop("CUSA*SC") - hand.loadings.set_index("item")["est"].drop("cusa_sc"))) < 1e-8
    assert abs(ours.settings["interactions"]["CUSA*SC"]["sd_product"] - sd_prod) < 1e-10
    sl = ours.simple_slopes(at=[-1, 0, 1])
    b1, b3 = a.loc[("CUSL", "CUSA")], a.loc[("CUSL", "CUSA*SC")]
    assert np.allclose(sl["est"], [b1 - b3, b1, b1 + b3], atol=1e-12)


def test_bootstrap_draw_repeats_both_stages(corp_rep):
    """A bootstrap draw equals stage 1 + stage 2 by hand on the resampled (mean-replaced) rows."""
    R, seed = 10, 7             # the kit needs at least 10 draws; the first 3 are redone by hand
    res = ce.pls(MAIN, corp_rep, interactions=[("CUSA", "SC")], bootstrap=R, seed=seed, progress=False)
    assert res.boot["n_failed"] == 0
    items = res.spec.indicators[:-1]
    filled = corp_rep[items].apply(pd.to_numeric, errors="coerce")
    filled = filled.fillna(filled.mean())
    idx = np.random.default_rng(seed).integers(0, len(filled), size=(R, len(filled)))
    pos = {c: i for i, c in enumerate(res.spec.constructs)}
    for b in range(3):
        sample = filled.iloc[idx[b]].reset_index(drop=True)
        hand, sd_prod = _stage2_by_hand(sample)
        draw = res.boot["draws"]["paths"][b]
        for r in hand.paths.itertuples():
            rhs = "CUSA*SC" if r.rhs == "XZ" else r.rhs
            want = r.est / sd_prod if r.rhs == "XZ" else r.est
            assert abs(draw[pos[rhs], pos[r.lhs]] - want) < 1e-8, (b, rhs, r.lhs)


def test_simple_slopes_and_json(moderated):
    sl = moderated.simple_slopes()
    assert list(sl["at"]) == [-1.0, 0.0, 1.0]
    P = moderated.boot["draws"]["paths"]
    pos = {c: i for i, c in enumerate(moderated.spec.constructs)}
    draws = P[:, pos["CUSA"], pos["CUSL"]] + 1.0 * P[:, pos["CUSA*SC"], pos["CUSL"]]
    assert abs(sl["se"].iloc[2] - draws.std(ddof=1)) < 1e-12
    assert sl["est"].iloc[0] > sl["est"].iloc[1] > sl["est"].iloc[2]      # SC weakens CUSA -> CUSL
    d = moderated.to_dict()
    assert d["interactions"]["CUSA*SC"]["y"] == ["CUSL"]
    assert len(d["simple_slopes"]) == 3 and d["simple_slopes"][1]["est"] == pytest.approx(sl["est"].iloc[1])


def test_bad_interactions(corp_rep):
    with pytest.raises(ModelError, match="'NOPE' in interactions is not a construct"):
        ce.pls(MAIN, corp_rep, interactions=[("CUSA", "NOPE")])
    with pytest.raises(ModelError, match="no construct is predicted by both QUAL and SC"):
        ce.pls(MAIN, corp_rep, interactions=[("QUAL", "SC")])
    res = ce.pls(MAIN, corp_rep, interactions=[("QUAL", "SC", "CUSL")])      # explicit outcome
    assert ("CUSL", "QUAL*SC") in set(zip(res.paths["lhs"], res.paths["rhs"]))
    with pytest.raises(ModelError, match="PLSpredict is not available"):
        res.predict(corp_rep)
    with pytest.raises(ModelError, match="no interaction term"):
        ce.pls(MAIN, corp_rep).simple_slopes()


def test_cli_moderation_pls(tmp_path, corp_rep):
    import json
    import os
    import subprocess
    import sys

    corp_rep.to_csv(tmp_path / "corp.csv", index=False)
    (tmp_path / "m.lav").write_text("CUSA =~ cusa\nSC =~ switch_1 + switch_2 + switch_3 + switch_4\n"
                                    "CUSL =~ cusl_1 + cusl_2 + cusl_3\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    base = [sys.executable, "-m", "cem_edu.cli", "moderation", str(tmp_path / "corp.csv"), "--model",
            str(tmp_path / "m.lav"), "--x", "CUSA", "--z", "SC", "--y", "CUSL", "--method", "pls"]
    out = tmp_path / "m.json"
    p = subprocess.run(base + ["--bootstrap", "200", "--seed", "1", "--json", str(out)], capture_output=True,
                       text=True, env=env)
    assert p.returncode == 0, p.stderr
    assert "CUSL ~ CUSA + SC + CUSA*SC" in p.stdout and "f² =" in p.stdout
    j = json.loads(out.read_text())
    want = ce.pls("CUSA =~ cusa\nSC =~ switch_1 + switch_2 + switch_3 + switch_4\nCUSL =~ cusl_1 + cusl_2 + cusl_3\n"
                  "CUSL ~ CUSA + SC\n", corp_rep, interactions=[("CUSA", "SC")])
    xz = [r for r in j["paths"] if r["rhs"] == "CUSA*SC"][0]
    assert xz["est"] == pytest.approx(want.paths.set_index("rhs").loc["CUSA*SC", "est"], abs=1e-12)
    assert [r["at"] for r in j["simple_slopes"]] == [-1.0, 0.0, 1.0] and j["simple_slopes"][0]["se"] > 0
    p = subprocess.run(base + ["--plot", str(tmp_path / "jn.png")], capture_output=True, text=True, env=env)
    assert p.returncode == 2 and "--plot applies to --method cbsem only" in p.stderr
    assert "Traceback" not in p.stderr
