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
from .i18n import t

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


def _read_data(path: str, inst=None):
    """The data file; with an instrument whose item ids are not all column names (a survey tool's
    export with question texts as headers), read onto the instrument: ``read_data(path, inst)``."""
    from .intake import read_data

    data = read_data(path)
    if inst is not None and not set(inst.item_ids) <= set(data.columns):
        return read_data(path, inst)
    return data


def _whole(minimum: int | None):
    """argparse ``type=`` for counts, seeds and ports: Persian digits welcome, one parser (``parse_integer``)."""

    def read(text: str) -> int:
        from .intake.numbers import parse_integer

        try:
            return parse_integer(text, minimum=minimum)
        except DataError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    read.__name__ = "whole number"
    return read


def _real(text: str) -> float:
    """argparse ``type=`` for a number such as a scale midpoint (``4``, ``3.5``, ``۳٫۵``): ``parse_number``."""
    from .intake.numbers import parse_number

    try:
        return parse_number(text, decimal=".")
    except DataError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_real.__name__ = "number"


def _write_json(obj, path: str | None) -> None:
    if path:
        from .results import json_safe  # NaN/inf -> null: the file is valid JSON for any reader

        Path(path).write_text(json.dumps(json_safe(obj), ensure_ascii=False, indent=2, allow_nan=False),
                              encoding="utf-8")


def _instrument(path: str | None):
    from .instrument import load_instrument

    return load_instrument(path)


def _split(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").replace("،", ",").split(",") if c.strip()]


def _own_data(args, data):
    """The no-YAML path (issue #20): ``--reverse A1,C4``, ``--scale 1-6``, ``--constructs``.

    Returns ``(data, spec, instrument)``: with ``--model`` an Instrument is built from the model's ``=~``
    lines (``ce.instrument_from_model``; the scale from ``--scale`` or, with a warning, from the data);
    with ``--instrument`` the listed items are declared reverse-keyed. Whole-number answers are then
    cleaned as ``ce.clean`` does (labels, range checks, reverse keys recoded once); other numbers (a
    continuous score) get the reverse keys recoded by ``Instrument.recode`` and no range checks.
    ``instrument`` is None when none of the three options was given.
    """
    import numpy as np
    import pandas as pd

    from .instrument import load_instrument
    from .instrument.sources import with_reverse
    from .psychometrics.constructs import instrument_from_model

    reverse = _split(getattr(args, "reverse", None))
    scale = getattr(args, "scale", None)
    constructs = getattr(args, "constructs", False)
    if not (reverse or scale or constructs):
        return data, None, None
    if args.instrument:
        if scale or constructs:
            raise CemError(t("cli.own.scale_with_instrument"))
        inst = with_reverse(load_instrument(args.instrument), reverse)
    elif args.model:
        inst = instrument_from_model(_read_text(args.model, "model"), data, reverse=reverse, scale=scale)
    else:
        raise CemError(t("cli.own.needs_model"))
    items = [i for i in inst.likert_items if i in data.columns]
    values = data[items].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    whole = bool(np.all(np.mod(values[np.isfinite(values)], 1) == 0))
    if whole:
        return data, inst, inst
    scale = inst.scales[inst.default_scale]
    warnings.warn(t("cli.own.not_whole", lo=scale.min, hi=scale.max), UserWarning, stacklevel=2)
    return inst.recode(data), inst, None


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
    if args.growth:
        if ordered is not None:
            raise DataError(t("sem.growth.ordered"))
        from .sem.growth import growth as fit
    res = fit(model, data, estimator=args.estimator, missing=args.missing, group=args.group,
              bootstrap=args.bootstrap, seed=args.seed, progress=not args.quiet, ordered=ordered)
    print(res)
    _write_json(res.to_dict(), args.json)


def cmd_pls(args) -> None:
    from .pls import pls

    model = _read_text(args.model, "model")
    data = _read_data(args.data)
    res = pls(model, data, weighting=args.weighting, consistent=args.consistent, bootstrap=args.bootstrap,
              seed=args.seed, ci=args.ci, missing=args.missing, progress=not args.quiet)
    print(res)
    _write_json(res.to_dict(), args.json)


def cmd_reliability(args) -> None:
    if bool(args.instrument) == bool(args.model):
        raise CemError("give exactly one of --instrument Q.yaml or --model M.lav")
    from .psychometrics.reliability import reliability_summary

    given = _instrument(args.instrument) if args.instrument else None
    data = _read_data(args.data, given)
    data, own, own_clean = _own_data(args, data)
    spec = own if own is not None else (given if given is not None else _read_text(args.model, "model"))
    if own is not None and own_clean is None:
        pass  # answers that are not whole numbers: reverse keys recoded, no scale to check them against
    elif args.instrument or own_clean is not None:
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

    data, instrument, model = args.data, args.instrument, args.model
    if instrument and model is None:
        inst = _instrument(instrument)
        try:
            inst.model()
        except CemError:  # no experience -> outcome paths to build (a codebook without roles): a CFA
            model = inst.model(structural=False)
            print(t("cli.own.cfa_only"), file=sys.stderr)
    if getattr(args, "reverse", None) or getattr(args, "scale", None) or getattr(args, "constructs", False):
        frame, _, own_clean = _own_data(args, data if not isinstance(data, str) else _read_data(args.data))
        if own_clean is not None:
            instrument = own_clean
        else:
            data, instrument = frame, None
    path = report(data, instrument=instrument, model=model, lang=args.lang, group=args.group,
                  bootstrap=args.bootstrap, out=args.out, json_path=args.json, progress=not args.quiet,
                  missing="fiml" if args.missing == "ml" else args.missing, out_of_range=args.out_of_range,
                  method=args.method, ordered=_ordered(args.ordered), format=args.format, panel=args.panel,
                  moderation=_moderation_option(args.moderation, args.lang))
    print(t("report.written", language=args.lang, path=path.resolve()))


def _moderation_option(given: list[str] | None, lang: str):
    """``--moderation X,Z,Y`` (repeatable) as the report's list of (x, z, y) triples; a wrong shape is refused
    with the report's own message (names are checked against the model by the report)."""
    if not given:
        return None
    from .report.build import moderation_triples

    return [moderation_triples(text, lang=lang)[0] for text in given]


def cmd_collect(args) -> None:
    from .collect.server import serve

    serve(instrument=args.instrument, db=args.db, host=args.host, port=args.port, token=args.token, lang=args.lang)


def cmd_export_form(args) -> None:
    inst = _instrument(args.instrument)
    path = inst.export(args.out, format=args.format)
    print(f"{args.format} written to {path}")


# ---- thesis toolkit (issue #21): content validity, normality, common-method bias ----
def cmd_content_validity(args) -> None:
    from .psychometrics.content_validity import cvi, cvr, impact_score

    method = {"cvr": cvr, "cvi": cvi, "impact": impact_score}[args.method]
    res = method(args.panel, language=args.lang)
    print(res)
    _write_json(res.to_dict(), args.json)


def _thesis_data_spec(args):
    """Data and construct spec of normality / common-method: --instrument cleans as ce.clean does."""
    if bool(args.instrument) == bool(args.model):
        raise CemError("give exactly one of --instrument Q.yaml or --model M.lav")
    if args.instrument:
        from .intake import clean

        spec = _instrument(args.instrument)
        data = clean(_read_data(args.data, spec), spec)
    else:
        spec = _read_text(args.model, "model")
        data = _read_data(args.data)
    return data, spec


def cmd_normality(args) -> None:
    from .psychometrics.normality import normality

    data, spec = _thesis_data_spec(args)
    res = normality(data, spec, language=args.lang)
    print(res)
    _write_json(res.to_dict(), args.json)


def cmd_common_method(args) -> None:
    from .psychometrics.common_method import common_method

    data, spec = _thesis_data_spec(args)
    res = common_method(data, spec, ulmc_model=not args.no_ulmc, method_loadings=args.method_loadings,
                        language=args.lang)
    print(res)
    _write_json(res.to_dict(), args.json)


def cmd_construct_tests(args) -> None:
    from .psychometrics.constructs import construct_scores, resolve_spec
    from .psychometrics.construct_tests import correlation_table, friedman, one_sample_t
    from .validation import check_columns

    data, spec = _thesis_data_spec(args)
    df = data.data if hasattr(data, "data") else data
    scores = construct_scores(df, resolve_spec(spec, df))
    ranked = scores
    if args.friedman:
        wanted = [c.strip() for c in args.friedman.split(",") if c.strip()]
        check_columns(scores, wanted, key="ct.unknown_constructs", what="--friedman", language=args.lang,
                      error=CemError)
        ranked = scores[wanted]
    tt = one_sample_t(df, spec, midpoint=args.midpoint, scores=scores if args.midpoint is not None else None,
                      language=args.lang)
    fr = friedman(df, spec, scores=ranked, language=args.lang)
    cr = correlation_table(df, spec, scores=scores, language=args.lang)
    for res in (tt, fr, cr):
        print(res, end="\n\n")
    _write_json({"one_sample_t": tt.to_dict(), "friedman": fr.to_dict(), "correlations": cr.to_dict()}, args.json)


def cmd_moderation(args) -> None:
    from .psychometrics.moderation import moderation

    data, spec = _thesis_data_spec(args)
    if args.method == "pls":
        _moderation_pls(args, data, spec)
        return
    res = moderation(data, spec, x=args.x, z=args.z, y=args.y, match=None if args.all_pairs is False else False,
                     estimator=args.estimator, language=args.lang)
    print(res)
    _write_json(res.to_dict(), args.json)
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        from .plots.moderation import johnson_neyman

        johnson_neyman(res, language=args.lang).figure.savefig(args.plot, dpi=150, bbox_inches="tight")
        print(f"Johnson-Neyman plot written to {args.plot}")


def _moderation_pls(args, data, spec) -> None:
    """``moderation --method pls``: ``ce.pls`` with the two-stage interaction (Y ~ X + Z + X*Z)."""
    from .i18n import t
    from .pls import pls
    from .pls.moderation import moderation_model, moderation_summary
    from .intake import as_frame
    from .psychometrics.constructs import resolve_spec

    for option, given in (("--all-pairs", args.all_pairs), ("--estimator", args.estimator != "ML"),
                          ("--plot", args.plot is not None)):
        if given:
            raise CemError(t("pls.mod.cli_option", args.lang, option=option))
    df = as_frame(data)
    model = moderation_model(resolve_spec(spec, df), args.x, args.z, args.y)
    res = pls(model, df, interactions=[(args.x, args.z, args.y)], bootstrap=args.bootstrap, seed=args.seed,
              progress=False)
    print(moderation_summary(res, args.lang))
    _write_json(res.to_dict(), args.json)


def _scale_argument(text: str) -> tuple[int, int]:
    """argparse ``type=`` for ``--scale 1-6`` (also ``1–6``, ``۱-۶``)."""
    from .instrument.sources import parse_scale

    try:
        return parse_scale(text)
    except CemError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_scale_argument.__name__ = "scale"


def _add_own_data_arguments(parser) -> None:
    """The no-YAML path of issue #20: your own questionnaire from a lavaan model and the data."""
    parser.add_argument("--reverse", default=None, metavar="A1,C4",
                        help="reverse-keyed items, recoded as min + max - x before any statistic")
    parser.add_argument("--scale", default=None, type=_scale_argument, metavar="MIN-MAX",
                        help="answer scale of the items, e.g. 1-5 (default: read from --instrument, else from "
                             "the data with a warning)")
    parser.add_argument("--constructs", action="store_true",
                        help="read the constructs from the =~ lines of --model (implied by --reverse/--scale)")


def _add_data_spec_arguments(parser) -> None:
    parser.add_argument("data", help="data file (CSV, XLSX or SAV)")
    parser.add_argument("--instrument", default=None, metavar="Q.yaml", help="questionnaire that defines the constructs")
    parser.add_argument("--model", default=None, metavar="M.lav", help="or a measurement model in lavaan syntax")
    parser.add_argument("--lang", default="en", choices=["en", "fa"], help="language of the printed tables: en or fa")
    parser.add_argument("--json", default=None, metavar="OUT.json", help="also write the results to this JSON file")


def _add_thesis_commands(sub) -> None:
    cv = sub.add_parser("content-validity",
                        help="Lawshe's CVR, CVI with modified kappa or impact score of an expert panel")
    cv.add_argument("panel", help="panel sheet: one row per expert, one column per item (CSV, XLSX or SAV)")
    cv.add_argument("--method", required=True, choices=["cvr", "cvi", "impact"],
                    help="cvr: codes 1-3 (3 = essential); cvi: relevance 1-4; impact: importance 1-5")
    cv.add_argument("--lang", default="en", choices=["en", "fa"], help="language of the printed table: en or fa")
    cv.add_argument("--json", default=None, metavar="OUT.json", help="also write the results to this JSON file")
    cv.set_defaults(func=cmd_content_validity)

    nm = sub.add_parser("normality", help="skewness, kurtosis, Shapiro-Wilk, Lilliefors KS and Mardia's test")
    _add_data_spec_arguments(nm)
    nm.set_defaults(func=cmd_normality)

    cm = sub.add_parser("common-method",
                        help="Harman's single factor, full-collinearity VIFs and a latent method factor")
    _add_data_spec_arguments(cm)
    cm.add_argument("--method-loadings", default="equal", choices=["equal", "free"],
                    help="loadings of the unmeasured latent method factor (default: one equal loading)")
    cm.add_argument("--no-ulmc", action="store_true", help="skip the latent method factor model")
    cm.set_defaults(func=cmd_common_method)

    ct = sub.add_parser("construct-tests", help="one-sample t against the midpoint, Friedman with Kendall's W, "
                                                "APA correlation table of the construct scores")
    _add_data_spec_arguments(ct)
    ct.add_argument("--midpoint", default=None, type=_real,
                    help="scale midpoint (read from the instrument's scales when omitted)")
    ct.add_argument("--friedman", default=None, metavar="C1,C2,...",
                    help="constructs to rank with Friedman's test (default: all)")
    ct.set_defaults(func=cmd_construct_tests)

    md = sub.add_parser("moderation", help="latent interaction X x Z -> Y by double-mean-centred product indicators, "
                                           "simple slopes and Johnson-Neyman; or PLS two-stage (--method pls)")
    _add_data_spec_arguments(md)
    md.add_argument("--x", required=True, help="predictor construct")
    md.add_argument("--z", required=True, help="moderator construct")
    md.add_argument("--y", required=True, help="outcome construct")
    md.add_argument("--all-pairs", action="store_true", help="all products x_i*z_j instead of matched pairs")
    md.add_argument("--estimator", default="ML", type=str.upper, choices=["ML", "MLR"],
                    help="ML (default) or MLR (robust standard errors and test)")
    md.add_argument("--plot", default=None, metavar="JN.png", help="write the Johnson-Neyman plot (cbsem)")
    md.add_argument("--method", default="cbsem", type=str.lower, choices=["cbsem", "pls"],
                    help="cbsem (default: latent product indicators, lavaan) or pls (two-stage approach, "
                         "Henseler & Chin 2010, as seminr's two_stage)")
    md.add_argument("--bootstrap", default=5000, type=_whole(0), metavar="N",
                    help="bootstrap draws of --method pls (default 5000; 0 = none)")
    md.add_argument("--seed", default=None, type=_whole(0), help="random seed of the pls bootstrap")
    md.set_defaults(func=cmd_moderation)
# ---- end of the thesis toolkit block ----


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
    f.add_argument("--bootstrap", default=0, type=_whole(0), metavar="N", help="bootstrap draws (0 = none)")
    f.add_argument("--seed", default=None, type=_whole(0), help="random seed for the bootstrap (reproducible draws)")
    f.add_argument("--json", default=None, metavar="OUT.json", help="also write the results to this JSON file")
    f.add_argument("--quiet", action="store_true", help="no progress bar")
    f.add_argument("--growth", action="store_true",
                   help="latent growth model with lavaan's growth() defaults (observed intercepts 0, latent means free)")
    f.set_defaults(func=cmd_fit)

    pl = sub.add_parser("pls", help="estimate a PLS path model (PLS-SEM), as SmartPLS reports it")
    pl.add_argument("model", help="model file in lavaan syntax (=~ reflective, <~ formative, ~ paths)")
    pl.add_argument("data", help="data file (CSV, XLSX or SAV)")
    pl.add_argument("--consistent", action="store_true", help="consistent PLS (PLSc) for reflective constructs")
    pl.add_argument("--weighting", default="path", type=str.lower, choices=["path", "centroid", "factor"],
                    help="inner weighting scheme (default: path, as SmartPLS)")
    pl.add_argument("--bootstrap", default=0, type=_whole(0), metavar="N", help="bootstrap draws (0 = none)")
    pl.add_argument("--seed", default=None, type=_whole(0), help="random seed of the bootstrap (reproducible draws)")
    pl.add_argument("--ci", default="percentile", type=str.lower, choices=["percentile", "bca"],
                    help="bootstrap interval: percentile (default) or bias-corrected and accelerated")
    pl.add_argument("--missing", default="mean", type=str.lower, choices=["mean", "listwise"],
                    help="missing answers: replace by the item mean (default, as SmartPLS) or drop the row")
    pl.add_argument("--json", default=None, metavar="OUT.json", help="also write the results to this JSON file")
    pl.add_argument("--quiet", action="store_true", help="no progress bar")
    pl.set_defaults(func=cmd_pls)

    r = sub.add_parser("reliability", help="alpha, omega, CR, AVE and HTMT per construct")
    r.add_argument("data", help="data file (CSV, XLSX or SAV)")
    r.add_argument("--instrument", default=None, metavar="Q.yaml", help="questionnaire that defines the constructs")
    r.add_argument("--model", default=None, metavar="M.lav", help="or a measurement model in lavaan syntax")
    r.add_argument("--json", default=None, metavar="OUT.json", help="also write the results to this JSON file")
    r.add_argument("--out-of-range", default="error", choices=["error", "missing"],
                   help="answers off the scale: stop with a message (default) or set them to missing")
    _add_own_data_arguments(r)
    r.set_defaults(func=cmd_reliability)

    i = sub.add_parser("invariance", help="configural, metric, scalar and strict invariance across groups")
    i.add_argument("model", help="model file in lavaan syntax (.lav)")
    i.add_argument("data", help="data file (CSV, XLSX or SAV)")
    i.add_argument("--group", required=True, help="column that defines the groups to compare")
    i.add_argument("--estimator", default=None, type=str.upper, choices=["ML", "MLR", "WLSMV", "ULSMV"],
                   help="ML (default) or MLR; with --ordered WLSMV (default) or ULSMV")
    i.add_argument("--ordered", default=None, metavar="all|COL1,COL2",
                   help="ordinal items: configural, thresholds, loadings, intercepts (Wu & Estabrook, 2016)")
    i.add_argument("--json", default=None, metavar="OUT.json", help="also write the results to this JSON file")
    i.set_defaults(func=cmd_invariance)

    rp = sub.add_parser("report", help="report of a data file: self-contained HTML or Word (--format docx)")
    rp.add_argument("data", help="data file (CSV, XLSX or SAV)")
    rp.add_argument("--instrument", default=None, metavar="Q.yaml", help="questionnaire (default: the bundled one)")
    rp.add_argument("--model", default=None, metavar="M.lav", help="structural model in lavaan syntax (default: built from the questionnaire)")
    rp.add_argument("--lang", default="en", choices=["en", "fa"], help="language of the report: en (default) or fa")
    rp.add_argument("--group", default=None, help="column that defines groups to compare (invariance)")
    rp.add_argument("--bootstrap", default=None, type=_whole(0),
                    help="bootstrap draws for indirect effects (default 1000; none under FIML unless given; 0 = none)")
    rp.add_argument("--missing", default="auto", type=str.lower, choices=["auto", "listwise", "fiml", "ml", "pairwise"],
                    help="missing answers: auto (default: fiml when the model has missing answers), listwise, fiml = ml, pairwise (--ordered)")
    rp.add_argument("--ordered", default=None, metavar="all|COL1,COL2",
                    help="treat the items as ordinal: WLSMV on polychoric correlations (pairwise with --missing)")
    rp.add_argument("--out-of-range", default="error", choices=["error", "missing"],
                    help="answers off the scale: stop with a message (default) or set them to missing")
    rp.add_argument("--method", default="cbsem", type=str.lower, choices=["cbsem", "pls", "both"],
                    help="structural model: covariance-based SEM, PLS-SEM, or both side by side")
    rp.add_argument("--format", default=None, type=str.lower, choices=["html", "docx"],
                    help="html (one self-contained page) or docx (Word: APA tables, numbered captions); "
                         "default: docx when --out ends in .docx, else html")
    rp.add_argument("--panel", default=None, metavar="PANEL.csv",
                    help="expert-panel sheet (rows experts, columns items): adds a content-validity section")
    rp.add_argument("--moderation", default=None, action="append", metavar="X,Z,Y",
                    help="constructs of the model: does Z moderate the effect of X on Y? adds a moderation section "
                         "(latent interaction, simple slopes, Johnson-Neyman; PLS two-stage with --method pls/both); "
                         "repeat for more than one")
    rp.add_argument("--out", default="report.html", help="file to write (default: report.html, or report.docx with --format docx)")
    rp.add_argument("--json", default=None, metavar="results.json", help="also write the results to this JSON file")
    rp.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_own_data_arguments(rp)
    rp.set_defaults(func=cmd_report)

    c = sub.add_parser("collect", help="serve the questionnaire as a web form for a class",
                       description="Serve the questionnaire as a web form for a class (phones scan a QR code). "
                                   "For phones on the same Wi-Fi: cem-edu collect --host 0.0.0.0")
    c.add_argument("--instrument", default=None, metavar="Q.yaml", help="questionnaire to serve (default: the bundled one)")
    c.add_argument("--db", default="responses.sqlite", metavar="FILE|URL",
                   help="SQLite file (responses.sqlite) or postgresql://... URL")
    c.add_argument("--host", default="127.0.0.1", help="127.0.0.1 = this computer only; 0.0.0.0 = phones too")
    c.add_argument("--port", default=8000, type=_whole(0), help="port to listen on (default: 8000)")
    c.add_argument("--token", default=None, help="instructor token, 16+ characters (default: random)")
    c.add_argument("--lang", default="fa", choices=["en", "fa"], help="language of the form: fa (default) or en")
    c.set_defaults(func=cmd_collect)

    e = sub.add_parser("export-form", help="export the questionnaire (XLSForm, printable HTML, codebook, JSON, "
                                           "expert-panel sheet)")
    e.add_argument("--instrument", default=None, metavar="Q.yaml", help="questionnaire to export (default: the bundled one)")
    e.add_argument("--format", required=True, choices=["xlsform", "html", "codebook", "json", "panel"],
                   help="xlsform (ODK/KoBo), html (printable), codebook, json or panel (expert-panel sheet)")
    e.add_argument("--out", default=None, help="file to write (default: a name from the questionnaire and format)")
    e.set_defaults(func=cmd_export_form)
    _add_thesis_commands(sub)
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
