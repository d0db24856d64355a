"""Every route against a table of who may reach it (issue 4: "a new route that is not in the table fails").

The walk takes every rule of ``app.url_map`` with each of its methods (HEAD and OPTIONS aside) and asks it as an
anonymous visitor, an investor user, the governor's office, a province officer and an administrator, with URL
arguments taken from records built here (the investor's own estate, permit and document, and another investor's).
Each answer is checked against ``ACCESS``, written out by hand: a route missing from it fails the test with its
name, and so does an entry for a route that no longer exists. The endpoints an anonymous visitor may reach must
be exactly ``app.access.PUBLIC_ENDPOINTS`` (the JSON API's calls, which answer 401 to every session, aside).

Below the walk: an investor asking for another investor's estate, permit or document by id gets 404 on the
portal pages and the download, and a write without a CSRF token is refused on an app configured as in production.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from accounts.tokens import create_token
from app import create_app
from app.access import PUBLIC_ENDPOINTS
from app.extensions import db
from app.models import Region, Role, Setting, User
from devtools.factories import (
    make_claim,
    make_estate,
    make_import_batch,
    make_investor,
    make_layoff,
    make_lkpm_entry,
    make_permit,
    make_zone,
    minimal_pdf,
    region,
)
from estates.models import Estate, Investor
from forecast.models import ForecastInput
from permits.admin import closures as admin_closures
from permits.agencies.models import Agency, AgencyRule
from permits.documents import services as documents
from permits.documents import uploads
from permits.documents.models import PermitDocument
from permits.models import PermitStatus, PermitType
from permits.notify.models import Notification, NotificationKind
from permits.rules import Regime
from realisation.models import LkpmFlag, LkpmFlagKind

ROLES = ("anonymous", "investor", "governor", "officer", "administrator")

# What an answer must be:
LOGIN = "login"  # 302 to the sign-in page, with ``next``
OK = "ok"  # 200, or a redirect elsewhere than the sign-in page (a form saved or refused, a page that moved)
SCOPED = "scoped"  # OK for one's own record (the investor's estate, one's message), 404 for somebody else's
# Routes with an estate, permit, document or message in the URL are asked with the own and with somebody else's
# record: any other answer than SCOPED must then be the same for both.
FORBIDDEN = 403
TOKEN = 401  # the JSON API: a page session never authenticates a call, only a token (tests/api test tokens)
# A string starting with "/" is a 302 to exactly that place.

# endpoint -> answers for (anonymous, investor, governor, province officer, administrator), for every method of
# the endpoint's rules. Requests carry no form data: a write that is let in answers OK with its form refused.
ACCESS: dict[str, tuple[object, object, object, object, object]] = {
    # public (app.access.PUBLIC_ENDPOINTS)
    "auth.login": (OK, "/portal", "/", "/", "/"),  # a signed-in user is sent home
    "core.set_language": ("/", "/", "/", "/", "/"),
    "core.healthz": (OK, OK, OK, OK, OK),
    "static": (OK, OK, OK, OK, OK),
    "bootstrap.static": (OK, OK, OK, OK, OK),
    "api-docs.openapi_json": (OK, OK, OK, OK, OK),  # the API's document: its shape, no data
    "api_docs.docs": (OK, OK, OK, OK, OK),  # its documentation page
    # one's own account
    "auth.logout": (LOGIN, "/login", "/login", "/login", "/login"),
    "auth.password": (LOGIN, OK, OK, OK, OK),
    "auth.api_tokens": (LOGIN, OK, OK, OK, OK),
    "auth.api_token_revoke": (LOGIN, 404, 404, 404, 404),  # the token in the URL is somebody else's
    # the office's pages: read by the office, changed by officers and administrators
    "dashboard.index": (LOGIN, "/portal", OK, OK, OK),
    "estates.investor_list": (LOGIN, FORBIDDEN, OK, OK, OK),
    "estates.investor_list_csv": (LOGIN, FORBIDDEN, OK, OK, OK),
    "estates.investor_detail": (LOGIN, FORBIDDEN, OK, OK, OK),
    "estates.investor_create": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "estates.investor_edit": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "estates.estate_list": (LOGIN, FORBIDDEN, OK, OK, OK),
    "estates.estate_list_csv": (LOGIN, FORBIDDEN, OK, OK, OK),
    "estates.estate_map": (LOGIN, FORBIDDEN, OK, OK, OK),
    "estates.estate_detail": (LOGIN, FORBIDDEN, OK, OK, OK),
    "estates.estate_create": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "estates.estate_edit": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "estates.zone_create": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "estates.zone_edit": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "estates.zone_delete": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "estates.claim_create": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "estates.claim_edit": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "permits.permit_list": (LOGIN, FORBIDDEN, OK, OK, OK),
    "permits.permit_list_csv": (LOGIN, FORBIDDEN, OK, OK, OK),
    "permits.clock_stops": (LOGIN, FORBIDDEN, OK, OK, OK),
    "permits.clock_stops_csv": (LOGIN, FORBIDDEN, OK, OK, OK),
    "permits.permit_detail": (LOGIN, FORBIDDEN, OK, OK, OK),
    "permits.permit_create": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "permits.permit_edit": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "permits.permit_move": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "permit_imports.permit_import": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "permit_imports.permit_template": (LOGIN, FORBIDDEN, OK, OK, OK),
    # stalled permits and the evidence behind a flag: read by the office
    "stalls.stalled_list": (LOGIN, FORBIDDEN, OK, OK, OK),
    "stalls.stalled_list_csv": (LOGIN, FORBIDDEN, OK, OK, OK),
    "stalls.agency_stats": (LOGIN, FORBIDDEN, OK, OK, OK),
    "stalls.agency_stats_csv": (LOGIN, FORBIDDEN, OK, OK, OK),
    "stalls.evidence": (LOGIN, FORBIDDEN, OK, OK, OK),
    "stalls.evidence_json": (LOGIN, FORBIDDEN, OK, OK, OK),
    # documents: uploaded by editors, downloaded by whoever may see the permit
    "documents.upload": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "documents.download": (LOGIN, SCOPED, OK, OK, OK),
    # realisation: LKPM reports, missing reports, layoffs and province totals; read by the office, recorded,
    # corrected and imported by officers and administrators (a province figure: province-wide editors only)
    "realisation.entry_list": (LOGIN, FORBIDDEN, OK, OK, OK),
    "realisation.entry_list_csv": (LOGIN, FORBIDDEN, OK, OK, OK),
    "realisation.entry_detail": (LOGIN, FORBIDDEN, OK, OK, OK),
    "realisation.entry_create": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "realisation.entry_correct": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "realisation.lkpm_import": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "realisation.lkpm_template": (LOGIN, FORBIDDEN, OK, OK, OK),
    "realisation.import_detail": (LOGIN, FORBIDDEN, OK, OK, OK),
    "realisation.missing_reports": (LOGIN, FORBIDDEN, OK, OK, OK),
    "realisation.flag_evidence": (LOGIN, FORBIDDEN, OK, OK, OK),
    "realisation.flag_evidence_json": (LOGIN, FORBIDDEN, OK, OK, OK),
    "realisation.missing_reports_csv": (LOGIN, FORBIDDEN, OK, OK, OK),
    "layoffs.layoff_list": (LOGIN, FORBIDDEN, OK, OK, OK),
    "layoffs.layoff_list_csv": (LOGIN, FORBIDDEN, OK, OK, OK),
    "layoffs.layoff_create": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "layoffs.layoff_edit": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "layoffs.layoff_import": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "layoffs.layoff_template": (LOGIN, FORBIDDEN, OK, OK, OK),
    "province.coverage": (LOGIN, FORBIDDEN, OK, OK, OK),
    "province.release_create": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    # the job forecast: read by the office (an officer of one kab/kota sees its own), recomputed and frozen by
    # editors, its inputs edited by administrators only
    "forecast.index": (LOGIN, FORBIDDEN, OK, OK, OK),
    "forecast.download": (LOGIN, FORBIDDEN, OK, OK, OK),
    "forecast.refresh": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "forecast.snapshots": (LOGIN, FORBIDDEN, OK, OK, OK),
    "forecast.snapshot_create": (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "forecast.assumptions": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "forecast.input_edit": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "realised.variance_page": (LOGIN, FORBIDDEN, OK, OK, OK),
    "realised.variance_csv": (LOGIN, FORBIDDEN, OK, OK, OK),
    "realised.calibration_set": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    # the investor portal: investor users only, and only their own records
    "portal.home": (LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "portal.lkpm": (LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "portal.document_list": (LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "portal.estate_detail": (LOGIN, SCOPED, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "portal.permit_detail": (LOGIN, SCOPED, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "portal.answer": (LOGIN, SCOPED, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    # messages: each signed-in user reads and marks only their own; the outbox is the administrators'
    "notifications.inbox": (LOGIN, OK, OK, OK, OK),
    "notifications.mark_read": (LOGIN, SCOPED, SCOPED, SCOPED, SCOPED),
    "notifications.mark_all_read": (LOGIN, OK, OK, OK, OK),
    "notifications.outbox_list": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "notifications.outbox_message": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    # the JSON API: tokens only (tests/api/ walks the same rules with a token of each role)
    "api_register.investor_list": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_register.investor_detail": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_register.investor_create": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_register.investor_update": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_register.estate_list": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_register.estate_detail": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_register.estate_create": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_register.estate_update": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_register.zone_create": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_register.zone_update": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_permits.permit_list": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_permits.permit_detail": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_permits.permit_events": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_permits.permit_create": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_permits.permit_update": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_permits.permit_transition": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_figures.permit_types": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_figures.agencies": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_figures.flags": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_figures.lkpm_entries": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_figures.layoff_records": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_figures.forecast_figures": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    "api_figures.forecast_snapshots": (TOKEN, TOKEN, TOKEN, TOKEN, TOKEN),
    # administration: administrators only
    "admin.index": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "admin.permit_type_list": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "admin.permit_type_edit": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "admin.rule_edit": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "admin.regime_list": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "admin.regime_edit": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "admin.closure_list": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "admin.closure_remove": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "admin.setting_list": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "admin.setting_edit": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "agencies.agency_list": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "agencies.agency_edit": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "agencies.rule_edit": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "users.user_list": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "users.user_list_csv": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "users.user_create": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "users.user_edit": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "users.user_password": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "users.audit_log": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "users.audit_csv": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
}

PDF = minimal_pdf()  # a real one: PDFs are read (and checked for active content) on upload


@dataclass
class Company:
    """An investor with an estate (a zone, a claim) and a permit holding one document."""

    investor: Investor
    estate: Estate
    permit_id: int
    document: PermitDocument


@dataclass
class World:
    own: Company  # the signed-in investor's
    other: Company  # another investor's
    values: dict[str, object]  # URL arguments that are the same for every role
    spare_zones: dict[str, int]  # a zone for each role that may delete one
    messages: dict[str, int]  # a message for each signed-in role's user ("other": somebody else's)


def _company(name: str, uploader: User) -> Company:
    investor = make_investor(legal_name=name)
    estate = make_estate(investor=investor, region=region("36.73"), name=f"Kawasan {name}")
    permit = make_permit("KKPR", estate=estate, status=PermitStatus.SUBMITTED, submitted_on=date(2026, 1, 5))
    (document,) = documents.store_documents(
        permit, [uploads.Upload("surat.pdf", io.BytesIO(PDF))], uploaded_by_id=uploader.id
    )
    return Company(investor, estate, permit.id, document)


@pytest.fixture
def world(app: Flask, password_hash: str) -> Iterator[World]:
    uploader = User(email="unggah@pantau.test", name="Unggah", role=Role.OFFICER, password_hash=password_hash)
    db.session.add(uploader)
    db.session.flush()
    own, other = _company("PT Milik Sendiri", uploader), _company("PT Orang Lain", uploader)
    zone = make_zone(estate=own.estate, area_ha=Decimal(5))
    spare = {role: make_zone(estate=own.estate, area_ha=Decimal(1)).id for role in ("officer", "administrator")}
    closure = admin_closures.add_closure(date(2026, 6, 15), "closed", "Uji", "Admin").override
    values = {
        "investor_id": own.investor.id,
        "zone_id": zone.id,
        "claim_id": make_claim(estate=own.estate).id,
        "override_id": closure.id,
        "type_id": db.session.scalar(select(PermitType.id).where(PermitType.code == "AMDAL")),
        "regime_id": db.session.scalar(select(Regime.id).order_by(Regime.applies_from.desc())),
        "key": db.session.scalar(select(Setting.key).order_by(Setting.key)),
        "agency_id": db.session.scalar(select(Agency.id).where(Agency.code == "3673-dlh")),
        "rule_id": db.session.scalar(select(AgencyRule.id).order_by(AgencyRule.id)),
        "user_id": uploader.id,
        "lang": "en",
        "filename": None,  # per endpoint, below
        "entry_id": make_lkpm_entry(own.estate).id,
        "batch_id": make_import_batch().id,
        "layoff_id": make_layoff().id,
        "flag_id": _lkpm_flag(own.investor.id),
        "fmt": "xlsx",
        "input_id": db.session.scalar(select(ForecastInput.id).order_by(ForecastInput.id)),
        "token_id": create_token(uploader, "Uji").token.id,
    }
    db.session.commit()
    yield World(own, other, values, spare, {"other": _message(uploader)})
    for company in (own, other):
        (Path(app.instance_path) / "documents" / company.document.stored_name).unlink(missing_ok=True)


def _lkpm_flag(investor_id: int) -> int:
    day = date(2026, 10, 16)
    flag = LkpmFlag(
        investor_id=investor_id, kind=LkpmFlagKind.MISSING, period="2026-Q3", due_on=date(2026, 10, 15),
        raised_on=day, last_confirmed_on=day,
    )  # fmt: skip
    db.session.add(flag)
    db.session.flush()
    return flag.id


def _message(user: User) -> int:
    message = Notification(
        recipient_id=user.id, kind=NotificationKind.DAILY_DIGEST, period=date(2026, 3, 2), subject="Uji", body="Uji"
    )
    db.session.add(message)
    db.session.commit()
    return message.id


STATIC_FILES = {"static": "css/pantau.css", "bootstrap.static": "css/bootstrap.min.css"}


def _arguments(world: World, endpoint: str, role: str, other: bool) -> dict[str, object]:
    whose = world.other if other else world.own
    values = dict(world.values)
    values.update(
        estate_id=whose.estate.id,
        permit_id=whose.permit_id,
        document_id=whose.document.id,
        notification_id=world.messages["other" if other or role == "anonymous" else role],
        filename=STATIC_FILES.get(endpoint),
    )
    if endpoint == "estates.zone_delete" and role in world.spare_zones:
        values["zone_id"] = world.spare_zones[role]  # each editor deletes a zone of its own
    return values


def _url(rule: str, values: dict[str, object]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


@dataclass
class Visitor:
    """Sends each request from a new test client signed in as ``user`` (so that a sign-out ends nothing later)."""

    app: Flask
    user: User | None

    def send(self, method: str, url: str):
        client = self.app.test_client()
        if self.user is not None:
            db.session.refresh(self.user)
            with client.session_transaction() as session:
                session["_user_id"] = self.user.get_id()
                session["_fresh"] = True
        response = client.open(url, method=method)
        response.close()
        return response


def _visitors(app: Flask, login_as: Callable[..., FlaskClient], world: World) -> dict[str, Visitor]:
    """A visitor per role; each signed-in one gets a message of its own."""
    visitors = {"anonymous": Visitor(app, None)}
    for role in ROLES[1:]:
        signed_in = login_as(role, investor=world.own.investor if role == "investor" else None)
        visitors[role] = Visitor(app, signed_in.user)
        world.messages[role] = _message(signed_in.user)
    return visitors


def _judge(expected: object, response, *, other: bool) -> str | None:
    """None when ``response`` is the ``expected`` answer, else what it was."""
    status, location = response.status_code, response.headers.get("Location", "")
    seen = f"{status} {location}".strip()
    if expected == SCOPED:
        expected = 404 if other else OK
    if expected == LOGIN:
        good = status == 302 and location.startswith("/login?next=")
    elif expected == OK:
        good = status in (200, 409, 422) or (status in (302, 303) and not location.startswith("/login"))
    elif isinstance(expected, str):
        good = status == 302 and location == expected
    else:
        good = status == expected
    return None if good else seen


OWNED = re.compile(r"<int:(estate_id|permit_id|document_id|notification_id)>")


def _routes(app: Flask) -> list[tuple[str, str, list[str]]]:
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))
    return [(r.endpoint, r.rule, sorted(set(r.methods or ()) - {"HEAD", "OPTIONS"})) for r in rules]


def test_the_access_table_names_every_route_and_only_existing_ones(app: Flask):
    endpoints = {endpoint for endpoint, _rule, _methods in _routes(app)}
    missing = sorted(endpoints - set(ACCESS))
    assert not missing, f"new route not in the access table: {', '.join(missing)} (add it to ACCESS in {__file__})"
    gone = sorted(set(ACCESS) - endpoints)
    assert not gone, f"the access table names routes that no longer exist: {', '.join(gone)}"


def test_the_public_endpoints_are_exactly_those_of_the_access_gate():
    public = {endpoint for endpoint, answers in ACCESS.items() if answers[0] not in (LOGIN, TOKEN)}
    assert public == PUBLIC_ENDPOINTS


def test_every_route_answers_each_role_as_the_table_says(
    app: Flask, login_as: Callable[..., FlaskClient], world: World
):
    visitors = _visitors(app, login_as, world)
    wrong: list[str] = []
    asked = 0
    for endpoint, rule, methods in _routes(app):
        answers = ACCESS.get(endpoint)
        if answers is None:
            continue  # reported by the test above
        # writes last, by the roles that may make them last, so that a deletion changes nothing asked later
        for method in sorted(methods, key=lambda m: m != "GET"):
            for role, expected in zip(ROLES, answers, strict=True):
                for other in (False, True) if OWNED.search(rule) else (False,):
                    url = _url(rule, _arguments(world, endpoint, role, other))
                    seen = _judge(expected, visitors[role].send(method, url), other=other)
                    asked += 1
                    if seen is not None:
                        wrong.append(f"{endpoint} {method} {url} as {role}: expected {expected}, got {seen}")
    assert asked > 200  # the walk really went through the routes
    assert not wrong, "\n".join(wrong)


def test_the_judge_reports_an_answer_that_is_not_the_expected_one(
    app: Flask, login_as: Callable[..., FlaskClient], world: World
):
    visitors = _visitors(app, login_as, world)
    portal = visitors["investor"].send("GET", "/portal")
    assert _judge(OK, portal, other=False) is None
    assert _judge(FORBIDDEN, portal, other=False) == "200"
    assert _judge(LOGIN, portal, other=False) == "200"
    own_estate = visitors["investor"].send("GET", f"/portal/estates/{world.own.estate.id}")
    assert _judge(SCOPED, own_estate, other=False) is None
    assert _judge(SCOPED, own_estate, other=True) == "200"  # as if another investor's estate had been shown
    stranger = visitors["anonymous"].send("GET", "/portal")
    assert _judge(LOGIN, stranger, other=False) is None
    assert _judge(OK, stranger, other=False) == "302 /login?next=/portal"
    assert _judge("/portal", visitors["investor"].send("GET", "/"), other=False) is None


# --- another investor's records, by id --------------------------------------------------------------------------


def test_an_investor_gets_404_for_another_investors_records_on_every_portal_page_and_download(
    login_as: Callable[..., FlaskClient], world: World
):
    investor = login_as("investor", investor=world.own.investor)
    own, other = world.own, world.other
    for url in (
        f"/portal/estates/{own.estate.id}",
        f"/portal/permits/{own.permit_id}",
        f"/documents/{own.document.id}/download",
    ):
        response = investor.get(url)
        response.close()
        assert response.status_code == 200, url
    for url in (
        f"/portal/estates/{other.estate.id}",
        f"/portal/permits/{other.permit_id}",
        f"/documents/{other.document.id}/download",
        "/portal/estates/999999999",
        "/portal/permits/99999999999999999999999",
        "/documents/999999/download",
    ):
        assert investor.get(url).status_code == 404, url
    before = db.session.scalar(select(func.count(PermitDocument.id)))
    answer = {"documents": (io.BytesIO(PDF), "sisip.pdf"), "note": "Revisi"}
    response = investor.post(
        f"/portal/permits/{other.permit_id}/answer", data=answer, content_type="multipart/form-data"
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(PermitDocument.id))) == before
    home = investor.get("/portal").get_data(as_text=True)
    assert "PT Milik Sendiri" in home and "PT Orang Lain" not in home


# --- CSRF ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def strict_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The app with CSRF checked, as in production (the shared test app leaves it off)."""
    strict = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "WTF_CSRF_ENABLED": True,
            "BABEL_DEFAULT_LOCALE": "en",
        },
        instance_path=str(tmp_path),
    )
    with strict.app_context():
        yield strict
        db.session.remove()
        db.engine.dispose()  # its own connection pool: closed here, not left to the garbage collector


def _signed_in(application: Flask, user: User) -> FlaskClient:
    client = application.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _token(client: FlaskClient, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("role", ["officer", "administrator"])
def test_a_write_without_a_csrf_token_is_refused_and_changes_nothing(strict_app: Flask, password_hash: str, role: str):
    user = User(email=f"{role}@pantau.test", name="Uji", role=Role(role), password_hash=password_hash)
    db.session.add(user)
    db.session.commit()
    client = _signed_in(strict_app, user)
    if role == "officer":
        url, data = "/investors/new", {"legal_name": "PT Tanpa Token", "legal_form": "pt", "capital_status": "pmdn"}
        data["country_of_origin"] = "ID"
        written = lambda: db.session.scalar(select(func.count(Investor.id)))  # noqa: E731
    else:
        url = "/admin/users/new"
        data = {"email": "baru@pantau.test", "name": "Baru", "role": "governor", "region_id": "", "investor_id": ""}
        data |= {"password": "kopi-tubruk-pagi-hari", "confirm": "kopi-tubruk-pagi-hari"}
        written = lambda: db.session.scalar(select(func.count(User.id)))  # noqa: E731
    before = written()
    assert client.post(url, data=data).status_code == 400
    assert client.post(url, data=data | {"csrf_token": "forged"}).status_code == 400
    assert written() == before
    assert client.post(url, data=data | {"csrf_token": _token(client, url)}).status_code == 302  # the same, with it
    assert written() == before + 1


def test_a_region_officer_is_told_apart_from_a_province_one(login_as: Callable[..., FlaskClient], world: World):
    """The table's officer is the province's; a Kota Serang officer and a Kab. Tangerang estate get 404."""
    tangerang = make_estate(region=region("36.03"), name="Kawasan Tangerang")
    db.session.commit()
    serang = login_as("officer", region="36.73")
    assert serang.get(f"/estates/{tangerang.id}").status_code == 404
    assert serang.get(f"/estates/{world.own.estate.id}").status_code == 200
    assert db.session.scalar(select(Region.bps_code).where(Region.id == serang.user.region_id)) == "36.73"
