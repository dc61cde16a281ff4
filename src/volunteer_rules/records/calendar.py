"""Working-day calendars: which days count as working days (工作日).

MCA Order 67 (志愿服务记录与证明出具办法（试行）, 2020), Art. 11 ([MCA2020] in
``docs/sources.md``) gives an organization **10 working days** after an activity ends
to record it. Counting working days needs a calendar, so the rule takes one as a parameter: any
object with ``is_working_day(day) -> bool`` (the :class:`WorkingDayCalendar` protocol) can be
plugged in.

:class:`ChinaWorkingDays` is mainland China's calendar, built on the ``holidays`` package:

- a public holiday (法定节假日 and the days off the State Council adds around it) is not a
  working day, whatever the weekday;
- Saturday and Sunday are not working days, **except** the make-up working days (调休上班日)
  the State Council moves onto a weekend;
- every other day is a working day.

Only the ``public`` category counts: half-day holidays for some groups (Women's Day, Youth Day,
Army Day) are working days for the calendar.

**Coverage.** The State Council publishes each year's arrangement (国务院办公厅关于 YYYY 年部分
节假日安排的通知) late in the previous year; the ``holidays`` package carries them from 2001 to
the year given by :attr:`ChinaWorkingDays.covered_years` (2026 with ``holidays`` 0.109). Outside
those years there are no official make-up days. By default (``outside="estimate"``) the calendar
then uses the package's estimate: the statutory holidays of 全国年节及纪念日放假办法 moved off
weekends by the package's rule, weekends off, no make-up days. The estimate tends to give more
days off than the real arrangement, so deadlines computed from it tend to be later (lenient),
never knowingly earlier. Before 1950 the package knows no holidays: weekends only. With
``outside="refuse"`` a day outside the covered years raises :class:`InvalidValueError` instead.

The calendar is pure (no clock): it answers for the day it is given. Each year is computed once
and cached in the instance.

Example:
    >>> from datetime import date
    >>> china = ChinaWorkingDays()
    >>> china.is_working_day(date(2024, 10, 1))  # National Day
    False
    >>> china.is_working_day(date(2024, 10, 12))  # a Saturday, make-up working day
    True
    >>> add_working_days(date(2024, 9, 30), 1, calendar=china)  # next: after the Golden Week
    datetime.date(2024, 10, 8)
"""

from __future__ import annotations

import datetime as _dt
import threading
from typing import Final, Literal, Protocol, runtime_checkable

import holidays
from holidays.constants import PUBLIC
from holidays.countries.china import China

from volunteer_rules.errors import InvalidTypeError, InvalidValueError

# holidays sets __version__ without exporting it in its type stubs (mypy --strict).
_HOLIDAYS_VERSION: Final = str(vars(holidays)["__version__"])

__all__ = [
    "CHINA_WORKING_DAYS",
    "ChinaWorkingDays",
    "WeekdaysOnly",
    "WorkingDayCalendar",
    "add_working_days",
    "calendar_version",
]

_ONE_DAY: Final = _dt.timedelta(days=1)
_MAX_STEP: Final = 3660
"""How many consecutive non-working days :func:`add_working_days` accepts before giving up
(ten years): a calendar with no working day at all would otherwise loop forever."""


@runtime_checkable
class WorkingDayCalendar(Protocol):
    """Anything that can say whether a day is a working day.

    Implement ``is_working_day`` to plug in another jurisdiction's calendar (a region with its
    own holidays, an organization's own days). :func:`add_working_days` and the ``late`` check
    need nothing else.

    Example:
        >>> from datetime import date
        >>> class EveryDay:
        ...     def is_working_day(self, day: date) -> bool:
        ...         return True
        >>> isinstance(EveryDay(), WorkingDayCalendar)
        True
        >>> add_working_days(date(2024, 10, 1), 10, calendar=EveryDay())
        datetime.date(2024, 10, 11)
    """

    def is_working_day(self, day: _dt.date) -> bool:
        """Whether ``day`` is a working day."""


class WeekdaysOnly:
    """A calendar without holidays: Monday to Friday are working days, weekends are not.

    For places whose holidays are unknown, and for tests.

    Example:
        >>> from datetime import date
        >>> WeekdaysOnly().is_working_day(date(2024, 10, 1)), WeekdaysOnly().is_working_day(
        ...     date(2024, 10, 5))
        (True, False)
    """

    __slots__ = ()

    data_version: Final = "weekdays only (no holiday data)"
    """What the calendar's answers rest on (see :func:`calendar_version`)."""

    def is_working_day(self, day: _dt.date) -> bool:
        """Whether ``day`` is a Monday to Friday.

        Example:
            >>> from datetime import date
            >>> WeekdaysOnly().is_working_day(date(2024, 10, 7))
            True
        """
        return day.weekday() < 5

    def __repr__(self) -> str:
        return "WeekdaysOnly()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WeekdaysOnly)

    def __hash__(self) -> int:
        return hash(WeekdaysOnly)


def _covered_years() -> range:
    """The years whose official arrangement the installed ``holidays`` package carries."""
    table = China(years=())  # type: ignore[no-untyped-call]
    special = getattr(table, "special_public_holidays", None)
    if not special:  # pragma: no cover - a future package without the table
        return range(2001, 2001)
    return range(min(special), max(special) + 1)


class ChinaWorkingDays:
    """Mainland China's working days: holidays off, weekends off, make-up days (调休) on.

    See the module documentation for the rules, the covered years and what happens outside
    them.

    Args:
        outside: ``"estimate"`` (default) answers for any year, using the ``holidays``
            package's estimate outside :attr:`covered_years`; ``"refuse"`` raises
            :class:`InvalidValueError` for a day outside them.

    Attributes:
        covered_years: the years with an official State Council arrangement (a ``range``).
        outside: the policy for other years.
        data_version: which calendar data answers, for results that depend on it: the
            ``holidays`` package's version and the years it carries officially, e.g.
            ``"holidays 0.109 (official arrangements 2001-2026)"``. The working days of
            2001-2026 are the same with every ``holidays`` version from 0.92 on (a test pins
            them); a later version may add the next year's arrangement.

    Example:
        >>> from datetime import date
        >>> china = ChinaWorkingDays()
        >>> china.is_working_day(date(2024, 2, 4))  # Sunday, make-up day for the Spring Festival
        True
        >>> china.is_working_day(date(2024, 2, 12))  # Monday in the Spring Festival holiday
        False
        >>> 2024 in china.covered_years
        True
        >>> china.data_version.startswith("holidays ")
        True
    """

    __slots__ = ("_lock", "_years", "covered_years", "data_version", "outside")

    def __init__(self, *, outside: Literal["estimate", "refuse"] = "estimate") -> None:
        if outside not in ("estimate", "refuse"):
            raise InvalidValueError("outside", "outside must be 'estimate' or 'refuse'")
        self.outside = outside
        self.covered_years = _covered_years()
        years = self.covered_years
        first, last = years.start, years.stop - 1
        self.data_version = f"holidays {_HOLIDAYS_VERSION} (official arrangements {first}-{last})"
        self._years: dict[int, tuple[frozenset[_dt.date], frozenset[_dt.date]]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ChinaWorkingDays(outside={self.outside!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChinaWorkingDays) and other.outside == self.outside

    def __hash__(self) -> int:
        return hash((ChinaWorkingDays, self.outside))

    def covers(self, day: _dt.date) -> bool:
        """Whether ``day`` falls in a year with an official arrangement.

        Example:
            >>> from datetime import date
            >>> china = ChinaWorkingDays()
            >>> china.covers(date(2024, 1, 1)), china.covers(date(1999, 1, 1))
            (True, False)
        """
        return day.year in self.covered_years

    def _year(self, year: int) -> tuple[frozenset[_dt.date], frozenset[_dt.date]]:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._years.get(year)
            if cached is None:
                table = China(years=year, categories=(PUBLIC,))  # type: ignore[no-untyped-call]
                days_off = frozenset(day for day in table if day.year == year)
                make_up = frozenset(
                    day
                    for day in getattr(table, "weekend_workdays", ())
                    if day.year == year and day not in days_off
                )
                cached = (days_off, make_up)
                self._years[year] = cached
        return cached

    def is_working_day(self, day: _dt.date) -> bool:
        """Whether ``day`` is a working day in mainland China.

        Args:
            day: a date (a ``datetime`` is taken by its date).

        Returns:
            ``False`` on a public holiday or an ordinary weekend day, ``True`` otherwise
            (make-up working days on a weekend are working days).

        Raises:
            InvalidTypeError: ``day`` is not a date.
            InvalidValueError: ``outside="refuse"`` and ``day`` is not in a covered year.

        Example:
            >>> from datetime import date
            >>> china = ChinaWorkingDays()
            >>> [china.is_working_day(date(2024, 9, d)) for d in (28, 29, 30)]
            [False, True, True]
        """
        if not isinstance(day, _dt.date):
            raise InvalidTypeError("day", "day must be a datetime.date")
        if isinstance(day, _dt.datetime):
            day = day.date()
        if self.outside == "refuse" and day.year not in self.covered_years:
            first, last = self.covered_years.start, self.covered_years.stop - 1
            raise InvalidValueError(
                "day",
                f"{day.isoformat()} is outside the years with an official holiday "
                f"arrangement ({first}–{last})",
            )
        days_off, make_up = self._year(day.year)
        if day.weekday() >= 5:
            return day in make_up
        return day not in days_off


CHINA_WORKING_DAYS: Final = ChinaWorkingDays()
"""A shared :class:`ChinaWorkingDays` (``outside="estimate"``), the default calendar of the
checks; sharing it shares its per-year cache."""


def add_working_days(day: _dt.date, n: int, *, calendar: WorkingDayCalendar) -> _dt.date:
    """The ``n``-th working day after ``day`` (before it when ``n`` is negative).

    ``day`` itself is never counted, working day or not: the 1st working day after a Friday is
    the next Monday (if that is a working day). ``n == 0`` returns ``day`` unchanged.

    Args:
        day: the starting day.
        n: how many working days to move.
        calendar: the calendar that says which days are working days.

    Returns:
        the day reached.

    Raises:
        InvalidTypeError: ``day`` is not a date, ``n`` not an int, or ``calendar`` has no
            ``is_working_day``.
        InvalidValueError: the result would fall outside the dates Python can represent, or
            the calendar has no working day for ten years in a row.

    Example:
        >>> from datetime import date
        >>> add_working_days(date(2024, 2, 9), 1, calendar=CHINA_WORKING_DAYS)  # holiday next
        datetime.date(2024, 2, 18)
        >>> add_working_days(date(2024, 2, 18), -1, calendar=CHINA_WORKING_DAYS)
        datetime.date(2024, 2, 9)
    """
    if not isinstance(day, _dt.date):
        raise InvalidTypeError("day", "day must be a datetime.date")
    if isinstance(day, _dt.datetime):
        day = day.date()
    if not isinstance(n, int) or isinstance(n, bool):
        raise InvalidTypeError("n", "n must be an int")
    if not callable(getattr(calendar, "is_working_day", None)):
        raise InvalidTypeError("calendar", "calendar must have an is_working_day(day) method")
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    is_working_day = calendar.is_working_day
    remaining = abs(n)
    idle = 0
    try:
        while remaining:
            day += step
            if is_working_day(day):
                remaining -= 1
                idle = 0
            else:
                idle += 1
                if idle > _MAX_STEP:
                    raise InvalidValueError(
                        "calendar", "the calendar has no working day in ten years"
                    )
    except OverflowError:
        raise InvalidValueError(
            "day", "the result falls outside the dates Python can represent"
        ) from None
    return day


def calendar_version(calendar: object) -> str | None:
    """The data version a calendar's answers rest on, for results that depend on it.

    A result computed with working days (a ``late`` finding, a deadline) can change when the
    calendar data changes (a new ``holidays`` release adds next year's arrangement), so the
    library reports, in every such result, which data answered: the calendar's
    ``data_version`` attribute when it has one (:class:`ChinaWorkingDays`,
    :class:`WeekdaysOnly`), else ``None`` (a calendar of your own that does not say).

    Example:
        >>> calendar_version(CHINA_WORKING_DAYS).startswith("holidays ")
        True
        >>> calendar_version(WeekdaysOnly())
        'weekdays only (no holiday data)'
        >>> class EveryDay:
        ...     def is_working_day(self, day):
        ...         return True
        >>> calendar_version(EveryDay()) is None
        True
    """
    version = getattr(calendar, "data_version", None)
    return version if isinstance(version, str) else None
