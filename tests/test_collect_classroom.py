"""`cem-edu collect` in real classrooms (issues #15 §3 and #23 "class server"), in process:
one class behind one NAT address, rejected submits that keep every answer, resubmitted forms,
numbers with ranges, the admin page's address advice, the notebook line, the form's text and its
progress headers, and the command's --help."""
from __future__ import annotations

import html as htmllib
import logging
import re
import warnings

import pytest

from cem_edu.collect.form import _parse_number, questions, validate
from cem_edu.collect.server import create_app, form_sections, notebook_line
from cem_edu.errors import InstrumentError
from cem_edu.instrument import load_instrument
from test_collect import TOKEN, answers, assert_answers_kept, hidden

warnings.filterwarnings("ignore", message=".*httpx2.*")
from starlette.testclient import TestClient  # noqa: E402


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


def _client(tmp_path, inst, name="c.sqlite", lang="fa", **kw):
    app = create_app(inst, db=tmp_path / name, token=TOKEN, lang=lang, **kw)
    return app, TestClient(app, base_url="http://testserver")


# ---------------------------------------------------------------------------- one class, one address
def test_a_class_behind_one_nat_address_is_never_refused(tmp_path, inst):
    """150 students and then a second round of 60 from the same address (the TestClient's) within
    seconds: every form opens, every answer is stored and thanked (the old limit, 240 per address,
    gave 66 x 429 to 150 students)."""
    app, c = _client(tmp_path, inst)
    with c:
        statuses = []
        for i in range(210):
            page = c.get("/")
            assert page.status_code == 200
            r = c.post("/", data={**hidden(page.text), **answers(inst, seed=i)}, follow_redirects=False)
            statuses.append(r.status_code)
            assert c.get(r.headers["location"]).status_code == 200      # the thank-you page
        assert statuses == [303] * 210
        assert app.state.store.count() == 210


def test_per_form_limit_keeps_every_answer_and_stored_answers_are_thanked(tmp_path, inst):
    app, c = _client(tmp_path, inst, form_rate=(3, 0.001))
    with c:
        form = hidden(c.get("/").text)
        bad = {**form, **answers(inst, FUN1=None, spend="1.5")}
        codes = [c.post("/", data=bad, follow_redirects=False) for _ in range(4)]
        assert [r.status_code for r in codes] == [422, 422, 422, 429]
        busy = codes[-1]
        assert "افراد زیادی در حال پاسخ‌دادن" in busy.text and busy.headers["retry-after"] == "5"
        assert_answers_kept(busy.text, bad, inst)                        # including the number field
        assert 'name="spend" value="1.5"' in busy.text
        assert hidden(busy.text)["sid"] == form["sid"]
        # another respondent (another form) is not affected by this one's limit
        other = hidden(c.get("/").text)
        assert c.post("/", data={**other, **answers(inst)}, follow_redirects=False).status_code == 303
        assert app.state.store.count() == 1


def test_an_answer_that_was_stored_never_gets_an_error(tmp_path, inst, monkeypatch, caplog):
    """The database commits, then the call fails (a lost connection): the respondent is thanked."""
    app, c = _client(tmp_path, inst)
    store = app.state.store
    real_add = store.add

    def add_then_fail(*args, **kw):
        real_add(*args, **kw)
        raise OSError("connection reset after commit")

    monkeypatch.setattr(store, "add", add_then_fail)
    with c, caplog.at_level(logging.ERROR, logger="cem_edu.collect"):
        form = hidden(c.get("/").text)
        r = c.post("/", data={**form, **answers(inst)}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/thanks?lang=fa"
        assert store.count() == 1
    assert "connection reset after commit" in caplog.text


def test_resubmitting_a_saved_form_with_changed_answers_says_so(tmp_path, inst):
    app, c = _client(tmp_path, inst, lang="en")
    with c:
        form = hidden(c.get("/?lang=en").text)
        body = {**form, **answers(inst, spend="250", FUN1="2")}
        assert c.post("/", data=body, follow_redirects=False).status_code == 303
        same = c.post("/", data=body, follow_redirects=False)            # a double click: nothing to say
        assert same.headers["location"] == "/thanks?lang=en"
        assert 'id="changed"' not in c.get(same.headers["location"]).text
        changed = c.post("/", data={**body, "FUN1": "6", "spend": "251"}, follow_redirects=False)
        assert changed.status_code == 303 and changed.headers["location"] == "/thanks?lang=en&changed=1"
        page = c.get(changed.headers["location"]).text
        assert "your first answers are the ones saved; the changes you made afterwards were not saved" in page
        assert app.state.store.count() == 1
        assert app.state.store.answers(form["sid"])["FUN1"] == 2       # the first answers are kept
        assert app.state.store.answers("no-such-id") is None


def test_expired_form_comes_back_with_every_answer(tmp_path, inst):
    app, c = _client(tmp_path, inst, form_max_age=-1)
    with c:
        form = hidden(c.get("/").text)
        body = {**form, **answers(inst, spend="42.5")}
        r = c.post("/", data=body, follow_redirects=False)
        assert r.status_code == 403 and "این فرم زمان زیادی باز مانده بود" in r.text
        assert_answers_kept(r.text, body, inst)
        assert app.state.store.count() == 0


# ---------------------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("typed, value", [("1,5", 1.5), ("1,500", None), ("۱۲٫۳", 12.3), ("250", 250),
                                          ("۱٬۲۵۰", 1250), ("1,234.5", 1234.5), ("1,500,000", None),
                                          ("1e308", None), ("1_000", None), ("inf", None), ("nan", None),
                                          ("-1", None), ("12abc", None)])
def test_spend_is_parsed_once_and_checked_against_its_range(inst, typed, value):
    """`1,5` was stored as 15, `1_000` as 1000 and `1e308` was accepted (issue #15)."""
    qs = questions(inst)
    values, errors = validate(qs, answers(inst, spend=typed))
    if value is None:
        assert "spend" in errors and values["spend"] is None
    else:
        assert "spend" not in errors and values["spend"] == pytest.approx(value)


def test_out_of_range_number_is_refused_with_a_message_and_answers_kept(tmp_path, inst):
    app, c = _client(tmp_path, inst, lang="en")
    with c:
        for typed, message in (("1e308", "Enter a number (for example 250000). "),
                               ("1_000", "Enter a number (for example 250000). "),
                               ("2000000", "Enter a number of at most 1000000.")):
            form = hidden(c.get("/?lang=en").text)
            body = {**form, **answers(inst, spend=typed)}
            r = c.post("/", data=body, follow_redirects=False)
            assert r.status_code == 422
            block = r.text[r.text.index('id="q-spend"'):]
            assert message in block
            assert_answers_kept(r.text, body, inst)
        assert app.state.store.count() == 0


def test_every_numeric_field_has_a_range(inst, tmp_path):
    numeric = [f for f in inst.respondent_fields if f.numeric]
    assert numeric and all(f.min is not None and f.max is not None for f in numeric)
    restaurant = load_instrument(inst.path.parent / "examples" / "restaurant.yaml")
    assert all(f.min is not None and f.max is not None for f in restaurant.respondent_fields if f.numeric)
    text = inst.path.read_text(encoding="utf-8").replace("    max: 1000000\n", "", 1)
    bad = tmp_path / "no_range.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"numeric field 'spend' has no range \(min and max\).*max:"):
        load_instrument(bad)


def test_number_parser_has_one_call_site():
    from pathlib import Path

    import cem_edu.collect.form as form

    source = Path(form.__file__).read_text(encoding="utf-8")
    assert source.count("_parse_number(") == 2                          # the definition and the one call
    assert "from ..intake.numbers import parse_number" in source         # the shared parser (issue #15)
    assert _parse_number("۱٬۲۵۰") == (1250, None)
    value, why = _parse_number("1,500")                                  # ambiguous: 1500 or 1.5? asked, not guessed
    assert value is None and "1500" in why["en"] and "1.5" in why["en"] and why["fa"] != why["en"]


# --------------------------------------------------------------------------------- the admin page
def _admin(c):
    assert c.get(f"/admin?token={TOKEN}", follow_redirects=False).status_code == 303
    return c.get("/admin?lang=en").text, c.get("/admin?lang=fa").text


def test_admin_page_on_localhost_says_how_phones_can_reach_it(tmp_path, inst):
    app, c = _client(tmp_path, inst, public_url="http://127.0.0.1:8898/", bind_host="127.0.0.1")
    with c:
        en, fa = _admin(c)
    assert "Phones cannot open this address" in en and "--host 0.0.0.0" in en
    assert "the same network (the same Wi-Fi)" in en
    assert "گوشی‌ها نمی‌توانند این نشانی را باز کنند" in fa and "--host 0.0.0.0" in fa
    assert "همان شبکه (همان Wi-Fi)" in fa
    assert "cem-edu collect --host 0.0.0.0 --port 8898" in en


def test_admin_page_bound_to_all_interfaces_shows_the_lan_address(tmp_path, inst):
    import segno

    url = "http://192.168.1.20:8000/"
    app, c = _client(tmp_path, inst, public_url=url, bind_host="0.0.0.0",
                     other_urls=[("eth1", "http://10.0.0.7:8000/")])
    with c:
        en, _ = _admin(c)
    assert 'id="local-only"' not in en and "Phones cannot open" not in en
    assert f'id="form-url">{url}</a>' in en
    qr = segno.make(url, error="m").svg_inline(scale=6, border=2, svgclass="qr", lineclass="qrline", omitsize=True)
    assert qr in en                                                     # the QR code encodes the LAN address
    others = en[en.index('id="other-urls"'):]
    assert "several network addresses" in others and "http://10.0.0.7:8000/" in others and "(eth1)" in others


def test_notebook_line_has_the_absolute_path_and_the_instrument(tmp_path, inst, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app, c = _client(tmp_path, inst)
    db = str((tmp_path / "c.sqlite").resolve())
    assert app.state.notebook_line == f'data = ce.load_responses("{db}", ce.load_instrument())'
    custom = tmp_path / "q.yaml"
    custom.write_text(inst.path.read_text(encoding="utf-8"), encoding="utf-8")
    line = notebook_line(app.state.store, "q.yaml")
    assert line == f'data = ce.load_responses("{db}", ce.load_instrument("{custom.resolve()}"))'
    with c:
        en, _ = _admin(c)
    assert htmllib.escape(app.state.notebook_line, quote=True) in en or app.state.notebook_line.replace('"', "&#34;") in en
    # the line runs
    import cem_edu as ce

    namespace = {"ce": ce}
    exec(line, namespace)
    assert list(namespace["data"].columns)[:3] == ["id", "segment", "channel"]


# ------------------------------------------------------------------------------------ the form text
def _visible_text(page: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("lang, optional, name", [("en", "optional", "name"), ("fa", "اختیاری", "نام شما")])
def test_optional_and_name_statement_appear_once(tmp_path, inst, lang, optional, name):
    app, c = _client(tmp_path, inst, lang=lang)
    with c:
        page = c.get(f"/?lang={lang}").text
    spend = page[page.index('id="q-spend"'):]
    spend = spend[:spend.index("</div>")]
    assert _visible_text(spend).count(optional) == 1
    intro = page[page.index('class="intro"'):page.index("<form")]
    assert _visible_text(intro).count(name) == 1


def test_progress_headers_per_section(tmp_path, inst):
    qs = questions(inst)
    sections = form_sections(qs)
    n_items = sum(q.is_item for q in qs)
    assert sections[0]["key"] == "about" and sections[-1]["key"] == "last"
    assert [s["first"] for s in sections[1:-1]] == [1] + [s["last"] + 1 for s in sections[1:-2]]
    assert sections[-2]["last"] == n_items and sum(len(s["ids"]) for s in sections) == len(qs)
    app, c = _client(tmp_path, inst, lang="en")
    with c:
        page = c.get("/?lang=en").text
    bars = re.findall(r'<progress value="(\d+)" max="(\d+)"></progress>', page)
    assert len(bars) == len(sections) and all(int(m) == n_items for _, m in bars)
    assert [int(v) for v, _ in bars] == sorted(int(v) for v, _ in bars)   # never goes back
    k = len(sections)
    assert f"Part 2 of {k} · questions 1–{sections[1]['last']} of {n_items}" in page
    assert f"Part {k} of {k}" in page
    with c:
        fa = c.get("/?lang=fa").text
    assert "بخش ۲ از" in fa


# ------------------------------------------------------------------------------------------- CLI
def _options(parser):
    for action in parser._actions:
        if action.option_strings and "--help" not in action.option_strings:
            yield action


def test_every_option_of_every_command_has_a_one_line_help():
    import argparse

    from cem_edu.cli import build_parser

    parser = build_parser()
    parsers = {"cem-edu": parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            parsers.update({f"cem-edu {name}": sub for name, sub in action.choices.items()})
    assert "cem-edu collect" in parsers
    missing = [(name, a.dest) for name, p in parsers.items() for a in [*_options(p), *(
        a for a in p._actions if not a.option_strings and not isinstance(a, argparse._SubParsersAction))]
        if not a.help or "\n" in a.help]
    assert missing == []
    import os
    from unittest import mock

    with mock.patch.dict(os.environ, {"COLUMNS": "80"}):
        text = parsers["cem-edu collect"].format_help()
    options = text[text.index("options:"):].splitlines()[1:]
    for option in ("--instrument", "--db", "--host", "--port", "--token", "--lang"):
        line = [ln for ln in options if ln.strip().startswith(option)]
        assert len(line) == 1 and len(line[0].split(None, 2)) == 3, (option, line)   # option and help on one line
        following = options[options.index(line[0]) + 1] if options.index(line[0]) + 1 < len(options) else "  --"
        assert following.strip().startswith("-"), (option, following)               # not wrapped onto a second
    assert "0.0.0.0" in text and "postgresql" in text


def test_short_token_warns_and_the_token_is_printed_once(tmp_path, monkeypatch, capsys):
    import cem_edu.collect.server as server

    monkeypatch.setattr("uvicorn.Server.run", lambda self: None)      # print the banner, do not serve
    monkeypatch.setattr("cem_edu.collect.guard.configure_logging", lambda: None)
    with pytest.warns(UserWarning, match=r"--token has 5 characters; use at least 16"):
        server.serve(db=tmp_path / "t.sqlite", port=8765, token="abcde", lang="en")
    out = capsys.readouterr().out
    assert out.count("abcde") == 1 and "admin?token=abcde" in out
    db = str((tmp_path / "t.sqlite").resolve())
    assert f'data = ce.load_responses("{db}", ce.load_instrument())' in out
    assert "use --host 0.0.0.0 for phones on the same network" in out
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        server.serve(db=tmp_path / "t.sqlite", port=8765, token="a-long-enough-token-123", lang="en")
    assert capsys.readouterr().out.count("a-long-enough-token-123") == 1


# ------------------------------------------------------------------------------------------- log
def test_repeated_errors_are_rate_limited_in_the_log():
    """The same error a thousand times (EMFILE at accept) gives 5 lines and one traceback."""
    import io

    from cem_edu.collect.guard import RepeatFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handler.addFilter(RepeatFilter(burst=5, window=60))
    log = logging.getLogger("test.collect.repeat")
    log.addHandler(handler)
    log.propagate = False
    try:
        for _ in range(1000):
            try:
                raise OSError(24, "Too many open files")
            except OSError:
                log.error("socket.accept() out of system resource", exc_info=True)
        log.warning("something else")
    finally:
        log.removeHandler(handler)
    text = stream.getvalue()
    assert text.count("socket.accept() out of system resource") == 5
    assert text.count("Traceback") == 1 and "something else" in text
    assert len(text) < 3000


# ------------------------------------------------------------------------- slow clients, in process
@pytest.fixture
def guarded_server(tmp_path, inst):
    """The app under uvicorn with the connection guard (header timeout 1 s, at most 5 connections)
    and a body timeout of 1 s, in a thread of this process on 127.0.0.1."""
    import socket
    import threading
    import time

    import httpx
    import uvicorn

    from cem_edu.collect.guard import ConnectionGuard

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(inst, db=tmp_path / "g.sqlite", token=TOKEN, body_timeout=1.0)
    guard = ConnectionGuard(header_timeout=1.0, max_connections=5)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                                        http=guard.protocol_class()))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).text == "ok":
                break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    yield port, guard
    srv.should_exit = True
    thread.join(10)


def _closed_within(sock, seconds: float) -> tuple[bool, bytes]:
    import socket
    import time

    sock.settimeout(0.2)
    got, end = b"", time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            continue
        except OSError:
            return True, got
        if not chunk:
            return True, got
        got += chunk
    return False, got


def test_half_sent_headers_time_out_and_idle_connections_are_shed(guarded_server):
    import socket
    import time

    import httpx

    port, guard = guarded_server
    slow = socket.create_connection(("127.0.0.1", port))
    slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    t0 = time.monotonic()
    closed, _ = _closed_within(slow, 5)
    assert closed and 0.8 < time.monotonic() - t0 < 3                 # the header timeout (1 s)
    slow.close()
    assert guard.timed_out >= 1
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
    time.sleep(0.3)
    assert guard.shed >= 3                                             # over the cap of 5: oldest idle closed
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).text == "ok"   # a real client gets in
    assert _closed_within(idle[0], 1)[0]                               # the oldest went first
    for s in idle:
        s.close()


def test_a_body_that_does_not_arrive_gets_408(guarded_server):
    import socket

    port, _ = guarded_server
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              b"Content-Length: 500\r\n\r\nsid=abc")
    closed, got = _closed_within(s, 5)
    s.close()
    assert got.startswith(b"HTTP/1.1 408"), got[:200]


def test_printable_form_marks_the_optional_field_once(inst, tmp_path):
    """The "— optional" left the spend label (the web form added "(optional)" to it: twice); the
    printable form marks it from ``required: false`` instead."""
    from cem_edu.instrument.export import render_html

    page = render_html(inst)
    assert page.count("(optional)") == 1 and page.count("(اختیاری)") == 1
    assert "— optional" not in page and "— اختیاری" not in page


def test_postgresql_urls_use_the_installed_driver():
    from cem_edu.collect.store import with_driver

    assert with_driver("postgresql://me@db/survey") == "postgresql+psycopg://me@db/survey"
    assert with_driver("postgres://me@db/survey") == "postgresql+psycopg://me@db/survey"
    assert with_driver("postgresql+psycopg://me@db/survey") == "postgresql+psycopg://me@db/survey"
    assert with_driver("sqlite:///x.sqlite") == "sqlite:///x.sqlite"
