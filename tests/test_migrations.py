"""The migrations, on a blank database of their own: upgrade, no drift, downgrade, upgrade again.

Each test gets a new empty database: a SQLite file, or, when ``TEST_DATABASE_URL`` names a PostgreSQL
server, a separate database created there (and dropped afterwards), so the suite's shared test database
is never touched.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, Integer, Table, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.models import Region
from permits.models import PermitType
from permits.rules import Regime

# Banten's eight kab/kota and their BPS codes (BPS, Kode Wilayah Kerja Statistik).
BANTEN_BPS_CODES = {
    "36.01": "Kabupaten Pandeglang",
    "36.02": "Kabupaten Lebak",
    "36.03": "Kabupaten Tangerang",
    "36.04": "Kabupaten Serang",
    "36.71": "Kota Tangerang",
    "36.72": "Kota Cilegon",
    "36.73": "Kota Serang",
    "36.74": "Kota Tangerang Selatan",
}
# The permit chain of an industrial estate and what each needs first (DOMAIN.md section 3).
PREREQUISITES = {
    "NIB": [],
    "KKPR": ["NIB"],
    "PERTEK": ["KKPR"],
    "AMDAL": ["KKPR", "PERTEK"],
    "IUKI": ["KKPR", "AMDAL"],
    "PBG": ["AMDAL"],
    "SLF": ["PBG"],
    "PERLUASAN": ["AMDAL"],
}


@pytest.fixture
def blank_url(tmp_path) -> Iterator[str]:
    """The URL of a new, empty database on the engine under test."""
    with new_database(tmp_path) as url:
        yield url


@contextmanager
def new_database(folder: Path) -> Iterator[str]:
    """A new, empty database on the engine under test (a SQLite file in ``folder``, or a PostgreSQL database
    created on the ``TEST_DATABASE_URL`` server and dropped afterwards)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{folder / f'blank-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    url = make_url(base)
    name = f"pantau_migr_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")  # CREATE/DROP DATABASE refuse a transaction
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def blank(blank_url: str) -> Iterator[Flask]:
    """An app bound to the blank database, with its app context pushed over the suite's one."""
    application = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": blank_url})
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def db_check(application: Flask) -> tuple[int, str]:
    """Run ``flask db check`` through the app's CLI; return its exit code and what it printed or logged."""
    result = application.test_cli_runner().invoke(args=["db", "check"])
    return result.exit_code, result.output


def assert_reference_data() -> None:
    regions = {r.bps_code: r.name for r in db.session.scalars(select(Region))}
    assert regions == BANTEN_BPS_CODES
    types = db.session.scalars(select(PermitType)).all()
    assert {t.code: [p.code for p in t.prerequisites] for t in types} == PREREQUISITES
    # Every type has a rule under every regulation, each with its limit and legal basis.
    regimes = db.session.scalars(select(Regime)).all()
    assert [r.name for r in sorted(regimes, key=lambda r: r.applies_from)] == ["PP 5/2021", "PP 28/2025"]
    for ptype in types:
        assert sorted(r.regime_id for r in ptype.rules) == sorted(r.id for r in regimes), ptype.code
        assert all(r.sla_working_days >= 0 and r.legal_basis for r in ptype.rules)


def test_upgrade_builds_a_blank_database_with_no_drift_from_the_models(blank: Flask) -> None:
    assert table_names() == set()
    upgrade()
    assert table_names() == set(db.metadata.tables) | {"alembic_version"}
    code, output = db_check(blank)
    assert code == 0, output
    assert_reference_data()


def test_db_check_fails_when_a_model_changes_without_a_migration(blank: Flask) -> None:
    upgrade()
    extra = Table("unmigrated_thing", db.metadata, Column("id", Integer, primary_key=True))
    try:
        code, _ = db_check(blank)
    finally:
        db.metadata.remove(extra)
    assert code != 0
    assert db_check(blank)[0] == 0  # and the check passes again once the model is back


def test_downgrade_to_base_leaves_only_alembic_version_and_upgrade_works_again(blank: Flask) -> None:
    upgrade()
    downgrade(revision="base")
    assert table_names() == {"alembic_version"}
    assert db.session.scalar(select(func.count()).select_from(text("alembic_version"))) == 0
    if db.engine.dialect.name == "postgresql":
        assert inspect(db.engine).get_sequence_names() == []
    db.session.remove()

    upgrade()
    assert db_check(blank)[0] == 0
    assert_reference_data()


def test_every_revision_downgrades_and_upgrades_in_turn(blank: Flask) -> None:
    """The "stairway": step up one revision at a time, and take each step back and up again."""
    from alembic.script import ScriptDirectory

    config = blank.extensions["migrate"].migrate.get_config()
    revisions = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))
    assert revisions, "no migration found"
    for revision in revisions:
        upgrade(revision=revision.revision)
        downgrade(revision="-1")
        upgrade(revision=revision.revision)
        db.session.remove()
    assert db_check(blank)[0] == 0


# --- 0010: agencies as records ---------------------------------------------------------------------------------

LEGACY = {  # what the demo used to store as free text, for the JDI estate (a PMA in Kota Serang)
    "NIB": "Lembaga OSS (Kementerian Investasi/BKPM)",
    "KKPR": "Kementerian ATR/BPN melalui OSS",
    "AMDAL": "Kementerian Lingkungan Hidup",
    "PBG": "Dinas PUPR Kota Serang",
}
RESOLVED = {"NIB": "oss", "KKPR": "atr-bpn", "AMDAL": "klh", "PBG": "3673-pupr"}


def _old_permits() -> dict[str, int]:
    """At revision 0008: a PMA investor's estate in Kota Serang with four permits carrying the legacy text."""
    with db.engine.begin() as conn:
        region_id = conn.scalar(text("SELECT id FROM region WHERE bps_code = '36.73'"))
        conn.execute(
            text(
                "INSERT INTO investor (legal_name, legal_form, capital_status, country_of_origin) "
                "VALUES ('PT Lama', 'pt', 'pma', 'CN')"
            )
        )
        investor_id = conn.scalar(text("SELECT id FROM investor"))
        conn.execute(
            text(
                "INSERT INTO estate (investor_id, name, region_id, area_ha, status) "
                "VALUES (:i, 'Kawasan Lama', :r, 150, 'permitting')"
            ),
            {"i": investor_id, "r": region_id},
        )
        estate_id = conn.scalar(text("SELECT id FROM estate"))
        ids = {}
        for code, legacy in LEGACY.items():
            type_id = conn.scalar(text("SELECT id FROM permit_type WHERE code = :c"), {"c": code})
            conn.execute(
                text(
                    "INSERT INTO permit (estate_id, permit_type_id, status, issuing_authority) "
                    "VALUES (:e, :t, 'not_started', :a)"
                ),
                {"e": estate_id, "t": type_id, "a": legacy},
            )
            ids[code] = conn.scalar(text("SELECT max(id) FROM permit"))
    return ids


def test_0010_gives_every_existing_permit_its_agency_and_keeps_the_legacy_text(blank: Flask) -> None:
    upgrade(revision="0008")
    ids = _old_permits()
    upgrade()
    rows = db.session.execute(
        text("SELECT p.id, a.code, p.issuing_authority FROM permit p LEFT JOIN agency a ON a.id = p.agency_id")
    ).all()
    assert {pid: (code, legacy) for pid, code, legacy in rows} == {ids[c]: (RESOLVED[c], LEGACY[c]) for c in LEGACY}
    assert db_check(blank)[0] == 0
    assert db.session.scalar(text("SELECT count(*) FROM agency")) == 33
    # one DPMPTSP, one environment office and one building office for each of Banten's eight kab/kota
    kinds = db.session.execute(
        text("SELECT r.bps_code, a.kind FROM agency a JOIN region r ON r.id = a.region_id WHERE a.level = 'kab_kota'")
    ).all()
    assert sorted(kinds) == sorted(
        (code, kind) for code in BANTEN_BPS_CODES for kind in ("investment", "environment", "public_works")
    )
    db.session.remove()


def test_0010_downgrade_fills_the_legacy_text_and_drops_the_new_audit_events(blank: Flask) -> None:
    upgrade(revision="0008")
    ids = _old_permits()
    upgrade()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE permit SET issuing_authority = NULL WHERE id = :i"), {"i": ids["AMDAL"]})
        conn.execute(text("INSERT INTO audit_log (event, detail) VALUES ('permit_agency_changed', 'x')"))
        conn.execute(text("INSERT INTO audit_log (event, detail) VALUES ('login', 'kept')"))
    db.session.remove()
    downgrade(revision="0008")
    assert "agency" not in table_names() and "agency_rule" not in table_names()
    texts = dict(db.session.execute(text("SELECT id, issuing_authority FROM permit")).all())
    assert texts == {**{ids[c]: LEGACY[c] for c in LEGACY}, ids["AMDAL"]: "Kementerian Lingkungan Hidup/Badan "
        "Pengendalian Lingkungan Hidup"}  # fmt: skip
    assert list(db.session.scalars(text("SELECT detail FROM audit_log"))) == ["kept"]
    db.session.remove()
    upgrade()
    assert db_check(blank)[0] == 0


def _history() -> tuple[list[tuple], list[tuple]]:
    """Every event (its facts) and every permit (status, clock, regulation) as stored, read with plain SQL so
    that it works at any revision."""
    events = db.session.execute(
        text(
            "SELECT id, permit_id, seq, effective_on, actor, from_status, to_status, note, agency_days_used "
            "FROM permit_event ORDER BY id"
        )
    ).all()
    permits = db.session.execute(
        text("SELECT id, status, agency_days_banked, running_since, due_on, clock_stops FROM permit ORDER BY id")
    ).all()
    return [tuple(e) for e in events], [tuple(p) for p in permits]


def test_the_demo_data_of_the_old_schema_migrates_without_losing_history(blank: Flask) -> None:
    """A copy of the demo data under revision 0008 (before regimes, sub-stages and agencies) is upgraded: every
    event and every permit's status and clock survive, and each filed permit gets its regime and its agency."""
    from devtools.demo import seed_demo

    upgrade()
    seed_demo()
    db.session.commit()
    db.session.remove()
    downgrade(revision="0008")  # the demo as an office running the old release would hold it
    old_events, old_permits = _history()
    labels = dict(db.session.execute(text("SELECT id, regulation FROM permit")).all())
    db.session.remove()
    assert len(old_events) > 100 and any(labels.values())
    upgrade()
    new_events, new_permits = _history()
    assert new_events == old_events
    assert new_permits == old_permits
    regimes = dict(
        db.session.execute(text("SELECT p.id, r.name FROM permit p JOIN regime r ON r.id = p.regime_id")).all()
    )
    assert regimes == {pid: label for pid, label in labels.items() if label is not None}
    missing_agency = db.session.scalar(text("SELECT count(*) FROM permit WHERE agency_id IS NULL"))
    assert missing_agency == 0


def test_0018_fills_answered_from_the_events(blank: Flask) -> None:
    """The kept "answers arrived" of permits recorded before it existed comes from their last event."""
    from devtools.demo import seed_demo
    from permits.models import Permit
    from permits.stages import RESUMES_TO
    from permits.workflow import advance_permit

    upgrade()
    seed_demo()
    returned = db.session.scalars(select(Permit).where(Permit.status.in_(RESUMES_TO))).first()
    advance_permit(returned, RESUMES_TO[returned.status], actor="uji")  # the investor's answer
    answered_id = returned.id
    db.session.commit()
    kept = dict(db.session.execute(text("SELECT id, answered FROM permit")).all())
    db.session.remove()
    assert kept[answered_id] and not all(kept.values())
    downgrade(revision="0017_scale_figures_and_search")
    assert "answered" not in {c["name"] for c in inspect(db.engine).get_columns("permit")}
    db.session.remove()
    upgrade()
    assert dict(db.session.execute(text("SELECT id, answered FROM permit")).all()) == kept
    assert db_check(blank)[0] == 0
    db.session.remove()


def test_0019_sums_the_stored_totals_without_the_investor(blank: Flask) -> None:
    """A run stored with per-investor totals keeps its figures by kab/kota: two investors' rows of one group become
    one row, their sums; the per-investor table is gone."""
    upgrade(revision="0018_plist_list_orders")
    db.session.execute(
        text(
            "INSERT INTO forecast_run (id, computed_at, as_of, horizon_quarters, inputs, is_snapshot) "
            "VALUES (7, '2026-11-02 03:00:00+00:00', '2026-11-02', 8, '{}', true)"
        )
    )
    columns = (
        "run_id, region_id, kab_kota, investor_id, investor_name, zone_kind, capital_status, zones, quarter, phase"
    )
    for investor, quarter, zones, low, central, high in (
        (1, "2027-Q1", 2, 10, 20, 30),
        (2, "2027-Q1", 3, 1, 2, 3),
        (2, "2027-Q2", 3, 5, 6, 7),
    ):
        db.session.execute(
            text(
                f"INSERT INTO forecast_total ({columns}, low, central, high) VALUES "  # noqa: S608 - fixed names
                f"(7, 5, 'Kota Serang', {investor}, 'PT {investor}', 'industrial', 'pma', {zones}, '{quarter}', "
                f"'operation', {low}, {central}, {high})"
            )
        )
    db.session.commit()
    db.session.remove()
    upgrade()
    rows = db.session.execute(
        text(
            "SELECT run_id, region_id, kab_kota, zone_kind, capital_status, zones, quarter, phase, low, central, high "
            "FROM forecast_region_total ORDER BY quarter"
        )
    ).all()
    assert [tuple(r) for r in rows] == [
        (7, 5, "Kota Serang", "industrial", "pma", 5, "2027-Q1", "operation", 11, 22, 33),
        (7, 5, "Kota Serang", "industrial", "pma", 3, "2027-Q2", "operation", 5, 6, 7),
    ]
    assert "forecast_total" not in inspect(db.engine).get_table_names()
    db.session.remove()


def test_0026_moves_the_flagged_permits_to_their_table_and_back(blank: Flask) -> None:
    """The permits with an open flag, kept on ``permit.flagged`` before, are the rows of ``stalled_permit`` after
    (with their kab/kota), and the column again after a downgrade."""
    from datetime import date

    from devtools.demo import seed_demo
    from permits.stalls.scan import scan_stalled

    upgrade()
    seed_demo()
    scan_stalled(date(2026, 12, 1))
    db.session.commit()
    kept = dict(db.session.execute(text("SELECT permit_id, region_id FROM stalled_permit")).all())
    open_flags = {r for (r,) in db.session.execute(text("SELECT permit_id FROM stall_flag WHERE resolved_on IS NULL"))}
    db.session.remove()
    assert kept and set(kept) == open_flags
    downgrade(revision="0025_fcp_held_lines_index")
    flagged = {r for (r,) in db.session.execute(text("SELECT id FROM permit WHERE flagged"))}
    db.session.remove()
    assert flagged == open_flags and "stalled_permit" not in inspect(db.engine).get_table_names()
    upgrade()
    assert dict(db.session.execute(text("SELECT permit_id, region_id FROM stalled_permit")).all()) == kept
    assert "flagged" not in {c["name"] for c in inspect(db.engine).get_columns("permit")}
    assert db_check(blank)[0] == 0
    db.session.remove()


def test_0028_keeps_the_series_keyed_by_run_and_series_and_back(blank: Flask) -> None:
    """Stored series keep their figures through 0028 (the key is (run, series), without the id) and back."""
    upgrade(revision="0027_tput2_data_version")
    insert = text("INSERT INTO forecast_series (run_id, series, job_quarters, cells) VALUES (:r, :s, :j, :c)")
    for run, series in ((3, 1), (3, 0), (2, 0)):
        db.session.execute(insert, {"r": run, "s": series, "j": 10 * run + series, "c": bytes([run, series, 0, 0])})
    db.session.commit()
    query = text("SELECT run_id, series, job_quarters, cells FROM forecast_series ORDER BY run_id, series")
    kept = [(r, s, j, bytes(c)) for r, s, j, c in db.session.execute(query)]
    db.session.remove()
    for revision, key in ((None, ["run_id", "series"]), ("0027_tput2_data_version", ["id"])):
        if revision is None:
            upgrade()
        else:
            downgrade(revision=revision)
        assert [(r, s, j, bytes(c)) for r, s, j, c in db.session.execute(query)] == kept
        assert inspect(db.engine).get_pk_constraint("forecast_series")["constrained_columns"] == key
        db.session.remove()
