"""Plain rows to Arrow tables, polars and pandas DataFrames: the one conversion every result uses.

A result of the library (certifications, counts, exclusions, findings, matches, statistics) knows
its rows (``dict`` per row, plain Python values) and its columns, each ``(name, type, nullable)``
with the type written as Arrow writes it: ``string``, ``bool``, ``int32``, ``int64``, ``date32``,
``decimal128(P, S)``, ``list<T>`` and ``struct<name: T, ...>`` (a struct field is null only when its
type ends in ``?``: ``slot: int32?``). This module turns the two into an Arrow table, and that table
into a polars or pandas DataFrame, so every result gives the same columns, types and values in every
form. Minutes are integers; nothing here is a float.

pyarrow, polars and pandas are imported only when a conversion asks for them; a missing one is
:class:`~volunteer_rules.errors.MissingDependencyError` saying what to install.

Example:
    >>> columns = (("volunteer_id", "string", False), ("minutes", "int64", False))
    >>> table = arrow_table([{"volunteer_id": "V1", "minutes": 90}], columns)
    >>> table.schema.field("minutes").type, table.to_pylist()
    (DataType(int64), [{'volunteer_id': 'V1', 'minutes': 90}])
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, Final

from volunteer_rules.errors import MissingDependencyError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = [
    "TABLES_EXTRA",
    "AsData",
    "Column",
    "arrow_schema",
    "arrow_table",
    "arrow_type",
    "pandas_frame",
    "polars_frame",
    "require",
]

Column = tuple[str, str, bool]
"""One column of a result table: ``(name, Arrow type as text, nullable)``."""

TABLES_EXTRA: Final = 'pip install "volunteer_rules[tables]"'
"""What installs pyarrow and polars."""

_INSTALL: Final = {
    "pyarrow": TABLES_EXTRA,
    "polars": TABLES_EXTRA,
    "pandas": 'pip install pandas (and "volunteer_rules[tables]" for pyarrow)',
}


def require(package: str) -> ModuleType:
    """Import an optional dependency, or raise the error that says how to install it.

    Raises:
        MissingDependencyError: the package is not installed.

    Example:
        >>> require("pyarrow").__name__
        'pyarrow'
        >>> require("no_such_package_here")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.MissingDependencyError: this needs no_such_package_here, which is not installed: pip install no_such_package_here
    """
    try:
        return importlib.import_module(package)
    except ImportError:
        install = _INSTALL.get(package, f"pip install {package}")
        raise MissingDependencyError(package, install) from None


def _split_top(text: str) -> list[str]:
    """``a, list<b>, struct<c: d, e: f>`` split at the commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "<(":
            depth += 1
        elif char in ">)":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def arrow_type(name: str) -> pa.DataType:
    """The Arrow type written as text (see the module's description).

    Example:
        >>> arrow_type("list<struct<record_id: string, reason: string>>")
        ListType(list<item: struct<record_id: string not null, reason: string not null>>)
        >>> arrow_type("decimal128(20, 2)")
        Decimal128Type(decimal128(20, 2))
    """
    pa = require("pyarrow")
    simple = {
        "string": pa.string(),
        "bool": pa.bool_(),
        "int32": pa.int32(),
        "int64": pa.int64(),
        "date32": pa.date32(),
    }
    if name in simple:
        return simple[name]
    if name.startswith("list<") and name.endswith(">"):
        return pa.list_(arrow_type(name[5:-1]))
    if name.startswith("struct<") and name.endswith(">"):
        fields = [
            (n.strip(), t.strip()) for n, t in (p.split(":", 1) for p in _split_top(name[7:-1]))
        ]
        return pa.struct(
            [
                pa.field(n, arrow_type(t.removesuffix("?")), nullable=t.endswith("?"))
                for n, t in fields
            ]
        )
    if name.startswith("decimal128(") and name.endswith(")"):
        precision, scale = (int(x) for x in name[11:-1].split(","))
        return pa.decimal128(precision, scale)
    raise ValueError(f"no Arrow type is written {name!r}")  # a mistake in the library


def arrow_schema(columns: Sequence[Column]) -> pa.Schema:
    """The Arrow schema of a column spec.

    Example:
        >>> arrow_schema([("as_of", "date32", False)])
        as_of: date32[day] not null
    """
    pa = require("pyarrow")
    return pa.schema([pa.field(n, arrow_type(t), nullable=null) for n, t, null in columns])


def arrow_table(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> pa.Table:
    """The rows as an Arrow table of exactly these columns (extra keys are left out).

    Raises:
        MissingDependencyError: pyarrow is not installed.

    Example:
        >>> arrow_table([], [("n", "int64", False)]).num_rows
        0
    """
    pyarrow = require("pyarrow")
    table: pa.Table = pyarrow.Table.from_pylist(list(rows), schema=arrow_schema(columns))
    return table


def polars_frame(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> Any:
    """The rows as a polars DataFrame (through Arrow: the same types).

    Raises:
        MissingDependencyError: polars or pyarrow is not installed.

    Example:
        >>> polars_frame([{"n": 1}], [("n", "int64", False)]).rows()
        [(1,)]
    """
    pl = require("polars")
    return pl.from_arrow(arrow_table(rows, columns))


def pandas_frame(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> Any:
    """The rows as a pandas DataFrame (through Arrow).

    Whole numbers stay integers (pandas' ``Int32``/``Int64``, which hold nulls; booleans are
    ``boolean``, text ``string``: a missing value is ``pd.NA``, never a float NaN), dates are
    ``datetime.date`` values and exact decimals ``Decimal`` values: nothing becomes a float.

    Raises:
        MissingDependencyError: pandas or pyarrow is not installed.

    Example:
        >>> frame = pandas_frame([{"n": 1}, {"n": None}], [("n", "int64", True)])
        >>> str(frame["n"].dtype), frame["n"].tolist()
        ('Int64', [1, <NA>])
    """
    pd = require("pandas")
    mapping = _pandas_integers(pd)
    return arrow_table(rows, columns).to_pandas(types_mapper=mapping.get, date_as_object=True)


def _pandas_integers(pd: ModuleType) -> dict[Any, Any]:
    pa = require("pyarrow")
    return {
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.string(): pd.StringDtype(),  # missing is pd.NA, as for the numbers (not NaN)
    }


class AsData:
    """The table forms of a result that knows its rows and its columns.

    A result class sets ``columns`` (its column spec; or overrides :meth:`table_columns`)
    and writes ``to_rows()``; ``to_arrow()``,
    ``to_polars()`` and ``to_pandas()`` come from here, so the four forms always agree.

    Example:
        >>> class Pairs(tuple, AsData):
        ...     columns = (("n", "int64", False),)
        ...     def to_rows(self):
        ...         return [{"n": n} for n in self]
        >>> Pairs([1, 2]).to_polars().get_column("n").to_list()
        [1, 2]
    """

    __slots__ = ()
    columns: ClassVar[Sequence[Column]] = ()

    def table_columns(self) -> Sequence[Column]:
        """The columns of the table forms (the class's ``columns`` unless a result says).

        Example:
            >>> from volunteer_rules.rules.results import Exclusions
            >>> [name for name, _, _ in Exclusions().table_columns()][:2]
            ['volunteer_id', 'organization_id']
        """
        return self.columns

    def to_rows(self) -> list[dict[str, Any]]:
        """One plain ``dict`` per row, keys in column order (needs no extra).

        Example:
            >>> AsData().to_rows()
            Traceback (most recent call last):
            ...
            NotImplementedError: a result class writes its own rows
        """
        raise NotImplementedError("a result class writes its own rows")

    def to_arrow(self) -> pa.Table:
        """The rows as an Arrow table of the result's columns (pyarrow: the ``tables`` extra).

        Raises:
            MissingDependencyError: pyarrow is not installed.

        Example:
            >>> from volunteer_rules.rules.results import Exclusions
            >>> Exclusions().to_arrow().schema.names
            ['volunteer_id', 'organization_id', 'record_id', 'reason']
        """
        return arrow_table(self.to_rows(), self.table_columns())

    def to_polars(self) -> Any:
        """The rows as a polars DataFrame (the ``tables`` extra).

        Raises:
            MissingDependencyError: polars or pyarrow is not installed.

        Example:
            >>> from volunteer_rules.rules.results import Exclusions
            >>> Exclusions().to_polars().height
            0
        """
        return polars_frame(self.to_rows(), self.table_columns())

    def to_pandas(self) -> Any:
        """The rows as a pandas DataFrame (pandas, and pyarrow of the ``tables`` extra).

        Integers stay integers (nullable ``Int64``/``Int32``), dates are dates; no floats.

        Raises:
            MissingDependencyError: pandas or pyarrow is not installed.

        Example:
            >>> from volunteer_rules.rules.results import Exclusions
            >>> list(Exclusions().to_pandas().columns)
            ['volunteer_id', 'organization_id', 'record_id', 'reason']
        """
        return pandas_frame(self.to_rows(), self.table_columns())
