"""The one way an enumeration carries a translated label for people."""

from __future__ import annotations

import enum

_LABELS: dict[type, dict] = {}


class LabelledEnum(enum.StrEnum):
    """A StrEnum whose members carry a translated label (``LABELS`` maps value to lazy text)."""

    @property
    def label(self) -> str:
        labels = _LABELS.get(type(self))
        if labels is None:  # lazy texts (translated each time they are shown): built once per enumeration
            labels = _LABELS[type(self)] = self._labels()
        return str(labels.get(self.value, self.value))

    @classmethod
    def _labels(cls) -> dict:
        return {}

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]
