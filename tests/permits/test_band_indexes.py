"""The permits list's bands read in their order from partial indexes (issue 13, migration
``0030_tpf_band_orders``): the running bands' pages from ``ix_permit_running_order``, the band "stopped" of one
permit type from ``ix_permit_stopped_type``; their conditions are the clock's and the migration's. The plans are
the statistics' (on PostgreSQL at the reference size, in bench/README.md); the pages' rows and counts with these
filters are ``tests/permits/test_list_order.py``'s."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from permits import models
from permits.stages import REVISING

MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0030_tpf_band_orders.py"


def test_the_stopped_statuses_are_the_clocks_and_the_migration_writes_the_models_conditions():
    assert set(models.STOPPED_STATUSES) == {s.value for s in REVISING}
    spec = importlib.util.spec_from_file_location("tpf_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.RUNNING_WHERE == models.RUNNING_WHERE
    assert migration.STOPPED_WHERE == models.STOPPED_WHERE


def test_the_bands_of_one_type_are_counted_from_their_partial_index():
    """``0031_tph_running_type``: the count of ``band=overdue&type=...`` (and at risk, on track) is a range of
    ``ix_permit_running_type``, not the band's every entry with the table read for the type (SQLite: 82-300 ms
    at the reference size)."""
    from datetime import date

    from sqlalchemy import text

    from app.extensions import db
    from app.security import SYSTEM_SCOPE
    from permits.clock import Band
    from permits.queries import PermitFilters
    from permits.tally import list_count

    spec = importlib.util.spec_from_file_location("tph_migration", MIGRATION.with_name("0031_tph_running_type.py"))
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.RUNNING_WHERE == models.RUNNING_WHERE
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL's choice among a near-empty table's indexes is its statistics'
    for band in (Band.OVERDUE, Band.AT_RISK, Band.ON_TRACK):
        query = list_count(PermitFilters(band=band, permit_type_code="NIB"), SYSTEM_SCOPE, date(2026, 12, 1))
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = db.session.connection().execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        assert "ix_permit_running_type (permit_type_id=?" in " ".join(str(row[-1]) for row in plan), plan
