"""The Indonesian catalogue: complete, current with the code, safe to compile, and used by default.

The interface speaks Indonesian by default and English on request (DOMAIN.md section 9); msgids are English.
A developer who adds text without translating it, or a translator who drops a ``%(name)s``, fails here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import flask_babel
import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
INDONESIAN_PO = TRANSLATIONS / "id" / "LC_MESSAGES" / "messages.po"
# A named placeholder as Python's %-formatting reads it: %(name)s, %(num)d, %(share).2f ...
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")


def _read(path: Path) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file)


@pytest.fixture(scope="module")
def catalogue() -> Catalog:
    return _read(INDONESIAN_PO)


def _entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _forms(value: str | tuple | list | None) -> list[str]:
    """The singular and plural forms of a msgid or msgstr as a list."""
    if isinstance(value, (tuple, list)):
        return list(value)
    return [value or ""]


def _key(message: Message) -> tuple[str, str | None]:
    return (_forms(message.id)[0], message.context)


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_the_catalogue_is_indonesian_with_one_plural_form(catalogue: Catalog) -> None:
    assert str(catalogue.locale) == "id"
    assert catalogue.num_plurals == 1
    assert catalogue.plural_expr == "0"
    assert not catalogue.fuzzy, "the header is marked fuzzy: pybabel compile would skip the whole catalogue"


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue: Catalog) -> None:
    entries = _entries(catalogue)
    assert len(entries) > 400  # the whole interface, not a stub
    empty = [m.id for m in entries if not all(form.strip() for form in _forms(m.string))]
    fuzzy = [m.id for m in entries if m.fuzzy]
    assert not empty, f"untranslated entries: {empty}"
    assert not fuzzy, f"fuzzy entries (check them, then drop the flag): {fuzzy}"


def test_plural_entries_fill_the_one_indonesian_form(catalogue: Catalog) -> None:
    plurals = [m for m in _entries(catalogue) if m.pluralizable]
    assert plurals, "the code uses ngettext: the catalogue must hold plural entries"
    for message in plurals:
        assert len(_forms(message.string)) == 1, message.id


def test_every_placeholder_of_a_msgid_is_in_its_msgstr_and_no_other(catalogue: Catalog) -> None:
    """A dropped placeholder loses a value; an extra one raises KeyError while the page renders."""
    wrong = []
    for message in _entries(catalogue):
        wanted = set().union(*(_placeholders(form) for form in _forms(message.id)))
        for translation in _forms(message.string):
            if _placeholders(translation) != wanted:
                wrong.append((message.id, translation))
    assert not wrong, f"placeholders differ: {wrong}"


def test_the_catalogue_passes_babels_checks_so_pybabel_compile_succeeds(catalogue: Catalog) -> None:
    """``pybabel compile`` (``make translations``) exits non-zero on any of these errors."""
    errors = [(message.id, [str(error) for error in found]) for message, found in catalogue.check()]
    assert not errors


def test_the_catalogue_holds_every_msgid_of_the_code(tmp_path: Path) -> None:
    """Extract the code as ``make i18n-extract`` does; each msgid must be translated in the catalogue."""
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--ignore-dirs=.* ._ build node_modules",
            "-o",
            str(template),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    extracted = {_key(message): message for message in _entries(_read(template))}
    assert len(extracted) > 400  # the extraction really ran over the code
    # the rows written by Python (app.html_rows.Texts) are read too, their t("...") inside f-strings included
    row_modules = {"permits/list_rows.py", "permits/page_reads.py", "permits/stalls/rows.py"}
    assert row_modules <= {path for m in extracted.values() for path, _line in m.locations}
    assert {"Agency not recorded", "Raised on %(day)s", "investor late"} <= {key[0] for key in extracted}
    translated = {_key(m) for m in _entries(_read(INDONESIAN_PO)) if all(_forms(m.string)) and not m.fuzzy}
    missing = sorted(
        f"{message.locations[0][0]}:{message.locations[0][1]}: {key[0]!r}" if message.locations else repr(key[0])
        for key, message in extracted.items()
        if key not in translated
    )
    assert not missing, (
        "text in the code with no Indonesian translation; run `make i18n-update` and translate "
        "app/translations/id/LC_MESSAGES/messages.po:\n" + "\n".join(missing)
    )


@pytest.fixture
def client(app: Flask, tmp_path: Path, login_as: Callable[..., FlaskClient]) -> Iterator[FlaskClient]:
    """An officer's client of an app with the configured default language.

    The shared test app is told to speak English (its tests read the msgids); this one keeps the real default.
    """
    fresh = create_app(
        "testing",
        overrides={"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]},
        instance_path=str(tmp_path),
    )
    assert fresh.config["BABEL_DEFAULT_LOCALE"] == "id"
    fresh.before_request(flask_babel.refresh)  # requests share this app context, and Flask-Babel caches on g
    user_id = login_as("officer").user.get_id()
    with fresh.app_context():
        test_client = fresh.test_client()
        with test_client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        yield test_client
        db.session.remove()
        db.engine.dispose()


def _heading(html: str) -> str:
    match = re.search(r"<main\b.*?<h1\b[^>]*>(.*?)</h1>", html, re.S)
    assert match, "the page has no <h1> inside <main>"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


def _nav_links(html: str) -> list[str]:
    nav = html[html.index('<ul class="navbar-nav') : html.index("</ul>", html.index('<ul class="navbar-nav'))]
    return [
        re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r'<a class="nav-link[^"]*"[^>]*>(.*?)</a>', nav)
    ]


def test_pages_speak_indonesian_by_default_and_english_after_switching(client: FlaskClient, catalogue: Catalog) -> None:
    indonesian = client.get("/").get_data(as_text=True)
    assert '<html lang="id">' in indonesian
    heading = catalogue.get("Industrial estates of Banten").string
    assert _heading(indonesian) == heading == "Kawasan industri di Banten"
    assert _nav_links(indonesian)[:4] == [
        catalogue.get(text).string for text in ("Dashboard", "Investors", "Estates", "Permits")
    ]
    # Lazy labels of the enums (status words) are translated per request too.
    assert "Dikembalikan untuk perbaikan" in indonesian
    assert "Returned for revision" not in indonesian

    response = client.get("/language/en?next=/")
    assert response.status_code == 302
    english = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert _heading(english) == "Industrial estates of Banten"
    assert _nav_links(english)[:4] == ["Dashboard", "Investors", "Estates", "Permits"]
    assert "Returned for revision (dikembalikan dengan catatan perbaikan)" in english
    assert _nav_links(english) != _nav_links(indonesian)

    client.get("/language/id")
    assert _heading(client.get("/").get_data(as_text=True)) == heading


def test_an_unknown_language_keeps_indonesian(client: FlaskClient) -> None:
    client.get("/language/xx")
    assert _heading(client.get("/").get_data(as_text=True)) == "Kawasan industri di Banten"


def test_a_form_error_reads_in_indonesian(client: FlaskClient) -> None:
    response = client.post(
        "/investors/new", data={"legal_name": "", "capital_status": "pma", "country_of_origin": "ID"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Data tidak disimpan. Silakan perbaiki isian yang ditandai di bawah." in html
    assert "Nothing was saved" not in html
