"""The register of a synthetic province: investors (PMA and PMDN), their estates across Banten's kab/kota and each
estate's zones (a mix by kind whose areas fit the estate).

Row ``k`` of each kind is drawn from a generator seeded by the seed, the kind and ``k``, so the same seed gives
the same rows on every engine. Every investor is marked fictional (``is_demo``), as the demo's are.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from estates.models import BusinessSize, CapitalStatus, EstateStatus, LegalForm, ZoneKind

COUNTRIES = ("CN", "JP", "KR", "SG", "TW", "MY", "NL", "US", "DE", "TH")
PREFIXES = ("Nusantara", "Banten", "Karya", "Sinar", "Mitra", "Cahaya", "Bumi", "Graha", "Tirta", "Selat")
SUFFIXES = ("Industri", "Kawasan", "Estate", "Properti", "Logistik", "Makmur", "Persada", "Jaya", "Sentosa")
KECAMATAN = ("Kasemen", "Cikande", "Kragilan", "Balaraja", "Cikupa", "Bojonegara", "Ciwandan", "Pasar Kemis")
# Estates per kab/kota (in the order of the regions' ids): the industrial west and the Tangerang corridor weigh most.
REGION_WEIGHTS = (14, 30, 6, 6, 20, 6, 14, 4)
ZONE_KINDS = (  # the first zones of an estate, in this order; later ones drawn from the same mix
    ZoneKind.INDUSTRIAL,
    ZoneKind.UTILITIES_GREEN,
    ZoneKind.HOUSING,
    ZoneKind.COMMERCIAL,
    ZoneKind.LEISURE,
)
ZONE_WEIGHT = {
    ZoneKind.INDUSTRIAL: 60,
    ZoneKind.UTILITIES_GREEN: 12,
    ZoneKind.HOUSING: 15,
    ZoneKind.COMMERCIAL: 9,
    ZoneKind.LEISURE: 4,
}
STAMP = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
BIG_EVERY = 100  # one estate in this many belongs to the first investor: an investor with many permits


def rng_for(seed: int, kind: str, k: int) -> random.Random:
    return random.Random(f"{seed}:{kind}:{k}")


@dataclass(frozen=True)
class EstateInfo:
    """What the permits of an estate need to know of it."""

    id: int
    region_id: int
    capital_status: CapitalStatus


def investor_rows(first_id: int, count: int, seed: int) -> Iterator[dict]:
    for k in range(count):
        rng = rng_for(seed, "investor", k)
        pma = rng.random() < 0.3
        n = first_id + k
        yield {
            "id": n,
            "legal_name": f"PT {rng.choice(PREFIXES)} {rng.choice(SUFFIXES)} Sintetis {n:06d}",
            "legal_form": LegalForm.PT if rng.random() < 0.92 else rng.choice((LegalForm.BUMN, LegalForm.BUMD)),
            "capital_status": CapitalStatus.PMA if pma else CapitalStatus.PMDN,
            "business_size": BusinessSize.MEDIUM_LARGE if pma or rng.random() < 0.7 else BusinessSize.SMALL,
            "country_of_origin": rng.choice(COUNTRIES) if pma else "ID",
            "nib": f"{9_100_000_000_000 + n:013d}",
            "npwp": f"{910_000_000_000_000 + n:015d}",
            "main_kbli": "68130",
            "contact_person": f"Kontak Sintetis {n}",
            "phone": f"+62 254 {n % 10_000_000:07d}",
            "email": f"kontak{n}@sintetis.invalid",
            "notes": None,
            "is_demo": True,
            "created_at": STAMP,
            "updated_at": STAMP,
        }


def estate_owner(seed: int, k: int, investors: int) -> int:
    """The index of the investor that owns estate ``k``: one estate in ``BIG_EVERY`` is the first investor's."""
    if k % BIG_EVERY == 0:
        return 0
    return rng_for(seed, "owner", k).randrange(investors)


def estate_rows(first_id: int, count: int, seed: int, investor_ids: list[int], region_ids: list[int]) -> Iterator[dict]:
    weights = REGION_WEIGHTS[: len(region_ids)] + (5,) * max(len(region_ids) - len(REGION_WEIGHTS), 0)
    for k in range(count):
        rng = rng_for(seed, "estate", k)
        n = first_id + k
        status = rng.choices(list(EstateStatus), weights=(15, 40, 20, 22, 3))[0]
        stopped = status is EstateStatus.STOPPED
        placed = rng.random() < 0.8
        yield {
            "id": n,
            "investor_id": investor_ids[estate_owner(seed, k, len(investor_ids))],
            "name": f"Kawasan Industri Sintetis {n:06d}",
            "region_id": rng.choices(region_ids, weights=weights)[0],
            "kecamatan": rng.choice(KECAMATAN),
            "kelurahan": None,
            "area_ha": estate_area(seed, k),
            "planned_investment_rp": Decimal(rng.randrange(50, 5_000)) * 1_000_000_000,
            "kbli": "68130",
            "status": status,
            "stop_order_on": date(2025, 1, 2) + timedelta(days=rng.randrange(400)) if stopped else None,
            "stop_order_reason": "Perintah penghentian (data sintetis)" if stopped else None,
            "latitude": Decimal(f"{rng.uniform(-6.95, -5.95):.6f}") if placed else None,
            "longitude": Decimal(f"{rng.uniform(105.3, 106.75):.6f}") if placed else None,
            "notes": None,
            "created_at": STAMP,
            "updated_at": STAMP,
        }


def estate_area(seed: int, k: int) -> Decimal:
    return Decimal(rng_for(seed, "area", k).randrange(30, 1_500))


def zone_rows(first_id: int, count: int, seed: int, estate_ids: list[int]) -> Iterator[dict]:
    """``count`` zones spread evenly over the estates (estate by estate, so each estate's zones are numbered
    together); the zones of an estate share 90% of its area by the weight of their kinds."""
    estates = len(estate_ids)
    n = first_id
    for k, estate_id in enumerate(estate_ids):
        many = count // estates + (1 if k < count % estates else 0)
        if not many:
            continue
        rng = rng_for(seed, "zones", k)
        kinds = [ZONE_KINDS[j] if j < len(ZONE_KINDS) else _kind(rng) for j in range(many)]
        total = sum(ZONE_WEIGHT[kind] for kind in kinds)
        area = estate_area(seed, k) * Decimal("0.9")
        for j, kind in enumerate(kinds):
            zone_area = (area * ZONE_WEIGHT[kind] / total).quantize(Decimal("0.0001"))
            industrial = kind is ZoneKind.INDUSTRIAL
            yield {
                "id": n,
                "estate_id": estate_id,
                "kind": kind,
                "name": f"Zona {j + 1}",
                "area_ha": max(zone_area, Decimal("0.0001")),
                "planned_direct_jobs": int(zone_area * rng.randrange(20, 80)) if industrial else None,
                "housing_units": int(zone_area * 40) if kind is ZoneKind.HOUSING else None,
                "target_operating_on": date(2026, 1, 1) + timedelta(days=rng.randrange(0, 1_800))
                if industrial
                else None,
                "notes": None,
                "created_at": STAMP,
                "updated_at": STAMP,
            }
            n += 1


def _kind(rng: random.Random) -> ZoneKind:
    return rng.choices(list(ZONE_WEIGHT), weights=list(ZONE_WEIGHT.values()))[0]
