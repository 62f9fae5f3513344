"""Live collection against a real server process (`python -m cem_edu.cli collect`):
60 concurrent respondents, and a SIGKILL in the middle of the load."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd
import pytest

from conftest import ROOT
from test_collect import answers, hidden

TOKEN = "live-token-456"
pytestmark = pytest.mark.slow


@dataclass
class Server:
    url: str
    db: Path
    proc: subprocess.Popen
    token: str


@contextmanager
def running_server(tmp_path: Path, port: int, lang: str = "fa", db: Path | None = None):
    """Start `cem-edu collect` in a subprocess and wait until it answers /healthz."""
    db = db or tmp_path / "live.sqlite"
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "cem_edu.cli", "collect", "--port", str(port), "--db", str(db),
                             "--token", TOKEN, "--lang", lang], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"server did not start: {(tmp_path / 'server.log').read_text()}")
            time.sleep(0.1)
        yield Server(url, db, proc, TOKEN)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                proc.kill()
                proc.wait()
        log.close()


def respond(client: httpx.Client, url: str, inst, seed: int, **override) -> tuple[str, int]:
    """One respondent: open the form, send the answers. Returns (submission id, status)."""
    form = hidden(client.get(f"{url}/").text)
    r = client.post(f"{url}/", data={**form, **answers(inst, seed=seed, **override)}, follow_redirects=False)
    return form["sid"], r.status_code


@pytest.fixture(scope="module")
def inst():
    from cem_edu.instrument import load_instrument

    return load_instrument()


def test_sixty_concurrent_respondents_all_stored_once(tmp_path, free_port, inst):
    n = 60
    with running_server(tmp_path, free_port) as server:
        banner = (tmp_path / "server.log").read_text()
        assert f"http://127.0.0.1:{free_port}/admin?token={TOKEN}" in banner
        barrier = threading.Barrier(n)
        results: dict[int, tuple[str, int]] = {}
        errors: list[BaseException] = []

        def one(i):
            try:
                with httpx.Client(timeout=30) as c:
                    form = hidden(c.get(f"{server.url}/").text)
                    barrier.wait(timeout=30)               # every respondent posts at the same moment
                    r = c.post(f"{server.url}/", data={**form, **answers(inst, seed=i, spend=str(1000 + i))},
                               follow_redirects=False)
                    results[i] = (form["sid"], r.status_code)
                    if i % 10 == 0:                         # a double click: the same form again
                        again = c.post(f"{server.url}/", data={**form, **answers(inst, seed=i, spend=str(1000 + i))},
                                       follow_redirects=False)
                        assert again.status_code == 303
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        elapsed = time.monotonic() - started
        assert not errors, errors[:3]
        assert sorted(status for _, status in results.values()) == [303] * n
        auth = {"Authorization": f"Bearer {TOKEN}"}
        export = httpx.get(f"{server.url}/export.csv?meta=1", headers=auth, timeout=30)
        assert export.status_code == 200
        import io

        table = pd.read_csv(io.BytesIO(export.content))
        assert len(table) == n and table["submission_id"].is_unique
        assert set(table["submission_id"]) == {sid for sid, _ in results.values()}
        assert sorted(table["spend"]) == list(range(1000, 1000 + n))
        assert table["id"].is_unique
        assert httpx.get(f"{server.url}/admin/count", headers=auth).json() == {"count": n}
        assert httpx.get(f"{server.url}/export.csv").status_code == 401
        # malformed and oversized bodies do not take the server down
        assert httpx.post(f"{server.url}/", content=b"x" * 200_000,
                          headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 413
        assert httpx.post(f"{server.url}/", content=b"\xff\xfe\x00",
                          headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 400
        assert httpx.get(f"{server.url}/").status_code == 200
    print(f"60 concurrent respondents stored in {elapsed:.2f} s")
    assert elapsed < 45


def test_sigkill_mid_load_loses_no_confirmed_submission(tmp_path, free_port, inst):
    confirmed: list[str] = []
    attempted: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    with running_server(tmp_path, free_port) as server:
        def worker(w):
            k = 0
            with httpx.Client(timeout=10) as c:
                while not stop.is_set():
                    k += 1
                    try:
                        form = hidden(c.get(f"{server.url}/").text)
                        with lock:
                            attempted.append(form["sid"])
                        r = c.post(f"{server.url}/", data={**form, **answers(inst, seed=w + k)}, follow_redirects=False)
                    except (httpx.HTTPError, AttributeError):
                        return                                   # the server is gone
                    if r.status_code == 303:
                        with lock:
                            confirmed.append(form["sid"])

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(16)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while len(confirmed) < 25 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(server.proc.pid, signal.SIGKILL)                 # mid-load: requests are in flight
        server.proc.wait(10)
        stop.set()
        for t in threads:
            t.join(20)
    assert len(confirmed) >= 25
    assert len(attempted) > len(confirmed)                       # some were in flight at the kill
    con = sqlite3.connect(server.db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in con.execute("SELECT submission_id FROM submissions")}
        n_answers = con.execute("SELECT COUNT(DISTINCT submission_id) FROM answers").fetchone()[0]
    finally:
        con.close()
    assert set(confirmed) <= stored                              # no confirmed submission lost
    assert stored <= set(attempted)
    assert n_answers == len(stored)                              # no half-written submission
    from cem_edu.collect.store import load_responses

    data = load_responses(server.db, inst)
    assert len(data) == len(stored) and data["FUN1"].notna().all()
    print(f"SIGKILL after {len(confirmed)} confirmed; {len(stored)} stored; {len(attempted)} attempted")


def test_cli_reports_a_busy_port_in_one_line(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "cem_edu.cli", "collect", "--port", str(port), "--db",
                            str(tmp_path / "x.sqlite")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.startswith(f"cem-edu: error: cannot listen on 127.0.0.1:{port}")
    assert "--port" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x.sqlite").exists()
