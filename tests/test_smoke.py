from sqlalchemy import func, select

from app.extensions import db
from app.models import Region
from permits.models import PermitType


def test_reference_data_is_migrated():
    assert db.session.scalar(select(func.count()).select_from(Region)) == 8
    amdal = db.session.scalar(select(PermitType).where(PermitType.code == "AMDAL"))
    assert [p.code for p in amdal.prerequisites] == ["KKPR", "PERTEK"]


def test_dashboard_renders(client):
    assert client.get("/").status_code == 200


def test_every_list_reads_the_page_number_the_same_way(client):
    """One helper for every list: a non-ASCII digit such as "²" (which str.isdigit accepts) is page 1."""
    from app.pagination import MAX_PAGE, page_number

    assert [page_number({"page": p}) for p in ("", "abc", "-1", "0", "²", "٣", str(MAX_PAGE + 1))] == [1] * 7
    assert page_number({"page": " 7 "}) == 7 and page_number({"p": "3"}, name="p") == 3
    for url in ("/permits", "/stalls", "/investors", "/estates"):
        assert client.get(f"{url}?page=%C2%B2").status_code == 200


def test_ids_past_the_integer_range_are_404_on_every_route(client):
    """The route converter refuses them, so no query ever compares a column with an impossible id."""
    for url in ("/permits/2147483648", "/estates/99999999999", "/investors/2147483648/edit", "/zones/2147483648/edit"):
        assert client.get(url).status_code == 404
    assert client.get("/permits/2147483647").status_code == 404  # the largest possible id: looked up, not found
