"""Flags of the packages above permits in the same digests: a package registers a ``DigestSource`` (the LKPM
missing-report flags do, from ``realisation``), and the digests tell its items under the same rules as the stall
flags: each item once per person, in that person's daily digest (the same day's while no mail has been attempted
for it, else the next working day's), and the governor's office's weekly summary adds the source's lines.
Permits never imports the sources: they register here when the app registers them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from app.models import User

Section = tuple[str, list[str]]  # a heading and its lines


@dataclass(frozen=True)
class DigestSource:
    name: str
    untold: Callable[[date], dict[int, set[int]]]  # {user id: {item id}} open, not yet told, raised by the day
    told: Callable[[Iterable[int]], dict[int, set[int]]]  # {notification id: {item id}} those digests tell
    sections: Callable[[User, set[int]], list[Section]]  # the lines of these items for this person
    mark: Callable[[list[tuple[int, int, int]]], None]  # record (notification id, item id, recipient id) as told
    weekly: Callable[[date], list[str]]  # the lines of the governor's office's weekly summary


_SOURCES: dict[str, DigestSource] = {}


def register_source(source: DigestSource) -> DigestSource:
    """Add ``source`` to the digests (registering it again replaces it)."""
    _SOURCES[source.name] = source
    return source


def sources() -> list[DigestSource]:
    return list(_SOURCES.values())
