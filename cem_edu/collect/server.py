"""The live survey server behind ``cem-edu collect``.

A Starlette application (run by uvicorn) with

* ``GET /``            the questionnaire as a mobile-first HTML form (fa: right-to-left), no JavaScript needed;
                       ``?lang=en`` / ``?lang=fa`` switches the language;
* ``POST /``           one submission: checked against the instrument (422 with the form shown again,
                       answers kept and errors marked) and stored atomically (303 to ``/thanks``);
* ``GET /thanks``      the thank-you page;
* ``GET /admin``       the instructor page (token): live count, QR code of the form, export links;
* ``GET /export.csv``, ``/export.xlsx``   the answers, shaped like ``ce.load_dataset("cem_survey")``
                       (``?meta=1`` adds submission id, time and language);
* ``GET /healthz``     "ok" when the server is up.

Protection: the instructor token (``?token=`` once sets an HttpOnly, SameSite=Strict cookie, or
``Authorization: Bearer TOKEN``) compared in constant time; every form carries a submission id
(uuid4), the render time and an HMAC-SHA256 signature of both with a per-database secret, so a
submission must come from a form this server rendered (CSRF), is stored once (double clicks), and
its duration cannot be forged; cross-site ``Origin`` headers are refused; request bodies are
limited (413) and must arrive within ``body_timeout`` (408); submissions are rate-limited per
signed form id (a class behind one school NAT shares one address), the per-address bucket only far
above a class (1,000 requests at once); a rejected submission comes back as the form with every
answer kept, and an answer that was stored is never answered with an error. Responses carry a
Content-Security-Policy without inline script and never a stack trace. No names, IP addresses or
user agents are stored. :func:`serve` adds the connection guard of :mod:`.guard` (header timeout,
connection cap) and a log that rate-limits repeated errors.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import hmac
import io
import re
import secrets
import socket
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import CemError
from ..i18n import LANGUAGES, t, to_ascii_digits, to_persian_digits, verbatim
from .form import questions, validate
from .store import is_url, open_store, responses_frame

__all__ = ["create_app", "serve", "DEFAULT_MAX_BODY", "DEFAULT_RATE", "DEFAULT_FORM_RATE", "lan_addresses",
           "notebook_line"]

HERE = Path(__file__).resolve().parent
FONTS = HERE.parent / "fonts"
DEFAULT_MAX_BODY = 64 * 1024           # bytes per request body
DEFAULT_RATE = (1000, 20.0)            # token bucket per address: burst, refill per second (a class behind one NAT)
DEFAULT_FORM_RATE = (20, 1.0)          # token bucket per signed form id (one respondent's submissions)
BODY_TIMEOUT = 30.0                    # seconds for a request body to arrive (else 408)
FORM_MAX_AGE = 12 * 3600               # a rendered form stays valid this many seconds
ADMIN_COOKIE = "cem_admin"
LOG = logging.getLogger("cem_edu.collect")
_SID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

CSP = ("default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:; script-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


# --------------------------------------------------------------------------------------------
# ASGI middleware (pure ASGI: no buffering of bodies)
# --------------------------------------------------------------------------------------------
class SecurityHeaders:
    """Adds the security headers to every HTTP response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class TokenBucket:
    """Per-client token bucket: ``capacity`` requests at once, refilled at ``rate`` per second.

    Kept in memory only (the client address is never written anywhere).
    """

    def __init__(self, capacity: float, rate: float, max_clients: int = 10_000):
        self.capacity, self.rate, self.max_clients = float(capacity), float(rate), max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > self.max_clients:  # forget the longest-idle clients
                for old in sorted(self._buckets, key=lambda k: self._buckets[k][1])[: self.max_clients // 2]:
                    del self._buckets[old]
        return allowed


class RateLimit:
    """Answers 429 when an address exceeds its token bucket.

    Exempt: static files, ``/healthz``, ``/thanks`` (shown after an answer was stored: never an
    error there) and ``POST /`` (the submission endpoint checks the form id's bucket and then
    this one itself, after recognising a form that was already stored).
    """

    EXEMPT_PATHS = ("/healthz", "/thanks")

    def __init__(self, app, bucket: TokenBucket, render):
        self.app, self.bucket, self.render = app, bucket, render

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and not scope["path"].startswith(("/static/", "/fonts/")) \
                and scope["path"] not in self.EXEMPT_PATHS and not (scope["path"] == "/" and scope["method"] == "POST"):
            client = scope.get("client") or ("unknown", 0)
            if not self.bucket.allow(str(client[0])):
                response = self.render(429, _query_lang(scope))
                response.headers["Retry-After"] = "5"
                return await response(scope, receive, send)
        await self.app(scope, receive, send)


def _query_lang(scope) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    lang = (query.get("lang") or [None])[0]
    return lang if lang in LANGUAGES else None


class _BadRequest(Exception):
    def __init__(self, status: int):
        self.status = status


def _text(texts, lang: str) -> str:
    if not texts:
        return ""
    if isinstance(texts, str):
        return texts
    return texts.get(lang) or texts.get("en") or ""


def end_label(option, lang: str) -> str:
    """Label under the first/last point of a scale: "1 = Strongly disagree" (the number is not
    repeated when the label already starts with it, as in "0 — Not at all likely")."""
    number = to_persian_digits(option.value) if lang == "fa" else str(option.value)
    text = _text(option.label, lang)
    if not text or to_ascii_digits(text).strip() == str(option.value):
        return number
    if to_ascii_digits(text).lstrip().startswith(str(option.value)):
        return text
    return f"{number} = {text}"


# --------------------------------------------------------------------------------------------
# the application
# --------------------------------------------------------------------------------------------
def _load_instrument(instrument):
    if instrument is not None and hasattr(instrument, "items"):
        return instrument
    from ..instrument import load_instrument

    return load_instrument(instrument)


def _whole_numbers(frame):
    """Answers are whole numbers: write 3, not 3.0 (float columns without fractions as nullable ints)."""
    import pandas as pd

    out = frame.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_float_dtype(col) and bool(((col.dropna() % 1) == 0).all()):
            out[c] = col.astype("Int64")
    return out


def _log_error(what: str, exc: BaseException) -> None:
    """One line per error (repeated ones are rate-limited by the log's :class:`.guard.RepeatFilter`)."""
    LOG.error("internal error while %s: %s: %s", what, type(exc).__name__, exc)


def _comparable(value) -> str | None:
    if _missing_answer(value):
        return None
    text = str(_plain(value))
    try:
        number = float(text)
    except ValueError:
        return text
    return repr(int(number)) if number.is_integer() else repr(number)


def _missing_answer(value) -> bool:
    from .store import _missing

    return _missing(value)


def _plain(value):
    from .store import _plain as plain

    return plain(value)


def _changed(stored: dict, values: dict) -> bool:
    """True when a resubmitted form's answers differ from the stored ones (server fields aside)."""
    return any(_comparable(stored.get(k)) != _comparable(v) for k, v in values.items() if k not in ("duration_sec",))


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def form_sections(qs) -> list[dict]:
    """The form's sections for the progress indicator (no JavaScript: a header per section).

    ``about`` (respondent fields asked first), one per run of items of a construct, ``last``
    (fields at the end). Each is a dict with ``index`` and ``count`` (part k of n), ``first`` and
    ``last`` item numbers (None for the field sections), ``done`` (items before the section),
    ``total`` (items in the form) and the question ``ids``."""
    out, number = [], 0
    for q in qs:
        key = "about" if q.position == "start" else "last" if q.position == "end" else (q.construct or q.kind)
        if q.is_item:
            number += 1
        if not out or out[-1]["key"] != key:
            out.append({"key": key, "first": number if q.is_item else None, "last": None, "ids": [],
                        "done": number - 1 if q.is_item else number})
        if q.is_item:
            out[-1]["last"] = number
        out[-1]["ids"].append(q.id)
    for k, sec in enumerate(out, start=1):
        sec["index"], sec["count"], sec["total"] = k, len(out), number
    return out


def notebook_line(store, instrument) -> str:
    """The line that reads the answers into a notebook: absolute database path (or URL without
    password) and the questionnaire, e.g.
    ``data = ce.load_responses("/home/me/responses.sqlite", ce.load_instrument())``."""
    import json

    from ..instrument.model import _resolve

    db = store.path if isinstance(store.path, str) else str(Path(store.path).resolve())
    path = getattr(instrument, "path", instrument)
    inst_arg = ""
    if path is not None:
        path = _resolve(path).resolve()
        if path != _resolve(None).resolve():     # the bundled questionnaire needs no argument
            inst_arg = json.dumps(str(path), ensure_ascii=False)
    return f"data = ce.load_responses({json.dumps(db, ensure_ascii=False)}, ce.load_instrument({inst_arg}))"


class _Survey:
    """What one running survey holds: the questionnaire, the store, the secrets, the rate limits and
    the rendered blank forms; each method is one step of answering a request."""

    def __init__(self, inst, qs, store, token: str, lang: str, *, public_url, max_body, rate, form_rate,
                 form_max_age, body_timeout, bind_host, other_urls, nb_line):
        self.inst, self.store, self.token, self.default_lang = inst, store, token, lang
        self.qs = qs
        self.sections = form_sections(self.qs)
        self.secret = store.secret()
        self.form_bucket = TokenBucket(*form_rate)
        self.address_bucket = TokenBucket(*rate)
        self.nb_line = nb_line
        self.admin_cookie = hmac.new(self.secret, b"admin|" + token.encode(), hashlib.sha256).hexdigest()
        self.public_url, self.max_body, self.form_max_age = public_url, max_body, form_max_age
        self.body_timeout, self.bind_host, self.other_urls = body_timeout, bind_host, other_urls
        self.env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                               autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
        self.blank_forms: dict[str, str] = {}   # the empty form per language, with token placeholders

    # -- pages ---------------------------------------------------------------------------------
    def pick_lang(self, value) -> str:
        """The requested language when the kit has it, else the server's default."""
        return value if value in LANGUAGES else self.default_lang

    def page(self, template: str, lg: str, status: int = 200, **ctx) -> HTMLResponse:
        """Render a template in language ``lg`` (direction, string table and digits bound to it)."""
        other = "en" if lg == "fa" else "fa"
        html = self.env.get_template(template).render(
            lang=lg, dir="rtl" if lg == "fa" else "ltr", other_lang=other,
            t=lambda key, **f: t(key, language=lg, **f), digits=lambda v: _digits(v, lg), **ctx)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    def message_page(self, status: int, lg: str | None = None, title_key: str | None = None,
                     body_key: str | None = None) -> HTMLResponse:
        """A status page (error or notice) in the visitor's language, never a traceback."""
        lg = self.pick_lang(lg)
        return self.page("message.html", lg, status=status, title_key=title_key or "collect.error_title",
                         body_key=body_key or f"collect.http_{status}")

    # -- form tokens ---------------------------------------------------------------------------
    def sign(self, sid: str, ts: str) -> str:
        """HMAC-SHA256 of a form's id and render time with the database's secret (CSRF, duration)."""
        return hmac.new(self.secret, f"form|{sid}|{ts}".encode(), hashlib.sha256).hexdigest()

    def new_form_token(self) -> dict:
        """A fresh submission id, the render time in milliseconds and their signature."""
        sid, ts = str(uuid.uuid4()), str(int(time.time() * 1000))
        return {"sid": sid, "ts": ts, "sig": self.sign(sid, ts)}

    def check_form_token(self, sid: str, ts: str, sig: str) -> float | None:
        """Seconds since the form was rendered, or None when the token is not valid."""
        if not (_SID.match(sid) and ts.isascii() and ts.isdigit() and len(ts) < 16 and sig):
            return None
        if not hmac.compare_digest(self.sign(sid, ts).encode(), sig.encode("utf-8", "replace")):
            return None
        age = time.time() - int(ts) / 1000
        if age < -60 or age > self.form_max_age:
            return None
        return round(max(age, 0.0), 1)

    def render_form(self, lg: str, tok: dict, values=None, errors=None, status: int = 200,
                    notice: str | None = None) -> HTMLResponse:
        """The questionnaire page: the cached blank form with a new token, or the form with the
        visitor's answers, marked errors and a notice."""
        if not values and not errors and not notice:   # the common case: a fresh form, rendered once per language
            return self._blank_form(lg, tok, status)
        errors = errors or {}
        messages = {qid: p.message(lg) for qid, p in errors.items()}
        qs, inst = self.qs, self.inst
        return self.page("form.html", lg, status=status, start=[q for q in qs if q.position == "start"],
                         items=[q for q in qs if q.is_item], end=[q for q in qs if q.position == "end"],
                         values=values or {}, errors=messages, token=tok,
                         title=_text(getattr(inst, "title", None), lg) or t("collect.title", language=lg),
                         intro=_text(getattr(inst, "description", None), lg) or t("collect.intro", language=lg),
                         end_label=lambda o: end_label(o, lg), notice=notice,
                         section_at={sec["ids"][0]: sec for sec in self.sections})

    def _blank_form(self, lg: str, tok: dict, status: int) -> HTMLResponse:
        """The empty form, rendered once per language with placeholders that the token replaces."""
        if lg not in self.blank_forms:
            self.blank_forms[lg] = self.render_form(lg, _PLACEHOLDERS, {"": ""}, None).body.decode("utf-8")
        html = self.blank_forms[lg]
        for key, mark in _PLACEHOLDERS.items():
            html = html.replace(mark, tok[key])
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    # -- authentication ------------------------------------------------------------------------
    def admin_status(self, request: Request) -> int:
        """200 when the request carries the instructor's credentials, 401 when none, 403 when wrong."""
        auth = request.headers.get("authorization", "")
        if auth:
            scheme, _, value = auth.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                return 401
            return 200 if hmac.compare_digest(value.strip().encode(), self.token.encode()) else 403
        cookie = request.cookies.get(ADMIN_COOKIE)
        if cookie:
            return 200 if hmac.compare_digest(cookie.encode(), self.admin_cookie.encode()) else 403
        return 401

    def deny(self, status: int, request: Request) -> Response:
        """The 401/403 page (401 names the Bearer scheme the exports accept)."""
        response = self.message_page(status, request.query_params.get("lang"))
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="cem-edu"'
        return response

    # -- reading a submission ------------------------------------------------------------------
    async def read_form(self, request: Request) -> dict[str, list[str]]:
        """The url-encoded body, refused when of another type (415), too large (413), too slow (408)
        or not UTF-8 form data (400)."""
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            raise _BadRequest(415)
        length = request.headers.get("content-length")
        if length is not None:
            if not (length.isascii() and length.isdigit()):
                raise _BadRequest(400)
            if int(length) > self.max_body:
                raise _BadRequest(413)
        body = bytearray()

        async def read_body():
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > self.max_body:
                    raise _BadRequest(413)

        try:
            await asyncio.wait_for(read_body(), self.body_timeout)
        except asyncio.TimeoutError:
            raise _BadRequest(408) from None
        try:
            text = bytes(body).decode("utf-8")
            return parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=1000)
        except (UnicodeDecodeError, ValueError):
            raise _BadRequest(400) from None

    def cross_site(self, request: Request) -> bool:
        """True when the browser says the request comes from another site (Sec-Fetch-Site, Origin)."""
        if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return True
        origin = request.headers.get("origin")
        if origin is None:
            return False
        return urlsplit(origin).netloc.lower() not in self.own_hosts(request)

    def own_hosts(self, request: Request) -> set[str]:
        """The host names this server answers to (the Host header and the public URL's)."""
        hosts = {request.headers.get("host", "").lower()}
        if self.public_url:   # behind a reverse proxy the Host header may be the internal one
            hosts.add(urlsplit(self.public_url).netloc.lower())
        return hosts

    # -- the form ------------------------------------------------------------------------------
    async def form_get(self, request: Request) -> Response:
        """``GET /``: a fresh, signed form."""
        return self.render_form(self.pick_lang(request.query_params.get("lang")), self.new_form_token())

    async def form_post(self, request: Request) -> Response:
        """One submission. Every rejection of a readable form shows the form again with every
        answer kept; a form that was already stored is answered with the thank-you page (saying
        so when the answers were changed), never with an error."""
        lg = self.pick_lang(request.query_params.get("lang"))
        try:
            data = await self.read_form(request)
        except _BadRequest as exc:
            return self.message_page(exc.status, lg)
        lg = self.pick_lang((data.get("lang") or [lg])[0])
        sid = (data.get("sid") or [""])[0]
        ts = (data.get("ts") or [""])[0]
        sig = (data.get("sig") or [""])[0]
        kept = {q.id: (data.get(q.id) or [""])[0] for q in self.qs}
        if self.cross_site(request):
            return self.page("message.html", lg, status=403, title_key="collect.expired_title",
                             body_key="collect.expired_body")
        client = (request.client.host if request.client else "unknown")
        duration = self.check_form_token(sid, ts, sig)
        if duration is None:     # too old or not signed here: the answers come back on a fresh form
            if not self.address_bucket.allow(client):
                return self.message_page(429, lg)
            return self.render_form(lg, self.new_form_token(), kept, None, status=403, notice="collect.notice_expired")
        return await self._accept(lg, data, kept, {"sid": sid, "ts": ts, "sig": sig}, duration, client)

    async def _accept(self, lg: str, data, kept: dict, tok: dict, duration: float, client: str) -> Response:
        """A form signed here: thanks when already stored, else rate limit, validate and store."""
        sid = tok["sid"]
        thanks_url = f"/thanks?lang={lg}"
        try:
            stored = await run_in_threadpool(self.store.answers, sid)
        except Exception as exc:  # noqa: BLE001 - the database is unreachable for a moment
            _log_error("reading", exc)
            return self.render_form(lg, tok, kept, None, status=503, notice="collect.notice_retry")
        if stored is not None:   # a double click, Back + Send, or a resubmission with changes
            values, _ = validate(self.qs, data)
            changed = _changed(stored, values)
            return RedirectResponse(thanks_url + ("&changed=1" if changed else ""), status_code=303)
        if not self.form_bucket.allow(sid) or not self.address_bucket.allow(client):
            response = self.render_form(lg, tok, kept, None, status=429, notice="collect.notice_busy")
            response.headers["Retry-After"] = "5"
            return response
        values, errors = validate(self.qs, data)
        if errors:
            return self.render_form(lg, tok, kept, errors, status=422)
        values["duration_sec"] = duration
        if not await self._store(sid, values, lg, duration):
            return self.render_form(lg, tok, kept, None, status=503, notice="collect.notice_retry")
        return RedirectResponse(thanks_url, status_code=303)

    async def _store(self, sid: str, values: dict, lg: str, duration: float) -> bool:
        """Store the answers; True when they are stored (also when the write failed after storing)."""
        try:
            await run_in_threadpool(self.store.add, sid, values, lang=lg, duration_sec=duration, source="web")
        except Exception as exc:  # noqa: BLE001 - was it stored before the failure? then say thanks
            _log_error("storing", exc)
            try:
                return await run_in_threadpool(self.store.has, sid)
            except Exception:  # noqa: BLE001
                return False
        return True

    async def thanks(self, request: Request) -> Response:
        """``GET /thanks``: the thank-you page (noting changed answers of a resubmission)."""
        return self.page("thanks.html", self.pick_lang(request.query_params.get("lang")),
                         changed=request.query_params.get("changed") == "1")

    # -- the instructor ------------------------------------------------------------------------
    async def admin(self, request: Request) -> Response:
        """``GET /admin``: trade ``?token=`` for the cookie, then the live count, QR code and links."""
        lg = self.pick_lang(request.query_params.get("lang"))
        given = request.query_params.get("token")
        if given is not None:
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return self.deny(403, request)
            response = RedirectResponse(f"/admin?lang={lg}", status_code=303)
            response.set_cookie(ADMIN_COOKIE, self.admin_cookie, httponly=True, samesite="strict", path="/",
                                secure=request.url.scheme == "https")
            return response
        status = self.admin_status(request)
        if status != 200:
            return self.deny(status, request)
        form_url = self.public_url or str(request.base_url)
        import segno

        qr = segno.make(form_url, error="m").svg_inline(scale=6, border=2, svgclass="qr", lineclass="qrline", omitsize=True)
        count = await run_in_threadpool(self.store.count)
        host = urlsplit(form_url).hostname or ""
        local_only = _is_loopback(host) or (self.bind_host is not None and _is_loopback(self.bind_host))
        return self.page("admin.html", lg, count=count, qr=qr, form_url=form_url, notebook=self.nb_line,
                         local_only=local_only, other_urls=self.other_urls or [], port=urlsplit(form_url).port or 80)

    async def admin_count(self, request: Request) -> Response:
        """``GET /admin/count``: the number of stored answers as JSON (polled by the admin page)."""
        status = self.admin_status(request)
        if status != 200:
            return JSONResponse({"error": status}, status_code=status)
        return JSONResponse({"count": await run_in_threadpool(self.store.count)}, headers={"Cache-Control": "no-store"})

    def export_frame(self, request: Request):
        """The stored answers as a frame shaped like the bundled data set (``?meta=1`` adds metadata)."""
        return responses_frame(self.store.records(), self.inst,
                               meta=request.query_params.get("meta") in ("1", "true", "yes"))

    async def export_csv(self, request: Request) -> Response:
        """``GET /export.csv``: the answers as UTF-8 CSV with a BOM (opens right in Excel)."""
        status = self.admin_status(request)
        if status != 200:
            return self.deny(status, request)
        frame = await run_in_threadpool(self.export_frame, request)
        body = _whole_numbers(frame).to_csv(index=False).encode("utf-8-sig")
        return Response(body, media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="responses.csv"', "Cache-Control": "no-store"})

    async def export_xlsx(self, request: Request) -> Response:
        """``GET /export.xlsx``: the answers as an Excel workbook (sheet "responses")."""
        status = self.admin_status(request)
        if status != 200:
            return self.deny(status, request)

        def build() -> bytes:
            buf = io.BytesIO()
            self.export_frame(request).to_excel(buf, index=False, sheet_name="responses", engine="openpyxl")
            return buf.getvalue()

        body = await run_in_threadpool(build)
        return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": 'attachment; filename="responses.xlsx"',
                                 "Cache-Control": "no-store"})

    # -- errors: a page in the visitor's language, never a traceback ------------------------------
    async def http_error(self, request: Request, exc: HTTPException) -> Response:
        """Starlette's HTTP errors (404, 405, ...) as a page in the visitor's language."""
        status = exc.status_code if exc.status_code in (400, 401, 403, 404, 405, 408, 413, 415, 429) else 400
        return self.message_page(status, request.query_params.get("lang"))

    async def server_error(self, request: Request, exc: Exception) -> Response:
        """An unexpected error: one log line and a 500 page with the security headers, no traceback."""
        _log_error(f"{request.method} {request.url.path}", exc)
        response = self.message_page(500, request.query_params.get("lang"), body_key="collect.error_body")
        for key, value in SECURITY_HEADERS:   # this handler runs outside the header middleware
            response.headers[key.decode()] = value.decode()
        return response


_PLACEHOLDERS = {"sid": "\x00SID\x00", "ts": "\x00TS\x00", "sig": "\x00SIG\x00"}


def _digits(value, lg: str) -> str:
    """A number in the page's digits (Persian digits in fa)."""
    return to_persian_digits(value) if lg == "fa" else str(value)


async def _healthz(request: Request) -> Response:
    """``GET /healthz``: "ok" when the server is up."""
    return PlainTextResponse("ok")


async def _favicon(request: Request) -> Response:
    """``GET /favicon.ico``: browsers ask for it; the icon lives with the static files."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


def _form_routes(site: _Survey) -> list:
    """The respondent's pages: the form, the submission and the thank-you page."""
    return [
        Route("/", site.form_get, methods=["GET"]),
        Route("/", site.form_post, methods=["POST"]),
        Route("/thanks", site.thanks, methods=["GET"]),
    ]


def _admin_routes(site: _Survey) -> list:
    """The instructor's pages (token): the admin page, the live count and the exports."""
    return [
        Route("/admin", site.admin, methods=["GET"]),
        Route("/admin/count", site.admin_count, methods=["GET"]),
        Route("/export.csv", site.export_csv, methods=["GET"]),
        Route("/export.xlsx", site.export_xlsx, methods=["GET"]),
    ]


def _health_routes() -> list:
    """Liveness check and the favicon redirect (no state)."""
    return [
        Route("/healthz", _healthz, methods=["GET"]),
        Route("/favicon.ico", _favicon, methods=["GET"]),
    ]


def _static_routes() -> list:
    """The style sheet, script, icon and the bundled fonts (no inline script under the CSP)."""
    return [
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        Mount("/fonts", StaticFiles(directory=str(FONTS)), name="fonts"),
    ]


def create_app(instrument=None, db: str | Path = "responses.sqlite", token: str | None = None, lang: str = "fa",
               *, public_url: str | None = None, max_body: int = DEFAULT_MAX_BODY,
               rate: tuple[float, float] = DEFAULT_RATE, form_rate: tuple[float, float] = DEFAULT_FORM_RATE,
               form_max_age: float = FORM_MAX_AGE, body_timeout: float = BODY_TIMEOUT,
               bind_host: str | None = None, other_urls: list[tuple[str, str]] | None = None,
               instrument_path: str | Path | None = None) -> Starlette:
    """Build the survey web application (for ``uvicorn`` or Starlette's ``TestClient``).

    Parameters
    ----------
    instrument : an Instrument, a questionnaire YAML path, or None for the bundled one.
    db : SQLite file for the answers (created if missing), or a database URL for SQLAlchemy
        (``postgresql+psycopg://user:password@host/dbname``).
    token : instructor token for ``/admin`` and the exports (random if None; see ``app.state.token``).
    lang : default language of the form, ``"fa"`` or ``"en"``.
    public_url : the form's address for the QR code (default: the address the admin page was opened with).
    max_body : largest accepted request body in bytes (larger -> 413).
    rate : ``(burst, per_second)`` token bucket per client address (exceeded -> 429); far above a
        class, since a class behind a school's NAT shares one address.
    form_rate : ``(burst, per_second)`` token bucket per signed form id for submissions (exceeded ->
        429 with the form and every answer kept).
    form_max_age : seconds a rendered form stays valid.
    body_timeout : seconds a request body may take to arrive (slower -> 408).
    bind_host : the address the server listens on (for the admin page: a loopback address means
        phones cannot reach it, and the page says how to start the server for them).
    other_urls : ``[(interface, url)]`` further addresses of the form when the machine has several
        networks (shown on the admin page).
    instrument_path : the questionnaire file, for the notebook line on the admin page (default: the
        instrument's own file).
    """
    if lang not in LANGUAGES:
        raise CemError(t("common.unknown_language", value=repr(lang), choices=", ".join(LANGUAGES)))
    inst = _load_instrument(instrument)
    qs = questions(inst)
    store = open_store(db)
    token = token or secrets.token_urlsafe(16)
    site = _Survey(inst, qs, store, token, lang, public_url=public_url, max_body=max_body, rate=rate,
                   form_rate=form_rate, form_max_age=form_max_age, body_timeout=body_timeout,
                   bind_host=bind_host, other_urls=other_urls,
                   nb_line=notebook_line(store, inst if instrument_path is None else instrument_path))
    routes = _form_routes(site) + _admin_routes(site) + _health_routes() + _static_routes()
    app = Starlette(routes=routes, exception_handlers={HTTPException: site.http_error, Exception: site.server_error,
                                                       500: site.server_error})
    app.add_middleware(RateLimit, bucket=site.address_bucket, render=site.message_page)
    app.add_middleware(SecurityHeaders)
    app.state.token = token
    app.state.store = store
    app.state.instrument = inst
    app.state.notebook_line = site.nb_line
    return app


# --------------------------------------------------------------------------------------------
# the command
# --------------------------------------------------------------------------------------------
def _default_route_address() -> str | None:
    """The address this machine would use to reach the local network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if _is_loopback(address) or address == "0.0.0.0" else address


def lan_addresses() -> list[tuple[str, str]]:
    """This machine's IPv4 addresses that phones on a local network could reach, as
    ``[(interface, address)]``: the default route's address first, then the others (loopback and
    link-local 169.254.x.x left out). Linux reads every interface (``SIOCGIFADDR``); elsewhere the
    host name's addresses are used. Empty when the machine is on no network."""
    found: list[tuple[str, str]] = []
    if sys.platform.startswith("linux"):
        import fcntl
        import struct

        try:
            names = [name for _, name in socket.if_nameindex()]
        except OSError:  # pragma: no cover
            names = []
        for name in names:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                try:
                    packed = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))  # SIOCGIFADDR
                except OSError:
                    continue
            found.append((name, socket.inet_ntoa(packed[20:24])))
    else:  # pragma: no cover - macOS, Windows
        try:
            infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        except OSError:
            infos = []
        found = [("", info[4][0]) for info in infos]
    out, seen = [], set()
    for name, address in found:
        if _is_loopback(address) or address.startswith("169.254.") or address in seen:
            continue
        seen.add(address)
        out.append((name, address))
    primary = _default_route_address()
    out.sort(key=lambda pair: pair[1] != primary)
    if primary and primary not in seen:
        out.insert(0, ("", primary))
    return out


def _check_port(host: str, port: int, language: str | None = None) -> None:
    """Fail early, in one line, when the port cannot be listened on. ``SO_REUSEADDR`` as uvicorn's
    own bind: a port whose connections of a killed server are still in TIME_WAIT is free."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        if sys.platform != "win32":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise CemError(t("collect.err.cannot_listen", language, host=host, port=verbatim(port),
                             reason=str(exc.strerror))) from None


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


MIN_TOKEN_LENGTH = 16


def serve(instrument=None, db: str | Path = "responses.sqlite", host: str = "127.0.0.1", port: int = 8000,
          token: str | None = None, lang: str = "fa", *, header_timeout: float = 10.0,
          max_connections: int | None = None) -> None:
    """Run the survey server until Ctrl+C (``cem-edu collect``).

    Prints the form address, the instructor address (the token appears once, in it), the line
    that reads the answers into a notebook, and a QR code of the form in the terminal. Use
    ``--host 0.0.0.0`` so phones on the same network can reach it; the form address is then the
    machine's LAN address (the others are listed when it has several).

    Slow or idle clients are bounded (see :mod:`.guard`): request headers within
    ``header_timeout`` seconds, at most ``max_connections`` open connections (default: the file
    descriptor limit minus a reserve), bodies within 30 s; repeated log messages are rate-limited.
    """
    import uvicorn

    from ..i18n import get_language
    from .guard import ConnectionGuard, configure_logging, default_backlog

    ui = get_language()
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        import warnings

        warnings.warn(t("collect.cli_short_token", language=ui, n=len(token), min=MIN_TOKEN_LENGTH), stacklevel=2)
    token = token or secrets.token_urlsafe(16)
    everywhere = host in ("0.0.0.0", "::", "")
    addresses = lan_addresses() if everywhere else []
    shown_host = addresses[0][1] if addresses else ("127.0.0.1" if everywhere else host)
    form_url = _url(shown_host, port)
    others = [(name, _url(address, port)) for name, address in addresses[1:]]
    _check_port(host, port, ui)
    app = create_app(instrument, db=db, token=token, lang=lang, public_url=form_url, bind_host=host,
                     other_urls=others, instrument_path=instrument)
    shown_db = app.state.store.path if is_url(db) else str(Path(db).resolve())
    lines = ["cem-edu collect",
             f"  form:        {form_url}"]
    if others:
        lines.append("  " + t("collect.cli_other_addresses", language=ui,
                              urls=", ".join(f"{url} ({name})" if name else url for name, url in others)))
    lines += [f"  instructor:  {form_url}admin?token={token}",
              f"  database:    {shown_db}",
              "  " + t("collect.cli_notebook", language=ui),
              "    import cem_edu as ce",
              f"    {app.state.notebook_line}",
              "  stop with Ctrl+C"]
    print("\n".join(lines), flush=True)
    if everywhere and not addresses:
        print("  " + t("collect.cli_no_network", language=ui), flush=True)
    if _is_loopback(host) or host == "localhost":
        print("  " + t("collect.cli_local_only", language=ui), flush=True)
    try:
        import segno

        segno.make(form_url, error="m").terminal(compact=True)
    except Exception:  # noqa: BLE001 - the QR code in the terminal is a convenience
        pass
    sys.stdout.flush()
    configure_logging()
    guard = ConnectionGuard(header_timeout=header_timeout, max_connections=max_connections)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, server_header=False,
                            proxy_headers=False, timeout_graceful_shutdown=5, log_config=None,
                            http=guard.protocol_class(), timeout_keep_alive=5,
                            h11_max_incomplete_event_size=16 * 1024, backlog=default_backlog(),
                            limit_concurrency=guard.max_connections + 64)
    try:
        uvicorn.Server(config).run()
    except (KeyboardInterrupt, asyncio.CancelledError):  # pragma: no cover
        pass
