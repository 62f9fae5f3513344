"""Latent moderation against semTools::indProd + lavaan + probe2WayMC (tests/reference/thesis.R)."""
from __future__ import annotations

import json
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import cem_edu as ce  # noqa: E402
from _thesis_common import KEYED, REF  # noqa: E402
from cem_edu.errors import ModelError  # noqa: E402

PATHS = pd.read_csv(REF / "moderation_paths.csv")
FIT = pd.read_csv(REF / "moderation_fit.csv").set_index("data")
SLOPES = pd.read_csv(REF / "moderation_slopes.csv")
JN = pd.read_csv(REF / "moderation_jn.csv").set_index("data")
CASES = {"hs": ("hs", "visual", "textual", "speed", None), "hs_all": ("hs", "visual", "textual", "speed", False),
         "bfi": ("bfi", "C", "N", "O", None), "cem": ("cem", "functional", "humanic", "satisfaction", None),
         "hs_mlr": ("hs", "visual", "textual", "speed", None, "MLR")}


@pytest.fixture(scope="module")
def results():
    out = {}
    for case, (d, x, z, y, match, *est) in CASES.items():
        data, spec = KEYED[d]
        out[case] = ce.moderation(data, spec, x=x, z=z, y=y, match=match, estimator=est[0] if est else "ML")
    return out


def test_product_indicators_as_semtools():
    data, spec = KEYED["hs"]
    p = ce.product_indicators(data, spec["visual"], spec["textual"])
    assert ["x1.x4", "x2.x5", "x3.x6"] == [c for c in p.columns if "." in c]
    c1, c4 = data["x1"] - data["x1"].mean(), data["x4"] - data["x4"].mean()
    np.testing.assert_allclose(p["x1.x4"], c1 * c4 - (c1 * c4).mean(), atol=1e-12)
    assert abs(p["x2.x5"].mean()) < 1e-12
    allp = ce.product_indicators(data, spec["visual"], spec["textual"], match=False)
    assert sum("." in c for c in allp.columns) == 9


@pytest.mark.parametrize("case", list(CASES))
def test_paths_and_fit_match_lavaan(results, case):
    res = results[case]
    ref = PATHS[PATHS["data"] == case].set_index("label")
    got = res.paths.set_index("label").loc[ref.index]
    for col in ("est", "se", "z", "std_all"):
        np.testing.assert_allclose(got[col], ref[col], atol=1e-3, err_msg=col)
    np.testing.assert_allclose(got["pvalue"], ref["pvalue"], atol=1e-3)
    for key in ("chisq", "cfi", "rmsea", "srmr"):
        assert res.fit.fit[key] == pytest.approx(FIT.loc[case, key], abs=1e-3), key
    assert res.fit.fit["df"] == FIT.loc[case, "df"]


@pytest.mark.parametrize("case", list(CASES))
def test_simple_slopes_match_probe2waymc_and_jn(results, case):
    res = results[case]
    ref = SLOPES[SLOPES["data"] == case].reset_index(drop=True)
    got = res.simple_slopes
    for col in ("moderator", "slope", "se", "z", "p"):
        np.testing.assert_allclose(got[col], ref[col], atol=1e-3, err_msg=col)
    assert res.moderator_sd == pytest.approx(JN.loc[case, "sd_z"], abs=1e-3)
    np.testing.assert_allclose(res.jn, [JN.loc[case, "jn_lower"], JN.loc[case, "jn_upper"]], atol=5e-3)
    # at a Johnson-Neyman boundary the slope's p-value is exactly 1 - level
    np.testing.assert_allclose(res.slope_at(res.jn)["p"], 0.05, atol=1e-9)


def test_text_and_persian(results):
    text = str(results["hs"])
    assert "Lin et al. 2010" in text and "Johnson–Neyman" in text
    fa = ce.moderation(*KEYED["hs"], x="visual", z="textual", y="speed", language="fa")
    assert "جانسون–نیمن" in str(fa) and 'dir="rtl"' in fa._repr_html_()


def test_plots(results, tmp_path):
    ax = ce.plots.johnson_neyman(results["hs"])
    xs = [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--"]
    np.testing.assert_allclose(sorted(xs), sorted(b for b in results["hs"].jn if abs(b) <= 3 * 0.982), atol=1e-9)
    ax2 = ce.plots.simple_slopes(results["hs"])
    assert len(ax2.lines) == 3
    ce.plots.johnson_neyman(results["hs"], language="fa").figure.savefig(tmp_path / "jn.png")
    assert (tmp_path / "jn.png").stat().st_size > 5000


def test_persian_plots_read_as_the_other_persian_plots(results):
    # the Johnson-Neyman plot moved its y axis to the right in Persian but kept Latin digits on both axes
    # (the item-distribution and power plots write theirs in Persian); numeric axes keep their direction
    import matplotlib.pyplot as plt

    for draw in (ce.plots.johnson_neyman, ce.plots.simple_slopes):
        ax = draw(results["hs"], language="fa")
        ax.figure.canvas.draw()
        lo, hi = ax.get_xlim()
        assert lo < hi and ax.yaxis.get_label_position() == "right" and ax.yaxis.get_ticks_position() == "right"
        for axis in (ax.xaxis, ax.yaxis):
            labels = [tick.get_text() for tick in axis.get_ticklabels() if tick.get_text()]
            assert labels and not any(c.isascii() and c.isdigit() for text in labels for c in text), labels
            assert any(c in "۰۱۲۳۴۵۶۷۸۹" for text in labels for c in text)
        legend = " ".join(text.get_text() for text in ax.get_legend().get_texts())
        assert any(c in "۰۱۲۳۴۵۶۷۸۹" for c in legend)
        assert not any(c.isascii() and c.isdigit() for c in legend.replace("textual", "").replace("visual", "")), legend
        plt.close(ax.figure)
        ax = draw(results["hs"], language="en")
        ax.figure.canvas.draw()
        assert any(c.isascii() and c.isdigit() for tick in ax.xaxis.get_ticklabels() for c in tick.get_text())
        assert ax.yaxis.get_label_position() == "left"
        plt.close(ax.figure)


def test_bad_construct_is_named():
    with pytest.raises(ModelError, match="z='nope' is not a construct of the model"):
        ce.moderation(*KEYED["hs"], x="visual", z="nope", y="speed")
    with pytest.raises(ModelError, match="matched product indicators need as many items"):
        ce.product_indicators(KEYED["hs"][0], ["x1", "x2"], ["x4", "x5", "x6"], match=True)


def test_cli_moderation(tmp_path):
    data, spec = KEYED["hs"]
    data.to_csv(tmp_path / "hs.csv", index=False)
    (tmp_path / "m.lav").write_text("\n".join(f"{k} =~ {' + '.join(v)}" for k, v in spec.items()))
    out = tmp_path / "m.json"
    p = subprocess.run([sys.executable, "-m", "cem_edu.cli", "moderation", str(tmp_path / "hs.csv"), "--model",
                        str(tmp_path / "m.lav"), "--x", "visual", "--z", "textual", "--y", "speed", "--json", str(out),
                        "--plot", str(tmp_path / "jn.png")], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    j = json.loads(out.read_text())
    b3 = [r for r in j["paths"] if r["label"] == "b3"][0]
    assert b3["est"] == pytest.approx(PATHS[(PATHS["data"] == "hs") & (PATHS["label"] == "b3")]["est"].iloc[0], abs=1e-3)
    assert len(j["johnson_neyman"]) == 2 and (tmp_path / "jn.png").exists()
