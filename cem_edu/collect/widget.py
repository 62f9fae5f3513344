"""The questionnaire as an ipywidgets form inside a notebook (single-user demos).

    import cem_edu as ce
    from cem_edu.collect import form_widget
    form = form_widget(ce.load_instrument(), db="responses.sqlite", lang="fa")
    form            # shows the form; "Send" validates and stores, like the web form
    ce.load_responses("responses.sqlite")

Answers go to the same SQLite store as ``cem-edu collect`` (``source = "widget"``), checked by
the same rules (:func:`cem_edu.collect.form.validate`), so a demo in a notebook and a class on
their phones fill one table. For a class, use the web server; this widget serves one person at
a time.
"""
from __future__ import annotations

import html
import time
import uuid

import ipywidgets as widgets

from ..i18n import get_language, t, to_persian_digits
from .form import Question, questions, validate
from .store import open_store

__all__ = ["FormWidget", "form_widget"]


class FormWidget(widgets.VBox):
    """An ipywidgets form for one instrument, storing into a :class:`ResponseStore`.

    Attributes
    ----------
    controls : ``{question id: widget}`` (ToggleButtons for items, RadioButtons for choices,
        Text for numbers); set ``.value`` to answer programmatically.
    submit_button : the "Send" button (``submit_button.click()`` = :meth:`submit`).
    message : HTML widget with the result of the last submission.
    errors : ``{question id: message}`` of the last failed submission.
    """

    def __init__(self, inst, db="responses.sqlite", lang: str | None = None):
        self.lang = lang or get_language()
        self.store = open_store(db)
        self.questions: list[Question] = questions(inst)
        self.controls: dict[str, widgets.Widget] = {}
        self._error_boxes: dict[str, widgets.HTML] = {}
        self.errors: dict[str, str] = {}
        self.last_saved: str | None = None
        direction = "rtl" if self.lang == "fa" else "ltr"
        title = getattr(inst, "title", None) or {}
        children = [widgets.HTML(f'<h3 dir="{direction}">{html.escape(_text(title, self.lang) or t("collect.title", language=self.lang))}</h3>')]
        for number, q in enumerate(self.questions, start=1):
            label = q.text(self.lang)
            if q.is_item:
                shown = to_persian_digits(number) if self.lang == "fa" else str(number)
                label = f"{shown}. {label}"
            elif not q.required:
                label = f"{label} {t('collect.optional', language=self.lang)}"
            control = self._control(q)
            error = widgets.HTML("")
            self.controls[q.id] = control
            self._error_boxes[q.id] = error
            children += [widgets.HTML(f'<div dir="{direction}"><b>{html.escape(label)}</b></div>'), control, error]
        self.submit_button = widgets.Button(description=t("collect.submit", language=self.lang), button_style="primary")
        self.submit_button.on_click(lambda _button: self.submit())
        self.message = widgets.HTML("")
        super().__init__(children + [self.submit_button, self.message])
        self._new_submission()

    def _control(self, q: Question) -> widgets.Widget:
        if q.is_item:
            options = [(to_persian_digits(o.value) if self.lang == "fa" else str(o.value), o.value) for o in q.options]
            tips = [o.text(self.lang) for o in q.options]
            return widgets.ToggleButtons(options=options, value=None, tooltips=tips,
                                         style={"button_width": "2.6em"})
        if q.kind == "choice":
            return widgets.RadioButtons(options=[(o.text(self.lang), o.value) for o in q.options], value=None)
        return widgets.Text(value="", placeholder="0")

    def _new_submission(self) -> None:
        self._sid = str(uuid.uuid4())
        self._started = time.monotonic()

    def answers(self) -> dict[str, list[str]]:
        """The current answers as raw strings, as the web form would send them."""
        out = {}
        for qid, control in self.controls.items():
            value = control.value
            out[qid] = [] if value is None or value == "" else [str(value)]
        return out

    def submit(self) -> bool:
        """Validate and store the current answers; True when stored (the form is then cleared)."""
        values, problems = validate(self.questions, self.answers())
        self.errors = {qid: p.message(self.lang) for qid, p in problems.items()}
        for qid, box in self._error_boxes.items():
            msg = self.errors.get(qid)
            box.value = f'<span style="color:#b00020">{html.escape(msg)}</span>' if msg else ""
        if problems:
            self.message.value = html.escape(t("collect.widget_errors", language=self.lang, n=len(problems)))
            return False
        duration = round(time.monotonic() - self._started, 1)
        values["duration_sec"] = duration
        self.store.add(self._sid, values, lang=self.lang, duration_sec=duration, source="widget")
        self.last_saved = self._sid
        self.message.value = html.escape(t("collect.widget_saved", language=self.lang))
        for control in self.controls.values():
            control.value = "" if isinstance(control, widgets.Text) else None
        self._new_submission()
        return True


def _text(texts, lang):
    if isinstance(texts, str):
        return texts
    return (texts or {}).get(lang) or (texts or {}).get("en") or ""


def form_widget(inst=None, db="responses.sqlite", lang: str | None = None) -> FormWidget:
    """The questionnaire as an ipywidgets form that stores into ``db`` (see :class:`FormWidget`).

    Parameters
    ----------
    inst : Instrument (default: the bundled questionnaire).
    db : SQLite file, shared with ``cem-edu collect`` and read by ``ce.load_responses``.
    lang : "fa" or "en" (default: the current ``ce.set_language``).
    """
    if inst is None:
        from ..instrument import load_instrument

        inst = load_instrument()
    return FormWidget(inst, db=db, lang=lang)
