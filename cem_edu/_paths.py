"""Where the bundled resources live (one place, so a packaging change touches one file).

In a checkout (and an editable install) they are the repository's top-level
``questionnaire/`` and ``datasets/`` folders; a wheel carries the same files as
``cem_edu/_data/questionnaire`` and ``cem_edu/_data/datasets`` (pyproject.toml maps them).
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent


def _resource_dir(name: str) -> Path:
    in_repo = REPO_ROOT / name
    if in_repo.is_dir():
        return in_repo
    return PACKAGE_DIR / "_data" / name


QUESTIONNAIRE_DIR = _resource_dir("questionnaire")
DATASETS_DIR = _resource_dir("datasets")
