"""Printing shared by the thesis analyses (content validity, normality, common-method bias, construct tests).

Each result is a frozen dataclass that says what its main table is (``_table``), its heading
(``_title``) and its notes (``_notes``), all in ``language``; this base class turns them into the plain
``__str__`` and the notebook ``_repr_html_`` (right-to-left in Persian), as every result of the kit.
Private module.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..i18n import to_persian_digits
from ..results import Result, output_html

__all__ = ["TableResult"]


@dataclass(frozen=True)
class TableResult(Result):
    """A :class:`cem_edu.results.Result` printed from one main table, a heading and notes, in ``language``
    (a keyword-only field every subclass inherits: ``CVRResult(items=..., language="fa")``)."""

    language: str = field(default="en", compare=False, kw_only=True)

    def _title(self) -> str:  # pragma: no cover - overridden
        return ""

    def _table(self) -> pd.DataFrame:  # pragma: no cover - overridden
        return pd.DataFrame()

    def _notes(self) -> list[str]:
        return []

    def _shown(self) -> pd.DataFrame:
        tab = self._table().copy()
        for c in tab.columns:
            if pd.api.types.is_float_dtype(tab[c]):
                tab[c] = tab[c].round(3)
        if self.language == "fa":
            tab = tab.map(lambda v: to_persian_digits(str(v)) if isinstance(v, (int, float, np.number)) else v)
        return tab

    def __str__(self) -> str:
        return "\n".join([self._title(), self._shown().to_string(), *self._notes()])

    def _repr_html_(self) -> str:
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self._notes())
        return output_html(f"<p><b>{html.escape(self._title())}</b></p>{self._shown().to_html()}{notes}", self.language)
