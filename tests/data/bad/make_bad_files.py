"""Write the corpus of bad (and awkward but valid) input files in this folder.

Run from the repository root:  .venv/bin/python tests/data/bad/make_bad_files.py
The files are committed; tests/test_intake_bad_files.py holds the message each must give.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PERSIAN = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")


def base_frame():
    from cem_edu.datasets import simulate

    df = simulate(n=20, seed=7, flaws=False)
    return df


def csv_text(df, sep=",", decimal="."):
    lines = [sep.join(df.columns)]
    for _, row in df.iterrows():
        cells = []
        for v in row:
            if isinstance(v, float):
                if np.isnan(v):
                    cells.append("")
                elif v.is_integer():
                    cells.append(str(int(v)))
                else:
                    cells.append(f"{v:.1f}".replace(".", decimal))
            else:
                cells.append(str(v))
        lines.append(sep.join(cells))
    return "\n".join(lines) + "\n"


def main():
    df = base_frame()
    clean = csv_text(df)
    (HERE / "clean.csv").write_text(clean, encoding="utf-8")
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "header_only.csv").write_text(clean.splitlines()[0] + "\n", encoding="utf-8")
    rng = np.random.default_rng(1)
    (HERE / "binary_junk.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + rng.integers(0, 256, 2000, dtype=np.uint8).tobytes())
    (HERE / "binary_junk.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip file \x00\x01\x02")
    dup = df.rename(columns={"FUN3": "FUN2"})
    (HERE / "duplicate_columns.csv").write_text(csv_text(dup), encoding="utf-8")
    bad = df.copy()
    bad.loc[[2, 8, 15], "FUN2"] = 8.0
    (HERE / "out_of_range.csv").write_text(csv_text(bad), encoding="utf-8")
    txt = df.copy().astype({"FUN3": object})
    txt.loc[4, "FUN3"] = "five"
    txt.loc[11, "FUN3"] = "n.a."
    (HERE / "text_in_numeric.csv").write_text(csv_text(txt), encoding="utf-8")
    typo = df.rename(columns={"SAT3": "SAT_3"})
    (HERE / "misspelt_column.csv").write_text(csv_text(typo), encoding="utf-8")
    # Persian digits + BOM + CRLF + Persian decimal separator: same numbers as clean.csv
    lines = clean.splitlines()
    body = [lines[0]] + [ln.translate(PERSIAN) for ln in lines[1:]]
    (HERE / "persian_digits_bom_crlf.csv").write_bytes(("\ufeff" + "\r\n".join(body) + "\r\n").encode("utf-8"))
    # Windows-1256 with Persian labels (Arabic yeh, as Windows-1256 has no Persian yeh)
    from cem_edu.instrument import load_instrument

    inst = load_instrument()
    labels = inst.scales["agree7"].labels["fa"]
    lab = df.copy().astype({c: object for c in inst.likert_items})
    for c in inst.likert_items:
        lab[c] = [labels[int(v) - 1] for v in df[c]]
    text = csv_text(lab).replace("ی", "ي")
    (HERE / "windows1256_labels.csv").write_bytes(text.encode("cp1256"))
    (HERE / "semicolon_decimal_comma.csv").write_text(csv_text(df, sep=";", decimal=","), encoding="utf-8")
    (HERE / "tab_separated.tsv").write_text(csv_text(df, sep="\t"), encoding="utf-8")
    (HERE / "ragged_line.csv").write_text(clean.replace("\n", "\n", 1).splitlines()[0] + "\n"
                                          + "\n".join(clean.splitlines()[1:4]) + ",extra\n"
                                          + "\n".join(clean.splitlines()[4:]) + "\n", encoding="utf-8")
    (HERE / "responses.json").write_text('{"FUN1": [1, 2]}\n', encoding="utf-8")
    # files that read fine but cannot be fitted (messages come from cem_edu.sem through the CLI)
    zero = df.copy()
    zero["FUN2"] = 5.0
    (HERE / "zero_variance.csv").write_text(csv_text(zero), encoding="utf-8")
    col = df.copy()
    col["FUN3"] = col["FUN1"]
    (HERE / "collinear.csv").write_text(csv_text(col), encoding="utf-8")
    (HERE / "too_few_rows.csv").write_text(csv_text(df.head(3)), encoding="utf-8")
    (HERE / "fun.lav").write_text("functional =~ FUN1 + FUN2 + FUN3 + FUN4\n", encoding="utf-8")
    (HERE / "missing_variable.lav").write_text("functional =~ FUN1 + FUN2 + FUN9 + FUN4\n", encoding="utf-8")
    (HERE / "malformed.lav").write_text("functional =~ FUN1 + FUN2 +\nsatisfaction ~~~ functional\n",
                                        encoding="utf-8")
    (HERE / "unidentified.lav").write_text("f =~ FUN1 + FUN2\n", encoding="utf-8")


if __name__ == "__main__":
    main()
