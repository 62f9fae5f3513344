"""`make lab` serves the repository root, hides the jupytext twins and the book's files, and starts
as root too (a container or a class server) — checked through Jupyter's own contents API."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listing(port: int, path: str, token: str):
    url = f"http://127.0.0.1:{port}/api/contents/{path}?token={token}"
    with urllib.request.urlopen(url, timeout=5) as r:
        return sorted(c["name"] for c in json.load(r)["content"])


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_serves_the_repository_root_without_twins(tmp_path):
    if not (ROOT / ".venv" / "bin" / "jupyter").exists():
        pytest.skip("the project's .venv has no jupyter (run make setup)")
    port, token = _free_port(), "cem-edu-test-token"
    args = f"--no-browser --port={port} --IdentityProvider.token={token} --ServerApp.open_browser=False"
    log = tmp_path / "lab.log"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    with open(log, "w") as fh:
        proc = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        root = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                root = _listing(port, "", token)
                break
            except OSError:
                time.sleep(0.5)
        assert root is not None, log.read_text()[-3000:]
        assert {"datasets", "questionnaire", "docs", "notebooks", "README.md"} <= set(root)
        nbs = _listing(port, "notebooks", token)
        assert "00_start_here.ipynb" in nbs
        assert not [n for n in nbs if n.endswith(".md") and n[:2].isdigit()], nbs  # no jupytext twins
        assert not {"_ext", "_toc.yml", "_config.yml", "_build"} & set(nbs)
        assert {"README.md", "exercises"} <= set(nbs)
        assert "cem_survey.md" in _listing(port, "datasets", token)  # datasheets stay visible
        if os.geteuid() == 0:
            assert "--allow-root" in log.read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            os.killpg(proc.pid, signal.SIGKILL)
