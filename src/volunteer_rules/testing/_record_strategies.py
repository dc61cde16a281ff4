"""Hypothesis strategies for hours, region codes and service records (record format v1).

Re-exported by :mod:`volunteer_rules.testing.strategies`; import them from there.

Example:
    >>> from hypothesis import given
    >>> from volunteer_rules import dump_record, parse_record
    >>> from volunteer_rules.testing.strategies import record_payloads
    >>> @given(record_payloads())
    ... def test_round_trip(payload):
    ...     assert dump_record(parse_record(payload)) == payload
    >>> test_round_trip()
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable
from typing import Any, Final, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from volunteer_rules.hours import _MAX_MINUTES, Hours
from volunteer_rules.records._json import UNSTORABLE
from volunteer_rules.records.record import (
    FIELDS,
    FORMAT_VERSION,
    MAX_YEAR,
    MIN_YEAR,
    RATINGS,
    SERVICE_CATEGORIES,
    STATUSES,
    ServiceRecord,
    parse_record,
)
from volunteer_rules.records.region import RegionCode
from volunteer_rules.testing._identifier_strategies import organization_codes

__all__ = [
    "hours",
    "record_payloads",
    "region_codes",
    "service_records",
    "volunteer_ids",
]

T = TypeVar("T")

_LEVELS: Final = ("province", "city", "county")
_ID_CHARS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
_TEXT_CHARS = st.characters(exclude_categories=["Cs"]).filter(lambda c: not UNSTORABLE.match(c))
"""Any character JSON and UTF-8 can carry and a record may hold (no lone surrogates, no
Unicode non-characters such as U+FFFE, which ``parse_record`` refuses)."""
_OFFSETS: Final = (
    _dt.timedelta(hours=8),
    _dt.timedelta(0),
    _dt.timedelta(hours=-5),
    _dt.timedelta(hours=5, minutes=30),
    _dt.timedelta(hours=-9, minutes=-30),
    _dt.timedelta(hours=14),
    _dt.timedelta(hours=-12),
)
# Far enough inside the years a record may use that no offset, interval (up to two days) or
# delay before recording (up to 40 days) leaves them.
_FIRST_DAY: Final = _dt.date(MIN_YEAR, 1, 3)
_LAST_DAY: Final = _dt.date(MAX_YEAR, 11, 1)
_VOLUNTEER_POOL: Final = tuple(f"V{n:07d}" for n in range(1, 6))
_ORGANIZATION_POOL: Final = (
    "512111005000000154",
    "51211100MJ00000175",
    "51211100MJ00000250",
    "G-panjin-youth",
)


def _check_strategy(value: object, name: str) -> None:
    if value is not None and not isinstance(value, st.SearchStrategy):
        raise InvalidArgument(
            f"{name}={value!r} must be a Hypothesis strategy or None (pass st.just(x) for a "
            "single value)"
        )


def _deferred(build: Callable[[], st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """Defer building (and validating the arguments) to the first draw, as Hypothesis does."""
    return st.deferred(build)


# --- hours and regions -----------------------------------------------------------------------


def hours(
    *, min_value: Hours | None = None, max_value: Hours | None = None
) -> st.SearchStrategy[Hours]:
    """Amounts of :class:`~volunteer_rules.Hours`, between the bounds (both inclusive).

    Args:
        min_value: the smallest amount; by default the smallest ``Hours`` can hold
            (negative amounts too: below 10**15 hours either way).
        max_value: the largest amount; by default the largest ``Hours`` can hold.

    Shrinks toward zero minutes (or the bound nearest to it).

    Raises:
        InvalidArgument: a bound is not ``Hours``, or ``min_value > max_value``.

    Example:
        >>> from hypothesis import given
        >>> from volunteer_rules import Hours
        >>> @given(hours(min_value=Hours.from_minutes(1), max_value=Hours.from_minutes(1440)))
        ... def test(amount):
        ...     assert 1 <= amount.minutes <= 1440
        >>> test()
    """

    def build() -> st.SearchStrategy[Hours]:
        for name, bound in (("min_value", min_value), ("max_value", max_value)):
            if bound is not None and not isinstance(bound, Hours):
                raise InvalidArgument(f"{name}={bound!r} must be Hours or None")
        if min_value is not None and max_value is not None and min_value > max_value:
            raise InvalidArgument(f"min_value={min_value!r} is above max_value={max_value!r}")
        return st.integers(
            min_value=-_MAX_MINUTES + 1 if min_value is None else min_value.minutes,
            max_value=_MAX_MINUTES - 1 if max_value is None else max_value.minutes,
        ).map(Hours.from_minutes)

    return _deferred(build)


def region_codes(
    *, level: str | None = None, within: RegionCode | None = None
) -> st.SearchStrategy[RegionCode]:
    """Known GB/T 2260 regions (abolished codes included), optionally of one level or area.

    Args:
        level: ``"province"``, ``"city"`` or ``"county"``; every level by default.
        within: only regions this region contains (itself included); anywhere by default.

    Shrinks toward the lowest code.

    Raises:
        InvalidArgument: an unknown level, ``within`` not a ``RegionCode``, or no region
            matches.

    Example:
        >>> from hypothesis import given
        >>> from volunteer_rules import RegionCode
        >>> panjin = RegionCode.parse("211100")
        >>> @given(region_codes(level="county", within=panjin))
        ... def test(region):
        ...     assert region.code.startswith("2111") and region.level == "county"
        >>> test()
    """

    def build() -> st.SearchStrategy[RegionCode]:
        if level is not None and level not in _LEVELS:
            raise InvalidArgument(f"level={level!r} must be one of {_LEVELS} or None")
        if within is not None and not isinstance(within, RegionCode):
            raise InvalidArgument(f"within={within!r} must be a RegionCode or None")
        regions = [
            region
            for region in RegionCode.all()
            if (level is None or region.level == level)
            and (within is None or within.contains(region))
        ]
        if not regions:
            raise InvalidArgument(f"no region of level {level!r} lies within {within!r}")
        return st.sampled_from(regions)

    return _deferred(build)


# --- pieces of a record ----------------------------------------------------------------------


def _ids(max_size: int = 64) -> st.SearchStrategy[str]:
    """Record ids: 1 to ``max_size`` id characters."""
    return st.text(alphabet=_ID_CHARS, min_size=1, max_size=max_size)


def _personal_number(text: str) -> bool:
    """Shaped like a resident ID number or a mobile number: no volunteer id (the one rule)."""
    from volunteer_rules.records._wording import volunteer_id_problem

    return volunteer_id_problem(text) is not None


def volunteer_ids() -> st.SearchStrategy[str]:
    """Valid volunteer ids (志愿者统一编号): 1-64 id characters, never an ID-card number.

    Never a mobile number either (``13812345678``), which every reader refuses as a volunteer
    id, as it refuses an ID-card number; runs of 10 to 12 digits from ``1`` (after ``86`` or
    ``0086`` too) are drawn often, the ones on the valid side of that rule (``12812345678``,
    ``138123456789``).

    Draws from a small pool of ids (so lists of records share volunteers) or any valid id.
    Shrinks toward ``"V0000001"``.

    Example:
        >>> from hypothesis import given
        >>> @given(volunteer_ids())
        ... def test(volunteer_id):
        ...     assert 1 <= len(volunteer_id) <= 64
        >>> test()
    """
    return st.one_of(
        st.sampled_from(_VOLUNTEER_POOL),
        _ids().filter(lambda text: not _personal_number(text)),
        st.from_regex(r"(?:0086|86)?1[0-9]{9,11}", fullmatch=True).filter(
            lambda text: not _personal_number(text)
        ),
    )


def _organization_ids() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_ORGANIZATION_POOL),
        organization_codes().map(lambda code: code.code),
        _ids(62).map(lambda text: "G-" + text),
    )


def _texts(max_size: int) -> st.SearchStrategy[str]:
    """Canonical text: trimmed, not empty, at most ``max_size`` characters."""
    return (
        st.text(_TEXT_CHARS, min_size=1, max_size=max_size).map(str.strip).filter(bool)
        | st.sampled_from(("社区助老服务", "文明交通引导", "王芳", "Park clean-up"))
    ).filter(lambda text: len(text) <= max_size)


def _zones() -> st.SearchStrategy[_dt.timezone]:
    """Fixed UTC offsets: common ones, or any whole number of minutes under a day."""
    return st.one_of(
        st.sampled_from(_OFFSETS),
        st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
            lambda minutes: _dt.timedelta(minutes=minutes)
        ),
    ).map(_dt.timezone)


def _times() -> st.SearchStrategy[_dt.time]:
    """Times of day, usually whole minutes, sometimes with seconds and microseconds."""
    return st.one_of(
        st.builds(
            _dt.time,
            st.integers(min_value=0, max_value=23),
            st.integers(min_value=0, max_value=59),
        ),
        st.times(),
    )


def _json_values() -> st.SearchStrategy[Any]:
    """JSON values (finite floats, string keys), small."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**53), max_value=2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(_TEXT_CHARS, max_size=10)
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(_TEXT_CHARS, max_size=8), children, max_size=3)
        ),
        max_leaves=8,
    )


@st.composite
def _payloads(
    draw: st.DrawFn,
    volunteer_id_strategy: st.SearchStrategy[str],
    organization_id_strategy: st.SearchStrategy[str],
    status_strategy: st.SearchStrategy[str],
    region_strategy: st.SearchStrategy[RegionCode],
    intervals: bool | None,
) -> dict[str, Any]:
    zone = draw(_zones())
    day = draw(st.dates(min_value=_FIRST_DAY, max_value=_LAST_DAY))
    record_id = draw(_ids())
    payload: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "record_id": record_id,
        "volunteer_id": draw(volunteer_id_strategy),
        "organization_id": draw(organization_id_strategy),
        "activity_name": draw(_texts(200)),
        "service_category": draw(st.sampled_from(sorted(SERVICE_CATEGORIES))),
        "content": draw(_texts(2000)),
        "place": draw(_texts(200)),
        "region_code": draw(region_strategy).code,
        "date": day.isoformat(),
    }
    with_interval = draw(st.booleans()) if intervals is None else intervals
    if with_interval:
        start = _dt.datetime.combine(day, draw(_times()), zone)
        # Up to two days long, so that intervals often cross midnight.
        length = _dt.timedelta(
            minutes=draw(st.integers(min_value=1, max_value=2 * 1440)),
            seconds=draw(st.integers(min_value=0, max_value=59)),
        )
        end = start + length
        minutes = draw(
            st.integers(min_value=1, max_value=min(1440, int(length.total_seconds()) // 60))
        )
        recorded_at = (end + _dt.timedelta(seconds=draw(st.integers(0, 40 * 86400)))).astimezone(
            draw(_zones())
        )
        if recorded_at < end:  # pragma: no cover - astimezone keeps the instant
            recorded_at = end
        payload["start"] = start.isoformat()
        payload["end"] = end.isoformat()
        last_day = end.date()
    else:
        minutes = draw(st.integers(min_value=1, max_value=1440))
        recorded_day = day + _dt.timedelta(days=draw(st.integers(min_value=0, max_value=40)))
        recorded_at = _dt.datetime.combine(recorded_day, draw(_times()), draw(_zones()))
        last_day = day
    payload["service_minutes"] = minutes
    payload["person_in_charge"] = draw(_texts(100))
    payload["recorded_by"] = draw(_texts(100))
    payload["recorded_at"] = recorded_at.isoformat()
    payload["status"] = draw(status_strategy)
    if draw(st.booleans()):
        evaluated = last_day + _dt.timedelta(days=draw(st.integers(min_value=0, max_value=30)))
        payload["evaluation"] = {
            "rating": draw(st.sampled_from(RATINGS)),
            "date": evaluated.isoformat(),
        }
    if draw(st.booleans()):
        payload["beneficiary"] = draw(_texts(200))
    if draw(st.booleans()):
        payload["group_service"] = True
    if draw(st.booleans()):
        payload["amends"] = draw(_ids().filter(lambda text: text != record_id))
    if draw(st.booleans()):
        payload["extensions"] = draw(
            st.dictionaries(st.text(_TEXT_CHARS, max_size=8), _json_values(), max_size=3)
        )
    return payload


def _strategies(
    volunteer_ids_: st.SearchStrategy[str] | None,
    organization_ids: st.SearchStrategy[str] | None,
    statuses: st.SearchStrategy[str] | None,
    regions: st.SearchStrategy[RegionCode] | None,
    intervals: bool | None,
) -> st.SearchStrategy[dict[str, Any]]:
    _check_strategy(volunteer_ids_, "volunteer_ids")
    _check_strategy(organization_ids, "organization_ids")
    _check_strategy(statuses, "statuses")
    _check_strategy(regions, "region_codes")
    if intervals is not None and not isinstance(intervals, bool):
        raise InvalidArgument(f"intervals={intervals!r} must be True, False or None")
    return _payloads(
        volunteer_ids_ if volunteer_ids_ is not None else volunteer_ids(),
        organization_ids if organization_ids is not None else _organization_ids(),
        statuses if statuses is not None else st.sampled_from(STATUSES),
        regions if regions is not None else region_codes(),
        intervals,
    )


# --- records and payloads --------------------------------------------------------------------


def service_records(
    *,
    volunteer_ids: st.SearchStrategy[str] | None = None,
    organization_ids: st.SearchStrategy[str] | None = None,
    statuses: st.SearchStrategy[str] | None = None,
    region_codes: st.SearchStrategy[RegionCode] | None = None,
    intervals: bool | None = None,
) -> st.SearchStrategy[ServiceRecord]:
    """Valid :class:`~volunteer_rules.ServiceRecord` values.

    Records come from :func:`record_payloads` through :func:`~volunteer_rules.parse_record`,
    so every rule of the format holds. They cover intervals that cross midnight, several UTC
    offsets (start, end and ``recorded_at`` may use different ones), records without an
    interval, every optional field present or absent, and (by default) a small pool of
    volunteers so that lists of records share volunteers.

    Args:
        volunteer_ids: the volunteers; :func:`volunteer_ids` by default.
        organization_ids: recording organizations (valid credit codes or ``G-`` ids); a few
            fixed ones, any valid credit code or any group id by default.
        statuses: record statuses; all four by default.
        region_codes: where the service took place; every known region by default.
        intervals: ``True`` for records with start and end, ``False`` for records without,
            ``None`` (default) for both.

    Shrinks toward a short record of the first volunteer, without interval or optional
    fields, in the lowest region, on 1900-01-02.

    Raises:
        InvalidArgument: an argument that is not a strategy (or a bool for ``intervals``).

    Example:
        >>> from hypothesis import given, strategies as st
        >>> @given(service_records(statuses=st.just("verified"), intervals=True))
        ... def test(record):
        ...     assert record.status == "verified" and record.end > record.start
        >>> test()
    """
    return _deferred(
        lambda: _strategies(volunteer_ids, organization_ids, statuses, region_codes, intervals)
    ).map(parse_record)


# Defects for record_payloads(malformed=True): each returns a payload with one problem more.
_BAD_VALUES: Final[dict[str, tuple[Any, ...]]] = {
    "format_version": (2, "1", True, None, 1.0),
    "record_id": ("", "  ", "r 1", "x" * 65, 7, None, ["r"]),
    "volunteer_id": (
        "11010519491231002X",
        "13812345678",
        "8613912345678",
        "0086-150-1234-5678",
        "",
        "a/b",
        12,
        None,
    ),
    "organization_id": ("512111005000000155", "G-", "123", "G-" + "x" * 63, None, 5),
    "activity_name": ("", " \t ", "a" * 201, 3, None),
    "service_category": ("fun", "", 1, None),
    "content": ("", "c" * 2001, [], None),
    "place": ("", "p" * 201, {}, None),
    "region_code": ("999999", "21110", "abcdef", 211103, None),
    "date": ("2024-02-30", "2024/05/01", "1899-12-31", 20240501, None),
    "start": ("2024-05-01T08:00:00", "2024-05-01T08:00:00+25:00", "8am", 3),
    "end": ("2024-05-01", "2024-05-01T08:00:00+08:61", 3.5),
    "service_minutes": (0, 1441, -1, True, 90.0, "90", None),
    "person_in_charge": ("", "x" * 101, 1, None),
    "recorded_by": ("", "x" * 101, False, None),
    "recorded_at": ("yesterday", "2024-05-02 09:15", "3000-01-01T00:00:00+00:00", None),
    "status": ("done", "VERIFIED", "", 1, None),
    "evaluation": ({"rating": "great", "date": "2024-05-03"}, {"rating": "good"}, "good", []),
    "beneficiary": ("b" * 201, 5),
    "group_service": (1, "true", 0),
    "amends": ("a b", "x" * 65, 3),
    "extensions": ([], "x", {"n": math.nan}, {"k": object()}, {1: "one"}),
}


@st.composite
def _malformed(draw: st.DrawFn, payloads: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    payload = dict(draw(payloads))
    defects = draw(st.integers(min_value=1, max_value=3))
    for _ in range(defects):
        kind = draw(st.sampled_from(("value", "drop", "unknown", "inconsistent")))
        if kind == "value":
            field = draw(st.sampled_from(sorted(_BAD_VALUES)))
            payload[field] = draw(st.sampled_from(_BAD_VALUES[field]))
        elif kind == "drop":
            required = [f for f in FIELDS if f not in ("start", "end") and f in payload]
            required = [
                f
                for f in required
                if f not in ("evaluation", "beneficiary", "group_service", "amends", "extensions")
            ]
            payload.pop(draw(st.sampled_from(required)))
        elif kind == "unknown":
            name = draw(st.text(_TEXT_CHARS, max_size=20).filter(lambda k: k not in FIELDS))
            payload[name] = draw(_json_values())
        else:
            # Two fields that disagree.
            try:
                day: _dt.date | None = _dt.date.fromisoformat(payload["date"])
            except (KeyError, TypeError, ValueError):
                day = None
            if "start" in payload and "end" in payload and draw(st.booleans()):
                payload["end"] = payload["start"]  # end must be after start
            elif day is not None and day.year >= MIN_YEAR:
                payload["recorded_at"] = _dt.datetime.combine(
                    day - _dt.timedelta(days=draw(st.integers(min_value=2, max_value=30))),
                    _dt.time(12),
                    _dt.UTC,
                ).isoformat()
            else:
                payload["service_minutes"] = 0
    return payload


def record_payloads(*, malformed: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Record format v1 payloads (JSON objects as ``dict``).

    With ``malformed=False`` (default), canonical payloads: :func:`~volunteer_rules.parse_record`
    accepts them and ``dump_record(parse_record(p)) == p``. They cover everything
    :func:`service_records` covers. With ``malformed=True``, payloads with at least one
    defect (a field dropped, an unknown field, a value of the wrong type, shape or range, a
    failed check digit, an unknown code, fields that disagree, another format version):
    ``parse_record`` raises :class:`~volunteer_rules.RecordFormatError` for every one.

    Shrinks toward a short payload without interval or optional fields (and, when malformed,
    toward a single defect).

    Raises:
        InvalidArgument: ``malformed`` is not a bool.

    Example:
        >>> from hypothesis import given
        >>> import volunteer_rules as vr
        >>> @given(record_payloads(malformed=True))
        ... def test(payload):
        ...     try:
        ...         vr.parse_record(payload)
        ...     except vr.RecordFormatError:
        ...         pass
        ...     else:
        ...         raise AssertionError("accepted a malformed payload")
        >>> test()
    """

    def build() -> st.SearchStrategy[dict[str, Any]]:
        if not isinstance(malformed, bool):
            raise InvalidArgument(f"malformed={malformed!r} must be True or False")
        canonical = _strategies(None, None, None, None, None)
        return _malformed(canonical) if malformed else canonical

    return _deferred(build)
