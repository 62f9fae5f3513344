"""The ``cem-edu`` command.

Every user error ends as one readable line on stderr and exit status 2;
``--debug`` shows the traceback instead.
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from . import __version__
from .errors import CemError, DataError

EXIT_USAGE = 2


def _read_text(path: str, what: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{what} file '{path}' does not exist; check the path.")
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{what} file '{path}' is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                        "save it as UTF-8.") from None


def _read_data(path: str):
    from .intake import read_data

    return read_data(path)


def _write_json(obj, path: str | None) -> None:
    if path:
        Path(path).write_text(json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=True), encoding="utf-8")


def _instrument(path: str | None):
    from .instrument import load_instrument

    return load_instrument(path)


def _ordered(value):
    """--ordered: "all" or a comma-separated list of columns (ordinal items, WLSMV); None when not given."""
    if not value:
        return None
    return True if value.strip().lower() == "all" else [c.strip() for c in value.split(",") if c.strip()]


def cmd_fit(args) -> None:
    from .sem import fit

    model = _read_text(args.model, "model")
    data = _read_data(args.data)
    ordered = _ordered(args.ordered)
    res = fit(model, data, estimator=args.estimator, missing=args.missing, group=args.group,
              bootstrap=args.bootstrap, seed=args.seed, progress=not args.quiet, ordered=ordered)
    print(res)
    _write_json(res.to_dict(), args.json)


def cmd_reliability(args) -> None:
    if bool(args.instrument) == bool(args.model):
        raise CemError("give exactly one of --instrument Q.yaml or --model M.lav")
    from .psychometrics.reliability import reliability_summary

    data = _read_data(args.data)
    spec = _instrument(args.instrument) if args.instrument else _read_text(args.model, "model")
    if args.instrument:
        # the instrument knows the answer labels, scales and reverse-keyed items: clean as ce.clean does,
        # else reverse-keyed items enter alpha unrecoded (and labels or out-of-range values pass unseen)
        from .intake import clean

        data = clean(data, spec, out_of_range=args.out_of_range)
        print("\n".join(str(data).splitlines()[1:3 if data.reverse_recoded else 2]), file=sys.stderr)
    table, out = reliability_summary(data, spec)
    print(table.to_string())
    _write_json(out, args.json)


def cmd_invariance(args) -> None:
    from .sem import invariance

    model = _read_text(args.model, "model")
    data = _read_data(args.data)
    res = invariance(model, data, group=args.group, estimator=args.estimator, ordered=_ordered(args.ordered))
    print(res)
    _write_json(res.to_dict(), args.json)


def cmd_report(args) -> None:
    from .report import report

    path = report(args.data, instrument=args.instrument, model=args.model, lang=args.lang, group=args.group,
                  bootstrap=args.bootstrap, out=args.out, json_path=args.json, progress=not args.quiet,
                  missing="fiml" if args.missing == "ml" else args.missing, out_of_range=args.out_of_range,
                  ordered=_ordered(args.ordered))
    print(f"report written to {path}")


def cmd_collect(args) -> None:
    from .collect.server import serve

    serve(instrument=args.instrument, db=args.db, host=args.host, port=args.port, token=args.token, lang=args.lang)


def cmd_export_form(args) -> None:
    inst = _instrument(args.instrument)
    path = inst.export(args.out, format=args.format)
    print(f"{args.format} written to {path}")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cem-edu", description="Customer Experience Management research and teaching kit.")
    p.add_argument("--version", action="version", version=f"cem-edu {__version__}")
    p.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    f = sub.add_parser("fit", help="fit a CFA/SEM model written in lavaan syntax")
    f.add_argument("model", help="model file in lavaan syntax (.lav)")
    f.add_argument("data", help="data file (CSV, XLSX or SAV)")
    f.add_argument("--estimator", default=None, type=str.upper,
                   choices=["ML", "MLR", "WLSMV", "DWLS", "ULSMV", "ULS"],
                   help="ML (default) or MLR; with --ordered WLSMV (default), DWLS, ULSMV or ULS")
    f.add_argument("--missing", default="listwise", type=str.lower, choices=["listwise", "fiml", "ml", "pairwise"],
                   help="listwise (default), fiml/ml (continuous items), pairwise (with --ordered)")
    f.add_argument("--ordered", default=None, metavar="all|COL1,COL2",
                   help="ordinal items: 'all' or a comma-separated list (thresholds + polychoric, WLSMV)")
    f.add_argument("--group", default=None, help="column that defines groups (multigroup model)")
    f.add_argument("--bootstrap", default=0, type=int, metavar="N", help="bootstrap draws (0 = none)")
    f.add_argument("--seed", default=None, type=int)
    f.add_argument("--json", default=None, metavar="OUT.json")
    f.add_argument("--quiet", action="store_true", help="no progress bar")
    f.set_defaults(func=cmd_fit)

    r = sub.add_parser("reliability", help="alpha, omega, CR, AVE and HTMT per construct")
    r.add_argument("data")
    r.add_argument("--instrument", default=None, metavar="Q.yaml")
    r.add_argument("--model", default=None, metavar="M.lav")
    r.add_argument("--json", default=None, metavar="OUT.json")
    r.add_argument("--out-of-range", default="error", choices=["error", "missing"],
                   help="answers off the scale: stop with a message (default) or set them to missing")
    r.set_defaults(func=cmd_reliability)

    i = sub.add_parser("invariance", help="configural, metric, scalar and strict invariance across groups")
    i.add_argument("model")
    i.add_argument("data")
    i.add_argument("--group", required=True)
    i.add_argument("--estimator", default=None, type=str.upper, choices=["ML", "MLR", "WLSMV", "ULSMV"],
                   help="ML (default) or MLR; with --ordered WLSMV (default) or ULSMV")
    i.add_argument("--ordered", default=None, metavar="all|COL1,COL2",
                   help="ordinal items: configural, thresholds, loadings, intercepts (Wu & Estabrook, 2016)")
    i.add_argument("--json", default=None, metavar="OUT.json")
    i.set_defaults(func=cmd_invariance)

    rp = sub.add_parser("report", help="self-contained HTML report of a data file")
    rp.add_argument("data")
    rp.add_argument("--instrument", default=None, metavar="Q.yaml")
    rp.add_argument("--model", default=None, metavar="M.lav")
    rp.add_argument("--lang", default="en", choices=["en", "fa"])
    rp.add_argument("--group", default=None)
    rp.add_argument("--bootstrap", default=1000, type=int)
    rp.add_argument("--missing", default="listwise", type=str.lower, choices=["listwise", "fiml", "ml", "pairwise"])
    rp.add_argument("--ordered", default=None, metavar="all|COL1,COL2",
                    help="treat the items as ordinal: WLSMV on polychoric correlations (pairwise with --missing)")
    rp.add_argument("--out-of-range", default="error", choices=["error", "missing"],
                    help="answers off the scale: stop with a message (default) or set them to missing")
    rp.add_argument("--out", default="report.html")
    rp.add_argument("--json", default=None, metavar="results.json")
    rp.add_argument("--quiet", action="store_true")
    rp.set_defaults(func=cmd_report)

    c = sub.add_parser("collect", help="serve the questionnaire as a web form for a class")
    c.add_argument("--instrument", default=None, metavar="Q.yaml")
    c.add_argument("--db", default="responses.sqlite")
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", default=8000, type=int)
    c.add_argument("--token", default=None)
    c.add_argument("--lang", default="fa", choices=["en", "fa"])
    c.set_defaults(func=cmd_collect)

    e = sub.add_parser("export-form", help="export the questionnaire (XLSForm, printable HTML, codebook, JSON)")
    e.add_argument("--instrument", default=None, metavar="Q.yaml")
    e.add_argument("--format", required=True, choices=["xlsform", "html", "codebook", "json"])
    e.add_argument("--out", default=None)
    e.set_defaults(func=cmd_export_form)
    return p


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one line each (``cem-edu: warning: ...``), not Python's file:line + source echo."""
    print(f"cem-edu: warning: {message}", file=sys.stderr if file is None else file)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    with warnings.catch_warnings():
        if not args.debug:
            warnings.showwarning = _show_warning
        return _run(args)


def _run(args) -> int:
    try:
        args.func(args)
    except CemError as exc:
        if args.debug:
            raise
        print(f"cem-edu: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("cem-edu: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        if args.debug:
            raise
        print(f"cem-edu: error: {type(exc).__name__}: {exc} (this is a bug in cem-edu; run again with --debug "
              "and report the traceback)", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
