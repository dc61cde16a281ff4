"""Statistics as data: the rows of every statistics function, as a table too.

:func:`~volunteer_rules.statistics.summary.summarize` and the functions of
:mod:`~volunteer_rules.statistics.decisions` give a :class:`Figures`: the tuple of rows they
always gave (one ``dict`` per group, for people: ``hours`` as a ``Decimal`` of two places),
with ``to_rows()``, ``to_arrow()``, ``to_polars()`` and ``to_pandas()``. The table forms keep
what a program computes with: counts and ``minutes`` as integers, shares (percentages of two
places) as exact decimals, and leave out the hours columns (``hours``, ``hours_per_volunteer``,
``hours_per_active``), which are the minutes rounded for reading.

Example:
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> figures = vr.summarize([vr.parse_record(SAMPLE_RECORD_PAYLOAD)], by=("month",))
    >>> figures[0]["hours"], figures.to_rows()
    (Decimal('2.00'), [{'month': '2024-05', 'volunteers': 1, 'organizations': 1, 'records': 1, 'minutes': 120}])
    >>> figures.to_polars().get_column("minutes").dtype
    Int64
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from volunteer_rules._frames import AsData, Column
from volunteer_rules._privacy import masked_repr

__all__ = ["FIGURE_TYPES", "HOURS_COLUMNS", "Figures"]

_TEXT: Final = (
    "region",
    "region_name",
    "organization",
    "category",
    "month",
    "quarter",
    "year",
    "method",
    "level",
)
_COUNTS: Final = (
    "volunteers",
    "organizations",
    "records",
    "minutes",
    "registered",
    "new_volunteers",
    "new_organizations",
    "active",
    "trained",
    "stations",
    "people_served",
    "needs",
    "projects",
    "slots",
)

FIGURE_TYPES: Final = {
    **dict.fromkeys(_TEXT, "string"),
    **dict.fromkeys(_COUNTS, "int64"),
    "rank": "int32",
    **dict.fromkeys(("active_share", "share", "coverage"), "decimal128(7, 2)"),
}
"""The Arrow type of every column a statistics function gives (its table forms)."""

HOURS_COLUMNS: Final = frozenset({"hours", "hours_per_volunteer", "hours_per_active"})
"""Columns for people (hours rounded to two places), left out of the table forms."""


@masked_repr
class Figures(tuple[dict[str, Any], ...], AsData):
    """Rows of statistics (a tuple of ``dict``), and their table forms.

    Attributes:
        names: every column of the rows, in order (hours columns included).

    Example:
        >>> figures = Figures([{"year": "2024", "minutes": 90, "hours": None}],
        ...                   ("year", "minutes", "hours"))
        >>> figures.to_rows(), [name for name, _, _ in figures.table_columns()]
        ([{'year': '2024', 'minutes': 90}], ['year', 'minutes'])
    """

    names: tuple[str, ...]

    def __new__(cls, rows: Iterable[dict[str, Any]], names: Sequence[str]) -> Figures:
        """The rows, and the names of their columns in order.

        Example:
            >>> Figures([], ("minutes",)).names
            ('minutes',)
        """
        figures = super().__new__(cls, rows)
        figures.names = tuple(names)
        return figures

    def __getnewargs__(self) -> tuple[Any, ...]:
        """What pickling needs to make it again: the rows and the names."""
        return (tuple(self), self.names)

    def table_columns(self) -> Sequence[Column]:
        """The table's columns: :attr:`names` without the hours, typed by :data:`FIGURE_TYPES`.

        Example:
            >>> Figures([], ("rank", "share", "hours")).table_columns()
            (('rank', 'int32', False), ('share', 'decimal128(7, 2)', False))
        """
        return tuple(
            (name, FIGURE_TYPES[name], False) for name in self.names if name not in HOURS_COLUMNS
        )

    def to_rows(self) -> list[dict[str, Any]]:
        """One plain row per group, the table's columns only (no hours), in order.

        Example:
            >>> Figures([], ("minutes",)).to_rows()
            []
        """
        names = [name for name, _, _ in self.table_columns()]
        return [{name: row[name] for name in names} for row in self]
