"""The Persian form on a phone, in the system Chromium (Playwright): fill, submit, thank-you page;
an invalid submission shows the errors in Persian. Screenshots go to tests/output/."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CHROMIUM_ARGS

TOKEN = "browser-token-789"

pytestmark = pytest.mark.browser

FA_THANKS = "سپاسگزاریم!"
FA_REQUIRED = "لطفاً به این پرسش پاسخ دهید."


@pytest.fixture(scope="module")
def inst():
    from cem_edu.instrument import load_instrument

    return load_instrument()


@dataclass
class InProcessServer:
    url: str
    db: Path
    token: str


@pytest.fixture(scope="module")
def server(tmp_path_factory, inst):
    """The app under uvicorn in a thread of this process (the instrument is loaded once; the
    subprocess start through the CLI is covered by test_collect_live.py)."""
    import socket
    import threading
    import time

    import httpx
    import uvicorn

    from cem_edu.collect.server import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path_factory.mktemp("browser") / "browser.sqlite"
    app = create_app(inst, db=db, token=TOKEN, lang="fa")
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).text == "ok":
                break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    yield InProcessServer(url, db, TOKEN)
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="fa-IR")
    page = context.new_page()
    page.console_messages_seen = []
    page.on("console", lambda m: page.console_messages_seen.append((m.type, m.text)))
    page.on("pageerror", lambda e: page.console_messages_seen.append(("pageerror", str(e))))
    yield page
    context.close()


def console_errors(page, allowed_status: int | None = None) -> list[str]:
    """Console errors, except Chromium's note about the deliberate 422 status of a re-shown form."""
    return [text for kind, text in page.console_messages_seen
            if kind in ("error", "pageerror")
            and not (allowed_status and f"status of {allowed_status}" in text)]


def answer_everything(page, inst):
    from cem_edu.collect.form import questions

    for i, q in enumerate(questions(inst)):
        if q.kind == "choice":
            page.locator(f'#q-{q.id} input[value="{q.options[-1].value}"]').check()
        elif q.kind == "number":
            page.fill(f"#in-{q.id}", "۱۲۰")                           # typed with Persian digits
        else:
            value = inst.attention_check[1] if q.id == inst.attention_check[0] else q.min + 1 + i % (q.max - q.min - 1)
            page.locator(f'#q-{q.id} input[value="{value}"]').check()


def test_phone_fills_persian_form_and_sees_thank_you(phone, inst, server, output_dir):
    page = phone
    page.goto(server.url + "/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "fa"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390          # no sideways scrolling
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px Vazirmatn')")
    assert "Vazirmatn" in page.evaluate("getComputedStyle(document.body).fontFamily")
    page.screenshot(path=str(output_dir / "collect_form_fa_phone.png"))
    answer_everything(page, inst)
    sid = page.locator('input[name="sid"]').get_attribute("value")
    page.locator("button.submit").click()
    page.wait_for_url("**/thanks?lang=fa")
    assert page.locator("h1").inner_text() == FA_THANKS
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.screenshot(path=str(output_dir / "collect_thanks_fa_phone.png"))
    page.go_back()                                         # back and send the same form again
    page.locator("button.submit").click()
    page.wait_for_url("**/thanks?lang=fa")
    from cem_edu.collect.store import load_responses

    data = load_responses(server.db, inst, meta=True)
    mine = data[data["submission_id"] == sid].reset_index()
    assert len(mine) == 1                                   # stored once
    assert mine.loc[0, "spend"] == 120 and mine.loc[0, "lang"] == "fa"
    assert mine.loc[0, "segment"] == list(inst.field("segment").choices)[-1]
    assert mine.loc[0, "duration_sec"] > 0
    assert console_errors(page) == []


def test_invalid_submission_shows_persian_errors(phone, inst, server, output_dir):
    page = phone
    from cem_edu.collect.store import ResponseStore

    before = ResponseStore(server.db).count()
    page.goto(server.url + "/")
    page.locator('#q-segment input[value="student"]').check()
    page.locator('#q-FUN1 input[value="6"]').check()
    page.locator("button.submit").click()
    page.wait_for_selector(".summary")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "بررسی کنید" in page.locator(".summary").inner_text()
    assert page.locator("#q-FUN2 .error").inner_text() == FA_REQUIRED
    assert page.locator("#q-channel .error").inner_text() == FA_REQUIRED
    assert page.locator("#q-FUN1 .error").count() == 0
    assert page.locator('#q-FUN1 input[value="6"]').is_checked()            # answers kept
    assert page.locator('#q-segment input[value="student"]').is_checked()
    page.locator("#q-FUN2").scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "collect_errors_fa_phone.png"))
    page.goto(server.url + "/?lang=en")
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.locator("button.submit").click()
    page.wait_for_selector(".summary")
    assert page.locator("#q-FUN2 .error").inner_text() == "Please answer this question."
    assert ResponseStore(server.db).count() == before
    assert console_errors(page, allowed_status=422) == []


def test_admin_page_live_count(phone, inst, server, output_dir):
    from cem_edu.i18n import to_persian_digits
    from cem_edu.collect.store import ResponseStore

    page = phone
    before = ResponseStore(server.db).count()
    page.goto(f"{server.url}/admin?token={server.token}")
    assert page.url.endswith("/admin?lang=fa")                  # the token left the address bar
    assert page.locator("#count").inner_text() == to_persian_digits(before)
    assert page.locator("svg.qr").count() == 1
    # bound to 127.0.0.1: the page says, in Persian, how to start the server for phones
    warning = page.locator("#local-only")
    assert warning.is_visible()
    assert "گوشی‌ها نمی‌توانند این نشانی را باز کنند" in warning.inner_text()
    assert "--host 0.0.0.0" in warning.inner_text() and "همان شبکه" in warning.inner_text()
    import httpx

    from test_collect_live import respond

    with httpx.Client() as c:
        assert respond(c, server.url, inst, seed=1)[1] == 303
    after = to_persian_digits(before + 1)
    from playwright.sync_api import expect

    expect(page.locator("#count")).to_have_text(after, timeout=8000)    # refreshed by admin.js, no reload
    page.screenshot(path=str(output_dir / "collect_admin_fa_phone.png"), full_page=True)
    assert console_errors(page) == []


def test_rejected_submit_and_back_keep_every_answer_with_progress_headers(phone, inst, server, output_dir):
    """After a rejected submit the form comes back with every answer, the number too; Back to the
    first form keeps it as well (it was lost: autocomplete=off). A 40-question form on a phone has a
    progress header per section."""
    from cem_edu.collect.form import questions
    from cem_edu.collect.server import form_sections

    page = phone
    page.goto(server.url + "/")
    sections = form_sections(questions(inst))
    assert page.locator("p.progress").count() == len(sections)
    assert page.locator("p.progress progress").first.get_attribute("max") == str(sum(q.is_item for q in questions(inst)))
    page.locator("#part-3").scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "collect_progress_fa_phone.png"))
    answer_everything(page, inst)
    page.locator('#q-FUN2 input').first.evaluate("e => { for (const r of document.getElementsByName('FUN2')) r.checked = false; }")
    page.fill("#in-spend", "۱۲٫۵")
    chosen = {q.id: page.locator(f'input[name="{q.id}"]:checked').get_attribute("value")
              for q in questions(inst) if q.kind != "number" and q.id != "FUN2"}
    page.locator("button.submit").click()
    page.wait_for_selector(".summary")
    assert page.locator("#q-FUN2 .error").inner_text() == FA_REQUIRED
    assert page.locator("#in-spend").input_value() == "۱۲٫۵"                  # the number is kept
    for qid, value in chosen.items():
        assert page.locator(f'input[name="{qid}"][value="{value}"]').is_checked(), qid
    page.go_back()                                                              # Back to the first form
    page.wait_for_selector("#in-spend")
    assert page.locator("#in-spend").input_value() == "۱۲٫۵"
    assert console_errors(page, allowed_status=422) == []
