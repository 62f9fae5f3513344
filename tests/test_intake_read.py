"""read_data: formats, encodings, separators; the file is never changed."""
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cem_edu.errors import DataError
from cem_edu.intake import read_data

BAD = Path(__file__).parent / "data" / "bad"


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def clean_frame():
    return read_data(BAD / "clean.csv")


def test_clean_file_types(clean_frame):
    assert clean_frame.shape == (20, 43)
    assert clean_frame["FUN1"].dtype == np.int64
    assert clean_frame["spend"].dtype == np.float64
    assert clean_frame.attrs["intake"]["encoding"] == "utf-8"


@pytest.mark.parametrize("name, encoding, sep, decimal", [
    ("persian_digits_bom_crlf.csv", "utf-8-sig", ",", "."),
    ("semicolon_decimal_comma.csv", "utf-8", ";", ","),
    ("tab_separated.tsv", "utf-8", "\t", "."),
])
def test_awkward_files_give_the_same_numbers_as_clean(name, encoding, sep, decimal, clean_frame):
    before = sha(BAD / name)
    df = read_data(BAD / name)
    assert sha(BAD / name) == before  # never modifies the file
    pd.testing.assert_frame_equal(df, clean_frame)
    info = df.attrs["intake"]
    assert (info["encoding"], info["separator"], info["decimal"]) == (encoding, sep, decimal)


def test_persian_digit_cells_are_recorded():
    df = read_data(BAD / "persian_digits_bom_crlf.csv")
    cells = df.attrs["intake"]["normalised_cells"]
    assert cells["FUN1"] == list(range(2, 22))   # spreadsheet rows 2..21


def test_windows_1256_labels_are_decoded():
    df = read_data(BAD / "windows1256_labels.csv")
    assert df.attrs["intake"]["encoding"] == "cp1256"
    assert set(df["FUN1"].dropna()) <= {"کاملاً مخالفم", "مخالفم", "تا حدی مخالفم", "نه موافقم نه مخالفم",
                                         "تا حدی موافقم", "موافقم", "کاملاً موافقم"}


def test_forced_encoding_and_wrong_forced_encoding():
    assert read_data(BAD / "windows1256_labels.csv", encoding="cp1256").shape == (20, 43)
    with pytest.raises(DataError) as e:
        read_data(BAD / "windows1256_labels.csv", encoding="utf-8")
    assert str(e.value).startswith(f"data file '{BAD / 'windows1256_labels.csv'}' cannot be read as utf-8 (")


def test_xlsx_round_trip_with_persian_digits(tmp_path, clean_frame):
    frame = clean_frame.astype({"FUN1": object})
    frame.loc[0, "FUN1"] = str(clean_frame.loc[0, "FUN1"]).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    path = tmp_path / "survey.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(xw, sheet_name="about", index=False)
        frame.to_excel(xw, sheet_name="responses", index=False)
    df = read_data(path, sheet="responses")
    assert df["FUN1"].tolist() == clean_frame["FUN1"].tolist()
    np.testing.assert_allclose(df["spend"], clean_frame["spend"])
    assert df.attrs["intake"]["sheet"] == "responses"
    with pytest.raises(DataError) as e:
        read_data(path, sheet="data")
    assert str(e.value) == f"data file '{path}' has no sheet data; choose one of 'about', 'responses'."


def test_spss_value_labels_kept_in_attrs(tmp_path):
    import pyreadstat

    df = pd.DataFrame({"FUN1": [1.0, 7.0, 4.0], "channel": [1.0, 2.0, 1.0]})
    path = tmp_path / "survey.sav"
    pyreadstat.write_sav(df, str(path), column_labels=["Transactions right first time", "Main channel"],
                         variable_value_labels={"channel": {1.0: "branch", 2.0: "app"},
                                                "FUN1": {1.0: "Strongly disagree", 7.0: "Strongly agree"}})
    out = read_data(path)
    assert out["FUN1"].tolist() == [1, 7, 4]
    assert out.attrs["value_labels"]["channel"] == {1: "branch", 2: "app"}
    assert out.attrs["column_labels"]["FUN1"] == "Transactions right first time"


def test_dataframe_input_is_not_mutated():
    df = pd.DataFrame({"FUN1": ["۱", "2", None], "name": ["علي", "Sara", "x"]})
    frozen = df.copy(deep=True)
    out = read_data(df)
    pd.testing.assert_frame_equal(df, frozen)
    assert out["FUN1"].tolist()[:2] == [1.0, 2.0] and np.isnan(out["FUN1"].iloc[2])
    assert out["name"].iloc[0] == "علی"


@pytest.mark.parametrize("source, message", [
    ("nope.csv", "data file '{p}' does not exist; check the path."),
    ("empty.csv", "data file '{p}' is empty; export the data again with a header row and one row per respondent."),
    ("header_only.csv", "data file '{p}' has a header row (43 columns) but no data rows; export the responses too, "
                        "one row per respondent."),
    ("binary_junk.csv", "data file '{p}' is not a text table (it contains binary bytes); save it as CSV (UTF-8), "
                        "Excel (.xlsx) or SPSS (.sav)."),
    ("binary_junk.xlsx", "data file '{p}' is not a text table (it contains binary bytes); save it as CSV (UTF-8), "
                         "Excel (.xlsx) or SPSS (.sav)."),
    ("duplicate_columns.csv", "data file '{p}' has the column name 'FUN2' twice (columns 14 and 15); rename them so "
                              "every column name is unique."),
    ("responses.json", "data file '{p}' has the unsupported extension '.json'; save it as CSV (.csv), Excel (.xlsx) "
                       "or SPSS (.sav)."),
    ("ragged_line.csv", "data file '{p}': line 4 has 44 fields but the header has 43; a cell probably contains the "
                        "separator, so put that cell in double quotes."),
])
def test_bad_files_give_the_expected_message(source, message):
    path = BAD / source
    with pytest.raises(DataError) as e:
        read_data(path)
    assert str(e.value) == message.format(p=path)


def test_old_excel_and_folder(tmp_path):
    (tmp_path / "a.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataError, match=r"old Excel 97-2003 \(\.xls\) file; open it in Excel"):
        read_data(tmp_path / "a.xls")
    with pytest.raises(DataError, match="is a folder, not a file"):
        read_data(tmp_path)
    with pytest.raises(DataError, match="needs a file path or a pandas DataFrame, not list"):
        read_data([1, 2])


def test_utf16_and_cp1252(tmp_path, clean_frame):
    text = (BAD / "clean.csv").read_text(encoding="utf-8")
    (tmp_path / "u16.csv").write_text(text, encoding="utf-16")
    pd.testing.assert_frame_equal(read_data(tmp_path / "u16.csv"), clean_frame)
    (tmp_path / "latin.csv").write_bytes("name,FUN1\nJosé,5\nRenée,6\n".encode("cp1252"))
    df = read_data(tmp_path / "latin.csv")
    assert df.attrs["intake"]["encoding"] == "cp1252" and df["name"].tolist() == ["José", "Renée"]


def test_missing_tokens_and_mixed_columns(tmp_path):
    (tmp_path / "m.csv").write_text("a,b,c\n1,NA,x\n2,,y\n3,4.5,#N/A\n", encoding="utf-8")
    df = read_data(tmp_path / "m.csv")
    assert df["a"].dtype == np.int64 and df["b"].dtype == np.float64
    assert df["b"].isna().tolist() == [True, True, False]
    assert df["c"].tolist()[:2] == ["x", "y"] and pd.isna(df["c"].iloc[2])


def test_duplicate_names_in_a_dataframe():
    with pytest.raises(DataError) as e:
        read_data(pd.DataFrame([[1, 2]], columns=["a", "a"]))
    assert str(e.value) == ("the DataFrame has the column name 'a' twice (columns 1 and 2); rename them so every "
                            "column name is unique.")


def test_numbers_are_read_by_parse_number(tmp_path):
    """Issue #15 §3: one parser everywhere — 1_000 and 1e308 are not numbers, "1,5" is 1.5 not 15."""
    (tmp_path / "n.csv").write_text('id,spend,under,sci,groups,fa\n'
                                    '1,"1,5",1_000,1e308,"1,234,567",۱٬۲۵۰٫۵\n'
                                    '2,2,5,2,"12,000",۳\n', encoding="utf-8")
    df = read_data(tmp_path / "n.csv")
    assert df["spend"].tolist() == [1.5, 2.0]
    assert df["under"].tolist() == ["1_000", "5"]          # kept as text; check_values names the cell
    assert df["sci"].tolist() == ["1e308", "2"]
    assert df["groups"].tolist() == [1234567, 12000]
    assert df["fa"].tolist() == [1250.5, 3.0]
    assert df.attrs["intake"]["decimal_comma_columns"] == ["spend"]


def test_decimal_comma_file_reads_groups_of_three_as_decimals(tmp_path):
    (tmp_path / "eu.csv").write_text("id;spend;total\n1;1,500;1.234,5\n2;2,25;7\n", encoding="utf-8")
    df = read_data(tmp_path / "eu.csv")
    assert df.attrs["intake"]["decimal"] == ","
    assert df["spend"].tolist() == [1.5, 2.25]
    assert df["total"].tolist() == [1234.5, 7.0]
