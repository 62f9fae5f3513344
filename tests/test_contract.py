"""The shared command-line contract (../shared/checks/contract.py) passes against our `cem-edu`."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

CONTRACT = ROOT.parent / "shared" / "checks" / "contract.py"


@pytest.mark.slow
@pytest.mark.skipif(not CONTRACT.exists(), reason="../shared/checks/contract.py is not beside the checkout")
def test_cli_contract():
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    p = subprocess.run([sys.executable, str(CONTRACT)], capture_output=True, text=True, cwd=ROOT, env=env,
                       timeout=900)
    failures = [line for line in p.stdout.splitlines() if line.startswith("FAIL")]
    assert p.returncode == 0 and not failures, p.stdout + p.stderr
    assert p.stdout.count("PASS") >= 11
