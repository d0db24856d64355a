"""The low case's calibration against what happened: the hook the forecast calls, and the setting it reads.

``forecast.variance`` measures the ratio of the workers the investors reported (LKPM) to the central forecast of
the snapshot taken before each quarter. An administrator may adopt that ratio (the setting
``forecast.low_calibration``: ``off``, or the ratio written with a point, audited like every setting). While one
is in force, each refresh makes the low case of every zone and quarter the central case times the ratio (rounded
half up, never above the central case), and records the ratio in the run's inputs, so the page says which low
case it shows. The high and central cases are never touched.
"""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.settings import setting_value

log = logging.getLogger(__name__)

SETTING = "forecast.low_calibration"
OFF = "off"
MAX_RATIO = Decimal(5)  # a realised workforce five times the forecast is a data error, not a calibration
RUN_KEY = "low_calibration"  # in a run's inputs JSON: the ratio as text, or None

Triple = tuple[int, int, int]


def parse_ratio(text: str | None) -> Decimal | None:
    """The ratio in ``text``, or None for ``off``, nothing, or a value that is not a ratio in (0, 5]."""
    text = (text or "").strip().lower()
    if text in ("", OFF):
        return None
    try:
        ratio = Decimal(text)
    except InvalidOperation:
        ratio = None
    if ratio is None or not ratio.is_finite() or not 0 < ratio <= MAX_RATIO:
        log.warning("setting %s has an unreadable value %r; the low case is not calibrated", SETTING, text)
        return None
    return ratio


def ratio_in_force() -> Decimal | None:
    """The calibration an administrator adopted, or None (the model's own low case)."""
    return parse_ratio(setting_value(SETTING))


def calibrated_low(central: int, ratio: Decimal) -> int:
    return min(central, int((Decimal(central) * ratio).to_integral_value(rounding=ROUND_HALF_UP)))


def apply(cells: dict[tuple[str, str], Triple], ratio: Decimal | None) -> dict[tuple[str, str], Triple]:
    """A zone's cells with the low case calibrated (the cells themselves when ``ratio`` is None)."""
    if ratio is None:
        return cells
    return {key: (calibrated_low(central, ratio), central, high) for key, (_low, central, high) in cells.items()}


def record(inputs: dict, ratio: Decimal | None) -> dict:
    """The run's inputs JSON with the calibration it was computed with."""
    return {**inputs, RUN_KEY: format(ratio, "f") if ratio is not None else None}


def of_run(inputs: dict | None) -> Decimal | None:
    """The calibration a stored run was computed with (None: the model's own low case)."""
    value = (inputs or {}).get(RUN_KEY)
    return Decimal(value) if value else None


def adopt(ratio: Decimal | None, cases: int, actor_id: int | None) -> bool:
    """Put ``ratio`` (measured over ``cases`` investor-quarters) in force, or stop calibrating (``None``), through
    the settings' audited edit; the next refresh applies it. Returns whether the setting changed. Flushes."""
    from permits.admin.settings import get_setting, update_setting

    setting = get_setting(SETTING)
    if setting is None:
        raise LookupError(SETTING)
    value = format(ratio, "f") if ratio is not None else OFF
    saved = update_setting(setting, value, actor_id)
    if saved.changed and ratio is not None:
        setting.source = f"Observed ratio of LKPM to forecast workers over {cases} investor-quarters"
    return saved.changed
