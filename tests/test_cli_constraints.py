"""`cem-edu fit` with == / > constraints in the model file and `--growth` (numbers from lavaan:
tests/reference/sem_constraints.R)."""
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from cem_edu.cli import main

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference" / "sem_constraints"
R_SCRIPT = (ROOT / "tests" / "reference" / "sem_constraints.R").read_text()


def model(name):
    return re.search(name + r' <- "(.*?)"', R_SCRIPT, re.S).group(1)


def _fit(tmp_path, capsys, syntax, data, *extra):
    lav, out = tmp_path / "m.lav", tmp_path / "out.json"
    lav.write_text(syntax)
    code = main(["fit", str(lav), str(data), "--json", str(out), "--quiet", *extra])
    return code, capsys.readouterr(), (json.loads(out.read_text()) if out.exists() else None)


def test_fit_reads_constraints_from_the_model_file(tmp_path, capsys):
    code, _, res = _fit(tmp_path, capsys, model("hs_eq_model"), ROOT / "datasets" / "holzinger_swineford.csv")
    assert code == 0
    ref = pd.read_csv(REF / "hs_eq_fit.csv").set_index("measure")["value"]
    assert res["fit"]["df"] == ref["df"] == 26
    assert res["fit"]["chisq"] == pytest.approx(ref["chisq"], abs=1e-3)
    est = {(e["lhs"], e["op"], e["rhs"]): e for e in res["estimates"]}
    assert est[("visual", "=~", "x2")]["est"] == pytest.approx(est[("visual", "=~", "x3")]["est"], abs=1e-10)
    assert [c["constraint"] for c in res["constraints"]] == ["a == b", "f == a+b"]
    assert all(abs(c["slack"]) < 1e-10 for c in res["constraints"])


def test_fit_growth_flag_matches_lavaan_growth(tmp_path, capsys):
    code, _, res = _fit(tmp_path, capsys, model("growth_model"), REF / "demo_growth.csv", "--growth")
    assert code == 0
    ref = pd.read_csv(REF / "growth_linear_est.csv")
    s_mean = ref[(ref["lhs"] == "s") & (ref["op"] == "~1")]["est"].item()
    est = {(e["lhs"], e["op"], e["rhs"] or ""): e for e in res["estimates"]}
    assert est[("s", "~1", "")]["est"] == pytest.approx(s_mean, abs=1e-4)
    assert res["fit"]["df"] == 5


def test_non_linear_constraint_is_one_line_exit_2(tmp_path, capsys):
    syntax = "visual =~ x1 + a*x2 + b*x3\na*b == 1"
    code, err, _ = _fit(tmp_path, capsys, syntax, ROOT / "datasets" / "holzinger_swineford.csv")
    assert code == 2
    assert "Traceback" not in err.err
    assert "line 2: 'a*b == 1'" in err.err and "not linear" in err.err
