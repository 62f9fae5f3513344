"""Live workshop collection: the questionnaire as a web form for a class, and the answers back in a notebook.

    cem-edu collect --db responses.sqlite          # serve the form; QR code on /admin
    data = ce.load_responses("responses.sqlite")  # same shape as ce.load_dataset("cem_survey")

* :mod:`.store`  SQLite storage and :func:`load_responses` (no web framework),
* :mod:`.form`   questions and validation of one submission,
* :mod:`.server` the Starlette app (:func:`create_app`) and :func:`serve`,
* :mod:`.widget` the same form as ipywidgets for a single-user demo in a notebook.
"""
from __future__ import annotations

from .store import ResponseStore, load_responses

__all__ = ["ResponseStore", "load_responses", "create_app", "serve", "form_widget"]


def __getattr__(name):
    if name in ("create_app", "serve"):
        from . import server

        return getattr(server, name)
    if name == "form_widget":
        from .widget import form_widget

        return form_widget
    raise AttributeError(f"module 'cem_edu.collect' has no attribute {name!r}")
