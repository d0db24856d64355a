from sqlalchemy import func, select

from app.models import Region, db
from permits.models import PermitType


def test_reference_data_is_migrated():
    assert db.session.scalar(select(func.count()).select_from(Region)) == 8
    amdal = db.session.scalar(select(PermitType).where(PermitType.code == "AMDAL"))
    assert [p.code for p in amdal.prerequisites] == ["KKPR", "PERTEK"]


def test_dashboard_renders(client):
    assert client.get("/").status_code == 200


def test_a_save_that_loses_a_race_is_a_409_not_a_500(app, tmp_path, login_as):
    from sqlalchemy.exc import IntegrityError

    from app import create_app

    fresh = create_app(
        "testing",
        overrides={"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]},
        instance_path=str(tmp_path),
    )

    @fresh.get("/race")
    def race():
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    user_id = login_as("officer").user.get_id()
    with fresh.app_context():
        test_client = fresh.test_client()
        with test_client.session_transaction() as session:
            session["_user_id"] = user_id
        response = test_client.get("/race")
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Traceback" not in html and "duplicate key" not in html and "INSERT" not in html
