"""Counting frames (see :mod:`volunteer_rules.tables._engine`) from records or record tables."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from typing import Any, Final

import polars as pl
import pyarrow as pa

from volunteer_rules.records.record import Evaluation, ServiceRecord
from volunteer_rules.rules._count import _Row
from volunteer_rules.tables._engine import COUNT_SCHEMA, given_twice, instant, key_hash

__all__ = ["TableSource"]

_EPOCH: Final = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_US: Final = _dt.timedelta(microseconds=1)
_DAY_US: Final = 86_400_000_000
_CHUNK: Final = 65_536


def _instants(values: Sequence[_dt.datetime | None]) -> pa.Array:
    """Aware date-times (any offsets) as microseconds since the epoch (UTC), ``None`` kept."""
    return pa.array(values, pa.timestamp("us")).cast(pa.int64())


def midnight_after_us(as_of: _dt.date) -> int | None:
    """Microseconds since the epoch of the UTC midnight that ends ``as_of`` (None at the end)."""
    if as_of == _dt.date.max:
        return None
    after = _dt.datetime.combine(as_of + _dt.timedelta(days=1), _dt.time(0), _dt.UTC)
    return (after - _EPOCH) // _US


def _late(at_us: pa.Array, recorded: Sequence[_dt.datetime], as_of: _dt.date) -> list[bool]:
    """Whether each ``recorded_at``'s local date is after ``as_of``.

    An offset is less than a day either way: only instants within a day of the midnight that
    ends ``as_of`` (in UTC) need their own offset looked at.
    """
    midnight = midnight_after_us(as_of)
    if midnight is None:
        return [False] * len(recorded)
    instants = at_us.to_pylist()
    low, high = midnight - _DAY_US, midnight + _DAY_US
    return [
        False if at < low else True if at >= high else recorded[i].date() > as_of
        for i, at in enumerate(instants)
    ]


def frame_of_records(records: Sequence[ServiceRecord], as_of: _dt.date) -> pl.DataFrame:
    """The counting frame of record objects (one row per record, in the order given)."""
    parts = [_chunk_frame(records[i : i + _CHUNK], as_of) for i in range(0, len(records), _CHUNK)]
    if not parts:
        return pl.DataFrame(schema=COUNT_SCHEMA)
    return pl.concat(parts, rechunk=len(parts) > 1)


def _chunk_frame(records: Sequence[ServiceRecord], as_of: _dt.date) -> pl.DataFrame:
    columns: list[Any] = list(
        zip(
            *[
                (
                    r.volunteer_id,
                    r.organization_id,
                    r.record_id,
                    r.status,
                    r.date,
                    r.start,
                    r.end,
                    r.recorded_at,
                    r.service._minutes,
                    r.amends,
                    r.evaluation,
                )
                for r in records
            ],
            strict=True,
        )
    )
    vol, org, rid, status, day, start, end, at, minutes, amends, evaluation = columns
    at_us = _instants(at)
    rated = [e for e in evaluation if e is not None]
    if rated:
        rating = [None if e is None else e.rating for e in evaluation]
        rated_on = [None if e is None else e.date for e in evaluation]
    else:
        rating = rated_on = [None] * len(evaluation)
    table = pa.table(
        {
            "volunteer_id": pa.array(vol, pa.string()),
            "organization_id": pa.array(org, pa.string()),
            "record_id": pa.array(rid, pa.string()),
            "status": pa.array(status, pa.string()),
            "date": pa.array(day, pa.date32()),
            "start_us": _instants(start),
            "end_us": _instants(end),
            "at_us": at_us,
            "late": pa.array(_late(at_us, at, as_of), pa.bool_()),
            "minutes": pa.array(minutes, pa.int64()),
            "amends": pa.array(amends, pa.string()),
            "rating": pa.array(rating, pa.string()),
            "rated_on": pa.array(rated_on, pa.date32()),
        }
    )
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


_MOMENTS: Final = ("start", "end", "recorded_at")
_ROW_COLUMNS: Final = (
    "recorded_at",
    "record_id",
    "organization_id",
    "volunteer_id",
    "status",
    "date",
    "start",
    "end",
    "amends",
    "service_minutes",
    "evaluation_rating",
    "evaluation_date",
)


def _utc_text(name: str) -> pl.Expr:
    """An instant column (microseconds since the epoch) as ISO 8601 text in UTC.

    Read back with ``fromisoformat``, every such instant shares one ``tzinfo`` (Python's
    ``timezone.utc``), and instants that share one compare about eight times faster than
    instants with offsets of their own (the exact engine compares intervals).
    """
    return pl.from_epoch(name, time_unit="us").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00")


def _moment(text: str | None) -> _dt.datetime | None:
    return None if text is None else _dt.datetime.fromisoformat(text)


def _us(text: str | None) -> int | None:
    return None if text is None else (_dt.datetime.fromisoformat(text) - _EPOCH) // _US


class TableSource:
    """A valid record table, held (a DataFrame) or scanned (a polars ``LazyFrame``).

    What the table engine reads of it: the counting frame (only the columns counting needs,
    so a scanned Parquet file is read column by column, never whole), and the rows at some
    positions (for the few volunteers the exact engine counts).
    """

    def __init__(self, records: Any) -> None:
        from volunteer_rules.tables.io import _frame

        self.held: pl.DataFrame | None = None
        if isinstance(records, pl.LazyFrame):
            self.lazy = records
        else:
            self.held = _frame(records)
            self.lazy = self.held.lazy()
        self._rows: dict[int, _Row] = {}
        # Whole rows whose key a hash says is given twice (``_at``: their positions), read
        # with the counting frame of a scanned table.
        self.twice: pl.DataFrame | None = None

    def frame(self) -> pl.DataFrame:
        """The whole table."""
        return self.held if self.held is not None else self.lazy.collect()

    def take(self, positions: Sequence[int], columns: Sequence[str]) -> pl.DataFrame:
        """The rows at ``positions`` (in that order), with these columns."""
        if self.held is not None:
            return self.held.select(columns)[list(positions)]
        if self.twice is not None:
            at = pl.DataFrame({"_at": list(positions)}, schema={"_at": pl.UInt32})
            found = at.join(self.twice, on="_at", how="left", maintain_order="left")
            if found.get_column("record_id").null_count() == 0:
                return found.select(columns)
        found = (
            self.lazy.select(columns)
            .with_row_index("_at")
            .filter(pl.col("_at").is_in(list(positions)))
            .collect(engine="streaming")
        )
        order = pl.DataFrame({"_at": list(positions)}, schema={"_at": pl.UInt32})
        return order.join(found, on="_at", how="left", maintain_order="left").drop("_at")

    def rows_at(self, positions: list[int]) -> list[_Row]:
        """The exact engine's rows of the records at ``positions``."""
        missing = sorted(set(positions).difference(self._rows))
        if missing:
            self._hold(missing, self.take(missing, _ROW_COLUMNS))
        return [self._rows[i] for i in positions]

    def rows_in(
        self, frame: pl.DataFrame, texts: pl.DataFrame | None = None
    ) -> Callable[[list[int]], list[_Row]]:
        """``rows_at`` reading a counting frame made with ``texts`` (no second read).

        The text may be apart, in ``texts`` (``_row`` and ``_recorded_at``).
        """

        def rows_at(positions: list[int]) -> list[_Row]:
            missing = sorted(set(positions).difference(self._rows))
            if missing:
                found = frame.filter(pl.col("_row").is_in(missing)).sort("_row")
                if texts is not None:
                    apart = texts.filter(pl.col("_row").is_in(missing)).sort("_row")
                    found = found.hstack(apart.drop("_row"))
                found = found.select(
                    recorded_at="_recorded_at",
                    record_id="record_id",
                    organization_id="organization_id",
                    volunteer_id="volunteer_id",
                    status="status",
                    date="date",
                    start=_utc_text("start_us"),
                    end=_utc_text("end_us"),
                    amends="amends",
                    service_minutes="minutes",
                    evaluation_rating="rating",
                    evaluation_date="rated_on",
                )
                self._hold(missing, found)
            return [self._rows[i] for i in positions]

        return rows_at

    def _hold(self, positions: list[int], rows: pl.DataFrame) -> None:
        # Column by column; an evaluation is immutable, so one is made per (rating, date).
        columns = [column.to_list() for column in rows.iter_columns()]
        evaluations: dict[tuple[str, _dt.date], Evaluation] = {}
        for i, row in zip(positions, zip(*columns, strict=True), strict=True):
            at, rid, org, vol, status, day, start, end, amends, minutes, rating, rated = row
            evaluation = None
            if rating is not None:
                evaluation = evaluations.get((rating, rated))
                if evaluation is None:
                    evaluation = evaluations[rating, rated] = Evaluation(rating=rating, date=rated)
            self._rows[i] = (
                _dt.datetime.fromisoformat(at),
                rid,
                org,
                vol,
                status,
                day,
                _moment(start),
                _moment(end),
                amends,
                minutes,
                evaluation,
            )

    def forget(self) -> None:
        """Let go of the rows read so far."""
        self._rows = {}

    def records_at(self, positions: list[int]) -> list[ServiceRecord]:
        """The records at ``positions``."""
        from volunteer_rules.tables.io import _record_of

        frame = self.take(positions, self.lazy.collect_schema().names())
        return [_record_of(row) for row in frame.iter_rows(named=True)]

    def height(self) -> int:
        """How many rows."""
        if self.held is not None:
            return self.held.height
        return int(self.lazy.select(pl.len()).collect().item())

    def counting_frame(
        self,
        as_of: _dt.date,
        order: bool = True,
        where: pl.Expr | None = None,
        drop: Sequence[int] = (),
        texts: bool = False,
    ) -> pl.DataFrame:
        """The counting frame, with ``_row`` (positions in the table).

        ``at_us`` is left null unless ``order`` (the outcomes' order); only the rows
        ``where`` says (all by default), without those at the positions ``drop``. With
        ``texts``, the text of ``recorded_at`` too (``_recorded_at``: its offset matters), for
        :meth:`rows_in`.
        """
        late = (
            pl.lit(False)
            if as_of == _dt.date.max
            else pl.col("recorded_at").str.slice(0, 10) > as_of.isoformat()
        )
        moments = _MOMENTS if order else _MOMENTS[:2]
        unread = pl.any_horizontal(
            [pl.col(name).is_not_null() & instant(name).is_null() for name in moments]
        )
        lazy = self.lazy.with_row_index("_row")
        if where is not None:
            lazy = lazy.filter(where)
        if drop:
            lazy = lazy.filter(~pl.col("_row").is_in(list(drop)))
        query = lazy.select(
            "_row",
            "volunteer_id",
            "organization_id",
            "record_id",
            "status",
            "date",
            start_us=instant("start"),
            end_us=instant("end"),
            at_us=instant("recorded_at") if order else pl.lit(None, pl.Int64),
            late=late,
            minutes=pl.col("service_minutes").cast(pl.Int64),
            amends="amends",
            rating="evaluation_rating",
            rated_on="evaluation_date",
            _unread=unread,
            **({"_recorded_at": "recorded_at"} if texts else {}),
        )
        if self.held is None and where is None and not drop:
            # The rows whose key a hash says is given twice, read whole (which _keys needs)
            # by their record ids: the file's reader skips the other rows' other columns.
            frame = query.with_columns(_kh=key_hash()).collect()
            flagged = frame.filter(given_twice(frame.get_column("_kh"))).select("_row", "record_id")
            frame = frame.drop("_kh")
            if not flagged.is_empty():
                ids = flagged.get_column("record_id").unique().implode()
                self.twice = (
                    self.lazy.with_row_index("_at")
                    .filter(pl.col("record_id").is_in(ids))
                    .collect(engine="streaming")
                    .filter(pl.col("_at").is_in(flagged.get_column("_row").implode()))
                )
        else:
            frame = query.collect(engine="streaming" if self.held is None else "auto")
        odd = frame.filter("_unread").get_column("_row").to_list()
        frame = frame.drop("_unread")
        if odd:  # an offset with seconds: Python reads it
            written = self.take(odd, moments)
            fixes = {
                f"{name}_us": [_us(t) for t in col]
                for name, col in zip(("start", "end", "at"), written.iter_columns(), strict=False)
            }
            at = frame.get_column("_row").is_in(odd).arg_true()
            for column, values in fixes.items():
                frame = frame.with_columns(
                    frame.get_column(column).scatter(at, pl.Series(values, dtype=pl.Int64))
                )
        return frame
