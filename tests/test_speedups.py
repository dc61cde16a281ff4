"""The optional compiled helper of parse_record's fast path (``volunteer_rules._speedups``).

It only ever vouches for canonical date-times; whatever it declines (``None``) the Python code
decides. ``test_record_properties`` runs the fast path with and without it on generated and
broken payloads; here are its own boundaries, each on both sides.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import sysconfig
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.hours import Hours
from volunteer_rules.records import record as record_module
from volunteer_rules.records.record import Evaluation, ServiceRecord
from volunteer_rules.rules import certification as certification_module
from volunteer_rules.rules import counting as counting_module
from volunteer_rules.rules.certification import Certification, certify_many
from volunteer_rules.rules.counting import count_many
from volunteer_rules.testing._certification_strategies import service_histories
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

moments: Any = record_module._MOMENTS
CST = dt.timezone(dt.timedelta(hours=8))
DAY_DATE = dt.date(2024, 5, 3)

DAY = "2024-05-03"
START = "2024-05-03T09:00:00+08:00"
END = "2024-05-03T11:00:00+08:00"
RECORDED = "2024-05-04T10:00:00+08:00"


def test_built_where_a_compiler_is_at_hand() -> None:
    """With a C compiler and the Python headers, the install builds the helper and uses it."""
    headers = Path(sysconfig.get_paths()["include"], "Python.h")
    if not (shutil.which("cc") or shutil.which("gcc")) or not headers.exists():
        pytest.skip("no C compiler or Python headers here: the package runs without the helper")
    assert moments is not None
    assert counting_module._COUNT_PASS is not None
    assert certification_module._INSTANCES is not None


needs_helper = pytest.mark.skipif(moments is None, reason="the compiled helper is not built")


@needs_helper
class TestMoments:
    def test_values_are_fromisoformat(self) -> None:
        """The three date-times equal what fromisoformat gives, offsets included."""
        got = moments(RECORDED, START, END, DAY, 120)
        expected = tuple(map(dt.datetime.fromisoformat, (RECORDED, START, END)))
        assert got == expected
        assert [m.utcoffset() for m in got] == [dt.timedelta(hours=8)] * 3
        assert all(type(m) is dt.datetime for m in got)

    def test_zones_are_shared(self) -> None:
        """One tzinfo object per offset; +00:00 is timezone.utc, as fromisoformat gives."""
        a = moments(RECORDED, START, END, DAY, 1)
        b = moments("2025-01-01T00:00:00+08:00", None, None, "2024-12-31", 1)
        assert a[0].tzinfo is a[1].tzinfo is b[0].tzinfo
        utc = moments("2024-05-03T12:00:00+00:00", None, None, DAY, 1)[0]
        assert utc.tzinfo is dt.timezone.utc
        assert dt.datetime.fromisoformat("2024-05-03T12:00:00-00:00").tzinfo is dt.timezone.utc
        assert moments("2024-05-03T12:00:00-00:00", None, None, DAY, 1)[0].tzinfo is dt.timezone.utc

    def test_without_interval(self) -> None:
        """No interval: recorded_at's local date may be the date, not the day before."""
        assert moments("2024-05-03T00:00:00+08:00", None, None, DAY, 1) is not None
        assert moments("2024-05-02T23:59:59+08:00", None, None, DAY, 1) is None

    def test_minutes_against_the_interval(self) -> None:
        """The interval must hold the minutes: 120 fit in two hours, 121 do not."""
        assert moments(RECORDED, START, END, DAY, 120) is not None
        assert moments(RECORDED, START, END, DAY, 121) is None

    def test_past_midnight(self) -> None:
        """An interval past midnight counts its whole days (and across a leap day)."""
        start, end = "2024-02-28T22:00:00+08:00", "2024-03-01T02:00:00+08:00"
        recorded = "2024-03-01T09:00:00+08:00"
        assert moments(recorded, start, end, "2024-02-28", 1440) is not None  # 28 h
        assert moments(recorded, "2023-02-28T22:00:00+08:00", "2023-03-01T02:00:00+08:00", "2023-02-28", 241) is None  # fmt: skip

    def test_order(self) -> None:
        """start < end <= recorded_at: equal end and recorded_at pass, equal start and end not."""
        assert moments(END, START, END, DAY, 1) is not None
        assert moments("2024-05-03T10:59:59+08:00", START, END, DAY, 1) is None
        assert moments(RECORDED, START, START, DAY, 1) is None

    def test_date_is_start_local_date(self) -> None:
        """start's local date must be the record's date."""
        assert moments(RECORDED, START, END, "2024-05-02", 1) is None

    def test_year_3000(self) -> None:
        """recorded_at in 2999 is vouched for; in 3000 the Python code decides."""
        assert moments("2999-12-31T23:59:59+08:00", None, None, DAY, 1) is not None
        assert moments("3000-01-01T00:00:00+08:00", None, None, DAY, 1) is None

    @pytest.mark.parametrize(
        "text",
        [
            "2024-02-29T12:00:00+08:00",
            "2024-04-30T23:59:59+23:59",
            "2024-04-30T00:00:00-23:59",
            "0001-01-01T00:00:00+00:00",
        ],
    )
    def test_valid_fields(self, text: str) -> None:
        """Edges of every field that fromisoformat reads are vouched for, with its value."""
        got = moments(text, None, None, "0001-01-01", 1)
        assert got is not None
        assert got[0] == dt.datetime.fromisoformat(text)
        assert got[0].utcoffset() == dt.datetime.fromisoformat(text).utcoffset()

    @pytest.mark.parametrize(
        "text",
        [
            "2023-02-29T12:00:00+08:00",  # not a leap year
            "2024-04-31T12:00:00+08:00",
            "2024-13-01T12:00:00+08:00",
            "2024-00-01T12:00:00+08:00",
            "2024-05-00T12:00:00+08:00",
            "2024-05-03T24:00:00+08:00",
            "2024-05-03T12:60:00+08:00",
            "2024-05-03T12:00:60+08:00",
            "2024-05-03T12:00:00+24:00",
            "2024-05-03T12:00:00+08:60",
            "0000-05-03T12:00:00+08:00",
            "2024-05-03 12:00:00+08:00",  # a space for the T
            "2024-05-03T12:00:00Z",
            "2024-05-03T12:00:00+0800",
            "2024-05-03T12:00:00.5+08:00",
            "2024-05-03T12:00:00+08:00 ",
            "2024-W18-5T12:00:00+08:00",  # a week date, 25 characters too
            "2024-05-03T１2:00:00+08:00",  # a full-width digit
            "2024-05-03t12:00:00+08:00",
        ],
    )
    def test_declines_what_is_not_canonical(self, text: str) -> None:
        """Anything but the canonical form (or an impossible value) is left to Python."""
        assert moments(text, None, None, "2000-01-01", 1) is None
        assert moments(RECORDED, text, END, DAY, 1) is None
        assert moments(RECORDED, START, text, DAY, 1) is None

    @pytest.mark.parametrize(
        "args",
        [
            (RECORDED, START, None, DAY, 1),  # half an interval
            (RECORDED, None, END, DAY, 1),
            (RECORDED, "2024-05-03T09:00:00+09:00", END, DAY, 1),  # mixed offsets
            (RECORDED, START, "2024-05-03T11:00:00+09:00", DAY, 1),
            ("2024-05-04T10:00:00+00:00", START, END, DAY, 1),
            (RECORDED, START, END, "2024-5-03", 1),  # a date that is not canonical
            (RECORDED, START, END, "２０２４-05-03", 1),
            (RECORDED, START, END, DAY, True),  # minutes that are not an int
            (RECORDED, START, END, DAY, 1.0),
            (RECORDED, START, END, DAY, 2**70),
            (RECORDED, START, END, DAY, -(2**70)),
            (b"2024-05-04T10:00:00+08:00", None, None, DAY, 1),
            (RECORDED, None, None, None, 1),
            (None, None, None, DAY, 1),
        ],
    )
    def test_declines_the_unusual(self, args: tuple[Any, ...]) -> None:
        """Mixed offsets, half intervals and odd types: the Python code decides."""
        assert moments(*args) is None

    def test_str_subclass_is_declined(self) -> None:
        """Only exact str values are read (a subclass may override anything)."""

        class Text(str):
            pass

        assert moments(Text(RECORDED), None, None, DAY, 1) is None

    def test_wrong_call(self) -> None:
        """It takes exactly five arguments (a TypeError, as any builtin)."""
        with pytest.raises(TypeError):
            moments(RECORDED, START, END, DAY)

    @given(
        st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(2999, 12, 30)),
        st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
        st.integers(min_value=1, max_value=3 * 86400),
        st.integers(min_value=0, max_value=86400),
        st.integers(min_value=1, max_value=1440),
    )
    def test_agrees_with_datetime(
        self, local: dt.datetime, offset: int, seconds: int, lag: int, minutes: int
    ) -> None:
        """Vouched exactly when the rules hold, with fromisoformat's values."""
        zone = dt.timezone(dt.timedelta(minutes=offset))
        start = local.replace(microsecond=0, tzinfo=zone)
        end = start + dt.timedelta(seconds=seconds)
        recorded = end + dt.timedelta(seconds=lag)
        texts = [m.isoformat() for m in (recorded, start, end)]
        got = moments(*texts, start.date().isoformat(), minutes)
        holds = recorded.year < 3000 and seconds >= minutes * 60
        if holds:
            assert got == (recorded, start, end)
            assert [m.utcoffset() for m in got] == [zone.utcoffset(None)] * 3
        else:
            assert got is None


needs_count_pass = pytest.mark.skipif(
    counting_module._COUNT_PASS is None, reason="the compiled helper is not built"
)


def _counts_both_ways(records: Sequence[ServiceRecord], **kwargs: Any) -> tuple[Any, Any]:
    compiled = count_many(records, **kwargs)
    with mock.patch.object(counting_module, "_COUNT_PASS", None):
        python = count_many(records, **kwargs)
    return compiled, python


@needs_count_pass
class TestCountPass:
    @given(
        service_histories(volunteers=("V1", "V2", "V3"), max_size=20, time_zones=(CST,), days=4),
        st.sampled_from((None, dt.date(2024, 1, 2))),
        st.integers(0, 6),
    )
    def test_agrees_with_the_python_pass(
        self, records: list[ServiceRecord], since: dt.date | None, day: int
    ) -> None:
        """In one offset (the helper's input), count_many is the same with it and without."""
        as_of = dt.date(2024, 1, 1) + dt.timedelta(days=day)
        since = None if since is not None and since > as_of else since
        compiled, python = _counts_both_ways(records, as_of=as_of, since=since)
        assert compiled == python

    @given(service_histories(volunteers=("V1", "V2"), max_size=12, days=3))
    def test_declines_several_offsets(self, records: list[ServiceRecord]) -> None:
        """Several offsets, copies, a tuple: declined or read, the result is the same."""
        given_records = [*records, *records[:2]]
        for value in (records, tuple(records), given_records):
            compiled, python = _counts_both_ways(value, as_of=dt.date(2024, 1, 5))
            assert compiled == python

    def test_declines_what_it_does_not_know(self) -> None:
        """A list with another object in it is left to the Python pass, which says what is wrong."""
        assert (
            counting_module._COUNT_PASS(
                [object()], ServiceRecord, Hours, dt.date(2024, 1, 1), None, False
            )
            is None
        )
        assert (
            counting_module._COUNT_PASS(
                iter(()), ServiceRecord, Hours, dt.date(2024, 1, 1), None, False
            )
            is None
        )
        with pytest.raises(InvalidTypeError):
            count_many([object()], as_of=dt.date(2024, 1, 1))  # type: ignore[list-item]

    def test_wrong_call(self) -> None:
        """Wrong arguments are a TypeError, as for any builtin."""
        with pytest.raises(TypeError):
            counting_module._COUNT_PASS([], ServiceRecord, Hours, "2024-01-01", None, False)
        with pytest.raises(TypeError):
            counting_module._COUNT_PASS([], ServiceRecord)


@pytest.mark.skipif(
    certification_module._INSTANCES is None, reason="the compiled helper is not built"
)
class TestInstances:
    @given(service_histories(volunteers=("V1", "V2", "V3"), max_size=16, time_zones=(CST,)))
    def test_certifications_are_the_same(self, records: list[ServiceRecord]) -> None:
        """certify_many builds equal certifications with the helper's instances() and without."""
        as_of = dt.date(2024, 1, 5)
        compiled = certify_many(records, rule_set="cn-national", as_of=as_of)
        with mock.patch.object(certification_module, "_INSTANCES", None):
            python = certify_many(records, rule_set="cn-national", as_of=as_of)
        assert compiled == python
        assert all(type(c) is Certification for c in compiled.values())

    def test_fills_every_named_slot(self) -> None:
        """Values from lists or one shared value; an unknown slot or a short list is refused."""
        instances = certification_module._INSTANCES
        made = instances(Evaluation, 2, (("rating", ["good", "pass"]), ("date", (DAY_DATE,))))
        assert made == [
            Evaluation(rating="good", date=DAY_DATE),
            Evaluation(rating="pass", date=DAY_DATE),
        ]
        assert not any(map(gc.is_tracked, made))  # frozen values only: no cycle can form
        assert instances(Evaluation, 0, ()) == []
        with pytest.raises(TypeError):
            instances(Evaluation, 1, (("colour", ["red"]),))
        with pytest.raises(TypeError):
            instances(Evaluation, 2, (("rating", ["good"]),))
        with pytest.raises(ValueError, match="count"):
            instances(Evaluation, -1, ())


@needs_count_pass
class TestRecordKeys:
    def test_one_id_in_two_organizations(self) -> None:
        """Record ids are per organization: the pass reads both, and an amendment finds its own."""
        base = record_module.parse_record(SAMPLE_RECORD_PAYLOAD)
        other_org = "51211100MJ00000175"
        a = base  # V0000001, r-2024-0001 of the sample organization
        b = attrs.evolve(base, organization_id=other_org, volunteer_id="V2")
        fix = attrs.evolve(
            b, record_id="r-2024-0002", amends=base.record_id, service=Hours.from_minutes(30)
        )
        records = [a, b, fix]
        as_of = dt.date(2024, 12, 31)
        assert counting_module._COUNT_PASS(records, ServiceRecord, Hours, as_of, None, False)
        compiled, python = _counts_both_ways(records, as_of=as_of)
        assert compiled == python
        assert compiled["V0000001"].minutes == 120  # not amended: the amendment is the other's
        assert compiled["V2"].excluded == (("r-2024-0001", "superseded"),)
        assert compiled["V2"].minutes == 30

    def test_one_key_twice_is_declined(self) -> None:
        """The same (organization, record id) twice goes to the Python pass, which decides."""
        base = record_module.parse_record(SAMPLE_RECORD_PAYLOAD)
        copy = attrs.evolve(base)
        as_of = dt.date(2024, 12, 31)
        for records in ([base, base], [base, copy]):
            assert (
                counting_module._COUNT_PASS(records, ServiceRecord, Hours, as_of, None, False)
                is None
            )
            assert count_many(records, as_of=as_of)["V0000001"].minutes == 120
