"""One escaping step per output format for text that came from data or arguments.

Every string from an input file (ids, names, categories, residents' words, file names) or
from a command-line argument reaches HTML, Markdown, CSV or JSON-in-HTML through exactly
one of these functions, and never through a template engine:

* :func:`html_text` for HTML text and attribute values;
* :func:`markdown_text` for Markdown (report.md), so no raw HTML, link or emphasis from
  data is rendered by a CommonMark viewer;
* :func:`csv_cell` / :func:`csv_frame` for spreadsheet cells (OWASP's advice on formula
  injection: a text cell that begins with ``= + - @``, a tab or a carriage return is
  prefixed with an apostrophe; numbers stay numbers);
* :func:`script_json` for data embedded in a ``<script type="application/json">`` element,
  which the page's own script reads with ``JSON.parse`` (nothing there is executed).

Text is also cleaned of what no output should carry: NUL and other control characters
(tab and newline excepted) and the bidirectional override and isolate controls
(U+202A-U+202E, U+2066-U+2069), which can make text read differently from what it is.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pandas as pd

__all__ = ["clean_text", "csv_cell", "csv_frame", "html_text", "markdown_text", "script_json"]

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|~^$])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                  "\u2029": "\\u2029"}  # fmt: skip


def clean_text(value: Any) -> str:
    """Return `value` as text without control or bidirectional-override characters.

    Examples
    --------
    >>> clean_text("Stop" + chr(0) + " A" + chr(0x202E))
    'Stop A'
    """
    return _CONTROL.sub("", str(value))


def html_text(value: Any) -> str:
    """Escape `value` for HTML text or a quoted attribute value.

    Examples
    --------
    >>> html_text('<img src=x onerror="alert(1)"> {{7*7}}')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt; {{7*7}}'
    """
    return html.escape(clean_text(value), quote=True)


def markdown_text(value: Any) -> str:
    r"""Escape `value` so that Markdown renders it as plain text on one line.

    HTML's ``< > &`` become character references (no raw HTML reaches a CommonMark
    renderer); Markdown's own control characters are backslash-escaped (no emphasis,
    link, heading, table cell or code span from data); line breaks become spaces.

    Examples
    --------
    >>> print(markdown_text("# <img src=x onerror=alert(1)> [a](javascript:x) | *b*"))
    \# &lt;img src=x onerror=alert\(1\)&gt; \[a\]\(javascript:x\) \| \*b\*
    """
    text = re.sub(r"\s*[\r\n]+\s*", " ", clean_text(value))
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def csv_cell(value: Any) -> Any:
    """Neutralise a text cell a spreadsheet would read as a formula; other values unchanged.

    Text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading apostrophe (OWASP, "CSV Injection"), unless it is a plain number such as
    ``-12.5``. Numbers, booleans and missing values are returned as they are.

    Examples
    --------
    >>> [csv_cell(v) for v in ["=2+5", "@SUM(1+1)", "-12.5", "L-2316", 3, None]]
    ["'=2+5", "'@SUM(1+1)", '-12.5', 'L-2316', 3, None]
    """
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of `frame` with every text cell passed through :func:`csv_cell`.

    Column names are neutralised too. Numeric columns are left alone.

    Examples
    --------
    >>> csv_frame(pd.DataFrame({"id": ["=1+1", "A"], "n": [1, 2]})).to_dict("list")
    {'id': ["'=1+1", 'A'], 'n': [1, 2]}
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(csv_cell)
    out.columns = [csv_cell(str(c)) for c in out.columns]
    return out


def script_json(data: Any) -> str:
    r"""Serialise `data` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` (and the JavaScript line separators) are written as ``\\u`` escapes
    escapes, so no string can close the element or open a comment; ``JSON.parse`` reads
    them back unchanged. Non-finite floats become ``null``.

    Examples
    --------
    >>> "</script" in script_json({"name": "</script><script>alert(1)</script>"})
    False
    """
    text = json.dumps(_finite(data), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_UNSAFE[m.group(0)], text)


def _finite(data: Any) -> Any:
    """Replace non-finite floats (NaN, inf) with None, recursively."""
    if isinstance(data, float):
        return data if data == data and abs(data) != float("inf") else None
    if isinstance(data, dict):
        return {str(k): _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    return data
