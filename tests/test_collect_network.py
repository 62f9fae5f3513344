"""`cem-edu collect --host 0.0.0.0` on a machine with two networks, in the system Chromium.

The server may listen only on 127.0.0.1 on the test machine, so the test builds its own network
namespace (``unshare --net``, root only) with two virtual Ethernet interfaces, 10.77.0.5 (the
default route) and 10.78.0.9, starts the command there and opens the instructor page in Chromium:
the form address and its QR code are the LAN address, never 127.0.0.1, and the second address is
listed. Skipped where namespaces cannot be made (not root, no ``unshare``/``ip``)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import CHROMIUM_ARGS, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

DRIVER = textwrap.dedent(r'''
    import json, subprocess, sys, time
    import httpx

    def sh(*cmd):
        subprocess.run(cmd, check=True, capture_output=True)

    sh("ip", "link", "set", "lo", "up")
    for k, (a, b, net) in enumerate([("v0", "w0", "10.77.0.5/24"), ("v1", "w1", "10.78.0.9/24")]):
        sh("ip", "link", "add", a, "type", "veth", "peer", "name", b)
        sh("ip", "addr", "add", net, "dev", a)
        sh("ip", "link", "set", a, "up")
        sh("ip", "link", "set", b, "up")
    sh("ip", "route", "add", "default", "via", "10.77.0.1", "dev", "v0")
    port, db, token, chromium, args, shot = sys.argv[1:7]
    log = open(db + ".log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "cem_edu.cli", "collect", "--host", "0.0.0.0", "--port", port,
                             "--db", db, "--token", token, "--lang", "en"], stdout=log, stderr=subprocess.STDOUT)
    out = {}
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://10.77.0.5:{port}/healthz", timeout=1).text == "ok":
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=json.loads(args))
            page = browser.new_page(viewport={"width": 1024, "height": 900})
            page.goto(f"http://10.77.0.5:{port}/admin?token={token}&lang=en")
            out["form_url"] = page.locator("#form-url").inner_text()
            out["qr"] = page.locator("svg.qr").evaluate("e => e.outerHTML")
            out["others"] = page.locator("#other-urls").inner_text()
            out["local_only"] = page.locator("#local-only").count()
            page.screenshot(path=shot, full_page=True)
            # the form opens at the address the QR code gives
            page.goto(out["form_url"] + "?lang=en")
            out["form_title"] = page.title()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
    out["banner"] = open(db + ".log").read()
    print(json.dumps(out))
''')


def _namespaces_work() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return False
    r = subprocess.run(["unshare", "--net", "ip", "link", "add", "t0", "type", "veth", "peer", "name", "t1"],
                       capture_output=True, timeout=30)
    return r.returncode == 0


def test_admin_page_with_host_0000_shows_the_lan_address_and_its_qr_code(tmp_path, chromium_path, output_dir):
    import segno

    if not _namespaces_work():
        pytest.skip("needs root with unshare and ip (veth) to build a network namespace with a LAN address")
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    port, token = "8898", "network-token-0123456789"
    shot = output_dir / "collect_admin_lan.png"
    r = subprocess.run(["unshare", "--net", sys.executable, str(driver), port, str(tmp_path / "lan.sqlite"), token,
                        chromium_path, json.dumps(CHROMIUM_ARGS), str(shot)],
                       cwd=ROOT, capture_output=True, text=True, timeout=180,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    url = f"http://10.77.0.5:{port}/"
    assert out["form_url"] == url                                   # the LAN address, not 127.0.0.1
    expected_qr = segno.make(url, error="m").svg_inline(scale=6, border=2, svgclass="qr", lineclass="qrline",
                                                        omitsize=True)
    assert _path_of(out["qr"]) == _path_of(expected_qr)             # the QR code encodes the LAN address
    assert f"http://10.78.0.9:{port}/" in out["others"] and "(v1)" in out["others"]
    assert out["local_only"] == 0
    assert out["form_title"] == "Customer experience survey"        # the form opened from that address
    banner = out["banner"]
    assert f"form:        {url}" in banner and f"instructor:  {url}admin?token={token}" in banner
    assert f"http://10.78.0.9:{port}/ (v1)" in banner
    assert banner.count(token) == 1 and "127.0.0.1" not in banner


def _path_of(svg: str) -> str:
    import re

    m = re.search(r'\sd="([^"]+)"', svg)
    return m.group(1) if m else svg
