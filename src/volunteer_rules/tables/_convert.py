"""Counting frames (see :mod:`volunteer_rules.tables._engine`) from records or record tables."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any, Final

import polars as pl
import pyarrow as pa

from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.tables._engine import COUNT_SCHEMA

__all__: list[str] = []

_EPOCH: Final = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
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
    after = _dt.datetime.combine(as_of + _dt.timedelta(days=1), _dt.time(0), _dt.timezone.utc)
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


_FORMAT: Final = "%Y-%m-%dT%H:%M:%S%.f%:z"


def _instant_column(frame: pl.DataFrame, name: str) -> pl.Series:
    """A date-time text column as microseconds since the epoch (offsets with seconds too)."""
    text = frame.get_column(name)
    fast = text.str.to_datetime(_FORMAT, time_zone="UTC", time_unit="us", strict=False)
    out = fast.dt.epoch("us")
    missed = text.is_not_null() & out.is_null()
    if missed.any():  # an offset with seconds: Python reads it
        values = out.to_list()
        for i in missed.arg_true().to_list():
            moment = _dt.datetime.fromisoformat(text[i])
            values[i] = (moment - _EPOCH) // _US
        out = pl.Series(name, values, dtype=pl.Int64)
    return out


def frame_of_table(records: pl.DataFrame, as_of: _dt.date) -> pl.DataFrame:
    """The counting frame of a valid record table (the record schema's columns)."""
    late = (
        pl.lit(False)
        if as_of == _dt.date.max
        else pl.col("recorded_at").str.slice(0, 10) > as_of.isoformat()
    )
    return records.select(
        "volunteer_id",
        "organization_id",
        "record_id",
        "status",
        "date",
        start_us=_instant_column(records, "start"),
        end_us=_instant_column(records, "end"),
        at_us=_instant_column(records, "recorded_at"),
        late=late,
        minutes=pl.col("service_minutes").cast(pl.Int64),
        amends="amends",
        rating="evaluation_rating",
        rated_on="evaluation_date",
    )
