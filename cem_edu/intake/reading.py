"""Reading survey files (CSV, XLSX, SPSS .sav) into a DataFrame, without touching the file.

``read_data`` is the one door every command and notebook uses. It

* detects the encoding of a CSV file (UTF-8 with or without BOM, UTF-16 with
  BOM, Windows-1256 (Arabic/Persian Windows), Windows-1252), the separator
  (``,`` ``;`` tab ``|``) and a decimal comma (only where the separator is not a
  comma); line ends (LF, CRLF, CR) are all accepted;
* normalises header names and text cells (Persian/Arabic digits, ``٫``, ی/ک,
  ZWNJ, spaces; see :mod:`cem_edu.intake.normalise`) and turns every column whose
  cells are all numbers into a numeric column — so a file typed with Persian
  digits gives the same numbers as the same file typed with ASCII digits;
* keeps SPSS value labels in ``df.attrs["value_labels"]`` ({column: {code: label}})
  and variable labels in ``df.attrs["column_labels"]``; the columns hold the
  numeric codes, which is what the analyses need;
* records what it did in ``df.attrs["intake"]`` (source, format, encoding,
  separator, decimal mark, the columns read with a decimal comma in a file whose
  mark is ``.`` (``decimal_comma_columns``), and the cells whose text was normalised);
* reads every number with :func:`cem_edu.intake.numbers.parse_number` (the parser of
  the web form and the CLI): a column becomes numeric only when every cell is a number
  under one reading (``,`` decimal in a ``;``/tab file, then ``.``, then ``auto``), so
  ``1_000``, ``1e308`` or ``1٬1٬111`` keep the column as text for the checks to name.

Row numbers in messages are spreadsheet rows: the header is row 1, the first
respondent row 2 — the number a user sees at the left of Excel or LibreOffice.
"""
from __future__ import annotations

import csv
import importlib.util
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..i18n import numerals, t
from .normalise import _MISSING_TOKENS, normalize_text
from .numbers import parse_number

__all__ = ["read_data", "spreadsheet_row", "FIRST_DATA_ROW"]

#: spreadsheet row number of the first data row (the header is row 1)
FIRST_DATA_ROW = 2
CSV_EXTENSIONS = {".csv", ".tsv", ".txt", ".tab"}
EXCEL_EXTENSIONS = {".xlsx", ".xlsm"}
SPSS_EXTENSIONS = {".sav", ".zsav"}
_SEPARATORS = [",", ";", "\t", "|"]


def spreadsheet_row(position: int) -> int:
    """Spreadsheet row of the data row at 0-based ``position`` (header = row 1)."""
    return int(position) + FIRST_DATA_ROW


def read_data(source, inst=None, *, sheet=None, encoding: str | None = None,
              language: str | None = None) -> pd.DataFrame:
    """Read a survey file (or take a DataFrame) and return a normalised DataFrame.

    Parameters
    ----------
    source : str, Path or DataFrame
        ``.csv``/``.tsv``/``.txt`` (any common encoding and separator), ``.xlsx``/``.xlsm``
        or SPSS ``.sav``/``.zsav``. A DataFrame is copied and normalised the same way.
    sheet : str or int, optional
        Excel sheet name or 0-based position (default: the first sheet).
    encoding : str, optional
        Force a text encoding (e.g. ``"cp1256"``) instead of detecting it.
    language : "fa" or "en", optional
        Language of the error messages (default: the current one).
    inst : Instrument or path of one, optional
        Map the file onto this questionnaire (a survey tool's export): headers that are item texts
        (fa or en) become item ids, answer labels become codes, a start/end timestamp pair becomes
        the duration field; every header mapping is reported (see :mod:`cem_edu.intake.headers`).

    Returns
    -------
    DataFrame
        Columns holding only numbers (in any digits) are numeric (int64 when
        complete and whole, float64 otherwise); others are text with missing
        cells as NaN. ``attrs["intake"]`` describes what was read.

    Raises
    ------
    DataError
        Missing, empty, header-only or binary file, duplicate column names,
        unsupported extension, unreadable sheet, ragged CSV lines.

    The file is opened read-only and never changed.
    """
    if inst is not None:
        from ..instrument import Instrument, load_instrument
        from .headers import apply_instrument

        inst = inst if isinstance(inst, Instrument) else load_instrument(inst)
        return apply_instrument(read_data(source, sheet=sheet, encoding=encoding, language=language), inst, language)
    if isinstance(source, pd.DataFrame):
        df = source.copy()
        df.columns = [normalize_text(str(c)) for c in df.columns]
        _check_duplicates([str(c) for c in df.columns], None, language)
        info = {"source": None, "format": "DataFrame"}
        info.update(dict(source.attrs.get("intake", {})) if isinstance(source.attrs.get("intake"), dict) else {})
        return _finish(df, info, decimal_comma=False)
    if not isinstance(source, (str, Path)):
        raise DataError(t("intake.bad_source", language, kind=type(source).__name__))
    path = Path(source)
    name = str(source)
    if not path.exists():
        raise DataError(t("intake.no_file", language, path=name))
    if path.is_dir():
        raise DataError(t("intake.is_directory", language, path=name))
    ext = path.suffix.lower()
    if ext not in CSV_EXTENSIONS | EXCEL_EXTENSIONS | SPSS_EXTENSIONS:
        if ext == ".xls":
            raise DataError(t("intake.old_excel", language, path=name))
        raise DataError(t("intake.bad_extension", language, path=name, ext=ext or "(none)"))
    if path.stat().st_size == 0:
        raise DataError(t("intake.empty_file", language, path=name))
    if ext in EXCEL_EXTENSIONS:
        df, info = _read_excel(path, name, sheet, language)
    elif ext in SPSS_EXTENSIONS:
        df, info = _read_spss(path, name, language)
    else:
        df, info = _read_csv(path, name, encoding, language)
    return _finish(df, info, decimal_comma=info.get("separator") not in (None, ","))


# ---------------------------------------------------------------- CSV
def _decode(raw: bytes, name: str, encoding: str | None, language=None) -> tuple[str, str]:
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise DataError(t("intake.bad_encoding", language, path=name, encoding=encoding,
                                reason=getattr(exc, "reason", str(exc)))) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    else:
        enc = None
    if enc:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            _binary(name, language)
    if b"\x00" in raw[:8192]:
        _binary(name, language)
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # a legacy 8-bit encoding: Windows-1256 when its high bytes read as Arabic letters
    text1256 = raw.decode("cp1256", errors="replace")
    high = [ch for ch in text1256 if ord(ch) > 127]
    arabic = sum(1 for ch in high if "\u0600" <= ch <= "\u06ff" or ch in "\u200c\u200d\u200e\u200f")
    if high and arabic / len(high) >= 0.6:
        return text1256, "cp1256"
    return raw.decode("cp1252", errors="replace"), "cp1252"


def _binary(name: str, language=None):
    raise DataError(t("intake.binary_file", language, path=name))


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n\f") or ch == "\ufffd")
    return controls / len(sample) > 0.01


def _sniff_separator(lines: list[str]) -> str:
    best, best_score = ",", (0, 0)
    for sep in _SEPARATORS:
        counts = [len(row) for row in csv.reader(lines, delimiter=sep)]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for c in counts if c == counts[0])
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = sep, score
    return best


def _read_csv(path: Path, name: str, encoding: str | None, language=None):
    raw = path.read_bytes()
    text, enc = _decode(raw, name, encoding, language)
    if _looks_binary(text):
        _binary(name, language)
    text = text.lstrip("\ufeff")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise DataError(t("intake.empty_file", language, path=name))
    sep = "\t" if path.suffix.lower() in {".tsv", ".tab"} else _sniff_separator(lines[:50])
    header = next(csv.reader([lines[0]], delimiter=sep))
    header = [normalize_text(h) for h in header]
    _check_duplicates(header, name, language)
    if len(lines) == 1:
        raise DataError(t("intake.header_only", language, path=name, n=len(header)))
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                         header=0, skip_blank_lines=True, engine="c")
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise DataError(t("intake.ragged", language, path=name, line=int(m.group(2)), n=int(m.group(3)),
                                k=int(m.group(1)))) from None
        raise DataError(t("intake.unparsable", language, path=name, reason=str(exc).strip())) from None
    df.columns = header[: df.shape[1]] + [f"column_{i + 1}" for i in range(len(header), df.shape[1])]
    if df.empty:
        raise DataError(t("intake.header_only", language, path=name, n=len(header)))
    return df, {"source": name, "format": "csv", "encoding": enc, "separator": sep}


# ---------------------------------------------------------------- Excel and SPSS
def _read_excel(path: Path, name: str, sheet, language=None):
    if not zipfile.is_zipfile(path):
        _binary(name, language)
    if importlib.util.find_spec("openpyxl") is None:  # pragma: no cover - declared dependency
        raise DataError(t("intake.needs_package", language, path=name, package="openpyxl"))
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - any failure to open is a bad file for the user
        raise DataError(t("intake.unparsable", language, path=name, reason=str(exc).strip())) from None
    with book:
        names = book.sheet_names
        target = 0 if sheet is None else sheet
        if isinstance(target, int) and not 0 <= target < len(names) or isinstance(target, str) and target not in names:
            raise DataError(t("intake.no_sheet", language, path=name, sheet=sheet, sheets=", ".join(map(repr, names))))
        grid = pd.read_excel(book, sheet_name=target, header=None, dtype=object)
    grid = grid.dropna(how="all").dropna(axis=1, how="all")
    if grid.empty:
        raise DataError(t("intake.empty_file", language, path=name))
    header = [normalize_text(str(h)) if not _isna(h) else f"column_{i + 1}" for i, h in enumerate(grid.iloc[0])]
    _check_duplicates(header, name, language)
    if len(grid) == 1:
        raise DataError(t("intake.header_only", language, path=name, n=len(header)))
    df = grid.iloc[1:].reset_index(drop=True)
    df.columns = header
    return df, {"source": name, "format": "xlsx", "sheet": target if isinstance(target, str) else names[target]}


def _read_spss(path: Path, name: str, language=None):
    try:
        import pyreadstat
    except ImportError:  # pragma: no cover - declared dependency
        raise DataError(t("intake.needs_package", language, path=name, package="pyreadstat")) from None
    try:
        df, meta = pyreadstat.read_sav(str(path))
    except Exception as exc:  # noqa: BLE001
        reason = str(exc).strip() or type(exc).__name__
        if "Invalid file" in reason or "Unable to" in reason or "not a" in reason.lower():
            _binary(name, language)
        raise DataError(t("intake.unparsable", language, path=name, reason=reason)) from None
    if df.shape[1] == 0:
        raise DataError(t("intake.empty_file", language, path=name))
    if df.empty:
        raise DataError(t("intake.header_only", language, path=name, n=df.shape[1]))
    df.columns = [normalize_text(c) for c in df.columns]
    df.attrs["value_labels"] = {normalize_text(k): {_plain(c): normalize_text(lbl) for c, lbl in v.items()}
                                for k, v in (meta.variable_value_labels or {}).items()}
    df.attrs["column_labels"] = {normalize_text(c): (normalize_text(lbl) if lbl else None)
                                 for c, lbl in zip(meta.column_names, meta.column_labels or [])}
    return df, {"source": name, "format": "sav"}


def _plain(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _isna(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------- shared
def _check_duplicates(header: list[str], name: str | None, language=None) -> None:
    seen: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        seen.setdefault(h, []).append(i + 1)
    dups = {h: pos for h, pos in seen.items() if len(pos) > 1}
    if dups:
        h, pos = next(iter(dups.items()))
        more = len(dups) - 1
        raise DataError(t("intake.duplicate_columns" if name else "intake.duplicate_columns_frame", language,
                            path=name, column=h,
                            positions=t("intake.and", language).join(numerals(p, language) for p in pos),
                            more=t("intake.and_more", language, n=more) if more else ""))


def _finish(df: pd.DataFrame, info: dict, *, decimal_comma: bool) -> pd.DataFrame:
    """Normalise text cells and convert numeric-looking columns; record what changed.

    Works on the distinct values of each column (a survey column has few), so a
    large file costs little more than reading it.
    """
    normalised: dict[str, list[int]] = dict(info.get("normalised_cells", {}))
    decimal = "."
    comma_columns: list[str] = []
    out = {}
    for col in df.columns:
        s = df[col]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
            out[col] = s
            continue
        codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
        uniques = np.asarray(uniques, dtype=object)
        norm = np.array([normalize_text(v) if isinstance(v, str) else v for v in uniques], dtype=object)
        u_changed = np.array([isinstance(a, str) and a.strip() != b for a, b in zip(uniques, norm)], dtype=bool)
        u_empty = np.array([_isna(v) or (isinstance(v, str) and v.strip() in _MISSING_TOKENS) for v in norm],
                           dtype=bool)
        has = codes >= 0
        if u_changed.any():
            changed = np.flatnonzero(has & u_changed[np.where(has, codes, 0)])
            if changed.size:
                normalised[str(col)] = [spreadsheet_row(i) for i in changed]
        u_num = None
        modes = [","] if decimal_comma and any(isinstance(v, str) and "," in v for v in uniques) else []
        for mode in modes + [".", "auto"]:
            u_num = _parse_numbers(uniques, u_empty, decimal=mode)
            if u_num is not None:
                decimal = "," if mode == "," else decimal
                if mode == "auto" and any(isinstance(v, str) and "," in v for v in uniques):
                    comma_columns.append(str(col))  # "1,5" read as 1.5 in a file whose decimal mark is "."
                break
        if u_num is not None and (~u_empty).any():
            num = np.where(has, np.append(u_num, np.nan)[np.where(has, codes, len(u_num))], np.nan)
            if not np.isnan(num).any() and np.all(np.mod(num, 1) == 0) and np.all(np.abs(num) < 2**53):
                out[col] = pd.Series(num.astype("int64"), index=df.index, name=col)
            else:
                out[col] = pd.Series(num.astype("float64"), index=df.index, name=col)
        else:
            u_val = np.where(u_empty, np.nan, norm).astype(object)
            vals = np.where(has, np.append(u_val, np.nan)[np.where(has, codes, len(u_val))], np.nan).astype(object)
            out[col] = pd.Series(vals, index=df.index, name=col)
    attrs = dict(df.attrs)
    res = pd.DataFrame(out, index=df.index)
    res.columns = list(df.columns)
    res.attrs = attrs
    info = dict(info)
    info["decimal"] = decimal
    if comma_columns:
        info["decimal_comma_columns"] = comma_columns
    info["normalised_cells"] = normalised
    res.attrs["intake"] = info
    return res


def _parse_numbers(values: np.ndarray, empty: np.ndarray, *, decimal: str):
    """Numbers of a column whose non-empty cells are all numbers under ``decimal``, else None.

    Each distinct cell is read by :func:`cem_edu.intake.numbers.parse_number`, the parser of the
    web form and the command line (thousands separators only in groups of three; no 1_000, 1e3,
    inf or nan).
    """
    out = np.full(len(values), np.nan)
    for i, (v, e) in enumerate(zip(values, empty)):
        if e:
            continue
        if isinstance(v, bool):
            return None
        try:
            out[i] = parse_number(v, decimal=decimal)
        except ValueError:
            return None
    return out
