"""The static site of the notebooks (Jupyter Book 1.x, `make book`).

The normal suite does not build the book (about 80 s of notebook execution plus a venv of its own);
it checks what makes the build work offline and complete:

* every notebook in notebooks/*.ipynb has exactly one place in _toc.yml, and the MyST twins are
  excluded so each notebook is built once;
* _config.yml executes every notebook at build time (outputs are stripped in git), with a cell
  timeout, and fails on errors; it has no launch, repository, comment or analytics feature that
  needs the internet;
* `make book` installs Jupyter Book into its own venv (.venv-book), never into .venv (Jupyter Book 1.x
  pins Sphinx 7 / docutils 0.21 / markdown-it-py 3 and would downgrade .venv), and its pin matches the
  "book" extra of pyproject.toml;
* the local Sphinx extension notebooks/_ext/cem_book.py closes each Persian <div dir="rtl"> block
  around the headings inside it (Sphinx turns a heading into a <section>, and a <div> open across a
  section boundary breaks the page layout), checked on every notebook.

`CEM_EDU_BUILD_BOOK=1 .venv/bin/python -m pytest -m slow tests/test_book.py` runs `make book` and checks
the site: one page per notebook, balanced HTML, Persian blocks and the bundled font.
"""
from __future__ import annotations

import fnmatch
import html.parser
import importlib.util
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "notebooks"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))


def _config() -> dict:
    return yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))


def _toc() -> dict:
    return yaml.safe_load((BOOK / "_toc.yml").read_text(encoding="utf-8"))


def _toc_entries(toc: dict) -> list[dict]:
    entries: list[dict] = []

    def walk(items):
        for item in items or []:
            entries.append(item)
            walk(item.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return entries


def _extension():
    spec = importlib.util.spec_from_file_location("cem_book", BOOK / "_ext" / "cem_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _makefile_book() -> tuple[dict, str]:
    """The Makefile's variables and the recipe of the `book` target."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    variables = dict(re.findall(r"^([A-Z_]+)\s*:?=\s*(.*?)\s*$", text, flags=re.M))
    match = re.search(r"^book:.*\n((?:\t.*\n)+)", text, flags=re.M)
    assert match, "Makefile has no `book` target"
    return variables, match.group(1)


# ---- table of contents ----------------------------------------------------------------------------

def test_every_notebook_has_exactly_one_place_in_the_toc():
    assert len(NOTEBOOKS) >= 13
    toc = _toc()
    assert toc["format"] == "jb-book"
    assert (BOOK / f"{toc['root']}.md").is_file()
    entries = _toc_entries(toc)
    patterns = [e["glob"] for e in entries if "glob" in e]
    files = [str(Path(e["file"]).with_suffix("")) for e in entries if "file" in e]
    for nb in NOTEBOOKS:
        places = sum(fnmatch.fnmatchcase(nb.stem, g) for g in patterns) + files.count(nb.stem)
        assert places == 1, f"{nb.name} appears {places} times in notebooks/_toc.yml (must be exactly once)"


def test_each_notebook_is_built_once_from_the_ipynb():
    config = _config()
    assert config["only_build_toc_files"] is True
    excluded = config["exclude_patterns"]
    for nb in NOTEBOOKS:
        twin = nb.with_suffix(".md").name
        assert any(fnmatch.fnmatch(twin, p) for p in excluded), f"MyST twin {twin} is not excluded"
        assert not any(fnmatch.fnmatch(nb.name, p) for p in excluded), f"{nb.name} is excluded"
    assert not any(fnmatch.fnmatch("README.md", p) for p in excluded)   # the root page


# ---- execution and offline ------------------------------------------------------------------------

def test_book_executes_every_notebook_with_a_timeout_and_fails_on_errors():
    execute = _config()["execute"]
    assert execute["execute_notebooks"] in {"force", "cache"}
    assert isinstance(execute["timeout"], int) and 0 < execute["timeout"] <= 600
    assert execute.get("allow_errors", False) is False
    assert not execute.get("exclude_patterns"), "every notebook must run when the book is built"
    # stored without outputs: the book shows what the build ran, nothing stale
    for nb in NOTEBOOKS:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        assert not any(c.get("outputs") for c in cells), f"{nb.name} has stored outputs"


def test_book_needs_no_internet_to_build_or_use():
    config = _config()
    html = config.get("html", {})
    for key in ("use_edit_page_button", "use_repository_button", "use_issues_button"):
        assert html.get(key, False) is False, key
    assert not html.get("google_analytics_id") and not html.get("analytics", {}).get("google_analytics_id")
    comments = html.get("comments", {})
    assert not comments.get("hypothesis") and not comments.get("utterances")
    launch = config.get("launch_buttons", {})
    for key in ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url"):
        assert not launch.get(key), f"launch_buttons.{key} needs the internet"
    assert launch.get("thebe", False) is False
    sphinx = config.get("sphinx", {})
    extensions = (sphinx.get("extra_extensions") or []) + list((sphinx.get("local_extensions") or {}))
    assert "sphinx.ext.intersphinx" not in extensions
    assert not (sphinx.get("config") or {}).get("intersphinx_mapping")
    assert config.get("bibtex_bibfiles") is None or all((BOOK / f).is_file() for f in config["bibtex_bibfiles"])


def test_local_extension_and_its_files_exist():
    local = _config()["sphinx"]["local_extensions"]
    assert local == {"cem_book": "_ext"}
    assert (BOOK / "_ext" / "cem_book.py").is_file()
    css = (BOOK / "_ext" / "static" / "cem_book.css").read_text(encoding="utf-8")
    fonts = ROOT / "cem_edu" / "fonts"
    for font in re.findall(r'url\("([^"]+)"\)', css):
        assert (fonts / font).is_file(), f"{font} named in cem_book.css is not in cem_edu/fonts"
    assert 'div[dir="rtl"]' in css
    # a widget cannot run in a static page: the page says where it works instead of staying blank
    assert 'script[type="application/vnd.jupyter.widget-view+json"]' in css and "JupyterLab" in css


# ---- make book: its own venv ----------------------------------------------------------------------

def test_make_book_uses_its_own_venv_with_the_pyproject_pin():
    variables, recipe = _makefile_book()
    assert variables["BOOK_VENV"] not in {variables["VENV"], ""}
    assert "$(BIN)/python -m pip install" not in recipe and "$(BIN)/pip" not in recipe, \
        "make book must not install anything into .venv"
    assert "$(BOOK_VENV)/bin/jupyter-book build" in recipe
    assert "JUPYTER_PATH" in recipe and "ipykernel install --prefix $(BOOK_VENV)" in recipe
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    book_extra = re.search(r"^book\s*=\s*\[(.*)\]", pyproject, flags=re.M).group(1)
    pins = re.findall(r'"([^"]+)"', book_extra)
    assert pins == [variables["BOOK_REQ"]], (pins, variables["BOOK_REQ"])
    gitignore = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert f"{variables['BOOK_VENV']}/" in gitignore and "_build/" in gitignore


# ---- the Persian blocks ---------------------------------------------------------------------------

RTL = '<div dir="rtl" lang="fa">'


def test_split_rtl_blocks_moves_headings_out_and_leaves_code_alone():
    split = _extension().split_rtl_blocks
    text = f"{RTL}\n\nمتن\n\n## تمرین‌ها\n\nالف\n\n```python\n# not a heading\n```\n</div>\n"
    assert split(text) == (f"{RTL}\n\nمتن\n\n</div>\n\n## تمرین‌ها\n\n{RTL}\n\n\nالف\n\n"
                           "```python\n# not a heading\n```\n</div>\n")
    # a heading right after the opening tag: no empty block is left behind
    assert split(f"{RTL}\n\n## عنوان\n\nب\n</div>") == f"\n## عنوان\n\n{RTL}\n\n\nب\n</div>"
    # nothing to do: unchanged, including headings outside a Persian block
    plain = f"## Title\n\n{RTL}\n\nمتن\n</div>\n\n## Next\n"
    assert split(plain) == plain


def _rtl_problems(text: str) -> list[str]:
    """Headings inside a Persian block, and blocks left open, in one markdown cell."""
    problems, open_block, fence = [], False, False
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith(("```", "~~~")):
            fence = not fence
        elif fence:
            continue
        elif re.match(r'^<div\s+[^>]*dir="rtl"', s):
            open_block = True
        elif s == "</div>":
            open_block = False
        elif open_block and re.match(r"^#{1,6}\s", line):
            problems.append(f"heading inside a Persian block: {line!r}")
    if open_block:
        problems.append("Persian block not closed in its cell")
    return problems


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_persian_block_survives_sphinx(nb):
    split = _extension().split_rtl_blocks
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    problems = []
    n_rtl = 0
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        n_rtl += source.count('dir="rtl"')
        problems += [f"cell {i}: {p}" for p in _rtl_problems(split(source))]
    assert not problems, f"{nb.name}: " + "; ".join(problems)
    assert n_rtl >= 1, f"{nb.name} has no Persian (dir=\"rtl\") block"


# ---- the real build (opt-in) ----------------------------------------------------------------------

class _Balance(html.parser.HTMLParser):
    TAGS = {"div", "section", "article", "main"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.mismatches = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag not in self.TAGS:
            return
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.mismatches += 1


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("CEM_EDU_BUILD_BOOK") != "1",
                    reason="builds the book (~2 min): set CEM_EDU_BUILD_BOOK=1 to run")
def test_make_book_builds_the_site():
    done = subprocess.run(["make", "book"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    site = BOOK / "_build" / "html"
    assert (site / "index.html").is_file()
    for nb in NOTEBOOKS:
        page = (site / f"{nb.stem}.html").read_text(encoding="utf-8")
        checker = _Balance()
        checker.feed(page)
        assert checker.mismatches == 0 and not checker.stack, f"{nb.stem}.html: unbalanced HTML"
        assert RTL in page and "cem_book.css" in page
        assert 'class="cell_output' in page, f"{nb.stem}.html shows no executed output"
    assert (site / "_static" / "Vazirmatn-Regular.woff2").is_file()
