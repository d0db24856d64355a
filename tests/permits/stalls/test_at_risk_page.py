"""The stalled list's ``kind=at_risk`` page starts from the kind's open flags (issue 13, branch ``tph``): SQLite ran
the former ``EXISTS`` as a probe of ``stall_flag`` for every permit (100 ms at the reference size), where the
kind's open flags are a range of ``ix_stall_flag_open`` and their permits probes of the primary key (3 ms). The
page's rows and order are ``tests/permits/test_list_order.py``'s."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.security import SYSTEM_SCOPE
from permits.models import Permit
from permits.stalls.models import FlagKind
from permits.stalls.stats import StallFilters, reads_from_flags, stalled_permits_query


def _page_ids(kind: FlagKind):
    return stalled_permits_query(StallFilters(kind=kind), SYSTEM_SCOPE, select(Permit.id)).limit(20)


def test_a_page_of_at_risk_flags_is_found_from_the_flags_not_by_probing_every_permit():
    assert reads_from_flags(StallFilters(kind=FlagKind.AT_RISK))
    compiled = _page_ids(FlagKind.AT_RISK).compile(db.engine)
    sql = " ".join(str(compiled).split())
    assert "permit.id IN (SELECT stall_flag.permit_id FROM stall_flag" in sql and "EXISTS" not in sql
    if db.engine.dialect.name == "sqlite":
        params = tuple(compiled.params.values())
        plan = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params).all()
        steps = [str(row[-1]) for row in plan]
        # the flags are read once, as a list, from their index; no probe of stall_flag per permit (how the permits
        # themselves are walked depends on the statistics of the moment: a tiny test database has none that count)
        assert any(step.startswith("LIST SUBQUERY") for step in steps), steps
        assert any(step.startswith("SEARCH stall_flag USING INDEX ix_stall_flag_open") for step in steps), steps
        assert not any("CORRELATED" in step for step in steps), steps


def test_the_overdue_kind_still_walks_the_late_order_with_a_probe_per_permit():
    """Its flags are most of the late permits: the first page walks ``ix_permit_late_order`` and stops early."""
    sql = " ".join(str(_page_ids(FlagKind.OVERDUE).compile(db.engine)).split())
    assert "EXISTS (SELECT stall_flag.id FROM stall_flag WHERE stall_flag.permit_id = permit.id" in sql
