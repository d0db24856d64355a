from sqlalchemy import func, select

from app.models import Region, db
from permits.models import PermitType


def test_reference_data_is_migrated():
    assert db.session.scalar(select(func.count()).select_from(Region)) == 8
    amdal = db.session.scalar(select(PermitType).where(PermitType.code == "AMDAL"))
    assert [p.code for p in amdal.prerequisites] == ["KKPR", "PERTEK"]


def test_dashboard_renders(client):
    assert client.get("/").status_code == 200
