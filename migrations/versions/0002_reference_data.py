"""reference data: Banten's regions, the permit catalogue and editable settings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

The rows come from migrations/data/*.csv (sources inside). Inserting only rows that are missing keeps the
migration safe on a database where an administrator has already edited the catalogue.
"""

import csv
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DATA = Path(__file__).resolve().parent.parent / "data"

region = sa.table(
    "region", sa.column("id", sa.Integer), sa.column("bps_code", sa.String),
    sa.column("name", sa.String), sa.column("kind", sa.String),
)
permit_type = sa.table(
    "permit_type", sa.column("id", sa.Integer), sa.column("code", sa.String), sa.column("name_id", sa.String),
    sa.column("name_en", sa.String), sa.column("issuing_authority", sa.String),
    sa.column("sla_working_days", sa.Integer), sa.column("applicant_fix_working_days", sa.Integer),
    sa.column("automatic_outcome_when_late", sa.Text), sa.column("legal_basis", sa.Text),
    sa.column("confirmed", sa.Boolean), sa.column("confirmation_note", sa.Text), sa.column("sequence", sa.Integer),
)
prerequisite = sa.table(
    "permit_type_prerequisite", sa.column("permit_type_id", sa.Integer), sa.column("prerequisite_id", sa.Integer),
)
setting = sa.table(
    "setting", sa.column("key", sa.String), sa.column("value", sa.String), sa.column("description", sa.Text),
    sa.column("source", sa.Text), sa.column("confirmed", sa.Boolean),
)

SETTINGS = [
    {
        "key": "estate.min_area_ha",
        "value": "50",
        "description": "Minimum area of an industrial estate in one contiguous area, in hectares. "
        "Estates below it are flagged, not refused.",
        "source": "PP 142/2015; whether PP 20/2024 keeps it is UNCONFIRMED",
        "confirmed": False,
    },
    {
        "key": "calendar.cuti_bersama_non_working",
        "value": "true",
        "description": "Count cuti bersama (collective leave) days as non-working days in deadlines.",
        "source": "Whether OSS counts cuti bersama as non-working is UNCONFIRMED; default non-working",
        "confirmed": False,
    },
    {
        "key": "clock.at_risk_share",
        "value": "0.75",
        "description": "Share of the statutory working days used after which an open permit is 'at risk'.",
        "source": "Office practice (a setting, not a legal figure)",
        "confirmed": True,
    },
]


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def upgrade():
    conn = op.get_bind()
    have = set(conn.execute(sa.select(region.c.bps_code)).scalars())
    new_regions = [
        {"bps_code": r["bps_code"], "name": r["name"], "kind": r["kind"]}
        for r in _rows("banten_regions.csv")
        if r["bps_code"] not in have
    ]
    if new_regions:
        op.bulk_insert(region, new_regions)

    types = _rows("permit_types.csv")
    have = set(conn.execute(sa.select(permit_type.c.code)).scalars())
    new_types = []
    for seq, r in enumerate(types, start=1):
        if r["code"] in have:
            continue
        certainty, _, note = r["confirmed"].partition(":")
        new_types.append({
            "code": r["code"], "name_id": r["name_id"], "name_en": r["name_en"],
            "issuing_authority": r["issuing_authority"], "sla_working_days": int(r["sla_working_days"]),
            "applicant_fix_working_days": int(r["applicant_fix_working_days"]) if r["applicant_fix_working_days"] else None,
            "automatic_outcome_when_late": r["automatic_outcome_when_late"] or None,
            "legal_basis": r["legal_basis"], "confirmed": certainty.strip() == "yes",
            "confirmation_note": (certainty.strip() + ": " + note.strip()) if note else certainty.strip(),
            "sequence": seq * 10,
        })
    if new_types:
        op.bulk_insert(permit_type, new_types)
        ids = dict(conn.execute(sa.select(permit_type.c.code, permit_type.c.id)).all())
        links = [
            {"permit_type_id": ids[r["code"]], "prerequisite_id": ids[p]}
            for r in types
            if r["code"] in {t["code"] for t in new_types}
            for p in filter(None, r["prerequisites"].split(";"))
        ]
        if links:
            op.bulk_insert(prerequisite, links)

    have = set(conn.execute(sa.select(setting.c.key)).scalars())
    new_settings = [s for s in SETTINGS if s["key"] not in have]
    if new_settings:
        op.bulk_insert(setting, new_settings)


def downgrade():
    op.execute(setting.delete().where(setting.c.key.in_([s["key"] for s in SETTINGS])))
    op.execute(prerequisite.delete())
    op.execute(permit_type.delete())
    op.execute(region.delete())
