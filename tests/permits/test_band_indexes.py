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
