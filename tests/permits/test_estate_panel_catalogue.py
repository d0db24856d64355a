"""The estate page's permits panel lists the types not filed yet from the kept catalogue (``permits.catalogue``,
issue 13): the same block, name for name and badge for badge, as the template wrote from the ORM's types."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import render_template, session
from flask_babel import refresh
from flask_login import login_user
from sqlalchemy import select

from app.extensions import db
from app.security import current_scope
from devtools.factories import make_estate, make_permit
from permits import services
from permits.models import PermitStatus, PermitType
from permits.views import estate_permits_panel

UNFILED = re.compile(r'<div class="card-body border-top unfiled-types">.*?</ul>', re.S)


def _orm_block(estate, permits) -> str:
    """The block as the template wrote it before: every type without a permit, from the ORM, by sequence."""
    filed = {p.permit_type_id for p in permits}
    types = db.session.scalars(select(PermitType).order_by(PermitType.sequence)).all()
    html = render_template(
        "permits/_estate_panel.html",
        estate=estate,
        permits=permits,
        rows="",
        unfiled=[t for t in types if t.id not in filed],
        granted={p.permit_type_id for p in permits if p.status.is_granted},
    )
    return UNFILED.search(html).group(0)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("role", ["officer", "governor"])
def test_the_unfiled_types_read_as_the_orms(app, login_as, lang, role):
    estate = make_estate()
    make_permit("NIB", estate=estate, status=PermitStatus.ISSUED, submitted_on=date(2025, 1, 2))
    make_permit("KKPR", estate=estate, status=PermitStatus.SUBMITTED, submitted_on=date(2025, 2, 3))
    db.session.commit()
    user = login_as(role).user
    with app.test_request_context():
        session["lang"] = lang
        refresh()
        login_user(user)
        panel = str(estate_permits_panel(estate))
        permits = services.estate_permits(estate.id, current_scope())
        expected = _orm_block(estate, permits)
    block = UNFILED.search(panel).group(0)
    assert block == expected
    assert ("Waiting for" if lang == "en" else "Menunggu") in block and "PERTEK" in block
