"""Reading numbers as officers type them: Indonesian (``Rp650.000.000.000``, ``12,5 ha``), English
(``650,000,000,000``, ``12.5``) or bare, with the words press releases use (``Rp650 miliar``). What would be
silently misread is refused; the result is a ``Decimal``, never a float.

Numbers that a machine wrote (ids, versions, page numbers in URLs and hidden fields) are read by ``strict_int``:
ASCII digits only, bounded, anything else is no number at all.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, InvalidOperation
from typing import Literal

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale
from flask_babel import gettext as _

MAX_INPUT_LENGTH = 64  # no number we store needs more characters; longer input is refused unparsed
# Whole rupiah: Rp1.000 triliun is far above any estate in Indonesia and far below Numeric(20, 0).
MAX_RUPIAH = 10**15
Ambiguity = Literal["thousands", "decimal", "error"]
_WIDE = Context(prec=MAX_INPUT_LENGTH + 20)  # enough digits to round any input we accept without an error
_BLANKS = re.compile(r"[\s\u00a0\u202f_']+")
_NUMBER = re.compile(r"(?P<sign>[-\u2212+]?)(?P<num>[0-9][0-9.,]*)(?P<word>[a-z]*)")
_GROUP_HEAD = re.compile(r"[1-9][0-9]{0,2}")
_MULTIPLIERS = {  # word -> power of ten, as press releases write amounts
    **dict.fromkeys(("ribu", "rb", "thousand"), 3),
    **dict.fromkeys(("juta", "jt", "million"), 6),
    **dict.fromkeys(("miliar", "milyar", "billion"), 9),
    **dict.fromkeys(("triliun", "trilyun", "trillion"), 12),
}


def strict_int(text: object, *, maximum: int) -> int | None:
    """``text`` as a whole number from 0 to ``maximum``, or ``None`` when it is not exactly that.

    Only ASCII digits are read (no sign, no blanks inside, no ``²`` or Arabic-Indic digits that ``int()`` and
    ``str.isdigit()`` would let through), and a text longer than ``maximum`` has digits is refused unread, so a
    5,000-digit "id" costs nothing. Blanks around the digits are ignored.
    """
    if isinstance(text, bool) or not isinstance(text, str | int):
        return None
    value = str(text).strip(" \t\r\n")
    if not value or len(value) > len(str(maximum)) or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= maximum else None


class NumberFormatError(ValueError):
    """The text is not a number in any notation we accept."""


class AmbiguousNumberError(NumberFormatError):
    """``1.500`` could be one and a half or one thousand five hundred; the caller asked us not to guess."""


def _check_groups(text: str, sep: str) -> None:
    head, *groups = text.split(sep)
    if not _GROUP_HEAD.fullmatch(head) or any(len(g) != 3 or not g.isdigit() for g in groups):
        raise NumberFormatError(_("Thousands separators must split the number into groups of three digits."))


def _decimal_hint(int_part: str, fraction: str) -> str:
    fraction = fraction.rstrip("0")
    if not fraction:
        return int_part
    return int_part + get_decimal_symbol(str(get_locale() or "id")) + fraction


def _canonical(num: str, ambiguous: Ambiguity) -> str:
    """Rewrite ``1.234,5`` / ``1,234.5`` / ``1234,5`` as ``1234.5``.

    With both separators the last one is the decimal mark. With one separator used several times it
    separates thousands. Used once, it is a decimal mark, unless it is followed by exactly three digits
    after a short integer part (``1.500``): then ``ambiguous`` decides.
    """
    if "." in num and "," in num:
        decimal_mark = "." if num.rfind(".") > num.rfind(",") else ","
        thousands = "," if decimal_mark == "." else "."
        int_part, _mark, fraction = num.partition(decimal_mark)
        if decimal_mark in fraction or thousands in fraction or not fraction:
            raise NumberFormatError(_("Use one decimal mark at most."))
        _check_groups(int_part, thousands)
        return int_part.replace(thousands, "") + "." + fraction
    sep = "." if "." in num else "," if "," in num else None
    if sep is None:
        return num
    parts = num.split(sep)
    if len(parts) > 2:
        _check_groups(num, sep)
        return num.replace(sep, "")
    int_part, fraction = parts
    if not fraction:
        raise NumberFormatError(_("A number cannot end with a separator."))
    if len(fraction) == 3 and _GROUP_HEAD.fullmatch(int_part):
        if ambiguous == "thousands":
            return int_part + fraction
        if ambiguous == "error":
            raise AmbiguousNumberError(
                _(
                    "%(text)s is ambiguous: write %(whole)s for the whole number or %(dec)s for the decimal.",
                    text=num,
                    whole=int_part + fraction,
                    dec=_decimal_hint(int_part, fraction),
                )
            )
    return int_part + "." + fraction


def parse_number(text: str, *, ambiguous: Ambiguity = "decimal", currency: bool = False) -> Decimal:
    """Parse a number typed in Indonesian or English notation, optionally with a word multiplier.

    Accepts ``650000000000``, ``650.000.000.000``, ``650,000,000,000``, ``12,5``, ``12.5``,
    ``1.234,5``, ``1,2 triliun``, ``650 miliar``, ``50 ribu``; with ``currency`` also a leading ``Rp``
    or ``IDR``. Blanks anywhere are ignored. Returns a signed ``Decimal``.

    Raises ``NumberFormatError`` (a ``ValueError``) with a message for the user, or
    ``AmbiguousNumberError`` for ``1.500``-like input when ``ambiguous="error"``.
    """
    if len(text) > MAX_INPUT_LENGTH:
        raise NumberFormatError(_("This number is too long."))
    compact = _BLANKS.sub("", text).lower()
    if currency:
        for prefix in ("rp.", "rp", "idr"):
            if compact.startswith(prefix):
                compact = compact.removeprefix(prefix)
                break
        if compact.endswith(",-"):  # "Rp650.000,-" as written on invoices
            compact = compact.removesuffix(",-")
    match = _NUMBER.fullmatch(compact)
    word = match["word"] if match else ""
    if not match or (word and word not in _MULTIPLIERS):
        raise NumberFormatError(_("Not a number. Type digits, for example 1500 or 12,5."))
    try:
        value = Decimal(_canonical(match["num"], ambiguous))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits and separators
        raise NumberFormatError(_("Not a number.")) from exc
    if word:
        value = value.scaleb(_MULTIPLIERS[word])
    return -value if match["sign"] in ("-", "\u2212") else value
