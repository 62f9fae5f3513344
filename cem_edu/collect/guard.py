"""Keeping the class server alive with slow, idle or too many clients, and its log short.

A classroom server meets phones that open a connection and go to sleep, a school proxy that
keeps idle connections, or a script that opens a thousand half-sent requests (a "slowloris").
Each open connection holds a file descriptor; with the usual ``ulimit -n 1024`` a server that
never closes them runs out, cannot accept the real respondents and floods its log with
"Too many open files". Three bounds keep it serving:

* **header timeout** -- a connection must complete its request line and headers within
  ``header_timeout`` seconds of opening (or of its previous response), else it is closed;
  uvicorn itself only times out idle keep-alive connections, not half-sent headers;
* **connection cap** -- at most ``max_connections`` open connections (by default the process's
  file-descriptor limit minus a reserve for the database and threads); a new connection over
  the cap closes the longest-idle connections that have no request in progress, so a real
  respondent is always let in;
* **body timeout** -- enforced by the application (:func:`cem_edu.collect.server.create_app`,
  ``body_timeout``): a request body that does not arrive in time gets 408.

:class:`RepeatFilter` rate-limits repeated log records (the same message at most ``burst``
times per ``window`` seconds, with one traceback at most, then a count of the suppressed ones).

Reference: the uvicorn settings ``timeout_keep_alive``, ``limit_concurrency`` and
``h11_max_incomplete_event_size`` (https://www.uvicorn.org/settings/) bound keep-alive time,
concurrent requests and header size; this module adds what they leave open.
"""
from __future__ import annotations

import logging
import sys
import threading
import time

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["ConnectionGuard", "RepeatFilter", "default_max_connections", "default_backlog", "configure_logging"]

FD_RESERVE = 200    # descriptors kept free for the database (3 per SQLite connection), threads, stdio, listener


def _fd_limit() -> int | None:
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, ValueError, OSError):  # pragma: no cover - Windows
        return None
    return None if soft == resource.RLIM_INFINITY else int(soft)


def default_backlog() -> int:
    """Listen backlog. asyncio accepts up to this many connections in one go before any of them
    reaches the guard, so it must fit beside the connection cap: an eighth of the file-descriptor
    limit, between 64 and 512."""
    soft = _fd_limit()
    return 512 if soft is None else max(64, min(512, soft // 8))


def default_max_connections(cap: int = 2048) -> int:
    """Largest number of open client connections for this process: its soft ``RLIMIT_NOFILE``
    minus :data:`FD_RESERVE` and the accept batch (:func:`default_backlog`), at most ``cap`` and at
    least 16 (``cap`` where there is no such limit). With ``ulimit -n 1024``: 696."""
    soft = _fd_limit()
    if soft is None:
        return cap
    return max(16, min(cap, soft - FD_RESERVE - default_backlog()))


class ConnectionGuard:
    """Shared state of one server: the header timeout, the connection cap and a count of what was shed.

    ``protocol_class()`` is the uvicorn ``http=`` protocol that enforces both bounds.
    """

    def __init__(self, header_timeout: float = 10.0, max_connections: int | None = None):
        self.header_timeout = float(header_timeout)
        self.max_connections = int(max_connections or default_max_connections())
        self.open: set = set()
        self.shed = 0          # idle connections closed because of the cap
        self.timed_out = 0     # connections closed because their headers did not arrive in time

    def protocol_class(self) -> type:
        guard = self

        class GuardedH11Protocol(_GuardedH11Protocol):
            pass

        GuardedH11Protocol.guard = guard
        return GuardedH11Protocol


class _GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header timeout and the guard's connection cap."""

    guard: ConnectionGuard

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._idle_since = time.monotonic()
        self._header_timer = None
        self._arm_header_timer()
        guard = self.guard
        guard.open.add(self)
        if len(guard.open) > guard.max_connections:
            self._shed_idle()

    def connection_lost(self, exc) -> None:
        self.guard.open.discard(self)
        self._cancel_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._waiting_for_headers():
            if self._header_timer is None:      # a new request began arriving on a kept-alive connection
                self._arm_header_timer()
        else:
            self._cancel_header_timer()

    def on_response_complete(self) -> None:
        self._idle_since = time.monotonic()
        super().on_response_complete()

    # -- helpers -----------------------------------------------------------------------------
    def _waiting_for_headers(self) -> bool:
        """No request in progress: the client has not (yet) sent a complete request line and headers."""
        return self.conn.their_state is h11.IDLE and (self.cycle is None or self.cycle.response_complete)

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.guard.header_timeout, self._header_timeout)

    def _cancel_header_timer(self) -> None:
        if getattr(self, "_header_timer", None) is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self._waiting_for_headers() and not self.transport.is_closing():
            self.guard.timed_out += 1
            self._close()

    def _close(self) -> None:
        self._cancel_header_timer()
        self.guard.open.discard(self)
        self.transport.close()

    def _shed_idle(self) -> None:
        """Close the longest-idle connections without a request in progress until under the cap;
        if every other connection is busy, close this new one."""
        guard = self.guard
        idle = sorted((p for p in guard.open if p is not self and p._waiting_for_headers()),
                      key=lambda p: p._idle_since)
        excess = len(guard.open) - guard.max_connections
        for p in idle[:excess]:
            guard.shed += 1
            p._close()
        if len(guard.open) > guard.max_connections:
            guard.shed += 1
            self._close()


class RepeatFilter(logging.Filter):
    """Let the same log message through at most ``burst`` times per ``window`` seconds.

    Records are "the same" when logger, level, message template, its first two arguments (in
    ``internal error while %s: %s: %s``: what failed and the exception type) and the exception type agree.
    Only the first of them keeps its traceback. When a window ends with suppressed records, the
    next one says how many were left out.
    """

    def __init__(self, burst: int = 5, window: float = 60.0):
        super().__init__()
        self.burst, self.window = int(burst), float(window)
        self._seen: dict[tuple, list] = {}     # key -> [window start, count in window, suppressed, tracebacks shown]
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        head = tuple(str(a) for a in record.args[:2]) if isinstance(record.args, tuple) else ()
        key = (record.name, record.levelno, str(record.msg), head, type(exc).__name__ if exc else None,
               getattr(exc, "errno", None))
        now = time.monotonic()
        with self._lock:
            state = self._seen.get(key)
            if state is None or now - state[0] > self.window:
                suppressed = state[2] if state else 0
                shown = state[3] if state else 0
                state = self._seen[key] = [now, 0, 0, shown]
                if suppressed:
                    record.msg = f"{record.msg} [{suppressed} similar messages left out in the last {self.window:g} s]"
            state[1] += 1
            if state[1] > self.burst:
                state[2] += 1
                return False
            if record.exc_info:
                if state[3] >= 1:       # one traceback per kind of error is enough
                    record.exc_info = None
                    record.exc_text = None
                    record.msg = f"{record.msg} ({type(exc).__name__}: {exc})"
                state[3] += 1
            if len(self._seen) > 1000:
                self._seen.clear()
        return True


def configure_logging(level: int = logging.WARNING, stream=None) -> RepeatFilter:
    """One stderr handler on the root logger with a :class:`RepeatFilter`; uvicorn's and asyncio's
    records (``log_config=None`` in uvicorn) reach it. Returns the filter."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("cem-edu collect: %(levelname)s: %(message)s"))
    repeat = RepeatFilter()
    handler.addFilter(repeat)
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_cem_collect", False):
            root.removeHandler(old)
    handler._cem_collect = True
    root.addHandler(handler)
    root.setLevel(level)
    return repeat
