"""help desk settings: whom an investor asks about a late file (DPMPTSP Banten) and where to complain (SP4N-LAPOR!)

Revision ID: 0016
Revises: 0015b
Create Date: 2026-11-30

The investor portal tells an investor whose file is with an agency past its statutory deadline whom to ask and
how to complain. The contact is data an administrator edits (Settings), never a constant in code. The DPMPTSP
Banten phone, e-mail and address below are PLACEHOLDERS, UNCONFIRMED: an administrator must check them against
the office's published contact and mark them confirmed. Only missing rows are inserted.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015b"
branch_labels = None
depends_on = None

setting = sa.table(
    "setting", sa.column("key", sa.String), sa.column("value", sa.String), sa.column("description", sa.Text),
    sa.column("source", sa.Text), sa.column("confirmed", sa.Boolean),
)

PLACEHOLDER = "PLACEHOLDER, UNCONFIRMED: an administrator must check it against DPMPTSP Banten's published contact"
SETTINGS = [
    {
        "key": "help.dpmptsp_phone",
        "value": "(0254) 000 0000",
        "description": "DPMPTSP Banten's phone number, shown to an investor whose file is late. UNCONFIRMED "
        "placeholder: confirm it before relying on it.",
        "source": PLACEHOLDER,
        "confirmed": False,
    },
    {
        "key": "help.dpmptsp_email",
        "value": "dpmptsp@bantenprov.go.id",
        "description": "DPMPTSP Banten's e-mail address, shown to an investor whose file is late. UNCONFIRMED "
        "placeholder: confirm it before relying on it.",
        "source": PLACEHOLDER,
        "confirmed": False,
    },
    {
        "key": "help.dpmptsp_address",
        "value": "KP3B, Jl. Syech Nawawi Al Bantani, Palima, Kota Serang, Banten",
        "description": "DPMPTSP Banten's office address, shown to an investor whose file is late. UNCONFIRMED "
        "placeholder: confirm it before relying on it.",
        "source": PLACEHOLDER,
        "confirmed": False,
    },
    {
        "key": "help.complaint_name",
        "value": "SP4N-LAPOR!",
        "description": "The national public-service complaint channel an investor is pointed to when a file is late.",
        "source": "Perpres 76/2013 (pengelolaan pengaduan pelayanan publik nasional); lapor.go.id",
        "confirmed": False,
    },
    {
        "key": "help.complaint_url",
        "value": "https://www.lapor.go.id",
        "description": "The address of the complaint channel (shown as text and as a link; nothing is loaded from it).",
        "source": "lapor.go.id",
        "confirmed": False,
    },
    {
        "key": "help.complaint_sms",
        "value": "1708",
        "description": "The SMS number of the complaint channel.",
        "source": "lapor.go.id (SMS 1708)",
        "confirmed": False,
    },
]


def upgrade():
    conn = op.get_bind()
    have = set(conn.execute(sa.select(setting.c.key)).scalars())
    new_settings = [s for s in SETTINGS if s["key"] not in have]
    if new_settings:
        op.bulk_insert(setting, new_settings)


def downgrade():
    op.execute(setting.delete().where(setting.c.key.in_([s["key"] for s in SETTINGS])))
