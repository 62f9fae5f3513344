"""Live workshop collection: the questionnaire as a web form for a class, and the answers back in a notebook.

A workshop in four steps
------------------------
1. On the instructor's laptop (same Wi-Fi as the students)::

       cem-edu collect --host 0.0.0.0 --db responses.sqlite --lang fa

   It prints the form address (the machine's LAN address; the others when it has several), the
   instructor address with a random token, the notebook line and a QR code. Without
   ``--host 0.0.0.0`` only the laptop itself can open the form, and ``/admin`` says so.
2. Open the instructor address on the projector: ``/admin`` shows the live count and a QR code
   of the form; students scan it and answer on their phones (Persian or English, no app, no
   JavaScript needed). Nothing identifying is stored: no names, no IP addresses.
3. Every submission is checked against the questionnaire and stored in ``responses.sqlite``
   (one transaction each; a double click stores once). ``/export.csv`` and ``/export.xlsx``
   (instructor only) download the answers.
4. In any notebook, replace the bundled data by the class's data with the line the command
   printed (absolute path, and the questionnaire the form was made from)::

       data = ce.load_responses("/home/me/responses.sqlite", ce.load_instrument())

For one person in a notebook (a demo without a server), :func:`form_widget` shows the same form
as ipywidgets and stores into the same database. A whole faculty can use PostgreSQL:
``--db postgresql://user:password@host/survey`` (``pip install "cem-edu[postgres]"``;
tested against a real PostgreSQL server like SQLite).

Modules: :mod:`.store` (SQLite/SQLAlchemy storage and :func:`load_responses`, no web framework),
:mod:`.form` (questions and validation), :mod:`.server` (Starlette app :func:`create_app`, and
:func:`serve`), :mod:`.guard` (slow and idle clients, rate-limited log), :mod:`.widget`
(ipywidgets form).
"""
from __future__ import annotations

from .store import ResponseStore, SQLAlchemyStore, load_responses, open_store

__all__ = ["ResponseStore", "SQLAlchemyStore", "open_store", "load_responses", "create_app", "serve", "form_widget"]


def __getattr__(name):
    if name in ("create_app", "serve"):
        from . import server

        return getattr(server, name)
    if name == "form_widget":
        from .widget import form_widget

        return form_widget
    raise AttributeError(f"module 'cem_edu.collect' has no attribute {name!r}")
