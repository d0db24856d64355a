"""The permit stage machine: one transition table, and the rules read from it.

Each allowed move says whether it needs a note and whether an investor may make it. Whose move a status is
follows the law (DOMAIN.md sections 4-5): the agency holds the file while it checks, assesses, tests and
recommends (its statutory clock runs); the investor holds it while it must fix (returned), revise (perbaikan)
or resume a stopped process, and, for a permit type whose clock starts when the file is declared complete
(KKPR: the fee paid, PP 28/2025 Pasal 20(2)), while it is merely submitted. Terminal states allow no move at
all; a new application is a new permit.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import gettext as _

from permits.models import PermitStatus as S
from permits.rules import ClockStart


class Holder(enum.StrEnum):
    """Whose move it is while a permit sits in a status."""

    INVESTOR = "investor"  # must file, fix, revise or resume
    AGENCY = "agency"  # the issuing authority holds the file: the statutory clock runs
    NOBODY = "nobody"  # decided, or frozen pending the authority's own action


class Stage(enum.StrEnum):
    """The sub-stages the law counts separately (each with its own limit in the catalogue)."""

    CHECK = "check"  # administrative check of the file
    REVIEW = "review"  # substantive review: assessment, feasibility test
    DECISION = "decision"  # from the recommendation to the decree
    FIX = "fix"  # the applicant's administrative fix
    REVISION = "revision"  # the applicant's substantive revision
    STOPPED = "stopped"  # the process stopped, waiting for the applicant to resume


@dataclass(frozen=True)
class Move:
    source: S
    target: S
    needs_note: bool = False
    investor_may: bool = False  # the moves an investor may make itself: filing, and answering


AGENCY_STATUSES: frozenset[S] = frozenset(
    {S.SUBMITTED, S.DECLARED_COMPLETE, S.UNDER_REVIEW, S.FEASIBILITY_TEST, S.RECOMMENDATION}
)
INVESTOR_STATUSES: frozenset[S] = frozenset({S.NOT_STARTED, S.RETURNED, S.REVISION, S.PROCESS_STOPPED})
# The agency asked the investor for something: a fix or a revision, each a stop of the agency's clock with a window.
ASKED: frozenset[S] = frozenset({S.RETURNED, S.REVISION})
# While the investor revises, its own time is counted (the clock is "stopped" for the agency).
REVISING: frozenset[S] = ASKED | {S.PROCESS_STOPPED}
TERMINAL: frozenset[S] = frozenset({S.REJECTED, S.WITHDRAWN, S.DEEMED_WITHDRAWN, S.CANCELLED, S.REVOKED})
# The agency's decision of an application: the first move from its desk (or from a return) to a decided status.
# Later moves (deemed granted -> issued, frozen -> issued) are not decisions of the application.
DECISIONS: tuple[S, ...] = (S.ISSUED, S.VERIFIED, S.DEEMED_GRANTED, S.REJECTED)
DECIDED_FROM: tuple[S, ...] = (*sorted(AGENCY_STATUSES), *sorted(REVISING))
# Where the investor's answer sends the file back: a fixed file is checked again, a revised one reassessed.
RESUMES_TO: dict[S, S] = {S.RETURNED: S.SUBMITTED, S.REVISION: S.UNDER_REVIEW, S.PROCESS_STOPPED: S.UNDER_REVIEW}


def resume_target(status: S, clock_starts_at: ClockStart = ClockStart.SUBMITTED) -> S | None:
    """Where the investor's answer sends a file waiting in ``status`` (None: it is not waiting for one). A
    fixed KKPR, whose fee is paid, goes back to the agency's check (declared complete), not to the fee."""
    target = RESUMES_TO.get(status)
    if target is S.SUBMITTED and clock_starts_at is ClockStart.DECLARED_COMPLETE:
        return S.DECLARED_COMPLETE
    return target


_DECIDE = (S.ISSUED, S.VERIFIED, S.DEEMED_GRANTED, S.REJECTED, S.WITHDRAWN)
_MOVES = (
    Move(S.NOT_STARTED, S.SUBMITTED, investor_may=True),
    Move(S.NOT_STARTED, S.WITHDRAWN, needs_note=True),
    Move(S.SUBMITTED, S.DECLARED_COMPLETE),
    Move(S.SUBMITTED, S.UNDER_REVIEW),
    Move(S.SUBMITTED, S.RETURNED, needs_note=True),
    Move(S.SUBMITTED, S.DEEMED_WITHDRAWN, needs_note=True),  # KKPR: the fee unpaid after two notices (19)
    *(Move(S.SUBMITTED, d, needs_note=d not in (S.ISSUED, S.VERIFIED)) for d in _DECIDE),
    Move(S.DECLARED_COMPLETE, S.UNDER_REVIEW),
    Move(S.DECLARED_COMPLETE, S.FEASIBILITY_TEST),
    Move(S.DECLARED_COMPLETE, S.RETURNED, needs_note=True),
    Move(S.DECLARED_COMPLETE, S.REVISION, needs_note=True),
    *(Move(S.DECLARED_COMPLETE, d, needs_note=d not in (S.ISSUED, S.VERIFIED)) for d in _DECIDE),
    Move(S.UNDER_REVIEW, S.FEASIBILITY_TEST),
    Move(S.UNDER_REVIEW, S.RECOMMENDATION),
    Move(S.UNDER_REVIEW, S.RETURNED, needs_note=True),
    Move(S.UNDER_REVIEW, S.REVISION, needs_note=True),
    *(Move(S.UNDER_REVIEW, d, needs_note=d not in (S.ISSUED, S.VERIFIED)) for d in _DECIDE),
    Move(S.FEASIBILITY_TEST, S.RECOMMENDATION),
    Move(S.FEASIBILITY_TEST, S.REVISION, needs_note=True),
    *(Move(S.FEASIBILITY_TEST, d, needs_note=d not in (S.ISSUED, S.VERIFIED)) for d in _DECIDE),
    *(Move(S.RECOMMENDATION, d, needs_note=d not in (S.ISSUED, S.VERIFIED)) for d in _DECIDE),
    Move(S.RETURNED, S.SUBMITTED, investor_may=True),  # the fixed file is filed again: checked again
    Move(S.RETURNED, S.DECLARED_COMPLETE, investor_may=True),  # the same, where the fee is paid already (KKPR)
    Move(S.RETURNED, S.REJECTED, needs_note=True),  # e.g. after the re-check (Pasal 23(7), 88)
    Move(S.RETURNED, S.WITHDRAWN, needs_note=True),
    Move(S.RETURNED, S.DEEMED_WITHDRAWN, needs_note=True),
    Move(S.REVISION, S.UNDER_REVIEW, investor_may=True),  # the revised file: the agency re-evaluates (90)
    Move(S.REVISION, S.PROCESS_STOPPED, needs_note=True),  # the applicant silent past its window (91)
    Move(S.REVISION, S.REJECTED, needs_note=True),
    Move(S.REVISION, S.WITHDRAWN, needs_note=True),
    Move(S.PROCESS_STOPPED, S.UNDER_REVIEW, investor_may=True),  # resumed within 180 calendar days
    Move(S.PROCESS_STOPPED, S.REJECTED, needs_note=True),  # not resumed in time (91)
    Move(S.PROCESS_STOPPED, S.WITHDRAWN, needs_note=True),
    Move(S.ISSUED, S.FROZEN, needs_note=True),
    Move(S.ISSUED, S.REVOKED, needs_note=True),
    Move(S.ISSUED, S.CANCELLED, needs_note=True),
    Move(S.VERIFIED, S.ISSUED),
    Move(S.VERIFIED, S.FROZEN, needs_note=True),
    Move(S.VERIFIED, S.REVOKED, needs_note=True),
    Move(S.DEEMED_GRANTED, S.ISSUED),  # the document follows the deemed grant
    Move(S.DEEMED_GRANTED, S.FROZEN, needs_note=True),
    Move(S.DEEMED_GRANTED, S.REVOKED, needs_note=True),
    Move(S.FROZEN, S.ISSUED, needs_note=True),  # unfrozen
    Move(S.FROZEN, S.REVOKED, needs_note=True),
)

TRANSITIONS: dict[tuple[S, S], Move] = {(m.source, m.target): m for m in _MOVES}


def holder(status: S, clock_starts_at: ClockStart = ClockStart.SUBMITTED) -> Holder:
    """Whose move a permit in ``status`` is, for a permit type whose clock starts at ``clock_starts_at``."""
    if status is S.SUBMITTED and clock_starts_at is ClockStart.DECLARED_COMPLETE:
        return Holder.INVESTOR  # e.g. KKPR: the applicant must pay the fee before the agency's time runs
    if status in AGENCY_STATUSES:
        return Holder.AGENCY
    if status in INVESTOR_STATUSES:
        return Holder.INVESTOR
    return Holder.NOBODY


def clock_runs(status: S, clock_starts_at: ClockStart = ClockStart.SUBMITTED) -> bool:
    """The agency's statutory clock runs exactly while the agency holds the file."""
    return holder(status, clock_starts_at) is Holder.AGENCY


def stage_of(status: S, clock_starts_at: ClockStart = ClockStart.SUBMITTED) -> Stage | None:
    """The sub-stage a status belongs to. Where the clock starts at "declared complete" (KKPR), that status is
    the document check (Pasal 20(2)) and the assessment follows (21(3))."""
    if status is S.SUBMITTED:
        return Stage.CHECK if clock_starts_at is ClockStart.SUBMITTED else None
    if status is S.DECLARED_COMPLETE:
        return Stage.CHECK if clock_starts_at is ClockStart.DECLARED_COMPLETE else Stage.REVIEW
    return {
        S.UNDER_REVIEW: Stage.REVIEW,
        S.FEASIBILITY_TEST: Stage.REVIEW,
        S.RECOMMENDATION: Stage.DECISION,
        S.RETURNED: Stage.FIX,
        S.REVISION: Stage.REVISION,
        S.PROCESS_STOPPED: Stage.STOPPED,
    }.get(status)


class TransitionError(Exception):
    """Base of every refused move; ``str()`` is a message fit for the user."""


class ForbiddenTransition(TransitionError):
    def __init__(self, source: S, target: S) -> None:
        self.source, self.target = source, target
        super().__init__(
            _("A permit cannot move from '%(source)s' to '%(target)s'.", source=source.label, target=target.label)
        )


class NoteRequired(TransitionError):
    def __init__(self, target: S) -> None:
        self.target = target
        super().__init__(_("A note is required to move a permit to '%(target)s'.", target=target.label))


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
