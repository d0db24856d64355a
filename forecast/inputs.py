"""The forecast's inputs as one run reads them: the editable table turned into ``model.Inputs``, and back to JSON
(stored with each run, so a snapshot keeps the figures it was computed with)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select

from app.extensions import db
from app.settings import setting_value
from forecast.model import Inputs
from forecast.models import ForecastInput, ForecastRun, InputGroup

T = TypeVar("T")
HORIZON_SETTING = "forecast.horizon_years"


def horizon_years() -> int:
    raw = setting_value(HORIZON_SETTING)
    try:
        return max(1, min(int(raw), 15)) if raw is not None else 5
    except ValueError:
        return 5


def _triple(row: InputRow | None) -> tuple[Decimal, Decimal, Decimal]:
    if row is None or row.value is None:
        return (Decimal(0),) * 3
    low = row.low if row.low is not None else row.value
    high = row.high if row.high is not None else row.value
    return (low, row.value, high)


def input_rows() -> list[ForecastInput]:
    return list(
        db.session.scalars(
            select(ForecastInput).order_by(
                ForecastInput.group, ForecastInput.zone_kind, ForecastInput.phase, ForecastInput.year, ForecastInput.key
            )
        )
    )


def load_inputs(rows: Sequence[InputRow] | None = None) -> Inputs:
    """The inputs in force. Durations' low case is the longer figure (fewer jobs sooner)."""
    rows = input_rows() if rows is None else rows
    by_group: dict[str, list[InputRow]] = {}
    for row in rows:
        by_group.setdefault(row.group, []).append(row)

    def one(group: InputGroup) -> InputRow | None:
        return next(iter(by_group.get(group.value, [])), None)

    shares: dict[tuple[str, str], dict[str, Decimal]] = {}
    for row in by_group.get(InputGroup.SKILL_SHARE.value, []):
        if row.value is not None and row.zone_kind and row.phase and row.skill:
            shares.setdefault((row.zone_kind, row.phase), {})[row.skill] = row.value
    construction = _triple(one(InputGroup.CONSTRUCTION_MONTHS))
    ramp = _triple(one(InputGroup.RAMP_UP_MONTHS))
    min_cases = one(InputGroup.MIN_DECIDED_CASES)
    return Inputs(
        jobs_per_ha={
            r.zone_kind: r.value
            for r in by_group.get(InputGroup.JOBS_PER_HA.value, [])
            if r.zone_kind and r.value is not None
        },
        jobs_per_trillion={
            r.year: r.value
            for r in by_group.get(InputGroup.JOBS_PER_TRILLION.value, [])
            if r.year and r.value is not None
        },
        # the low-jobs case builds and ramps up longest
        construction_months=(max(construction), construction[1], min(construction)),
        ramp_up_months=(max(ramp), ramp[1], min(ramp)),
        construction_workers_per_ha={
            r.zone_kind: tuple(sorted(_triple(r)))
            for r in by_group.get(InputGroup.CONSTRUCTION_WORKERS_PER_HA.value, [])
            if r.zone_kind
        },
        min_decided_cases=int(min_cases.value) if min_cases is not None and min_cases.value is not None else 10,
        skill_shares=shares,
        horizon_quarters=4 * horizon_years(),
    )


def indirect_multipliers(rows: Sequence[InputRow]) -> dict[str, Decimal]:
    """zone kind -> type I employment multiplier, for the kinds that have one with a value (none until entered)."""
    return {
        r.zone_kind: r.value
        for r in rows
        if r.group == InputGroup.INDIRECT_MULTIPLIER.value and r.zone_kind and r.value is not None
    }


def _num(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def inputs_json(rows: list[ForecastInput]) -> dict:
    """Every input row as it stood, for the run's record (and the comparison of two snapshots)."""
    return {
        "rows": [
            {
                "key": r.key,
                "group": r.group,
                "zone_kind": r.zone_kind,
                "phase": r.phase,
                "skill": r.skill,
                "kbli_section": r.kbli_section,
                "year": r.year,
                "low": _num(r.low),
                "value": _num(r.value),
                "high": _num(r.high),
                "unit": r.unit,
                "source": r.source,
                "source_kind": r.source_kind,
                "source_year": r.source_year,
            }
            for r in rows
        ],
        "horizon_years": horizon_years(),
    }


@dataclass(frozen=True, slots=True)
class StoredInput:
    """An input row as a run stored it: the attributes of ``ForecastInput`` that the model and the pages read,
    in a plain object (building a few hundred transient ORM rows per page cost about 6 ms)."""

    key: str
    group: str
    zone_kind: str | None
    phase: str | None
    skill: str | None
    kbli_section: str | None
    year: int | None
    low: Decimal | None
    value: Decimal | None
    high: Decimal | None
    unit: str
    source: str
    source_kind: str
    source_year: int | None

    @property
    def is_assumption(self) -> bool:
        return self.source_kind == "asumsi"


InputRow = ForecastInput | StoredInput  # the table's rows (the refresh) or a stored run's (the pages)


def _decimal(raw: str | int | float | None) -> Decimal | None:
    return Decimal(raw) if raw is not None else None


def rows_from_json(data: dict) -> list[StoredInput]:
    """The input rows rebuilt from a run's JSON, to read a stored run's figures."""
    return [
        StoredInput(
            key=r["key"],
            group=r["group"],
            zone_kind=r.get("zone_kind"),
            phase=r.get("phase"),
            skill=r.get("skill"),
            kbli_section=r.get("kbli_section"),
            year=r.get("year"),
            low=_decimal(r.get("low")),
            value=_decimal(r.get("value")),
            high=_decimal(r.get("high")),
            unit=r.get("unit", ""),
            source=r.get("source", ""),
            source_kind=r.get("source_kind", ""),
            source_year=r.get("source_year"),
        )
        for r in data.get("rows", [])
    ]


def _per_run(name: str, run: ForecastRun, build: Callable[[], T]) -> T:
    """``build()`` once for the loaded ``run`` (kept on the object while it holds the same inputs): the forecast
    page reads a run's inputs four times."""
    cache = vars(run).setdefault("_read_once", {})
    entry = cache.get(name)
    if entry is None or entry[0] is not run.inputs:
        entry = cache[name] = (run.inputs, build())
    return entry[1]


def stored_rows(run: ForecastRun) -> list[StoredInput]:
    """The input rows ``run`` was computed with (``rows_from_json``), rebuilt once for the loaded run."""
    return _per_run("rows", run, lambda: rows_from_json(run.inputs))


def stored_skill_shares(run: ForecastRun) -> dict[tuple[str, str], dict[str, Decimal]]:
    """The skill shares of the inputs ``run`` was computed with, once for the loaded run."""
    return _per_run("skill_shares", run, lambda: load_inputs(stored_rows(run)).skill_shares)
