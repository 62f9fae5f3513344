"""The report layer: one call from a data file to a self-contained fa/en report.

Owns the report's sections, their HTML rendering and the build step (``build``); this package's
``__init__`` holds only the public entry point, so that ``import cem_edu`` stays fast.

May import every lower layer (instrument, intake, psychometrics, sem, cx, plots); nothing below
imports it.
"""
from __future__ import annotations

import json
from pathlib import Path

__all__ = ["report", "build_report"]


def __getattr__(name):
    if name == "build_report":
        from .build import build_report  # noqa: PLC0415
        return build_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def report(data, instrument=None, model=None, lang: str = "en", group: str | None = None, bootstrap: int | None = None,
           out: str | Path = "report.html", json_path: str | Path | None = None, seed: int = 20261123,
           progress: bool = True, missing: str = "auto", out_of_range: str = "error",
           method: str = "cbsem", ordered=None, format: str | None = None, panel=None, moderation=None) -> Path:
    """Write the report of a questionnaire data set: a self-contained HTML page or a Word document.

    Parameters
    ----------
    data : path (CSV, XLSX, SAV), DataFrame or CleanData
    instrument : path of a questionnaire YAML or an Instrument (default: the bundled CEM
        questionnaire when the data have its item columns)
    model : lavaan syntax (text or a .lav file); default ``instrument.model()``
    lang : "en" or "fa" (right-to-left, Persian digits)
    group : column to compare groups by (measurement invariance)
    bootstrap : bootstrap draws for the indirect effects (0 = delta-method intervals); default 1,000
        with listwise deletion and none under FIML (a FIML bootstrap refits the model per draw, about a
        minute for 1,000 draws of the bundled model: ask for it with a number)
    missing : "auto" (default: full-information ML whenever a variable of the model has a missing
        answer, else listwise, which then gives the same numbers), "fiml", "listwise" (the report says
        how many rows it drops) or, with ``ordered``, "pairwise"
    out_of_range : answers off an item's scale: "error" (stop with a message) or "missing"
    method : "cbsem" (covariance-based SEM, default), "pls" (PLS-SEM) or "both" (paths side by side)
    ordered : True or a list of item columns: treat the items as ordinal — CFA/SEM by WLSMV on polychoric
        correlations (as lavaan's ``ordered=``; ``missing`` then "listwise" or "pairwise", indirect effects
        with delta-method intervals) and the ordinal invariance ladder
    format : "html" (one self-contained page) or "docx" (Word: real APA tables, PNG figures, numbered
        captions, right to left in Persian); default: "docx" when ``out`` ends in ``.docx``, else "html"
    panel : expert-panel sheet (CSV/XLSX; rows experts, columns items) for a content-validity section
        (Lawshe's CVR for codes 1–3, the CVI with modified kappa for relevance ratings 1–4)
    moderation : ``("X", "Z", "Y")`` construct names of the model (also ``"X,Z,Y"``, or a list of triples): adds a
        moderation section — does Z change the effect of X on Y? CB-SEM: latent interaction by product
        indicators with double-mean centring (Lin et al. 2010), simple slopes at −1 SD, mean, +1 SD of Z and
        the Johnson–Neyman interval; PLS (``method="pls"``/``"both"``): the two-stage approach (Hair et al.)
    out : file to write (``report.html``; ``report.docx`` for Word)
    json_path : also write the numbers as JSON here

    Returns
    -------
    Path of the file written.
    """
    from ..results import json_safe  # noqa: PLC0415
    from .build import build_report, check_format, check_out_suffix  # noqa: PLC0415 - keeps `import cem_edu` fast

    out = Path(out)
    if format is None:
        format = "docx" if out.suffix.lower() == ".docx" else "html"
    check_format(format, lang)
    if format == "docx" and str(out) == "report.html":  # the default name follows the format
        out = Path("report.docx")
    check_out_suffix(format, out, lang)
    result = build_report(data, instrument=instrument, model=model, lang=lang, group=group, bootstrap=bootstrap,
                          seed=seed, progress=progress, missing=missing, out_of_range=out_of_range, method=method,
                          ordered=ordered, panel=panel, moderation=moderation)
    if format == "docx":
        out.write_bytes(result.docx())
    else:
        out.write_text(result.html, encoding="utf-8")
    if json_path:
        Path(json_path).write_text(json.dumps(json_safe(result.results), ensure_ascii=False, indent=2,
                                              allow_nan=False),
                                   encoding="utf-8")
    return out
