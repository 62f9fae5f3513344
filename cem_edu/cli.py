"""The ``cem-edu`` command.

Every user error ends as one readable line on stderr and exit status 2;
``--debug`` shows the traceback instead.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import sys
import warnings
from pathlib import Path

from . import __version__
from .errors import CemError, DataError
from .i18n import get_language, set_language, t

EXIT_USAGE = 2


def _read_text(path: str, what: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise DataError(t("cli.run.no_file", what=t("cli.run.what.model") if what == "model" else what, path=path))
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(t("cli.run.not_utf8", what=t("cli.run.what.model") if what == "model" else what, path=path,
                          reason=exc.reason, byte=exc.start)) from None


def _read_data(path: str, inst=None):
    """The data file; with an instrument whose item ids are not all column names (a survey tool's
    export with question texts as headers), read onto the instrument: ``read_data(path, inst)``."""
    from .intake import read_data

    data = read_data(path)
    if inst is not None and not set(inst.item_ids) <= set(data.columns):
        return read_data(path, inst)
    return data


def _whole(minimum: int | None, lang: str | None = None):
    """argparse ``type=`` for counts, seeds and ports: Persian digits welcome, one parser (``parse_integer``);
    its message in ``lang`` (None: the kit's default language)."""

    def read(text: str) -> int:
        from .intake.numbers import parse_integer

        try:
            return parse_integer(text, minimum=minimum, language=lang)
        except DataError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    read.__name__ = "whole number"
    return read


def _real(lang: str | None = None):
    """argparse ``type=`` for a number such as a scale midpoint (``4``, ``3.5``, ``۳٫۵``): ``parse_number``."""

    def read(text: str) -> float:
        from .intake.numbers import parse_number

        try:
            return parse_number(text, decimal=".", language=lang)
        except DataError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    read.__name__ = "number"
    return read


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
        raise CemError(t("cli.run.instrument_or_model"))
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
    print(t("cli.run.written", what=args.format, path=path))


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
        raise CemError(t("cli.run.instrument_or_model"))
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
        print(t("cli.run.jn_written", args.lang, path=args.plot))


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


def _scale_argument(lang: str | None = None):
    """argparse ``type=`` for ``--scale 1-6`` (also ``1–6``, ``۱-۶``); the message in ``lang``."""

    def read(text: str) -> tuple[int, int]:
        from .instrument.sources import parse_scale

        try:
            return parse_scale(text)
        except CemError as exc:
            message = t("sources.err.scale_text", lang, value=text) if lang == "fa" else str(exc)
            raise argparse.ArgumentTypeError(message) from None

    read.__name__ = "scale"
    return read


# ---- the language of the help and of usage errors (cem_edu/locales/cli.yaml) ----
LANG_VARIABLE = "CEM_EDU_LANG"

# argparse's own words (its ``_()`` message ids in Python 3.11-3.13) -> keys of cli.yaml
_ARGPARSE_WORDS = {
    "usage: ": "usage", "positional arguments": "positionals", "options": "options",
    "show this help message and exit": "help", "show program's version number and exit": "version",
    " (default: %(default)s)": "default", "%(prog)s: error: %(message)s\n": "error",
    "%(prog)s: warning: %(message)s\n": "warning", "argument %(argument_name)s: %(message)s": "argument",
    "the following arguments are required: %s": "required", "one of the arguments %s is required": "one_of_required",
    "invalid choice: %(value)r (choose from %(choices)s)": "invalid_choice",
    "invalid %(type)s value: %(value)r": "invalid_type", "unrecognized arguments: %s": "unrecognized",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "unknown_parser",
    "ambiguous option: %(option)s could match %(matches)s": "ambiguous", "not allowed with argument %s": "not_allowed",
    "expected one argument": "expected_one", "expected at most one argument": "expected_at_most_one",
    "expected at least one argument": "expected_at_least_one", "ignored explicit argument %r": "ignored_explicit",
    "can't open '%(filename)s': %(error)s": "cant_open",
}
_ARGPARSE_PLURALS = {("expected %s argument", "expected %s arguments"): "expected_n"}


def help_language(argv: list[str], environ=None) -> str:
    """The language of the help and of usage errors: ``--lang fa|en`` anywhere in ``argv`` (before ``--``;
    the last one wins, as argparse's), else the environment variable ``CEM_EDU_LANG`` (``fa``, ``en``; a
    locale such as ``fa_IR.UTF-8`` counts as ``fa``), else ``en``. An unknown ``CEM_EDU_LANG`` is named in
    a warning on stderr, never silently ignored.

    Read from argv before the parser is built, so ``cem-edu report --lang fa --help`` is Persian although
    argparse handles ``--help`` before it has seen every option.
    """
    from .i18n import LANGUAGES

    chosen = None
    for i, token in enumerate(argv):
        if token == "--":
            break
        if token == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif token.startswith("--lang="):
            value = token.split("=", 1)[1]
        else:
            continue
        if value.strip().lower() in LANGUAGES:
            chosen = value.strip().lower()
    if chosen:
        return chosen
    raw = (os.environ if environ is None else environ).get(LANG_VARIABLE, "").strip()
    if not raw:
        return "en"
    code = raw.split(".")[0].split("_")[0].split("-")[0].lower()
    if code in LANGUAGES:
        return code
    print(f"cem-edu: warning: {t('cli.env.bad_lang', 'en', value=raw)}", file=sys.stderr)
    return "en"


@contextlib.contextmanager
def _argparse_speaks(lang: str):
    """argparse's headings and usage errors in ``lang``: its module-level ``_`` and ``ngettext`` (gettext)
    answer from cli.yaml while the block runs, and are put back after it (also on ``SystemExit``).
    Message ids not in the table (a newer Python's) stay English. English: nothing is touched."""
    if lang == "en":
        yield
        return
    saved = argparse._, argparse.ngettext

    def gettext(message):
        key = _ARGPARSE_WORDS.get(message)
        return t(f"cli.argparse.{key}", lang) if key else saved[0](message)

    def ngettext(singular, plural, n):
        key = _ARGPARSE_PLURALS.get((singular, plural))
        return t(f"cli.argparse.{key}", lang) if key else saved[1](singular, plural, n)

    argparse._, argparse.ngettext = gettext, ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose own words (headings, ``-h`` help, usage errors) are in ``lang``."""

    def __init__(self, *args, lang: str = "en", **kwargs):
        self.lang = lang
        with _argparse_speaks(lang):
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):  # its "unrecognized arguments" comes after parse_known_args
        with _argparse_speaks(self.lang):
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with _argparse_speaks(self.lang):
            return super().parse_known_args(args, namespace)

    def format_usage(self):
        with _argparse_speaks(self.lang):
            return super().format_usage()

    def format_help(self):
        with _argparse_speaks(self.lang):
            return super().format_help()

    def error(self, message):
        with _argparse_speaks(self.lang):
            super().error(message)


def _add_own_data_arguments(parser, lang: str = "en") -> None:
    """The no-YAML path of issue #20: your own questionnaire from a lavaan model and the data."""
    parser.add_argument("--reverse", default=None, metavar="A1,C4", help=t("cli.help.own.reverse", lang))
    parser.add_argument("--scale", default=None, type=_scale_argument(lang if lang == "fa" else None),
                        metavar="MIN-MAX", help=t("cli.help.own.scale", lang))
    parser.add_argument("--constructs", action="store_true", help=t("cli.help.own.constructs", lang))


def _add_data_spec_arguments(parser, lang: str = "en") -> None:
    parser.add_argument("data", help=t("cli.help.common.data", lang))
    parser.add_argument("--instrument", default=None, metavar="Q.yaml", help=t("cli.help.common.instrument", lang))
    parser.add_argument("--model", default=None, metavar="M.lav", help=t("cli.help.common.model", lang))
    parser.add_argument("--lang", default="en", choices=["en", "fa"], help=t("cli.help.common.lang_tables", lang))
    parser.add_argument("--json", default=None, metavar="OUT.json", help=t("cli.help.common.json", lang))


def _add_thesis_commands(sub, lang: str = "en") -> None:
    def h(key: str, **fields) -> str:
        return t(f"cli.help.{key}", lang, **fields)

    number_lang = lang if lang == "fa" else None
    cv = sub.add_parser("content-validity", help=h("content-validity"))
    cv.add_argument("panel", help=h("content-validity.panel"))
    cv.add_argument("--method", required=True, choices=["cvr", "cvi", "impact"], help=h("content-validity.method"))
    cv.add_argument("--lang", default="en", choices=["en", "fa"], help=h("content-validity.lang"))
    cv.add_argument("--json", default=None, metavar="OUT.json", help=h("common.json"))
    cv.set_defaults(func=cmd_content_validity)

    nm = sub.add_parser("normality", help=h("normality"))
    _add_data_spec_arguments(nm, lang)
    nm.set_defaults(func=cmd_normality)

    cm = sub.add_parser("common-method", help=h("common-method"))
    _add_data_spec_arguments(cm, lang)
    cm.add_argument("--method-loadings", default="equal", choices=["equal", "free"],
                    help=h("common-method.method_loadings"))
    cm.add_argument("--no-ulmc", action="store_true", help=h("common-method.no_ulmc"))
    cm.set_defaults(func=cmd_common_method)

    ct = sub.add_parser("construct-tests", help=h("construct-tests"))
    _add_data_spec_arguments(ct, lang)
    ct.add_argument("--midpoint", default=None, type=_real(number_lang), help=h("construct-tests.midpoint"))
    ct.add_argument("--friedman", default=None, metavar="C1,C2,...", help=h("construct-tests.friedman"))
    ct.set_defaults(func=cmd_construct_tests)

    md = sub.add_parser("moderation", help=h("moderation"))
    _add_data_spec_arguments(md, lang)
    md.add_argument("--x", required=True, help=h("moderation.x"))
    md.add_argument("--z", required=True, help=h("moderation.z"))
    md.add_argument("--y", required=True, help=h("moderation.y"))
    md.add_argument("--all-pairs", action="store_true", help=h("moderation.all_pairs"))
    md.add_argument("--estimator", default="ML", type=str.upper, choices=["ML", "MLR"], help=h("moderation.estimator"))
    md.add_argument("--plot", default=None, metavar="JN.png", help=h("moderation.plot"))
    md.add_argument("--method", default="cbsem", type=str.lower, choices=["cbsem", "pls"], help=h("moderation.method"))
    md.add_argument("--bootstrap", default=5000, type=_whole(0, number_lang), metavar="N",
                    help=h("moderation.bootstrap", n=5000))
    md.add_argument("--seed", default=None, type=_whole(0, number_lang), help=h("moderation.seed"))
    md.set_defaults(func=cmd_moderation)
# ---- end of the thesis toolkit block ----


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """The ``cem-edu`` parser with its help, descriptions, headings and usage errors in ``lang`` ("en" or "fa");
    the texts are cem_edu/locales/cli.yaml's (option names, metavars and choices stay Latin).
    ``main`` chooses ``lang`` with :func:`help_language`. Parsing is the same in both languages."""
    from .i18n import LANGUAGES

    if lang not in LANGUAGES:
        raise CemError(t("common.unknown_language", "en", value=repr(lang), choices=", ".join(LANGUAGES)))

    def h(key: str, **fields) -> str:
        return t(f"cli.help.{key}", lang, **fields)

    number_lang = lang if lang == "fa" else None  # None: the messages of the type parsers as before
    whole = _whole(0, number_lang)
    p = _Parser(prog="cem-edu", description=t("cli.desc.main", lang), epilog=t("cli.epilog.main", lang), lang=lang)
    p.add_argument("--version", action="version", version=f"cem-edu {__version__}", help=h("version"))
    p.add_argument("--debug", action="store_true", help=h("debug"))
    p.add_argument("--lang", dest="help_lang", default=None, choices=["en", "fa"], help=h("lang"))
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=functools.partial(_Parser, lang=lang))

    f = sub.add_parser("fit", help=h("fit"))
    f.add_argument("model", help=h("common.model_file"))
    f.add_argument("data", help=h("common.data"))
    f.add_argument("--estimator", default=None, type=str.upper,
                   choices=["ML", "MLR", "WLSMV", "DWLS", "ULSMV", "ULS"], help=h("fit.estimator"))
    f.add_argument("--missing", default="listwise", type=str.lower, choices=["listwise", "fiml", "ml", "pairwise"],
                   help=h("fit.missing"))
    f.add_argument("--ordered", default=None, metavar="all|COL1,COL2", help=h("fit.ordered"))
    f.add_argument("--group", default=None, help=h("fit.group"))
    f.add_argument("--bootstrap", default=0, type=whole, metavar="N", help=h("common.bootstrap"))
    f.add_argument("--seed", default=None, type=whole, help=h("fit.seed"))
    f.add_argument("--json", default=None, metavar="OUT.json", help=h("common.json"))
    f.add_argument("--quiet", action="store_true", help=h("common.quiet"))
    f.add_argument("--growth", action="store_true", help=h("fit.growth"))
    f.set_defaults(func=cmd_fit)

    pl = sub.add_parser("pls", help=h("pls"))
    pl.add_argument("model", help=h("pls.model"))
    pl.add_argument("data", help=h("common.data"))
    pl.add_argument("--consistent", action="store_true", help=h("pls.consistent"))
    pl.add_argument("--weighting", default="path", type=str.lower, choices=["path", "centroid", "factor"],
                    help=h("pls.weighting"))
    pl.add_argument("--bootstrap", default=0, type=whole, metavar="N", help=h("common.bootstrap"))
    pl.add_argument("--seed", default=None, type=whole, help=h("pls.seed"))
    pl.add_argument("--ci", default="percentile", type=str.lower, choices=["percentile", "bca"], help=h("pls.ci"))
    pl.add_argument("--missing", default="mean", type=str.lower, choices=["mean", "listwise"], help=h("pls.missing"))
    pl.add_argument("--json", default=None, metavar="OUT.json", help=h("common.json"))
    pl.add_argument("--quiet", action="store_true", help=h("common.quiet"))
    pl.set_defaults(func=cmd_pls)

    r = sub.add_parser("reliability", help=h("reliability"))
    r.add_argument("data", help=h("common.data"))
    r.add_argument("--instrument", default=None, metavar="Q.yaml", help=h("common.instrument"))
    r.add_argument("--model", default=None, metavar="M.lav", help=h("common.model"))
    r.add_argument("--json", default=None, metavar="OUT.json", help=h("common.json"))
    r.add_argument("--out-of-range", default="error", choices=["error", "missing"], help=h("common.out_of_range"))
    _add_own_data_arguments(r, lang)
    r.set_defaults(func=cmd_reliability)

    i = sub.add_parser("invariance", help=h("invariance"))
    i.add_argument("model", help=h("common.model_file"))
    i.add_argument("data", help=h("common.data"))
    i.add_argument("--group", required=True, help=h("invariance.group"))
    i.add_argument("--estimator", default=None, type=str.upper, choices=["ML", "MLR", "WLSMV", "ULSMV"],
                   help=h("invariance.estimator"))
    i.add_argument("--ordered", default=None, metavar="all|COL1,COL2", help=h("invariance.ordered"))
    i.add_argument("--json", default=None, metavar="OUT.json", help=h("common.json"))
    i.set_defaults(func=cmd_invariance)

    rp = sub.add_parser("report", help=h("report"))
    rp.add_argument("data", help=h("common.data"))
    rp.add_argument("--instrument", default=None, metavar="Q.yaml", help=h("report.instrument"))
    rp.add_argument("--model", default=None, metavar="M.lav", help=h("report.model"))
    rp.add_argument("--lang", default="en", choices=["en", "fa"], help=h("report.lang"))
    rp.add_argument("--group", default=None, help=h("report.group"))
    rp.add_argument("--bootstrap", default=None, type=whole, help=h("report.bootstrap"))
    rp.add_argument("--missing", default="auto", type=str.lower, choices=["auto", "listwise", "fiml", "ml", "pairwise"],
                    help=h("report.missing"))
    rp.add_argument("--ordered", default=None, metavar="all|COL1,COL2", help=h("report.ordered"))
    rp.add_argument("--out-of-range", default="error", choices=["error", "missing"], help=h("common.out_of_range"))
    rp.add_argument("--method", default="cbsem", type=str.lower, choices=["cbsem", "pls", "both"],
                    help=h("report.method"))
    rp.add_argument("--format", default=None, type=str.lower, choices=["html", "docx"], help=h("report.format"))
    rp.add_argument("--panel", default=None, metavar="PANEL.csv", help=h("report.panel"))
    rp.add_argument("--moderation", default=None, action="append", metavar="X,Z,Y", help=h("report.moderation"))
    rp.add_argument("--out", default="report.html", help=h("report.out"))
    rp.add_argument("--json", default=None, metavar="results.json", help=h("common.json"))
    rp.add_argument("--quiet", action="store_true", help=h("common.quiet"))
    _add_own_data_arguments(rp, lang)
    rp.set_defaults(func=cmd_report)

    c = sub.add_parser("collect", help=h("collect"), description=t("cli.desc.collect", lang))
    c.add_argument("--instrument", default=None, metavar="Q.yaml", help=h("collect.instrument"))
    c.add_argument("--db", default="responses.sqlite", metavar="FILE|URL", help=h("collect.db"))
    c.add_argument("--host", default="127.0.0.1", help=h("collect.host"))
    c.add_argument("--port", default=8000, type=whole, help=h("collect.port", port=8000))
    c.add_argument("--token", default=None, help=h("collect.token"))
    c.add_argument("--lang", default="fa", choices=["en", "fa"], help=h("collect.lang"))
    c.set_defaults(func=cmd_collect)

    e = sub.add_parser("export-form", help=h("export-form"))
    e.add_argument("--instrument", default=None, metavar="Q.yaml", help=h("export-form.instrument"))
    e.add_argument("--format", required=True, choices=["xlsform", "html", "codebook", "json", "panel"],
                   help=h("export-form.format"))
    e.add_argument("--out", default=None, help=h("export-form.out"))
    e.set_defaults(func=cmd_export_form)
    _add_thesis_commands(sub, lang)
    return p


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one line each (``cem-edu: warning: ...``), not Python's file:line + source echo."""
    print(f"cem-edu: {t('cli.run.warning')}: {message}", file=sys.stderr if file is None else file)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # help, usage errors and the run's messages (error/warning prefix, library errors) are in the language given
    # on the command line (--lang, else CEM_EDU_LANG), not a command's default: collect's --lang defaults to the
    # form's Persian, while the operator's console stays in the chosen language
    run_language = help_language(argv)
    parser = build_parser(run_language)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    with warnings.catch_warnings():
        if not args.debug:
            warnings.showwarning = _show_warning
        previous = get_language()
        set_language(run_language)
        try:
            return _run(args)
        finally:
            set_language(previous)


def _run(args) -> int:
    try:
        args.func(args)
    except CemError as exc:
        if args.debug:
            raise
        print(f"cem-edu: {t('cli.run.error')}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"cem-edu: {t('cli.run.interrupted')}", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        if args.debug:
            raise
        print(f"cem-edu: {t('cli.run.error')}: {type(exc).__name__}: {exc} "
              f"{t('cli.run.bug')}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
