"""Form fields and validators shared by every package.

Officers type numbers the way Indonesian documents print them (``Rp650.000.000.000``, ``12,5 ha``), the way
English ones do (``650,000,000,000``, ``12.5``) or bare (``650000000000``). The fields below accept all of
these, refuse what would be silently misread, and hand the form a ``Decimal`` (never a float).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from babel import Locale
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice, enum_choices, enum_coerce
from wtforms.form import BaseForm
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import TextInput

from app.formatting import day, hectares, number, rupiah, rupiah_short
from app.numbers import _BLANKS, _WIDE, MAX_RUPIAH, Ambiguity, parse_number, strict_int
from app.timezone import today_wib
from app.urls import MAX_ID

# Territories Babel lists that are not countries an investor can come from.
NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})


def _stop_on_process_errors(field: Field) -> None:
    # A value that could not be read has one clear message already; range checks would only add noise.
    if field.process_errors:
        raise StopValidation()


class _NumberField(Field):
    """A text input read with ``parse_number``; subclasses format the value back for the locale."""

    widget = TextInput()
    ambiguous: Ambiguity = "decimal"
    currency = False

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            self.data = self.convert(parse_number(str(valuelist[0]), ambiguous=self.ambiguous, currency=self.currency))

    def convert(self, value: Decimal) -> Decimal | int:
        return value

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else self.format(self.data)

    def format(self, value: Any) -> str:
        return str(value)


class WholeNumberField(_NumberField):
    """A count such as jobs or housing units: ``50.000``, ``50,000`` or ``50000``; returns an ``int``.

    Refuses negatives, fractions and values above ``maximum`` (keep it below the column's limit).
    """

    ambiguous: Ambiguity = "thousands"

    def __init__(
        self, label: str | None = None, validators: list | None = None, *, maximum: int = 10_000_000, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.maximum = maximum

    def convert(self, value: Decimal) -> int:
        if value < 0:
            raise ValueError(_("Cannot be negative."))
        if value != value.to_integral_value():
            raise ValueError(_("Whole numbers only."))
        return int(value)

    def format(self, value: Any) -> str:
        return str(int(value))

    def pre_validate(self, form: BaseForm) -> None:
        _stop_on_process_errors(self)
        if self.data is not None and self.data > self.maximum:
            raise StopValidation(_("At most %(max)s.", max=number(self.maximum)))


class RupiahField(WholeNumberField):
    """Whole rupiah as a ``Decimal``: ``Rp650.000.000.000``, ``650.000.000.000``, ``650000000000``, ``650 miliar``.

    Refuses negatives, fractions of a rupiah and amounts above ``maximum`` (default Rp1.000 triliun).
    """

    currency = True

    def __init__(
        self, label: str | None = None, validators: list | None = None, *, maximum: int = MAX_RUPIAH, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, maximum=maximum, **kwargs)

    def convert(self, value: Decimal) -> Decimal:
        if value < 0:
            raise ValueError(_("An amount cannot be negative."))
        if value != value.to_integral_value():
            raise ValueError(_("Whole rupiah only: no fractions of a rupiah."))
        return Decimal(int(value))  # any size: the range check comes next, with its own message

    def format(self, value: Any) -> str:
        return format_decimal(int(value), format="#,##0")

    def pre_validate(self, form: BaseForm) -> None:
        _stop_on_process_errors(self)
        if self.data is not None and self.data > self.maximum:
            raise StopValidation(
                _("At most %(max)s (%(short)s).", max=rupiah(self.maximum), short=rupiah_short(self.maximum))
            )


class DecimalTextField(_NumberField):
    """A decimal typed with a comma or a point (``12,5`` or ``12.5``); returns a ``Decimal``.

    ``minimum``/``maximum`` bound the value (``minimum_inclusive=False`` makes the lower bound strict);
    ``places`` is the most decimals the column keeps: more are refused, or rounded when ``round_places``.
    """

    def __init__(
        self,
        label: str | None = None,
        validators: list | None = None,
        *,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        minimum_inclusive: bool = True,
        places: int = 4,
        round_places: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum, self.minimum_inclusive = minimum, maximum, minimum_inclusive
        self.places, self.round_places = places, round_places

    def convert(self, value: Decimal) -> Decimal:
        step = Decimal(1).scaleb(-self.places)
        rounded = value.quantize(step, context=_WIDE)
        if value != rounded:
            if not self.round_places:
                raise ValueError(_("At most %(n)s decimal places.", n=self.places))
            value = rounded
        return value

    def describe(self, value: Decimal) -> str:
        return number(value)

    def format(self, value: Any) -> str:
        return format_decimal(Decimal(value), format="0." + "#" * self.places)

    def pre_validate(self, form: BaseForm) -> None:
        _stop_on_process_errors(self)
        if self.data is None:
            return
        low = self.minimum
        if low is not None and (self.data < low or (self.data == low and not self.minimum_inclusive)):
            if self.minimum_inclusive:
                raise StopValidation(_("Must be at least %(min)s.", min=self.describe(low)))
            raise StopValidation(_("Must be more than %(min)s.", min=self.describe(low)))
        if self.maximum is not None and self.data > self.maximum:
            raise StopValidation(_("At most %(max)s.", max=self.describe(self.maximum)))


class HectaresField(DecimalTextField):
    """An area in hectares: ``12,5``, ``12.5``, ``1500`` or ``1.500,25`` (a trailing ``ha`` is allowed).

    ``1.500`` alone is refused as ambiguous rather than guessed. Defaults: more than 0 and at most
    10.000 ha, four decimals (the ``Numeric(12, 4)`` column).
    """

    ambiguous: Ambiguity = "error"

    def __init__(self, label: str | None = None, validators: list | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("minimum", Decimal(0))
        kwargs.setdefault("minimum_inclusive", False)
        kwargs.setdefault("maximum", Decimal(10_000))
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            text = str(valuelist[0]).strip()
            if text.lower().endswith("ha"):
                text = text[:-2]
            valuelist = [text]
        super().process_formdata(valuelist)

    def convert(self, value: Decimal) -> Decimal:
        if value < 0:
            raise ValueError(_("An area cannot be negative."))
        return super().convert(value)

    def describe(self, value: Decimal) -> str:
        return hectares(value)


class DigitsField(StringField):
    """An identifier made of digits (NIB, NPWP, KBLI); dots, dashes and blanks are dropped.

    ``lengths`` lists the allowed numbers of digits. ``data`` is the digit string or ``None`` when empty.
    """

    def __init__(
        self, label: str | None = None, validators: list | None = None, *, lengths: tuple[int, ...], **kwargs: Any
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.lengths = lengths

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist:
            return
        text = _BLANKS.sub("", str(valuelist[0])).replace(".", "").replace("-", "")
        if not text:
            return
        if not text.isascii() or not text.isdigit():
            raise ValueError(_("Digits only (dots, dashes and spaces are allowed between them)."))
        self.data = text

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])  # what was typed, dots and all, when the form comes back
        return self.data or ""

    def pre_validate(self, form: BaseForm) -> None:
        _stop_on_process_errors(self)
        if self.data is not None and len(self.data) not in self.lengths:
            wanted = _(" or ").join(str(n) for n in self.lengths)
            raise StopValidation(
                _("Must be exactly %(wanted)s digits; this has %(got)s.", wanted=wanted, got=len(self.data))
            )


def _optional_int(value: Any) -> int | None:
    """An id from a select: ``None`` when empty, ``ValueError`` for anything but 0..MAX_ID in ASCII digits."""
    if value is None or value == "":
        return None
    number = strict_int(value, maximum=MAX_ID)
    if number is None:
        raise ValueError(str(value)[:20])
    return number


class IdSelectField(SelectField):
    """A select of database ids: a tampered or unknown id is a field error, never a 500.

    ``options`` is called when the form is built and returns ``(id, label)`` pairs; ``placeholder`` adds
    an empty first option (pair it with ``InputRequired`` or ``Optional``). ``data`` is an ``int`` or ``None``.
    """

    def __init__(
        self,
        label: str | None = None,
        validators: list | None = None,
        *,
        options: Callable[[], Iterable[tuple[int, str]]],
        placeholder: str | None = None,
        message: str | None = None,
        **kwargs: Any,
    ) -> None:
        def choices() -> list[SelectChoice]:
            head = [SelectChoice("", str(placeholder))] if placeholder is not None else []
            return head + [SelectChoice(str(key), name) for key, name in options()]

        message = message or _l("Choose one of the options in the list.")
        kwargs.setdefault("invalid_choice_message", message)
        kwargs.setdefault("invalid_value_message", message)
        super().__init__(label, validators, coerce=_optional_int, choices=choices, **kwargs)

    def pre_validate(self, form: BaseForm) -> None:
        # A value that is not one of the options stops here: no validator may look it up in the database.
        _stop_on_process_errors(self)
        try:
            super().pre_validate(form)
        except ValidationError as error:
            raise StopValidation(error.args[0]) from error


def country_choices() -> list[SelectChoice]:
    """ISO 3166-1 alpha-2 codes with their names in the interface language, sorted by name."""
    territories = Locale.parse(str(get_locale() or "id")).territories
    pairs = [(code, name) for code, name in territories.items() if len(code) == 2 and code not in NOT_COUNTRIES]
    return [SelectChoice(code, name) for code, name in sorted(pairs, key=lambda pair: pair[1].casefold())]


class CountryField(SelectField):
    """A country as its ISO code, chosen from Babel's territory names in the interface language."""

    def __init__(self, label: str | None = None, validators: list | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", _l("Choose a country from the list."))
        super().__init__(label, validators, choices=country_choices, coerce=lambda v: (v or "").upper(), **kwargs)


def enum_select(enum_cls: type[StrEnum]) -> dict[str, Any]:
    """``choices`` and ``coerce`` for a ``SelectField`` of a labelled enum; ``data`` is the member.

    The labels are read when each form is built, so they follow the request's language.
    """
    return {
        "choices": lambda: enum_choices(enum_cls, label=lambda member: str(member.label)),
        "coerce": enum_coerce(enum_cls),
        "invalid_choice_message": _l("Choose one of the options in the list."),
        "invalid_value_message": _l("Choose one of the options in the list."),
    }


class Present:
    """The field must have a value once read (``0`` counts as a value; blanks do not). Marks it required."""

    field_flags = {"required": True}

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: BaseForm, field: Field) -> None:
        data = field.data
        if data is None or (isinstance(data, str) and not data.strip()):
            raw = field.raw_data[0] if field.raw_data else ""
            if field.process_errors and isinstance(raw, str) and raw.strip():
                raise StopValidation()  # something was typed but could not be read: that message stays
            field.errors[:] = []  # "required" says it all; drop "not a valid date" for an empty date
            raise StopValidation(self.message or _("This field is required."))


class NotInFuture:
    """A date that must not be after today in WIB."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: BaseForm, field: Field) -> None:
        if field.data is not None and field.data > today_wib():
            raise ValidationError(
                self.message or _("Cannot be in the future (today is %(today)s).", today=day(today_wib()))
            )


class NotBefore:
    """A date that must not be before ``earliest`` (catches typos such as year 0202)."""

    def __init__(self, earliest: date) -> None:
        self.earliest = earliest

    def __call__(self, form: BaseForm, field: Field) -> None:
        if field.data is not None and field.data < self.earliest:
            raise ValidationError(_("Cannot be before %(day)s.", day=day(self.earliest)))


class HttpUrl:
    """An absolute http or https URL (no javascript:, ftp:, file: or relative links)."""

    def __call__(self, form: BaseForm, field: Field) -> None:
        if not field.data:
            return
        parts = urlsplit(field.data)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host or " " in field.data or "." not in host:
            raise ValidationError(_("Enter a full web address starting with http:// or https://."))


class PhoneNumber:
    """A phone number: digits with optional +, spaces, dashes, dots and parentheses; 6 to 15 digits."""

    _ALLOWED = re.compile(r"\+?[0-9 ()./-]+")

    def __call__(self, form: BaseForm, field: Field) -> None:
        if not field.data:
            return
        digits = sum(ch.isdigit() for ch in field.data)
        if not self._ALLOWED.fullmatch(field.data) or not 6 <= digits <= 15:
            raise ValidationError(_("Enter a phone number such as 0254 123456 or +62 812 3456 7890."))


def strip_or_none(value: Any) -> Any:
    """A field filter: trim text and turn an empty string into ``None``."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
