"""The table engine over a list of record objects.

:func:`count_many` gives, for every volunteer, exactly what
:func:`~volunteer_rules.count_records` and :func:`~volunteer_rules.certify` give for that
volunteer. With the ``tables`` extra installed (polars and pyarrow) the records are read into
columns and counted by the table engine (:mod:`volunteer_rules.tables`): most volunteers are
settled in column steps, and only those whose records overlap, pass the daily cap on a date,
are given twice or are amended in a way that needs the rules' own walk go through the exact
engine. Without the extra, the rules' own :func:`volunteer_rules.rules.counting.count_many`
counts them (the same results).

For record objects, :func:`volunteer_rules.count_many` (the rules' own bulk pass, what
:func:`~volunteer_rules.certify_many` and :func:`~volunteer_rules.summarize` count with) is
the faster: turning a million objects into columns costs more than the column steps save
(docs/benchmarks.md). This one is the table engine's entry for objects: the same answers by
the other path, which the differential tests compare.

Example:
    >>> from datetime import date
    >>> import attrs
    >>> from volunteer_rules.records.record import parse_record
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> a = parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> b = attrs.evolve(a, record_id="r-b", volunteer_id="V2", status="submitted")
    >>> result = count_many([a, b], as_of=date(2025, 1, 1))
    >>> [(v, c.minutes, c.excluded) for v, c in result.items()]
    [('V0000001', 120, ()), ('V2', 0, (('r-b', 'not_verified'),))]
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence

from volunteer_rules._validate import require_iterable
from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.records.record import RATINGS, ServiceRecord
from volunteer_rules.rules import counting as _counting
from volunteer_rules.rules._count import (
    _ROW,
    Count,
    _check_as_of,
    _check_rating,
    _check_since_for,
    _check_volunteers,
)
from volunteer_rules.rules.results import Counts, _Source

__all__ = ["count_many", "engine_available"]


def engine_available() -> bool:
    """Whether the table engine's dependencies (polars and pyarrow) are installed.

    Example:
        >>> isinstance(engine_available(), bool)
        True
    """
    try:
        import polars  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:  # pragma: no cover - the tables extra is part of dev
        return False
    return True


def _records(records: object) -> list[ServiceRecord]:
    held = []
    for record in require_iterable(records, "records", "must be an iterable of ServiceRecord"):
        if not isinstance(record, ServiceRecord):  # checked as read: an endless input stops
            raise InvalidTypeError(
                "records", f"must contain ServiceRecord values, not {type(record).__name__}"
            )
        held.append(record)
    return held


def engine_count(
    records: Sequence[ServiceRecord],
    as_of: _dt.date,
    since: _dt.date | None,
    min_rank: int | None,
    wanted: Sequence[str] | None,
    detail: bool,
    since_for: Mapping[str, _dt.date],
) -> dict[str, Count]:
    """The counts, by the table engine when it is installed, else by the rules' bulk pass.

    What :func:`count_many` counts with (arguments already checked, as it checks them;
    ``min_rank`` is the rank of the minimum rating in :data:`~volunteer_rules.RATINGS`).

    Example:
        >>> from datetime import date
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> engine_count([record], date(2025, 1, 1), None, None, None, False, {})["V0000001"].minutes
        120
    """
    if engine_available():
        from volunteer_rules.tables._convert import frame_of_records
        from volunteer_rules.tables._engine import count_frame, counts_of

        counted = count_frame(
            frame_of_records(records, as_of),
            as_of=as_of,
            since=since,
            min_rank=min_rank,
            wanted=wanted,
            since_for=dict(since_for),
            rows_at=lambda positions: [_ROW(records[i]) for i in positions],
            records_at=lambda positions: [records[i] for i in positions],
        )
        return counts_of(counted, as_of, since, detail)
    return _counting.count_many(
        records,
        as_of=as_of,
        since=since,
        min_rating=None if min_rank is None else RATINGS[min_rank],
        volunteers=wanted,
        detail=detail,
        since_for=since_for,
    )


def count_many(
    records: Iterable[ServiceRecord],
    *,
    as_of: _dt.date,
    since: _dt.date | None = None,
    min_rating: str | None = None,
    volunteers: Iterable[str] | None = None,
    detail: bool = False,
    since_for: Mapping[str, _dt.date] | None = None,
) -> Counts:
    """Count the records of many volunteers with the table engine: one :class:`Count` each.

    The result for each volunteer is exactly what :func:`~volunteer_rules.count_records`
    gives for the same input and that ``volunteer_id``, except that records of other
    volunteers are not listed (and ``outcomes`` is ``None`` unless ``detail=True``). It equals
    :func:`volunteer_rules.count_many`'s, which is faster on record objects.

    To run on a distributed engine, partition the records by ``volunteer_id`` and call this
    per partition; amendments that name another volunteer's record must also be sent to that
    volunteer's partition.

    Args:
        records: service records of any volunteers, in any order.
        as_of: the day of the count.
        since: first day of the counting window (inclusive), or ``None``.
        min_rating: as for :func:`~volunteer_rules.count_records`.
        volunteers: if given, only these volunteers are counted (and every one of them gets a
            result, an empty count if they have no record); the filter never changes a
            volunteer's result.
        detail: also build per-record outcomes.
        since_for: a window start for some volunteers that differs from ``since`` (a renewal
            that may not reuse hours, say).

    Returns:
        ``{volunteer_id: Count}``, ordered by volunteer id: a
        :class:`~volunteer_rules.rules.results.Counts`, a ``dict`` with the table forms
        (``to_rows()``, ``to_arrow()``, ``to_polars()``, ``to_pandas()``) and ``exclusions()``.

    Raises:
        InvalidTypeError: a record is not a ``ServiceRecord``, or a date argument is wrong.
        InvalidValueError: ``since`` is after ``as_of``, or ``min_rating`` is unknown.

    A key ``(organization_id, record_id)`` given in versions with different content is not an
    error: it counts for no one and is listed as ``duplicate_record`` for every volunteer one
    of its versions names, settled over the whole input before ``volunteers`` applies
    (:mod:`volunteer_rules.rules.versions`).

    Example:
        >>> from datetime import date
        >>> import attrs
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> a = parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> b = attrs.evolve(a, record_id="r-9", volunteer_id="V2")
        >>> {v: c.minutes for v, c in count_many([a, b], as_of=date(2025, 1, 1)).items()}
        {'V0000001': 120, 'V2': 120}
    """
    _check_as_of(as_of, since)
    min_rank = _check_rating(min_rating)
    wanted = _check_volunteers(volunteers)
    starts = _check_since_for(since_for, as_of)
    held = _records(records)
    counts = engine_count(held, as_of, since, min_rank, wanted, bool(detail), starts)
    return Counts(counts, source=_Source(held, as_of, min_rating))
