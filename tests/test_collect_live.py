"""Live collection against a real server process (`python -m cem_edu.cli collect`):
60 concurrent respondents, a SIGKILL in the middle of the load and a restart at once on the same
port, and the exports -- each on SQLite and on a real PostgreSQL server (a throw-away cluster,
``initdb`` + ``pg_ctl`` as an unprivileged user, in a temporary folder); 1,100 slow clients
against a server limited to 1,024 file descriptors."""
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
def running_server(tmp_path: Path, port: int, lang: str = "fa", db: Path | str | None = None, preexec_fn=None,
                   log_name: str = "server.log"):
    """Start `cem-edu collect` in a subprocess and wait until it answers /healthz."""
    db = db or tmp_path / "live.sqlite"
    log = open(tmp_path / log_name, "w")
    proc = subprocess.Popen([sys.executable, "-m", "cem_edu.cli", "collect", "--port", str(port), "--db", str(db),
                             "--token", TOKEN, "--lang", lang], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=preexec_fn)
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
                pytest.fail(f"server did not start: {(tmp_path / log_name).read_text()}")
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


# ------------------------------------------------------------------------------------ PostgreSQL
def _pg_bin() -> Path | None:
    """Folder of Debian's PostgreSQL server programs (initdb, pg_ctl), newest version first."""
    import glob
    import shutil

    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                         if Path(p).parent.name.isdigit() else 0, reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    return None


@dataclass
class PgCluster:
    port: int
    root: Path

    def new_database(self, name: str) -> str:
        """A fresh, empty database on the cluster; its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=cem dbname=postgres", autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}"')
            con.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://cem@127.0.0.1:{self.port}/{name}"   # the driver (psycopg 3) is filled in


@pytest.fixture(scope="module")
def pg_cluster():
    """A throw-away PostgreSQL cluster in a temporary folder, started with initdb + pg_ctl as an
    unprivileged user (``nobody`` when the tests run as root: PostgreSQL refuses to run as root),
    listening on 127.0.0.1 only; stopped and deleted afterwards."""
    import shutil
    import socket
    import tempfile

    pytest.importorskip("psycopg", reason='the PostgreSQL driver is missing: pip install "cem-edu[postgres]"')
    pytest.importorskip("sqlalchemy", reason='SQLAlchemy is missing: pip install "cem-edu[postgres]"')
    bindir = _pg_bin()
    if bindir is None:
        if os.environ.get("CI") and os.geteuid() == 0:
            pytest.fail("PostgreSQL server programs not found; `make test` installs them as root "
                        "(apt-get install postgresql)")
        pytest.skip("PostgreSQL server programs (initdb, pg_ctl) not found and not root to install them: "
                    "sudo apt-get install postgresql (or run make test as root)")
    root = Path(tempfile.mkdtemp(prefix="cem-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL as an unprivileged user")
        import pwd

        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        prefix = [runuser, "-u", "nobody", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data, log = root / "data", root / "server.log"

    def run(*cmd, timeout=120):
        return subprocess.run([*prefix, *map(str, cmd)], capture_output=True, text=True, timeout=timeout,
                              cwd=root, env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})

    r = run(bindir / "initdb", "-D", data, "-U", "cem", "--auth=trust", "-E", "UTF8", "--no-instructions")
    if r.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"initdb failed: {r.stderr or r.stdout}")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root} -c max_connections=200"
    r = run(bindir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start")
    if r.returncode != 0:
        text = log.read_text() if log.exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"pg_ctl start failed: {r.stderr or r.stdout}\n{text}")
    try:
        yield PgCluster(port, root)
    finally:
        run(bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", "60", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    """The database behind the server: a SQLite file, or a fresh database on the PostgreSQL cluster."""
    if request.param == "sqlite":
        return tmp_path / "live.sqlite"
    cluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database(f"cem_{request.node.name.split('[')[0][-40:]}".lower())


def stored_submissions(db) -> tuple[set[str], int]:
    """The stored submission ids, and how many submissions have answer rows (each backend's own check)."""
    if isinstance(db, Path):
        con = sqlite3.connect(db)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = {row[0] for row in con.execute("SELECT submission_id FROM submissions")}
            n_answers = con.execute("SELECT COUNT(DISTINCT submission_id) FROM answers").fetchone()[0]
        finally:
            con.close()
        return stored, n_answers
    import sqlalchemy as sa

    from cem_edu.collect.store import with_driver

    engine = sa.create_engine(with_driver(db))
    try:
        with engine.connect() as con:
            stored = {row[0] for row in con.execute(sa.text("SELECT submission_id FROM submissions"))}
            n_answers = con.execute(sa.text("SELECT COUNT(DISTINCT submission_id) FROM answers")).scalar_one()
    finally:
        engine.dispose()
    return stored, n_answers


def respond(client: httpx.Client, url: str, inst, seed: int, **override) -> tuple[str, int]:
    """One respondent: open the form, send the answers. Returns (submission id, status)."""
    form = hidden(client.get(f"{url}/").text)
    r = client.post(f"{url}/", data={**form, **answers(inst, seed=seed, **override)}, follow_redirects=False)
    return form["sid"], r.status_code


@pytest.fixture(scope="module")
def inst():
    from cem_edu.instrument import load_instrument

    return load_instrument()


def test_sixty_concurrent_respondents_all_stored_once(tmp_path, free_port, inst, db):
    n = 60
    with running_server(tmp_path, free_port, db=db) as server:
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


def test_sigkill_mid_load_loses_no_confirmed_submission_and_restarts_at_once(tmp_path, free_port, inst, db):
    confirmed: list[str] = []
    attempted: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    with running_server(tmp_path, free_port, db=db) as server:
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
    stored, n_answers = stored_submissions(db)
    assert set(confirmed) <= stored                              # no confirmed submission lost
    assert stored <= set(attempted)
    assert n_answers == len(stored)                              # no half-written submission
    from cem_edu.collect.store import load_responses

    data = load_responses(db, inst)
    assert len(data) == len(stored) and data["FUN1"].notna().all()
    print(f"SIGKILL after {len(confirmed)} confirmed; {len(stored)} stored; {len(attempted)} attempted")
    # restart at once on the same port and database (the port probe used to fail for ~60 s)
    started = time.monotonic()
    with running_server(tmp_path, free_port, db=db, log_name="restart.log") as again:
        up = time.monotonic() - started
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert httpx.get(f"{again.url}/admin/count", headers=auth).json() == {"count": len(stored)}
        with httpx.Client(timeout=10) as c:
            sid, status = respond(c, again.url, inst, seed=99)
        assert status == 303
        assert httpx.get(f"{again.url}/admin/count", headers=auth).json() == {"count": len(stored) + 1}
    assert "Address already in use" not in (tmp_path / "restart.log").read_text()
    assert up < 15, f"restart took {up:.1f} s"


def test_port_probe_accepts_a_port_in_time_wait():
    """A killed server leaves its port's connections in TIME_WAIT; the probe must bind as uvicorn does."""
    import socket

    from cem_edu.collect.server import _check_port

    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        conn, _ = listener.accept()
        conn.close()                                             # the server side closes first: TIME_WAIT
        time.sleep(0.2)
        client.close()
    time.sleep(0.2)
    _check_port("127.0.0.1", port)                               # raised "Address already in use" before


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


def _limit_fds_to_1024():
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard if hard == resource.RLIM_INFINITY else max(hard, 1024)))


def test_slow_clients_are_shed_and_a_real_respondent_is_answered(tmp_path, free_port, inst):
    """1,100 half-sent requests from one address against a server limited to 1,024 file descriptors
    (more than it can hold): it sheds the idle ones (connection cap, header timeout), answers a real
    respondent within 15 s, and its log stays small. Before: /healthz timed out, submissions failed
    and the log grew by 711 MB of "Too many open files" in 90 s."""
    import resource
    import socket

    n_slow = 1100
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n_slow + 200:                                          # this process holds the 1,100 sockets
        if hard != resource.RLIM_INFINITY and hard < n_slow + 200:
            pytest.skip(f"this process may open only {hard} files; the test needs {n_slow + 200}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (n_slow + 200 if hard == resource.RLIM_INFINITY
                                                    else min(hard, 4096), hard))
    slow: list[socket.socket] = []
    try:
        with running_server(tmp_path, free_port, preexec_fn=_limit_fds_to_1024) as server:
            half = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Le")
            started = time.monotonic()
            for _ in range(n_slow):
                if time.monotonic() - started > 60:                  # bounded, whatever the machine
                    break
                s = socket.socket()
                s.settimeout(5)
                try:
                    s.connect(("127.0.0.1", free_port))
                    s.sendall(half)
                except OSError:
                    s.close()
                    continue
                slow.append(s)
            opened = time.monotonic() - started
            assert len(slow) >= 1000, f"only {len(slow)} slow connections could be opened"
            # a real respondent, while the slow ones hold (or try to hold) every descriptor
            t0 = time.monotonic()
            with httpx.Client(timeout=15) as c:
                assert c.get(f"{server.url}/healthz").text == "ok"
                sid, status = respond(c, server.url, inst, seed=1)
            answered = time.monotonic() - t0
            assert status == 303 and answered < 15, (status, answered)
            auth = {"Authorization": f"Bearer {TOKEN}"}
            assert httpx.get(f"{server.url}/admin/count", headers=auth, timeout=15).json() == {"count": 1}
            # every slow connection is closed by the server within the header timeout (10 s) and a margin
            closed, deadline = 0, time.monotonic() + 25
            pending = list(slow)
            while pending and time.monotonic() < deadline:
                still = []
                for s in pending:
                    s.settimeout(0.0)
                    try:
                        if s.recv(1) == b"":
                            closed += 1
                            continue
                    except BlockingIOError:
                        still.append(s)
                        continue
                    except OSError:                                  # reset by the server
                        closed += 1
                        continue
                    closed += 1                                      # an error response then close
                pending = still
                if pending:
                    time.sleep(0.5)
            assert closed == len(slow), f"{len(pending)} of {len(slow)} slow connections still open"
            assert server.proc.poll() is None
            log_size = (tmp_path / "server.log").stat().st_size
    finally:
        for s in slow:
            s.close()
    log = (tmp_path / "server.log").read_text()
    assert log_size < 20_000, log[-2000:]
    assert log.count("Too many open files") <= 5
    print(f"{len(slow)} slow connections opened in {opened:.1f} s; respondent answered in {answered:.2f} s; "
          f"log {log_size} bytes")
