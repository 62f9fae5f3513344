"""The command line: version, help, and errors without tracebacks."""
import subprocess
import sys

import cem_edu
from cem_edu.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "cem_edu.cli", *map(str, args)], capture_output=True, text=True)


def test_version():
    p = run("--version")
    assert p.returncode == 0 and p.stdout.strip() == f"cem-edu {cem_edu.__version__}"


def test_help_lists_every_command():
    p = run("--help")
    for cmd in ("fit", "reliability", "invariance", "report", "collect", "export-form"):
        assert cmd in p.stdout


def test_missing_model_file_is_one_line_and_exit_2(tmp_path):
    p = run("fit", tmp_path / "nope.lav", tmp_path / "nope.csv")
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert p.stderr.strip() == f"cem-edu: error: model file '{tmp_path / 'nope.lav'}' does not exist; check the path."


def test_reliability_needs_exactly_one_spec(tmp_path, capsys):
    assert main(["reliability", str(tmp_path / "d.csv")]) == 2
    assert "give exactly one of --instrument Q.yaml or --model M.lav" in capsys.readouterr().err


def test_numeric_options_use_the_one_number_parser():
    """Issue #15 §3: --bootstrap/--seed/--port are read by parse_integer (Persian digits, groups of three)."""
    from cem_edu.cli import build_parser

    args = build_parser().parse_args(["fit", "m.lav", "d.csv", "--bootstrap", "۱٬۰۰۰", "--seed", "٤٢"])
    assert (args.bootstrap, args.seed) == (1000, 42)
    assert build_parser().parse_args(["collect", "--port", "8,080"]).port == 8080
    assert build_parser().parse_args(["pls", "m.lav", "d.csv", "--bootstrap", "۵۰۰"]).bootstrap == 500
    assert build_parser().parse_args(["construct-tests", "d.csv", "--midpoint", "۳٫۵"]).midpoint == 3.5
    for value, message in [("1_000", "'1_000' contains '_'; write the number without underscores: 1000"),
                           ("1e3", "'1e3' is in scientific notation"),
                           ("2.5", "'2.5' is not a whole number"),
                           ("-3", "'-3' is below the smallest allowed value, 0")]:
        p = run("fit", "m.lav", "d.csv", "--bootstrap", value)
        assert p.returncode == 2 and "Traceback" not in p.stderr
        assert f"cem-edu fit: error: argument --bootstrap: {message}" in p.stderr
