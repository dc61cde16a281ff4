"""Dates and date-times in text: the one reading every wire form and command-line option uses.

A date is ``YYYY-MM-DD``; a date-time is a date, ``T``, hours and minutes, optional seconds
(with three or six fraction digits) and an optional UTC offset (``+08:00`` or ``Z``). These
are the forms of record format v1 (``docs/record-format.md``). Python's own
``fromisoformat`` reads more since 3.11 (``20260630``, week dates such as ``2026-W26-2``, a
space for ``T``, an hour alone), and a week date names a day its reader may not mean: each
reader here checks the form first, so that a certificate, a profile, a demand, a rule set, a
package, a community payload and a command's ``--as-of`` accept exactly what a record does.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Final

__all__ = ["DATETIME_PATTERN", "DATE_PATTERN", "read_date", "read_datetime"]

DATE_PATTERN: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
"""A date's form: ``YYYY-MM-DD`` in ASCII digits (whether it is a calendar date is not said)."""

DATETIME_PATTERN: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{3}|\.\d{6})?)?"
    r"(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{6})?)?)?",
    re.ASCII,
)
"""A date-time's form; group 1 is its offset (``Z``, ``+08:00``), ``None`` when it has none."""


def read_date(text: object) -> _dt.date | None:
    """The calendar date ``text`` names as ``YYYY-MM-DD``; ``None`` for anything else.

    Example:
        >>> read_date("2026-06-30")
        datetime.date(2026, 6, 30)
        >>> read_date("2026-W26-2"), read_date("20260630"), read_date("2026-02-30")
        (None, None, None)
    """
    if not isinstance(text, str) or DATE_PATTERN.fullmatch(text) is None:
        return None
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:  # the form, but no such day (February 30th)
        return None


def read_datetime(text: object) -> _dt.datetime | None:
    """The date-time ``text`` names in the record format's forms; ``None`` for anything else.

    ``Z`` is UTC. Without an offset the date-time is naive: each caller says whether it takes
    one (most do not).

    Example:
        >>> read_datetime("2026-06-30T08:00+08:00").isoformat()
        '2026-06-30T08:00:00+08:00'
        >>> read_datetime("2026-06-30T00:00Z").utcoffset()
        datetime.timedelta(0)
        >>> read_datetime("2026-06-30 08:00+08:00"), read_datetime("2026-06-30T08+08:00")
        (None, None)
    """
    if not isinstance(text, str):
        return None
    match = DATETIME_PATTERN.fullmatch(text)
    if match is None:
        return None
    if match.group(1) == "Z":
        text = text[:-1] + "+00:00"
    try:
        return _dt.datetime.fromisoformat(text)
    except ValueError:  # the form, but no such moment (25 o'clock, February 30th)
        return None
