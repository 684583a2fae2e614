"""Web pages for advisers, providers and the partnership, server-rendered over the core.

The pages are a second adapter over the same services as the API (matcher, catalogue, gap
report): no logic of their own beyond turning forms into calls and results into HTML. They
work without JavaScript; ``static/pages/site.js`` only enhances (job title suggestions as you
type, showing one target field at a time, a print button).

Sign-in: a person pastes their API key once; it is checked with
:func:`skills_match.apikeys.authenticate` and the signed session cookie then holds only the
key's id, role and provider id (never the key) and the time of sign-in. Each request re-reads
the key's record: a revoked key signs its sessions out at once. A sign-in lasts
``SKILLS_MATCH_SESSION_HOURS`` from the moment it was made.

Every POST carries a per-session CSRF token (``secrets.token_urlsafe``, compared with
``hmac.compare_digest``); a missing or wrong token gets the 400 page and changes nothing.

Roles are the API's: each view declares them with :func:`page_roles`; a view of this
blueprint that declares none is refused (403) unless it is listed in ``PUBLIC_PAGES``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import math
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    get_flashed_messages,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException, InternalServerError

from skills_match import catalogue, exports
from skills_match.apikeys import ROLES, Identity, authenticate, record_use
from skills_match.catalogue import field_errors
from skills_match.errors import (
    ConfigurationError,
    ImportRejected,
    InvalidInput,
    NotFound,
    SkillsMatchError,
)
from skills_match.importer import MAX_ROWS
from skills_match.matcher import (
    MAX_ADVERT_CHARS,
    MAX_SKILL_IDS,
    MAX_TARGET_SKILL_PHRASES,
    MAX_TEXT_CHARS,
    get_matcher,
    load_request,
    split_phrases,
)
from skills_match.report import GapReportFilters, GapReportOptions, build_gap_report, drilldown
from skills_match.report import reference_labels as report_labels
from skills_match.schemas import (
    ATTENDANCE_PATTERNS,
    COURSE_TYPES,
    DELIVERY_MODES,
    DURATION_UNITS,
    FUNDING,
    PROGRAMME_TYPES,
    QUALIFICATION_LEVELS,
    SIC_SECTIONS,
    SKILL_ID,
    STUDY_MODES,
)
from skills_match.store.courses import CourseFilters
from skills_match.store.reports import REPORT_LEVELS

from .db import get_store, settings
from .errors import STATUS_FOR

log = logging.getLogger(__name__)

bp = Blueprint("pages", __name__)

# Pages anyone may open without signing in.
PUBLIC_PAGES = {"pages.home", "pages.sign_in"}
# The roles of each part of the site: the same as the API routes they stand beside.
ADVISER_ROLES = ("adviser", "admin")
READER_ROLES = ROLES
PROVIDER_ROLES = ("provider",)
PARTNERSHIP_ROLES = ("partnership", "admin")

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# Body limits for page forms (the API's own limit is MAX_CONTENT_LENGTH): a form is small; an
# upload is capped well below the API's bulk route, because the checked file travels back to
# the browser inside the confirm form (see provider_upload).
FORM_MAX_BYTES = 256 * 1024
UPLOAD_MAX_BYTES = 2 * 1024 * 1024
# The confirm form carries the file base64-encoded (4/3 larger) plus a few small fields.
IMPORT_MAX_BYTES = UPLOAD_MAX_BYTES * 4 // 3 + 64 * 1024
# How long a checked file may wait for its confirmation.
UPLOAD_TOKEN_SECONDS = 60 * 60
COURSES_PER_PAGE = 20
PROVIDER_COURSES_PER_PAGE = 50
DRILLDOWN_RECORDS_PER_PAGE = 50
MATCH_RESULTS = 10
OCCUPATION_SUGGESTIONS = 8
MAX_QUERY_CHARS = 200

PAGE_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

# Areas the partnership serves, listed first in every area choice.
PARTNERSHIP_GROUPS = (
    ("Liverpool City Region", "E47000004", lambda a: a["combined_authority_gss"] == "E47000004"),
    (
        "Lancashire",
        "E10000017",
        lambda a: a["county_gss"] == "E10000017" or a["gss_code"] in ("E06000008", "E06000009"),
    ),
)

# The Essential Digital Skills areas of the DfE 2019 national standards, as an adviser's
# self-assessment form asks about them (keys are the matcher's EDS area names).
EDS_FORM_AREAS = (
    ("using-devices-and-handling-information", "Using devices and handling information"),
    ("creating-and-editing", "Creating and editing"),
    ("communicating", "Communicating"),
    ("transacting", "Transacting"),
    ("being-safe-and-responsible-online", "Being safe and responsible online"),
)
EDS_CHOICES = (
    ("", "Not assessed"),
    ("none", "Below Entry 3"),
    ("entry3", "Entry 3"),
    ("level1", "Level 1"),
)

LABELS: dict[str, str] = {
    # delivery, study and attendance
    "classroom": "Classroom",
    "online": "Online",
    "blended": "Blended (classroom and online)",
    "work_based": "Work-based",
    "full_time": "Full time",
    "part_time": "Part time",
    "flexible": "Flexible",
    "daytime": "Daytime",
    "evening": "Evening",
    "weekend": "Weekend",
    "day_block": "Day block",
    # programmes and course types
    "skills_bootcamp": "Skills Bootcamp",
    "t_level": "T Level",
    "aeb_digital": "Adult skills (AEB) digital",
    "essential_digital_skills": "Essential Digital Skills",
    "apprenticeship": "Apprenticeship",
    "community": "Community learning",
    "other": "Other",
    "essential_skills": "Essential Skills",
    "free_courses_for_jobs": "Free Courses for Jobs",
    "htq": "Higher Technical Qualification",
    "multiply": "Multiply",
    # funding
    "fully_funded": "Fully funded (free to the learner)",
    "co_funded": "Co-funded",
    "employer_funded": "Employer funded",
    "loan": "Advanced Learner Loan",
    "self_funded": "Self funded",
    # eligibility
    "employed": "Employed",
    "unemployed": "Unemployed",
    "self_employed": "Self-employed",
    "economically_inactive": "Not working and not looking for work",
    # digital skill levels
    "essential": "Essential",
    "general": "General",
    "specialist": "Specialist",
    "fusion": "Fusion",
    "unlevelled": "Unlevelled",
    "all": "All levels",
    # statuses and units
    "active": "Active",
    "withdrawn": "Withdrawn",
    "hours": "hours",
    "days": "days",
    "weeks": "weeks",
    "months": "months",
    "years": "years",
    "admin": "Administrator",
    "provider": "Provider",
    "adviser": "Adviser",
    "partnership": "Skills partnership",
}
LABELS.update(
    {q: (f"Entry {q[1]}" if q.startswith("E") else f"Level {q[1]}") for q in QUALIFICATION_LEVELS}
)
# Core validation messages, as a form says them.
PLAIN_MESSAGES = {
    "Field may not be null.": "Enter a value.",
    "Missing data for required field.": "Enter a value.",
    "Shorter than minimum length 1.": "Enter a value.",
    "Not a valid integer.": "Enter a whole number.",
    "Not a valid number.": "Enter a number.",
    "Not a valid date.": "Enter a real date, for example 30/09/2026.",
    "Not a valid URL.": "Enter a web address starting https://.",
}
# Names in core validation messages, as the form labels them.
FIELD_WORDS = {
    "min_qualification_level": "the lowest qualification level",
    "max_qualification_level": "the highest qualification level",
    "national_delivery": "'delivered nationally'",
    "flexible_start": "'flexible start'",
    "start_dates": "start dates",
    "start_from": "the earliest start",
    "age_min": "the minimum age",
    "max_travel_km": "how far they can travel",
    "only_my_authority": "'only their own council area'",
    "include_nearby": "'also the same county or city region'",
    "local_authority": "where they live",
}


def label(value: Any) -> str:
    """A code as people read it (``fully_funded`` -> 'Fully funded (free to the learner)')."""
    if value is None or value == "":
        return "Not given"
    text = str(value)
    return LABELS.get(text, text.replace("_", " ").capitalize())


def long_date(value: Any) -> str:
    """An ISO date as '12 January 2026' (the text itself if it is not a date)."""
    if not value:
        return ""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def money(value: Any) -> str:
    """Pounds, or 'Free' for nothing."""
    amount = float(value or 0)
    if amount == 0:
        return "Free"
    return f"£{amount:,.0f}" if amount == int(amount) else f"£{amount:,.2f}"


def duration(value: Any, unit: str | None) -> str:
    """'10 weeks', '1 week'."""
    if value is None:
        return ""
    number = float(value)
    shown = f"{number:g}"
    word = unit or ""
    if number == 1 and word.endswith("s"):
        word = word[:-1]
    return f"{shown} {word}".strip()


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")


def uk_date(text: str) -> str:
    """A date typed the British way (30/09/2026, 30 September 2026) or as ISO, as ISO.

    Text that is not a date is returned as typed, for the schema to report next to the field.
    """
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date().isoformat()
        except ValueError:
            continue
    return text


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph (the matcher's explanations lead with their gist)."""
    head, sep, _ = (text or "").partition(". ")
    return head + "." if sep else text


def percent(value: Any) -> str:
    """A share as a whole percentage."""
    if value is None:
        return "Not published"
    return f"{float(value) * 100:.0f}%"


# -- the session ------------------------------------------------------------------------


@dataclass(frozen=True)
class PageUser:
    """Who is signed in: their key's id, name and role, and (providers) their provider."""

    key_id: int
    name: str
    role: str
    provider_id: int | None
    provider_name: str | None

    @property
    def actor(self) -> str:
        """How the audit log names this person (the same as their API calls)."""
        return f"key:{self.key_id}"


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured, or when this request arrived over https."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def csrf_token() -> str:
    """This session's CSRF token, created on first use."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _check_csrf() -> None:
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    expected = session.get("csrf") or ""
    if not expected or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(
            400,
            "This form has expired or did not come from this site, so nothing was done. "
            "Go back, reload the page and try again.",
        )


def _session_lifetime() -> timedelta:
    return current_app.permanent_session_lifetime


def _load_user() -> PageUser | None:
    """The signed-in person, after checking the sign-in is in date and the key still live."""
    data = session.get("user")
    if not isinstance(data, Mapping):
        return None
    signed_in = float(data.get("since") or 0)
    if time.time() - signed_in > _session_lifetime().total_seconds():
        _end_session("Your sign-in has expired. Sign in again to carry on.")
        return None
    store = get_store()
    try:
        key = store.key(int(data["key_id"]))
    except (NotFound, KeyError, TypeError, ValueError):
        key = None
    if (
        key is None
        or key["revoked_at"]
        or key["role"] != data.get("role")
        or key["provider_id"] != data.get("provider_id")
    ):
        _end_session("Your key is no longer valid, so you have been signed out.")
        return None
    provider_name = None
    if key["provider_id"] is not None:
        provider_name = store.provider(key["provider_id"])["name"]
    return PageUser(key["id"], key["name"], key["role"], key["provider_id"], provider_name)


def _end_session(message: str) -> None:
    session.clear()
    flash(message, "info")


def page_roles(*allowed: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require a signed-in person with one of ``allowed`` roles (sign-in page, else 403)."""
    unknown = set(allowed) - set(ROLES)
    if not allowed or unknown:
        raise ValueError(f"page_roles() takes some of {ROLES}, got {allowed}")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = g.get("user")
            if user is None:
                target = request.full_path if request.method == "GET" else request.path
                return redirect(url_for("pages.sign_in", next=target.rstrip("?")))
            if user.role not in allowed:
                names = " or ".join(label(r).lower() for r in allowed)
                abort(
                    403,
                    f"This page is for the {names} role. You are signed in as "
                    f"{label(user.role).lower()}.",
                )
            return view(*args, **kwargs)

        wrapper._page_roles = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _safe_next(value: str | None) -> str | None:
    """A local path to return to after sign-in, or None (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith("/api/"):
        return None
    return value


def _home_for(role: str) -> str:
    return {
        "adviser": url_for("pages.adviser"),
        "provider": url_for("pages.provider_courses"),
        "partnership": url_for("pages.partnership"),
    }.get(role, url_for("pages.home"))


@bp.before_request
def _before() -> None:
    endpoint = request.endpoint or ""
    view = current_app.view_functions.get(endpoint)
    if endpoint not in PUBLIC_PAGES and getattr(view, "_page_roles", None) is None:
        abort(403, "This page declares no role and is refused.")
    if request.method == "POST":
        # Bound the body before anything reads it: forms are small; uploads have their cap.
        request.max_content_length = {
            "pages.provider_upload": UPLOAD_MAX_BYTES + 64 * 1024,
            "pages.provider_import": IMPORT_MAX_BYTES,
        }.get(endpoint, FORM_MAX_BYTES)
        request.max_form_memory_size = request.max_content_length
        _check_csrf()
    g.user = _load_user()


@bp.after_request
def _after(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = PAGE_CONTENT_SECURITY_POLICY
    # Pages can hold a client's circumstances (the adviser's results) or a provider's data:
    # never keep them in a shared computer's cache or back-button history.
    response.headers["Cache-Control"] = "no-store"
    user = g.get("user")
    view = current_app.view_functions.get(request.endpoint or "")
    if user is not None and not getattr(view, "_no_audit", False):
        _audit(user, response.status_code)
    return response


def _audit(user: PageUser, status: int, action: str | None = None) -> None:
    """One audit entry: who, which page (never a query string or a form's content)."""
    try:
        store = get_store()
        with store.write():
            record_use(store, Identity(user.key_id, user.name, user.role, user.provider_id))
            target = ",".join(
                f"{name}={value}" for name, value in sorted((request.view_args or {}).items())
            )
            rule = request.url_rule.rule if request.url_rule else request.path
            store.audit(
                user.actor,
                action or f"{request.method} {rule}",
                str(status),
                role=user.role,
                target=target or None,
            )
    except Exception:
        # The page is already decided; failing it now would mislead. Logged for the operator.
        log.exception("Could not write the audit entry for %s", request.endpoint)


def no_audit(view: Callable[..., Any]) -> Callable[..., Any]:
    """Leave a view's calls out of the audit log (suggestions fetched as someone types)."""
    view._no_audit = True  # type: ignore[attr-defined]
    return view


# -- rendering --------------------------------------------------------------------------


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """Render a page template with what every page needs (user, CSRF token, formatters)."""
    body = render_template(
        f"pages/{template}",
        user=g.get("user"),
        csrf_token=csrf_token,
        csrf_field=CSRF_FIELD,
        label=label,
        long_date=long_date,
        money=money,
        duration=duration,
        percent=percent,
        first_sentence=first_sentence,
        number=exports.number,
        signed=exports.signed,
        messages=get_flashed_messages(with_categories=True),
        **context,
    )
    return body, status


def render_error(code: int, message: str | None = None) -> Response:
    """The HTML error page for a status code (used for every non-API path)."""
    titles = {
        400: "The request could not be used",
        403: "You cannot open this page",
        404: "Page not found",
        405: "That is not something this page does",
        413: "Too large",
        429: "Too many requests",
        500: "Something went wrong",
    }
    title = titles.get(code) or f"Error {code}"
    try:
        if "user" not in g:
            # An error outside the pages' views (an unknown address): show who is signed in.
            g.user = _load_user()
        body, _ = render("error.html", code=code, title=title, message=message)
    except Exception:
        # The error page itself failed (e.g. the database is unreachable): plain text.
        log.exception("Could not render the error page")
        body = f"{code} {title}"
    response = current_app.response_class(body, status=code, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PAGE_CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response


def html_http_error(exc: HTTPException) -> Response:
    """An HTTP error as an HTML page, keeping its headers (Allow on 405)."""
    code = exc.code or 500
    message = exc.description
    if isinstance(exc, InternalServerError):
        original = getattr(exc, "original_exception", None)
        if original is not None:
            log.error("Unhandled error", exc_info=original)
        message = "An internal error occurred; it has been logged."
    if code == 404 and message and message.startswith("The requested URL was not found"):
        message = "Check the address, or use the links above."
    if code == 429:  # flask-limiter's description is the bare limit, e.g. "60 per 1 minute"
        message = f"Too many requests in a short time (at most {message}). Wait, then try again."
    response = render_error(code, message)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    return html_http_error(exc)


@bp.errorhandler(SkillsMatchError)
def _core_error(exc: SkillsMatchError) -> Response:
    if isinstance(exc, ConfigurationError):
        log.error("Configuration error", exc_info=exc)
        return render_error(500, "The service is misconfigured; the error has been logged.")
    code = next((c for cls, c in STATUS_FOR.items() if isinstance(exc, cls)), 400)
    return render_error(code, exc.message)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> Response:
    log.error("Unhandled error", exc_info=exc)
    return render_error(500, "An internal error occurred; it has been logged.")


# -- shared form pieces -------------------------------------------------------------------


def _area_choices(rollups: bool) -> list[tuple[str, list[tuple[str, str]]]]:
    """Area options grouped for a select: the partnership's areas first, then all others."""
    areas = get_store().area_options()
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if rollups:
        groups.append(
            (
                "Whole partnership areas",
                [(code, name) for name, code, _ in PARTNERSHIP_GROUPS],
            )
        )
    placed: set[str] = set()
    for name, _, member in PARTNERSHIP_GROUPS:
        members = [(a["gss_code"], a["name"]) for a in areas if member(a)]
        placed.update(code for code, _ in members)
        groups.append((name, members))
    groups.append(
        (
            "All other areas",
            [(a["gss_code"], a["name"]) for a in areas if a["gss_code"] not in placed],
        )
    )
    return groups


def _options(codes: Sequence[str]) -> list[tuple[str, str]]:
    """(code, label) pairs for a select."""
    return [(code, label(code)) for code in codes]


def _area_names(groups: Sequence[tuple[str, list[tuple[str, str]]]]) -> dict[str, str]:
    return {code: name for _, options in groups for code, name in options}


def _errors_from(
    messages: Any, prefix_map: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """Core validation messages as {form field: [messages]} ('_form' for the whole form)."""
    out: dict[str, list[str]] = {}
    for path, items in field_errors(messages).items():
        parts = path.split(".")
        while parts and parts[0] in ("constraints", "target") and len(parts) > 1:
            parts = parts[1:]
        name = parts[0] if parts else "_form"
        name = (prefix_map or {}).get(name, name)
        if name == "_schema":
            name = "_form"
        for item in items:
            item = PLAIN_MESSAGES.get(item, item)
            for word, plain in FIELD_WORDS.items():
                item = item.replace(word, plain)
            out.setdefault(name, []).append(item)
    return out


# -- home, sign-in, sign-out --------------------------------------------------------------


@bp.route("/")
def home() -> Any:
    """What this service is, and where each role goes next."""
    return render("home.html")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    """Sign in with an API key: checked once, then only its id and role are kept."""
    next_url = _safe_next(request.values.get("next"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        key = (request.form.get("api_key") or "").strip()
        identity = authenticate(get_store(), settings().api_key_pepper, key) if key else None
        if not key:
            errors["api_key"] = ["Enter your API key."]
        elif identity is None:
            errors["api_key"] = [
                "That key was not recognised: it is mistyped, unknown or revoked. "
                "Ask your administrator for a key."
            ]
        else:
            # A fresh session (and CSRF token) on sign-in: nothing from before carries over.
            session.clear()
            session.permanent = True
            session["user"] = {
                "key_id": identity.key_id,
                "role": identity.role,
                "provider_id": identity.provider_id,
                "since": int(time.time()),
            }
            csrf_token()
            user = PageUser(
                identity.key_id, identity.name, identity.role, identity.provider_id, None
            )
            _audit(user, 303, "POST /sign-in")
            flash(f"Signed in as {identity.name} ({label(identity.role).lower()}).", "success")
            return redirect(next_url or _home_for(identity.role), 303)
    elif g.user is not None and not next_url:
        return redirect(_home_for(g.user.role))
    return render(
        "sign_in.html",
        401 if errors else 200,
        errors=errors,
        next_url=next_url,
        hours=settings().session_hours,
    )


@bp.route("/sign-out", methods=["POST"])
@page_roles(*ROLES)
def sign_out() -> Any:
    """End the session (a form button, so no other site can sign anyone out)."""
    _audit(g.user, 303, "POST /sign-out")
    g.user = None  # nothing more to audit for this request
    _end_session("You have signed out.")
    return redirect(url_for("pages.sign_in"), 303)


# -- adviser ------------------------------------------------------------------------------


ADVISER_TEXT_FIELDS = (
    "current_skills_text",
    "target_kind",
    "occupation",
    "advert_text",
    "skills_text",
    "local_authority",
    "max_travel_km",
    "max_duration_weeks",
    "start_from",
    "start_before",
    "min_qualification_level",
    "max_qualification_level",
)


TARGET_KINDS = ("occupation", "advert", "skills")


def _adviser_form() -> dict[str, Any]:
    """The submitted form's values, to fill the form again (never stored anywhere)."""
    form: dict[str, Any] = {k: (request.form.get(k) or "").strip() for k in ADVISER_TEXT_FIELDS}
    form["target_kind"] = (
        form["target_kind"] if form["target_kind"] in TARGET_KINDS else "occupation"
    )
    pick = (request.form.get("occupation_pick") or "").strip()
    if pick:
        form["occupation"] = pick
        form["target_kind"] = "occupation"
    form["delivery_modes"] = [m for m in request.form.getlist("delivery_modes") if m]
    form["funded_only"] = request.form.get("funded_only") == "yes"
    form["include_nearby"] = request.form.get("include_nearby") == "yes"
    form["only_my_authority"] = request.form.get("only_my_authority") == "yes"
    form["eds"] = {slug: (request.form.get(f"eds_{slug}") or "") for slug, _ in EDS_FORM_AREAS}
    # Corrections: every skill shown as understood comes back as "understood"; the ones the
    # adviser left ticked come back as "keep". The rest they do not have.
    kept = set(request.form.getlist("keep_skill"))
    understood = dict.fromkeys(request.form.getlist("understood"))
    form["not_held"] = [s for s in understood if s and s not in kept][:MAX_SKILL_IDS]
    return form


def _adviser_request(form: Mapping[str, Any]) -> dict[str, Any]:
    """The matcher's raw request from the form (validated by the matcher's own schema)."""
    raw: dict[str, Any] = {"limit": MATCH_RESULTS}
    if form["current_skills_text"]:
        raw["current_skills_text"] = form["current_skills_text"]
    if form["target_kind"] == "advert":
        raw["target"] = {"advert_text": form["advert_text"]} if form["advert_text"] else {}
    elif form["target_kind"] == "skills":
        raw["target"] = {"skill_phrases": split_phrases(form["skills_text"])}
    else:
        raw["target"] = {"occupation": form["occupation"]} if form["occupation"] else {}
    if form["local_authority"]:
        raw["local_authority"] = form["local_authority"]
    eds = {slug: value for slug, value in form["eds"].items() if value}
    if eds:
        raw["eds"] = eds
    if form["not_held"]:
        raw["not_held_skill_ids"] = form["not_held"]
    constraints: dict[str, Any] = {}
    if form["delivery_modes"]:
        constraints["delivery_modes"] = form["delivery_modes"]
    if form["funded_only"]:
        constraints["funded_only"] = True
    for flag in ("include_nearby", "only_my_authority"):
        if form[flag]:
            constraints[flag] = True
    for name in (
        "max_travel_km",
        "max_duration_weeks",
        "start_from",
        "start_before",
        "min_qualification_level",
        "max_qualification_level",
    ):
        if form[name]:
            constraints[name] = uk_date(form[name]) if name.startswith("start") else form[name]
    raw["constraints"] = constraints
    return raw


def _adviser_context() -> dict[str, Any]:
    return {
        "area_names": [a["name"] for a in get_store().area_options()],
        "travel_km": settings().travel_km,
        "delivery_modes": DELIVERY_MODES,
        "qualification_options": _options(QUALIFICATION_LEVELS),
        "eds_areas": EDS_FORM_AREAS,
        "eds_choices": EDS_CHOICES,
        "max_text": MAX_TEXT_CHARS,
        "max_advert": MAX_ADVERT_CHARS,
        "max_skill_phrases": MAX_TARGET_SKILL_PHRASES,
    }


EMPTY_ADVISER_FORM: dict[str, Any] = {
    **{k: "" for k in ADVISER_TEXT_FIELDS},
    "target_kind": "occupation",
    "delivery_modes": [],
    "funded_only": False,
    "include_nearby": False,
    "only_my_authority": False,
    "eds": {slug: "" for slug, _ in EDS_FORM_AREAS},
    "not_held": [],
}


@bp.route("/adviser", methods=["GET", "POST"])
@page_roles(*ADVISER_ROLES)
def adviser() -> Any:
    """Courses for a client's digital skill gap, ranked and explained, and a pathway.

    The form posts; the answer is rendered in the response and forgotten: nothing about the
    client is stored, logged or put in the session.
    """
    if request.method == "GET":
        return render("adviser.html", form=EMPTY_ADVISER_FORM, errors={}, **_adviser_context())
    form = _adviser_form()
    errors: dict[str, list[str]] = {}
    suggestions: list[dict[str, Any]] = []
    store = get_store()
    if form["target_kind"] == "occupation":
        if not form["occupation"]:
            errors["occupation"] = ["Enter the job they are aiming for, or paste a job advert."]
        elif store.find_occupation(form["occupation"]) is None:
            suggestions = store.search_occupations(form["occupation"], OCCUPATION_SUGGESTIONS)
            errors["occupation"] = [
                "No job title matches that exactly. Choose one of the suggestions below, or "
                "try other words."
                if suggestions
                else "No job title matches those words. Try other words, or paste a job advert."
            ]
    elif form["target_kind"] == "advert" and not form["advert_text"]:
        errors["advert_text"] = ["Paste the text of the job advert, or enter a job title."]
    elif form["target_kind"] == "skills":
        phrases = split_phrases(form["skills_text"])
        if not phrases:
            errors["skills_text"] = ["Enter the skills they need, one per line."]
        elif len(phrases) > MAX_TARGET_SKILL_PHRASES:
            errors["skills_text"] = [
                f"Enter at most {MAX_TARGET_SKILL_PHRASES} skills; this has {len(phrases)}."
            ]
    result = path = None
    if not errors:
        try:
            data = load_request(_adviser_request(form))
            matcher = get_matcher(settings(), store)
            result = matcher.rank(data, store, validated=True)
            path = matcher.pathway(data, store, validated=True)
        except InvalidInput as exc:
            errors = _errors_from(
                exc.errors, {"skill_phrases": "skills_text", "not_held_skill_ids": "_form"}
            )
            if not errors:
                errors["_form"] = [exc.message]
    status = 422 if errors else 200
    return render(
        "adviser.html",
        status,
        form=form,
        errors=errors,
        suggestions=suggestions,
        result=result,
        path=path,
        understood=_understood(result, form["not_held"], store) if result else [],
        **_adviser_context(),
    )


def _understood(result: Any, not_held: Sequence[str], store: Any) -> list[dict[str, Any]]:
    """Each skill we took the client to have, once, as a tick box to correct: the target
    skills they hold, then their phrases' readings, then those the adviser said they lack
    (unticked, so a second thought can tick them again)."""
    items: dict[str, dict[str, Any]] = {}
    for t in result.held:
        items.setdefault(t.skill_id, {"label": t.label, "said": f"from {t.held_by}"})
    for r in result.person.recognised:
        items.setdefault(r["skill_id"], {"label": r["label"], "said": f"“{r['text']}”"})
    facts = store.skill_facts(s for s in not_held if s not in items) if not_held else {}
    for s in not_held:
        if s in facts:
            items.setdefault(s, {"label": facts[s]["label"], "said": "you said they do not"})
    return [{"skill_id": s, **item, "held": s not in not_held} for s, item in items.items()]


@bp.route("/adviser/occupations", methods=["POST"])
@page_roles(*ADVISER_ROLES)
@no_audit
def occupation_suggestions() -> Any:
    """Job titles for the suggestion list as someone types (POST: kept out of access logs)."""
    text = (request.form.get("q") or "").strip()[:MAX_QUERY_CHARS]
    found = get_store().search_occupations(text, OCCUPATION_SUGGESTIONS) if len(text) >= 2 else []
    # Each occupation once, by its preferred label (what the matcher resolves exactly).
    return jsonify({"occupations": [o["label"] for o in found]})


# -- course search and detail -------------------------------------------------------------


def _choice(name: str, choices: Sequence[str], errors: dict[str, list[str]]) -> str | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    if value not in choices:
        errors[name] = ["Choose one of the options in the list."]
        return None
    return value


@bp.route("/courses")
@page_roles(*READER_ROLES)
def courses() -> Any:
    """Search the active catalogue by words, area, level, programme and delivery mode."""
    store = get_store()
    errors: dict[str, list[str]] = {}
    area_groups = _area_choices(rollups=True)
    names = _area_names(area_groups)
    q = (request.args.get("q") or "").strip()
    if len(q) > MAX_QUERY_CHARS:
        errors["q"] = [f"Use at most {MAX_QUERY_CHARS} characters."]
        q = ""
    area = _choice("area", list(names), errors)
    level = _choice("level", QUALIFICATION_LEVELS, errors)
    programme = _choice("programme_type", PROGRAMME_TYPES, errors)
    delivery = _choice("delivery_mode", DELIVERY_MODES, errors)
    try:
        page = max(1, int(request.args.get("page") or 1))
    except ValueError:
        page = 1
    filters = CourseFilters(
        text=q or None,
        qualification_levels=[level] if level else None,
        programme_type=programme,
        areas=catalogue.area_codes(store, [area]) if area else None,
        delivery_mode=delivery,
    )
    items, total = store.list_courses(
        filters, limit=COURSES_PER_PAGE, offset=(page - 1) * COURSES_PER_PAGE
    )
    pages = max(1, math.ceil(total / COURSES_PER_PAGE))
    query = {
        k: v
        for k, v in (
            ("q", q),
            ("area", area),
            ("level", level),
            ("programme_type", programme),
            ("delivery_mode", delivery),
        )
        if v
    }
    return render(
        "courses.html",
        400 if errors else 200,
        errors=errors,
        items=items,
        total=total,
        page=page,
        pages=pages,
        query=query,
        form={
            "q": q,
            "area": area,
            "level": level,
            "programme_type": programme,
            "delivery_mode": delivery,
        },
        area_groups=area_groups,
        area_name=names.get(area or ""),
        level_options=_options(QUALIFICATION_LEVELS),
        programme_options=_options(PROGRAMME_TYPES),
        delivery_options=_options(DELIVERY_MODES),
    )


@bp.route("/courses/<int:course_id>")
@page_roles(*READER_ROLES)
def course_detail(course_id: int) -> Any:
    """One course: skills taught with levels, places, dates, cost, provider, eligibility."""
    course = get_store().course(course_id)
    user = g.user
    can_edit = user.role == "provider" and user.provider_id == course["provider_id"]
    return render("course.html", course=course, can_edit=can_edit)


# -- provider portal ----------------------------------------------------------------------


@bp.route("/provider")
@page_roles(*PROVIDER_ROLES)
def provider_courses() -> Any:
    """The signed-in provider's own courses, active and withdrawn."""
    try:
        page = max(1, int(request.args.get("page") or 1))
    except ValueError:
        page = 1
    items, total = get_store().list_courses(
        CourseFilters(provider_id=g.user.provider_id, status=None),
        limit=PROVIDER_COURSES_PER_PAGE,
        offset=(page - 1) * PROVIDER_COURSES_PER_PAGE,
    )
    return render(
        "provider.html",
        items=items,
        total=total,
        page=page,
        pages=max(1, math.ceil(total / PROVIDER_COURSES_PER_PAGE)),
        today=date.today().isoformat(),
    )


# Fields of a course the edit form shows, in order, with how each is entered.
EDIT_TEXT = (
    "title",
    "description",
    "who_for",
    "entry_requirements",
    "venue",
    "url",
    "cost_description",
    "eligibility_notes",
)
EDIT_CHOICES: dict[str, Sequence[str]] = {
    "course_type": COURSE_TYPES,
    "programme_type": PROGRAMME_TYPES,
    "qualification_level": QUALIFICATION_LEVELS,
    "delivery_mode": DELIVERY_MODES,
    "study_mode": STUDY_MODES,
    "attendance_pattern": ATTENDANCE_PATTERNS,
    "duration_unit": DURATION_UNITS,
    "funding": FUNDING,
    "status": ("active", "withdrawn"),
}
EDIT_NUMBERS = ("duration_value", "places", "cost")
EDIT_FLAGS = ("national_delivery", "flexible_start")
# Optional fields whose empty value means "none" rather than "empty text".
EDIT_NULLABLE = {"venue", "url", "attendance_pattern", "local_authority"}


def _edit_values(course: Mapping[str, Any]) -> dict[str, Any]:
    """A stored course as the edit form shows it."""
    values: dict[str, Any] = {name: course.get(name) or "" for name in EDIT_TEXT}
    values.update({name: course.get(name) or "" for name in EDIT_CHOICES})
    values["local_authority"] = course.get("local_authority") or ""
    values["duration_value"] = f"{course['duration_value']:g}"
    values["places"] = str(course["places"])
    values["cost"] = f"{course['cost']:.2f}" if course["cost"] else "0"
    values["start_dates"] = ", ".join(
        date.fromisoformat(d).strftime("%d/%m/%Y") for d in course["start_dates"]
    )
    for name in EDIT_FLAGS:
        values[name] = bool(course.get(name))
    return values


def _edit_changes(form: Mapping[str, Any]) -> dict[str, Any]:
    """The form as a change to the course; the core validates it whole (as the API's PATCH)."""
    changes: dict[str, Any] = {}
    for name in (*EDIT_TEXT, *EDIT_CHOICES, "local_authority"):
        value = form[name]
        changes[name] = None if (value == "" and name in EDIT_NULLABLE) else value
    for name in EDIT_NUMBERS:
        changes[name] = form[name] if form[name] != "" else None
    if changes["cost"] is None:
        changes["cost"] = 0
    for name in EDIT_FLAGS:
        changes[name] = bool(form[name])
    changes["start_dates"] = [
        uk_date(d) for d in form["start_dates"].replace(";", ",").split(",") if d.strip()
    ]
    return changes


def _own_course(course_id: int) -> dict[str, Any]:
    store = get_store()
    catalogue.check_course_owner(store, course_id, g.user.provider_id)  # 404, or 403 page
    return store.course(course_id)


@bp.route("/provider/courses/<int:course_id>/edit", methods=["GET", "POST"])
@page_roles(*PROVIDER_ROLES)
def provider_edit(course_id: int) -> Any:
    """Edit one of the provider's courses; problems are shown next to each field."""
    course = _own_course(course_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = {
            name: (request.form.get(name) or "").strip()
            for name in (*EDIT_TEXT, *EDIT_CHOICES, *EDIT_NUMBERS, "local_authority", "start_dates")
        }
        for name in EDIT_FLAGS:
            form[name] = request.form.get(name) == "yes"
        try:
            catalogue.update_course(
                get_store(), g.user.provider_id, course_id, _edit_changes(form), _linker()
            )
        except InvalidInput as exc:
            errors = _errors_from(exc.errors) or {"_form": [exc.message]}
        else:
            flash(f"Saved the changes to '{form['title']}'.", "success")
            return redirect(url_for("pages.provider_courses"), 303)
    else:
        form = _edit_values(course)
    return render(
        "provider_edit.html",
        422 if errors else 200,
        course=course,
        form=form,
        errors=errors,
        choices={name: _options(codes) for name, codes in EDIT_CHOICES.items()},
        area_groups=_area_choices(rollups=False),
    )


def _linker() -> Any:
    from skills_match.engine import EngineLinker

    # Records that name their skills never load the model; the others are linked on write.
    return EngineLinker(settings())


def _upload_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="pages.provider-upload")


def _upload_token(content: bytes, fmt: str | None, name: str) -> str:
    """A signed note that this exact file was checked for this key (for the confirm step)."""
    return _upload_signer().dumps(
        {
            "key": g.user.key_id,
            "provider": g.user.provider_id,
            "sha256": hashlib.sha256(content).hexdigest(),
            "format": fmt,
            "name": name,
        }
    )


UPLOAD_FORMATS = {"csv": "csv", "json": "json", "jsonl": "jsonl", "ndjson": "jsonl"}


def _check_upload(content: bytes, fmt: str | None, name: str, dry_run: bool) -> Any:
    return catalogue.import_course_file(
        get_store(),
        g.user.provider_id,
        content,
        fmt,
        source_name=f"pages:{name}",
        actor=g.user.actor,
        dry_run=dry_run,
        linker=_linker(),
    )


@bp.route("/provider/upload", methods=["GET", "POST"])
@page_roles(*PROVIDER_ROLES)
def provider_upload() -> Any:
    """Step 1 of a bulk upload: check a CSV or JSON file (a dry run: nothing is saved).

    A clean check shows what the import would do and a confirm form that carries the same
    bytes back (base64, with a signed note of their hash, key and time) so step 2 imports
    exactly the file that was checked, and nothing is kept on the server in between.
    """
    errors: dict[str, list[str]] = {}
    report = None
    confirm = None
    if request.method == "POST":
        file = request.files.get("file")
        if file is None or not file.filename:
            errors["file"] = ["Choose a CSV or JSON file of your courses."]
        else:
            name = file.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:100]
            suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            fmt = UPLOAD_FORMATS.get(suffix)
            content = file.read(UPLOAD_MAX_BYTES + 1)
            if fmt is None:
                errors["file"] = ["The file must be a .csv, .json or .jsonl file."]
            elif len(content) > UPLOAD_MAX_BYTES:
                errors["file"] = [
                    f"The file is larger than {UPLOAD_MAX_BYTES // (1024 * 1024)} MB. Split it, "
                    "or send it to the API's bulk upload (POST /api/v1/courses/bulk)."
                ]
            else:
                try:
                    report = _check_upload(content, fmt, name, dry_run=True)
                except ImportRejected as exc:
                    report = exc.errors
                except InvalidInput as exc:
                    errors["file"] = [exc.message]
                else:
                    confirm = {
                        # URL-safe alphabet: nothing in it needs percent-encoding in the form body.
                        "content": base64.urlsafe_b64encode(content).decode("ascii"),
                        "token": _upload_token(content, fmt, name),
                        "name": name,
                    }
    status = 422 if errors or (report is not None and report.errors) else 200
    return render(
        "provider_upload.html",
        status,
        errors=errors,
        report=report,
        confirm=confirm,
        max_mb=UPLOAD_MAX_BYTES // (1024 * 1024),
        max_rows=MAX_ROWS,
    )


@bp.route("/provider/upload/import", methods=["POST"])
@page_roles(*PROVIDER_ROLES)
def provider_import() -> Any:
    """Step 2 of a bulk upload: import the file that step 1 checked (all rows or none)."""
    try:
        note = _upload_signer().loads(request.form.get("token") or "", max_age=UPLOAD_TOKEN_SECONDS)
        content = base64.urlsafe_b64decode((request.form.get("content") or "").encode("ascii"))
    except (BadSignature, binascii.Error, ValueError):
        abort(400, "This confirmation has expired or was changed. Check the file again.")
    if (
        note.get("key") != g.user.key_id
        or note.get("provider") != g.user.provider_id
        or not hmac.compare_digest(note.get("sha256", ""), hashlib.sha256(content).hexdigest())
    ):
        abort(400, "This confirmation does not match the file that was checked. Check it again.")
    try:
        report = _check_upload(content, note.get("format"), note.get("name", "upload"), False)
    except ImportRejected as exc:
        # The catalogue changed between check and import (e.g. the same reference was used):
        # the file is shown with its problems, as at step 1.
        return render(
            "provider_upload.html",
            422,
            errors={},
            report=exc.errors,
            confirm=None,
            max_mb=UPLOAD_MAX_BYTES // (1024 * 1024),
            max_rows=MAX_ROWS,
        )
    parts = [
        f"{n} {word}"
        for n, word in (
            (report.inserted, "new"),
            (report.updated, "updated"),
            (report.unchanged, "unchanged"),
        )
        if n
    ]
    flash(f"Imported {note.get('name')}: {', '.join(parts) or 'no rows'}.", "success")
    return redirect(url_for("pages.provider_courses"), 303)


# -- partnership dashboard ----------------------------------------------------------------

MONTH_FORMAT = "%Y-%m"


def _report_form(
    errors: dict[str, list[str]],
) -> tuple[dict[str, Any], GapReportFilters, GapReportOptions]:
    """The dashboard's filters from the query string (each checked against its choices)."""
    area_groups = _area_choices(rollups=True)
    names = _area_names(area_groups)
    area = _choice("area", list(names), errors)
    level = _choice("level", REPORT_LEVELS, errors)
    sector = _choice("sector", SIC_SECTIONS, errors)
    months: dict[str, str | None] = {}
    for name in ("from", "to"):
        value = (request.args.get(name) or "").strip()
        if value and not _is_month(value):
            errors[name] = ["Enter a month as YYYY-MM, for example 2026-03."]
            value = ""
        months[name] = value or None
    suppress = request.args.get("suppress") == "yes"
    form = {
        "area": area,
        "level": level,
        "sector": sector,
        "from": months["from"],
        "to": months["to"],
        "suppress": suppress,
        "area_groups": area_groups,
        "area_name": names.get(area or ""),
    }
    filters = GapReportFilters(
        areas=(area,) if area else (),
        levels=(level,) if level else (),
        sectors=(sector,) if sector else (),
        period_from=months["from"],
        period_to=months["to"],
    )
    options = GapReportOptions(threshold=settings().small_cell_threshold, suppress=suppress)
    return form, filters, options


def _is_month(value: str) -> bool:
    try:
        year, month = value.split("-")
        return len(year) == 4 and 1 <= int(month) <= 12 and len(month) == 2 and int(year) > 1900
    except ValueError:
        return False


def _report_query(form: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """The filters as query parameters, for links that keep them."""
    query = {k: form[k] for k in ("area", "level", "sector", "from", "to") if form.get(k)}
    if form.get("suppress"):
        query["suppress"] = "yes"
    query.update({k: v for k, v in extra.items() if v is not None})
    return query


@bp.route("/partnership")
@page_roles(*PARTNERSHIP_ROLES)
def partnership() -> Any:
    """Unmet demand by level and area: charts, a heatmap, the trend and top skills."""
    errors: dict[str, list[str]] = {}
    form, filters, options = _report_form(errors)
    view = None
    if not errors:
        try:
            report = build_gap_report(get_store(), filters, options, settings().data_dir)
        except InvalidInput as exc:
            errors = _errors_from(
                exc.errors,
                {"period_from": "from", "period_to": "to", "areas": "area", "levels": "level"},
            )
            if not errors:
                errors["_form"] = [exc.message]
        else:
            view = _dashboard(report)
    return render(
        "partnership.html",
        400 if errors else 200,
        errors=errors,
        form=form,
        view=view,
        query=_report_query(form),
        level_options=_options(REPORT_LEVELS),
        sector_options=[
            (s, report_labels(settings().data_dir).label("sector", s)) for s in SIC_SECTIONS
        ],
    )


def _dashboard(report: Any) -> dict[str, Any]:
    """The report's published figures arranged for the dashboard, with its SVG charts."""
    data = report.to_dict()
    levels = report.levels_present()
    columns = [*levels, "all"]
    summary = [r for r in data["summary"] if r["level"] in columns]
    cells = {(r["area_code"], r["area_kind"], r["level"]): r for r in data["areas"]}
    areas = [
        {"code": a.code, "kind": a.kind, "name": a.name}
        for a in report.areas
        if a.kind == "local_authority"
    ]
    rollups = [
        {"code": a.code, "kind": a.kind, "name": a.name}
        for a in report.areas
        if a.kind != "local_authority"
    ]
    top = [r for r in data["top_skills"] if r["area_kind"] == "total"]
    months = sorted({p["month"] for p in data["trend"]})
    points = {(p["month"], p["level"]): p for p in data["trend"]}
    return {
        "data": data,
        "levels": levels,
        "columns": columns,
        "summary": summary,
        "cells": cells,
        "areas": areas,
        "rollups": rollups,
        "top": {lv: [r for r in top if r["level"] == lv] for lv in levels},
        "months": months,
        "points": points,
        "bar": exports.bar_chart(summary, levels),
        "heat": exports.heatmap(data["areas"], areas, levels) if areas else None,
        "trend": exports.trend_chart(data["trend"], levels) if months else None,
    }


@bp.route("/partnership/drilldown")
@page_roles(*PARTNERSHIP_ROLES)
def partnership_drilldown() -> Any:
    """The demand records and courses behind one skill's figures on the dashboard."""
    errors: dict[str, list[str]] = {}
    form, filters, options = _report_form(errors)
    skill = (request.args.get("skill") or "").strip()
    if not SKILL_ID.match(skill):
        abort(404, "Choose a skill from the dashboard to see the records behind it.")
    try:
        page = max(1, int(request.args.get("page") or 1))
    except ValueError:
        page = 1
    if errors:
        abort(400, "The filters are not valid; go back to the dashboard and choose again.")
    cell = drilldown(
        get_store(),
        skill,
        filters,
        options,
        limit=DRILLDOWN_RECORDS_PER_PAGE,
        offset=(page - 1) * DRILLDOWN_RECORDS_PER_PAGE,
    ).to_dict()
    total = cell["records_total"] or 0
    return render(
        "drilldown.html",
        form=form,
        cell=cell,
        page=page,
        pages=max(1, math.ceil(total / DRILLDOWN_RECORDS_PER_PAGE)),
        query=_report_query(form),
        skill=skill,
    )


DOWNLOAD_FORMATS = ("csv", "xlsx", "html")


@bp.route("/partnership/download.<fmt>")
@page_roles(*PARTNERSHIP_ROLES)
def partnership_download(fmt: str) -> Any:
    """The dashboard's report, with the same filters, as a CSV, XLSX or HTML file."""
    if fmt not in DOWNLOAD_FORMATS:
        abort(404, f"Reports download as {', '.join(DOWNLOAD_FORMATS)}.")
    errors: dict[str, list[str]] = {}
    _, filters, options = _report_form(errors)
    if errors:
        abort(400, "The filters are not valid; go back to the dashboard and choose again.")
    report = build_gap_report(get_store(), filters, options, settings().data_dir)
    response = Response(exports.render(report, fmt), content_type=exports.CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(report, fmt)}"'
    )
    return response


# -- wiring ------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Register the pages, their session settings and the HTML error pages for non-API paths."""
    config = app.extensions["skills_match"]["settings"]
    if config.session_hours < 1:
        raise ConfigurationError(
            f"SKILLS_MATCH_SESSION_HOURS must be at least 1, got {config.session_hours}."
        )
    app.config.update(
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config.session_hours),
        SESSION_COOKIE_NAME="skills_match_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.session_interface = PageSessionInterface()
    app.register_blueprint(bp)
    # api/errors.py hands HTTP errors on paths outside /api/ (an unknown page, a 405) here.
    app.extensions["html_errors"] = html_http_error
