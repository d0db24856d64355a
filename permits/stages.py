"""The permit stage machine: one transition table, and the rules read from it.

Each allowed move names who normally makes it (the agency, the investor or the office recording it), whether it
needs a note, and what it does to the statutory clock. The clock runs only while the agency holds the file
(submitted, under review) and stops while the file is back with the investor (returned for revision).
Terminal states (rejected, withdrawn, revoked) allow no move at all; a new application is a new permit.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from permits.models import PermitStatus as S


class Holder(enum.StrEnum):
    """Whose move it is while a permit sits in a status."""

    INVESTOR = "investor"  # must file, or answer a return for revision
    AGENCY = "agency"  # the issuing authority holds the file: the statutory clock runs
    NOBODY = "nobody"  # decided, or frozen pending the authority's own action


@dataclass(frozen=True)
class Move:
    source: S
    target: S
    needs_note: bool = False
    investor_may: bool = False  # the only moves an investor may make itself (issue 4)


# Who holds the file in each status; the agency clock runs exactly in the AGENCY statuses.
HOLDER: dict[S, Holder] = {
    S.NOT_STARTED: Holder.INVESTOR,
    S.SUBMITTED: Holder.AGENCY,
    S.UNDER_REVIEW: Holder.AGENCY,
    S.RETURNED: Holder.INVESTOR,
    S.ISSUED: Holder.NOBODY,
    S.DEEMED_GRANTED: Holder.NOBODY,
    S.FROZEN: Holder.NOBODY,
    S.REJECTED: Holder.NOBODY,
    S.WITHDRAWN: Holder.NOBODY,
    S.REVOKED: Holder.NOBODY,
}

TERMINAL: frozenset[S] = frozenset({S.REJECTED, S.WITHDRAWN, S.REVOKED})
CLOCK_RUNNING: frozenset[S] = frozenset(s for s, h in HOLDER.items() if h is Holder.AGENCY)

_MOVES = (
    Move(S.NOT_STARTED, S.SUBMITTED, investor_may=True),
    Move(S.NOT_STARTED, S.WITHDRAWN, needs_note=True),
    Move(S.SUBMITTED, S.UNDER_REVIEW),
    Move(S.SUBMITTED, S.RETURNED, needs_note=True),
    Move(S.SUBMITTED, S.ISSUED),
    Move(S.SUBMITTED, S.DEEMED_GRANTED, needs_note=True),
    Move(S.SUBMITTED, S.REJECTED, needs_note=True),
    Move(S.SUBMITTED, S.WITHDRAWN, needs_note=True),
    Move(S.UNDER_REVIEW, S.RETURNED, needs_note=True),
    Move(S.UNDER_REVIEW, S.ISSUED),
    Move(S.UNDER_REVIEW, S.DEEMED_GRANTED, needs_note=True),
    Move(S.UNDER_REVIEW, S.REJECTED, needs_note=True),
    Move(S.UNDER_REVIEW, S.WITHDRAWN, needs_note=True),
    Move(S.RETURNED, S.SUBMITTED, investor_may=True),  # the revision is filed: the clock resumes
    Move(S.RETURNED, S.REJECTED, needs_note=True),  # e.g. after the second revision round (Pasal 23(7), 88)
    Move(S.RETURNED, S.WITHDRAWN, needs_note=True),  # deemed withdrawn: the investor stayed silent (Pasal 19, 91)
    Move(S.ISSUED, S.FROZEN, needs_note=True),
    Move(S.ISSUED, S.REVOKED, needs_note=True),
    Move(S.DEEMED_GRANTED, S.ISSUED),  # the document follows the deemed grant
    Move(S.DEEMED_GRANTED, S.FROZEN, needs_note=True),
    Move(S.DEEMED_GRANTED, S.REVOKED, needs_note=True),
    Move(S.FROZEN, S.ISSUED, needs_note=True),  # unfrozen
    Move(S.FROZEN, S.REVOKED, needs_note=True),
)

TRANSITIONS: dict[tuple[S, S], Move] = {(m.source, m.target): m for m in _MOVES}


class TransitionError(Exception):
    """Base of every refused move; ``str()`` is a message fit for the user."""


class ForbiddenTransition(TransitionError):
    def __init__(self, source: S, target: S) -> None:
        self.source, self.target = source, target
        super().__init__(f"A permit cannot move from '{source.label}' to '{target.label}'.")


class NoteRequired(TransitionError):
    def __init__(self, target: S) -> None:
        self.target = target
        super().__init__(f"A note is required to move a permit to '{target.label}'.")


def allowed_targets(source: S) -> list[S]:
    """The statuses a permit in ``source`` may move to, in the order of the table."""
    return [m.target for m in _MOVES if m.source is source]


def check_move(source: S, target: S, note: str | None) -> Move:
    """Return the move from ``source`` to ``target``; raise ForbiddenTransition or NoteRequired."""
    move = TRANSITIONS.get((source, target))
    if move is None:
        raise ForbiddenTransition(source, target)
    if move.needs_note and not (note and note.strip()):
        raise NoteRequired(target)
    return move
