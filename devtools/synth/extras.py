"""LKPM entries for some synthetic investors, and audit rows: the rest of a province's worth of data.

An investor files (when it does) company-wide reports for its last periods before the day the data is drawn for:
quarterly, or half-yearly for a small PMDN (``realisation.rules.period_kind_of``); its investment splits into
fixed and working capital. Audit rows are sign-ins, moves, exports and the like over the past year.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from app.models import AuditEvent
from estates.models import BusinessSize, CapitalStatus
from realisation.models import LkpmStatus
from realisation.periods import Period, PeriodKind

FILING_SHARE = 0.3  # investors that have LKPM entries
PERIODS = 4  # their last periods before the day the data is drawn for
STAMP = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
PATHS = ("/", "/permits", "/estates", "/stalls", "/stalls/agencies.csv", "/permits/export.csv", "/login")
AUDITED = (
    (AuditEvent.LOGIN, 40),
    (AuditEvent.LOGOUT, 20),
    (AuditEvent.LOGIN_FAILED, 5),
    (AuditEvent.PERMIT_MOVED, 20),
    (AuditEvent.PERMIT_EDITED, 5),
    (AuditEvent.EXPORTED, 5),
    (AuditEvent.DOCUMENT_DOWNLOADED, 4),
    (AuditEvent.ACCESS_DENIED, 1),
)


def lkpm_rows(
    first_id: int, investors: list[tuple[int, CapitalStatus, BusinessSize]], seed: int, as_of: date
) -> Iterator[dict]:
    n = first_id
    for k, (investor_id, capital, size) in enumerate(investors):
        rng = random.Random(f"{seed}:lkpm:{k}")
        if rng.random() >= FILING_SHARE:
            continue
        kind = PeriodKind.QUARTER if capital is CapitalStatus.PMA or size is BusinessSize.MEDIUM_LARGE else None
        kind = kind or (PeriodKind.HALF if size is BusinessSize.SMALL else None)
        if kind is None:
            continue
        period = Period.containing(as_of, kind).previous()
        for _ in range(PERIODS):
            fixed = Decimal(rng.randrange(1, 500)) * 1_000_000_000
            working = Decimal(rng.randrange(0, 100)) * 1_000_000_000
            reported = min(period.end + timedelta(days=rng.randint(1, 20)), as_of)
            status = rng.choices(list(LkpmStatus), weights=(5, 40, 10, 10, 35))[0]
            yield {
                "id": n,
                "investor_id": investor_id,
                "estate_id": None,
                "period": str(period),
                "period_end": period.end,
                "version": 1,
                "import_batch_id": None,
                "investment_rp": fixed + working,
                "fixed_capital_rp": fixed,
                "working_capital_rp": working,
                "tki": rng.randrange(0, 3_000),
                "tka": rng.randrange(0, 40) if capital is CapitalStatus.PMA else 0,
                "production_notes": None,
                "obstacles": "Perizinan lahan (data sintetis)" if rng.random() < 0.2 else None,
                "status": status,
                "reported_on": reported,
                "recorded_by": "Data sintetis",
                "created_at": datetime.combine(reported, time(2, 0, tzinfo=UTC)),
                "updated_at": datetime.combine(reported, time(2, 0, tzinfo=UTC)),
            }
            n += 1
            period = period.previous()


def audit_rows(first_id: int, count: int, seed: int, as_of: date) -> Iterator[dict]:
    """``count`` audit rows over the year before ``as_of``, oldest first."""
    end = datetime.combine(as_of, time(0, 0, tzinfo=UTC))
    step = timedelta(days=365) / max(count, 1)
    events, weights = zip(*AUDITED, strict=True)
    for k in range(count):
        rng = random.Random(f"{seed}:audit:{k}")
        event = rng.choices(events, weights=weights)[0]
        yield {
            "id": first_id + k,
            "at": end - timedelta(days=365) + step * k,
            "event": event,
            "user_id": None,
            "email": f"petugas{rng.randrange(60)}@sintetis.invalid",
            "ip": f"10.0.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            "path": rng.choice(PATHS),
            "detail": json.dumps({"what": f"permit {rng.randrange(1, 200_000)}", "by": "data sintetis"}),
        }
