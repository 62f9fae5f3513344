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
