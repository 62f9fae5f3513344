"""The set-up files agree with each other."""
import re
import tomllib

import yaml

from conftest import ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = set(), set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip |= {_name(d) for d in dep["pip"] if not d.startswith("-e")}
        else:
            conda.add(_name(dep))
    conda -= {"python", "pip"}
    assert {"-e ."} <= {d for dep in env["dependencies"] if isinstance(dep, dict) for d in dep["pip"]}
    assert conda | pip == {_name(d) for d in project["dependencies"]}


def test_version_ranges_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    flat = [d for dep in env["dependencies"] for d in (dep["pip"] if isinstance(dep, dict) else [dep])]
    env_specs = {_name(d): d.replace(" ", "") for d in flat if not d.startswith("-e")}
    for req in project["dependencies"]:
        assert env_specs[_name(req)] == req.replace(" ", ""), req


def test_factor_analyzer_is_not_a_dependency():
    text = (ROOT / "pyproject.toml").read_text()
    assert "factor_analyzer" not in text and "factor-analyzer" not in text


def test_licence_and_citation_exist():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert (ROOT / "cem_edu" / "fonts" / "OFL.txt").exists()
    assert "cff-version" in (ROOT / "CITATION.cff").read_text()


def test_makefile_says_what_to_install_when_python_is_missing_or_old(tmp_path):
    import shutil
    import subprocess

    if shutil.which("make") is None:  # pragma: no cover - make is how the suite is run
        return
    p = subprocess.run(["make", "-s", "check-python", "PYTHON=python-that-does-not-exist"], cwd=ROOT,
                       capture_output=True, text=True)
    assert p.returncode != 0
    assert "cem-edu needs Python 3.10 or newer: install it" in p.stdout + p.stderr
    old = tmp_path / "python2"
    old.write_text("#!/bin/sh\nif [ \"$1\" = -V ]; then echo 'Python 3.8.10'; exit 0; fi\nexit 1\n")
    old.chmod(0o755)
    p = subprocess.run(["make", "-s", "check-python", f"PYTHON={old}"], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode != 0
    assert "needs Python 3.10 or newer; " in p.stdout + p.stderr and "Python 3.8.10" in p.stdout + p.stderr


def test_wheel_builds_quietly_and_carries_the_questionnaire_and_data(tmp_path):
    """`pip install .` prints no setuptools packaging warnings, and a wheel built from the repository
    holds the questionnaire, the bundled data, fonts, templates and static files: the kit works from
    the unpacked wheel alone (no checkout beside it)."""
    import os
    import subprocess
    import sys
    import zipfile

    p = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w",
                        str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "would be ignored" not in p.stdout + p.stderr
    assert "Warning" not in p.stdout + p.stderr, (p.stdout + p.stderr)[-2000:]
    wheel = next(tmp_path.glob("cem_edu-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("cem_edu/_data/questionnaire/cem.yaml", "cem_edu/_data/questionnaire/examples/restaurant.yaml",
                   "cem_edu/_data/datasets/cem_survey.csv", "cem_edu/fonts/Vazirmatn-Regular.woff2",
                   "cem_edu/templates/report.html.j2", "cem_edu/collect/static/favicon.svg",
                   "cem_edu/collect/templates/form.html", "cem_edu/locales/report.yaml"):
        assert needed in names, needed
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    code = ("import cem_edu as ce, sys; assert ce.__file__.startswith(sys.argv[1]), ce.__file__; "
            "inst = ce.load_instrument(); raw = ce.load_dataset('cem_survey'); print(len(inst.likert_items), len(raw))")
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    run = subprocess.run([sys.executable, "-c", code, str(unpacked)], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    local = [str(len(__import__('cem_edu').load_instrument().likert_items)), str(len(__import__('cem_edu').load_dataset('cem_survey')))]
    assert run.stdout.split() == local
