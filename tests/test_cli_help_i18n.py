"""`cem-edu --help` in Persian and English: the texts of cem_edu/locales/cli.yaml, the language chosen by
`--lang fa` or CEM_EDU_LANG, argparse's own headings and usage errors translated, English unchanged."""
import argparse
import gettext
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cem_edu.cli import build_parser, help_language, main
from cem_edu.i18n import _catalogue

ROOT = Path(__file__).resolve().parents[1]
FROZEN = Path(__file__).parent / "data" / "cli_help_en"
COMMANDS = ["fit", "pls", "reliability", "invariance", "report", "collect", "export-form", "content-validity",
            "normality", "common-method", "construct-tests", "moderation"]
PERSIAN = re.compile(r"[\u0600-\u06FF]")
TABLE = yaml.safe_load((ROOT / "cem_edu" / "locales" / "cli.yaml").read_text(encoding="utf-8"))


def run(*args, lang_env=None):
    env = {k: v for k, v in os.environ.items() if k != "CEM_EDU_LANG"}
    env.update(COLUMNS="80", PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
    if lang_env is not None:
        env["CEM_EDU_LANG"] = lang_env
    return subprocess.run([sys.executable, "-m", "cem_edu.cli", *args], capture_output=True, text=True, env=env,
                          encoding="utf-8")


def subparsers(parser):
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def texts(parser):
    """Every help, description and epilog of a parser and its commands: {(command, dest): text}."""
    out = {("", "description"): parser.description, ("", "epilog"): parser.epilog}
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            out |= {(c.dest, "command"): c.help for c in a._choices_actions}
        elif a.help:
            out[("", a.dest)] = a.help
    for name, sub in subparsers(parser).items():
        if sub.description:
            out[(name, "description")] = sub.description
        out |= {(name, a.dest): a.help for a in sub._actions if a.help}
    return out


# ---- the table ----
def test_every_key_has_english_and_persian():
    assert len(TABLE) > 90
    for key, entry in TABLE.items():
        assert key.startswith("cli."), key
        assert set(entry) == {"en", "fa"}, key
        assert entry["en"].strip() and entry["fa"].strip(), key
        assert PERSIAN.search(entry["fa"]), f"{key}: no Persian in {entry['fa']!r}"
        assert not PERSIAN.search(entry["en"]), key
        # the fields ({port}) and argparse's %-placeholders are the same in both languages
        assert sorted(re.findall(r"\{\w+", entry["en"])) == sorted(re.findall(r"\{\w+", entry["fa"])), key
        assert sorted(re.findall(r"%\(?\w*\)?[sr]", entry["en"])) == sorted(re.findall(r"%\(?\w*\)?[sr]", entry["fa"])), key


def test_the_catalogue_loads_cli_yaml():
    assert _catalogue()["cli.help.report.moderation"] == TABLE["cli.help.report.moderation"]


def test_every_text_of_the_parser_comes_from_the_table_and_every_help_key_is_used():
    source = (ROOT / "cem_edu" / "cli.py").read_text(encoding="utf-8")
    used = {f"cli.help.{k}" for k in re.findall(r'\bh\("([^"]+)"', source)} | set(re.findall(r"""t\(["'](cli\.[^"']+)["']""", source))
    assert used - set(_catalogue()) == set(), "keys used in cli.py but missing from the catalogue"
    unused = {k for k in TABLE if not k.startswith("cli.argparse.")} - used
    assert unused == set(), "keys of cli.yaml that cli.py never uses"
    for lang in ("en", "fa"):
        for where, text in texts(build_parser(lang)).items():
            assert text and not text.startswith("cli."), (lang, where, text)


# ---- English: exactly the help as it was ----
@pytest.mark.parametrize("command", COMMANDS)
def test_english_help_is_unchanged(command, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    got = subparsers(build_parser("en"))[command].format_help()
    want = (FROZEN / f"{command}.txt").read_text(encoding="utf-8")
    if sys.version_info >= (3, 13):  # 3.13's argparse wraps the usage lines differently; the rest is ours
        got, want = got.split("\n\n", 1)[1], want.split("\n\n", 1)[1]
    assert got == want


def test_english_help_through_the_command_is_byte_identical():
    p = run("report", "--help")
    assert p.returncode == 0 and p.stderr == ""
    want = (FROZEN / "report.txt").read_text(encoding="utf-8")
    assert p.stdout == want if sys.version_info < (3, 13) else p.stdout.split("\n\n", 1)[1] == want.split("\n\n", 1)[1]
    assert run("report", "--help", lang_env="en").stdout == p.stdout
    assert run("report", "--lang", "en", "--help", lang_env="fa").stdout == p.stdout  # --lang wins over the variable


def test_english_texts_equal_the_table_and_the_persian_ones_differ():
    en, fa = texts(build_parser("en")), texts(build_parser("fa"))
    assert en.keys() == fa.keys()
    english = {v["en"] for v in TABLE.values()} | {TABLE["cli.help.collect.port"]["en"].format(port=8000),
                                                   TABLE["cli.help.moderation.bootstrap"]["en"].format(n=5000)}
    for where, text in en.items():
        assert text in english, where
        assert PERSIAN.search(fa[where]), (where, fa[where])
    assert en[("", "description")] == "Customer Experience Management research and teaching kit."
    assert en[("report", "moderation")].startswith("constructs of the model: does Z moderate the effect of X on Y?")
    assert en[("collect", "port")] == "port to listen on (default: 8000)"
    assert fa[("collect", "port")].endswith("(پیش‌فرض: ۸۰۰۰)")  # numbers in running Persian text: Persian digits
    assert "۵۰۰۰" in fa[("moderation", "bootstrap")] and "5000" not in fa[("moderation", "bootstrap")]


# ---- Persian ----
def _latin_words_allowed(parser) -> set[str]:
    """What may stay Latin in Persian help: option names, metavars, choices, commands, file names, terms."""
    allowed = {"COMMAND", "cem-edu"}
    for sub in [parser, *subparsers(parser).values()]:
        for a in sub._actions:
            allowed |= set(a.option_strings) | {a.dest, str(a.metavar)} | set(map(str, a.choices or ()))
            allowed |= {s.upper() for s in [a.dest]}
    allowed |= set(subparsers(parser))
    return allowed | {piece for item in allowed for piece in re.findall(r"[A-Za-z]+", item)}  # results.json


LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_\-]{3,}")


def _english_sentence_words() -> set[str]:
    """Plain English words (4+ letters) of the English help: none of them may be left in the Persian help."""
    words = set()
    for key, entry in TABLE.items():
        words |= {w.lower() for w in re.findall(r"\b[a-z]{4,}\b", entry["en"])}
    # English words that are also names the user types or terms kept Latin in Persian text
    keep = {"lavaan", "seminr", "path", "percentile", "mean", "listwise", "pairwise", "fiml", "auto", "html", "docx",
            "xlsform", "codebook", "json", "panel", "cbsem", "both", "equal", "free", "impact", "stage", "report",
            "fit", "collect", "help", "lang", "model", "data", "instrument", "scale", "reverse", "ordered", "missing",
            "moderation", "method", "format", "constructs", "responses", "sqlite", "postgresql", "growth",
            "traceback", "error", "ulmc", "loadings", "friedman", "midpoint", "plot", "bootstrap", "seed", "group",
            "estimator", "weighting", "consistent", "quiet", "pairs", "range", "version", "debug", "host", "port",
            "token", "form", "export", "content", "validity", "normality", "common", "construct", "tests",
            "reliability", "invariance", "variable", "persian", "default"}
    return words - keep


@pytest.mark.parametrize("how", ["--lang", "environment"])
@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_persian_help_has_persian_headings_and_no_english_sentence(command, how):
    args = [command] if command else []
    p = run(*args, "--lang", "fa", "--help") if how == "--lang" else run(*args, "--help", lang_env="fa")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert out.startswith("نحوهٔ استفاده: cem-edu")
    assert "\nگزینه‌ها:\n" in out and "  -h, --help" in out and "نمایش این راهنما و خروج" in out
    if command not in ("collect", "export-form"):
        assert "\nآرگومان‌های موقعیتی:\n" in out
    for heading in ("usage:", "options:", "positional arguments:", "show this help message and exit"):
        assert heading not in out
    allowed = _latin_words_allowed(build_parser("fa"))
    english = _english_sentence_words()
    body = out.split("\n\n", 1)[1]  # after the usage block (option names and metavars only)
    for line in body.splitlines():
        if not line.strip() or PERSIAN.search(line):
            left = set(re.findall(r"\b[a-z]{4,}\b", line)) & english - allowed  # lower case: not a metavar (FILE)
            assert not left, f"English left in: {line!r}"
            continue
        # a line without Persian letters: only option names, metavars, choices, files (a wrapped option)
        for word in LATIN_WORD.findall(line):
            assert word in allowed or f"--{word}" in allowed or "." in line, f"English line: {line!r}"


def test_persian_numbers_in_running_text_use_persian_digits():
    fa = texts(build_parser("fa"))
    for where in [("content-validity", "method"), ("report", "bootstrap"), ("fit", "bootstrap"), ("collect", "token")]:
        assert re.search("[۰-۹]", fa[where]), where
        assert not re.search(r"(?<![\w.])[0-9]+(?![\w.])", fa[where]), (where, fa[where])
    assert "127.0.0.1" in fa[("collect", "host")] and "0.0.0.0" in fa[("collect", "host")]  # addresses typed as such


# ---- usage errors ----
def test_persian_usage_error_is_one_line_with_usage_and_exit_2():
    for p in (run("report", "--lang", "fa"), run("report", lang_env="fa")):
        assert p.returncode == 2 and p.stdout == ""
        lines = p.stderr.strip().splitlines()
        assert lines[0].startswith("نحوهٔ استفاده: cem-edu report")
        assert lines[-1] == "cem-edu report: خطا: این آرگومان‌ها لازم‌اند: data"
        assert "error:" not in p.stderr and "usage:" not in p.stderr and "required" not in p.stderr
    p = run("--lang", "fa", "bogus")
    assert p.returncode == 2
    assert p.stderr.strip().splitlines()[-1].startswith("cem-edu: خطا: آرگومان COMMAND: انتخاب نامعتبر: 'bogus' (یکی از 'fit'")
    p = run("report", "data.csv", "--lang", "fa", "--method", "lisrel")
    assert p.returncode == 2 and "خطا: آرگومان --method: انتخاب نامعتبر: 'lisrel'" in p.stderr
    p = run("--lang", "fa", "fit", "m.lav", "d.csv", "--verbose")  # parse_args' own error, after parse_known_args
    assert p.returncode == 2 and p.stderr.strip().splitlines()[-1] == "cem-edu: خطا: آرگومان‌های ناشناخته: --verbose"
    p = run("--lang", "fa", "fit", "m.lav", "d.csv", "--bootstrap", "x")  # the type parser's message in Persian too
    assert p.returncode == 2 and "cem-edu fit: خطا: آرگومان --bootstrap: 'x' عدد نیست" in p.stderr


def test_english_usage_error_is_unchanged():
    p = run("report")
    assert p.returncode == 2
    assert p.stderr.strip().splitlines()[-1] == "cem-edu report: error: the following arguments are required: data"
    assert p.stderr.startswith("usage: cem-edu report [-h]")


def test_argparse_is_left_as_it_was(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--lang", "fa", "report"])
    assert exc.value.code == 2 and "خطا" in capsys.readouterr().err
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext
    parser = build_parser("fa")
    assert argparse._ is gettext.gettext
    assert argparse.ArgumentParser(prog="x").format_usage() == "usage: x [-h]\n"
    assert parser.format_usage().startswith("نحوهٔ استفاده: cem-edu")


# ---- the language choice ----
def test_help_language_reads_argv_then_the_environment(capsys):
    assert help_language([], {}) == "en"
    assert help_language(["report", "--lang", "fa", "--help"], {}) == "fa"
    assert help_language(["--lang=fa", "fit"], {}) == "fa"
    assert help_language(["--lang", "fa", "--lang", "en"], {"CEM_EDU_LANG": "fa"}) == "en"  # the last, as argparse
    assert help_language(["fit", "--", "--lang", "fa"], {}) == "en"
    assert help_language(["fit"], {"CEM_EDU_LANG": "fa"}) == "fa"
    assert help_language(["fit"], {"CEM_EDU_LANG": "FA"}) == "fa"
    assert help_language(["fit"], {"CEM_EDU_LANG": "fa_IR.UTF-8"}) == "fa"
    assert help_language(["report", "--lang", "en"], {"CEM_EDU_LANG": "fa"}) == "en"
    assert capsys.readouterr().err == ""
    assert help_language(["fit"], {"CEM_EDU_LANG": "de"}) == "en"  # named, not silently dropped
    assert capsys.readouterr().err == ("cem-edu: warning: CEM_EDU_LANG='de' is neither fa nor en; "
                                       "help and usage errors stay in English\n")


def test_parsing_is_the_same_in_both_languages():
    for argv in (["fit", "m.lav", "d.csv", "--bootstrap", "۵۰۰", "--estimator", "mlr"],
                 ["report", "d.csv", "--lang", "fa", "--moderation", "A,B,C", "--scale", "۱-۵"],
                 ["--lang", "fa", "collect", "--port", "8,080"],
                 ["moderation", "d.csv", "--model", "m.lav", "--x", "A", "--z", "B", "--y", "C"]):
        en, fa = vars(build_parser("en").parse_args(argv)), vars(build_parser("fa").parse_args(argv))
        assert en == fa
    assert build_parser("fa").parse_args(["--lang", "fa", "collect"]).lang == "fa"  # collect's own default
    assert build_parser("fa").parse_args(["--lang", "fa", "report", "d.csv"]).lang == "en"  # report's own --lang


def test_run_messages_follow_the_commands_language(tmp_path):
    """Errors raised while a command runs carry the prefix and the text in the command's --lang."""
    data = str(ROOT / "datasets" / "cem_survey.csv")
    fa = run("normality", data, "--lang", "fa")
    assert fa.returncode == 2
    assert fa.stderr.strip() == "cem-edu: خطا: دقیقاً یکی از --instrument Q.yaml یا --model M.lav را بدهید"
    en = run("fit", str(tmp_path / "none.lav"), data)
    assert en.returncode == 2 and en.stderr.strip().startswith("cem-edu: error: model file '")
