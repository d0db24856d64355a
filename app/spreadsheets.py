"""Rows of text from a CSV or XLSX file, and blank templates in both formats: what ``app.imports`` reads and offers.

CSV must be UTF-8 (with or without the BOM Excel writes) and may be separated by commas, semicolons (Excel with an
Indonesian locale) or tabs. XLSX is read from its first sheet with openpyxl in read-only mode; every cell becomes
text (whole numbers without ``.0``, dates as ``YYYY-MM-DD``). Old binary ``.xls`` and other formats are refused.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath

from flask_babel import gettext as _

DELIMITERS = (",", ";", "\t")
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls and other old Office files


class UnreadableFile(ValueError):
    """The file is not CSV or XLSX as described above; ``str()`` says why, for the user."""


def cell_text(value: object) -> str:
    """A cell as text: whole floats without ``.0``, dates as ISO (a midnight timestamp is its date)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _csv_lines(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(
            _("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”, or send the .xlsx file.")
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count)  # no column name holds a comma, a semicolon or a tab
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise UnreadableFile(_("The CSV file could not be read: %(reason)s", reason=str(exc))) from None


def _xlsx_lines(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():  # styles or extensions openpyxl does not know: the values still read
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise UnreadableFile(_("The file could not be read as an Excel workbook (.xlsx).")) from None
    try:
        for cells in book.worksheets[0].iter_rows(values_only=True):
            yield [cell_text(value) for value in cells]
    finally:
        book.close()


def lines(filename: str, content: bytes) -> Iterator[list[str]]:
    """Each line of the file as a list of cell texts (XLSX by its content or name, else CSV).

    Raises ``UnreadableFile``, possibly while iterating.
    """
    suffix = PurePath(filename).suffix.lower()
    if content.startswith(XLSX_MAGIC) or suffix in (".xlsx", ".xlsm"):
        return _xlsx_lines(content)
    if suffix in (".xls", ".ods", ".numbers") or content.startswith(OLE_MAGIC):
        raise UnreadableFile(_("Only CSV and XLSX files can be imported: save the sheet as .xlsx or as CSV UTF-8."))
    return _csv_lines(content)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV (UTF-8 with a BOM, so that Excel reads it as UTF-8) of the header and rows."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell_text(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], sheet_title: str) -> bytes:
    """An XLSX workbook of the header (bold) and rows, every cell stored as text so that Excel keeps a NIB whole."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([cell_text(value) for value in row])
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(14, len(name) + 4)
        for (cell,) in sheet.iter_rows(min_col=index, max_col=index):
            cell.number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
