"""A run's series computed and stored packed: the direct jobs of every quarter, phase and case of a series in one
row (``ForecastSeries.cells``), as little-endian 32-bit integers in the order of ``keys``.

A province's 100,000 zones fall in about 90,000 distinct series of 40 cells each: computed one at a time in Python
and stored one row a cell, that was 1.4 million rows and most of a refresh. Here every series of a run is computed
at once with numpy (``compute``), with the same integer arithmetic as ``model.zone_cells``, and stored as one row
each; the readers decode the rows they need (``decode``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import chain

import numpy as np

from forecast.model import CENTRAL, HIGH, LOW, add_months, quarter_ends

PHASES = ("construction", "operation")
FIGURES = 3  # low, central, high
DTYPE = np.dtype("<i4")  # what a stored series is made of
LIMIT = np.iinfo(DTYPE).max
NEVER = date.max.toordinal() + 1  # a date no quarter reaches: "not in the horizon" (``None``)


def keys(quarters: list[str]) -> list[tuple[str, str]]:
    """(quarter, phase) in the order a series stores them, each with its low, central and high figures."""
    return [(quarter, phase) for quarter in quarters for phase in PHASES]


def run_quarters(as_of: date, horizon_quarters: int) -> list[str]:
    return [quarter for quarter, _ in quarter_ends(as_of, horizon_quarters)]


def _ordinals(days: list[tuple]) -> np.ndarray:
    """Triples of days (or ``None``) as ordinals, ``NEVER`` for none: each distinct day converted once (a
    province's 90,000 series have a few thousand; numpy's own conversion of date objects takes ten times as long)."""
    flat = list(chain.from_iterable(days))
    ordinal = {d: NEVER if d is None else d.toordinal() for d in set(flat)}
    return np.fromiter(map(ordinal.__getitem__, flat), dtype=np.int64, count=len(flat)).reshape(len(days), 3)


def _integers(triples: list[tuple]) -> np.ndarray:
    """Triples of integers as an array of shape (len, 3), read flat (a list of lists is several times slower)."""
    flat = chain.from_iterable(triples)
    return np.fromiter(flat, dtype=np.int64, count=3 * len(triples)).reshape(len(triples), 3)


def _ramp_ends(operating: np.ndarray, months: int) -> np.ndarray:
    """``add_months(operating, months)`` of each ordinal (``NEVER`` stays): computed once per distinct day."""
    days, where = np.unique(operating, return_inverse=True)
    ends = [NEVER if d == NEVER else add_months(date.fromordinal(d), months).toordinal() for d in days.tolist()]
    return np.array(ends, dtype=np.int64)[where.reshape(operating.shape)]


def compute(params: list[tuple], ramp_months: tuple, ends: list[date], low_ratio: Decimal | None) -> np.ndarray:
    """The figures of each series (rows), ``params`` being each one's (full, builders, clear, operating) triples:
    an array of 32-bit integers of shape (series, quarters * phases * 3), in ``keys`` order. ``model.zone_cells``
    zone by zone, then ``calibration.apply``, exactly: the same integers."""
    n, quarters = len(params), len(ends)
    out = np.zeros((n, quarters, len(PHASES), FIGURES), dtype=DTYPE)  # as stored: half the memory to fill
    if n == 0:
        return out.reshape(0, quarters * len(PHASES) * FIGURES)
    full_jobs, workers = (_integers([p[i] for p in params]) for i in (0, 1))
    if int(full_jobs.max()) > LIMIT or int(workers.max()) > LIMIT or min(full_jobs.min(), workers.min()) < 0:
        raise ValueError("a forecast figure outside 0..2**31-1")  # every figure is at most its zone's full size
    starts, days = (_ordinals([p[i] for p in params]) for i in (2, 3))
    end = np.array([d.toordinal() for d in ends], dtype=np.int64)[None, :]
    for case in (LOW, CENTRAL, HIGH):
        full, builders = full_jobs[:, case, None], workers[:, case, None]
        clear, operating = starts[:, case, None], days[:, case, None]
        ramp_end = _ramp_ends(operating, int(ramp_months[case]))
        total = np.maximum(ramp_end - operating, 1)  # a ramp of no days is full at once (the ``where`` below)
        ramping = (2 * full * (end - operating) + total) // (2 * total)  # rounded half up, as ``model._ramp``
        ops = np.where(end < operating, 0, np.where(end >= ramp_end, full, ramping))
        cons = np.where((clear <= end) & (end < operating), builders, 0)
        for phase, figures in enumerate((cons, ops)):  # low: the least of the cases, high: the most
            if case == LOW:
                out[:, :, phase, 0] = out[:, :, phase, 2] = figures
            else:
                np.minimum(out[:, :, phase, 0], figures, out=out[:, :, phase, 0], casting="unsafe")  # fits: above
                np.maximum(out[:, :, phase, 2], figures, out=out[:, :, phase, 2], casting="unsafe")
            if case == CENTRAL:
                out[:, :, phase, 1] = figures
    if low_ratio is not None:
        central = out[:, :, :, 1].astype(np.int64)
        out[:, :, :, 0] = np.minimum(central, _times_half_up(central, low_ratio))
    return out.reshape(n, quarters * len(PHASES) * FIGURES)


def _times_half_up(values: np.ndarray, ratio: Decimal) -> np.ndarray:
    """``values`` times ``ratio`` rounded half up (``calibration.calibrated_low``), exactly: in integers while
    they fit 64 bits, else in Python's."""
    p, q = ratio.as_integer_ratio()
    if p >= 0 and int(values.max(initial=0)) * 2 * p + q < 2**62:
        return (2 * values * p + q) // (2 * q)
    as_objects = values.astype(object)
    return ((2 * as_objects * p + q) // (2 * q)).astype(np.int64)


def encode(figures: np.ndarray) -> list[bytes]:
    """Each row of ``figures`` as stored. A figure must fit 32 bits (two billion jobs in one zone: refused)."""
    data = _checked(figures)
    width = data.shape[1] * DTYPE.itemsize
    raw = data.tobytes()
    return [raw[i : i + width] for i in range(0, len(raw), width)]


COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # PostgreSQL's binary ``COPY`` header: no flags, no extension
COPY_TRAILER = b"\xff\xff"


def copy_binary(run_id: int, figures: np.ndarray) -> memoryview:
    """A run's series rows (run id, series, central operation job-quarters, cells: ``encode``) as the rows of
    PostgreSQL's binary ``COPY`` (between ``COPY_SIGNATURE`` and ``COPY_TRAILER``), made at once: each row is
    fixed-width (four fields, big-endian, each after its length), so the 80,000 rows of a province are one numpy
    array, not 80,000 calls to the driver's row writer."""
    cells = _checked(figures)
    n, width = cells.shape[0], cells.shape[1] * DTYPE.itemsize
    head = np.dtype([
        ("fields", ">i2"), ("run_len", ">i4"), ("run", ">i4"), ("series_len", ">i4"), ("series", ">i4"),
        ("jq_len", ">i4"), ("jq", ">i8"), ("cells_len", ">i4"),
    ])  # fmt: skip
    heads = np.empty(n, dtype=head)
    heads["fields"], heads["run_len"], heads["series_len"], heads["jq_len"], heads["cells_len"] = 4, 4, 4, 8, width
    heads["run"], heads["series"], heads["jq"] = run_id, np.arange(n), operation_central(figures)
    out = np.empty((n, head.itemsize + width), dtype=np.uint8)
    out[:, : head.itemsize] = heads.view(np.uint8).reshape(n, head.itemsize)
    out[:, head.itemsize :] = cells.view(np.uint8).reshape(n, width)
    return out.reshape(-1).data


def _checked(figures: np.ndarray) -> np.ndarray:
    """``figures`` as stored (contiguous little-endian 32-bit integers); refused (``ValueError``) if one does not
    fit (two billion jobs in one zone)."""
    if figures.size and (int(figures.max()) > LIMIT or int(figures.min()) < 0):
        raise ValueError("a forecast figure outside 0..2**31-1")
    return np.ascontiguousarray(figures, dtype=DTYPE)


def decode(blobs: list[bytes], width: int, columns: slice | None = None) -> np.ndarray:
    """Stored rows back as an array of shape (rows, ``width``) of 64-bit integers (sums do not overflow), or only
    their ``columns``."""
    if not blobs:
        return np.zeros((0, width), dtype=np.int64)[:, columns or slice(None)]
    data = np.frombuffer(b"".join(blobs), dtype=DTYPE).reshape(len(blobs), width)
    return data[:, columns or slice(None)].astype(np.int64)


def operation_central(figures: np.ndarray) -> np.ndarray:
    """The central operation job-quarters of each row: what the estates' ranking and the held-back figures sum."""
    return figures[:, 1 * FIGURES + 1 :: len(PHASES) * FIGURES].sum(axis=1)


def as_cells(row: np.ndarray, quarters: list[str]) -> dict[tuple[str, str], tuple[int, int, int]]:
    """One series' figures as ``model.zone_cells`` gives them: (quarter, phase) -> (low, central, high)."""
    values = row.tolist()
    return {key: tuple(values[FIGURES * i : FIGURES * i + FIGURES]) for i, key in enumerate(keys(quarters))}
