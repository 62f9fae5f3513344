"""Lint (and mechanically fix) the Persian of cem-edu against docs/fa_glossary.yaml.

    python tests/fa_style.py            # list every violation, exit 1 if any
    python tests/fa_style.py --doc      # rewrite the tables of docs/fa_style.md from the glossary
    python tests/fa_style.py --fix      # rewrite the variants that have a mechanical replacement
                                        # (then run `jupytext --sync notebooks/*.md notebooks/exercises/*.md`)

What is linted: the Persian blocks (``<div dir="rtl" lang="fa">``) and Persian string literals of the
notebooks (the MyST twins, notebooks/*.md and notebooks/exercises/*.md; the .ipynb are their jupytext
pairs), the ``fa`` strings of cem_edu/locales/*.yaml, every template (cem_edu/**/templates/*) and the
bundled questionnaires (questionnaire/*.yaml, whose Persian wording respondents and notebooks show).
Inline code (`...`) and code blocks in Persian prose are exempt from the English-word rule.
The glossary (one term per concept, one ezafe style, author names) is data: docs/fa_glossary.yaml;
docs/fa_style.md explains it.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "fa_glossary.yaml"
PERSIAN = re.compile(r"[\u0600-\u06FF]")
RTL_BLOCK = re.compile(r'<div dir="rtl" lang="fa">(.*?)</div>', re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`|```.*?```", re.S)
# «۱. ...» is not a Markdown list marker: Persian exercise lists ran together as one paragraph.
# Lists are written "1." and shown with Persian numerals by CSS (list-style-type: persian).
PERSIAN_LIST_MARKER = re.compile(r"(?m)^([۰-۹]+)\.(?= )")
_TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")


@dataclass(frozen=True)
class Rule:
    concept: str
    preferred: str
    pattern: re.Pattern
    replace: str            # "" = rewrite by hand
    kind: str               # "term", "ezafe", "author", "english"


def load_rules(path: Path = GLOSSARY) -> list[Rule]:
    g = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = []
    e = g["ezafe"]
    for pat in e["forbid"]:
        rules.append(Rule(e["concept"], e["fa"], re.compile(pat), e["replace"], "ezafe"))
    for r in g["rules"]:
        if len(r["forbid"]) != len(r["replace"]):
            raise ValueError(f"glossary rule {r['concept']!r}: forbid and replace differ in length")
        for pat, rep in zip(r["forbid"], r["replace"]):
            rules.append(Rule(r["concept"], r["fa"], re.compile(pat), rep, "term"))
    for a in g["authors"]:
        for pat in a["forbid"]:
            pattern = re.compile(r"(?<![\u0621-\u06FF])" + re.escape(pat) + r"(?![\u0621-\u06FF])")
            rules.append(Rule(a["en"], a["fa"], pattern, "" if " " in pat else a["fa"], "author"))
    en = g["english_in_persian"]
    for pat, fa in zip(en["forbid"], en["fa"]):
        rules.append(Rule(en["concept"], fa, re.compile(pat), "", "english"))
    return rules


def files() -> list[Path]:
    nbs = sorted((ROOT / "notebooks").glob("*.md")) + sorted((ROOT / "notebooks" / "exercises").glob("*.md"))
    locales = sorted((ROOT / "cem_edu" / "locales").glob("*.yaml"))
    templates = sorted(p for p in (ROOT / "cem_edu").rglob("templates/*") if p.is_file())
    questionnaire = sorted((ROOT / "questionnaire").rglob("*.yaml")) + [ROOT / "questionnaire" / "README.md"]
    return nbs + locales + templates + questionnaire


def persian_text(path: Path, text: str) -> list[tuple[int, str, bool]]:
    """(line number, Persian text, is prose) pieces of a file: the RTL blocks of notebooks (prose) and
    every other line with Persian in it (code-cell strings, locale values, template lines)."""
    out = []
    if path.suffix == ".md":
        for m in RTL_BLOCK.finditer(text):
            out.append((text.count("\n", 0, m.start(1)) + 1, m.group(1), True))
        text = RTL_BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for i, line in enumerate(text.splitlines(), 1):
        if PERSIAN.search(line):
            out.append((i, line, False))
    return out


def lint_text(path: Path, text: str, rules: list[Rule]) -> list[str]:
    problems = []
    if path.suffix == ".md":
        for m in PERSIAN_LIST_MARKER.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            problems.append(f"{name}:{line}: «{m.group(0)}» -> {m.group(1).translate(_TO_ASCII)}. "
                            "(a Markdown list item; CSS shows Persian numerals)")
    for line0, piece, is_prose in persian_text(path, text):
        prose = INLINE_CODE.sub(lambda m: " " * len(m.group(0)), piece)
        for rule in rules:
            if rule.kind == "english" and not is_prose:
                continue            # English words count only in Persian prose, outside inline code
            target = prose if rule.kind == "english" else piece
            for m in rule.pattern.finditer(target):
                if rule.kind == "english" and not _in_persian_prose(target, m.start()):
                    continue
                line = line0 + target.count("\n", 0, m.start())
                name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                problems.append(f"{name}:{line}: «{m.group(0)}» -> {rule.preferred} ({rule.concept})")
    return problems


def _in_persian_prose(piece: str, pos: int) -> bool:
    """A Latin word on a Persian line of an RTL block (not a heading, code fence or HTML line) is prose."""
    line = piece[piece.rfind("\n", 0, pos) + 1: piece.find("\n", pos) if piece.find("\n", pos) >= 0 else None]
    return bool(PERSIAN.search(line)) and not line.lstrip().startswith(("#", "```", "<"))


def lint(paths=None, rules=None) -> list[str]:
    rules = rules or load_rules()
    out = []
    for p in paths or files():
        out += lint_text(p, p.read_text(encoding="utf-8"), rules)
    return out


def fix_text(text: str, rules: list[Rule]) -> str:
    text = PERSIAN_LIST_MARKER.sub(lambda m: m.group(1).translate(_TO_ASCII) + ".", text)
    for rule in rules:
        if rule.replace and rule.kind != "english":
            text = rule.pattern.sub(rule.replace, text)
    return text


def render_doc(path: Path = ROOT / "docs" / "fa_style.md") -> str:
    """docs/fa_style.md with its two tables rewritten from the glossary (``--doc`` writes it)."""
    g = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    cell = lambda xs: "، ".join(f"«{x}»" for x in xs).replace("|", "\\|")   # noqa: E731
    rules = "\n".join(f"| {r['concept']} | {r['fa']} | {cell(r['forbid'])} |" for r in g["rules"])
    authors = "\n".join(f"| {a['en']} | {a['fa']} | {cell(a['forbid'])} |" for a in g["authors"])
    text = path.read_text(encoding="utf-8")
    for name, rows, head in (("rules", rules, "| concept | Persian | not |"), ("authors", authors, "| author | Persian | not |")):
        text = re.sub(rf"<!-- glossary:{name} -->\n.*?<!-- /glossary:{name} -->",
                      lambda m: f"<!-- glossary:{name} -->\n{head}\n|---|---|---|\n{rows}\n<!-- /glossary:{name} -->",
                      text, flags=re.S)
    return text


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    rules = load_rules()
    if "--doc" in argv:
        doc = ROOT / "docs" / "fa_style.md"
        doc.write_text(render_doc(doc), encoding="utf-8")
    if "--fix" in argv:
        for p in files():
            old = p.read_text(encoding="utf-8")
            new = fix_text(old, rules)
            if new != old:
                p.write_text(new, encoding="utf-8")
                print(f"fixed {p.relative_to(ROOT)}")
    problems = lint(rules=rules)
    print("\n".join(problems) or "Persian style: no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
