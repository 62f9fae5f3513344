"""Grade a folder of submissions of the exercise set locally (no Docker, no network) and write a CSV.

    python notebooks/exercises/grade_all.py dist/exercises/autograder/cem_exercises-autograder_*.zip \
        submissions/ --out grades.csv

Each ``.ipynb`` (or the ``.zip`` that ``grader.export()`` writes) in the folder is run with
``otter.api.grade_submission`` -- Otter's non-containerised grader: it executes the notebook in
this Python environment (which must have cem-edu and otter-grader installed) and runs the public
and hidden checks. One CSV row per submission: file, one column per question, total, possible,
and an error column when the notebook could not be graded at all.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path


def grade_folder(autograder: Path, folder: Path) -> list[dict]:
    """Grade every submission in ``folder`` with the autograder zip; one dict per submission."""
    from otter.api import grade_submission

    rows = []
    paths = sorted(p for p in folder.iterdir() if p.suffix in (".ipynb", ".zip"))
    if not paths:
        raise SystemExit(f"no .ipynb or .zip submissions in {folder}; put the students' files there")
    for path in paths:
        row = {"file": path.name}
        try:
            result = grade_submission(str(path), str(autograder), quiet=True)
        except Exception as exc:  # one broken submission must not stop the class
            row["error"] = f"{type(exc).__name__}: {exc}"
            rows.append(row)
            continue
        for name in result.test_files:
            row[name] = result.get_score(name)
        row["total"] = result.total
        row["possible"] = result.possible
        if result.catastrophic_error is not None:
            row["error"] = str(result.catastrophic_error)
        rows.append(row)
        print(f"{path.name}: {row['total']:g} / {row['possible']:g}", file=sys.stderr)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("autograder", type=Path, help="the autograder zip written by `otter assign`")
    parser.add_argument("submissions", type=Path, help="folder with the students' .ipynb or .zip files")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"), help="CSV to write (default grades.csv)")
    args = parser.parse_args(argv)
    if not args.autograder.is_file():
        raise SystemExit(f"autograder zip {args.autograder} not found; run `otter assign` first (see README.md)")
    rows = grade_folder(args.autograder, args.submissions)
    columns = ["file"] + sorted({k for r in rows for k in r} - {"file", "total", "possible", "error"}) \
        + ["total", "possible", "error"]
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {args.out} ({len(rows)} submissions)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
