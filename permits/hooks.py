"""What follows a permit's move in the same transaction, registered by the sub-packages the core never imports.

``permits.workflow.advance_permit`` calls ``run_move_hooks`` after every flushed move; ``permits.stalls``
re-evaluates the permit's flags and ``permits.notify`` sends the immediate notices, each registering here when
the app registers it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from permits.models import Permit, PermitEvent

MoveHook = Callable[["Permit", "PermitEvent"], None]
_MOVE_HOOKS: list[MoveHook] = []


def on_move(hook: MoveHook) -> MoveHook:
    """Register ``hook(permit, event)`` to run after every flushed move (registering it twice keeps one)."""
    if hook not in _MOVE_HOOKS:
        _MOVE_HOOKS.append(hook)
    return hook


def run_move_hooks(permit: Permit, event: PermitEvent) -> None:
    """Run every registered hook, in the order registered; they flush, never commit."""
    for hook in _MOVE_HOOKS:
        hook(permit, event)
