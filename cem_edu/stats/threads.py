"""Run small dense linear algebra on one BLAS thread: the one helper of the SEM estimator and
the psychometric routines (factor analysis, polychoric correlations, measurement models).

The matrices of an SEM fit are small (p ≈ 10–50); multithreaded OpenBLAS spends more
time waking and synchronising its threads than computing, and on a busy machine
(other processes on every core) a 2-thread Cholesky of a 400 x 400 matrix measured
~40× slower than the same call on one thread. :func:`single_blas_thread` limits BLAS
to one thread for the duration of a ``with`` block (or a decorated function) and
restores the previous setting afterwards — never a global change.

Nested and concurrent uses share one limit: the first entry sets it, the last exit
restores it. Without ``threadpoolctl`` the helpers do nothing.

Reference: threadpoolctl, https://github.com/joblib/threadpoolctl
"""
from __future__ import annotations

import functools
import threading
from contextlib import contextmanager

__all__ = ["single_blas_thread", "blas_single_threaded"]

_lock = threading.Lock()
_depth = 0
_ctx = None
_controller = None


def _get_controller():
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - optional
            _controller = False
        else:
            import scipy.linalg  # noqa: F401 - load scipy's BLAS too, so the controller sees it
            _controller = ThreadpoolController()
    return _controller


@contextmanager
def single_blas_thread():
    """Context manager: BLAS on one thread inside the block (re-entrant, thread-safe)."""
    global _depth, _ctx
    with _lock:
        if _depth == 0:
            ctl = _get_controller()
            _ctx = ctl.limit(limits=1, user_api="blas") if ctl else None
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _ctx is not None:
                _ctx.restore_original_limits()
                _ctx = None


def blas_single_threaded(func):
    """Decorator form of :func:`single_blas_thread`."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with single_blas_thread():
            return func(*args, **kwargs)
    return wrapper
