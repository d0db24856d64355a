"""The permits list's filter form parsed, and its page's statement built, once per scope, language and arguments
until the next committed write (issue 13, branch ``tph``): the same filters, the same bar and the same rows as
parsing and building them on every request."""

from __future__ import annotations

from app.extensions import db
from devtools.factories import make_estate, make_permit, region
from permits import list_rows
from permits.forms import PermitFilterForm
from permits.models import PermitStatus as S


def _counting(monkeypatch, owner, name):
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_the_filter_form_is_parsed_once_per_arguments_until_the_next_write(client, monkeypatch):
    estate = make_estate(name="Kawasan Parse", region=region("36.73"))
    make_permit("NIB", estate=estate, status=S.ISSUED)
    db.session.commit()
    parsed = _counting(monkeypatch, PermitFilterForm, "filters")
    built = _counting(monkeypatch, list_rows, "_page_query")
    first = client.get("/permits?status=issued&page=1").get_data(as_text=True)
    counts = len(parsed), len(built)  # the form parsed (again for the bar, kept after it) and the page built
    assert counts[0] >= 1 and counts[1] == 1
    again = client.get("/permits?status=issued").get_data(as_text=True)
    assert "Kawasan Parse" in first and again.count("Kawasan Parse") == first.count("Kawasan Parse")
    assert (len(parsed), len(built)) == counts  # the page's number is no part of the parse; page 1 is page 1
    client.get("/permits?status=issued&type=NIB")  # other arguments: parsed and built
    assert len(parsed) > counts[0] and len(built) == 2
    counts = len(parsed), len(built)
    make_permit("KKPR", estate=estate, status=S.ISSUED)
    db.session.commit()  # a committed write: everything kept is parsed and built again, and reads the new permit
    page = client.get("/permits?status=issued").get_data(as_text=True)
    assert len(parsed) > counts[0] and len(built) == 3 and "KKPR" in page


def test_an_invalid_value_is_dropped_the_same_whether_parsed_or_kept(client):
    for _ in range(2):
        page = client.get("/permits?band=nope&status=issued").get_data(as_text=True)
        assert '<option selected value="issued">' in page or 'value="issued" selected' in page
        assert 'value="nope"' not in page


def test_the_kept_parse_is_each_scopes_own(login_as, monkeypatch):
    estate = make_estate(name="Kawasan Lain", region=region("36.01"))
    make_permit("NIB", estate=estate, status=S.ISSUED)
    db.session.commit()
    province, kab_kota = login_as("officer"), login_as("officer", region="36.73")
    assert "Kawasan Lain" in province.get("/permits?type=NIB").get_data(as_text=True)
    assert "Kawasan Lain" not in kab_kota.get("/permits?type=NIB").get_data(as_text=True)


def test_the_stalled_lists_filters_are_parsed_and_its_page_built_once_per_arguments(client, monkeypatch):
    from permits.stalls import rows
    from permits.stalls.views import StallFilterForm

    parsed = _counting(monkeypatch, StallFilterForm, "filters")
    built = _counting(monkeypatch, rows, "_query")
    first = client.get("/stalls?kind=overdue&sort=raised").get_data(as_text=True)
    counts = len(parsed), len(built)
    assert counts[0] >= 1 and counts[1] == 1
    client.get("/stalls?kind=overdue&sort=raised&page=1")  # the page's number is no part of the parse
    again = client.get("/stalls?kind=overdue&sort=raised").get_data(as_text=True)
    assert again.split("<main", 1)[1].split("</main>")[0] == first.split("<main", 1)[1].split("</main>")[0]
    assert (len(parsed), len(built)) == counts
    client.get("/stalls?kind=overdue&sort=-raised")  # another order: parsed and built
    assert len(parsed) > counts[0] and len(built) == 2
