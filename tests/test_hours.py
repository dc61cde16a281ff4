"""Hours: exact amounts of service time (whole minutes inside, never float)."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules import Hours
from volunteer_rules.testing import strategies as vst

MINUTES = st.integers(min_value=-(10**9), max_value=10**9)
ROUNDINGS = [
    "ROUND_HALF_UP",
    "ROUND_HALF_EVEN",
    "ROUND_DOWN",
    "ROUND_UP",
    "ROUND_FLOOR",
    "ROUND_CEILING",
]


class TestConstruction:
    def test_from_minutes(self) -> None:
        """from_minutes keeps the minutes; hours is minutes / 60 as a Decimal."""
        amount = Hours.from_minutes(90)
        assert (amount.minutes, amount.hours) == (90, Decimal("1.5"))

    def test_cache_shared(self) -> None:
        """Amounts of 0..1440 minutes are shared instances; outside, equal but new."""
        assert Hours.from_minutes(0) is Hours.ZERO
        assert Hours.from_minutes(1440) is Hours.from_minutes(1440)
        assert Hours.from_minutes(1441) == Hours.from_minutes(1441)
        assert Hours.from_minutes(-1) == Hours(-1)

    @pytest.mark.parametrize(
        ("text", "minutes"),
        [
            ("1.5", 90),
            (" 2 ", 120),
            ("0.05", 3),
            ("0.25", 15),
            ("-0.75", -45),
            ("1e1", 600),
            ("12.30", 738),
            ("0e-999999", 0),
            ("99999999999999", 99999999999999 * 60),
        ],
    )
    def test_from_hours_text(self, text: str, minutes: int) -> None:
        """Decimal text that is a whole number of minutes is read exactly."""
        assert Hours.from_hours(text).minutes == minutes

    def test_from_hours_int_and_decimal(self) -> None:
        """An int or a Decimal is read exactly."""
        assert Hours.from_hours(3).minutes == 180
        assert Hours.from_hours(Decimal("0.1")).minutes == 6

    @pytest.mark.parametrize(
        "text",
        ["0.01", "0.125", "0.005", "1e-99999999", "0.0166666666666666666666666666667"],
    )
    def test_not_whole_minutes(self, text: str) -> None:
        """An amount that is not a whole number of minutes is refused, however small."""
        with pytest.raises(vr.InvalidValueError):
            Hours.from_hours(text)

    @pytest.mark.parametrize(
        "text", ["1e999999", "1000000000000000", "1234567890123456789012345678.01"]
    )
    def test_too_large_refused(self, text: str) -> None:
        """Amounts of 10**15 hours or more are refused, never rounded."""
        with pytest.raises(vr.InvalidValueError):
            Hours.from_hours(text)

    @pytest.mark.parametrize("text", ["", "abc", "1.5h", "nan", "Infinity", "-inf", "sNaN"])
    def test_not_a_finite_number(self, text: str) -> None:
        """Text that is not a finite number is an InvalidValueError."""
        with pytest.raises(vr.InvalidValueError):
            Hours.from_hours(text)

    @pytest.mark.parametrize("value", [0.1, 1.0, True, None, Fraction(1, 2), [1]])
    def test_from_hours_refuses_inexact_types(self, value: Any) -> None:
        """float, bool and other types are refused with InvalidTypeError (a TypeError)."""
        with pytest.raises(vr.InvalidTypeError) as info:
            Hours.from_hours(value)
        assert isinstance(info.value, TypeError)

    @pytest.mark.parametrize("value", [1.0, True, "1", None])
    def test_minutes_must_be_int(self, value: Any) -> None:
        """Minutes must be an int; bool and float are refused."""
        with pytest.raises(vr.InvalidTypeError):
            Hours.from_minutes(value)
        with pytest.raises(vr.InvalidTypeError):
            Hours(value)

    @given(MINUTES)
    def test_from_hours_of_hours(self, minutes: int) -> None:
        """from_hours(h.hours) gives h back whenever hours is exact (a multiple of 3 minutes)."""
        amount = Hours.from_minutes(minutes * 3)
        assert Hours.from_hours(amount.hours) == amount
        assert Hours.from_hours(str(amount.hours)) == amount


class TestArithmetic:
    @given(MINUTES, MINUTES)
    def test_add_and_subtract(self, a: int, b: int) -> None:
        """+ and - work on the minutes exactly."""
        x, y = Hours.from_minutes(a), Hours.from_minutes(b)
        assert (x + y).minutes == a + b
        assert (x - y).minutes == a - b
        assert (x + y) - y == x

    @given(st.lists(MINUTES, max_size=20))
    def test_sum(self, values: list[int]) -> None:
        """sum() of Hours works from the int 0 and is exact."""
        amounts = [Hours.from_minutes(v) for v in values]
        total = sum(amounts, Hours.ZERO)
        assert total.minutes == sum(values)
        if amounts:
            assert sum(amounts) == total

    @given(MINUTES, st.integers(min_value=-1000, max_value=1000))
    def test_multiply_by_int(self, a: int, k: int) -> None:
        """Multiplying by an int scales the minutes, on either side."""
        assert (Hours.from_minutes(a) * k).minutes == a * k
        assert (k * Hours.from_minutes(a)).minutes == a * k

    def test_negation_and_abs(self) -> None:
        """Unary minus and abs() work; bool is true for non-zero amounts."""
        assert -Hours.from_minutes(45) == Hours.from_minutes(-45)
        assert abs(Hours.from_minutes(-45)) == Hours.from_minutes(45)
        assert not Hours.ZERO
        assert Hours.from_minutes(1)

    @pytest.mark.parametrize("other", [1, 1.5, "1", None, Decimal(1)])
    def test_mixing_types_is_an_error(self, other: Any) -> None:
        """Adding a number that is not Hours raises TypeError, never a silent result."""
        with pytest.raises(TypeError):
            Hours.from_minutes(1) + other
        with pytest.raises(TypeError):
            Hours.from_minutes(1) - other

    def test_multiply_refuses_float_and_bool(self) -> None:
        """Hours times a float or a bool is a TypeError."""
        with pytest.raises(TypeError):
            Hours.from_minutes(1) * 1.5  # type: ignore[operator]
        with pytest.raises(TypeError):
            Hours.from_minutes(1) * True

    def test_only_zero_starts_a_sum(self) -> None:
        """Only the int 0 may be added to Hours from the left."""
        assert 0 + Hours.from_minutes(5) == Hours.from_minutes(5)
        with pytest.raises(TypeError):
            1 + Hours.from_minutes(5)


class TestOrdering:
    @given(MINUTES, MINUTES)
    def test_total_order(self, a: int, b: int) -> None:
        """Hours compare exactly as their minutes."""
        x, y = Hours.from_minutes(a), Hours.from_minutes(b)
        assert (x < y) == (a < b)
        assert (x <= y) == (a <= b)
        assert (x > y) == (a > b)
        assert (x >= y) == (a >= b)
        assert (x == y) == (a == b)

    @given(MINUTES)
    def test_hash_follows_equality(self, a: int) -> None:
        """Equal amounts hash alike, however they were built."""
        assert hash(Hours.from_minutes(a)) == hash(Hours(a))
        assert len({Hours.from_minutes(a), Hours(a)}) == 1

    def test_not_equal_to_numbers(self) -> None:
        """An amount never equals a bare number."""
        assert Hours.from_minutes(60) != 60
        assert Hours.from_minutes(60) != Decimal(1)
        with pytest.raises(TypeError):
            _ = Hours.from_minutes(60) < 61  # type: ignore[operator]

    def test_sorting(self) -> None:
        """Lists of Hours sort by amount."""
        values = [Hours.from_minutes(m) for m in (30, -5, 1441, 0)]
        assert [h.minutes for h in sorted(values)] == [-5, 0, 30, 1441]


class TestRounding:
    @pytest.mark.parametrize(
        ("minutes", "places", "rounding", "expected"),
        [
            (20, 2, "ROUND_HALF_UP", "0.33"),
            (50, 1, "ROUND_HALF_UP", "0.8"),
            (30, 0, "ROUND_HALF_UP", "1"),
            (30, 0, "ROUND_HALF_EVEN", "0"),
            (90, 0, "ROUND_HALF_EVEN", "2"),
            (-30, 0, "ROUND_HALF_UP", "-1"),
            (-30, 0, "ROUND_HALF_EVEN", "0"),
            (1, 2, "ROUND_UP", "0.02"),
            (1, 2, "ROUND_DOWN", "0.01"),
            (-1, 2, "ROUND_FLOOR", "-0.02"),
            (-1, 2, "ROUND_CEILING", "-0.01"),
            (0, 2, "ROUND_HALF_UP", "0.00"),
            (10**16, 2, "ROUND_HALF_UP", "166666666666666.67"),
        ],
    )
    def test_to_decimal_hours(
        self, minutes: int, places: int, rounding: str, expected: str
    ) -> None:
        """One rounding step to the given places, with the given mode, at any size."""
        value = Hours.from_minutes(minutes).to_decimal_hours(places, rounding)
        assert str(value) == expected

    @given(MINUTES, st.integers(min_value=0, max_value=6), st.sampled_from(ROUNDINGS))
    def test_matches_decimal_quantize(self, minutes: int, places: int, rounding: str) -> None:
        """The result is what Decimal's own quantize gives on the exact value."""
        exact = Decimal(minutes) / Decimal(60)  # 28 digits: exact enough at this size
        expected = exact.quantize(Decimal(1).scaleb(-places), rounding=rounding)
        assert Hours.from_minutes(minutes).to_decimal_hours(places, rounding) == expected

    @given(MINUTES, st.integers(min_value=1, max_value=600), st.sampled_from(ROUNDINGS))
    def test_round_to(self, minutes: int, step: int, rounding: str) -> None:
        """round_to gives a multiple of the step within one step of the amount."""
        rounded = Hours.from_minutes(minutes).round_to(step, rounding)
        assert rounded.minutes % step == 0
        assert abs(rounded.minutes - minutes) < step

    def test_round_to_examples(self) -> None:
        """Quarter hours round half up by default."""
        assert Hours.from_minutes(97).round_to(15) == Hours.from_minutes(90)
        assert Hours.from_minutes(98).round_to(15) == Hours.from_minutes(105)
        assert Hours.from_minutes(-97).round_to(15) == Hours.from_minutes(-90)
        assert Hours.from_minutes(10**16 + 1).round_to(7).minutes % 7 == 0

    @pytest.mark.parametrize(
        ("call", "error"),
        [
            (lambda h: h.to_decimal_hours(-1), vr.InvalidValueError),
            (lambda h: h.to_decimal_hours(1.5), vr.InvalidValueError),
            (lambda h: h.to_decimal_hours(2, "ROUND_SIDEWAYS"), vr.InvalidValueError),
            (lambda h: h.round_to(0), vr.InvalidValueError),
            (lambda h: h.round_to(-15), vr.InvalidValueError),
            (lambda h: h.round_to(15, "nope"), vr.InvalidValueError),
        ],
    )
    def test_bad_arguments(self, call: Any, error: type[Exception]) -> None:
        """Bad places, steps or modes are library errors."""
        with pytest.raises(error):
            call(Hours.from_minutes(90))


class TestFormats:
    @pytest.mark.parametrize(
        ("minutes", "en", "zh"),
        [
            (90, "1 h 30 min", "1小时30分"),
            (120, "2 h", "2小时"),
            (45, "45 min", "45分"),
            (0, "0 h", "0小时"),
            (-45, "-45 min", "-45分"),
            (-90, "-1 h 30 min", "-1小时30分"),
        ],
    )
    def test_format(self, minutes: int, en: str, zh: str) -> None:
        """English and Chinese forms of an amount."""
        amount = Hours.from_minutes(minutes)
        assert (amount.format("en"), amount.format("zh"), str(amount)) == (en, zh, en)

    def test_unknown_language(self) -> None:
        """Another language is an InvalidValueError."""
        with pytest.raises(vr.InvalidValueError):
            Hours.from_minutes(1).format("fr")  # type: ignore[arg-type]

    def test_repr(self) -> None:
        """repr shows the minutes."""
        assert repr(Hours.from_minutes(75)) == "Hours(minutes=75)"


class TestImmutability:
    @given(MINUTES)
    def test_pickle_and_copy(self, minutes: int) -> None:
        """Pickling and copying give an equal amount (a shared one for the cache range)."""
        amount = Hours.from_minutes(minutes)
        assert pickle.loads(pickle.dumps(amount)) == amount
        assert copy.deepcopy(amount) == amount
        if 0 <= minutes <= 1440:
            assert pickle.loads(pickle.dumps(amount)) is amount

    def test_cannot_change(self) -> None:
        """Attributes cannot be set or deleted."""
        amount = Hours.from_minutes(5)
        with pytest.raises(AttributeError):
            amount._minutes = 6
        with pytest.raises(AttributeError):
            del amount._minutes
        assert amount.minutes == 5


class TestStrategy:
    @given(vst.hours())
    def test_any_amount(self, amount: Hours) -> None:
        """hours() gives Hours."""
        assert isinstance(amount, Hours)

    def test_bad_bounds(self) -> None:
        """Bounds that are not Hours or that cross are InvalidArgument at first draw."""
        from hypothesis.errors import InvalidArgument

        with pytest.raises(InvalidArgument):
            vst.hours(min_value=5).validate()  # type: ignore[arg-type]
        with pytest.raises(InvalidArgument):
            vst.hours(min_value=Hours.from_minutes(2), max_value=Hours.from_minutes(1)).validate()
