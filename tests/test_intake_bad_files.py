"""The corpus of bad input files in tests/data/bad/ and the message each gives,
through the Python API and through the command line (exit status 2, one line).

Regenerate the corpus with: .venv/bin/python tests/data/bad/make_bad_files.py
"""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cem_edu.errors import DataError
from cem_edu.intake import clean, read_data

BAD = Path(__file__).parent / "data" / "bad"

# file -> exact message of clean(read_data(file)) (instrument checks included)
EXPECTED = {
    "out_of_range.csv": "column 'FUN2' has value 8 in 3 rows (rows 4, 10, 17); the scale is 1–7. "
                        "Set out_of_range=\"missing\" (command line: --out-of-range missing) to drop them.",
    "text_in_numeric.csv": "column 'FUN3' has text that is not a number or a response label in 2 rows "
                           "(rows 6, 13: 'five', 'n.a.'); type the code (1–7) or leave the cell empty. "
                           "Set out_of_range=\"missing\" (command line: --out-of-range missing) to drop them.",
    "misspelt_column.csv": "column 'SAT3' of the instrument is missing from the data (did you mean 'SAT_3'?); "
                           "rename the column in the data or give an instrument without this item.",
}

CLI_EXPECTED = {
    "empty.csv": "data file '{p}' is empty; export the data again with a header row and one row per respondent.",
    "header_only.csv": "data file '{p}' has a header row (43 columns) but no data rows; export the responses too, "
                       "one row per respondent.",
    "binary_junk.csv": "data file '{p}' is not a text table (it contains binary bytes); save it as CSV (UTF-8), "
                       "Excel (.xlsx) or SPSS (.sav).",
    "duplicate_columns.csv": "data file '{p}' has the column name 'FUN2' twice (columns 14 and 15); rename them "
                             "so every column name is unique.",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_instrument_checks_give_the_expected_message(name):
    with pytest.raises(DataError) as e:
        clean(read_data(BAD / name))
    assert str(e.value) == EXPECTED[name]


def test_out_of_range_missing_sets_cells_missing_and_logs_rows():
    cd = clean(read_data(BAD / "out_of_range.csv"), out_of_range="missing", drop=())
    assert cd.data["FUN2"].isna().tolist() == [i in (2, 8, 15) for i in range(20)]
    row = cd.log[cd.log["step"] == "out_of_range"].iloc[0]
    assert row["rows_affected"] == 3
    assert row["what"] == "FUN2: values outside 1–7 set to missing (rows 4, 10, 17)"
    cd2 = clean(read_data(BAD / "text_in_numeric.csv"), out_of_range="missing", drop=())
    assert cd2.data["FUN3"].isna().sum() == 2


def test_windows_1256_labels_give_the_codes_of_the_clean_file():
    labelled = clean(read_data(BAD / "windows1256_labels.csv"), drop=())
    plain = clean(read_data(BAD / "clean.csv"), drop=())
    pd.testing.assert_frame_equal(labelled.data, plain.data)
    assert (labelled.log["step"] == "labels").sum() == 34


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "cem_edu.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=Path(__file__).parents[1])


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "fun.lav"
    path.write_text("functional =~ FUN1 + FUN2 + FUN3 + FUN4\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(CLI_EXPECTED))
def test_cli_fit_on_bad_file_exits_2_with_one_line(name, model_file, capsys):
    from cem_edu.cli import main

    assert main(["fit", str(model_file), str(BAD / name), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines() == [f"cem-edu: error: {CLI_EXPECTED[name].format(p=BAD / name)}"]


def test_cli_as_a_program_on_an_empty_file(model_file):
    p = _cli("fit", model_file, BAD / "empty.csv", "--quiet")
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [f"cem-edu: error: {CLI_EXPECTED['empty.csv'].format(p=BAD / 'empty.csv')}"]


def test_cli_fit_persian_digits_file_equals_clean_file(model_file, tmp_path, capsys):
    from cem_edu.cli import main

    out = {}
    for name in ("clean.csv", "persian_digits_bom_crlf.csv", "semicolon_decimal_comma.csv"):
        js = tmp_path / f"{name}.json"
        assert main(["fit", str(model_file), str(BAD / name), "--quiet", "--json", str(js)]) == 0, \
            capsys.readouterr().err
        out[name] = json.loads(js.read_text(encoding="utf-8"))
    assert out["clean.csv"] == out["persian_digits_bom_crlf.csv"] == out["semicolon_decimal_comma.csv"]
    assert out["clean.csv"]["fit"]["ntotal"] == 20


# model and data that read fine but cannot be fitted: the messages come from cem_edu.sem
FIT_EXPECTED = {
    ("fun.lav", "zero_variance.csv"):
        "column(s) FUN2 have zero variance (every answer is the same); drop them from the model.",
    ("fun.lav", "collinear.csv"):
        "the covariance matrix is not positive definite: the variables FUN3, FUN1 are (nearly) linearly dependent; "
        "drop one of them or a sum/duplicate column.",
    ("fun.lav", "too_few_rows.csv"):
        "only 3 complete rows for 4 model variables; the covariance matrix needs more rows than variables — collect "
        "more data or simplify the model.",
    ("missing_variable.lav", "clean.csv"):
        "model variable(s) not in the data: 'FUN9' (did you mean FUN4, FUN3, FUN2); check the spelling in the model "
        "or rename the columns.",
    ("malformed.lav", "clean.csv"):
        "line 1: 'functional =~ FUN1 + FUN2 +': the term 'FUN1 + FUN2 +' is incomplete; write modifier*variable, "
        "e.g. a*x1 or 1*x1.",
    ("unidentified.lav", "clean.csv"):
        "the model has more free parameters (4) than sample moments (3), df = -1; it is not identified — fix some "
        "parameters or add indicators.",
}


@pytest.mark.parametrize("model, data", sorted(FIT_EXPECTED))
def test_cli_fit_on_unfittable_input_exits_2_with_one_line(model, data, capsys):
    from cem_edu.cli import main

    assert main(["fit", str(BAD / model), str(BAD / data), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines() == [f"cem-edu: error: {FIT_EXPECTED[(model, data)]}"]
