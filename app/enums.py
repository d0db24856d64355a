"""The one way an enumeration carries a translated label for people."""

from __future__ import annotations

import enum
from functools import cache


class LabelledEnum(enum.StrEnum):
    """A StrEnum whose members carry a translated label (``LABELS`` maps value to lazy text)."""

    @property
    def label(self) -> str:
        return str(_labels_of(type(self)).get(self.value, self.value))

    @classmethod
    def _labels(cls) -> dict:
        return {}

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


@cache
def _labels_of(cls: type[LabelledEnum]) -> dict:
    """The class's labels, made once: lazy texts, translated each time one is shown (a page shows hundreds)."""
    return cls._labels()
