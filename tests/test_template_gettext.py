"""The templates' ``_()`` and ``ngettext`` through ``app.i18n.template_translations`` (issue 13): the texts
Flask-Babel gives, escaped and formatted as before, in the locale in force (a ``force_locale`` block, a
``refresh()``, no request at all), with Flask-Babel's translations looked up once per locale instead of on every
call."""

from __future__ import annotations

from pathlib import Path

import flask_babel
import pytest
from babel.messages.pofile import read_po
from flask import session

import app.i18n as i18n

CATALOGUE = Path(i18n.__file__).parent / "translations" / "id" / "LC_MESSAGES" / "messages.po"


def _messages() -> list:
    with CATALOGUE.open("rb") as po:
        return [m for m in read_po(po) if m.id and m.string and not m.fuzzy]


def _render(app, source: str, **values) -> str:
    return app.jinja_env.from_string(source).render(**values)


def _as_flask_babel_renders(app, monkeypatch, source: str, **values) -> str:
    """``source`` rendered with Flask-Babel's own template callables, as before ``install_template_gettext``."""
    with monkeypatch.context() as m:
        for name in ("gettext", "ngettext", "_"):
            m.setitem(app.jinja_env.globals, name, app.jinja_env.globals[name])
        app.jinja_env.install_gettext_callables(
            gettext=lambda s: flask_babel.get_translations().ugettext(s),
            ngettext=lambda s, p, n: flask_babel.get_translations().ungettext(s, p, n),
            newstyle=True,
        )
        return _render(app, source, **values)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_text_of_the_catalogue_reads_as_flask_babel_gives_it(app, monkeypatch, lang):
    messages = _messages()
    singular = [m.id for m in messages if isinstance(m.id, str) and "%" not in m.id]
    plural = [m.id for m in messages if not isinstance(m.id, str) and "%" not in m.id[0].replace("%(num)d", "")]
    assert len(singular) > 300 and len(plural) > 10
    texts = "{% for m in ms %}{{ _(m) }}\n{% endfor %}"
    plurals = "{% for one, many in ps %}{% for n in (1, 2, 5) %}{{ ngettext(one, many, n) }}\n{% endfor %}{% endfor %}"
    formatted = "{{ _('Computed under %(reg)s', reg=r) }}"
    with app.test_request_context("/"):
        session["lang"] = lang
        for source, values in ((texts, {"ms": singular}), (plurals, {"ps": plural}), (formatted, {"r": "PP <28>"})):
            written = _render(app, source, **values)
            assert written == _as_flask_babel_renders(app, monkeypatch, source, **values)
            assert written == _render(app, source, **values)  # the callables are ours again
        assert "PP &lt;28&gt;" in _render(app, formatted, r="PP <28>")
        first = singular[0]
        assert _render(app, "{{ _(m) }}", m=first) == flask_babel.gettext(first)
        assert (_render(app, "{{ _(m) }}", m="Deadline clock") == "Hitungan tenggat") is (lang == "id")


def test_the_locale_in_force_is_followed(app):
    source = "{{ _('Deadline clock') }}"
    with app.test_request_context("/"):
        session["lang"] = "en"
        assert _render(app, source) == "Deadline clock"
        with flask_babel.force_locale("id"):
            assert _render(app, source) == "Hitungan tenggat"
        assert _render(app, source) == "Deadline clock"
        session["lang"] = "id"
        flask_babel.refresh()
        assert _render(app, source) == "Hitungan tenggat"
    with app.app_context():  # no request: what Flask-Babel gives there
        assert _render(app, source) == flask_babel.gettext("Deadline clock")


def test_flask_babel_is_asked_once_per_locale(app, monkeypatch):
    calls = []
    real = i18n.get_translations
    monkeypatch.setattr(i18n, "get_translations", lambda: calls.append(1) or real())
    with app.test_request_context("/"):
        session["lang"] = "en"
        assert _render(app, "{% for i in range(50) %}{{ _('Deadline clock') }}{% endfor %}").count("Deadline") == 50
        assert len(calls) == 1
        with flask_babel.force_locale("id"):
            assert "Hitungan tenggat" in _render(app, "{{ _('Deadline clock') }}{{ _('Deadline clock') }}")
        assert len(calls) == 2
        assert _render(app, "{{ _('Deadline clock') }}") == "Deadline clock"
        assert len(calls) == 3
