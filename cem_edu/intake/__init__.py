"""Intake: read survey files, normalise Persian text, validate against the instrument,
flag careless responses, clean with a log, and pseudonymise identifiers.

    import cem_edu as ce
    raw = ce.read_data("responses.xlsx")        # CSV/XLSX/SAV, any encoding, Persian digits
    cd = ce.clean(raw, ce.load_instrument())    # -> CleanData(.data, .flags, .log, .dropped)
    cd.log                                      # what changed, why, how many rows

Row numbers in messages are spreadsheet rows (header = row 1, first respondent = row 2).
"""
from __future__ import annotations

from .clean import DEFAULT_DROP, CleanData, as_frame, clean
from .flags import (FLAGS, attention_failed, duplicate, longstring, mahalanobis_distance, mahalanobis_outlier,
                    quality_flags, speeder, straightliner, too_many_missing)
from .normalise import label_key, likert_label_map, map_likert_labels, normalize_digits, normalize_text
from .numbers import parse_number
from .privacy import detect_identifiers, is_iranian_mobile, is_national_code, pseudonymize
from .reading import FIRST_DATA_ROW, read_data, spreadsheet_row
from .validate import check_columns, check_values, code_labels

__all__ = [
    "read_data", "parse_number", "normalize_text", "normalize_digits", "label_key", "likert_label_map", "map_likert_labels",
    "code_labels", "check_columns", "check_values", "clean", "CleanData", "as_frame", "DEFAULT_DROP", "FLAGS",
    "quality_flags", "longstring", "straightliner", "speeder", "attention_failed", "duplicate", "too_many_missing",
    "mahalanobis_distance", "mahalanobis_outlier", "pseudonymize", "detect_identifiers", "is_national_code",
    "is_iranian_mobile", "spreadsheet_row", "FIRST_DATA_ROW",
]
