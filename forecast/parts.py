"""The forecast page's parts kept per worker: what the page derives from one stored run (the filter choices, the
chart, the totals, indirect, held-back and skills tables, the zones and the run's inputs), rendered once per run,
scope, filters and language and served again from memory.

A stored run is never changed once written (a refresh writes a new run and deletes the old; a run's inputs are its
own JSON copy), so a part needs no invalidation beyond the run: it is keyed by the run's id and computation time
(SQLite may give a deleted run's id to the next one), by what the scope lets the user see (``scope_key``: an
officer of one kab/kota never gets another's parts, an investor never another's), the filters, the language and
the script root the links are built under. The layoffs beside the jobs (``layoffs_part``) change without a new
run: that part is keyed as well by the calibration setting in force and by a stamp of the layoff records (their
count, highest id, latest update and sum of workers, one read; and this process's own writes of them, counted by
``_layoffs_written``).

Bounded: at most ``MAX_ENTRIES`` parts and ``MAX_CHARS`` characters of HTML, the least recently used dropped
first; emptied whenever this process stores a new run (any ``ForecastRun`` inserted), and a part of an older run
than the current one is never asked for again, so it ages out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import Role
from app.security import Scope
from forecast import calibration, choices, layoffs, reading
from forecast.chart import band_chart
from forecast.inputs import stored_rows
from forecast.models import ForecastRun, InputGroup, Phase, Skill
from forecast.reading import Filters
from realisation.layoffs.models import LayoffRecord

MAX_ENTRIES = 64  # a few dozen filter combinations per run (the kab/kota, the zone kinds) and both languages
MAX_CHARS = 16_000_000  # a page's parts are about 120 kB at the reference size (600 choices, 50 zones)
ZONE_ROWS = 50  # the page lists at most this many zones (the downloads hold them all), so it stays fast


def scope_key(scope: Scope) -> tuple:
    """What ``scope`` may see of a run, as ``forecast.reading`` filters it: everything, one kab/kota, one investor,
    or nothing. Two users with the same key see the same rows."""
    if scope.sees_everything:
        return ("all",)
    if scope.role == Role.OFFICER and scope.region_id is not None:
        return ("region", scope.region_id)
    if scope.role == Role.INVESTOR and scope.investor_id is not None:
        return ("investor", scope.investor_id)
    return ("none",)


def run_key(run: ForecastRun) -> tuple:
    return (run.id, run.computed_at.isoformat() if run.computed_at is not None else None)


class PartCache:
    """A bounded LRU of rendered parts (each a value and its size in characters); thread-safe."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_chars: int = MAX_CHARS) -> None:
        self.max_entries, self.max_chars = max_entries, max_chars
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._chars = 0

    def get(self, key: Hashable, build: Callable[[], tuple[object, int]]) -> object:
        """The part kept under ``key``, or ``build()``'s (value, size), kept. A build that raises keeps nothing."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[0]
        value, size = build()  # outside the lock: two requests may build the same part, one keeps it
        with self._lock:
            self.misses += 1
            old = self._entries.pop(key, None)
            if old is not None:
                self._chars -= old[1]
            if size <= self.max_chars:
                self._entries[key] = (value, size)
                self._chars += size
            while self._entries and (len(self._entries) > self.max_entries or self._chars > self.max_chars):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._chars -= dropped
        return value


PARTS = PartCache()


@event.listens_for(ForecastRun, "after_insert")
def _new_run(mapper, connection, target) -> None:
    """A new run stored by this process: the parts of the runs it replaces will not be asked for again (and on
    SQLite the new run may take a deleted run's id)."""
    PARTS.clear()


def page_parts(run: ForecastRun, filters: Filters, scope: Scope) -> dict[str, Markup]:
    """The forecast page's parts for ``run`` seen by ``scope`` through ``filters``: ``top`` (the filters, the chart
    and the totals, indirect, held-back and skills tables) and ``bottom`` (the zones and the run's inputs), from
    ``PARTS`` or rendered (``forecast/_run_top.html``, ``_run_bottom.html``) and kept."""
    key = ("page", run_key(run), scope_key(scope), filters, str(get_locale() or ""), request.script_root)
    return PARTS.get(key, lambda: _rendered(run, filters, scope))


def _rendered(run: ForecastRun, filters: Filters, scope: Scope) -> tuple[dict[str, Markup], int]:
    rows = reading.sums(run, filters, scope)  # once for the totals, the skills and the indirect jobs
    by_phase = reading.series(run, filters, scope, rows)
    total = reading.total_series(by_phase)
    top = render_template(
        "forecast/_run_top.html",
        filters=filters,
        choices=choices.choices(run, scope, filters),
        total=total,
        by_phase=by_phase,
        chart=band_chart(total, _("Direct jobs at the end of each quarter: low-high band and central line")),
        held=reading.held_lines(run, filters, scope),
        demand=reading.skills(run, filters, scope, rows),
        quarters=[p[0] for p in total],
        skills=list(Skill),
        phases=list(Phase),
        indirect=reading.indirect(run, filters, scope, rows),
    )
    bottom = render_template(
        "forecast/_run_bottom.html",
        zones=reading.zones(run, filters, scope, limit=ZONE_ROWS),
        zone_count=reading.zone_count(run, filters, scope),
        inputs=stored_rows(run),
        groups={g.value: g.label for g in InputGroup},
    )
    return {"top": Markup(top), "bottom": Markup(bottom)}, len(top) + len(bottom)  # noqa: S704 - rendered templates


_LAYOFF_WRITES = [0]  # this process's writes of layoff records (an edit at a frozen clock keeps ``updated_at``)


@event.listens_for(LayoffRecord, "after_insert")
@event.listens_for(LayoffRecord, "after_update")
@event.listens_for(LayoffRecord, "after_delete")
def _layoffs_written(mapper, connection, target) -> None:
    _LAYOFF_WRITES[0] += 1


def _layoff_stamp() -> tuple:
    """What changes whenever a layoff record is added, corrected or removed, in any process: one read of a small
    table."""
    r = LayoffRecord
    stamp = select(func.count(), func.max(r.id), func.max(r.updated_at), func.sum(r.workers))
    return (*db.session.execute(stamp).one(), _LAYOFF_WRITES[0])


def layoffs_part(run: ForecastRun, region_id: int | None, scope: Scope) -> Markup:
    """The layoffs beside the jobs coming and the low case in force (``forecast/_layoffs.html``), kept per run,
    scope, kab/kota chosen, language, calibration setting and layoff records' stamp."""
    ratio = calibration.ratio_in_force()
    locale = str(get_locale() or "")
    key = ("layoffs", run_key(run), scope_key(scope), region_id, locale, request.script_root, ratio, _layoff_stamp())

    def build() -> tuple[Markup, int]:
        html = render_template(
            "forecast/_layoffs.html",
            balances=layoffs.beside_jobs(run, region_id, scope),
            run_low_ratio=calibration.of_run(run.inputs),
            low_ratio_setting=ratio,
            skill_labels={s.value: s.label for s in Skill},
        )
        return Markup(html), len(html)  # noqa: S704 - a rendered (autoescaped) template

    return PARTS.get(key, build)
