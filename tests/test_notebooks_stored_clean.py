"""Notebooks are stored clean: no outputs, no execution counts, and a MyST twin in sync (jupytext).

Fix a failure with:
    .venv/bin/jupytext --set-formats ipynb,md:myst notebooks/NN_name.ipynb
    .venv/bin/jupyter nbconvert --clear-output --inplace notebooks/NN_name.ipynb
    .venv/bin/jupytext --sync notebooks/NN_name.ipynb
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]


def test_there_are_notebooks():
    names = {p.name for p in NOTEBOOKS}
    assert {"00_start_here.ipynb", "01_cem_theory.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_outputs_or_execution_counts(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts; clear them before committing"
    assert "widgets" not in nb.metadata, f"{path.name}: stored widget state; clear it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_paired_with_myst_twin(path):
    twin = path.with_suffix(".md")
    assert twin.is_file(), f"{path.name} has no MyST twin {twin.name}"
    formats = path.stem and nbformat.read(path, as_version=4).metadata.get("jupytext", {}).get("formats", "")
    assert "md:myst" in formats and "ipynb" in formats, f"{path.name}: jupytext formats are {formats!r}"
    head = twin.read_text(encoding="utf-8")[:600]
    assert "format_name: myst" in head, f"{twin.name} is not MyST markdown"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_twin_has_the_same_cells(path):
    jupytext = pytest.importorskip("jupytext")
    nb = nbformat.read(path, as_version=4)
    md = jupytext.read(path.with_suffix(".md"))
    ours = [(c.cell_type, c.source.strip()) for c in nb.cells]
    theirs = [(c.cell_type, c.source.strip()) for c in md.cells]
    assert len(ours) == len(theirs), f"{path.name}: {len(ours)} cells vs {len(theirs)} in the .md; run jupytext --sync"
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert a == b, f"{path.name}: cell {i} differs from the .md twin; run jupytext --sync"
