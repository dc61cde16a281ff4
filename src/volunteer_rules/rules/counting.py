"""The counting engine: which of a volunteer's service minutes count, and why the rest do not.

This is the one place where the library decides what counts. Certification, the record checks,
the time bank (which credits only what certification would count) and transfers all call it, so
they can never disagree.

The rules come from the record format ("Beyond one record", ``docs/record-format.md``) and
MCA Order 67 (志愿服务记录与证明出具办法（试行）, 2020), Art. 13 for amendments
(``docs/sources.md`` [MCA2020] 13). For one volunteer, each record is given one
outcome. The rules apply in this order; the first one that excludes a record names its reason:

0. ``duplicate_record``: the record's key ``(organization_id, record_id)`` was given with
   conflicting versions (:mod:`volunteer_rules.rules.versions`, the one rule every path
   follows). No version counts, amends or blocks anything; the key is listed once, before the
   other outcomes, for every volunteer one of its versions names. An identical repeat is one
   record (counted once, not listed).
1. ``other_volunteer``: the record belongs to another volunteer.
2. ``after_as_of``: the record was not on record on ``as_of``: its ``date`` or the local date
   of its ``recorded_at`` (in the offset it was recorded with) is after ``as_of``. A certificate
   made for a past day can therefore always be reproduced. Such a record also amends nothing.
3. ``outside_window``: the record's ``date`` is before the first day of the counting window
   (``since``, inclusive). The window always ends on ``as_of`` (inclusive).
4. ``not_verified``: the status is not ``verified``.
5. ``superseded``: another record of the same organization amends it (its ``amends`` names this
   record's ``record_id``) and that amendment is effective: its status is ``verified`` or
   ``void`` (a void amendment withdraws the original), or it is superseded in turn. So in a
   chain A ← B ← C, with C verified, neither A nor B counts. Amendments are honoured whoever's
   records they are, as long as they are among the records given and on record on ``as_of``.
6. ``below_minimum_rating``: only when a minimum rating is asked for (a rule set may require
   one): the record has no evaluation, or its rating is worse than the minimum.
7. ``overlap``: its interval overlaps (half-open: ``a.start < b.end and b.start < a.end``) the
   interval of a record counted before it in recorded order (``recorded_at``, then
   ``record_id``, then ``organization_id``). Records without an interval never overlap.
   Records excluded by an earlier rule never block anyone: they do not count.
8. ``daily_cap``: at most 1440 minutes count on one ``date`` (a record that crosses midnight
   counts on the date it started). In recorded order, the record that crosses the cap counts
   only up to it, the rest is excluded; that record is *partly* counted, so its outcome has
   both counted minutes and the reason ``daily_cap``.

Two records with the same ``(organization_id, record_id)`` are one record given twice when
they are the same version (:func:`~volunteer_rules.rules.versions.same_version`: the same
canonical content); otherwise the key is in conflict and excluded as ``duplicate_record`` (rule
0), whatever the order of the records (the record checks report the same key as a
``duplicate_record`` finding).

Everything is whole minutes (``int``). The single-volunteer form, :func:`count_records`, sorts
once by recorded order and checks overlaps against a sorted list of the counted intervals
(``bisect``): O(n log n), not O(n²). The bulk form, :func:`count_many`, keeps one column per
field (not the records) and settles most volunteers with C-level operations; see its
docstring.

Example:
    >>> from datetime import date
    >>> from volunteer_rules.rules.counting import count_records
    >>> from volunteer_rules.records.record import parse_record
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> record = parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> count = count_records([record, record], as_of=date(2024, 12, 31))
    >>> count.volunteer_id, count.minutes, count.excluded
    ('V0000001', 120, ())
    >>> count_records([record], as_of=date(2024, 5, 1)).excluded
    (('r-2024-0001', 'after_as_of'),)
    >>> import attrs
    >>> from volunteer_rules.hours import Hours
    >>> edited = attrs.evolve(record, service=Hours(60))
    >>> conflict = count_records([record, edited], as_of=date(2024, 12, 31))
    >>> conflict.minutes, conflict.excluded
    (0, (('r-2024-0001', 'duplicate_record'),))
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping

from volunteer_rules._validate import require_iterable
from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules._bulk_count import _bulk
from volunteer_rules.rules._count import (
    DAILY_CAP_MINUTES,
    EXCLUSION_REASONS,
    Count,
    RecordOutcome,
    _all_versions,
    _check_as_of,
    _check_rating,
    _check_since_for,
    _check_volunteers,
    _count_rows,
    _majority,
    _rows,
)
from volunteer_rules.rules.results import Counts, _held, _Source

__all__ = [
    "DAILY_CAP_MINUTES",
    "EXCLUSION_REASONS",
    "Count",
    "RecordOutcome",
    "count_many",
    "count_records",
    "majority_volunteer",
]


def majority_volunteer(records: Iterable[ServiceRecord]) -> str | None:
    """The volunteer most of the records belong to; ties go to the smallest id.

    This is whom :func:`count_records` and :func:`~volunteer_rules.certify` count for when no
    volunteer is named, so the input order never matters.

    Args:
        records: service records.

    Returns:
        The volunteer id, or ``None`` when there are no records.

    Raises:
        InvalidTypeError: ``records`` is not an iterable of ``ServiceRecord``.

    Example:
        >>> import attrs
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> a = parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> b = attrs.evolve(a, volunteer_id="V0000000", record_id="x")
        >>> majority_volunteer([a, b])
        'V0000000'
    """
    return _majority(_all_versions(*_rows(records)))


def count_records(
    records: Iterable[ServiceRecord],
    *,
    as_of: _dt.date,
    volunteer_id: str | None = None,
    since: _dt.date | None = None,
    min_rating: str | None = None,
) -> Count:
    """Count one volunteer's records on ``as_of``, with an outcome for every record.

    Args:
        records: service records, in any order; records of other volunteers may be among them
            (they are excluded as ``other_volunteer``; amendments among them still apply).
        as_of: the day of the count; nothing entered or done after it counts.
        volunteer_id: whose records to count; by default the volunteer most records belong
            to, ties to the smallest id (:func:`majority_volunteer`).
        since: first day of the counting window (inclusive); ``None`` counts a lifetime.
        min_rating: the worst evaluation rating a record may have to count (``"pass"``
            lets ``excellent``, ``good`` and ``pass`` count); ``None`` for no minimum.

    Returns:
        A :class:`Count` with outcomes, in recorded order.

    Raises:
        InvalidTypeError: a record is not a ``ServiceRecord``, or ``as_of``/``since`` is not a
            ``date``.
        InvalidValueError: ``since`` is after ``as_of``, or ``min_rating`` is unknown.

    Example:
        >>> from datetime import date
        >>> import attrs
        >>> from volunteer_rules.hours import Hours
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> a = parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> b = attrs.evolve(a, record_id="r-2024-0002", amends=a.record_id, service=Hours(100))
        >>> count = count_records([b, a], as_of=date(2024, 12, 31))
        >>> count.minutes, count.excluded
        (100, (('r-2024-0001', 'superseded'),))
        >>> [(o.record_id, o.minutes, o.reason) for o in count.outcomes]
        [('r-2024-0001', 0, 'superseded'), ('r-2024-0002', 100, None)]
    """
    _check_as_of(as_of, since)
    min_rank = _check_rating(min_rating)
    if volunteer_id is not None and not isinstance(volunteer_id, str):
        raise InvalidTypeError("volunteer_id", "must be a str or None")
    rows, versions = _rows(records)
    if volunteer_id is None:
        volunteer_id = _majority(_all_versions(rows, versions))
    return _count_rows(rows, volunteer_id, as_of, since, min_rank, True, versions=versions)


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
    """Count the records of many volunteers in one pass: one :class:`Count` per volunteer.

    The result for each volunteer is exactly what :func:`count_records` gives for the same
    input and that ``volunteer_id``, except that records of other volunteers are not listed
    (and ``outcomes`` is ``None`` unless ``detail=True``).

    How it is fast: the records are read once, in plain Python, in chunks of 1024 records
    (small enough that a chunk's records and values stay in the CPU cache while they are worked
    on). A chunk's fields are read in one comprehension and transposed into columns, and
    everything that needs them (the per-record rules ``after_as_of``, ``outside_window``,
    ``not_verified``, ``below_minimum_rating``, decided once per distinct date where they
    depend on the date; whether an interval starts on its ``date`` and ends that local day;
    the date ordinal) is computed with C-level ``map``/``compress``. What is kept is one column
    (a list) per field: references to the records' own values, no Python object per record
    (a record that needs a closer look is read again by position, so the input is held until
    the pass ends: a list or tuple by reference, anything else read into a list first). Then
    one loop over the counting records sums minutes per volunteer, and one C-level pass over
    (volunteer, date) keys finds two records on one date. A volunteer is settled from those
    sums when none of their records is amended (except once, by an amendment of their own that
    nothing else amends: it supersedes the record or not, as the engine would decide), no two
    of their records on one date overlap or pass the daily cap together, and their intervals
    are all within their own day in one fixed UTC offset (so no two can overlap, whatever the
    recorded order); with several offsets in the input, intervals are checked per volunteer
    (sorted starts against sorted ends). Every other volunteer goes through the reference
    engine, record by record, so the result is always the engine's.

    A key ``(organization_id, record_id)`` given more than once anywhere in the input (whoever
    holds it, before ``volunteers`` is applied) sends the whole input through
    :func:`~volunteer_rules.rules.versions.resolve_versions` first, the one rule for repeated
    keys: an identical repeat counts once, and a key given with conflicting versions counts
    for no one and is listed as ``duplicate_record`` for every volunteer one of its versions
    names, even when the conflicting version belongs to a volunteer not asked for. A volunteer
    whose only records are in conflict still gets a count: 0 minutes, the keys listed (and one
    ``duplicate_record`` outcome per key with ``detail=True``), as :func:`count_records` gives.

    The cyclic garbage collector is paused during the call (the columns it builds hold no
    reference cycles) and restored afterwards.

    To run on a distributed engine (Spark, Dask, Beam): partition the records by
    ``volunteer_id`` and call this (or :func:`count_records`) per partition. Amendments that
    name another volunteer's record must also be sent to that volunteer's partition.

    Args:
        records: service records of any volunteers, in any order.
        as_of: the day of the count.
        since: first day of the counting window (inclusive), or ``None``.
        min_rating: as for :func:`count_records`.
        volunteers: if given, only these volunteers are counted (and every one of them gets a
            result, an empty count if they have no record). Repeated keys are settled over the
            whole input first, so the filter never changes a volunteer's result.
        detail: also build per-record outcomes (slower).
        since_for: a window start for some volunteers that differs from ``since`` (a renewal
            that may not reuse hours, say).

    Returns:
        ``{volunteer_id: Count}``, ordered by volunteer id: a
        :class:`~volunteer_rules.rules.results.Counts`, a ``dict`` with the table forms and
        ``exclusions()``.

    Raises:
        InvalidTypeError: a record is not a ``ServiceRecord``, or a date argument is wrong.
        InvalidValueError: ``since`` is after ``as_of``, or ``min_rating`` is unknown.

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
    listed = _check_volunteers(volunteers)
    wanted = None if listed is None else set(listed)
    require_iterable(records, "records", "must be an iterable of ServiceRecord")
    starts = _check_since_for(since_for, as_of)
    bulk = _bulk(records, as_of, since, min_rank, wanted, bool(detail), starts, True)
    return Counts(bulk.counts(as_of, since), source=_Source(_held(records), as_of, min_rating))
