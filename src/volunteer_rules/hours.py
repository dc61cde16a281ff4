"""Exact amounts of service time.

:class:`Hours` keeps whole minutes inside, as an ``int``. There is no ``float`` anywhere: a
float cannot say 0.1 h exactly, and rounding each line before summing is how other systems'
totals drift. Rounding happens once, at a named reporting step (:meth:`Hours.to_decimal_hours`
and :meth:`Hours.round_to`).

Example:
    >>> from volunteer_rules import Hours
    >>> total = sum([Hours.from_minutes(90), Hours.from_hours("0.5")])
    >>> total, total.minutes, total.hours
    (Hours(minutes=120), 120, Decimal('2'))
    >>> str(total), total.format("zh")
    ('2 h', '2小时')
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final, Literal

from volunteer_rules.errors import InvalidTypeError, InvalidValueError, VolunteerRulesError

__all__ = ["Hours", "InsufficientHoursError"]

_ROUNDINGS: Final = frozenset(
    {"ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_DOWN", "ROUND_UP", "ROUND_FLOOR", "ROUND_CEILING"}
)


class Hours:
    """An exact amount of service time, whole minutes inside.

    Build one with :meth:`from_minutes` or :meth:`from_hours`. Values are immutable, hashable
    and totally ordered; ``+`` and ``-`` work between ``Hours`` and ``sum()`` works because
    ``0 + Hours`` is allowed. An amount may be negative (a debit in a ledger); the record format
    and the rules say where it may not.

    Example:
        >>> a = Hours.from_hours(2)
        >>> b = Hours.from_minutes(45)
        >>> a - b, a > b, -b
        (Hours(minutes=75), True, Hours(minutes=-45))
        >>> Hours.from_hours(0.1)
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidTypeError: hours: float is not exact; give a str, int or Decimal
    """

    __slots__ = ("_minutes",)
    _minutes: int

    ZERO: Hours  # set below

    def __init__(self, minutes: int) -> None:
        if type(minutes) is not int:
            if isinstance(minutes, bool) or not isinstance(minutes, int):
                raise InvalidTypeError("minutes", f"must be an int, not {type(minutes).__name__}")
            minutes = int(minutes)
        if not -_MAX_MINUTES < minutes < _MAX_MINUTES:
            raise InvalidValueError("minutes", "the amount is too large (10**15 hours or more)")
        _set_minutes(self, minutes)

    @classmethod
    def from_minutes(cls, minutes: int) -> Hours:
        """Build from a whole number of minutes.

        Args:
            minutes: an ``int`` (``bool`` is refused).

        Raises:
            InvalidTypeError: ``minutes`` is not an ``int``.
            InvalidValueError: 10**15 hours or more, either way (``out_of_range``-sized
                numbers are refused, never computed).

        Example:
            >>> Hours.from_minutes(90).hours
            Decimal('1.5')
        """
        if type(minutes) is int and 0 <= minutes <= _CACHE_MAX:
            return _CACHE[minutes]
        return cls(minutes)

    @classmethod
    def from_hours(cls, hours: str | int | Decimal) -> Hours:
        """Build from an amount of hours that is a whole number of minutes.

        Args:
            hours: a ``str`` (``"1.5"``), an ``int`` or a ``Decimal``. A ``float`` is refused:
                it cannot hold most decimal amounts exactly.

        Raises:
            InvalidTypeError: ``hours`` is a ``float``, ``bool`` or another type.
            InvalidValueError: the text is not a number, the amount is not a whole
                number of minutes (``"0.01"`` h is 0.6 min), or it is 10**15 hours or more.

        Example:
            >>> Hours.from_hours("1.25").minutes
            75
            >>> Hours.from_hours(Decimal("0.01"))
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.InvalidValueError: hours: 0.01 h is not a whole number of minutes
        """
        if isinstance(hours, (bool, float)):
            raise InvalidTypeError(
                "hours", f"{type(hours).__name__} is not exact; give a str, int or Decimal"
            )
        if isinstance(hours, int):
            if abs(hours) >= 10**_MAX_HOURS_DIGITS:
                raise InvalidValueError("hours", "the amount of hours is too large")
            return cls.from_minutes(hours * 60)
        if isinstance(hours, str):
            try:
                value = Decimal(hours.strip())
            except InvalidOperation:
                raise InvalidValueError("hours", f"{hours!r} is not a number") from None
        elif isinstance(hours, Decimal):
            value = hours
        else:
            raise InvalidTypeError(
                "hours", f"{type(hours).__name__} is not accepted; give a str, int or Decimal"
            )
        if not value.is_finite():
            raise InvalidValueError("hours", f"{value} is not a finite number")
        return cls.from_minutes(_whole_minutes(value))

    @property
    def minutes(self) -> int:
        """The amount in whole minutes.

        Example:
            >>> Hours.from_hours("2.5").minutes
            150
        """
        return self._minutes

    @property
    def hours(self) -> Decimal:
        """The amount in hours, as a ``Decimal``.

        Exact whenever the minutes divide into a terminating decimal (any multiple of 3
        minutes); otherwise it is minutes / 60 to the decimal context's precision. Use
        :meth:`to_decimal_hours` to round for a report.

        Example:
            >>> Hours.from_minutes(90).hours, Hours.from_minutes(20).hours
            (Decimal('1.5'), Decimal('0.3333333333333333333333333333'))
        """
        return Decimal(self._minutes) / 60

    def to_decimal_hours(self, places: int = 2, rounding: str = ROUND_HALF_UP) -> Decimal:
        """Round to ``places`` decimal places of an hour: the one rounding step of a report.

        Round totals, never the lines that make them up.

        Args:
            places: decimal places to keep (``0`` or more).
            rounding: a :mod:`decimal` rounding mode; half up by default.

        Raises:
            InvalidValueError: ``places`` is negative or ``rounding`` is unknown.

        Example:
            >>> Hours.from_minutes(20).to_decimal_hours()
            Decimal('0.33')
            >>> Hours.from_minutes(50).to_decimal_hours(1)
            Decimal('0.8')
        """
        if type(places) is not int or places < 0:
            raise InvalidValueError("places", "must be a whole number, 0 or more")
        if rounding not in _ROUNDINGS:
            raise InvalidValueError("rounding", f"{rounding!r} is not a decimal rounding mode")
        # Exact integer arithmetic: one rounding step, whatever the size or the decimal context.
        scaled = _round_div(self._minutes * 10**places, 60, rounding)
        return Decimal((0 if scaled >= 0 else 1, tuple(map(int, str(abs(scaled)))), -places))

    def round_to(self, step_minutes: int, rounding: str = ROUND_HALF_UP) -> Hours:
        """Round to a multiple of ``step_minutes`` (15 for quarter hours, 60 for whole hours).

        Args:
            step_minutes: the step, a positive ``int``.
            rounding: a :mod:`decimal` rounding mode; half up by default.

        Raises:
            InvalidValueError: ``step_minutes`` is not positive, or ``rounding`` is unknown.

        Example:
            >>> Hours.from_minutes(97).round_to(15)
            Hours(minutes=90)
            >>> Hours.from_minutes(98).round_to(15)
            Hours(minutes=105)
        """
        if type(step_minutes) is not int or step_minutes <= 0:
            raise InvalidValueError("step_minutes", "must be a positive whole number")
        if rounding not in _ROUNDINGS:
            raise InvalidValueError("rounding", f"{rounding!r} is not a decimal rounding mode")
        return Hours.from_minutes(_round_div(self._minutes, step_minutes, rounding) * step_minutes)

    def format(self, language: Literal["en", "zh"] = "en") -> str:
        """Readable text: ``1 h 30 min`` in English, ``1小时30分`` in Chinese.

        Args:
            language: ``"en"`` or ``"zh"``.

        Raises:
            InvalidValueError: another language.

        Example:
            >>> Hours.from_minutes(90).format(), Hours.from_minutes(90).format("zh")
            ('1 h 30 min', '1小时30分')
            >>> Hours.from_minutes(-45).format(), Hours.from_minutes(0).format("zh")
            ('-45 min', '0小时')
        """
        sign = "-" if self._minutes < 0 else ""
        whole, rest = divmod(abs(self._minutes), 60)
        if language == "en":
            if whole and rest:
                return f"{sign}{whole} h {rest} min"
            if rest:
                return f"{sign}{rest} min"
            return f"{sign}{whole} h"
        if language == "zh":
            if whole and rest:
                return f"{sign}{whole}小时{rest}分"
            if rest:
                return f"{sign}{rest}分"
            return f"{sign}{whole}小时"
        raise InvalidValueError("language", f"{language!r} is not one of 'en', 'zh'")

    def __str__(self) -> str:
        return self.format("en")

    def __repr__(self) -> str:
        return f"Hours(minutes={self._minutes})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Hours is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Hours is immutable")

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        # a module-level function, so that cloudpickle (Spark, Dask) pickles it by reference
        return (_unpickle, (self._minutes,))

    def __hash__(self) -> int:
        return hash((Hours, self._minutes))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Hours):
            return self._minutes == other._minutes
        return NotImplemented

    def __lt__(self, other: Hours) -> bool:
        if isinstance(other, Hours):
            return self._minutes < other._minutes
        return NotImplemented

    def __le__(self, other: Hours) -> bool:
        if isinstance(other, Hours):
            return self._minutes <= other._minutes
        return NotImplemented

    def __gt__(self, other: Hours) -> bool:
        if isinstance(other, Hours):
            return self._minutes > other._minutes
        return NotImplemented

    def __ge__(self, other: Hours) -> bool:
        if isinstance(other, Hours):
            return self._minutes >= other._minutes
        return NotImplemented

    def __add__(self, other: Hours) -> Hours:
        if isinstance(other, Hours):
            return Hours.from_minutes(self._minutes + other._minutes)
        return NotImplemented

    def __radd__(self, other: object) -> Hours:
        # ``sum()`` starts from the int 0.
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Hours) -> Hours:
        if isinstance(other, Hours):
            return Hours.from_minutes(self._minutes - other._minutes)
        return NotImplemented

    def __neg__(self) -> Hours:
        return Hours.from_minutes(-self._minutes)

    def __abs__(self) -> Hours:
        return Hours.from_minutes(abs(self._minutes))

    def __mul__(self, factor: int) -> Hours:
        if type(factor) is int:
            return Hours.from_minutes(self._minutes * factor)
        return NotImplemented

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return self._minutes != 0


_set_minutes = Hours.__dict__["_minutes"].__set__

_MAX_HOURS_DIGITS: Final = 15
"""``from_hours`` reads amounts below 10**15 hours; larger ones are refused, not computed."""
_MAX_MINUTES: Final = 60 * 10**_MAX_HOURS_DIGITS
"""An ``Hours`` is built only below 10**15 hours either way (no arithmetic on absurd amounts)."""


def _whole_minutes(value: Decimal) -> int:
    """``value`` hours as exact whole minutes (no decimal context, no rounding).

    Raises:
        InvalidValueError: not a whole number of minutes, or too large.
    """
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    significant = len(digits) - next((i for i, d in enumerate(digits) if d), len(digits))
    if significant and significant + exponent > _MAX_HOURS_DIGITS:
        # Refused before any conversion: a number of thousands of digits is never computed
        # (and Python refuses to turn more than 4300 digits into an int from text).
        raise InvalidValueError("hours", "the amount of hours is too large")
    number = int("".join(map(str, digits)) or "0")
    if number == 0:
        return 0
    # Drop trailing zeros so that the exponent is as large as it can be.
    text = str(number)
    stripped = text.rstrip("0")
    exponent += len(text) - len(stripped)
    number = int(stripped)
    if len(stripped) + exponent > _MAX_HOURS_DIGITS:
        raise InvalidValueError("hours", f"{value} h is too large")
    minutes: int
    if exponent >= 0:
        minutes = number * 60 * 10**exponent
    elif exponent >= -2:
        # 60 = 2**2 * 3 * 5: one or two decimal places may still give whole minutes.
        minutes, rest = divmod(number * 60, 10**-exponent)
        if rest:
            raise InvalidValueError("hours", f"{value} h is not a whole number of minutes")
    else:
        # 10**k for k >= 3 needs both 2 and 5**2 from a number that no longer ends in 0.
        raise InvalidValueError("hours", f"{value} h is not a whole number of minutes")
    return -minutes if sign else minutes


def _round_div(numerator: int, denominator: int, rounding: str) -> int:
    """``numerator / denominator`` rounded to an integer with a decimal rounding mode, exactly.

    ``denominator`` is positive; ties and directions follow :mod:`decimal`'s modes.
    """
    floor, rest = divmod(numerator, denominator)
    if rest == 0 or rounding == "ROUND_FLOOR":
        return floor
    ceiling = floor + 1
    if rounding == "ROUND_CEILING":
        return ceiling
    toward_zero, away = (floor, ceiling) if numerator >= 0 else (ceiling, floor)
    if rounding == "ROUND_DOWN":
        return toward_zero
    if rounding == "ROUND_UP":
        return away
    twice = 2 * rest
    if twice < denominator:
        return floor
    if twice > denominator:
        return ceiling
    if rounding == "ROUND_HALF_EVEN":
        return floor if floor % 2 == 0 else ceiling
    return away  # ROUND_HALF_UP


_CACHE_MAX: Final = 1440


def _make(minutes: int) -> Hours:
    value = object.__new__(Hours)
    _set_minutes(value, minutes)
    return value


_CACHE: Final[tuple[Hours, ...]] = tuple(_make(m) for m in range(_CACHE_MAX + 1))
Hours.ZERO = _CACHE[0]


def _unpickle(minutes: int) -> Hours:
    return Hours.from_minutes(minutes)


class InsufficientHoursError(VolunteerRulesError, ValueError):
    """A withdrawal asks for more hours than are available.

    Attributes:
        available: the hours that could be taken (an :class:`~volunteer_rules.Hours`).
        requested: the hours asked for.

    Example:
        >>> error = InsufficientHoursError(Hours.from_minutes(30), Hours.from_minutes(90))
        >>> error.available.minutes, error.requested.minutes
        (30, 90)
    """

    def __init__(self, available: Hours, requested: Hours, message: str | None = None) -> None:
        super().__init__(
            message or f"{requested} requested but only {available} available",
        )
        self.available = available
        self.requested = requested
