"""Helpers of the list tests (tests/test_lists.py and the packages' list tests)."""

from __future__ import annotations

import csv
import io


def csv_table(response) -> list[list[str]]:
    """The rows of a CSV download, after checking that it is one (200, text/csv, an attachment)."""
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))
