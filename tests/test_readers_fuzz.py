"""Every wire-form reader answers any JSON value with a value or one :class:`RecordFormatError`.

Whatever a payload holds (any JSON value, at the top or in place of any member at any depth),
each reader either reads it or refuses it with the record format's error: never another
exception, every problem at a path that starts with ``$``, and no resident ID number or mobile
number given in the input whole in what a person reads of the error. (A rule set that is well
formed but contradicts itself is a :class:`RuleSetError`, as documented.)
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_wire_nulls import FORMS, Reader
from volunteer_rules.errors import FIELD_ERROR_CODES, RecordFormatError, RuleSetError
from volunteer_rules.rules import rule_set_from_mapping

ID_NUMBER = "11010519491231002X"
MOBILE = "13812345678"

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(10**400), -(2**63) - 1, 2**64, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "\ud800",
            "a\udfffb",
            "\ufffe",
            "\x00",
            "",
            " ",
            ID_NUMBER,
            "110105491231002",
            MOBILE,
            f"G-{ID_NUMBER}",
            f"r-{MOBILE}",
            "2024-05-01",
            "2024-05-01T09:00:00+08:00",
            "2024-05-01T09:00:00",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+23:59",
            "512111005000000154",
            "1" * 5000,
        ]
    ),
    st.sampled_from([int(ID_NUMBER[:-1] + "1"), int(MOBILE)]),
)
JSON = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.sampled_from([ID_NUMBER, MOBILE, "id", "date"])),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)

Path = tuple[str | int, ...]


def _places(value: object, path: Path = ()) -> Iterator[Path]:
    """Every member and item of ``value`` (at any depth), by its path."""
    if isinstance(value, dict):
        for key, member in value.items():
            yield (*path, key)
            yield from _places(member, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*path, index)
            yield from _places(item, (*path, index))


_PLACES = [(form, place) for form, (_, payload) in FORMS.items() for place in _places(payload)]
_PERSONAL = re.compile(r"\d{17}[\dXx]|\d{15}|1[3-9]\d{9}")
_ID_LIKE = re.compile(r"\d{17}[\dXx]|\d{15}")


def _personal(value: object) -> set[str]:
    """The ID numbers and mobile numbers anywhere in ``value`` (keys included).

    A mobile number is text; a number (of hours, say) is personal only when shaped like an ID.
    """
    if isinstance(value, str):
        return set(_PERSONAL.findall(value))
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() < 256:
        return set(_ID_LIKE.findall(str(value)))
    if isinstance(value, dict):
        return set().union(*map(_personal, value), *map(_personal, value.values()))
    if isinstance(value, list):
        return set().union(*map(_personal, value))
    return set()


def _at(payload: Any, place: Path) -> Any:
    for step in place:
        payload = payload[step]
    return payload


CODES = frozenset(FIELD_ERROR_CODES)


def _judge(read: Reader, payload: object) -> None:
    """Read ``payload``: a value, or the library's error showing nothing personal in full."""
    refused: RecordFormatError | RuleSetError | None = None
    try:
        read(payload)
    except RuleSetError as error:  # a well-formed rule set whose rules contradict each other
        assert read is rule_set_from_mapping
        refused = error
    except RecordFormatError as error:
        refused = error
    if refused is None:
        return
    shown = [str(refused), repr(refused)]
    if isinstance(refused, RecordFormatError):
        assert refused.errors
        for problem in refused.errors:
            assert problem.path.startswith("$"), problem
            assert problem.code in CODES, problem
            shown += [str(problem), repr(problem), problem.path, problem.message]
    for number in _personal(payload):
        for text in shown:
            assert number not in text, (number, text)


@pytest.mark.parametrize("form", sorted(FORMS))
@settings(max_examples=40, deadline=None)
@given(value=JSON)
def test_any_json_value_is_read_or_refused(form: str, value: object) -> None:
    _judge(FORMS[form][0], value)


@settings(max_examples=300, deadline=None)
@given(where=st.sampled_from(_PLACES), value=JSON)
def test_any_member_replaced_is_read_or_refused(where: tuple[str, Path], value: object) -> None:
    form, place = where
    read, payload = FORMS[form]
    given_ = copy.deepcopy(payload)
    _at(given_, place[:-1])[place[-1]] = value
    _judge(read, given_)


_INTEGER_PLACES = [
    pytest.param(form, place, id=f"{form}: {place}")
    for form, place in _PLACES
    if type(_at(FORMS[form][1], place)) is int
]


@pytest.mark.parametrize("value", [2**62, -(2**62), 60 * 10**15])
@pytest.mark.parametrize(("form", "place"), _INTEGER_PLACES)
def test_a_large_integer_within_64_bits_is_read_or_refused(
    form: str, place: Path, value: int
) -> None:
    """Below what a store holds, but beyond what an amount of hours may be: read or refused."""
    read, payload = FORMS[form]
    given_ = copy.deepcopy(payload)
    _at(given_, place[:-1])[place[-1]] = value
    _judge(read, given_)


def test_a_rule_set_error_masks_a_mobile_number_given_as_a_name() -> None:
    """A rule set that contradicts itself names the level in the error, a mobile number masked."""
    payload = copy.deepcopy(FORMS["rule set"][1])
    payload["versions"][0]["levels"][0]["name"] = ":13812345678"
    with pytest.raises(RuleSetError) as raised:
        rule_set_from_mapping(payload)
    assert "13812345678" not in f"{raised.value} {raised.value!r}"
    assert "138****5678" in str(raised.value)
