"""The forecast against what happened: for every quarter that has ended, the forecast of the latest snapshot taken
before the quarter began beside the workers the investors reported for it (LKPM), per investor, estate, kab/kota
and in total, with the variance and the ratio; and the ratio observed over all of them, offered as the
calibration of the low case (``forecast.calibration``).

What is compared, and why:
- the forecast: the direct jobs at the end of the quarter, construction and operation together, of the zones in
  the snapshot (low, central and high); the variance and the ratio are against the central case;
- the realised workers: Indonesian (TKI) plus foreign (TKA) workers of the submitted reports (every status but
  Draf), because the forecast counts direct jobs whatever the worker's nationality; both are shown apart;
- a report counts for the quarter that ends on its period's last day (a half-yearly report of S1 for Q2);
- an investor's figure is its company-wide report when it filed one for the quarter, else the sum of its estates'
  reports (never both, so nothing is counted twice); the total sums the investors; a kab/kota sums the reports of
  its estates (a company-wide report belongs to no kab/kota);
- a quarter without a report is unknown, not zero: it has no variance and is no case of the calibration;
- the variance and the ratio of a kab/kota, an investor or the total hold the reports against the forecast of the
  estates (or, for a company-wide report, the investor) that reported, never against the forecast of those that
  did not: the full forecast is shown beside it, and the gap between them is the register's coverage.

Everything is read through the caller's ``Scope`` (an officer of one kab/kota sees its estates' figures only); the
calibration is measured over all of Banten.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import Region
from app.security import SYSTEM_SCOPE, Scope
from estates.models import Estate, Investor
from forecast.models import ForecastRun, ForecastZone
from forecast.reading import Filters, run_quarters, series_figures, zone_condition
from realisation.models import LkpmEntry, LkpmStatus
from realisation.periods import Period, PeriodKind
from realisation.queries import entries_visible_to

LEVELS = ("province", "region", "investor", "estate")
CSV_COLUMNS = (
    "quarter",
    "level",
    "id",
    "name",
    "snapshot_id",
    "snapshot_as_of",
    "forecast_low",
    "forecast_central",
    "forecast_high",
    "forecast_central_of_reporters",
    "lkpm_reports",
    "tki",
    "tka",
    "realised_workers_tki_tka",
    "variance",
    "ratio",
)


@dataclass
class Line:
    """One quarter and one investor, estate, kab/kota or the total: the forecast beside the reports."""

    quarter: str
    level: str
    key: int | None
    name: str
    snapshot: ForecastRun | None
    low: int | None = None
    central: int | None = None
    high: int | None = None
    reports: int = 0
    tki: int = 0
    tka: int = 0
    matched: int | None = None  # the central forecast of what reported (see the module's rules)

    @property
    def realised(self) -> int | None:
        return self.tki + self.tka if self.reports else None

    @property
    def variance(self) -> int | None:
        if self.realised is None or self.matched is None:
            return None
        return self.realised - self.matched

    @property
    def ratio(self) -> Decimal | None:
        if self.realised is None or not self.matched:
            return None
        return Decimal(self.realised) / Decimal(self.matched)

    def add_matched(self, central: int) -> None:
        self.matched = (self.matched or 0) + central

    def add_forecast(self, low: int, central: int, high: int) -> None:
        self.low = (self.low or 0) + low
        self.central = (self.central or 0) + central
        self.high = (self.high or 0) + high

    def add_report(self, reports: int, tki: int, tka: int) -> None:
        self.reports, self.tki, self.tka = self.reports + reports, self.tki + tki, self.tka + tka


@dataclass(frozen=True)
class Observed:
    """The ratio of realised to forecast (central) workers over the investor-quarters with both."""

    cases: int
    realised: int
    forecast: int

    @property
    def ratio(self) -> Decimal | None:
        return (Decimal(self.realised) / Decimal(self.forecast)).quantize(Decimal("0.0001")) if self.forecast else None


@dataclass(frozen=True)
class _Report:
    investor_id: int
    investor_name: str
    estate_id: int | None
    estate_name: str | None
    region_id: int | None
    region_name: str | None
    quarter: str
    tki: int
    tka: int


def _reports(scope: Scope) -> list[_Report]:
    query = (
        select(
            LkpmEntry.investor_id,
            Investor.legal_name,
            LkpmEntry.estate_id,
            Estate.name,
            Estate.region_id,
            Region.name,
            LkpmEntry.period_end,
            LkpmEntry.tki,
            LkpmEntry.tka,
        )
        .join(Investor, Investor.id == LkpmEntry.investor_id)
        .outerjoin(Estate, Estate.id == LkpmEntry.estate_id)
        .outerjoin(Region, Region.id == Estate.region_id)
        .where(entries_visible_to(scope), LkpmEntry.status != LkpmStatus.DRAFT)
    )
    return [
        _Report(inv, inv_name, est, est_name, reg, reg_name, str(Period.containing(end, PeriodKind.QUARTER)), tki, tka)
        for inv, inv_name, est, est_name, reg, reg_name, end, tki, tka in db.session.execute(query)
    ]


def _snapshots() -> list[ForecastRun]:
    query = select(ForecastRun).where(ForecastRun.is_snapshot.is_(True)).order_by(ForecastRun.as_of, ForecastRun.id)
    return list(db.session.scalars(query))


def snapshot_before(snapshots: list[ForecastRun], quarter: Period) -> ForecastRun | None:
    """The latest snapshot taken before ``quarter`` began (``snapshots`` in order of their day)."""
    before = [run for run in snapshots if run.as_of < quarter.start]
    return before[-1] if before else None


def past_quarters(snapshots: list[ForecastRun], reports: list[_Report], today: date) -> list[Period]:
    """The quarters ended before ``today``, from the first one a snapshot or a report speaks of, latest first."""
    starts = [Period.containing(run.as_of, PeriodKind.QUARTER).next() for run in snapshots]
    starts += [Period.parse(r.quarter) for r in reports]
    if not starts:
        return []
    last = Period.containing(today, PeriodKind.QUARTER).previous()
    quarters, period = [], min(starts)
    while period <= last:
        quarters.append(period)
        period = period.next()
    return quarters[::-1]


def _forecast_rows(run: ForecastRun, quarter: str, scope: Scope) -> list[tuple]:
    """(investor id and name, estate id and name, kab/kota id and name, low, central, high): the jobs of both
    phases at the end of ``quarter``, summed by estate over its zones' series (none outside the run's horizon)."""
    z = ForecastZone
    keys = (z.investor_id, z.investor_name, z.estate_id, z.estate_name, z.region_id, z.kab_kota)
    query = select(*keys, z.series, func.count()).where(zone_condition(run, Filters(), scope)).group_by(*keys, z.series)
    groups = db.session.execute(query).all()
    quarters = run_quarters(run)
    at = 6 * quarters.index(quarter) if quarter in quarters else None  # its construction then operation figures
    figures = series_figures(run, Filters(), scope, slice(at, at + 6)) if at is not None else {}
    totals: dict[tuple, list[int]] = {}
    for *key, number, zones in groups:
        acc = totals.setdefault(tuple(key), [0, 0, 0])
        f = figures.get(number)
        if f is not None:
            for i in range(3):
                acc[i] += zones * (f[i] + f[3 + i])
    return [(*key, *values) for key, values in totals.items()]


def lines(scope: Scope, today: date, province_name: str) -> list[Line]:
    """Every past quarter's lines, latest quarter first; in each, the total, then kab/kota, investors, estates."""
    snapshots, reports = _snapshots(), _reports(scope)
    by_quarter: dict[str, list[_Report]] = defaultdict(list)
    for report in reports:
        by_quarter[report.quarter].append(report)
    out: list[Line] = []
    for period in past_quarters(snapshots, reports, today):
        quarter = str(period)
        snapshot = snapshot_before(snapshots, period)
        rows = _forecast_rows(snapshot, quarter, scope) if snapshot is not None else []
        out += _quarter_lines(quarter, snapshot, rows, by_quarter.get(quarter, []), province_name)
    return out


def _quarter_lines(
    quarter: str, snapshot: ForecastRun | None, rows: list[tuple], reports: list[_Report], province_name: str
) -> list[Line]:
    found: dict[tuple[str, int | None], Line] = {}

    def line(level: str, key: int | None, name: str) -> Line:
        return found.setdefault((level, key), Line(quarter, level, key, name, snapshot))

    total = line("province", None, province_name)
    estate_central: dict[int, int] = defaultdict(int)
    region_of: dict[int, int] = {}
    for inv, inv_name, est, est_name, reg, reg_name, low, central, high in rows:
        for target in (total, line("region", reg, reg_name), line("investor", inv, inv_name)):
            target.add_forecast(int(low), int(central), int(high))
        line("estate", est, est_name).add_forecast(int(low), int(central), int(high))
        estate_central[est] += int(central)
        region_of[est] = reg
    by_investor: dict[int, list[_Report]] = defaultdict(list)
    for report in reports:
        by_investor[report.investor_id].append(report)
        if report.estate_id is not None and report.region_id is not None:
            line("estate", report.estate_id, report.estate_name or "").add_report(1, report.tki, report.tka)
            line("region", report.region_id, report.region_name or "").add_report(1, report.tki, report.tka)
            region_of.setdefault(report.estate_id, report.region_id)
    for investor_id, own in by_investor.items():
        company = [r for r in own if r.estate_id is None]
        counted = company or own
        investor = line("investor", investor_id, own[0].investor_name)
        for target in (investor, total):
            target.add_report(len(counted), sum(r.tki for r in counted), sum(r.tka for r in counted))
        if snapshot is None:
            continue
        estates = {r.estate_id for r in own if r.estate_id is not None}
        for estate_id in estates:
            found["estate", estate_id].add_matched(estate_central.get(estate_id, 0))
            found["region", region_of[estate_id]].add_matched(estate_central.get(estate_id, 0))
        matched = (investor.central or 0) if company else sum(estate_central.get(e, 0) for e in estates)
        investor.add_matched(matched)
        total.add_matched(matched)
    order = {level: i for i, level in enumerate(LEVELS)}
    return sorted(found.values(), key=lambda x: (order[x.level], x.name))


def observed(all_lines: list[Line]) -> Observed:
    """The calibration: realised over forecast workers, pooled over the investor-quarters that have both."""
    cases = [x for x in all_lines if x.level == "investor" and x.realised is not None and x.matched]
    return Observed(len(cases), sum(x.realised or 0 for x in cases), sum(x.matched or 0 for x in cases))


def observed_in_banten(today: date) -> Observed:
    return observed(lines(SYSTEM_SCOPE, today, ""))


def csv_rows(all_lines: list[Line]) -> list[list[object]]:
    return [
        [
            x.quarter,
            x.level,
            x.key if x.key is not None else "",
            x.name,
            x.snapshot.id if x.snapshot is not None else "",
            x.snapshot.as_of if x.snapshot is not None else "",
            x.low if x.low is not None else "",
            x.central if x.central is not None else "",
            x.high if x.high is not None else "",
            x.matched if x.matched is not None else "",
            x.reports,
            x.tki if x.reports else "",
            x.tka if x.reports else "",
            x.realised if x.realised is not None else "",
            x.variance if x.variance is not None else "",
            format(x.ratio.quantize(Decimal("0.0001")), "f") if x.ratio is not None else "",
        ]
        for x in all_lines
    ]
