"""The shared form fields of app/forms.py: numbers as officers type them, ids, countries and validators."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from flask import Flask, session
from flask_babel import refresh
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import DateField, Form, StringField
from wtforms.validators import Optional

from app.forms import (
    CountryField,
    DecimalTextField,
    DigitsField,
    HectaresField,
    HttpUrl,
    IdSelectField,
    NotBefore,
    NotInFuture,
    PhoneNumber,
    Present,
    RupiahField,
    WholeNumberField,
    today_wib,
)
from app.numbers import MAX_RUPIAH, AmbiguousNumberError, NumberFormatError, parse_number


@pytest.fixture(autouse=True)
def request_context(app: Flask):
    with app.test_request_context():
        yield


def _switch_to_indonesian() -> None:
    """The interface's default language (the shared test app defaults to English)."""
    session["lang"] = "id"
    refresh()


def _switch_to_english() -> None:
    session["lang"] = "en"
    refresh()  # Flask-Babel caches the locale for the request


def _form(form_cls: type[Form], **data: str) -> Form:
    form = form_cls(MultiDict(data))
    form.validate()
    return form


# --- parse_number ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("650000000000", Decimal("650000000000")),
        ("650.000.000.000", Decimal("650000000000")),
        ("650,000,000,000", Decimal("650000000000")),
        ("650 000 000 000", Decimal("650000000000")),
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        ("1.234,56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        ("0.125", Decimal("0.125")),
        ("-6.1234", Decimal("-6.1234")),
        ("1,2 triliun", Decimal("1200000000000")),
        ("650 miliar", Decimal("650000000000")),
        ("650 Milyar", Decimal("650000000000")),
        ("50 ribu", Decimal("50000")),
        ("1.5 billion", Decimal("1500000000")),
    ],
)
def test_parse_number_reads_both_notations(text: str, expected: Decimal):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text", ["Rp650.000.000.000", "Rp 650.000.000.000", "IDR 650,000,000,000", "Rp650.000.000.000,-"]
)
def test_parse_number_currency_prefixes(text: str):
    assert parse_number(text, currency=True, ambiguous="thousands") == Decimal("650000000000")


@pytest.mark.parametrize(
    "text", ["abc", "12,", ",5", "1.2.3", "1,23,456", "1.234,5,6", "12 ha ha", "5 kilo", "1e5", "Rp5", "9" * 65]
)
def test_parse_number_refuses_garbage(text: str):
    with pytest.raises(NumberFormatError):
        parse_number(text)


def test_parse_number_ambiguity_is_the_callers_choice():
    assert parse_number("1.500", ambiguous="thousands") == Decimal(1500)
    assert parse_number("1.500", ambiguous="decimal") == Decimal("1.5")
    with pytest.raises(AmbiguousNumberError):
        parse_number("1.500", ambiguous="error")
    # Not ambiguous: a leading zero, more or fewer than three decimals, or both separators.
    assert parse_number("0.500", ambiguous="error") == Decimal("0.5")
    assert parse_number("1.50", ambiguous="error") == Decimal("1.5")
    assert parse_number("1.500,5", ambiguous="error") == Decimal("1500.5")


@given(st.integers(min_value=0, max_value=MAX_RUPIAH))
def test_rupiah_round_trips_through_indonesian_and_english_grouping(amount: int):
    indonesian = f"{amount:,}".replace(",", ".")
    assert parse_number("Rp" + indonesian, currency=True, ambiguous="thousands") == amount
    assert parse_number(f"{amount:,}", currency=True, ambiguous="thousands") == amount


# --- RupiahField -----------------------------------------------------------------------------------------


class MoneyForm(Form):
    amount = RupiahField("Amount", [Optional()])


@pytest.mark.parametrize("text", ["650.000.000.000", "Rp650.000.000.000", "650000000000", "650 miliar"])
def test_rupiah_field_accepts_the_usual_notations(text: str):
    form = _form(MoneyForm, amount=text)
    assert not form.errors
    assert form.amount.data == Decimal("650000000000")
    assert isinstance(form.amount.data, Decimal)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12,5", "Whole rupiah only"),
        ("650.000.000.000,50", "Whole rupiah only"),
        ("-5", "cannot be negative"),
        ("Rp1.000.000.000.000.001", "At most"),
        ("1001 triliun", "At most"),
        ("9" * 30, "At most"),
        ("lots", "Not a number"),
    ],
)
def test_rupiah_field_refuses_fractions_negatives_and_absurd_amounts(text: str, message: str):
    form = _form(MoneyForm, amount=text)
    assert form.amount.data is None or form.amount.data > MAX_RUPIAH
    assert len(form.amount.errors) == 1
    assert message in form.amount.errors[0]


def test_rupiah_field_limit_is_inclusive():
    assert not _form(MoneyForm, amount=str(MAX_RUPIAH)).errors
    assert _form(MoneyForm, amount=str(MAX_RUPIAH + 1)).errors


def test_rupiah_field_empty_is_none_and_shows_grouped_value():
    _switch_to_indonesian()
    assert _form(MoneyForm, amount="  ").amount.data is None
    form = MoneyForm(data={"amount": Decimal("650000000000")})
    assert form.amount._value() == "650.000.000.000"  # Indonesian by default
    _switch_to_english()
    assert MoneyForm(data={"amount": Decimal("650000000000")}).amount._value() == "650,000,000,000"


# --- HectaresField and other decimals --------------------------------------------------------------------


class AreaForm(Form):
    area = HectaresField("Area", [Present()])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        ("150", "150"),
        ("150 ha", "150"),
        ("0,0001", "0.0001"),
        ("1.500,25", "1500.25"),
    ],
)
def test_hectares_field_reads_comma_or_point(text: str, expected: str):
    form = _form(AreaForm, area=text)
    assert not form.errors
    assert form.area.data == Decimal(expected)
    assert isinstance(form.area.data, Decimal)


@pytest.mark.parametrize(
    ("text", "valid"),
    [("0", False), ("0,0001", True), ("10000", True), ("10000,0001", False), ("-1", False), ("0,00001", False)],
)
def test_hectares_field_limits(text: str, valid: bool):
    assert (not _form(AreaForm, area=text).errors) is valid


def test_hectares_field_refuses_ambiguous_thousands_with_a_hint():
    form = _form(AreaForm, area="1.500")
    assert form.area.data is None
    assert "ambiguous" in form.area.errors[0]
    assert "1500" in form.area.errors[0]


def test_hectares_field_shows_the_value_without_grouping():
    _switch_to_indonesian()
    # "1.500" would be refused as ambiguous when the form comes back, so never render it that way.
    assert AreaForm(data={"area": Decimal("1500.25")}).area._value() == "1500,25"


def test_required_number_says_required_once():
    form = _form(AreaForm, area="")
    assert form.area.errors == ["This field is required."]


class CoordinateForm(Form):
    lat = DecimalTextField(
        "Lat", [Optional()], minimum=Decimal("-7.1"), maximum=Decimal("-5.7"), places=6, round_places=True
    )


def test_decimal_field_rounds_when_asked_and_checks_inclusive_bounds():
    assert _form(CoordinateForm, lat="-6.01234567891").lat.data == Decimal("-6.012346")
    assert not _form(CoordinateForm, lat="-7.1").errors
    assert _form(CoordinateForm, lat="-7.100001").errors
    assert not _form(CoordinateForm, lat="-5.7").errors
    assert _form(CoordinateForm, lat="-5.699").errors


class CountForm(Form):
    jobs = WholeNumberField("Jobs", [Optional()], maximum=1000)


@pytest.mark.parametrize(("text", "expected"), [("1.000", 1000), ("1,000", 1000), ("999", 999), ("0", 0)])
def test_whole_number_field(text: str, expected: int):
    form = _form(CountForm, jobs=text)
    assert not form.errors
    assert form.jobs.data == expected


@pytest.mark.parametrize("text", ["1001", "1,5", "-1", "x"])
def test_whole_number_field_refuses(text: str):
    assert _form(CountForm, jobs=text).errors


# --- DigitsField -----------------------------------------------------------------------------------------


class IdsForm(Form):
    nib = DigitsField("NIB", [Optional()], lengths=(13,))
    npwp = DigitsField("NPWP", [Optional()], lengths=(15, 16))


@pytest.mark.parametrize(("nib", "valid"), [("1" * 12, False), ("1" * 13, True), ("1" * 14, False)])
def test_nib_needs_exactly_13_digits(nib: str, valid: bool):
    form = _form(IdsForm, nib=nib)
    assert (not form.errors) is valid
    if not valid:
        assert "13" in form.nib.errors[0]


@pytest.mark.parametrize(
    ("npwp", "stored"),
    [("01.234.567.8-901.000", "012345678901000"), ("0123456789012345", "0123456789012345"), ("", None)],
)
def test_npwp_keeps_digits_only(npwp: str, stored: str | None):
    form = _form(IdsForm, npwp=npwp)
    assert not form.errors
    assert form.npwp.data == stored


@pytest.mark.parametrize("npwp", ["01234567890123", "01234567890123456", "01.234.567.8-901.00A", "١٢٣"])
def test_npwp_refuses_wrong_lengths_and_letters(npwp: str):
    form = _form(IdsForm, npwp=npwp)
    assert form.npwp.errors
    assert form.npwp._value() == npwp  # shown back as typed


# --- selects ---------------------------------------------------------------------------------------------


class PickForm(Form):
    thing = IdSelectField("Thing", [Present()], options=lambda: [(1, "One"), (2, "Two")], placeholder="Choose…")
    country = CountryField("Country")


@pytest.mark.parametrize(
    ("value", "ok"),
    [("1", True), ("2", True), ("3", False), ("abc", False), ("99999999999999999999", False), ("", False)],
)
def test_id_select_accepts_only_listed_ids(value: str, ok: bool):
    form = _form(PickForm, thing=value, country="ID")
    assert ("thing" not in form.errors) is ok
    if ok:
        assert form.thing.data == int(value)


def test_id_select_renders_placeholder_first():
    html = str(PickForm().thing())
    assert html.index("Choose…") < html.index("One")


@pytest.mark.parametrize(("code", "ok"), [("CN", True), ("id", True), ("XX", False), ("EU", False), ("001", False)])
def test_country_is_an_iso_code_from_the_list(code: str, ok: bool):
    form = _form(PickForm, thing="1", country=code)
    assert ("country" not in form.errors) is ok
    if ok:
        assert form.country.data == code.upper()


def test_country_names_follow_the_language():
    _switch_to_indonesian()
    assert dict((c.value, c.label) for c in PickForm().country.choices)["CN"] == "Tiongkok"
    _switch_to_english()
    assert dict((c.value, c.label) for c in PickForm().country.choices)["CN"] == "China"


# --- validators ------------------------------------------------------------------------------------------


class MiscForm(Form):
    url = StringField("URL", [Optional(), HttpUrl()])
    phone = StringField("Phone", [Optional(), PhoneNumber()])
    day = DateField("Day", [Optional(), NotInFuture(), NotBefore(date(1967, 1, 1))])


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.org/a?b=1", True),
        ("http://kabar.co.id", True),
        ("javascript:alert(1)", False),
        ("ftp://example.org/file", False),
        ("//example.org", False),
        ("https://", False),
        ("https://localhost", False),
        ("example.org", False),
    ],
)
def test_http_url(url: str, ok: bool):
    assert ("url" not in _form(MiscForm, url=url).errors) is ok


@pytest.mark.parametrize(
    ("phone", "ok"),
    [("0254 123456", True), ("+62 812-3456-7890", True), ("(0254) 123456", True), ("12345", False), ("abc", False)],
)
def test_phone(phone: str, ok: bool):
    assert ("phone" not in _form(MiscForm, phone=phone).errors) is ok


@time_machine.travel(datetime(2025, 9, 16, 18, 0, tzinfo=UTC), tick=False)  # 17 September, 01.00 WIB
def test_not_in_future_uses_the_date_in_banten():
    assert today_wib() == date(2025, 9, 17)
    assert "day" not in _form(MiscForm, day="2025-09-17").errors
    assert "day" in _form(MiscForm, day="2025-09-18").errors


def test_not_before():
    assert "day" not in _form(MiscForm, day="1967-01-01").errors
    assert "day" in _form(MiscForm, day="1966-12-31").errors


def test_present_keeps_a_parse_error_instead_of_saying_required():
    class DateForm(Form):
        day = DateField("Day", [Present()])

    assert _form(DateForm, day="2025-13-45").day.errors == ["Not a valid date value."]
    assert _form(DateForm, day="").day.errors == ["This field is required."]
