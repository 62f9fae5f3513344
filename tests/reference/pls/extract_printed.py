"""Extract the printed R outputs of the corporate-reputation case from the companion page of
Hair, Hult, Ringle, Sarstedt, Danks & Ray (2021), *Partial Least Squares Structural Equation
Modeling (PLS-SEM) Using R*, Springer (open access), which reproduces the PLS-SEM Primer's
corporate reputation model with seminr and prints every table.

Source: GitHub sem-in-r/seminr, ``docs/index.html`` at commit 5636c6a ("added index page to
webpage"), published at https://sem-in-r.github.io/seminr/ . Run:

    git -C <seminr clone> show 5636c6a:docs/index.html > index.html
    python tests/reference/pls/extract_printed.py index.html

Writes ``hair2021_printed.txt`` beside this script: every R console block (the lines starting
with ``##``) with the R command that printed it, verbatim. tests/test_pls_published.py parses
that file; no number is typed by hand.
"""
import html
import re
import sys
from pathlib import Path

src = Path(sys.argv[1]).read_text(encoding="utf-8")
src = re.sub(r"<script.*?</script>|<style.*?</style>", "", src, flags=re.S)
text = html.unescape(re.sub(r"<[^>]+>", "", src))
out, last_cmd, block = [], None, []
for line in text.splitlines():
    if line.startswith("##"):
        block.append(line)
        continue
    if block:
        out.append(f">>> {last_cmd}\n" + "\n".join(block) + "\n")
        block = []
    if line.strip() and not line.startswith(" "):
        last_cmd = line.strip()
if block:
    out.append(f">>> {last_cmd}\n" + "\n".join(block) + "\n")
Path(__file__).with_name("hair2021_printed.txt").write_text("\n".join(out), encoding="utf-8")
print(len(out), "blocks")
