"""Bulk results as data: certifications, counts and the records that do not count, as tables.

:func:`~volunteer_rules.certify_many` gives a :class:`Certifications` and
:func:`~volunteer_rules.count_many` a :class:`Counts`: each is the ``dict`` it always was
(``{volunteer_id: Certification}``, ``{volunteer_id: Count}``, ordered by volunteer id), with
``to_rows()`` (plain rows, no extra needed), ``to_arrow()``, ``to_polars()`` and
``to_pandas()`` (the ``tables`` extra; pandas for the last), and ``exclusions()``: an
:class:`Exclusions`, one row per record not counted in full, by its whole key
``(volunteer_id, organization_id, record_id, reason)``, with the same four methods.

Minutes are integers in every form; hours, exact decimals for people to read, are not in the
tables (``counted_minutes / 60`` is the reader's choice, and its rounding).

The columns are written once, here: :data:`CERTIFICATION_COLUMNS` (also the table of the
partition, Spark and Dask adapters, :mod:`volunteer_rules.tables`), :data:`COUNT_COLUMNS` and
:data:`RECORD_EXCLUSION_COLUMNS` (also :func:`~volunteer_rules.tables.results.exclusions_table`).

Example:
    >>> from datetime import date
    >>> import attrs
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> a = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> b = attrs.evolve(a, record_id="r-b", volunteer_id="V2", status="submitted")
    >>> result = vr.certify_many([a, b], rule_set="cn-national", as_of=date(2025, 1, 1))
    >>> [(r["volunteer_id"], r["level_name"], r["counted_minutes"]) for r in result.to_rows()]
    [('V0000001', 'none', 120), ('V2', 'none', 0)]
    >>> result.exclusions().to_rows()
    [{'volunteer_id': 'V2', 'organization_id': '512111005000000154', 'record_id': 'r-b', 'reason': 'not_verified'}]
    >>> result.to_polars().get_column("counted_minutes").to_list()
    [120, 0]
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Final, TypeVar

import attrs

from volunteer_rules._frames import AsData, Column
from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules._bulk_count import _bulk
from volunteer_rules.rules._count import Count, _check_rating
from volunteer_rules.rules.certification_result import Certification

__all__ = [
    "CERTIFICATION_COLUMNS",
    "COUNT_COLUMNS",
    "RECORD_EXCLUSION_COLUMNS",
    "Certifications",
    "Counts",
    "Exclusion",
    "Exclusions",
    "certification_row",
]

_EXCLUDED: Final = "list<struct<record_id: string, reason: string>>"

CERTIFICATION_COLUMNS: Final[tuple[Column, ...]] = (
    ("volunteer_id", "string", False),
    ("level_rank", "int32", False),
    ("level_name", "string", False),
    ("counted_minutes", "int64", False),
    ("next_level_rank", "int32", True),
    ("next_level_name", "string", True),
    ("shortfall_minutes", "int64", False),
    ("rule_set_id", "string", False),
    ("rule_set_version", "string", False),
    ("as_of", "date32", False),
    ("window_start", "date32", True),
    ("unmet", "list<string>", False),
    ("cycles", "int32", False),
    ("due", "list<int32>", False),
    ("valid_until", "date32", True),
    ("paused", "bool", False),
    ("excluded", _EXCLUDED, False),
)
"""The certification table, one row per volunteer: ``(name, Arrow type, nullable)``.

``level_rank``, ``next_level_rank`` and ``due`` are level ranks (``0`` for no level),
``*_name`` the levels' stable names; minutes are whole minutes. ``excluded`` lists
``(record_id, reason)`` in recorded order, as :attr:`Certification.excluded` does.
"""

COUNT_COLUMNS: Final[tuple[Column, ...]] = (
    ("volunteer_id", "string", False),
    ("counted_minutes", "int64", False),
    ("as_of", "date32", False),
    ("since", "date32", True),
    ("first_counted", "date32", True),
    ("excluded", _EXCLUDED, False),
)
"""The counts table, one row per volunteer (:class:`~volunteer_rules.Count`'s fields;
``counted_minutes`` is :attr:`~volunteer_rules.Count.minutes`)."""

RECORD_EXCLUSION_COLUMNS: Final[tuple[Column, ...]] = (
    ("volunteer_id", "string", False),
    ("organization_id", "string", False),
    ("record_id", "string", False),
    ("reason", "string", False),
)
"""The exclusions table: one row per record not counted in full, by volunteer id, then in
recorded order. A ``daily_cap`` record may still count in part."""


def certification_row(certification: Certification) -> dict[str, Any]:
    """One row of the certification table (:data:`CERTIFICATION_COLUMNS`).

    Raises:
        InvalidTypeError: ``certification`` is not a ``Certification``.

    Example:
        >>> import datetime as dt
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> cert = vr.certify([record], rule_set="cn-national", as_of=dt.date(2025, 1, 1))
        >>> row = certification_row(cert)
        >>> row["level_name"], row["next_level_name"], row["counted_minutes"], row["excluded"]
        ('none', 'one_star', 120, [])
    """
    if not isinstance(certification, Certification):
        raise InvalidTypeError("certification", "must be a Certification")
    c = certification
    return {
        "volunteer_id": c.volunteer_id,
        "level_rank": c.level.rank,
        "level_name": c.level.name,
        "counted_minutes": c.counted.minutes,
        "next_level_rank": None if c.next_level is None else c.next_level.rank,
        "next_level_name": None if c.next_level is None else c.next_level.name,
        "shortfall_minutes": c.shortfall.minutes,
        "rule_set_id": c.rule_set_id,
        "rule_set_version": c.rule_set_version,
        "as_of": c.as_of,
        "window_start": c.window_start,
        "unmet": list(c.unmet),
        "cycles": c.cycles,
        "due": [level.rank for level in c.due],
        "valid_until": c.valid_until,
        "paused": c.paused,
        "excluded": [{"record_id": r, "reason": why} for r, why in c.excluded],
    }


@masked_repr
@attrs.frozen(kw_only=True)
class Exclusion:
    """One record that does not count (in full) for its volunteer, and why.

    Attributes:
        volunteer_id: whose count it is left out of.
        organization_id: with ``record_id``, the record's key.
        record_id: the record's id.
        reason: one of :data:`~volunteer_rules.EXCLUSION_REASONS`.

    Example:
        >>> Exclusion(volunteer_id="V1", organization_id="G-x", record_id="r-1",
        ...           reason="overlap").key
        ('G-x', 'r-1')
    """

    volunteer_id: str
    organization_id: str
    record_id: str
    reason: str

    @property
    def key(self) -> tuple[str, str]:
        """``(organization_id, record_id)``, as :attr:`ServiceRecord.key`.

        Example:
            >>> Exclusion(volunteer_id="V", organization_id="G", record_id="r",
            ...           reason="superseded").key
            ('G', 'r')
        """
        return (self.organization_id, self.record_id)


@masked_repr
class Exclusions(tuple[Exclusion, ...], AsData):
    """The records that do not count, one :class:`Exclusion` each: a tuple, and a table.

    Example:
        >>> rows = Exclusions([Exclusion(volunteer_id="V1", organization_id="G-x",
        ...                              record_id="r-1", reason="overlap")])
        >>> rows.to_rows()
        [{'volunteer_id': 'V1', 'organization_id': 'G-x', 'record_id': 'r-1', 'reason': 'overlap'}]
        >>> rows.to_arrow().num_rows
        1
    """

    __slots__ = ()
    columns: ClassVar[Sequence[Column]] = RECORD_EXCLUSION_COLUMNS

    def to_rows(self) -> list[dict[str, Any]]:
        """One plain row per exclusion (:data:`RECORD_EXCLUSION_COLUMNS`).

        Example:
            >>> Exclusions().to_rows()
            []
        """
        return [attrs.asdict(exclusion) for exclusion in self]


@attrs.frozen
class _Source:
    """What a bulk result was computed from, to find the key of each record left out.

    ``records`` is the caller's own list or tuple (held, not copied); ``since_of`` gives each
    volunteer's window start; ``min_rating`` is the counting's minimum rating.
    """

    records: Sequence[ServiceRecord] | None
    as_of: _dt.date
    min_rating: str | None


def _keyed(
    excluded: Mapping[str, tuple[tuple[str, str], ...]],
    source: _Source | None,
    records: Iterable[ServiceRecord] | None,
    since_of: Callable[[str], _dt.date | None],
) -> Exclusions:
    """The exclusions of the volunteers with any, each by its record's whole key.

    A volunteer's ``excluded`` names records by id alone (ids are unique within an
    organization only). One pass over the records the result came from finds the organization
    of each excluded id among the volunteer's own records; a volunteer with an excluded id
    given by two organizations is counted again, with per-record outcomes (the same engine,
    window and minimum rating, so the same exclusions), which name the key.
    """
    wanted = {v: {rid for rid, _ in listed} for v, listed in excluded.items() if listed}
    if not wanted:
        return Exclusions()
    if source is None:
        raise InvalidValueError("exclusions", "this result does not know its records")
    if records is not None:
        given: Sequence[ServiceRecord] | None = (
            records if isinstance(records, (list, tuple)) else tuple(records)
        )
    else:
        given = source.records
    if given is None:
        raise InvalidValueError(
            "records",
            "the result was computed from a one-shot iterator: pass the same records again,"
            " exclusions(records), or give them as a list or tuple",
        )
    organization: dict[tuple[str, str], str] = {}
    twice: set[str] = set()
    for record in given:
        ids = wanted.get(record.volunteer_id)
        if ids is not None and record.record_id in ids:
            key = (record.volunteer_id, record.record_id)
            if organization.setdefault(key, record.organization_id) != record.organization_id:
                twice.add(record.volunteer_id)
    recounted = _recount(given, source, sorted(twice), since_of) if twice else {}
    rows = []
    for volunteer, listed in excluded.items():
        if volunteer in recounted:
            rows.extend(recounted[volunteer])
            continue
        rows.extend(
            Exclusion(
                volunteer_id=volunteer,
                organization_id=organization[(volunteer, record_id)],
                record_id=record_id,
                reason=reason,
            )
            for record_id, reason in listed
        )
    return Exclusions(rows)


def _recount(
    given: Sequence[ServiceRecord],
    source: _Source,
    volunteers: list[str],
    since_of: Callable[[str], _dt.date | None],
) -> dict[str, list[Exclusion]]:
    """The exclusions of some volunteers from a count with per-record outcomes."""
    starts = {v: s for v in volunteers if (s := since_of(v)) is not None}
    min_rank = _check_rating(source.min_rating)
    bulk = _bulk(given, source.as_of, None, min_rank, set(volunteers), True, starts, True)
    counts = bulk.counts(source.as_of, None)
    return {
        volunteer: [
            Exclusion(
                volunteer_id=volunteer,
                organization_id=outcome.organization_id,
                record_id=outcome.record_id,
                reason=outcome.reason,
            )
            for outcome in counts[volunteer].outcomes or ()
            if outcome.reason is not None
        ]
        for volunteer in volunteers
    }


_V = TypeVar("_V")


class _ByVolunteer(dict[str, _V], AsData):
    """A result per volunteer id that remembers the records it came from (for exclusions)."""

    def __init__(self, results: Mapping[str, _V] = {}, *, source: _Source | None = None) -> None:
        super().__init__(results)
        self._source = source

    def __reduce__(self) -> Any:
        """Pickled as its results alone (the records they came from stay behind)."""
        return (type(self), (dict(self),))


@masked_repr
class Certifications(_ByVolunteer[Certification]):
    """``{volunteer_id: Certification}`` in id order, as a table too (what ``certify_many`` gives).

    A ``dict`` in every way (``dict(result)``, ``==`` with a dict, ``.items()``), plus the
    table forms of :data:`CERTIFICATION_COLUMNS` and :meth:`exclusions`.

    Example:
        >>> from datetime import date
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> result = vr.certify_many([vr.parse_record(SAMPLE_RECORD_PAYLOAD)],
        ...                          rule_set="cn-national", as_of=date(2025, 1, 1))
        >>> isinstance(result, dict), result.to_arrow().column("level_rank").to_pylist()
        (True, [0])
    """

    columns: ClassVar[Sequence[Column]] = CERTIFICATION_COLUMNS

    def to_rows(self) -> list[dict[str, Any]]:
        """One plain row per volunteer (:data:`CERTIFICATION_COLUMNS`), in id order.

        Example:
            >>> Certifications().to_rows()
            []
        """
        rows = []
        for volunteer_id, certification in self.items():
            row = certification_row(certification)
            row["volunteer_id"] = volunteer_id
            rows.append(row)
        return rows

    def exclusions(self, records: Iterable[ServiceRecord] | None = None) -> Exclusions:
        """The records not counted in full, each by its key (:data:`RECORD_EXCLUSION_COLUMNS`).

        Args:
            records: the records certified, again; needed only when ``certify_many`` read
                them from a one-shot iterator (a list or tuple is kept by reference).

        Raises:
            InvalidValueError: the records are needed and not given.

        Example:
            >>> from datetime import date
            >>> import attrs
            >>> import volunteer_rules as vr
            >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
            >>> a = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
            >>> b = attrs.evolve(a, record_id="r-9")  # the same interval: an overlap
            >>> result = vr.certify_many([a, b], rule_set="cn-national",
            ...                          as_of=date(2025, 1, 1))
            >>> [(e.record_id, e.reason) for e in result.exclusions()]
            [('r-9', 'overlap')]
        """
        excluded = {v: c.excluded for v, c in self.items()}
        return _keyed(excluded, self._source, records, lambda v: self[v].window_start)


@masked_repr
class Counts(_ByVolunteer[Count]):
    """``{volunteer_id: Count}`` in id order, as a table too (what ``count_many`` gives).

    A ``dict`` in every way, plus the table forms of :data:`COUNT_COLUMNS` and
    :meth:`exclusions`.

    Example:
        >>> from datetime import date
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> result = vr.count_many([vr.parse_record(SAMPLE_RECORD_PAYLOAD)],
        ...                        as_of=date(2025, 1, 1))
        >>> result.to_rows()[0]["counted_minutes"], result.exclusions()
        (120, ())
    """

    columns: ClassVar[Sequence[Column]] = COUNT_COLUMNS

    def to_rows(self) -> list[dict[str, Any]]:
        """One plain row per volunteer (:data:`COUNT_COLUMNS`), in id order.

        Example:
            >>> Counts().to_rows()
            []
        """
        return [
            {
                "volunteer_id": volunteer_id,
                "counted_minutes": c.minutes,
                "as_of": c.as_of,
                "since": c.since,
                "first_counted": c.first_counted,
                "excluded": [{"record_id": r, "reason": why} for r, why in c.excluded],
            }
            for volunteer_id, c in self.items()
        ]

    def exclusions(self, records: Iterable[ServiceRecord] | None = None) -> Exclusions:
        """The records not counted in full, each by its key (:data:`RECORD_EXCLUSION_COLUMNS`).

        With ``detail=True`` the outcomes name each record's key; otherwise as
        :meth:`Certifications.exclusions`.

        Args:
            records: the records counted, again; needed only when they were read from a
                one-shot iterator.

        Raises:
            InvalidValueError: the records are needed and not given.

        Example:
            >>> from datetime import date
            >>> import attrs
            >>> import volunteer_rules as vr
            >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
            >>> a = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
            >>> late = vr.count_many([a], as_of=date(2024, 5, 1))
            >>> [(e.organization_id, e.reason) for e in late.exclusions()]
            [('512111005000000154', 'after_as_of')]
        """
        if all(c.outcomes is not None for c in self.values()):
            return Exclusions(
                Exclusion(
                    volunteer_id=v,
                    organization_id=o.organization_id,
                    record_id=o.record_id,
                    reason=o.reason,
                )
                for v, c in self.items()
                for o in c.outcomes or ()
                if o.reason is not None
            )
        excluded = {v: c.excluded for v, c in self.items()}
        return _keyed(excluded, self._source, records, lambda v: self[v].since)


def _held(records: object) -> Sequence[ServiceRecord] | None:
    """The records, when they can be read again (a list or tuple); else ``None``."""
    return records if isinstance(records, (list, tuple)) else None
