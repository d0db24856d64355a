"""Synthetic data: a province's worth of investors, estates, zones, permit histories, LKPM entries and audit rows
(``synthesize``, behind ``flask dev synth``), and the permits-only growth the scan and forecast benchmarks use
(``grow_to``, and ``grow_history`` for the forecast's zones and decided history)."""

from devtools.synth.build import REFERENCE, Sizes, synthesize
from devtools.synth.grow import AS_OF, grow_history, grow_to

__all__ = ["AS_OF", "REFERENCE", "Sizes", "grow_history", "grow_to", "synthesize"]
