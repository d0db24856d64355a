"""``app.statements.kept_statement`` and the pages that run their statements built once (issue 13): one statement
per name and key, and a statement kept for one scope never answers for another."""

from __future__ import annotations

from sqlalchemy import select

from app import statements
from app.models import Region
from devtools.factories import make_estate, make_permit, region


def test_a_statement_is_built_once_per_name_and_key():
    built = []

    def build():
        built.append(1)
        return select(Region.id)

    first = statements.kept_statement("test-kept", (1,), build)
    assert statements.kept_statement("test-kept", (1,), build) is first
    assert statements.kept_statement("test-kept", (2,), build) is not first
    assert len(built) == 2


def test_the_kept_statements_are_bounded(monkeypatch):
    monkeypatch.setattr(statements, "SIZE", 3)
    for n in range(10):
        statements.kept_statement("test-bounded", n, lambda: select(Region.id))
    assert len(statements._kept) <= 3


def test_the_permit_page_kept_for_one_scope_does_not_answer_for_another(login_as):
    cilegon = make_permit("KKPR", estate=make_estate(region=region("36.72")))
    serang = make_permit("KKPR", estate=make_estate(region=region("36.73")))
    province, officer_of_serang = login_as("officer"), login_as("officer", region="36.73")
    for _ in range(2):  # the statements built by the first round answer the second
        assert province.get(f"/permits/{cilegon.id}").status_code == 200
        assert province.get(f"/permits/{serang.id}").status_code == 200
        assert officer_of_serang.get(f"/permits/{cilegon.id}").status_code == 404
        assert officer_of_serang.get(f"/permits/{serang.id}").status_code == 200
        assert officer_of_serang.get("/permits/999999").status_code == 404


def test_the_permit_page_shows_its_own_permit_each_time(client):
    permits = [make_permit(code, estate=make_estate(name=f"Kawasan {code}")) for code in ("KKPR", "NIB", "PBG")]
    for permit in [*permits, *reversed(permits)]:
        html = client.get(f"/permits/{permit.id}").get_data(as_text=True)
        assert f"Kawasan {permit.permit_type.code}" in html
        assert f'action="/permits/{permit.id}/move"' in html or "no further move" in html


def test_the_estate_page_and_its_permits_kept_for_one_scope_do_not_answer_for_another(login_as):
    cilegon, serang = make_estate(region=region("36.72")), make_estate(region=region("36.73"))
    kkpr = make_permit("KKPR", estate=serang)
    province, officer_of_serang = login_as("officer"), login_as("officer", region="36.73")
    for _ in range(2):
        assert province.get(f"/estates/{cilegon.id}").status_code == 200
        assert officer_of_serang.get(f"/estates/{cilegon.id}").status_code == 404
        for client in (province, officer_of_serang):
            html = client.get(f"/estates/{serang.id}").get_data(as_text=True)
            assert f'href="/permits/{kkpr.id}"' in html
