"""Where the class's answers live: a SQLite file (WAL mode), one transaction per submission.

Tables (long format, so a changed questionnaire never needs a migration)::

    submissions(seq, submission_id UNIQUE, received_at, lang, duration_sec, source)
    answers(submission_id, variable, value)      -- one row per answered question
    meta(key, value)                             -- the server's signing secret

A submission id (uuid4, issued when the form is rendered) is UNIQUE, so a double click
or a resubmitted form stores once. Nothing identifying is stored: no names, no IP
addresses, no user agents.

:func:`load_responses` turns the database into the DataFrame the notebooks read
(``ce.load_dataset("cem_survey")`` shape)::

    import cem_edu as ce
    data = ce.load_responses("responses.sqlite")   # instead of ce.load_dataset("cem_survey")

This module imports no web framework.
"""
from __future__ import annotations

import math
import re
import secrets
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

from ..errors import DataError
from ..i18n import t, to_ascii_digits

__all__ = ["ResponseStore", "SQLAlchemyStore", "open_store", "load_responses", "responses_frame", "response_columns"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id TEXT NOT NULL UNIQUE,
    received_at   TEXT NOT NULL,
    lang          TEXT,
    duration_sec  REAL,
    source        TEXT NOT NULL DEFAULT 'web'
);
CREATE TABLE IF NOT EXISTS answers (
    submission_id TEXT NOT NULL REFERENCES submissions(submission_id),
    variable      TEXT NOT NULL,
    value,
    PRIMARY KEY (submission_id, variable)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""



def _records(subs, answers) -> list[dict]:
    """One dict per submission (in arrival order) from the submissions and answers rows of either backend."""
    out = {sid: {"seq": seq, "submission_id": sid, "received_at": at, "lang": lang, "duration_sec": dur,
                 "source": src} for seq, sid, at, lang, dur, src in subs}
    for sid, var, value in answers:
        rec = out.get(sid)
        if rec is not None and rec.get(var) is None:
            rec[var] = value
    return list(out.values())

class ResponseStore:
    """A SQLite database of survey submissions.

    Parameters
    ----------
    path : file name of the database; created (with its tables) if missing.
    create : False to only read an existing database (no schema or journal-mode change).

    Each call opens its own short-lived connection, so the store can be shared by the
    threads of a web server. Writes use ``BEGIN IMMEDIATE`` and ``synchronous=FULL``:
    a submission that :meth:`add` reported is on disk, even if the process is killed
    right after.
    """

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        self._lock = threading.Lock()
        if not create:          # read an existing database as it is (e.g. a copy on a read-only disk)
            return
        if self.path.is_dir():
            raise DataError(t("collect.err.db_is_folder", path=str(self.path)))
        if not self.path.parent.exists():
            raise DataError(t("collect.err.db_folder_missing", folder=str(self.path.parent), path=str(self.path)))
        with self._connect() as con:
            mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - e.g. a network file system
                raise DataError(t("collect.err.db_not_wal", path=str(self.path), mode=str(mode)))
            con.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise DataError(t("collect.err.db_cannot_open", path=str(self.path), reason=str(exc))) from None
        con.execute("PRAGMA synchronous=FULL")
        con.execute("PRAGMA foreign_keys=ON")
        return _Closing(con)

    # -- writing ---------------------------------------------------------------------------
    def add(self, submission_id: str, values: dict, *, lang: str | None = None,
            duration_sec: float | None = None, source: str = "web") -> bool:
        """Store one submission atomically.

        Returns True if it was stored, False if ``submission_id`` was already there
        (the repeated submission is ignored, so a double click stores once).
        Unanswered questions (value None or NaN) get no row.
        """
        rows = [(submission_id, str(k), _plain(v)) for k, v in values.items() if not _missing(v)]
        if duration_sec is None and not _missing(values.get("duration_sec")):
            duration_sec = _to_float(values["duration_sec"])
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                cur = con.execute(
                    "INSERT OR IGNORE INTO submissions (submission_id, received_at, lang, duration_sec, source) "
                    "VALUES (?, ?, ?, ?, ?)", (submission_id, now, lang, duration_sec, source))
                if cur.rowcount == 0:
                    con.execute("ROLLBACK")
                    return False
                con.executemany("INSERT INTO answers (submission_id, variable, value) VALUES (?, ?, ?)", rows)
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
        return True

    def secret(self) -> bytes:
        """The server's signing secret (32 random bytes), created once and kept in the database,
        so forms rendered before a restart of the server can still be submitted after it."""
        with self._lock, self._connect() as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
            if row is None:
                value = secrets.token_hex(32)
                con.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('secret', ?)", (value,))
                row = con.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
            return bytes.fromhex(row[0])

    # -- reading ---------------------------------------------------------------------------
    def count(self) -> int:
        """Number of stored submissions."""
        with self._connect() as con:
            return con.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]

    def has(self, submission_id: str) -> bool:
        with self._connect() as con:
            return con.execute("SELECT 1 FROM submissions WHERE submission_id = ?",
                               (submission_id,)).fetchone() is not None

    def answers(self, submission_id: str) -> dict | None:
        """The stored answers of one submission as ``{variable: value}``, or None when it is not stored."""
        with self._connect() as con:
            if con.execute("SELECT 1 FROM submissions WHERE submission_id = ?", (submission_id,)).fetchone() is None:
                return None
            return dict(con.execute("SELECT variable, value FROM answers WHERE submission_id = ?",
                                    (submission_id,)).fetchall())

    def records(self) -> list[dict]:
        """All submissions in arrival order, as ``{variable: value}`` dicts plus the metadata
        ``seq`` (arrival number), ``submission_id``, ``received_at``, ``lang``, ``duration_sec``, ``source``."""
        with self._connect() as con:
            subs = con.execute("SELECT seq, submission_id, received_at, lang, duration_sec, source "
                               "FROM submissions ORDER BY seq").fetchall()
            answers = con.execute("SELECT submission_id, variable, value FROM answers").fetchall()
        return _records(subs, answers)

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` ("ok" for a healthy file)."""
        with self._connect() as con:
            return con.execute("PRAGMA integrity_check").fetchone()[0]


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(math.isnan(value))
    except TypeError:
        return False


def _plain(value):
    """numpy scalars -> Python numbers, so sqlite3 can store them."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _to_float(value) -> float:
    """A stored answer as a float (NaN when missing or not a number; Persian digits accepted)."""
    if value is None:
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    text = to_ascii_digits(str(value)).strip().replace("٫", ".")
    try:
        return float(text)
    except ValueError:
        return math.nan


class _Closing:
    """A sqlite3 connection that closes at the end of a ``with`` block (sqlite3's own only commits)."""

    def __init__(self, con: sqlite3.Connection):
        self._con = con

    def __getattr__(self, name):
        return getattr(self._con, name)

    def __enter__(self):
        return self._con

    def __exit__(self, *exc):
        self._con.close()
        return False


META_COLUMNS = ("submission_id", "received_at", "lang", "source")


def response_columns(inst) -> list[str]:
    """Column order of the response table, as ``load_dataset("cem_survey")``: ``id``, the
    respondent fields, then the items, in the instrument's order (``inst.columns``)."""
    cols = getattr(inst, "columns", None)
    if cols is None or callable(cols):
        cols = [f.id for f in getattr(inst, "respondent_fields", ())] + [item.id for item in inst.items]
    return ["id"] + [c for c in cols if c != "id"]


def _numeric_columns(inst) -> set[str]:
    numeric = {item.id for item in inst.items}
    for f in getattr(inst, "respondent_fields", ()):
        if not getattr(f, "choices", None):
            numeric.add(f.id)
    return numeric


def open_store(db) -> "ResponseStore | SQLAlchemyStore":
    """The store for ``db``: a :class:`ResponseStore` for a file path (the default), a
    :class:`SQLAlchemyStore` for a database URL such as ``postgresql+psycopg://user@host/survey``
    (needs ``pip install "cem-edu[postgres]"``), or ``db`` itself when it already is a store."""
    if isinstance(db, (ResponseStore, SQLAlchemyStore)):
        return db
    if is_url(db):
        return SQLAlchemyStore(str(db))
    return ResponseStore(db)


def is_url(db) -> bool:
    return isinstance(db, str) and "://" in db


def load_responses(db_path, inst=None, *, meta: bool = False):
    """The answers collected by ``cem-edu collect`` as a DataFrame, shaped like
    ``ce.load_dataset("cem_survey")``: one row per submission (arrival order); columns ``id``
    (``R0001``, ``R0002``, ... by arrival), then one per respondent field and item in the
    instrument's order (``inst.columns``); item and numeric columns are float64 (NaN = not
    answered), ``id`` and choice fields are strings. The simulation-only column
    ``forecast_spend`` of the bundled data set is not part of a live survey.

    Parameters
    ----------
    db_path : the SQLite file given to ``cem-edu collect --db`` (or its database URL, or a store).
    inst : the Instrument the form was made from (default: the bundled questionnaire).
    meta : also return ``submission_id``, ``received_at`` (UTC), ``lang`` and ``source`` columns
        (appended at the end).

    Example
    -------
    >>> data = ce.load_responses("responses.sqlite")          # doctest: +SKIP
    >>> ce.reliability(ce.clean(data, inst).data, inst)       # doctest: +SKIP
    """
    if not is_url(db_path) and not isinstance(db_path, (ResponseStore, SQLAlchemyStore)):
        path = Path(db_path)
        if not path.is_file():
            raise DataError(t("collect.err.db_missing", path=str(db_path)))
    if inst is None:
        from ..instrument import load_instrument

        inst = load_instrument()
    try:
        store = ResponseStore(db_path, create=False) if isinstance(db_path, (str, Path)) and not is_url(db_path) \
            else open_store(db_path)
        records = store.records()
    except sqlite3.DatabaseError as exc:
        raise DataError(t("collect.err.db_not_responses", path=str(db_path), reason=str(exc))) from None
    return responses_frame(records, inst, meta=meta)


def responses_frame(records: list[dict], inst, *, meta: bool = False):
    """Build the :func:`load_responses` DataFrame from :meth:`ResponseStore.records`."""
    import pandas as pd

    columns = response_columns(inst)
    numeric = _numeric_columns(inst)
    data = {}
    for col in columns:
        values = [rec.get(col) for rec in records]
        if col == "id":
            data[col] = pd.Series([f"R{rec['seq']:04d}" for rec in records], dtype="str")
        elif col in numeric:
            data[col] = pd.Series([_to_float(v) for v in values], dtype="float64")
        else:
            data[col] = pd.Series([None if v is None else str(v) for v in values], dtype="str")
    if meta:
        for col in META_COLUMNS:
            data[col] = pd.Series([None if rec.get(col) is None else str(rec.get(col)) for rec in records],
                                  dtype="str")
    return pd.DataFrame(data, columns=columns + (list(META_COLUMNS) if meta else []))


# ------------------------------------------------------------------------------------------------
# any database SQLAlchemy speaks (PostgreSQL for a whole faculty)
# ------------------------------------------------------------------------------------------------
class SQLAlchemyStore:
    """The same store on a database URL through SQLAlchemy (e.g. PostgreSQL for a faculty).

    Same tables and methods as :class:`ResponseStore`; answers are kept as text and typed
    by :func:`load_responses`. Each submission is one transaction; the UNIQUE submission id
    makes a repeated submission a no-op. Needs ``pip install "cem-edu[postgres]"``.
    """

    def __init__(self, url: str):
        try:
            import sqlalchemy as sa
        except ImportError:
            raise DataError(t("collect.err.needs_sqlalchemy", url=_redact(url))) from None
        self._sa = sa
        url = with_driver(url)
        self.url = url
        self.path = _redact(url)
        try:
            self.engine = sa.create_engine(url, pool_pre_ping=True, future=True)
        except Exception as exc:  # noqa: BLE001 - bad URL or missing driver
            raise DataError(t("collect.err.bad_url", url=_redact(url), reason=str(exc))) from None
        md = sa.MetaData()
        self.submissions = sa.Table(
            "submissions", md,
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("submission_id", sa.String(64), nullable=False, unique=True),
            sa.Column("received_at", sa.String(32), nullable=False),
            sa.Column("lang", sa.String(8)),
            sa.Column("duration_sec", sa.Float),
            sa.Column("source", sa.String(16), nullable=False, server_default="web"))
        self.answer_table = sa.Table(
            "answers", md,
            sa.Column("submission_id", sa.String(64), sa.ForeignKey("submissions.submission_id"), primary_key=True),
            sa.Column("variable", sa.String(128), primary_key=True),
            sa.Column("value", sa.Text))
        self.meta = sa.Table(
            "meta", md,
            sa.Column("key", sa.String(64), primary_key=True),
            sa.Column("value", sa.Text, nullable=False))
        try:
            md.create_all(self.engine)
        except sa.exc.SQLAlchemyError as exc:
            raise DataError(t("collect.err.db_cannot_open", path=_redact(url),
                              reason=f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}")) from None

    def add(self, submission_id: str, values: dict, *, lang: str | None = None,
            duration_sec: float | None = None, source: str = "web") -> bool:
        sa = self._sa
        rows = [{"submission_id": submission_id, "variable": str(k), "value": str(_plain(v))}
                for k, v in values.items() if not _missing(v)]
        if duration_sec is None and not _missing(values.get("duration_sec")):
            duration_sec = _to_float(values["duration_sec"])
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            with self.engine.begin() as con:
                con.execute(self.submissions.insert().values(
                    submission_id=submission_id, received_at=now, lang=lang, duration_sec=duration_sec,
                    source=source))
                if rows:
                    con.execute(self.answer_table.insert(), rows)
        except sa.exc.IntegrityError:
            if self.has(submission_id):
                return False
            raise
        return True

    def secret(self) -> bytes:
        sa = self._sa
        with self.engine.begin() as con:
            row = con.execute(sa.select(self.meta.c.value).where(self.meta.c.key == "secret")).first()
        if row is None:
            try:
                with self.engine.begin() as con:
                    con.execute(self.meta.insert().values(key="secret", value=secrets.token_hex(32)))
            except sa.exc.IntegrityError:  # another server process created it first
                pass
            with self.engine.begin() as con:
                row = con.execute(sa.select(self.meta.c.value).where(self.meta.c.key == "secret")).first()
        return bytes.fromhex(row[0])

    def count(self) -> int:
        sa = self._sa
        with self.engine.connect() as con:
            return int(con.execute(sa.select(sa.func.count()).select_from(self.submissions)).scalar_one())

    def has(self, submission_id: str) -> bool:
        sa = self._sa
        with self.engine.connect() as con:
            return con.execute(sa.select(self.submissions.c.seq).where(
                self.submissions.c.submission_id == submission_id)).first() is not None

    def answers(self, submission_id: str) -> dict | None:
        sa = self._sa
        with self.engine.connect() as con:
            if con.execute(sa.select(self.submissions.c.seq).where(
                    self.submissions.c.submission_id == submission_id)).first() is None:
                return None
            rows = con.execute(sa.select(self.answer_table.c.variable, self.answer_table.c.value).where(
                self.answer_table.c.submission_id == submission_id)).all()
        return {var: value for var, value in rows}

    def records(self) -> list[dict]:
        sa = self._sa
        s = self.submissions
        with self.engine.connect() as con:
            subs = con.execute(sa.select(s.c.seq, s.c.submission_id, s.c.received_at, s.c.lang, s.c.duration_sec,
                                         s.c.source).order_by(s.c.seq)).all()
            answers = con.execute(sa.select(self.answer_table.c.submission_id, self.answer_table.c.variable,
                                            self.answer_table.c.value)).all()
        return _records(subs, answers)

    def integrity_check(self) -> str:
        return "ok"


def with_driver(url: str) -> str:
    """``postgresql://...`` (and Heroku-style ``postgres://``) use psycopg 3, the driver that
    ``cem-edu[postgres]`` installs; SQLAlchemy would otherwise look for psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _redact(url: str) -> str:
    """A database URL without its password, for messages and pages."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)
