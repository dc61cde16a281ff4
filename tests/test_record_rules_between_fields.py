"""The ``ServiceRecord`` constructor keeps the rules between fields that the format's reader
keeps on every record (docs/record-format.md): ``start`` and ``end`` both or neither, ``end``
after ``start``, ``date`` the local date of ``start``, the service time within the interval,
``recorded_at`` not before the end (or the date), the evaluation not before the date, and no
record amending itself. A record the constructor builds is one ``parse_record`` reads back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

CST = dt.timezone(dt.timedelta(hours=8))
UTC = dt.UTC
EST = dt.timezone(dt.timedelta(hours=-5))
SAMPLE = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
START = dt.datetime(2024, 5, 1, 8, 30, tzinfo=CST)  # the sample's interval: 08:30 to 11:00
END = dt.datetime(2024, 5, 1, 11, 0, tzinfo=CST)
NO_INTERVAL = attrs.evolve(SAMPLE, start=None, end=None)


def _refusal(record: vr.ServiceRecord, **changes: Any) -> str | None:
    """``field: message`` of the constructor's refusal, or ``None`` when it builds the record."""
    try:
        attrs.evolve(record, **changes)
    except vr.InvalidValueError as error:
        return str(error)
    return None


def test_the_sample_has_the_interval_assumed_here() -> None:
    assert (SAMPLE.start, SAMPLE.end, SAMPLE.service.minutes) == (START, END, 120)
    assert SAMPLE.recorded_at > END


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"start": None}, "start: is required when end is given"),
        ({"end": None}, "end: is required when start is given"),
        ({"end": START}, "end: must be after start"),
        ({"end": START - dt.timedelta(hours=1)}, "end: must be after start"),
        (
            {"date": dt.date(2024, 5, 2)},
            "date: must be the local date of start (2024-05-01), not 2024-05-02",
        ),
        # The same instant at UTC-5 is on 30 April: the date is the local date as written.
        (
            {"start": START.astimezone(EST)},
            "date: must be the local date of start (2024-04-30), not 2024-05-01",
        ),
        (
            {"service": vr.Hours.from_minutes(151)},
            "service: 151 minutes is longer than the interval from start to end",
        ),
        (
            {"recorded_at": END - dt.timedelta(microseconds=1)},
            "recorded_at: must not be before end",
        ),
        (
            {"evaluation": vr.Evaluation(rating="good", date=dt.date(2024, 4, 30))},
            "evaluation.date: must not be before the activity's date",
        ),
        ({"amends": SAMPLE.record_id}, "amends: a record cannot amend itself"),
    ],
)
def test_a_rule_broken_is_refused_naming_the_field(changes: dict[str, Any], refusal: str) -> None:
    assert _refusal(SAMPLE, **changes) == refusal


@pytest.mark.parametrize(
    "changes",
    [
        {"start": None, "end": None},
        {"end": START + dt.timedelta(minutes=120)},  # exactly the service time
        {"end": END.astimezone(UTC)},  # the end in another offset: the same instant
        {"service": vr.Hours.from_minutes(150)},  # exactly the interval
        {"recorded_at": END},  # entered the moment the service ended
        {"evaluation": vr.Evaluation(rating="good", date=SAMPLE.date)},
        {"amends": "r-2023-0001"},
        # Past midnight: the date is the start's.
        {
            "end": dt.datetime(2024, 5, 2, 1, 0, tzinfo=CST),
            "recorded_at": dt.datetime(2024, 5, 2, 1, 0, tzinfo=CST),
        },
    ],
)
def test_the_other_side_of_each_boundary_is_taken(changes: dict[str, Any]) -> None:
    record = attrs.evolve(SAMPLE, **changes)
    assert vr.parse_record(vr.dump_record(record)) == record


def test_the_service_time_is_compared_with_the_interval_to_the_second() -> None:
    """An interval of 60 minutes and 30 seconds holds 60 minutes of service, not 61."""
    end = START + dt.timedelta(minutes=60, seconds=30)
    changes = {"end": end, "recorded_at": end}
    assert _refusal(SAMPLE, service=vr.Hours.from_minutes(60), **changes) is None
    assert _refusal(SAMPLE, service=vr.Hours.from_minutes(61), **changes) == (
        "service: 61 minutes is longer than the interval from start to end"
    )


def test_without_an_interval_the_record_is_entered_on_or_after_its_date() -> None:
    """The local date of ``recorded_at``, as written, against ``date``: both sides."""
    midnight = dt.datetime(2024, 5, 1, 0, 0, tzinfo=CST)
    assert _refusal(NO_INTERVAL, recorded_at=midnight) is None
    refused = "recorded_at: must not be before the activity's date"
    assert _refusal(NO_INTERVAL, recorded_at=midnight - dt.timedelta(microseconds=1)) == refused
    assert _refusal(NO_INTERVAL, recorded_at=midnight.astimezone(UTC)) == refused


def test_a_type_error_comes_before_the_rules_between_fields() -> None:
    wrong: dict[str, Any] = {"end": "2024-05-01T07:00:00+08:00"}
    with pytest.raises(vr.InvalidTypeError, match=r"^end: must be an aware datetime, not str$"):
        attrs.evolve(SAMPLE, **wrong)
    wrong = {"service": 999}
    with pytest.raises(vr.InvalidTypeError, match=r"^service: must be Hours, not int$"):
        attrs.evolve(SAMPLE, **wrong)


def test_validators_disabled_still_build_any_record() -> None:
    """Tests of the stores' own checks build a broken record so; nothing else changes."""
    with attrs.validators.disabled():
        broken = attrs.evolve(SAMPLE, amends=SAMPLE.record_id)
    assert broken.amends == broken.record_id


# --- one set of rules: the constructor refuses what the reader refuses -----------------------

_FIELD_PATHS = {"service": "service_minutes"}
_MOMENTS = st.integers(-36 * 60, 48 * 60).map(
    lambda minutes: dt.datetime(2024, 5, 1, 8, 0, tzinfo=CST) + dt.timedelta(minutes=minutes)
)
_OFFSETS = st.sampled_from([CST, UTC, EST])


@st.composite
def _changes(draw: st.DrawFn) -> dict[str, Any]:
    """Changes to the sample within every rule of one field, any of the rules between them."""
    changes: dict[str, Any] = {}
    if draw(st.booleans()):
        start = draw(st.none() | _MOMENTS)
        end = draw(st.none() | _MOMENTS)
        changes["start"] = None if start is None else start.astimezone(draw(_OFFSETS))
        changes["end"] = None if end is None else end.astimezone(draw(_OFFSETS))
    if draw(st.booleans()):
        changes["date"] = draw(st.dates(dt.date(2024, 4, 29), dt.date(2024, 5, 4)))
    if draw(st.booleans()):
        changes["service"] = vr.Hours.from_minutes(draw(st.integers(1, 1440)))
    if draw(st.booleans()):
        changes["recorded_at"] = draw(_MOMENTS).astimezone(draw(_OFFSETS))
    if draw(st.booleans()):
        day = draw(st.none() | st.dates(dt.date(2024, 4, 29), dt.date(2024, 5, 4)))
        changes["evaluation"] = None if day is None else vr.Evaluation(rating="good", date=day)
    if draw(st.booleans()):
        changes["amends"] = draw(st.sampled_from([None, SAMPLE.record_id, "r-2023-0001"]))
    return changes


@settings(max_examples=150, deadline=None)
@given(changes=_changes())
def test_the_constructor_refuses_what_parse_record_refuses(changes: dict[str, Any]) -> None:
    with attrs.validators.disabled():
        unchecked = attrs.evolve(SAMPLE, **changes)
    try:
        vr.parse_record(vr.dump_record(unchecked))
    except vr.RecordFormatError as error:
        problems = error.errors
    else:
        problems = ()
    assert {e.code for e in problems} <= {"inconsistent", "missing"}, problems
    paths = {e.path for e in problems}
    refusal = _refusal(SAMPLE, **changes)
    if refusal is None:
        assert not paths
    else:
        field = refusal.split(":")[0]
        assert f"$.{_FIELD_PATHS.get(field, field)}" in paths, (refusal, paths)
