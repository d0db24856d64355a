"""One commit point per request: the unit of work.

Services flush, never commit. Every view is wrapped so that the request commits once, after the view returned
and before the answer leaves; an exception rolls back instead (the error handlers do it), and a commit that
fails is answered by the same handlers (a duplicate key is a 409). A view that shows a refusal on its form
wraps the service call in ``refusal(...)``: the refused work is rolled back there, and nothing of it reaches
the commit.

A request whose view committed and that still ends with changes uncommitted (written after the commit point,
by an ``after_request`` hook or a template) is a defect: the changes are rolled back and logged, and under
``TESTING`` the request fails, so every test of the suite checks it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)
_PENDING = "pantau_unflushed_work"


class UncommittedChanges(RuntimeError):
    """A request ended with changes that no commit covered."""


@dataclass
class Refusal:
    """What ``refusal`` caught: ``error`` is None when the service went through."""

    error: Exception | None = None

    def __bool__(self) -> bool:
        return self.error is not None


@contextmanager
def refusal(*errors: type[Exception]) -> Iterator[Refusal]:
    """Run a service call; when it raises one of ``errors``, roll back what it wrote and keep the error.

    ``with refusal(PermitError) as refused: ...`` then ``if refused: form.add_errors(refused.error.errors)``.
    Other exceptions pass through (and the error handlers roll back).
    """
    outcome = Refusal()
    try:
        yield outcome
    except errors as error:
        db.session.rollback()
        outcome.error = error


def _committing(view: Callable) -> Callable:
    if getattr(view, "commits", False):
        return view

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        result = view(*args, **kwargs)
        db.session.commit()
        g.unit_of_work_committed = True
        return result

    wrapped.commits = True
    return wrapped


def _note_work(session: Session, *args) -> None:
    session.info[_PENDING] = True


def _clear_work(session: Session, *args) -> None:
    session.info.pop(_PENDING, None)


def has_uncommitted_work(session: Session) -> bool:
    """Changes added, flushed or marked dirty since the last commit or rollback."""
    return bool(session.info.get(_PENDING) or session.new or session.dirty or session.deleted)


def install_unit_of_work(app: Flask) -> None:
    """Wrap every view registered so far in the commit point (call after the blueprints are registered; calling
    it again wraps only the views added since)."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint == "static" or endpoint.endswith(".static"):
            continue
        app.view_functions[endpoint] = _committing(view)

    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_flush", _note_work):
        event.listen(session_class, "after_flush", _note_work)
        event.listen(session_class, "after_commit", _clear_work)
        event.listen(session_class, "after_rollback", _clear_work)

    if app.extensions.get("unit_of_work"):
        return
    app.extensions["unit_of_work"] = True

    @app.teardown_request
    def _nothing_left_uncommitted(error: BaseException | None) -> None:
        if error is not None or not g.get("unit_of_work_committed"):
            return
        session = db.session()
        if has_uncommitted_work(session):
            session.rollback()
            log.error("a request ended with uncommitted changes; they were rolled back")
            if current_app.testing:
                raise UncommittedChanges("a request ended with uncommitted changes")
