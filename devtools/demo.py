"""Seed the demo scenario: the JDI reference case and a dozen fictional investors across Banten.

``seed_demo`` is idempotent: an investor that already exists (by legal name) is left as it is, with its
estates, zones, claims and permits. It flushes; the caller commits.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from accounts.services import create_user, find_user
from app.extensions import db
from app.models import Region
from devtools.demo_data import DEMO_ACCOUNTS, DEMO_PASSWORD, FICTIONAL, KECAMATAN_POINTS, REFERENCE_CASE, ZONE_SPLIT
from devtools.demo_lkpm import seed_demo_lkpm
from estates.models import (
    CapitalStatus,
    Claim,
    ClaimMetric,
    Estate,
    EstateStatus,
    Investor,
    LegalForm,
    Zone,
    ZoneKind,
)
from permits.models import Permit, PermitStatus, PermitType
from permits.services import create_permit
from permits.workflow import advance_permit

CHAIN = ("NIB", "KKPR", "PERTEK", "AMDAL", "IUKI", "PBG", "SLF")
# Calendar days each permit took in the fictional histories (real durations run far past the statutory ones).
TYPICAL_DAYS = {"NIB": 0, "KKPR": 45, "PERTEK": 52, "AMDAL": 170, "IUKI": 21, "PBG": 80, "SLF": 30}
ANCHOR = date(2026, 11, 16)  # the fictional histories end here, so the demo never holds a future date
RECORDED_BY = "Data demo"
RETURN_NOTE = (
    "Dokumen ANDAL dan RKL-RPL perlu diperbaiki: peta sebaran dampak belum mencakup permukiman di hilir dan "
    "kajian lalu lintas belum memakai data terbaru. Mohon unggah dokumen perbaikan (fiktif)."
)


def seed_demo() -> dict[str, int]:
    """Create the demo records that are missing and return how many of each kind were added."""
    regions = {r.bps_code: r for r in db.session.scalars(select(Region))}
    types = {t.code: t for t in db.session.scalars(select(PermitType))}
    existing = set(db.session.scalars(select(Investor.legal_name)))
    added = {"investors": 0, "estates": 0, "zones": 0, "claims": 0, "permits": 0}

    if REFERENCE_CASE["investor"]["legal_name"] not in existing:
        _seed_reference_case(regions, types, added)
    for index, row in enumerate(FICTIONAL):
        if row[0] not in existing:
            _seed_fictional(index, row, regions, types, added)
    db.session.flush()
    added.update(seed_demo_lkpm())
    added["accounts"] = _seed_accounts(regions)
    return added


def _seed_accounts(regions: dict) -> int:
    """The demo logins (all with the password ``pantau-demo``), created when missing."""
    investors = dict(db.session.execute(select(Investor.legal_name, Investor.id)).all())
    count = 0
    for email, name, role, investor_name, region_code in DEMO_ACCOUNTS:
        if find_user(email) is not None:
            continue
        create_user(
            email=email,
            name=name,
            role=role,
            password=DEMO_PASSWORD,
            investor_id=investors[investor_name] if investor_name else None,
            region_id=regions[region_code].id if region_code else None,
        )
        count += 1
    return count


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Investor))


def _place(estate: Estate, place: str) -> None:
    """The estate's point on the map: the approximate centre of its kecamatan (``KECAMATAN_POINTS``)."""
    if point := KECAMATAN_POINTS.get(place):
        estate.latitude, estate.longitude = (Decimal(v) for v in point)


def _seed_reference_case(regions: dict, types: dict, added: dict) -> None:
    case = REFERENCE_CASE
    inv = dict(case["investor"])
    investor = Investor(
        **{**inv, "legal_form": LegalForm(inv["legal_form"]), "capital_status": CapitalStatus(inv["capital_status"])}
    )
    est = dict(case["estate"])
    region = regions[est.pop("bps_code")]
    estate = Estate(
        **{
            **est,
            "investor": investor,
            "region": region,
            "status": EstateStatus(est["status"]),
            "area_ha": Decimal(est["area_ha"]),
            "planned_investment_rp": Decimal(est["planned_investment_rp"]),
        }
    )
    _place(estate, est["kelurahan"])
    db.session.add_all([investor, estate])
    added["investors"] += 1
    added["estates"] += 1
    for z in case["zones"]:
        db.session.add(Zone(**{**z, "estate": estate, "kind": ZoneKind(z["kind"]), "area_ha": Decimal(z["area_ha"])}))
        added["zones"] += 1
    for c in case["claims"]:
        db.session.add(
            Claim(
                **{
                    **c,
                    "estate": estate,
                    "metric": ClaimMetric(c["metric"]),
                    "value": Decimal(c["value"]),
                    "value_high": Decimal(c["value_high"]) if c.get("value_high") else None,
                    "recorded_by": RECORDED_BY,
                }
            )
        )
        added["claims"] += 1
    for p in case["permits"]:
        p = dict(p)
        ptype = types[p.pop("code")]
        spec = Permit(**{**p, "status": PermitStatus(p["status"]), "permit_type": ptype})
        _record(spec, estate)
        added["permits"] += 1


def _seed_fictional(index: int, row: tuple, regions: dict, types: dict, added: dict) -> None:
    (name, form, capital, country, estate_name, bps, kecamatan, area, value, status, furthest) = row
    region = regions[bps]
    investor = Investor(
        legal_name=name,
        legal_form=LegalForm(form),
        capital_status=CapitalStatus(capital),
        country_of_origin=country,
        nib=f"99{index + 1:011d}",
        npwp=f"99{index + 1:013d}",
        main_kbli="68130",
        contact_person="Kontak demo",
        email=f"contact{index + 1}@demo.pantau.test",
        phone="+62 254 000000",
        is_demo=True,
        notes="Data fiktif untuk demo.",
    )
    estate_status = EstateStatus(status)
    estate = Estate(
        investor=investor,
        name=estate_name,
        region=region,
        kecamatan=kecamatan,
        area_ha=Decimal(area),
        planned_investment_rp=Decimal(value),
        status=estate_status,
        notes="Data fiktif untuk demo.",
    )
    _place(estate, kecamatan)
    if estate_status is EstateStatus.STOPPED:
        estate.stop_order_on = date(2026, 6, 10)
        estate.stop_order_reason = "Penghentian sementara karena sengketa lahan dengan warga (fiktif)."
    db.session.add_all([investor, estate])
    added["investors"] += 1
    added["estates"] += 1
    for kind, share in ZONE_SPLIT:
        zone_area = (Decimal(area) * Decimal(share)).quantize(Decimal("0.01"))
        zone = Zone(estate=estate, kind=ZoneKind(kind), area_ha=zone_area)
        if kind == "housing":
            zone.housing_units = int(zone_area * 80)
        if kind == "industrial":
            zone.planned_direct_jobs = int(zone_area * 100)
        db.session.add(zone)
        added["zones"] += 1
    db.session.add(
        Claim(
            estate=estate,
            metric=ClaimMetric.JOBS,
            value=Decimal(int(Decimal(area) * 120)),
            unit="pekerja langsung",
            claimant=name,
            source="Rencana investasi yang diserahkan ke DPMPTSP (fiktif)",
            claimed_on=date(2025, 1, 15),
            recorded_by=RECORDED_BY,
        )
    )
    added["claims"] += 1
    for permit in _fictional_permits(index, furthest, types):
        _record(permit, estate)
        added["permits"] += 1


def _record(spec: Permit, estate: Estate) -> Permit:
    """Record a permit described by an unsaved ``spec`` through the stage machine, as an officer would; its agency
    is the one the catalogue's rule resolves (the JDI estate, a PMA in Kota Serang, gets the central bodies).

    A permit returned for a fix or a revision is recorded under review, then sent back two weeks later with the
    agency's request.
    """
    db.session.flush()  # the estate needs its id
    returned = spec.status in (PermitStatus.RETURNED, PermitStatus.REVISION)
    permit = create_permit(
        estate,
        spec.permit_type.id,
        PermitStatus.UNDER_REVIEW if returned else spec.status,
        actor=RECORDED_BY,
        reference_number=spec.reference_number,
        submitted_on=spec.submitted_on,
        decided_on=spec.decided_on,
        notes=spec.notes,
    )
    if returned:
        advance_permit(
            permit,
            spec.status,
            actor=permit.agency_name() or RECORDED_BY,
            note=RETURN_NOTE,
            on=_weekday(spec.submitted_on + timedelta(days=14)),
        )
    return permit


def _fictional_permits(index: int, furthest: str, types: dict) -> list[Permit]:
    """A plausible permit history that ends at ``furthest`` (e.g. "AMDAL-review", "PBG-rejected", "SLF")."""
    code, _, state = furthest.partition("-")
    stop = CHAIN.index(code)
    issued_codes = CHAIN[: stop + 1] if not state else CHAIN[:stop]
    # The open permit was filed 10 to 90 days before the anchor; closed chains ended a while ago.
    cursor = ANCHOR - timedelta(days=10 + (index * 17) % 80) if state else ANCHOR - timedelta(days=420 + index * 25)
    history: list[Permit] = []
    if state:
        opened = _open_permits(code, state, cursor, types)
        history.extend(reversed(opened))
        cursor = opened[0].submitted_on
    for c in reversed(issued_codes):
        decided = cursor - timedelta(days=7)
        submitted = decided - timedelta(days=TYPICAL_DAYS[c])
        history.append(_permit(c, PermitStatus.ISSUED, submitted, decided, types))
        cursor = submitted
    return list(reversed(history))


def _open_permits(code: str, state: str, filed: date, types: dict) -> list[Permit]:
    """The open application(s) of ``code``, oldest first; the chain before it starts before the first."""
    if state == "rejected":
        # Rejected once, filed again: the new application is under review.
        first = _permit(
            code,
            PermitStatus.REJECTED,
            filed - timedelta(days=150),
            filed - timedelta(days=30),
            types,
            "Ditolak: kajian teknis menilai rencana drainase belum lengkap (fiktif).",
        )
        second = _permit(
            code,
            PermitStatus.UNDER_REVIEW,
            filed,
            None,
            types,
            "Permohonan kedua setelah permohonan pertama ditolak.",
        )
        return [first, second]
    # "returned": an AMDAL's substantive revision (perbaikan, 30 working days: PP 28/2025 Pasal 90)
    status = {"review": PermitStatus.UNDER_REVIEW, "returned": PermitStatus.REVISION}[state]
    return [_permit(code, status, filed, None, types)]


def _weekday(day: date) -> date:
    """Move a Saturday or Sunday to the Monday after: offices file and decide on weekdays."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def _permit(
    code: str,
    status: PermitStatus,
    submitted: date,
    decided: date | None,
    types: dict,
    notes: str | None = None,
) -> Permit:
    ptype = types[code]
    submitted = _weekday(submitted)
    decided = max(_weekday(decided), submitted) if decided else None
    return Permit(
        permit_type=ptype,
        status=status,
        submitted_on=submitted,
        decided_on=decided,
        notes=notes,
        reference_number=f"DEMO/{code}/{submitted:%Y%m%d}",
    )
