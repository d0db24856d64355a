"""Layoffs beside the jobs coming, per kab/kota, for ``/forecast``: where new investment does and does not make up
for the layoffs (PHK), and what training would connect the two.

- Layoffs: the workers laid off in the current quarter of the run's day and the three before it, per kab/kota.
  Sources that report the same kab/kota, quarter and sector are not added up (they may count the same workers):
  the highest figure among them is taken.
- Jobs coming: the direct jobs added between the end of the run's current quarter and the end of the fourth
  quarter after it (central and low), and of those the lasting ones (operation phase); construction jobs end
  with the works.
- Whether the investment makes up for the layoffs is judged on the lasting jobs of the low case.
- Skill families: of the layoffs, from the sector (KBLI section) where the mapping below knows it; of the jobs, the
  run's skill shares applied to the added central jobs (as in the skills table). Training "connects" a family
  laid off to the families whose jobs coming outnumber their own laid-off workers, for the workers their own
  family's jobs do not take up.

Everything is read through the caller's ``Scope``: an officer of Kota Serang sees Kota Serang only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from app.listing import plain_rows
from app.models import Region
from app.security import Scope
from forecast.inputs import stored_skill_shares
from forecast.model import skills_demand
from forecast.models import ForecastRegionTotal, ForecastRun, Skill
from forecast.reading import Filters, total_condition
from realisation.layoffs.models import LayoffRecord
from realisation.layoffs.services import layoffs_visible_to
from realisation.periods import Period, PeriodKind

# The skill family most of a sector's laid-off workers bring (KBLI 2020 sections); others are not known.
SECTION_SKILLS = {
    "B": Skill.HEAVY_EQUIPMENT,  # mining and quarrying
    "C": Skill.MANUFACTURING,
    "D": Skill.MANUFACTURING,  # electricity and gas: plant operators
    "F": Skill.CONSTRUCTION_TRADES,
    "G": Skill.TRADE_SERVICES,
    "H": Skill.LOGISTICS,
    "I": Skill.TRADE_SERVICES,
}
QUARTERS_BACK = 4
QUARTERS_AHEAD = 4


@dataclass
class RegionBalance:
    region_id: int
    name: str
    laid_off: int = 0
    jobs_central: int = 0
    jobs_low: int = 0
    lasting_central: int = 0
    lasting_low: int = 0
    laid_off_skills: dict[str, int] = field(default_factory=dict)  # skill value (or "") -> workers
    coming_skills: dict[str, int] = field(default_factory=dict)  # skill value -> central jobs added

    @property
    def balance(self) -> int:
        """Lasting jobs of the low case minus the layoffs: below zero, the investment does not make up for them."""
        return self.lasting_low - self.laid_off

    @property
    def training(self) -> list[tuple[str, str, int]]:
        """(family laid off, family to train for, workers): the workers a family's own jobs do not take up, moved
        to the families with jobs left over after their own laid-off workers, the largest first."""
        spare = {s: n - self.laid_off_skills.get(s, 0) for s, n in self.coming_skills.items()}
        spare = {s: n for s, n in spare.items() if n > 0}
        out = []
        for family, workers in sorted(self.laid_off_skills.items(), key=lambda kv: (-kv[1], kv[0])):
            left = workers - self.coming_skills.get(family, 0)
            while left > 0 and spare:
                target = max(spare, key=lambda s: (spare[s], s))
                moved = min(left, spare[target])
                out.append((family, target, moved))
                left -= moved
                spare[target] -= moved
                if not spare[target]:
                    del spare[target]
        return out


@dataclass(frozen=True)
class Balances:
    layoff_quarters: tuple[str, str]  # first and last quarter of the layoffs counted
    jobs_quarters: tuple[str, str]  # from the end of this quarter to the end of that one
    regions: list[RegionBalance]


def _quarters(run: ForecastRun) -> tuple[list[Period], Period, Period]:
    current = Period.containing(run.as_of, PeriodKind.QUARTER)
    back = [current]
    while len(back) < QUARTERS_BACK:
        back.insert(0, back[0].previous())
    ahead = current
    for _ in range(QUARTERS_AHEAD):
        ahead = ahead.next()
    return back, current, ahead


def _layoffs(quarters: list[Period], region_id: int | None, scope: Scope) -> list[tuple[int, str, str, int]]:
    """(region id, region name, KBLI section, workers): the highest figure of the sources per quarter and sector."""
    r = LayoffRecord
    highest = (
        select(r.region_id, r.period, r.kbli_section, func.max(r.workers).label("workers"))
        .where(layoffs_visible_to(scope), r.period.in_([str(q) for q in quarters]))
        .group_by(r.region_id, r.period, r.kbli_section)
    )
    if region_id is not None:
        highest = highest.where(r.region_id == region_id)
    sub = highest.subquery()
    query = (
        select(sub.c.region_id, Region.name, sub.c.kbli_section, func.sum(sub.c.workers))
        .join(Region, Region.id == sub.c.region_id)
        .group_by(sub.c.region_id, Region.name, sub.c.kbli_section)
    )
    return [(rid, name, section, int(workers)) for rid, name, section, workers in plain_rows(query)]


def _jobs(run: ForecastRun, quarters: tuple[str, str], region_id: int | None, scope: Scope) -> list[tuple]:
    """(region id, kab/kota, quarter, zone kind, phase, low, central) at the two quarters' ends, from the run's
    totals by kab/kota (``ForecastRegionTotal``: a few thousand rows whatever the province's size)."""
    t = ForecastRegionTotal
    keys = (t.region_id, t.kab_kota, t.quarter, t.zone_kind, t.phase)
    query = (
        select(*keys, func.sum(t.low), func.sum(t.central))
        .where(total_condition(run, Filters(region_id=region_id), scope), t.quarter.in_(quarters))
        .group_by(*keys)
    )
    return list(plain_rows(query))


def beside_jobs(run: ForecastRun, region_id: int | None, scope: Scope) -> Balances:
    """Per kab/kota in scope (and ``region_id`` if given): layoffs beside the jobs coming, most laid off first."""
    back, current, ahead = _quarters(run)
    regions: dict[int, RegionBalance] = {}

    def balance(rid: int, name: str) -> RegionBalance:
        return regions.setdefault(rid, RegionBalance(rid, name))

    for rid, name, section, workers in _layoffs(back, region_id, scope):
        row = balance(rid, name)
        row.laid_off += workers
        family = SECTION_SKILLS.get(section)
        key = family.value if family is not None else ""
        row.laid_off_skills[key] = row.laid_off_skills.get(key, 0) + workers
    sign = {str(current): -1, str(ahead): 1}
    skill_rows: dict[int, list[tuple[str, str, str, int]]] = defaultdict(list)
    for rid, name, quarter, kind, phase, low, central in _jobs(run, (str(current), str(ahead)), region_id, scope):
        row = balance(rid, name)
        low, central = sign[quarter] * int(low), sign[quarter] * int(central)
        row.jobs_low += low
        row.jobs_central += central
        if phase == "operation":
            row.lasting_low += low
            row.lasting_central += central
        skill_rows[rid].append((quarter, kind, phase, central))
    shares = stored_skill_shares(run)
    for rid, cells in skill_rows.items():
        added: dict[str, Decimal] = defaultdict(Decimal)
        for (_quarter, _phase, skill), jobs in skills_demand(cells, shares).items():
            added[skill] += jobs
        regions[rid].coming_skills = {s: int(v.to_integral_value()) for s, v in added.items() if v >= Decimal("0.5")}
    ordered = sorted(regions.values(), key=lambda b: (b.balance, b.name))
    return Balances((str(back[0]), str(back[-1])), (str(current), str(ahead)), ordered)
