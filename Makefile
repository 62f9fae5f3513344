# cem-edu — the two commands:  make report   (set up + main job)   make test   (whole test suite)
# Needs only python3 (>= 3.10, with venv) and make; everything else is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help setup report report-fa test test-fast lab bench book chromium libreoffice postgresql check-python clean

help:
	@echo "make report   set up .venv and write report.html from the bundled data"
	@echo "make test     run the whole test suite (unit, reference, browser, notebooks)"
	@echo "make lab      open JupyterLab at the repository root on notebooks/00_start_here.ipynb"
	@echo "make bench    run benchmarks/ (ratios against semopy, and lavaan when Rscript exists)"
	@echo "make book     build the static site of the notebooks (Jupyter Book)"

check-python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "cem-edu needs Python 3.10 or newer: install it (Debian/Ubuntu: sudo apt-get install python3 python3-venv) and run make again."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || { echo "cem-edu needs Python 3.10 or newer; '$(PYTHON)' is $$($(PYTHON) -V 2>&1). Install a newer Python or run: make PYTHON=python3.11 ..."; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { echo "Python's venv module is missing: install it (Debian/Ubuntu: sudo apt-get install python3-venv) and run make again."; exit 1; }

$(STAMP): pyproject.toml | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# setuptools prints a generic advisory for every editable install ("be careful with folders ... same
	@# name as your package"); it is not about this project, so it is silenced (pip install . is quiet too)
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/python -m pip install --quiet -e ".[dev,real-data,dask,postgres]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)

report: $(STAMP)
	$(BIN)/cem-edu report datasets/cem_survey.csv --out report.html

report-fa: $(STAMP)
	$(BIN)/cem-edu report datasets/cem_survey.csv --lang fa --out report_fa.html

# Browser tests use the system Chromium (Debian package), never a downloaded browser.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: chromium not found; browser tests will be skipped (sudo apt-get install chromium)"; fi; }

# The Word report's test converts it to PDF with LibreOffice (Debian's headless Writer) and pdftoppm.
libreoffice:
	@command -v soffice >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's libreoffice-writer-nogui for the Word-report test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui poppler-utils >/dev/null; \
	  else echo "note: LibreOffice not found; the Word report's PDF check will be skipped (sudo apt-get install libreoffice-writer-nogui)"; fi; }

# The live-collection tests also run on a real PostgreSQL server: a throw-away cluster that the
# tests start themselves (initdb + pg_ctl as an unprivileged user) from Debian's server programs.
postgresql:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's postgresql for the live-collection tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "note: PostgreSQL server programs not found; its collection tests will be skipped (sudo apt-get install postgresql)"; fi; }

# One pytest run: unit, reference, browser and live-server tests, then every notebook (nbmake).
test: $(STAMP) chromium libreoffice postgresql
	$(BIN)/python -m pytest --nbmake --nbmake-timeout=120 tests notebooks $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests -m "not browser and not slow" -x -q

# Lab serves the repository root (datasets/, questionnaire/, docs/ visible) and opens the first notebook.
# The jupytext twins (NN_name.md) and the book's files are hidden from the file browser; as root (a
# container, a class server) Lab refuses to start without --allow-root, so it is passed with a note.
LAB_HIDE := __pycache__ *.pyc *.pyo .DS_Store *~ .ipynb_checkpoints [0-9][0-9]_*.md [0-9][0-9][a-z]_*.md _ext _toc.yml _config.yml _build build *.egg-info
LAB_ARGS ?=
lab: $(STAMP)
	@allow=""; if [ "$$(id -u)" = 0 ]; then echo "note: running as root (a container or class server), so Lab starts with --allow-root"; allow="--allow-root"; fi; \
	hide=""; for g in $(LAB_HIDE); do hide="$$hide --ContentsManager.hide_globs=$$g"; done; \
	exec $(BIN)/jupyter lab $$allow --ServerApp.root_dir="$(CURDIR)" $$hide $(LAB_ARGS) notebooks/00_start_here.ipynb

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The book builds in its own venv: Jupyter Book 1.x pins Sphinx 7 / docutils 0.21 / markdown-it-py 3,
# older than what .venv holds, so installing it there would downgrade them. The notebooks still run
# in .venv: a "python3" kernelspec pointing at .venv/bin/python is put first on JUPYTER_PATH.
# --all re-runs every notebook (the kit may have changed); warnings are errors, so a notebook that
# fails to execute fails the build. Refresh the book venv: rm -rf .venv-book
# Keep BOOK_REQ in step with the "book" extra in pyproject.toml (tests/test_book.py checks it).
BOOK_VENV := .venv-book
BOOK_REQ := jupyter-book>=1.0,<2
book: $(STAMP)
	test -x $(BOOK_VENV)/bin/jupyter-book || { $(PYTHON) -m venv $(BOOK_VENV) && \
	  $(BOOK_VENV)/bin/python -m pip install --quiet --upgrade pip && \
	  $(BOOK_VENV)/bin/python -m pip install --quiet "$(BOOK_REQ)"; }
	$(BIN)/python -m ipykernel install --prefix $(BOOK_VENV)/kernel --name python3 >/dev/null 2>&1 || \
	  { echo "could not write the .venv kernelspec for the book (is ipykernel in .venv? run make setup)"; exit 1; }
	JUPYTER_PATH="$(CURDIR)/$(BOOK_VENV)/kernel/share/jupyter" \
	  $(BOOK_VENV)/bin/jupyter-book build --all --warningiserror --keep-going notebooks
	@test -f notebooks/_build/html/index.html && echo "Open notebooks/_build/html/index.html in a browser."

clean:
	rm -rf $(VENV) .venv-book report.html report_fa.html tests/output .pytest_cache
