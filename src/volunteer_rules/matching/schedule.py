"""The time slots of a demand: fixed intervals, recurrence rules, and the numbered slots.

Time slots are given as fixed intervals (:class:`Interval`) or as recurrence rules
(:class:`Recurrence`, an RFC 5545 ``RRULE`` expanded by :mod:`dateutil.rrule`, bounded by
``COUNT`` or ``UNTIL`` and by :data:`MAX_SLOTS`); a demand numbers their expansion as
:class:`TimeSlot` values. All times are aware; intervals are half-open
(``start <= t < end``), so a slot ending at 10:00 does not clash with one starting at 10:00.
Every start and end falls in the years 1900 to 2999 (in its own offset), the years every wire
form reads: a slot that could not be written in a demand and read back cannot be built.
:mod:`volunteer_rules.matching.demand` re-exports every public name here.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> cst = timezone(timedelta(hours=8))
    >>> weekly = Recurrence(rule="FREQ=WEEKLY;COUNT=2", start=datetime(2024, 6, 1, 9, tzinfo=cst),
    ...                     duration_minutes=120)
    >>> [(i.start.day, i.minutes) for i in weekly.intervals()]
    [(1, 120), (8, 120)]
"""

from __future__ import annotations

import datetime as _dt
import itertools
import re
from typing import Final

import attrs
from dateutil import rrule as _rrule

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import require_aware
from volunteer_rules.errors import InvalidValueError
from volunteer_rules.records._fields import YEARS, years_problem

__all__ = ["MAX_SLOTS", "Interval", "Recurrence", "TimeSlot"]

MAX_SLOTS: Final = 1000
"""The most time slots one demand may expand to (a bound on any recurrence)."""

MAX_SLOT_MINUTES: Final = 7 * 1440
"""The longest one slot may be: seven days."""

HORIZON_DAYS: Final = 5 * 366
"""A recurrence must end within this many days of its first start."""

_FREQUENCIES: Final = frozenset(
    {_rrule.YEARLY, _rrule.MONTHLY, _rrule.WEEKLY, _rrule.DAILY, _rrule.HOURLY}
)
_BOUND: Final = re.compile(r"(^|;)\s*(COUNT|UNTIL)\s*=", re.IGNORECASE)


def _require_slot_time(moment: _dt.datetime, what: str) -> None:
    """An aware date-time in the format's years (:func:`.years_problem`), else the error."""
    require_aware(moment, what)
    if (problem := years_problem(moment)) is not None:
        raise InvalidValueError(what, problem)


def _fixed_offset(moment: _dt.datetime) -> _dt.datetime:
    """``moment`` in a fixed offset, its own: the same instant, the same wall time.

    Python subtracts and compares two date-times of one ``tzinfo`` by their wall times, which
    across a change of the clocks (a zone with summer time) is not the time that passed; in
    fixed offsets it is. Unlike ``astimezone``, this never leaves the calendar.
    """
    offset = moment.utcoffset()
    assert offset is not None  # aware: every time here was checked
    return moment.replace(tzinfo=_dt.timezone(offset))


def _span(start: _dt.datetime, end: _dt.datetime) -> _dt.timedelta:
    """The time that passes from ``start`` to ``end`` (a change of the clocks included)."""
    return _fixed_offset(end) - _fixed_offset(start)


@attrs.frozen(kw_only=True)
class Interval:
    """A fixed time interval, half-open: ``start <= t < end``.

    Attributes:
        start: aware start.
        end: aware end, after ``start``.

    Raises:
        InvalidValueError: a naive datetime, one outside the years 1900 to 2999 (in its own
            offset), ``end <= start``, or longer than seven days.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> cst = timezone(timedelta(hours=8))
        >>> a = Interval(start=datetime(2024, 6, 1, 8, tzinfo=cst),
        ...              end=datetime(2024, 6, 1, 10, tzinfo=cst))
        >>> b = Interval(start=datetime(2024, 6, 1, 10, tzinfo=cst),
        ...              end=datetime(2024, 6, 1, 11, tzinfo=cst))
        >>> a.overlaps(b), a.minutes
        (False, 120)
    """

    start: _dt.datetime
    end: _dt.datetime

    def __attrs_post_init__(self) -> None:
        _require_slot_time(self.start, "start")
        _require_slot_time(self.end, "end")
        span = _span(self.start, self.end)
        if span <= _dt.timedelta(0):
            raise InvalidValueError("end", "must be after start")
        if span > _dt.timedelta(minutes=MAX_SLOT_MINUTES):
            raise InvalidValueError("end", "a slot may last at most seven days")

    @property
    def minutes(self) -> int:
        """The length in whole minutes (seconds dropped).

        Example:
            >>> from datetime import datetime, timezone
            >>> Interval(start=datetime(2024, 1, 1, tzinfo=timezone.utc),
            ...          end=datetime(2024, 1, 1, 0, 30, tzinfo=timezone.utc)).minutes
            30
        """
        return int(_span(self.start, self.end).total_seconds()) // 60

    def overlaps(self, other: Interval | TimeSlot) -> bool:
        """Whether the two half-open intervals share an instant (touching ones do not).

        Example:
            >>> from datetime import datetime, timezone
            >>> t = lambda h: datetime(2024, 1, 1, h, tzinfo=timezone.utc)
            >>> Interval(start=t(8), end=t(10)).overlaps(Interval(start=t(9), end=t(11)))
            True
        """
        return self.start < other.end and other.start < self.end


@masked_repr
@attrs.frozen(kw_only=True)
class Recurrence:
    """Repeating slots: an RFC 5545 ``RRULE`` from an aware start, each slot of a duration.

    The rule must be bounded (``COUNT`` or ``UNTIL``; with an aware start dateutil wants
    ``UNTIL`` in UTC, ``...Z``) and expand to at most :data:`MAX_SLOTS` slots. Occurrences
    keep the start's UTC offset. The start is a whole second, as RFC 5545's date-times are.
    Every slot must end within the format's years (by the end of 2999, in the start's offset):
    a rule that runs past them is refused.

    Attributes:
        rule: the ``RRULE`` value without ``DTSTART`` (``"FREQ=WEEKLY;BYDAY=SA;COUNT=10"``).
        start: the aware first start (``DTSTART``).
        duration_minutes: the length of each slot, 1 to 10080 minutes.

    Raises:
        InvalidValueError: an unbounded or malformed rule, a naive start, one outside the
            years 1900 to 2999 or with a fraction of a second, a bad duration, more than
            :data:`MAX_SLOTS` occurrences, or a slot that would end after 2999.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> cst = timezone(timedelta(hours=8))
        >>> rec = Recurrence(rule="FREQ=DAILY;COUNT=2", start=datetime(2024, 6, 1, 9, tzinfo=cst),
        ...                  duration_minutes=60)
        >>> [i.start.day for i in rec.intervals()]
        [1, 2]
        >>> Recurrence(rule="FREQ=DAILY", start=datetime(2024, 6, 1, tzinfo=cst),
        ...            duration_minutes=60)
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: rule: must be bounded by COUNT or UNTIL
        >>> Recurrence(rule="FREQ=DAILY;COUNT=3", start=datetime(2999, 12, 30, 9, tzinfo=cst),
        ...            duration_minutes=60)
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: rule: every slot must fall in the years 1900 to 2999
    """

    rule: str
    start: _dt.datetime
    duration_minutes: int
    _expanded: tuple[Interval, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        _require_slot_time(self.start, "start")
        if self.start.microsecond:
            # dateutil drops it from every occurrence, the first included: refused, not lost.
            raise InvalidValueError("start", "must be a whole second (RFC 5545 has no fractions)")
        if not isinstance(self.rule, str) or "\n" in self.rule or "\r" in self.rule:
            raise InvalidValueError("rule", "must be one RRULE line")
        if self.rule.strip().upper().startswith(("RRULE", "DTSTART")):
            raise InvalidValueError("rule", "give the RRULE value only, without RRULE: or DTSTART")
        if not _BOUND.search(self.rule):
            raise InvalidValueError("rule", "must be bounded by COUNT or UNTIL")
        minutes = self.duration_minutes
        if type(minutes) is not int or not 1 <= minutes <= MAX_SLOT_MINUTES:
            raise InvalidValueError(
                "duration_minutes", f"must be an int from 1 to {MAX_SLOT_MINUTES}"
            )
        horizon = self.start + _dt.timedelta(days=HORIZON_DAYS)  # within the calendar
        try:
            parsed = _rrule.rrulestr(self.rule, dtstart=self.start)
            if not isinstance(parsed, _rrule.rrule):
                raise ValueError("one RRULE expected")
            if getattr(parsed, "_freq", None) not in _FREQUENCIES:
                raise ValueError("FREQ must be YEARLY, MONTHLY, WEEKLY, DAILY or HOURLY")
            count: int | None = getattr(parsed, "_count", None)
            until: _dt.datetime | None = getattr(parsed, "_until", None)
            # Iterate up to a horizon only, so a rule that never matches ends quickly.
            end = horizon if until is None else min(until, horizon)
            bounded = parsed.replace(count=None, until=end)
            wanted = MAX_SLOTS + 1 if count is None else min(count, MAX_SLOTS + 1)
            starts = list(itertools.islice(iter(bounded), wanted))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as e:
            raise InvalidValueError("rule", f"not a valid RRULE: {e}") from None
        if len(starts) > MAX_SLOTS:
            raise InvalidValueError("rule", f"expands to more than {MAX_SLOTS} slots")
        if (count is not None and len(starts) < count) or (until is not None and until > horizon):
            raise InvalidValueError("rule", f"runs past {HORIZON_DAYS} days from its start")
        length = _dt.timedelta(minutes=minutes)
        if starts and years_problem(starts[-1] + length) is not None:
            raise InvalidValueError("rule", f"every slot {YEARS}")
        expanded = tuple(Interval(start=s, end=s + length) for s in starts)
        object.__setattr__(self, "_expanded", expanded)

    def intervals(self) -> tuple[Interval, ...]:
        """The occurrences, in order.

        Example:
            >>> from datetime import datetime, timezone
            >>> Recurrence(rule="FREQ=HOURLY;COUNT=3", start=datetime(2024, 1, 1, tzinfo=timezone.utc),
            ...            duration_minutes=30).intervals()[-1].start.hour
            2
        """
        return self._expanded


@attrs.frozen(kw_only=True, order=False)
class TimeSlot:
    """One slot of a demand: its index in :attr:`Demand.slots` and its half-open interval.

    Its times are checked as an :class:`Interval`'s are.

    Attributes:
        index: position in the demand's slots (0-based, by start then end).
        start: aware start.
        end: aware end.

    Raises:
        InvalidValueError: the times as :class:`Interval` refuses them.

    Example:
        >>> from datetime import datetime, timezone
        >>> slot = TimeSlot(index=0, start=datetime(2024, 1, 1, 8, tzinfo=timezone.utc),
        ...                 end=datetime(2024, 1, 1, 9, tzinfo=timezone.utc))
        >>> slot.day
        datetime.date(2024, 1, 1)
        >>> TimeSlot(index=0, start=datetime(3000, 1, 1, 8, tzinfo=timezone.utc),
        ...          end=datetime(3000, 1, 1, 9, tzinfo=timezone.utc))
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: start: must fall in the years 1900 to 2999
    """

    index: int
    start: _dt.datetime
    end: _dt.datetime

    def __attrs_post_init__(self) -> None:
        Interval(start=self.start, end=self.end)

    @property
    def day(self) -> _dt.date:
        """The local date the slot starts on (ages and training validity are judged on it).

        Example:
            >>> from datetime import datetime, timedelta, timezone
            >>> cst = timezone(timedelta(hours=8))
            >>> TimeSlot(index=0, start=datetime(2024, 1, 1, 23, tzinfo=cst),
            ...          end=datetime(2024, 1, 2, 1, tzinfo=cst)).day
            datetime.date(2024, 1, 1)
        """
        return self.start.date()

    def overlaps(self, other: Interval | TimeSlot) -> bool:
        """Whether the two half-open intervals share an instant.

        Example:
            >>> from datetime import datetime, timezone
            >>> t = lambda h: datetime(2024, 1, 1, h, tzinfo=timezone.utc)
            >>> TimeSlot(index=0, start=t(8), end=t(10)).overlaps(
            ...     TimeSlot(index=1, start=t(10), end=t(11)))
            False
        """
        return self.start < other.end and other.start < self.end
