"""regulation regimes, each permit type's rule per regime, the sub-stage statuses, deemed grants with evidence

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29

The limits, windows and silence outcomes move from the permit type to a rule per (type, regime), loaded from
migrations/data/permit_rules.csv and regimes.csv (sources inside). Each permit's regime follows the label its
clock recorded ("PP 5/2021" or "PP 28/2025"). New status words (DOMAIN.md section 5) widen the CHECK of the
status columns; a past move from "returned" to "withdrawn" was the law's withdrawal of a silent applicant, so
it becomes "deemed_withdrawn", and a voluntary withdrawal keeps "withdrawn".
"""

import csv
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DATA = Path(__file__).resolve().parent.parent / "data"

OLD_STATUSES = (
    "not_started", "submitted", "under_review", "returned", "issued", "rejected", "withdrawn", "deemed_granted",
    "frozen", "revoked",
)
NEW_STATUSES = (
    "not_started", "submitted", "declared_complete", "under_review", "feasibility_test", "recommendation",
    "returned", "revision", "process_stopped", "issued", "verified", "deemed_granted", "rejected", "withdrawn",
    "deemed_withdrawn", "cancelled", "frozen", "revoked",
)
OLD_FLAGS = ("at_risk", "overdue", "deemed_granted_candidate", "investor_overdue", "deemed_withdrawn_candidate")
NEW_FLAGS = (
    "at_risk", "overdue", "deemed_granted_candidate", "automatic_outcome", "investor_overdue",
    "deemed_withdrawn_candidate", "rejection_candidate",
)
# Back to the old words on downgrade: the nearest status the old machine knew.
DOWN = {
    "declared_complete": "under_review", "feasibility_test": "under_review", "recommendation": "under_review",
    "revision": "returned", "process_stopped": "returned", "verified": "issued", "deemed_withdrawn": "withdrawn",
    "cancelled": "revoked",
}
OLD_LIVE = "status NOT IN ('rejected', 'withdrawn', 'revoked')"
NEW_LIVE = "status NOT IN ('rejected', 'withdrawn', 'deemed_withdrawn', 'cancelled', 'revoked')"
OLD_TYPE_COLUMNS = (
    ("sla_working_days", sa.Integer(), False),
    ("applicant_fix_working_days", sa.Integer(), True),
    ("automatic_outcome_when_late", sa.Text(), True),
    ("silence_withdrawal_days", sa.Integer(), True),
    ("legal_basis", sa.Text(), True),
    ("confirmed", sa.Boolean(), True),
    ("confirmation_note", sa.Text(), True),
)

regime = sa.table(
    "regime", sa.column("id", sa.Integer), sa.column("code", sa.String), sa.column("name", sa.String),
    sa.column("applies_from", sa.Date), sa.column("applies_from_confirmed", sa.Boolean), sa.column("source", sa.Text),
)
rule = sa.table(
    "permit_rule", *(sa.column(c) for c in (
        "permit_type_id", "regime_id", "sla_working_days", "clock_starts_at", "check_working_days",
        "review_working_days", "decision_working_days", "fix_working_days", "revision_working_days",
        "max_revision_rounds", "agency_silence", "applicant_silence", "applicant_silence_days", "legal_basis",
        "confirmed", "note_id", "note_en",
    )),
)


def _enum(values, name, length):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def _read(name):
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _int(value):
    return int(value) if value not in ("", None) else None


def _set_checks(statuses, flags, live):
    """Recreate the CHECKs of the status and flag columns (and the live-application index) for these words."""
    pg = op.get_bind().dialect.name == "postgresql"
    for table, column, name, values, length in (
        ("permit", "status", "permitstatus", statuses, 24),
        ("permit_event", "from_status", "from_status", statuses, 24),
        ("permit_event", "to_status", "to_status", statuses, 24),
        ("stall_flag", "kind", "flagkind", flags, 32),
    ):
        check = f"ck_{table}_{name}"
        quoted = ", ".join(f"'{v}'" for v in values)
        if pg:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {check}")
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IN ({quoted}))")
        else:
            with op.batch_alter_table(table, recreate="always") as batch_op:
                batch_op.drop_constraint(op.f(check), type_="check")
                batch_op.create_check_constraint(name, sa.text(f"{column} IN ({quoted})"))
    with op.batch_alter_table("permit") as batch_op:
        batch_op.drop_index("uq_permit_live_application")
        batch_op.create_index(
            "uq_permit_live_application", ["estate_id", "permit_type_id"], unique=True,
            sqlite_where=sa.text(live), postgresql_where=sa.text(live),
        )


def upgrade():
    op.create_table(
        "regime",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("applies_from", sa.Date(), nullable=False),
        sa.Column("applies_from_confirmed", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regime")),
        sa.UniqueConstraint("applies_from", name=op.f("uq_regime_applies_from")),
        sa.UniqueConstraint("code", name=op.f("uq_regime_code")),
    )
    op.create_table(
        "permit_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("permit_type_id", sa.Integer(), nullable=False),
        sa.Column("regime_id", sa.Integer(), nullable=False),
        sa.Column("sla_working_days", sa.Integer(), nullable=False),
        sa.Column("clock_starts_at", _enum(("submitted", "declared_complete"), "clockstart", 24), nullable=False),
        sa.Column("check_working_days", sa.Integer(), nullable=True),
        sa.Column("review_working_days", sa.Integer(), nullable=True),
        sa.Column("decision_working_days", sa.Integer(), nullable=True),
        sa.Column("fix_working_days", sa.Integer(), nullable=True),
        sa.Column("revision_working_days", sa.Integer(), nullable=True),
        sa.Column("max_revision_rounds", sa.Integer(), nullable=True),
        sa.Column("agency_silence", _enum(
            ("none", "deemed_granted", "issued_by_oss", "without_land_consideration", "levy_set_automatically"),
            "agencysilence", 32), nullable=False),
        sa.Column("applicant_silence", _enum(
            ("none", "deemed_withdrawn", "rejected_after_stop"), "applicantsilence", 32), nullable=False),
        sa.Column("applicant_silence_days", sa.Integer(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("note_id", sa.Text(), nullable=True),
        sa.Column("note_en", sa.Text(), nullable=True),
        sa.CheckConstraint("sla_working_days >= 0", name=op.f("ck_permit_rule_sla_nonneg")),
        sa.CheckConstraint(
            "max_revision_rounds IS NULL OR max_revision_rounds >= 1", name=op.f("ck_permit_rule_rounds_pos")
        ),
        sa.CheckConstraint(
            "applicant_silence_days IS NULL OR applicant_silence_days >= 1", name=op.f("ck_permit_rule_silence_pos")
        ),
        sa.ForeignKeyConstraint(["permit_type_id"], ["permit_type.id"],
                                name=op.f("fk_permit_rule_permit_type_id_permit_type"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["regime_id"], ["regime.id"], name=op.f("fk_permit_rule_regime_id_regime"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_rule")),
        sa.UniqueConstraint("permit_type_id", "regime_id", name="uq_permit_rule_type_regime"),
    )
    with op.batch_alter_table("permit_rule") as batch_op:
        batch_op.create_index(batch_op.f("ix_permit_rule_regime_id"), ["regime_id"], unique=False)

    bind = op.get_bind()
    for r in _read("regimes.csv"):
        bind.execute(regime.insert().values(
            code=r["code"], name=r["name"], applies_from=date.fromisoformat(r["applies_from"]),
            applies_from_confirmed=r["applies_from_confirmed"] == "true", source=r["source"],
        ))
    regimes = dict(bind.execute(sa.text("SELECT code, id FROM regime")).all())
    # PERLUASAN: the estate's expansion licence (PP 28/2025 Pasal 155), after a revised ANDAL.
    if bind.execute(sa.text("SELECT id FROM permit_type WHERE code = 'PERLUASAN'")).first() is None:
        bind.execute(sa.text(
            "INSERT INTO permit_type (code, name_id, name_en, issuing_authority, sla_working_days, legal_basis, "
            "confirmed, sequence) VALUES ('PERLUASAN', 'Perizinan Perluasan Kawasan Industri', "
            "'Industrial estate expansion licence', 'Lembaga OSS (for PMA)', 5, 'PP 28/2025 Pasal 155', false, 80)"
        ))
        bind.execute(sa.text(
            "INSERT INTO permit_type_prerequisite (permit_type_id, prerequisite_id) "
            "SELECT p.id, a.id FROM permit_type p, permit_type a WHERE p.code = 'PERLUASAN' AND a.code = 'AMDAL'"
        ))
    types = dict(bind.execute(sa.text("SELECT code, id FROM permit_type")).all())
    for r in _read("permit_rules.csv"):
        if r["code"] not in types:
            continue
        bind.execute(rule.insert().values(
            permit_type_id=types[r["code"]], regime_id=regimes[r["regime"]], sla_working_days=int(r["sla"]),
            clock_starts_at=r["clock_starts_at"], check_working_days=_int(r["check"]),
            review_working_days=_int(r["review"]), decision_working_days=_int(r["decision"]),
            fix_working_days=_int(r["fix"]), revision_working_days=_int(r["revision"]),
            max_revision_rounds=_int(r["max_rounds"]), agency_silence=r["agency_silence"],
            applicant_silence=r["applicant_silence"], applicant_silence_days=_int(r["applicant_silence_days"]),
            legal_basis=r["legal_basis"], confirmed=r["confirmed"] == "true", note_id=r["note_id"] or None,
            note_en=r["note_en"] or None,
        ))
    # A limit an administrator already edited (a figure that differs from the reference) is kept for the
    # current regime: the edit was made against the rules in force.
    bind.execute(sa.text(
        "UPDATE permit_rule SET sla_working_days = (SELECT t.sla_working_days FROM permit_type t "
        "WHERE t.id = permit_rule.permit_type_id) WHERE regime_id = :regime"
    ), {"regime": regimes["PP28_2025"]})

    with op.batch_alter_table("permit_type") as batch_op:
        batch_op.drop_constraint(op.f("ck_permit_type_sla_nonneg"), type_="check")
        batch_op.drop_constraint(op.f("ck_permit_type_fix_nonneg"), type_="check")
        for name, _type, _nullable in OLD_TYPE_COLUMNS:
            batch_op.drop_column(name)

    with op.batch_alter_table("permit") as batch_op:
        batch_op.add_column(sa.Column("regime_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revision_rounds", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_foreign_key(batch_op.f("fk_permit_regime_id_regime"), "regime", ["regime_id"], ["id"],
                                    ondelete="RESTRICT")
    bind.execute(sa.text(
        "UPDATE permit SET regime_id = (SELECT id FROM regime WHERE regime.name = permit.regulation) "
        "WHERE regulation IS NOT NULL"
    ))
    with op.batch_alter_table("permit") as batch_op:
        batch_op.drop_column("regulation")
    with op.batch_alter_table("permit_event") as batch_op:
        batch_op.add_column(sa.Column("evidence_fingerprint", sa.String(length=64), nullable=True))

    _set_checks(NEW_STATUSES, NEW_FLAGS, NEW_LIVE)
    # The law's withdrawal of a silent applicant was recorded as "withdrawn"; a voluntary one keeps the word.
    bind.execute(sa.text(
        "UPDATE permit_event SET to_status = 'deemed_withdrawn' WHERE from_status = 'returned' AND to_status = 'withdrawn'"
    ))
    bind.execute(sa.text(
        "UPDATE permit SET status = 'deemed_withdrawn' WHERE status = 'withdrawn' AND EXISTS (SELECT 1 FROM "
        "permit_event e WHERE e.permit_id = permit.id AND e.seq = permit.last_event_seq AND e.to_status = 'deemed_withdrawn')"
    ))


def downgrade():
    bind = op.get_bind()
    for new, old in DOWN.items():
        for table, column in (("permit", "status"), ("permit_event", "from_status"), ("permit_event", "to_status")):
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :old WHERE {column} = :new"), {"old": old, "new": new})
    bind.execute(sa.text("DELETE FROM stall_flag WHERE kind IN ('automatic_outcome', 'rejection_candidate')"))
    _set_checks(OLD_STATUSES, OLD_FLAGS, OLD_LIVE)
    with op.batch_alter_table("permit_event") as batch_op:
        batch_op.drop_column("evidence_fingerprint")
    with op.batch_alter_table("permit") as batch_op:
        batch_op.add_column(sa.Column("regulation", sa.String(length=32), nullable=True))
    bind.execute(sa.text("UPDATE permit SET regulation = (SELECT name FROM regime WHERE regime.id = permit.regime_id)"))
    with op.batch_alter_table("permit") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_permit_regime_id_regime"), type_="foreignkey")
        batch_op.drop_column("revision_rounds")
        batch_op.drop_column("regime_id")
    with op.batch_alter_table("permit_type") as batch_op:
        for name, type_, nullable in OLD_TYPE_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    current = bind.execute(sa.text("SELECT id FROM regime ORDER BY applies_from DESC")).scalar()
    bind.execute(sa.text(
        "UPDATE permit_type SET sla_working_days = r.sla_working_days, applicant_fix_working_days = "
        "COALESCE(r.fix_working_days, r.revision_working_days), legal_basis = r.legal_basis, confirmed = r.confirmed, "
        "confirmation_note = r.note_en, silence_withdrawal_days = r.applicant_silence_days "
        "FROM permit_rule r WHERE r.permit_type_id = permit_type.id AND r.regime_id = :regime"
    ) if bind.dialect.name == "postgresql" else sa.text(
        "UPDATE permit_type SET "
        "sla_working_days = (SELECT sla_working_days FROM permit_rule r WHERE r.permit_type_id = permit_type.id "
        "AND r.regime_id = :regime), "
        "applicant_fix_working_days = (SELECT COALESCE(fix_working_days, revision_working_days) FROM permit_rule r "
        "WHERE r.permit_type_id = permit_type.id AND r.regime_id = :regime), "
        "legal_basis = (SELECT legal_basis FROM permit_rule r WHERE r.permit_type_id = permit_type.id "
        "AND r.regime_id = :regime), "
        "confirmed = (SELECT confirmed FROM permit_rule r WHERE r.permit_type_id = permit_type.id "
        "AND r.regime_id = :regime), "
        "confirmation_note = (SELECT note_en FROM permit_rule r WHERE r.permit_type_id = permit_type.id "
        "AND r.regime_id = :regime), "
        "silence_withdrawal_days = (SELECT applicant_silence_days FROM permit_rule r "
        "WHERE r.permit_type_id = permit_type.id AND r.regime_id = :regime)"
    ), {"regime": current})
    bind.execute(sa.text("UPDATE permit_type SET sla_working_days = 5 WHERE sla_working_days IS NULL"))
    bind.execute(sa.text("UPDATE permit_type SET legal_basis = '' WHERE legal_basis IS NULL"))
    bind.execute(sa.text("UPDATE permit_type SET confirmed = false WHERE confirmed IS NULL"))
    with op.batch_alter_table("permit_type") as batch_op:
        batch_op.alter_column("sla_working_days", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("legal_basis", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("confirmed", existing_type=sa.Boolean(), nullable=False)
        batch_op.create_check_constraint("sla_nonneg", sa.text("sla_working_days >= 0"))
        batch_op.create_check_constraint(
            "fix_nonneg", sa.text("applicant_fix_working_days IS NULL OR applicant_fix_working_days >= 0")
        )
    with op.batch_alter_table("permit_rule") as batch_op:
        batch_op.drop_index(batch_op.f("ix_permit_rule_regime_id"))
    op.drop_table("permit_rule")
    op.drop_table("regime")
