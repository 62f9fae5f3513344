"""Direct identifiers: find them and drop or pseudonymise them before analysis.

A column is a candidate when its name says so (name, phone, email, national
code — in English or Persian) or when at least half of its non-empty cells
look like one:

* e-mail: ``local@domain.tld``;
* Iranian mobile number: ``09xx xxx xxxx``, ``+98 9xx …``, ``0098 9xx …``,
  ``989xx…`` — spaces, dashes and Persian digits allowed;
* other phone numbers: 8–15 digits with optional ``+``, spaces, dashes, brackets;
* Iranian national code (کد ملی): 10 digits whose last digit is the check digit:
  s = Σ_{i=1..9} d_i (11 − i) mod 11; check = s if s < 2 else 11 − s
  (codes with ten equal digits are invalid);
* person names: only by column name (there is no reliable pattern).

``pseudonymize`` replaces each value by ``HMAC-SHA256(salt, normalised value)``
(first 16 hex digits): equal values stay equal, so respondents can still be
linked across files that use the same salt, but the value cannot be read back
without guessing it together with the salt. ``method="drop"`` removes the columns.

Reference: ISO/IEC 20889:2018 (de-identification techniques); the national
code check digit as published by the National Organization for Civil
Registration of Iran.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

import pandas as pd

from ..errors import DataError
from ..i18n import t
from ..validation import check_columns
from .normalise import normalize_text

__all__ = ["detect_identifiers", "pseudonymize", "is_national_code", "is_iranian_mobile", "is_email", "is_phone"]

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_MOBILE = re.compile(r"^(?:\+98|0098|98|0)?9\d{9}$")
_PHONE = re.compile(r"^\+?\d{8,15}$")
_NAME_HINTS = {
    "name": ("name", "firstname", "lastname", "surname", "fullname", "family", "نام", "نامخانوادگی", "اسم"),
    "phone": ("phone", "mobile", "tel", "telephone", "cell", "تلفن", "موبایل", "همراه", "شمارهتماس"),
    "email": ("email", "mail", "ایمیل", "رایانامه", "پستالکترونیک"),
    "national_code": ("nationalcode", "nationalid", "codemelli", "melli", "ssn", "کدملی", "شمارهملی"),
}


def _digits(value) -> str:
    text = normalize_text(str(value))
    return re.sub(r"[\s\-()\u200c.]", "", text)


def is_email(value) -> bool:
    return isinstance(value, str) and bool(_EMAIL.match(normalize_text(value)))


def is_iranian_mobile(value) -> bool:
    """09xxxxxxxxx, +989xxxxxxxxx, 00989…, 989… (spaces/dashes/Persian digits allowed)."""
    return bool(_MOBILE.match(_digits(value)))


def is_phone(value) -> bool:
    return bool(_PHONE.match(_digits(value)))


def is_national_code(value) -> bool:
    """True for a 10-digit Iranian national code with a valid check digit."""
    d = _digits(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        d = d.split(".")[0].zfill(10)
    if not re.fullmatch(r"\d{10}", d) or len(set(d)) == 1:
        return False
    s = sum(int(d[i]) * (10 - i) for i in range(9)) % 11
    check = s if s < 2 else 11 - s
    return int(d[9]) == check


def _canonical(value) -> str:
    """One spelling per identifier: e-mails lower case, Iranian mobiles as 09xxxxxxxxx, else digits/text."""
    if isinstance(value, str) and is_email(value):
        return normalize_text(value).lower()
    d = _digits(value)
    if _MOBILE.match(d):
        return "0" + d[-10:]
    return d


def _name_key(col) -> str:
    return re.sub(r"[\s_\-\u200c.]", "", normalize_text(str(col))).lower()


def detect_identifiers(df: pd.DataFrame, min_share: float = 0.5) -> pd.DataFrame:
    """Candidate identifier columns: column, kind, by ("name" or "content"), share of matching cells.

    ``share`` is the fraction of non-empty cells that match the kind's pattern.
    """
    rows = []
    for col in df.columns:
        key = _name_key(col)
        s = df[col].dropna()
        s = s[s.astype(str).str.strip() != ""]
        checks = {"email": is_email, "national_code": is_national_code, "phone": lambda v: is_iranian_mobile(v)
                  or is_phone(v)}
        shares = {k: (float(s.map(f).mean()) if len(s) else 0.0) for k, f in checks.items()}
        kind, by = None, None
        for k, hints in _NAME_HINTS.items():
            if any(h == key or (len(h) > 3 and h in key) for h in hints):
                kind, by = k, "name"
                break
        if kind is None:
            # national codes are also valid phone-like digit strings: check them first
            for k in ("email", "national_code", "phone"):
                if shares[k] >= min_share:
                    kind, by = k, "content"
                    break
        if kind is not None:
            rows.append({"column": col, "kind": kind, "by": by, "share": round(shares.get(kind, 0.0), 3),
                         "n": int(len(s))})
    return pd.DataFrame(rows, columns=["column", "kind", "by", "share", "n"])


def pseudonymize(df: pd.DataFrame, columns=None, salt: str | None = None, method: str = "hash") -> pd.DataFrame:
    """Drop or salted-hash direct identifiers; the input frame is not changed.

    Parameters
    ----------
    df : DataFrame
    columns : list of str, optional
        Columns to treat. Default: every column :func:`detect_identifiers` finds.
    salt : str, optional
        Secret key of the HMAC. Use the same salt to link files; keep it out of the
        data. Default: a random salt that is not stored (values cannot be linked later).
    method : "hash" (default) or "drop"

    Returns
    -------
    DataFrame with ``attrs["privacy"]``: the report of :func:`detect_identifiers`
    plus the action taken for each column.
    """
    if method not in ("hash", "drop"):
        raise DataError(t("intake.bad_method", value=method))
    if salt is not None and (not isinstance(salt, str) or not salt):
        raise DataError(t("intake.empty_salt"))
    report = detect_identifiers(df)
    if columns is None:
        targets = list(report["column"])
    else:
        targets = list(columns)
        check_columns(df, targets, key="intake.no_salt_columns")
        extra = [c for c in targets if c not in set(report["column"])]
        if extra:
            report = pd.concat([report, pd.DataFrame({"column": extra, "kind": "given", "by": "user", "share": None,
                                                      "n": [int(df[c].notna().sum()) for c in extra]})],
                               ignore_index=True)
        report = report[report["column"].isin(targets)].reset_index(drop=True)
    key = (salt if salt is not None else secrets.token_hex(16)).encode("utf-8")
    out = df.copy()
    for c in targets:
        if method == "drop":
            out = out.drop(columns=c)
        else:
            def h(v):
                if v is None or (isinstance(v, float) and pd.isna(v)):
                    return v
                text = _canonical(v)
                return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
            out[c] = df[c].map(h).astype(object)
    report["action"] = "dropped" if method == "drop" else "hashed (HMAC-SHA256, 16 hex)"
    out.attrs = dict(df.attrs)
    out.attrs["privacy"] = report.to_dict(orient="records")
    return out
