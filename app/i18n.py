"""Interface language: Indonesian by default, English on request (kept in the session)."""

from __future__ import annotations

from babel.support import Translations
from flask import Flask, current_app, g, has_app_context, has_request_context, session
from flask_babel import get_translations


def select_locale() -> str:
    """The session's language when a request asked for one, else the default (also outside requests)."""
    if has_request_context():
        lang = session.get("lang")
        if lang in current_app.config["LANGUAGES"]:
            return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def template_translations() -> Translations:
    """Flask-Babel's ``get_translations()`` for the templates' ``_()`` and ``ngettext``, kept beside the locale it
    was found for (issue 13): Flask-Babel looks the locale and the translations up through half a dozen context
    proxies on every call, 60-170 times a page. The translations follow the locale in force: a ``force_locale``
    block or a ``refresh()`` changes ``babel_locale``, and a locale that is not the kept one is looked up again."""
    if not has_app_context():
        return get_translations()
    context = g._get_current_object()
    babel = context.__dict__.get("_flask_babel")
    locale = getattr(babel, "babel_locale", None)
    kept = context.__dict__.get("_pantau_translations")
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    context._pantau_translations = (getattr(context.__dict__.get("_flask_babel"), "babel_locale", None), translations)
    return translations


def install_template_gettext(app: Flask) -> None:
    """The Jinja ``gettext``/``ngettext`` of Flask-Babel (installed by ``babel.init_app``), through
    ``template_translations``: the same texts, the same newstyle formatting and escaping."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: template_translations().ugettext(s),
        ngettext=lambda s, p, n: template_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: template_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: template_translations().unpgettext(c, s, p, n),
    )


def gettext(message: str, **values: object) -> str:
    """Flask-Babel's ``gettext`` (the same text, the values put in with ``%``) through ``template_translations``:
    for the Python that writes a page's many lines (the portal's next steps, issue 13)."""
    text = template_translations().ugettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, num: int, **values: object) -> str:
    """Flask-Babel's ``ngettext`` through ``template_translations`` (``num`` among the values, as there)."""
    values.setdefault("num", num)
    return template_translations().ungettext(singular, plural, num) % values
