"""A migration that adds indexes to a table renews its statistics where the database keeps them
(``app.database.analyze_tables``): SQLite keeps none for a new index, and without them it listed a kab/kota's
permits from ``ix_permit_region_type`` and sorted them all (bench/README.md, issue 13)."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app.extensions import db
from devtools.factories import make_permit
from tests.test_migrations import blank, blank_url  # noqa: F401 - the fixtures of a new empty database

pytestmark = pytest.mark.sqlite_only  # PostgreSQL: autovacuum renews them; the migration only starts early


def _indexes_with_statistics() -> set[str]:
    return set(db.session.scalars(text("SELECT idx FROM sqlite_stat1 WHERE tbl = 'permit'")))


def test_0030_renews_the_permits_statistics_where_the_database_keeps_them(blank):  # noqa: F811
    upgrade(revision="0029_tpg_forecast_held_estate")
    for _ in range(3):
        make_permit()
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    assert "ix_permit_region_type" not in _indexes_with_statistics()
    db.session.remove()
    upgrade()
    assert {"ix_permit_region_type", "ix_permit_region_order"} <= _indexes_with_statistics()
    db.session.remove()


def test_a_database_never_analysed_is_left_without_statistics(blank):  # noqa: F811
    upgrade(revision="0029_tpg_forecast_held_estate")
    make_permit()
    db.session.commit()
    db.session.remove()
    upgrade()
    assert not db.session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"))
    db.session.remove()
