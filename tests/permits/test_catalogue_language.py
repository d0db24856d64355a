"""Catalogue texts in both languages (issue 9): every page of every role, rendered in Indonesian, holds none of
the catalogue's English texts (permit type names, the rules' notes, agency names, silence outcomes)."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from devtools.demo import seed_demo
from devtools.demo_data import JDI
from estates.models import Estate, Investor
from permits.agencies.models import Agency
from permits.models import Permit, PermitType
from permits.rules import AgencySilence, ApplicantSilence, PermitRule


def _english_texts() -> set[str]:
    """The catalogue's English texts that differ from their Indonesian twin (a shared name is no English)."""
    texts = set()
    for ptype in db.session.scalars(select(PermitType)):
        if ptype.name_en != ptype.name_id:
            texts.add(ptype.name_en)
        if " or " in ptype.issuing_authority or "(for " in ptype.issuing_authority:
            texts.add(ptype.issuing_authority)  # the catalogue's old English authority text, now agency rules
    for rule in db.session.scalars(select(PermitRule)):
        if rule.note_en and rule.note_en != rule.note_id:
            texts.add(rule.note_en[:60])
    for agency in db.session.scalars(select(Agency)):
        if agency.name_en != agency.name_id:
            texts.add(agency.name_en)
    with force_locale("en"):
        for outcome in (*AgencySilence, *ApplicantSilence):
            texts.add(str(outcome.label))
    return texts


@pytest.fixture
def demo(app):
    seed_demo()
    db.session.commit()


def _pages(role: str) -> list[str]:
    jdi_estate = db.session.scalars(select(Estate).join(Investor).where(Investor.legal_name == JDI)).first()
    permits = db.session.scalars(select(Permit).where(Permit.estate_id == jdi_estate.id)).all()
    if role == "investor":
        return ["/portal", f"/portal/estates/{jdi_estate.id}", *[f"/portal/permits/{p.id}" for p in permits]]
    pages = [
        "/",
        "/permits",
        "/permits/clock-stops",
        "/stalls",
        "/stalls/agencies",
        "/stalls/agencies?group=type",
        f"/estates/{jdi_estate.id}",
        *[f"/permits/{p.id}" for p in permits],
        *[f"/permits/{p.id}/evidence" for p in permits if p.regime_id],
    ]
    if role == "administrator":
        ptypes = db.session.scalars(select(PermitType)).all()
        rules = db.session.scalars(select(PermitRule)).all()
        pages += ["/admin/permit-types", "/admin/regimes", "/admin/agencies"]
        pages += [f"/admin/permit-types/{t.id}/edit" for t in ptypes]
        pages += [f"/admin/permit-types/{r.permit_type_id}/rules/{r.regime_id}" for r in rules]
    return pages


@pytest.mark.parametrize("role", ["officer", "governor", "administrator", "investor"])
def test_no_english_catalogue_text_on_an_indonesian_page(demo, login_as, role):
    english = _english_texts()
    assert "Environmental approval through AMDAL" in english  # the check has something to find
    investor = db.session.scalars(select(Investor).where(Investor.legal_name == JDI)).one()
    client = login_as(role, investor=investor) if role == "investor" else login_as(role)
    client.get("/language/id")
    for path in _pages(role):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert '<html lang="id">' in html
        # The fields that edit an English text hold it, labelled as such; everything else is interface text.
        shown = re.sub(r'<textarea[^>]*name="\w+_en"[^>]*>.*?</textarea>', " ", html, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", shown)
        found = sorted(e for e in english if e in text)
        assert found == [], f"{path} shows English catalogue text: {found}"


def test_the_same_pages_show_the_english_texts_in_english(demo, login_as):
    client = login_as("administrator")
    client.get("/language/en")
    html = client.get("/admin/permit-types").get_data(as_text=True)
    assert "Environmental approval through AMDAL" in html
