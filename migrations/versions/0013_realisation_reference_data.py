"""realisation reference data: the LKPM settings, the KBLI 2020 sections and Banten's published totals

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29

The rows come from migrations/data/kbli_sections.csv and migrations/data/banten_realisation.csv (sources in
migrations/data/README.md and in each row). Only missing rows are inserted, so the migration is safe on a database
where an administrator has already recorded a release or changed a setting. The province's figures are given in
trillions of rupiah with two decimals; they are stored as whole rupiah. A period written 2025-H1 is the half-year
2025-S1. A release date is read from the source when it ends with one (``radarbanten 2025-02-06``), else empty.
"""

import csv
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

DATA = Path(__file__).resolve().parent.parent / "data"
RECORDED_BY = "migration 0013 (banten_realisation.csv)"

setting = sa.table(
    "setting", sa.column("key", sa.String), sa.column("value", sa.String), sa.column("description", sa.Text),
    sa.column("source", sa.Text), sa.column("confirmed", sa.Boolean),
)
kbli_section = sa.table(
    "kbli_section", sa.column("code", sa.String), sa.column("name_id", sa.String), sa.column("name_en", sa.String),
)
province = sa.table(
    "province_realisation", sa.column("period", sa.String), sa.column("period_start", sa.Date),
    sa.column("period_end", sa.Date), sa.column("investment_rp", sa.Numeric(20, 0)),
    sa.column("pma_rp", sa.Numeric(20, 0)), sa.column("pmdn_rp", sa.Numeric(20, 0)),
    sa.column("jobs_total", sa.Integer), sa.column("jobs_tki", sa.Integer), sa.column("jobs_tka", sa.Integer),
    sa.column("source", sa.String), sa.column("source_kind", sa.String), sa.column("released_on", sa.Date),
    sa.column("recorded_by", sa.String),
)

SETTINGS = [
    {
        "key": "lkpm.deadline_day",
        "value": "15",
        "description": "Day of the month after the period by which an LKPM is due (a quarter's: 15 April, July, "
        "October, January; a half-year's: 15 July and 15 January). A missing report is flagged the day after.",
        "source": "DOMAIN.md section 6 [S]: the 15th from October 2025 (before: the 10th); the article is UNCONFIRMED",
        "confirmed": False,
    },
    {
        "key": "lkpm.deadline_next_working_day",
        "value": "true",
        "description": "When the deadline falls on a weekend, a holiday or a closure date, it moves to the next "
        "working day.",
        "source": "UNCONFIRMED: whether OSS moves the LKPM deadline off non-working days; default yes (fewer false flags)",
        "confirmed": False,
    },
    {
        "key": "lkpm.sanction_missed_periods",
        "value": "2",
        "description": "Consecutive periods without a report after which an investor is flagged at risk of a "
        "sanction (written warning, then suspension, then revocation).",
        "source": "PerBKPM 5/2021 Pasal 47 [S, DOMAIN.md section 6]; the rule under PerBKPM 5/2025 is UNCONFIRMED",
        "confirmed": False,
    },
    {
        "key": "lkpm.first_period",
        "value": "2026-Q3",
        "description": "The first period Pantau checks for missing LKPM reports (written 2026-Q3); earlier ones are "
        "never flagged. An investor whose NIB was issued later is checked from that period.",
        "source": "Office practice (a setting, not a legal figure): the periods Pantau holds reports for",
        "confirmed": True,
    },
]

TRILLION = Decimal(10) ** 12


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _period(text: str) -> tuple[str, date, date]:
    """'2024' / '2025-H1' / '2025-S1' / '2024-Q2' -> (canonical period, first day, last day)."""
    match = re.fullmatch(r"(\d{4})(?:-([QSH])(\d))?", text.strip().upper())
    if match is None:
        raise ValueError(f"unknown period {text!r}")
    year = int(match.group(1))
    if match.group(2) is None:
        return str(year), date(year, 1, 1), date(year, 12, 31)
    kind = "Q" if match.group(2) == "Q" else "S"
    number = int(match.group(3))
    months = 3 if kind == "Q" else 6
    first_month, last_month = (number - 1) * months + 1, number * months
    next_start = date(year + 1, 1, 1) if last_month == 12 else date(year, last_month + 1, 1)
    return f"{year}-{kind}{number}", date(year, first_month, 1), date.fromordinal(next_start.toordinal() - 1)


def _rupiah(trillions: str) -> Decimal | None:
    return (Decimal(trillions) * TRILLION).to_integral_value() if trillions.strip() else None


def _count(text: str) -> int | None:
    return int(text) if text.strip() else None


def _released_on(source: str) -> date | None:
    match = re.search(r"(\d{4}-\d{2}-\d{2})\s*$", source)
    return date.fromisoformat(match.group(1)) if match else None


def upgrade():
    conn = op.get_bind()
    have = set(conn.execute(sa.select(setting.c.key)).scalars())
    new_settings = [s for s in SETTINGS if s["key"] not in have]
    if new_settings:
        op.bulk_insert(setting, new_settings)

    have = set(conn.execute(sa.select(kbli_section.c.code)).scalars())
    sections = [r for r in _rows("kbli_sections.csv") if r["code"] not in have]
    if sections:
        op.bulk_insert(kbli_section, sections)

    have = set(conn.execute(sa.select(province.c.period, province.c.source)).tuples())
    releases = []
    for row in _rows("banten_realisation.csv"):
        period, start, end = _period(row["period"])
        if (period, row["source"]) in have:
            continue
        releases.append({
            "period": period, "period_start": start, "period_end": end,
            "investment_rp": _rupiah(row["investment_rp_trillion"]),
            "pma_rp": _rupiah(row["pma_rp_trillion"]), "pmdn_rp": _rupiah(row["pmdn_rp_trillion"]),
            "jobs_total": _count(row["jobs_total"]), "jobs_tki": _count(row["jobs_tki"]),
            "jobs_tka": _count(row["jobs_tka"]), "source": row["source"], "source_kind": row["source_kind"],
            "released_on": _released_on(row["source"]), "recorded_by": RECORDED_BY,
        })
    if releases:
        op.bulk_insert(province, releases)


def downgrade():
    op.execute(province.delete().where(province.c.recorded_by == RECORDED_BY))
    # The layoff records name their KBLI section; 0012's downgrade drops them with their table anyway.
    op.execute(sa.text("DELETE FROM layoff_record"))
    op.execute(kbli_section.delete())
    op.execute(setting.delete().where(setting.c.key.in_([s["key"] for s in SETTINGS])))
