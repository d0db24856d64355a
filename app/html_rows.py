"""Table rows written by Python instead of a template (issue 13): a list's rows are its dearest part when every
cell is a macro call, every text a Flask-Babel lookup and every date a Babel call.

``Texts`` gives what a template's ``_()``, ``ngettext()`` and ``|day`` give (the translation taken as markup, the
values escaped into it), with the request's translations looked up once per rendering and each message, date and
enum label translated once per rendering; ``memo`` keeps a cell per distinct value for one rendering. The rows
are written as text with every value passed through ``markupsafe.escape`` and made ``Markup`` once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

from flask import get_template_attribute, render_template, request
from flask_babel import get_locale, get_translations
from markupsafe import Markup, escape

from app.formatting import day
from app.fragments import cached

ROWS = Markup("\x00rows\x00")  # where a kept table's rows go


class Texts:
    """The interface's texts for one rendering of rows, as the templates' ``_()``, ``ngettext()`` and ``|day``
    give them."""

    def __init__(self) -> None:
        self._translations = get_translations()
        self.locale = str(get_locale() or "id")
        self._messages: dict[str, Markup] = {}
        self._days: dict[date | None, str] = {}
        self._labels: dict[Any, Markup] = {}

    def __call__(self, message: str, **values: object) -> Markup:
        """``_(message, **values)``: the translation (markup, as Jinja takes it) with the values escaped in."""
        text = self._messages.get(message)
        if text is None:
            text = self._messages[message] = Markup(self._translations.gettext(message))  # noqa: S704 - a catalogue's text, as in a template
        return text % values if values else text

    def plural(self, singular: str, plural: str, num: int, **values: object) -> Markup:
        """``ngettext(singular, plural, num, **values)`` with ``num`` among the values."""
        values.setdefault("num", num)
        return Markup(self._translations.ngettext(singular, plural, num)) % values  # noqa: S704 - as above

    def day(self, value: date | None) -> str:
        """``value|day``."""
        text = self._days.get(value)
        if text is None:
            text = self._days[value] = day(value)
        return text

    def label(self, member: Any) -> Markup:
        """An enum member's translated ``label``, escaped."""
        text = self._labels.get(member)
        if text is None:
            text = self._labels[member] = escape(member.label)
        return text


def memo(compute: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``compute`` kept per distinct argument for one rendering (a page of rows repeats its dates and types)."""
    seen: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        if value not in seen:
            seen[value] = compute(value)
        return seen[value]

    return once


class MacroOnce:
    """A macro of ``template`` rendered once per key for one rendering of rows: ``cell(key, *args)`` gives the
    macro's output for ``args`` the first time ``key`` is met, then the same Markup (a page's cells repeat a few
    statuses, deadlines and contacts)."""

    def __init__(self, template: str, name: str) -> None:
        self.macro = get_template_attribute(template, name)
        self.seen: dict[Hashable, Markup] = {}

    def __call__(self, key: Hashable, *args: Any) -> Markup:
        if key not in self.seen:
            self.seen[key] = Markup(self.macro(*args))  # noqa: S704 - an autoescaping macro's output
        return self.seen[key]


def request_args() -> tuple[tuple[str, str], ...]:
    """The request's query arguments but the page's number, in their order, each value once (a key of a part kept
    per arguments: a form takes a field's first value, so the order of repeated ones matters)."""
    return tuple(item for item in request.args.items(multi=True) if item[0] != "page")


class KeptTable:
    """A list's table around its rows (``_macros.html``'s ``data_table``: the headers with their sort links,
    the labels), rendered by ``template`` with ``ROWS`` for the rows and kept per language and query arguments
    (the page's number aside: the headers link to the first page) until the next committed write
    (``app.fragments``). ``context`` must follow from the arguments (the list's order)."""

    def __init__(self, name: str, template: str, **context: Any) -> None:
        args = request.args.to_dict()
        args.pop("page", None)
        key = (str(get_locale() or "id"), tuple(sorted(args.items())))
        html = cached(name, key, lambda: str(render_template(template, rows=ROWS, **context)))
        head, tail = html.split(ROWS, 1)
        self.head, self.tail = Markup(head), Markup(tail)  # noqa: S704 - an autoescaping template's output

    def around(self, rows: Markup) -> Markup:
        """The table with ``rows`` (markup) in its body."""
        return self.head + rows + self.tail


def kept_pager(pagination: Any, endpoint: str) -> Markup:
    """``pager(pagination, endpoint)`` of ``_macros.html`` (a link per page, each a ``url_for``), kept per language,
    query arguments and page until the next committed write (``app.fragments``)."""
    args = tuple(sorted(request.args.to_dict().items()))
    key = (str(get_locale() or "id"), endpoint, args, pagination.page, pagination.pages)
    pager = get_template_attribute("_macros.html", "pager")
    return cached("pager", key, lambda: Markup(pager(pagination, endpoint)))  # noqa: S704 - an autoescaping macro's
