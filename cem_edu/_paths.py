"""Where the bundled resources live (one place, so a packaging change touches one file)."""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
QUESTIONNAIRE_DIR = REPO_ROOT / "questionnaire"
DATASETS_DIR = REPO_ROOT / "datasets"
