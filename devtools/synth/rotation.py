"""The many URLs of each page of ``devtools.synth.pages``, as a day's use spreads them (issue 13).

A day's use does not open one permit all day: ``variants`` gives each page of ``pages`` the URLs a throughput
benchmark rotates over, drawn deterministically (a seed) from the synthetic data, in the role's scope:

- the entity pages (the officer's permit and estate pages, the investor's permit page): up to ``size`` (500)
  ids each, the officer's from the whole province, the investor's from its own permits;
- the lists (permits and their bands, estates, the stalled list, the audit log): their first few pages, and a
  few filters (a kab/kota of the scope, a permit type, an agency, a status) and searches (other estates' words);
- the dashboards, the agency figures, the forecast and the portal's home: as they are (they take no record).

Every URL answers 200 to its role (``tests/devtools/test_rotation.py``).
"""

from __future__ import annotations

import random

from flask import url_for
from sqlalchemy import select

from app.extensions import db
from app.models import Region
from devtools.synth.pages import Page, Sample
from estates.models import Estate
from permits.models import Agency, Permit, PermitType

PAGES = 5  # a list's first pages
FILTERS = 4  # of each kind of filter


def variants(s: Sample, every: list[Page], size: int = 500, seed: int = 13) -> dict[tuple[str, str], list[str]]:
    """(role, page name) → its URLs (the page's own first: the one ``Page.url`` gives). Needs a request context."""
    rng = random.Random(seed)
    pick = _Picker(s, rng, size)
    found: dict[tuple[str, str], list[str]] = {}
    for page in every:
        base = dict(page.args)
        urls = [page.url()] + [url_for(page.endpoint, **{**base, **extra}) for extra in pick.extras(page)]
        found[page.role, page.name] = list(dict.fromkeys(urls))  # in order, once each
    return found


class _Picker:
    def __init__(self, s: Sample, rng: random.Random, size: int) -> None:
        self.s, self.rng, self.size = s, rng, size

    def _sample(self, stmt, k: int | None = None) -> list:
        ids = list(db.session.scalars(stmt))
        return self.rng.sample(ids, min(k or self.size, len(ids)))

    def extras(self, page: Page) -> list[dict]:
        s, role, name = self.s, page.role, page.name
        region = Region.id == s.region_id if role == "region" else True
        if name == "permit page":
            return [{"permit_id": i} for i in self._sample(select(Permit.id).order_by(Permit.id))]
        if name == "portal permit":
            mine = select(Permit.id).join(Estate).where(Estate.investor_id == s.investor_id).order_by(Permit.id)
            return [{"permit_id": i} for i in self._sample(mine)]
        if name == "estate page":
            return [{"estate_id": i} for i in self._sample(select(Estate.id).order_by(Estate.id))]
        pages = [{"page": n} for n in range(2, PAGES + 1)]
        codes = self._sample(select(Region.bps_code).where(region).order_by(Region.id), FILTERS)
        if name == "estates search":
            ids = self._sample(select(Estate.id).order_by(Estate.id), 4 * FILTERS)
            return [{"q": f"{i:06d}"[:-1]} for i in ids]
        if name == "estates list":
            ids = self._sample(select(Region.id).order_by(Region.id), FILTERS)
            return [*pages, *({"region": i} for i in ids), {"status": "operating"}]
        if name.startswith("permits "):  # the list and its bands: pages, a kab/kota, a type
            types = self._sample(select(PermitType.code).order_by(PermitType.id), FILTERS)
            return [*pages, *({"region": c} for c in codes), *({"type": t} for t in types)]
        if name in ("stalled list", "stalled by agency"):
            agencies = self._sample(select(Agency.id).order_by(Agency.id), FILTERS)
            kinds = [{"kind": k} for k in ("overdue", "at_risk")]
            return [*pages[:2], *kinds, *({"agency": a} for a in agencies)]
        if name.startswith("audit log"):
            return pages[:2] if "before" not in dict(page.args) else []
        return []
