"""Parts of the permit page kept until the next committed write (issue 13, ``app.fragments``), rendered by their
own templates: the catalogue card's facts about the type under its regime (the same for every permit of that
type and regime), and the move form's fields (the same for every permit in a status on a day, while the form
holds nothing typed). Each is kept per language; a form sent back with errors is rendered for that request only."""

from __future__ import annotations

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup

from app.fragments import cached
from permits.catalogue import CatalogueType, KeptRule
from permits.forms import MoveForm
from permits.models import Permit


def _locale() -> str:
    return str(get_locale() or "id")


def law_facts(ptype: CatalogueType, rule: KeptRule) -> Markup:
    """``permits/_law_facts.html`` for the type under the rule's regime."""
    return cached(
        "permit-page-law",
        (_locale(), ptype.id, rule.regime_id),
        lambda: Markup(render_template("permits/_law_facts.html", ptype=ptype, rule=rule)),  # noqa: S704
    )


def move_fields(permit: Permit, form: MoveForm) -> Markup:
    """``permits/_move_fields.html``: kept when the form is the page's fresh one (not sent, no error)."""

    def render() -> Markup:
        return Markup(render_template("permits/_move_fields.html", move_form=form))  # noqa: S704

    if form.is_submitted() or form.errors:
        return render()
    return cached("permit-page-move", (_locale(), permit.status, form.effective_on.data), render)
