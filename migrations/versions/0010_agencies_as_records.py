"""agencies as records: the agency table, the catalogue's agency rules, each permit's agency

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 23:34:51.956637

The agencies and rules come from migrations/data/agencies.csv and agency_rules.csv (each row names its source);
only missing rows are inserted, and a rule whose permit type is not in the catalogue (PERLUASAN before it is
added) is left out. Every existing permit gets the agency its rule resolves (the investor's capital status, the
estate's kab/kota, the permit type); its free-text issuing authority stays as a legacy column, empty for new
permits. The audit log learns two events (agency edits and a permit's agency chosen by an officer).

Downgrade fills the legacy text from the agency's Indonesian name where it is empty, and drops the audit lines
of the two new events (the old CHECK constraint does not allow them).
"""
import csv
from collections import defaultdict
from pathlib import Path

from alembic import op
import sqlalchemy as sa

import app.database


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

DATA = Path(__file__).resolve().parent.parent / "data"
OLD_EVENTS = ('login', 'logout', 'login_failed', 'lockout', 'access_denied', 'password_changed', 'user_created')
NEW_EVENTS = ('agency_changed', 'permit_agency_changed')


def _event_type(values):
    return sa.Enum(*values, name='auditevent', native_enum=False, create_constraint=True, length=24)


region = sa.table("region", sa.column("id", sa.Integer), sa.column("bps_code", sa.String))
permit_type = sa.table("permit_type", sa.column("id", sa.Integer), sa.column("code", sa.String))
investor = sa.table("investor", sa.column("id", sa.Integer), sa.column("capital_status", sa.String))
estate = sa.table(
    "estate", sa.column("id", sa.Integer), sa.column("investor_id", sa.Integer), sa.column("region_id", sa.Integer)
)
permit = sa.table(
    "permit", sa.column("id", sa.Integer), sa.column("estate_id", sa.Integer), sa.column("permit_type_id", sa.Integer),
    sa.column("agency_id", sa.Integer), sa.column("issuing_authority", sa.String),
)
agency = sa.table(
    "agency", sa.column("id", sa.Integer), sa.column("code", sa.String), sa.column("name_id", sa.String),
    sa.column("name_en", sa.String), sa.column("level", sa.String), sa.column("kind", sa.String),
    sa.column("region_id", sa.Integer), sa.column("address", sa.Text), sa.column("phone", sa.String),
    sa.column("email", sa.String), sa.column("website", sa.String), sa.column("source", sa.Text),
)
agency_rule = sa.table(
    "agency_rule", sa.column("id", sa.Integer), sa.column("permit_type_id", sa.Integer),
    sa.column("capital_status", sa.String), sa.column("agency_kind", sa.String), sa.column("agency_level", sa.String),
    sa.column("source", sa.Text),
)
audit_log = sa.table("audit_log", sa.column("event", sa.String))


def _rows(name):
    with (DATA / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _seed(conn):
    regions = dict(conn.execute(sa.select(region.c.bps_code, region.c.id)).all())
    have = set(conn.execute(sa.select(agency.c.code)).scalars())
    contact = ("address", "phone", "email", "website")
    new = [
        {
            "code": r["code"], "name_id": r["name_id"], "name_en": r["name_en"], "level": r["level"],
            "kind": r["kind"], "region_id": regions[r["bps_code"]] if r["bps_code"] else None,
            **{key: r[key] or None for key in contact}, "source": r["source"] or None,
        }
        for r in _rows("agencies.csv")
        if r["code"] not in have
    ]
    if new:
        op.bulk_insert(agency, new)
    types = dict(conn.execute(sa.select(permit_type.c.code, permit_type.c.id)).all())
    have = set(conn.execute(sa.select(agency_rule.c.permit_type_id, agency_rule.c.capital_status)).all())
    rules = [
        {
            "permit_type_id": types[r["permit_type"]], "capital_status": r["capital_status"] or None,
            "agency_kind": r["agency_kind"], "agency_level": r["agency_level"], "source": r["source"] or None,
        }
        for r in _rows("agency_rules.csv")
        if r["permit_type"] in types and (types[r["permit_type"]], r["capital_status"] or None) not in have
    ]
    if rules:
        op.bulk_insert(agency_rule, rules)


def _resolve_existing_permits(conn):
    """Give every permit without an agency the one its rule resolves (as permits.agencies.services does)."""
    rules = {
        (t, c): (kind, level)
        for t, c, kind, level in conn.execute(
            sa.select(agency_rule.c.permit_type_id, agency_rule.c.capital_status, agency_rule.c.agency_kind,
                      agency_rule.c.agency_level)
        )
    }
    agencies = {
        (kind, level, region_id): agency_id
        for agency_id, kind, level, region_id in conn.execute(
            sa.select(agency.c.id, agency.c.kind, agency.c.level, agency.c.region_id)
        )
    }
    query = (
        sa.select(permit.c.id, permit.c.permit_type_id, investor.c.capital_status, estate.c.region_id)
        .select_from(permit.join(estate, estate.c.id == permit.c.estate_id).join(investor, investor.c.id == estate.c.investor_id))
        .where(permit.c.agency_id.is_(None))
    )
    chosen = defaultdict(list)
    for permit_id, type_id, capital, region_id in conn.execute(query):
        target = rules.get((type_id, capital)) or rules.get((type_id, None))
        if target is None:
            continue
        kind, level = target
        agency_id = agencies.get((kind, level, region_id if level == "kab_kota" else None))
        if agency_id is not None:
            chosen[agency_id].append(permit_id)
    for agency_id, ids in chosen.items():
        for start in range(0, len(ids), 500):
            conn.execute(permit.update().where(permit.c.id.in_(ids[start:start + 500])).values(agency_id=agency_id))


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('agency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_id', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('level', sa.Enum('central', 'province', 'kab_kota', name='agencylevel', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('kind', sa.Enum('investment', 'spatial', 'environment', 'transport', 'public_works', 'industry', name='agencykind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('website', sa.String(length=255), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('updated_at', app.database.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("(level = 'kab_kota' AND region_id IS NOT NULL) OR (level <> 'kab_kota' AND region_id IS NULL)", name=op.f('ck_agency_region_iff_kab_kota')),
    sa.CheckConstraint("name_id <> '' AND name_en <> ''", name=op.f('ck_agency_names_not_empty')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_agency_region_id_region'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency')),
    sa.UniqueConstraint('code', name=op.f('uq_agency_code'))
    )
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.create_index('uq_agency_kind_level', ['kind', 'level'], unique=True, sqlite_where=sa.text('region_id IS NULL'), postgresql_where=sa.text('region_id IS NULL'))
        batch_op.create_index('uq_agency_kind_region', ['kind', 'region_id'], unique=True, sqlite_where=sa.text('region_id IS NOT NULL'), postgresql_where=sa.text('region_id IS NOT NULL'))

    op.create_table('agency_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('permit_type_id', sa.Integer(), nullable=False),
    sa.Column('capital_status', sa.Enum('pma', 'pmdn', name='capitalstatus', native_enum=False, create_constraint=True, length=8), nullable=True),
    sa.Column('agency_kind', sa.Enum('investment', 'spatial', 'environment', 'transport', 'public_works', 'industry', name='agencykind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('agency_level', sa.Enum('central', 'province', 'kab_kota', name='agencylevel', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('updated_at', app.database.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['permit_type_id'], ['permit_type.id'], name=op.f('fk_agency_rule_permit_type_id_permit_type'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_rule'))
    )
    with op.batch_alter_table('agency_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_rule_permit_type_id'), ['permit_type_id'], unique=False)
        batch_op.create_index('uq_agency_rule_type_any', ['permit_type_id'], unique=True, sqlite_where=sa.text('capital_status IS NULL'), postgresql_where=sa.text('capital_status IS NULL'))
        batch_op.create_index('uq_agency_rule_type_capital', ['permit_type_id', 'capital_status'], unique=True, sqlite_where=sa.text('capital_status IS NOT NULL'), postgresql_where=sa.text('capital_status IS NOT NULL'))

    with op.batch_alter_table('permit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('agency_override_reason', sa.Text(), nullable=True))
        batch_op.alter_column('issuing_authority',
               existing_type=sa.VARCHAR(length=255),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_permit_agency_id'), ['agency_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_permit_agency_id_agency'), 'agency', ['agency_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('event', existing_type=_event_type(OLD_EVENTS), type_=_event_type(OLD_EVENTS + NEW_EVENTS),
                              existing_nullable=False)
    # ### end Alembic commands ###

    conn = op.get_bind()
    _seed(conn)
    _resolve_existing_permits(conn)


def downgrade():
    conn = op.get_bind()
    names = sa.select(agency.c.name_id).where(agency.c.id == permit.c.agency_id).scalar_subquery()
    conn.execute(permit.update().where(permit.c.issuing_authority.is_(None)).values(issuing_authority=sa.func.coalesce(names, "-")))
    conn.execute(audit_log.delete().where(audit_log.c.event.in_(NEW_EVENTS)))
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('event', existing_type=_event_type(OLD_EVENTS + NEW_EVENTS), type_=_event_type(OLD_EVENTS),
                              existing_nullable=False)

    with op.batch_alter_table('permit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_permit_agency_id_agency'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_permit_agency_id'))
        batch_op.alter_column('issuing_authority',
               existing_type=sa.VARCHAR(length=255),
               nullable=False)
        batch_op.drop_column('agency_override_reason')
        batch_op.drop_column('agency_id')

    with op.batch_alter_table('agency_rule', schema=None) as batch_op:
        batch_op.drop_index('uq_agency_rule_type_capital', sqlite_where=sa.text('capital_status IS NOT NULL'), postgresql_where=sa.text('capital_status IS NOT NULL'))
        batch_op.drop_index('uq_agency_rule_type_any', sqlite_where=sa.text('capital_status IS NULL'), postgresql_where=sa.text('capital_status IS NULL'))
        batch_op.drop_index(batch_op.f('ix_agency_rule_permit_type_id'))

    op.drop_table('agency_rule')
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_index('uq_agency_kind_region', sqlite_where=sa.text('region_id IS NOT NULL'), postgresql_where=sa.text('region_id IS NOT NULL'))
        batch_op.drop_index('uq_agency_kind_level', sqlite_where=sa.text('region_id IS NULL'), postgresql_where=sa.text('region_id IS NULL'))

    op.drop_table('agency')
    # ### end Alembic commands ###
