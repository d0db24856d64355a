"""The investor's permit page reads its permit as the officer's page does (issue 13): its type and rule from the
kept catalogue (no ``permit_type`` or ``permit_rule`` read), the permit by a statement kept per investor that
never answers for another, and the same line (prerequisites waited for, next step) as from the records."""

from __future__ import annotations

import re

from flask_babel import force_locale

from app.extensions import db
from devtools.factories import make_estate, make_investor, make_permit
from permits.catalogue import catalogue, type_of
from permits.models import PermitStatus
from permits.workflow import permit_clock
from portal.services import single_permit_line
from tests.statements import counting


def test_the_page_reads_neither_the_type_nor_the_rule_and_each_investor_only_its_own(login_as):
    mine, theirs = make_investor(legal_name="PT Milik Saya"), make_investor(legal_name="PT Milik Lain")
    own = make_permit("KKPR", estate=make_estate(investor=mine, name="Kawasan Saya"))
    other = make_permit("KKPR", estate=make_estate(investor=theirs, name="Kawasan Lain"))
    db.session.commit()
    me, them = login_as("investor", investor=mine), login_as("investor", investor=theirs)
    me.get(f"/portal/permits/{own.id}")  # the kept catalogue (and the layout's kept parts) filled
    for _ in range(2):  # the second round runs the statements kept by the first
        with counting() as statements:
            html = me.get(f"/portal/permits/{own.id}").get_data(as_text=True)
        assert "Kawasan Saya" in html and ">KKPR<" in html.replace(" ", "")
        assert not [s for s in statements if re.search(r"\b(permit_type|permit_rule)\b", s)]
        assert me.get(f"/portal/permits/{other.id}").status_code == 404
        assert them.get(f"/portal/permits/{own.id}").status_code == 404
        assert them.get(f"/portal/permits/{other.id}").status_code == 200


def test_a_permit_not_filed_waits_for_the_same_prerequisites_read_from_the_kept_catalogue(app):
    needing = next(t for t in catalogue() if t.prerequisites)
    estate = make_estate()
    first = make_permit(needing.prerequisites[0].code, estate=estate, status=PermitStatus.NOT_STARTED)
    waiting = make_permit(needing.code, estate=estate, status=PermitStatus.NOT_STARTED)
    db.session.commit()
    for lang in ("id", "en"):
        with app.test_request_context("/"), force_locale(lang):
            kept = single_permit_line(waiting, [], permit_clock(waiting), type_of(waiting.permit_type_id))
            records = single_permit_line(waiting, [], permit_clock(waiting))
            assert kept.next_step == records.next_step and kept.who == records.who
            assert needing.prerequisites[0].code in kept.next_step
    assert first.status is PermitStatus.NOT_STARTED
