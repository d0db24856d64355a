"""The administration pages: the permit catalogue, closure dates and settings, and their services.

Views share the test's session and roll it back on a refused save, so set-up is committed before each request.
The running permit of these tests is a KKPR (25 working days) submitted on Friday 1 August 2025: with cuti
bersama counted (18 August 2025 is one; 17 August and 5 September are national holidays) its due date is
Tuesday 9 September 2025 and its at-risk date (19th working day) Friday 29 August.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, AuditLog, Setting
from devtools.factories import make_estate, make_permit, permit_type
from permits.admin import catalogue
from permits.admin import rules as admin_rules
from permits.admin import settings as admin_settings
from permits.calendar import invalidate_calendar_cache
from permits.models import CalendarOverride, CalendarOverrideKind, Permit, PermitStatus, permit_type_prerequisite
from permits.rules import PermitRule
from permits.workflow import advance_permit

FRIDAY = "2025-08-01 10:00 +0700"
DUE = date(2025, 9, 9)


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    """conftest empties the tables behind the calendar cache's back: start and end every test with it empty."""
    invalidate_calendar_cache()
    yield
    invalidate_calendar_cache()


@pytest.fixture
def client(login_as) -> FlaskClient:
    """These pages are for administrators."""
    return login_as("administrator")


@pytest.fixture
def en(client: FlaskClient) -> FlaskClient:
    client.get("/language/en")
    return client


@pytest.fixture
def running_permit(client: FlaskClient) -> Iterator[Permit]:
    """A KKPR submitted on Friday 1 August 2025 (its NIB issued), with time frozen on that day.

    The client speaks English; the language is chosen inside the frozen time (a session cookie signed
    later would be refused as coming from the future).
    """
    with time_machine.travel(FRIDAY, tick=False):
        client.get("/language/en")
        estate = make_estate()
        make_permit("NIB", estate=estate, status=PermitStatus.ISSUED)
        permit = make_permit("KKPR", estate=estate)
        advance_permit(permit, PermitStatus.SUBMITTED, actor="t")
        advance_permit(permit, PermitStatus.DECLARED_COMPLETE, actor="t")  # the fee paid: KKPR's clock starts
        db.session.commit()
        assert permit.due_on == DUE
        yield permit


def due_on(permit_id: int) -> date | None:
    return db.session.scalar(select(Permit.due_on).where(Permit.id == permit_id))


def catalogue_rows() -> tuple[list, list, list]:
    """Every stored column of the catalogue, its rules and prerequisite links, to prove that nothing was written."""
    types = db.session.execute(select(db.metadata.tables["permit_type"]).order_by("id")).all()
    rules = db.session.execute(select(PermitRule.__table__).order_by("id")).all()
    links = db.session.execute(select(permit_type_prerequisite).order_by("permit_type_id", "prerequisite_id")).all()
    return [tuple(r) for r in types], [tuple(r) for r in rules], [tuple(r) for r in links]


def current_rule(code: str) -> PermitRule:
    """The rule of ``code`` under PP 28/2025, the regulation of every file filed now."""
    return next(r for r in permit_type(code).rules if r.regime.name == "PP 28/2025")


def error_beside(html: str, field: str) -> str:
    """The message the `field` macro shows under a field (in #<field>-error)."""
    match = re.search(rf'id="{field}-error">(.*?)</div>', html, re.S)
    assert match, f"no error beside {field}"
    return match.group(1)


def type_form(code: str, **changes) -> dict:
    """The edit form of ``code`` as the page would post it unchanged, with ``changes`` applied."""
    ptype = permit_type(code)
    data = {
        "name_id": ptype.name_id,
        "name_en": ptype.name_en,
        "issuing_authority": ptype.issuing_authority,
        "prerequisites": [str(p.id) for p in ptype.prerequisites],
        "sequence": str(ptype.sequence),
    }
    data.update(changes)
    return data


def post_type(client: FlaskClient, code: str, **changes):
    return client.post(f"/admin/permit-types/{permit_type(code).id}/edit", data=type_form(code, **changes))


def rule_form(code: str, **changes) -> dict:
    """The PP 28/2025 rule form of ``code`` as the page would post it unchanged, with ``changes`` applied."""
    rule = current_rule(code)
    data = {
        name: "" if getattr(rule, name) is None else str(getattr(rule, name))
        for name in (
            "sla_working_days",
            "check_working_days",
            "review_working_days",
            "decision_working_days",
            "fix_working_days",
            "revision_working_days",
            "max_revision_rounds",
            "applicant_silence_days",
            "legal_basis",
            "note_id",
            "note_en",
        )
    }
    data |= {
        "clock_starts_at": rule.clock_starts_at.value,
        "agency_silence": rule.agency_silence.value,
        "applicant_silence": rule.applicant_silence.value,
    }
    if rule.confirmed:
        data["confirmed"] = "y"
    data.update(changes)
    return data


def post_rule(client: FlaskClient, code: str, **changes):
    rule = current_rule(code)
    return client.post(
        f"/admin/permit-types/{rule.permit_type_id}/rules/{rule.regime_id}", data=rule_form(code, **changes)
    )


def closure_form(**changes) -> dict:
    data = {"day": "2025-08-20", "kind": "closed", "reason": "Office closed by decree (test)", "recorded_by": "Admin"}
    data.update(changes)
    return data


# --- rendering and 404s ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_page_renders_in_both_languages(client: FlaskClient, lang: str):
    override = CalendarOverride(
        day=date(2026, 8, 18), kind=CalendarOverrideKind.CLOSED, reason="Decree (test)", created_by="Admin"
    )
    db.session.add(override)
    db.session.commit()
    client.get(f"/language/{lang}")
    pages = {
        "/admin/": "Pantau",
        "/admin/permit-types": "PP 28/2025",
        f"/admin/permit-types/{permit_type('AMDAL').id}/edit": "Persetujuan Lingkungan",
        f"/admin/permit-types/{permit_type('KKPR').id}/rules/{current_rule('KKPR').regime_id}": "Pasal 19-26",
        "/admin/regimes": "PP 5/2021",
        f"/admin/regimes/{current_rule('KKPR').regime_id}/edit": "547",
        "/admin/closures?year=2026": "Tahun Baru Masehi" if lang == "id" else "New Year&#39;s Day",
        f"/admin/closures/{override.id}/remove": "Decree (test)",
        "/admin/settings": "clock.at_risk_share",
        "/admin/settings/clock.at_risk_share/edit": 'value="75"',
        "/admin/settings/calendar.cuti_bersama_non_working/edit": 'role="switch"',
        "/admin/settings/estate.min_area_ha/edit": 'value="50"',
    }
    for path, expected in pages.items():
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in html
        assert expected in html, path
        assert 'href="/admin/"' in html  # the Administration entry of the main menu


def test_catalogue_lists_types_in_sequence_with_unconfirmed_figures(en: FlaskClient):
    html = en.get("/admin/permit-types").get_data(as_text=True)
    codes = re.findall(r'aria-label="Edit (\w+)"', html)
    assert codes == ["NIB", "KKPR", "PERTEK", "AMDAL", "IUKI", "PBG", "SLF", "PERLUASAN"]
    # Under PP 28/2025: NIB, IUKI, SLF and PERLUASAN; every PP 5/2021 figure is a stand-in until entered.
    assert html.count("UNCONFIRMED</span>") == 4 + 8
    assert "Issued without the land technical consideration" in html


@pytest.mark.parametrize(
    "path",
    [
        "/admin/permit-types/999999/edit",
        "/admin/permit-types/99999999999999/edit",  # beyond INTEGER: a 404, not a database error
        "/admin/permit-types/0/edit",
        "/admin/permit-types/abc/edit",
        "/admin/closures/999999/remove",
        "/admin/closures/99999999999999/remove",
        "/admin/settings/no.such.key/edit",
        "/admin/settings/" + "x" * 500 + "/edit",
    ],
)
def test_unknown_ids_are_404(client: FlaskClient, path: str):
    assert client.get(path).status_code == 404
    assert client.post(path, data={}).status_code == 404


# --- permit types ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("sla_working_days", "366", "At most 365."),
        ("sla_working_days", "-1", "Cannot be negative."),
        ("sla_working_days", "", "This field is required."),
        ("sla_working_days", "2,5", "Whole numbers only."),
        ("fix_working_days", "366", "At most 365."),
        ("revision_working_days", "-1", "Cannot be negative."),
        ("legal_basis", "  ", "This field is required."),
        ("applicant_silence_days", "", "Say after how many calendar days"),
    ],
)
def test_rule_edit_refuses_out_of_range_values_and_writes_nothing(en: FlaskClient, field: str, value: str, error: str):
    before = catalogue_rows()
    response = post_rule(en, "KKPR", **{field: value})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error in error_beside(html, field)
    assert "Nothing was saved" in html
    assert catalogue_rows() == before


@pytest.mark.parametrize(
    ("field", "value", "error"), [("name_en", "", "This field is required."), ("sequence", "10001", "At most")]
)
def test_type_edit_refuses_out_of_range_values_and_writes_nothing(en: FlaskClient, field: str, value: str, error: str):
    before = catalogue_rows()
    response = post_type(en, "KKPR", **{field: value})
    assert response.status_code == 200
    assert error in error_beside(response.get_data(as_text=True), field)
    assert catalogue_rows() == before


@pytest.mark.parametrize(("sla", "fix"), [("365", "365"), ("0", "0"), ("0", ""), ("365", "")])
def test_rule_edit_accepts_the_limits(en: FlaskClient, sla: str, fix: str):
    response = post_rule(en, "KKPR", sla_working_days=sla, fix_working_days=fix)
    assert response.status_code == 302
    db.session.expire_all()
    rule = current_rule("KKPR")
    assert rule.sla_working_days == int(sla)
    assert rule.fix_working_days == (int(fix) if fix else None)


def test_type_edit_saves_every_field(en: FlaskClient):
    pertek = permit_type("PERTEK")
    response = post_type(
        en,
        "SLF",
        name_id="Sertifikat Laik Fungsi (baru)",
        name_en="Certificate of fitness (new)",
        issuing_authority="Dinas PUPR",
        prerequisites=[str(permit_type("PBG").id), str(pertek.id)],
        sequence="75",
    )
    assert response.status_code == 302
    db.session.expire_all()
    slf = permit_type("SLF")
    assert (slf.name_id, slf.name_en, slf.issuing_authority, slf.sequence) == (
        "Sertifikat Laik Fungsi (baru)",
        "Certificate of fitness (new)",
        "Dinas PUPR",
        75,
    )
    assert sorted(p.code for p in slf.prerequisites) == ["PBG", "PERTEK"]
    assert slf.code == "SLF"


def test_rule_edit_saves_every_field(en: FlaskClient):
    response = post_rule(
        en,
        "SLF",
        sla_working_days="9",
        clock_starts_at="declared_complete",
        check_working_days="2",
        review_working_days="6",
        decision_working_days="1",
        fix_working_days="4",
        revision_working_days="8",
        max_revision_rounds="2",
        agency_silence="none",
        applicant_silence="deemed_withdrawn",
        applicant_silence_days="30",
        legal_basis="PP 16/2021",
        confirmed="y",
        note_id="diperiksa",
        note_en="checked",
    )
    assert response.status_code == 302
    db.session.expire_all()
    rule = current_rule("SLF")
    assert (rule.sla_working_days, rule.clock_starts_at.value, rule.check_working_days) == (9, "declared_complete", 2)
    assert (rule.review_working_days, rule.decision_working_days, rule.fix_working_days) == (6, 1, 4)
    assert (rule.revision_working_days, rule.max_revision_rounds) == (8, 2)
    assert (rule.agency_silence.value, rule.applicant_silence.value, rule.applicant_silence_days) == (
        "none",
        "deemed_withdrawn",
        30,
    )
    assert (rule.legal_basis, rule.confirmed, rule.note_id, rule.note_en) == (
        "PP 16/2021",
        True,
        "diperiksa",
        "checked",
    )


def test_every_prerequisite_can_be_removed(en: FlaskClient):
    assert post_type(en, "IUKI", prerequisites=[]).status_code == 302
    db.session.expire_all()
    assert permit_type("IUKI").prerequisites == []


def test_unchecking_confirmed_marks_the_figure_unconfirmed(en: FlaskClient):
    data = rule_form("KKPR")
    data.pop("confirmed")
    rule = current_rule("KKPR")
    assert en.post(f"/admin/permit-types/{rule.permit_type_id}/rules/{rule.regime_id}", data=data).status_code == 302
    db.session.expire_all()
    assert current_rule("KKPR").confirmed is False


@pytest.mark.parametrize(
    ("code", "needs", "loop"),
    [
        ("NIB", "KKPR", "NIB needs KKPR; KKPR needs NIB"),  # direct
        ("NIB", "SLF", "NIB needs SLF; SLF needs PBG; PBG needs AMDAL; AMDAL needs KKPR; KKPR needs NIB"),
        ("KKPR", "IUKI", "KKPR needs IUKI; IUKI needs KKPR"),  # the shortest loop is named
        ("KKPR", "PBG", "KKPR needs PBG; PBG needs AMDAL; AMDAL needs KKPR"),
    ],
)
def test_a_prerequisite_loop_is_refused_and_nothing_written(en: FlaskClient, code: str, needs: str, loop: str):
    before = catalogue_rows()
    response = post_type(en, code, prerequisites=[str(permit_type(needs).id)], sequence="3")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This would make a loop of prerequisites" in error_beside(html, "prerequisites")
    assert loop in error_beside(html, "prerequisites")
    assert catalogue_rows() == before


def test_a_type_cannot_be_its_own_prerequisite(en: FlaskClient):
    before = catalogue_rows()
    kkpr = permit_type("KKPR")
    response = post_type(en, "KKPR", prerequisites=[str(kkpr.id), str(permit_type("NIB").id)])
    html = response.get_data(as_text=True)
    assert "cannot be its own prerequisite" in error_beside(html, "prerequisites")
    assert catalogue_rows() == before


@pytest.mark.parametrize("value", ["999999", "abc", "1e3", "٣"])
def test_a_tampered_prerequisite_is_a_field_error(en: FlaskClient, value: str):
    before = catalogue_rows()
    response = post_type(en, "PBG", prerequisites=[value])
    assert response.status_code == 200
    assert "Choose prerequisites from the list" in error_beside(response.get_data(as_text=True), "prerequisites")
    assert catalogue_rows() == before


def test_the_services_refuse_loops_with_named_errors():
    nib, slf = permit_type("NIB"), permit_type("SLF")
    with pytest.raises(catalogue.PrerequisiteCycle) as raised:
        catalogue.check_prerequisites(nib.id, [slf.id])
    assert raised.value.cycle == ("NIB", "SLF", "PBG", "AMDAL", "KKPR", "NIB")
    with pytest.raises(catalogue.SelfPrerequisite):
        catalogue.check_prerequisites(nib.id, [nib.id])
    with pytest.raises(catalogue.UnknownPrerequisite):
        catalogue.check_prerequisites(nib.id, [10**6])
    catalogue.check_prerequisites(slf.id, [nib.id])  # a shortcut is not a loop
    catalogue.check_prerequisites(nib.id, [])
    assert catalogue.dependants(nib.id) == ["AMDAL", "IUKI", "KKPR", "PBG", "PERLUASAN", "PERTEK", "SLF"]
    assert catalogue.dependants(slf.id) == []


def test_the_type_service_checks_again_and_changes_nothing_on_refusal():
    kkpr = permit_type("KKPR")
    before = catalogue_rows()
    fields = catalogue.PermitTypeFields(
        name_id=" ",
        name_en=kkpr.name_en,
        issuing_authority=kkpr.issuing_authority,
        prerequisite_ids=(kkpr.id,),
        sequence=20,
    )
    with pytest.raises(catalogue.InvalidPermitType) as raised:
        catalogue.update_permit_type(kkpr, fields)
    assert set(raised.value.errors) == {"name_id"}
    with pytest.raises(catalogue.SelfPrerequisite):
        catalogue.update_permit_type(kkpr, dataclasses.replace(fields, name_id="KKPR"))
    assert not db.session.dirty
    assert catalogue_rows() == before


def test_the_rule_service_checks_again_and_changes_nothing_on_refusal():
    rule = current_rule("KKPR")
    before = catalogue_rows()
    fields = admin_rules.RuleFields(
        sla_working_days=366,
        clock_starts_at=rule.clock_starts_at,
        check_working_days=None,
        review_working_days=None,
        decision_working_days=None,
        fix_working_days=-1,
        revision_working_days=None,
        max_revision_rounds=0,
        agency_silence=rule.agency_silence,
        applicant_silence=rule.applicant_silence,
        applicant_silence_days=None,
        legal_basis=" ",
        confirmed=True,
        note_id=None,
        note_en=None,
    )
    with pytest.raises(admin_rules.InvalidRule) as raised:
        admin_rules.update_rule(rule, fields)
    assert set(raised.value.errors) == {
        "sla_working_days",
        "fix_working_days",
        "max_revision_rounds",
        "applicant_silence_days",
        "legal_basis",
    }
    assert rule.sla_working_days == 25 and not db.session.dirty
    assert catalogue_rows() == before


def test_changing_working_days_moves_running_due_dates(client: FlaskClient, running_permit: Permit):
    response = post_rule(client, "KKPR", sla_working_days="26")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The rule of KKPR under PP 28/2025 is saved. 1 open permit got a new due date." in html
    assert due_on(running_permit.id) == date(2025, 9, 10)


def test_saving_without_changing_the_working_days_moves_no_due_date(client: FlaskClient, running_permit: Permit):
    response = post_rule(client, "KKPR", legal_basis="PP 28/2025 Pasal 19-26 (checked)")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is saved. No open permit&#39;s due date changed." in html
    assert due_on(running_permit.id) == DUE


def test_editing_pp28_moves_no_permit_counted_under_pp5(client: FlaskClient, running_permit: Permit):
    """A file first filed before the cut-off keeps PP 5/2021's limit when PP 28/2025's is edited (Pasal 547)."""
    with time_machine.travel("2025-05-02 10:00 +0700", tick=False):
        estate = make_estate()
        make_permit("NIB", estate=estate, status=PermitStatus.ISSUED)
        old = make_permit("KKPR", estate=estate)
        advance_permit(old, PermitStatus.SUBMITTED, actor="t")
        advance_permit(old, PermitStatus.DECLARED_COMPLETE, actor="t")
        db.session.commit()
    old_due = due_on(old.id)
    assert old.regime.name == "PP 5/2021"
    response = post_rule(client, "KKPR", sla_working_days="40")
    assert response.status_code == 302
    assert due_on(old.id) == old_due  # PP 5/2021: untouched
    assert due_on(running_permit.id) != DUE  # PP 28/2025: recomputed


# --- closure dates -----------------------------------------------------------------------------------------


def test_a_closure_moves_a_running_due_date_and_its_removal_moves_it_back(client: FlaskClient, running_permit: Permit):
    response = client.post("/admin/closures", data=closure_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/closures?year=2025")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 open permit got a new due date." in html
    assert "Office closed by decree (test)" in html
    assert due_on(running_permit.id) == date(2025, 9, 10)
    override = db.session.scalars(select(CalendarOverride)).one()
    assert (override.day, override.kind, override.created_by) == (
        date(2025, 8, 20),
        CalendarOverrideKind.CLOSED,
        client.user.name,  # the signed-in user, never a typed name
    )

    page = client.get(f"/admin/closures/{override.id}/remove")  # asking shows a confirmation and deletes nothing
    assert "Remove the entry of" in page.get_data(as_text=True)
    assert db.session.scalar(select(CalendarOverride.id)) == override.id

    response = client.post(f"/admin/closures/{override.id}/remove", data={})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "removed from the calendar. 1 open permit got a new due date." in html
    assert db.session.scalars(select(CalendarOverride)).all() == []
    assert due_on(running_permit.id) == DUE
    closures = select(AuditLog).where(AuditLog.event == AuditEvent.CLOSURE_CHANGED).order_by(AuditLog.id)
    audits = db.session.scalars(closures).all()
    assert [(a.user_id, json.loads(a.detail).get("after", {}).get("kind")) for a in audits] == [
        (client.user.id, "closed"),
        (client.user.id, None),
    ]
    assert json.loads(audits[1].detail)["before"]["reason"] == "Office closed by decree (test)"


def test_a_working_day_override_moves_the_due_date_earlier(client: FlaskClient, running_permit: Permit):
    response = client.post("/admin/closures", data=closure_form(day="2025-08-18", kind="working"))
    assert response.status_code == 302
    assert due_on(running_permit.id) == date(2025, 9, 8)


def test_a_closure_after_the_due_date_moves_nothing(client: FlaskClient, running_permit: Permit):
    response = client.post("/admin/closures", data=closure_form(day="2025-10-01"))
    assert "No open permit&#39;s due date changed." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert due_on(running_permit.id) == DUE


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"reason": "   "}, "reason", "This field is required."),
        ({"day": ""}, "day", "This field is required."),
        ({"day": "2025-02-30"}, "day", "Not a valid date value."),
        ({"day": "1945-12-31"}, "day", "The calendar covers 1946 to 2100."),
        ({"day": "2101-01-01"}, "day", "The calendar covers 1946 to 2100."),
        ({"kind": "holiday"}, "kind", "Choose one of the options in the list."),
        ({"reason": "x" * 501}, "reason", "500"),
    ],
)
def test_a_bad_closure_is_refused_and_nothing_saved(en: FlaskClient, changes: dict, field: str, error: str):
    response = en.post("/admin/closures", data=closure_form(**changes))
    assert response.status_code == 200
    assert error in error_beside(response.get_data(as_text=True), field)
    assert db.session.scalars(select(CalendarOverride)).all() == []


@pytest.mark.parametrize("day", ["1946-01-01", "2100-12-31"])
def test_the_first_and_last_days_of_the_calendar_are_accepted(en: FlaskClient, day: str):
    assert en.post("/admin/closures", data=closure_form(day=day)).status_code == 302
    assert db.session.scalar(select(CalendarOverride.day)) == date.fromisoformat(day)


def test_a_duplicate_date_is_refused(en: FlaskClient):
    assert en.post("/admin/closures", data=closure_form()).status_code == 302
    response = en.post("/admin/closures", data=closure_form(kind="working", reason="Another decree"))
    assert response.status_code == 200
    assert "already has a calendar entry" in error_beside(response.get_data(as_text=True), "day")
    assert db.session.scalars(select(CalendarOverride.reason)).all() == ["Office closed by decree (test)"]


@time_machine.travel(FRIDAY, tick=False)
def test_the_closures_page_lists_the_years_holidays_and_ignores_a_bad_year(client: FlaskClient):
    en = client
    en.get("/language/en")  # inside the frozen time, so that the session cookie is not from the future
    html = en.get("/admin/closures").get_data(as_text=True)
    assert "Closure dates 2025" in html  # the current year in WIB
    assert "Mon, 18 Aug 2025" in html and "Cuti bersama" in html
    for bad in ("abc", "1800", "99999999999999999999", "-1"):
        response = en.get(f"/admin/closures?year={bad}")
        assert response.status_code == 200
        assert "Closure dates 2025" in response.get_data(as_text=True)
    assert "The calendar covers 1946 to 2100" in en.get("/admin/closures?year=1800").get_data(as_text=True)
    assert "Closure dates 2027" in en.get("/admin/closures?year=2027").get_data(as_text=True)


# --- settings ----------------------------------------------------------------------------------------------


def setting_value(key: str) -> str:
    return db.session.scalar(select(Setting.value).where(Setting.key == key))


def post_setting(client: FlaskClient, key: str, value: str):
    return client.post(f"/admin/settings/{key}/edit", data={"value": value})


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [
        ("clock.at_risk_share", "100", "1"),  # typed as a percentage, stored as a share
        ("clock.at_risk_share", "0.01", "0.0001"),
        ("clock.at_risk_share", "50", "0.5"),
        ("clock.at_risk_share", "62,5", "0.625"),
        ("estate.min_area_ha", "10000", "10000"),
        ("estate.min_area_ha", "0,01", "0.01"),
        ("calendar.cuti_bersama_non_working", "false", "false"),
        ("calendar.cuti_bersama_non_working", "", "false"),  # a switch left off posts nothing
        ("calendar.cuti_bersama_non_working", "y", "true"),
    ],
)
def test_a_setting_inside_its_limits_is_saved(en: FlaskClient, key: str, value: str, stored: str):
    response = post_setting(en, key, value)
    assert response.status_code == 302
    assert setting_value(key) == stored


@pytest.mark.parametrize(
    ("key", "value", "error"),
    [
        ("clock.at_risk_share", "0", "Must be more than 0."),
        ("clock.at_risk_share", "100.01", "At most 100."),
        ("clock.at_risk_share", "-0.5", "Must be more than 0."),
        ("clock.at_risk_share", "", "This field is required."),
        ("clock.at_risk_share", "lots", "Not a number"),
        ("estate.min_area_ha", "0", "Must be more than"),
        ("estate.min_area_ha", "10000.01", "At most"),
    ],
)
def test_a_setting_outside_its_limits_is_refused(en: FlaskClient, key: str, value: str, error: str):
    before = setting_value(key)
    response = post_setting(en, key, value)
    assert response.status_code == 200
    assert error in error_beside(response.get_data(as_text=True), "value")
    assert setting_value(key) == before


def test_an_unknown_key_takes_any_text_up_to_255_characters(en: FlaskClient):
    db.session.add(Setting(key="office.note", value="old", description="A note (test)", confirmed=True))
    db.session.commit()
    assert "This field is required." in post_setting(en, "office.note", "  ").get_data(as_text=True)
    assert "255" in error_beside(post_setting(en, "office.note", "x" * 256).get_data(as_text=True), "value")
    assert setting_value("office.note") == "old"
    assert post_setting(en, "office.note", "y" * 255).status_code == 302
    assert setting_value("office.note") == "y" * 255


def test_the_setting_services_check_again():
    clean = admin_settings.clean_setting_value
    assert clean("clock.at_risk_share", " 0.80 ") == "0.80"
    assert clean("calendar.cuti_bersama_non_working", "TRUE") == "true"
    assert clean("any.other", " text ") == "text"
    for key, value in [
        ("clock.at_risk_share", "0"),
        ("clock.at_risk_share", "1.01"),
        ("clock.at_risk_share", "NaN"),
        ("clock.at_risk_share", "0,5"),  # the service takes the canonical form the forms produce
        ("estate.min_area_ha", "Infinity"),
        ("estate.min_area_ha", "10000.0001"),
        ("calendar.cuti_bersama_non_working", "yes"),
        ("any.other", ""),
        ("any.other", "z" * 256),
    ]:
        with pytest.raises(admin_settings.InvalidSettingValue):
            clean(key, value)


def test_the_at_risk_share_moves_at_risk_dates(client: FlaskClient, running_permit: Permit):
    assert running_permit.at_risk_on == date(2025, 8, 29)
    response = post_setting(client, "clock.at_risk_share", "50")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 open permit got a new at-risk date." in html
    at_risk_on = db.session.scalar(select(Permit.at_risk_on).where(Permit.id == running_permit.id))
    assert at_risk_on == date(2025, 8, 21)  # 13th working day, 18 Aug skipped


def test_the_cuti_bersama_setting_moves_due_dates(client: FlaskClient, running_permit: Permit):
    response = post_setting(client, "calendar.cuti_bersama_non_working", "false")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 open permit got a new due date." in html
    assert due_on(running_permit.id) == date(2025, 9, 8)  # 18 August 2025 becomes a working day
    assert "Cuti bersama count as working days." in client.get("/admin/closures").get_data(as_text=True)


def test_saving_the_same_value_changes_nothing(client: FlaskClient, running_permit: Permit):
    response = post_setting(client, "clock.at_risk_share", "75")  # 75% is the stored 0.75
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing changed: When a permit becomes at risk." in page


def test_settings_read_in_plain_words_with_a_switch_and_a_percentage(client: FlaskClient):
    client.get("/language/id")
    html = client.get("/admin/settings").get_data(as_text=True)
    assert "Kapan izin menjadi berisiko" in html and "75%" in html and "0,75" not in html
    assert "Cuti bersama adalah hari libur" in html and ">Aktif<" in html
    assert "holidays package" not in html and "paket holidays" not in html
    assert 'lang="en"' in html  # the stored English source of a figure is marked as English
    switch = client.get("/admin/settings/calendar.cuti_bersama_non_working/edit").get_data(as_text=True)
    assert 'role="switch"' in switch and "checked" in switch and '<h1 class="h3 mb-1">Cuti bersama' in switch
    share = client.get("/admin/settings/clock.at_risk_share/edit").get_data(as_text=True)
    assert 'value="75"' in share and "Persentase hari kerja" in share
    closures = client.get("/admin/closures?year=2026").get_data(as_text=True)
    assert "paket holidays" not in closures and "holidays package" not in closures
