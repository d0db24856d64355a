"""A Babel extractor for the rows written by Python (``app.html_rows.Texts``): their text is looked up through
``t("...")`` and ``t.plural("...", "...", n)``, often inside f-strings, which Babel's Python extractor does not
read on every Python version. ``babel.cfg`` maps the row modules here; this yields what Babel's own extractor
finds (``_()``, ``_l()`` ...) and every literal ``t(...)`` / ``t.plural(...)`` call found in the syntax tree.
"""

from __future__ import annotations

import ast
import io
from collections.abc import Iterator
from typing import IO, Any

from babel.messages.extract import extract_python


def _texts_call(func: ast.expr) -> str | None:
    """``"gettext"`` for ``t(...)``/``self.t(...)``, ``"ngettext"`` for ``t.plural(...)``, else None."""
    if isinstance(func, ast.Name) and func.id == "t":
        return "gettext"
    if isinstance(func, ast.Attribute):
        if func.attr == "t":
            return "gettext"
        if func.attr == "plural" and _texts_call(func.value) == "gettext":
            return "ngettext"
    return None


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]) -> Iterator[tuple]:
    source = fileobj.read()
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, options)
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        kind = _texts_call(node.func)
        texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if kind == "gettext" and texts:
            yield node.lineno, kind, texts[0], []
        elif kind == "ngettext" and len(texts) >= 2:
            yield node.lineno, kind, (texts[0], texts[1]), []
