"""Reading service records of format v1 from their wire form (``docs/record-format.md``).

:func:`parse_record` reads a payload in two steps:

1. :func:`_read_canonical` reads the payload the format writes (every field canonical, every
   rule kept), the common case in a batch, with look-ups in caches and tables and nothing
   else. It only vouches: for anything it does not recognise, or that breaks a rule, it
   answers ``None``.
2. :func:`~volunteer_rules.records._general_reader.read_reporting_every_problem` then reads the
   payload from the start, field by field, accepting what is valid in any form (text with spaces
   around it, ``Z`` for UTC, microseconds, a ``default_tz``) and collecting every problem. If there
   is any, one :class:`~volunteer_rules.RecordFormatError` lists them all.

Whatever the first step accepts, the second accepts with an equal record (property tests
check it), so the first is a short cut, never a second set of rules.

Example:
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> parse_record(SAMPLE_RECORD_PAYLOAD).service
    Hours(minutes=120)
"""

from __future__ import annotations

import datetime as _dt
import operator
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final

from volunteer_rules.errors import (
    FieldError,
    InvalidTypeError,
    InvalidValueError,
    RecordFormatError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records._fields import (
    CONTENT_MAX,
    DATES,
    EVALUATIONS,
    ID_MAX,
    ID_RE,
    MAX_MINUTES,
    NAME_MAX,
    ORGANIZATIONS,
    PERSON_MAX,
    cached_date,
    cached_evaluation,
    years_problem,
)
from volunteer_rules.records._general_reader import read_reporting_every_problem
from volunteer_rules.records._json import UNSTORABLE, freeze, type_name
from volunteer_rules.records._wording import volunteer_id_problem
from volunteer_rules.records.region import RegionCode
from volunteer_rules.records.service_record import (
    FORMAT_VERSION,
    MAX_YEAR,
    MIN_YEAR,
    SERVICE_CATEGORIES,
    STATUSES,
    Evaluation,
    ServiceRecord,
    unchecked_record,
)

__all__ = ["parse_record", "parse_records"]

_EMPTY: Final[frozenset[str]] = frozenset()

# Tables of the canonical reader: a look-up that fails (KeyError) declines the payload.
_CATEGORY_CODES: Final = {code: code for code in SERVICE_CATEGORIES}
"""The category vocabulary, each code mapped to itself (the look-up gives an exact ``str``)."""
_STATUS_CANONICAL: Final = {status: status for status in STATUSES}
_REGIONS_BY_CODE: Final = {region.code: region for region in RegionCode.all()}
_HOURS_BY_MINUTE: Final = tuple(Hours.from_minutes(m) for m in range(MAX_MINUTES + 1))
_HOURS_BY_MINUTES: Final = {m: _HOURS_BY_MINUTE[m] for m in range(1, MAX_MINUTES + 1)}
"""Service time by minutes, 1 to 1440 only (a look-up by ``==``: the type is checked first)."""
_MINUTE_SPANS: Final = tuple(_dt.timedelta(minutes=m) for m in range(MAX_MINUTES + 1))
_OFFSETS: Final = frozenset(
    f"{sign}{hours:02d}:{minutes:02d}"
    for sign in "+-"
    for hours in range(24)
    for minutes in range(60)
)
"""Every UTC offset text ``±HH:MM`` (hours 00-23, minutes 00-59)."""
_ID_ALPHABET: Final = "0123456789-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_."
"""The id characters, most frequent first: ``text.strip(_ID_ALPHABET)`` is empty for an id."""
_strip: Final = str.strip
"""``str.strip`` as a function: it refuses anything but a ``str`` (a type check for free)."""
_UNSTORABLE_SEARCH: Final = UNSTORABLE.search
_SURELY_IN_THE_YEARS: Final = str(MIN_YEAR + 1)
_LAST_YEAR: Final = str(MAX_YEAR)
"""A canonical date-time whose text is from the first to before the second is in a year
strictly inside the format's years: the one year rule (:func:`.years_problem`) decides the
others, its first and last year included."""
_VOLUNTEER_IDS: set[str] = set()
"""Volunteer ids already checked (volunteers have many records each)."""
_VOLUNTEER_IDS_MAX: Final = 65536
_OptionalFields = tuple[Evaluation | None, str | None, bool, str | None, Any]
_NO_OPTIONAL_FIELDS: Final[_OptionalFields] = (None, None, False, None, None)
"""``evaluation``, ``beneficiary``, ``group_service``, ``amends``, ``extensions``: none given."""

_REQUIRED_VALUES: Final = operator.itemgetter(
    "format_version",
    "record_id",
    "volunteer_id",
    "organization_id",
    "activity_name",
    "service_category",
    "content",
    "place",
    "region_code",
    "date",
    "service_minutes",
    "person_in_charge",
    "recorded_by",
    "recorded_at",
    "status",
)


# --------------------------------------------------------------------------------------------
# parse_record and parse_records


def parse_record(
    mapping: Mapping[str, Any],
    *,
    default_tz: _dt.tzinfo | None = None,
    extra_categories: Collection[str] = _EMPTY,
) -> ServiceRecord:
    """Read one service record (format v1) and check every rule of the format.

    Every problem is collected; if there is any, one :class:`~volunteer_rules.RecordFormatError`
    is raised whose ``errors`` list them all, each with a path (``$.date``,
    ``$.evaluation.rating``), a code and a message (see ``docs/record-format.md``). Messages
    never contain a full ID-card number. A ``format_version`` other than ``1`` stops the
    reading at once (``unsupported_version``): the other rules are version 1's.

    Args:
        mapping: the record, a JSON object (any :class:`~collections.abc.Mapping`).
        default_tz: read date-times written without an offset in this zone; without it such a
            date-time is ``invalid_format``.
        extra_categories: service category codes accepted besides :data:`SERVICE_CATEGORIES`.

    Returns:
        The record. Text is trimmed; ``extensions`` is a frozen deep copy.

    Raises:
        RecordFormatError: the payload breaks the format (all problems listed).
        InvalidTypeError: ``default_tz`` or ``extra_categories`` is of the wrong type.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> payload = dict(SAMPLE_RECORD_PAYLOAD)
        >>> record = vr.parse_record(payload)
        >>> record.service, record.start.isoformat(), record.region_code.name
        (Hours(minutes=120), '2024-05-01T08:30:00+08:00', '兴隆台区')
        >>> payload["service_minutes"] = 1441
        >>> payload["colour"] = "blue"
        >>> try:
        ...     vr.parse_record(payload)
        ... except vr.RecordFormatError as error:
        ...     for problem in error.errors:
        ...         print(problem.path, problem.code)
        $.colour unknown_field
        $.service_minutes out_of_range
    """
    if default_tz is not None:
        _check_default_tz(default_tz)
    categories = _CATEGORY_CODES
    if extra_categories is not _EMPTY:
        categories = _categories(extra_categories)
    if type(mapping) is not dict:
        return read_reporting_every_problem(_as_dict(mapping, "$"), default_tz, categories, "$")
    try:
        record = _read_canonical(mapping, categories)
    except Exception:
        # A missing field, or an unhashable or oddly typed value (whose own methods may raise
        # anything): the general reader says what is wrong.
        record = None
    if record is not None:
        return record
    return read_reporting_every_problem(mapping, default_tz, categories, "$")


def parse_records(
    payloads: Iterable[Mapping[str, Any]],
    *,
    default_tz: _dt.tzinfo | None = None,
    extra_categories: Collection[str] = _EMPTY,
) -> tuple[ServiceRecord, ...]:
    """Read many records at once, all or nothing.

    Every payload is read (with the same rules as :func:`parse_record`); if any is malformed,
    one :class:`~volunteer_rules.RecordFormatError` lists every problem of every payload, with
    paths such as ``$[3].date`` (the index in ``payloads``).

    Args:
        payloads: the records, an iterable of JSON objects (not a single mapping).
        default_tz: as for :func:`parse_record`.
        extra_categories: as for :func:`parse_record`.

    Returns:
        The records, in the order given.

    Raises:
        RecordFormatError: some payload breaks the format.
        InvalidTypeError: ``default_tz`` or ``extra_categories`` is of the wrong type.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD as good
        >>> bad = dict(good, status="done")
        >>> len(vr.parse_records([good, good]))
        2
        >>> try:
        ...     vr.parse_records([good, bad])
        ... except vr.RecordFormatError as error:
        ...     print([(e.path, e.code) for e in error.errors])
        [('$[1].status', 'unknown_code')]
    """
    _check_default_tz(default_tz)
    codes = _CATEGORY_CODES
    if extra_categories is not _EMPTY:
        codes = _categories(extra_categories)
    if isinstance(payloads, (str, bytes, Mapping)) or not isinstance(payloads, Iterable):
        raise RecordFormatError(
            [
                FieldError(
                    "$",
                    "invalid_type",
                    f"records must be an array of objects, not {type_name(payloads)}",
                )
            ]
        )
    records: list[ServiceRecord] = []
    errors: list[FieldError] = []
    for index, payload in enumerate(payloads):
        prefix = f"$[{index}]"
        try:
            given = _as_dict(payload, prefix)
            record = None
            try:
                record = _read_canonical(given, codes)
            except Exception:
                record = None  # the general reader says what is wrong
            if record is None:
                record = read_reporting_every_problem(given, default_tz, codes, prefix)
            records.append(record)
        except RecordFormatError as error:
            errors.extend(error.errors)
    if errors:
        raise RecordFormatError(errors, what="records")
    return tuple(records)


def _check_default_tz(default_tz: object) -> None:
    if default_tz is not None and not isinstance(default_tz, _dt.tzinfo):
        raise InvalidTypeError(
            "default_tz", f"must be a datetime.tzinfo or None, not {type(default_tz).__name__}"
        )


def _categories(extra: Iterable[str]) -> dict[str, str]:
    """The vocabulary with ``extra`` codes, each mapped to itself (see :data:`_CATEGORY_CODES`)."""
    if isinstance(extra, (str, bytes)) or not isinstance(extra, Iterable):
        raise InvalidTypeError("extra_categories", "must be a collection of category codes")
    codes = frozenset(extra)
    for code in codes:
        if not isinstance(code, str) or not ID_RE.fullmatch(code):
            raise InvalidValueError(
                "extra_categories", "each category code must be 1-64 id characters"
            )
    return {code: code for code in frozenset(SERVICE_CATEGORIES) | codes}


def _as_dict(payload: object, prefix: str) -> dict[Any, Any]:
    """The payload as an exact ``dict``; a ``RecordFormatError`` if it is not a JSON object."""
    if type(payload) is dict:
        return payload
    if not isinstance(payload, Mapping):
        raise RecordFormatError(
            [
                FieldError(
                    prefix,
                    "invalid_type",
                    f"a record must be a JSON object, not {type_name(payload)}",
                )
            ]
        )
    try:
        return dict(payload.items())
    except Exception:  # a broken mapping given by a caller
        raise RecordFormatError(
            [FieldError(prefix, "invalid_type", "the record could not be read as an object")]
        ) from None


# --------------------------------------------------------------------------------------------
# Step 1: the canonical payload, vouched for or declined (None)


def _read_canonical(m: dict[Any, Any], categories: dict[str, str]) -> ServiceRecord | None:
    """The record of a canonical payload that keeps every rule; ``None`` declines it.

    May raise anything for a payload that is not canonical (a missing field is a ``KeyError``,
    an unhashable value a ``TypeError``): the caller declines it then too.

    Length: the hot path of ``parse_record``; the look-ups and the checks of the ids and texts
    stay inline, where a call each would cost (docs/benchmarks.md, "Parsing").
    """
    (
        version,
        record_id,
        volunteer_id,
        organization_id,
        activity_name,
        service_category,
        content,
        place,
        region_text,
        day_text,
        minutes,
        person_in_charge,
        recorded_by,
        recorded_text,
        status,
    ) = _REQUIRED_VALUES(m)
    if "start" in m or "end" in m:
        start_text = m["start"]
        end_text = m["end"]
        if start_text is None or end_text is None:
            return None  # an end without a start, or the other way round: reported in step 2
        extra_fields = len(m) - 17
    else:
        start_text = end_text = None
        extra_fields = len(m) - 15
    if version is not FORMAT_VERSION and (type(version) is not int or version != FORMAT_VERSION):
        return None
    # Vocabularies and tables: each look-up gives the canonical value or raises KeyError.
    if type(minutes) is not int:
        return None  # True == 1: the look-up below would take a bool
    service = _HOURS_BY_MINUTES[minutes]
    category = categories[service_category]
    status = _STATUS_CANONICAL[status]
    organization_id = ORGANIZATIONS[organization_id]
    region = _REGIONS_BY_CODE[region_text]
    day = DATES.get(day_text) or cached_date(day_text)
    if day is None:
        return None
    # Ids and texts inline, optional fields read only when there are some: each call saved is
    # a few per cent of a record's time (docs/benchmarks.md, "Parsing").
    if not 0 < len(record_id) <= ID_MAX or _strip(record_id, _ID_ALPHABET):
        return None
    if volunteer_id not in _VOLUNTEER_IDS and not _remember_volunteer_id(volunteer_id):
        return None
    activity_name = _strip(activity_name)
    content = _strip(content)
    place = _strip(place)
    person_in_charge = _strip(person_in_charge)
    recorded_by = _strip(recorded_by)
    if not (
        0 < len(activity_name) <= NAME_MAX
        and 0 < len(content) <= CONTENT_MAX
        and 0 < len(place) <= NAME_MAX
        and 0 < len(person_in_charge) <= PERSON_MAX
        and 0 < len(recorded_by) <= PERSON_MAX
    ):
        return None
    if _UNSTORABLE_SEARCH(f"{activity_name}{content}{place}{person_in_charge}{recorded_by}"):
        return None  # the general reader names the field (invalid_format)
    moments = _canonical_moments(recorded_text, start_text, end_text, day_text, day, minutes)
    if moments is None:
        return None
    optional = _NO_OPTIONAL_FIELDS
    if extra_fields:
        read = _canonical_optional_fields(m, extra_fields, record_id, day)
        if read is None:
            return None
        optional = read
    recorded_at, start, end = moments
    evaluation, beneficiary, group_service, amends, extensions = optional
    return unchecked_record(
        record_id,
        volunteer_id,
        organization_id,
        activity_name,
        category,
        content,
        place,
        region,
        day,
        start,
        end,
        service,
        person_in_charge,
        recorded_by,
        recorded_at,
        status,
        evaluation,
        beneficiary,
        group_service,
        amends,
        extensions,
    )


def _is_canonical_id(text: str) -> bool:
    """1 to 64 id characters, nothing around them (``str.strip`` refuses a non-``str``)."""
    return 0 < len(text) <= ID_MAX and not _strip(text, _ID_ALPHABET)


def _remember_volunteer_id(text: str) -> bool:
    """Whether a volunteer id is canonical and not shaped like a resident ID or mobile number.

    A valid id is remembered: volunteers have many records each.
    """
    if not _is_canonical_id(text) or volunteer_id_problem(text) is not None:
        return False
    if len(_VOLUNTEER_IDS) >= _VOLUNTEER_IDS_MAX:
        _VOLUNTEER_IDS.clear()
    _VOLUNTEER_IDS.add(str(text))
    return True


def _canonical_moments(
    recorded_text: str,
    start_text: str | None,
    end_text: str | None,
    day_text: str,
    day: _dt.date,
    minutes: int,
) -> tuple[_dt.datetime, _dt.datetime | None, _dt.datetime | None] | None:
    """``recorded_at``, ``start`` and ``end``, if canonical and in the order the format asks.

    Canonical date-times are ``YYYY-MM-DDTHH:MM:SS±HH:MM`` (25 characters). The separators
    and the offset are checked here, the digits by ``fromisoformat``, which refuses any
    non-ASCII character in a digit's place (Python 3.10 to 3.13 alike). Two canonical
    date-times with the same offset order as text exactly as they order in time, and the local
    date of one is its first ten characters.

    Years: the one year rule (:func:`.years_problem`) judges ``recorded_at`` (unless its text
    is surely inside the years, a comparison of text) and, in other offsets, ``end``;
    ``start`` is on the activity's date (which the rule has judged), and in one offset ``end``
    is between ``start`` and ``recorded_at`` as text, so in the years too.
    """
    offset = recorded_text[19:]
    if offset not in _OFFSETS or recorded_text[4:17:3] != "--T::":
        return None  # offset in _OFFSETS: six characters, so the text is 25 characters long
    recorded_at = _dt.datetime.fromisoformat(recorded_text)
    if (
        not _SURELY_IN_THE_YEARS <= recorded_text < _LAST_YEAR
        and years_problem(recorded_at) is not None
    ):
        return None
    if start_text is None or end_text is None:
        # No interval: recorded on or after the activity's date.
        return None if recorded_text[:10] < day_text else (recorded_at, None, None)
    if start_text[4:17:3] != "--T::" or end_text[4:17:3] != "--T::":
        return None
    start = _dt.datetime.fromisoformat(start_text)
    end = _dt.datetime.fromisoformat(end_text)
    if start_text[19:] == offset == end_text[19:]:
        # One offset: start < end <= recorded_at as text, start's local date as text.
        if not start_text < end_text <= recorded_text or start_text[:10] != day_text:
            return None
        # The clock difference covers the minutes (integers), or else the elapsed time does
        # (the aware subtraction, slower, only past midnight).
        clock = (end.hour - start.hour) * 3600 + (end.minute - start.minute) * 60
        if clock + end.second - start.second < minutes * 60 and (
            end - start < _MINUTE_SPANS[minutes]
        ):
            return None
        return recorded_at, start, end
    if (
        start_text[19:] not in _OFFSETS
        or end_text[19:] not in _OFFSETS
        or years_problem(end) is not None
        or not start < end <= recorded_at
        or start.date() != day
        or end - start < _MINUTE_SPANS[minutes]
    ):
        return None
    return recorded_at, start, end


def _canonical_optional_fields(
    m: dict[Any, Any], extra_fields: int, record_id: str, day: _dt.date
) -> _OptionalFields | None:
    """``evaluation``, ``beneficiary``, ``group_service``, ``amends`` and ``extensions``.

    ``extra_fields`` is how many fields the payload has besides the required ones and the
    interval: each must be one of these five, given (not ``null``) with a canonical value.
    """
    evaluation: Evaluation | None = None
    beneficiary: str | None = None
    group_service = False
    amends: str | None = None
    extensions = None
    raw: Any = m.get("evaluation")
    if raw is not None:
        extra_fields -= 1
        if type(raw) is not dict or len(raw) != 2:
            return None
        key = (raw["rating"], raw["date"])
        evaluation = EVALUATIONS.get(key) or cached_evaluation(key)
        if evaluation is None or evaluation.date < day:
            return None
    raw = m.get("beneficiary")
    if raw is not None:
        extra_fields -= 1
        beneficiary = _strip(raw)
        if not 0 < len(beneficiary) <= NAME_MAX or _UNSTORABLE_SEARCH(beneficiary):
            return None
    raw = m.get("group_service")
    if raw is not None:
        extra_fields -= 1
        if raw is not True and raw is not False:
            return None
        group_service = raw
    raw = m.get("amends")
    if raw is not None:
        extra_fields -= 1
        if not _is_canonical_id(raw) or raw == record_id:
            return None
        amends = raw
    raw = m.get("extensions")
    if raw is not None:
        extra_fields -= 1
        if type(raw) is not dict:
            return None
        found: list[FieldError] = []
        extensions = freeze(raw, "$.extensions", 0, found)
        if found:
            return None
    if extra_fields:
        return None  # a field that is not in the format, or an optional field given as null
    return evaluation, beneficiary, group_service, amends, extensions
