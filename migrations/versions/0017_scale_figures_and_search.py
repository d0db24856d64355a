"""scale: the agency's decision kept on the permit, indexes for the figures, the audit log and search (issue 13)

Revision ID: 0017_scale_figures_and_search
Revises: 0017_fc_series
Create Date: 2026-11-30

- ``permit.decision_days`` and ``permit.decision_sla``: the agency's working days and the limit in force at the
  permit's decision (its first move from the agency's desk or a return to issued, verified, deemed granted or
  rejected), written by ``permits.workflow.advance_permit`` in the same transaction as the deciding event, and
  filled here from the events already recorded. The figures per agency read them instead of the events.
- ``ix_permit_agency_decision`` (agency, decision days) for the medians and percentiles per agency;
  ``ix_permit_updated_at`` for the figures' cache stamp; ``ix_permit_event_stops``, a partial index of the clock
  stops (returns and revision requests) with the clock figures they recorded; ``ix_permit_event_answers``, a
  partial index of the moves back from the investor (the dashboard's and the list's "answers arrived").
- PostgreSQL only (SQLite skips it): the ``pg_trgm`` extension and trigram indexes for the searches of estates,
  investors and permits (``ILIKE '%q%'`` and ``lower(...) LIKE '%q%'``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_scale_figures_and_search"
down_revision = "0017_fc_series"
branch_labels = None
depends_on = None

DECISIONS = "('issued', 'verified', 'deemed_granted', 'rejected')"
DECIDED_FROM = (
    "('submitted', 'declared_complete', 'under_review', 'feasibility_test', 'recommendation', "
    "'returned', 'revision', 'process_stopped')"
)
STOPS = "to_status IN ('returned', 'revision') AND from_status IS NOT NULL"
ANSWERS = "from_status IN ('returned', 'revision', 'process_stopped')"
TRIGRAM = (
    ("ix_estate_name_trgm", "estate", "name"),
    ("ix_estate_name_lower_trgm", "estate", "lower(name)"),
    ("ix_investor_legal_name_trgm", "investor", "legal_name"),
    ("ix_investor_legal_name_lower_trgm", "investor", "lower(legal_name)"),
    ("ix_permit_reference_lower_trgm", "permit", "lower(coalesce(reference_number, ''))"),
)


def _decision(column: str) -> str:
    return (
        f"(SELECT e.{column} FROM permit_event e WHERE e.permit_id = permit.id AND e.to_status IN {DECISIONS} "
        f"AND e.from_status IN {DECIDED_FROM} ORDER BY e.seq LIMIT 1)"
    )


def upgrade():
    with op.batch_alter_table("permit") as batch:
        batch.add_column(sa.Column("decision_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("decision_sla", sa.Integer(), nullable=True))
    op.execute(f"UPDATE permit SET decision_days = {_decision('agency_days_used')}, decision_sla = {_decision('sla_working_days')}")
    op.create_index("ix_permit_agency_decision", "permit", ["agency_id", "decision_days"])
    op.create_index("ix_permit_updated_at", "permit", ["updated_at"])
    op.create_index(
        "ix_permit_event_stops",
        "permit_event",
        ["permit_id", "agency_days_used", "sla_working_days"],
        sqlite_where=sa.text(STOPS),
        postgresql_where=sa.text(STOPS),
    )
    op.create_index(
        "ix_permit_event_answers",
        "permit_event",
        ["permit_id", "seq"],
        sqlite_where=sa.text(ANSWERS),
        postgresql_where=sa.text(ANSWERS),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, expression in TRIGRAM:
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ({expression} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _table, _expression in TRIGRAM:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_permit_event_answers", table_name="permit_event")
    op.drop_index("ix_permit_event_stops", table_name="permit_event")
    op.drop_index("ix_permit_updated_at", table_name="permit")
    op.drop_index("ix_permit_agency_decision", table_name="permit")
    with op.batch_alter_table("permit") as batch:
        batch.drop_column("decision_sla")
        batch.drop_column("decision_days")
