from decimal import Decimal

from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from devtools.demo import seed_demo
from estates.models import Claim, ClaimMetric, Estate, EstateStatus, Investor, Zone
from permits.models import Permit, PermitStatus

MODELS = (Investor, Estate, Zone, Claim, Permit)


def _counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_seed_is_idempotent():
    first = seed_demo()
    db.session.commit()
    after_first = _counts()
    second = seed_demo()
    db.session.commit()
    assert _counts() == after_first
    assert all(n == 0 for n in second.values())
    assert first["investors"] == after_first["Investor"] >= 13


def test_reference_case_matches_the_reports():
    seed_demo()
    estate = db.session.scalars(select(Estate).where(Estate.name == "Kawasan Industri Sawah Luhur")).one()
    assert estate.investor.legal_name == "PT Jaya Dinasti Indonesia"
    assert estate.investor.capital_status == "pma" and estate.investor.country_of_origin == "CN"
    assert estate.region.bps_code == "36.73" and estate.kecamatan == "Kasemen"
    assert estate.planned_investment_rp == Decimal(650_000_000_000)
    assert estate.area_ha == Decimal(150)
    assert estate.status is EstateStatus.STOPPED and estate.stop_order_on.isoformat() == "2025-09-16"
    assert sorted(z.kind.value for z in estate.zones) == ["commercial", "housing", "industrial", "leisure"]
    assert estate.zoned_area_ha <= estate.area_ha
    by_metric = {}
    for claim in estate.claims:
        by_metric.setdefault(claim.metric, []).append(claim.value)
    # Claims that disagree are all kept, side by side.
    assert sorted(by_metric[ClaimMetric.INVESTMENT]) == [Decimal(600_000_000_000), Decimal(650_000_000_000)]
    assert Decimal(4000) in by_metric[ClaimMetric.AREA] and Decimal(150) in by_metric[ClaimMetric.AREA]
    permits = {p.permit_type.code: p.status for p in db.session.scalars(select(Permit).where(Permit.estate == estate))}
    assert permits["NIB"] is PermitStatus.ISSUED and permits["KKPR"] is PermitStatus.ISSUED
    assert permits["AMDAL"] is PermitStatus.UNDER_REVIEW
    assert "IUKI" not in permits
    # a PMA: its licences from the central bodies (DOMAIN.md section 1, PP 28/2025 Pasal 138(4)), as records
    agencies = {
        p.permit_type.code: p.agency.code for p in db.session.scalars(select(Permit).where(Permit.estate == estate))
    }
    assert agencies == {"NIB": "oss", "KKPR": "atr-bpn", "PERTEK": "klh", "AMDAL": "klh"}


def test_every_demo_permit_has_an_agency_of_its_estates_level():
    seed_demo()
    for permit in db.session.scalars(select(Permit)):
        assert permit.agency is not None and permit.issuing_authority is None, permit
        assert permit.agency.region_id in (None, permit.estate.region_id), permit


def test_fictional_records_are_marked_and_cover_every_region():
    seed_demo()
    investors = db.session.scalars(select(Investor)).all()
    assert all(i.is_demo for i in investors if i.legal_name != "PT Jaya Dinasti Indonesia")
    regions = set(db.session.scalars(select(Estate.region_id)))
    assert len(regions) == 8


def test_every_demo_estate_has_a_point_on_the_map_inside_banten():
    """The map of estates shows the whole demo (issue 12): each estate at its kecamatan, within Banten's bounds
    (about 5.8-7.1 degrees south, 105.1-106.8 east); the reference case at Sawah Luhur, Kasemen, north of Kota
    Serang's centre."""
    seed_demo()
    points = db.session.execute(select(Estate.name, Estate.latitude, Estate.longitude)).all()
    assert points and all(lat is not None for _, lat, _ in points)
    assert all(
        Decimal("-7.1") < lat < Decimal("-5.8") and Decimal("105.1") < lon < Decimal("106.8") for _, lat, lon in points
    )
    jdi = next(p for p in points if p.name == "Kawasan Industri Sawah Luhur")
    assert jdi.latitude > Decimal("-6.12")


def test_every_demo_estate_respects_the_zone_rule_and_permit_dates():
    seed_demo()
    for estate in db.session.scalars(select(Estate)):
        assert estate.zoned_area_ha <= estate.area_ha
    for permit in db.session.scalars(select(Permit)):
        if permit.decided_on:
            assert permit.decided_on >= permit.submitted_on
            assert permit.decided_on.weekday() < 5


def test_cli_seed_and_if_empty(runner):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "Demo seeded" in result.output
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not seeded" in result.output


def test_cli_refuses_in_production(app):
    prod = create_app(
        "production",
        overrides={"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]},
    )
    with prod.app_context():  # the runner would otherwise reuse the test app's context
        result = prod.test_cli_runner().invoke(args=["seed-demo"])
        db.engine.dispose()
    assert result.exit_code != 0 and "refused" in result.output
    assert _counts()["Investor"] == 0


def test_demo_permits_have_a_history_that_explains_them():
    from permits.workflow import clock_fields, permit_clock, rebuild_from_events

    seed_demo()
    for permit in db.session.scalars(select(Permit)):
        status, clock = rebuild_from_events(permit)
        assert status is permit.status
        assert clock == clock_fields(permit)
    amdal = db.session.scalars(
        select(Permit)
        .join(Permit.estate)
        .where(Estate.name == "Kawasan Industri Sawah Luhur", Permit.status == "under_review")
    ).one()
    assert amdal.permit_type.code == "AMDAL" and amdal.regime.name == "PP 28/2025"
    assert permit_clock(amdal).band == "overdue"
