"""``estates.queries.contains_text``, the lists' search condition (issue 13): a plain ``LIKE`` on SQLite (whose
``LIKE`` ignores the case of the same letters as its ``lower()``), ``ILIKE`` on PostgreSQL; either way what
``ilike`` of the escaped text found before, with ``%``, ``_`` and ``\\`` taken literally."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from devtools.factories import make_estate, make_investor
from estates.models import Estate
from estates.queries import contains_text

NAMES = [
    "Kawasan Jaya Barat",
    "KAWASAN JAYA TIMUR",
    "kawasan jaya selatan",
    "Kawasan Ébène Utara",
    "Kawasan ébène Lain",
    "Kawasan 100% Hijau",
    "Kawasan 100 Persen",
    "Kawasan A_B",
    "Kawasan AxB",
    "Kawasan C\\D",
]


@pytest.fixture
def estates():
    investor = make_investor(legal_name="PT Cari")
    for name in NAMES:
        make_estate(name=name, investor=investor)
    db.session.commit()


def _found(condition) -> list[str]:
    return sorted(db.session.scalars(select(Estate.name).where(condition)))


@pytest.mark.parametrize(
    "q", ["jaya", "JAYA", "Jaya B", "ébène", "ÉBÈNE", "Ébène", "100%", "100", "A_B", "_", "%", "C\\D", "\\", "zzz"]
)
def test_contains_text_finds_what_ilike_of_the_escaped_text_found(estates, q):
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    assert _found(contains_text(Estate.name, q)) == _found(Estate.name.ilike(f"%{escaped}%", escape="\\"))


def test_the_case_of_ascii_letters_is_ignored_and_the_wildcards_are_literal(estates):
    assert _found(contains_text(Estate.name, "jAyA")) == [
        "KAWASAN JAYA TIMUR",
        "Kawasan Jaya Barat",
        "kawasan jaya selatan",
    ]
    assert _found(contains_text(Estate.name, "100%")) == ["Kawasan 100% Hijau"]
    assert _found(contains_text(Estate.name, "A_B")) == ["Kawasan A_B"]
    assert _found(contains_text(Estate.name, "C\\D")) == ["Kawasan C\\D"]


def test_sqlite_reads_a_plain_like_and_postgresql_an_ilike():
    sql = str(select(Estate.id).where(contains_text(Estate.name, "x")).compile(db.engine)).upper()
    if db.engine.dialect.name == "sqlite":
        assert "LIKE" in sql and "LOWER(" not in sql and "ILIKE" not in sql and "= 1" not in sql
    else:
        assert "ILIKE" in sql
