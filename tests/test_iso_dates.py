"""One reading of dates and date-times in text, by every wire form and command-line option.

Python's ``fromisoformat`` reads more than the record format since 3.11: ``20260630``, week
dates (``2026-W26-2`` is June 23rd), a space for ``T``, an hour alone. Each reader below once
called it directly and took some of these; now each must accept exactly the texts
``volunteer_rules._iso`` accepts (the record format's forms), and read them as the same day
or moment. Each property generates look-alike texts around real days and moments and asks
every reader in turn (a differential test against the one reading).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from collections.abc import Callable
from contextlib import redirect_stderr
from operator import attrgetter
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules._iso import read_date, read_datetime
from volunteer_rules.cli import main
from volunteer_rules.cli._io import date_option, datetime_option
from volunteer_rules.community import (
    dump_attendance_event,
    dump_organization,
    dump_person,
    parse_attendance_event,
    parse_organization,
    parse_person,
)
from volunteer_rules.errors import RecordFormatError
from volunteer_rules.testing.community_examples import (
    sample_attendance_events,
    sample_organizations,
    sample_person,
)
from volunteer_rules.testing.examples import (
    SAMPLE_RECORD_PAYLOAD,
    sample_certificate,
    sample_transfer_package,
)
from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD

# --- the texts -------------------------------------------------------------------------------


def _date_forms(day: dt.date) -> list[str]:
    """``day`` written the record format's way and in look-alike ways."""
    year, week, weekday = day.isocalendar()
    return [
        day.isoformat(),
        day.strftime("%Y%m%d"),  # basic form
        f"{year}-W{week:02d}-{weekday}",  # week date: a day, but perhaps not this one
        f"{year}W{week:02d}{weekday}",
        f"{day.year}-{day.timetuple().tm_yday:03d}",  # ordinal date
        f"{day.year}-{day.month}-{day.day}",  # digits left out
        f"{day.isoformat()}T00:00",
        day.isoformat().replace("-", "/"),
        day.isoformat().translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        f"{day.year}-{day.month:02d}-{day.day + 3:02d}",  # sometimes no such day
    ]


_DAYS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31))
DATE_TEXTS = st.one_of(
    _DAYS.flatmap(lambda day: st.sampled_from(_date_forms(day))),
    st.text(alphabet="0123456789-W:T ", max_size=14),
)


def _datetime_forms(moment: dt.datetime) -> list[str]:
    day = moment.date().isoformat()
    hm = moment.strftime("%H:%M")
    offset = moment.strftime("%z")
    colon = f"{offset[:3]}:{offset[3:]}"
    return [
        moment.isoformat(),
        f"{day}T{hm}{colon}",  # no seconds: the format allows it
        f"{day}T{hm}:00Z",
        f"{day}T{hm}:00.123{colon}",
        f"{day}T{hm}:00.1{colon}",  # one fraction digit: 3.11 reads it, the format does not
        f"{day} {hm}:00{colon}",  # a space for T
        f"{day}T{moment:%H}{colon}",  # an hour alone
        f"{moment:%Y%m%dT%H%M%S}{offset}",  # basic form
        f"{day}T{hm}:00{offset}",  # offset without its colon
        f"{day}T{hm}:00",  # no offset
        f"{moment.year}-W{moment.isocalendar()[1]:02d}-{moment.isoweekday()}T{hm}:00{colon}",
        f"{day}T{moment.hour + 24}:{moment:%M}:00{colon}",  # no such hour
    ]


_MOMENTS = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2030, 12, 31),
    timezones=st.sampled_from(
        [dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(-dt.timedelta(hours=5))]
    ),
).map(lambda moment: moment.replace(second=0, microsecond=0))
DATETIME_TEXTS = st.one_of(
    _MOMENTS.flatmap(lambda moment: st.sampled_from(_datetime_forms(moment))),
    st.text(alphabet="0123456789-:T+Z. ", max_size=28),
)


# --- the readers: each gives the value it read, or None when it refused the text -------------


def _read(parse: Callable[[Any], Any], payload: Any, path: str, value: Callable[[Any], Any]) -> Any:
    """``value(parse(payload))``, or ``None`` when ``parse`` refuses the field at ``path``.

    Any other problem is the test's mistake, and is raised.
    """
    try:
        return value(parse(payload))
    except RecordFormatError as error:
        if any(problem.path == path for problem in error.errors):
            return None
        raise


def _record(**fields: str) -> dict[str, Any]:
    """The sample record without an interval (its date and entry free to move), with ``fields``."""
    payload = {k: v for k, v in SAMPLE_RECORD_PAYLOAD.items() if k not in ("start", "end")}
    return payload | fields


def _record_date(text: str) -> Any:
    payload = _record(date=text, recorded_at="2031-01-01T00:00:00+08:00")
    return _read(vr.parse_record, payload, "$.date", attrgetter("date"))


def _record_entered(text: str) -> Any:
    payload = _record(date="2000-01-01", recorded_at=text)
    return _read(vr.parse_record, payload, "$.recorded_at", attrgetter("recorded_at"))


def _certificate_issued(text: str) -> Any:
    payload = dict(vr.dump_certificate(sample_certificate()), issued_on=text)
    return _read(vr.parse_certificate, payload, "$.issued_on", attrgetter("issued_on"))


def _profile_registered(text: str) -> Any:
    payload = dict(SAMPLE_PROFILE_PAYLOAD, registered_on=text)
    return _read(vr.parse_profile, payload, "$.registered_on", attrgetter("registered_on"))


def _rule_set_valid_from(text: str) -> Any:
    mapping = vr.dump_rule_set(vr.get_rule_set("cn-national"))
    mapping["versions"][0]["valid_from"] = text
    return _read(
        vr.rule_set_from_mapping,
        mapping,
        "$.versions[0].valid_from",
        lambda rule_set: rule_set.versions[0].valid_from,
    )


def _organization_registered(text: str) -> Any:
    organization = next(iter(sample_organizations().organizations))
    payload = dict(dump_organization(organization), registered_on=text)
    return _read(parse_organization, payload, "$.registered_on", attrgetter("registered_on"))


def _person_consent(text: str) -> Any:
    payload = copy.deepcopy(dump_person(sample_person()))
    payload["consent"]["given_on"] = text
    return _read(parse_person, payload, "$.consent.given_on", attrgetter("consent.given_on"))


def _demand_start(text: str) -> Any:
    slot = {"rrule": "FREQ=WEEKLY;COUNT=2", "start": text, "duration_minutes": 60}
    payload = dict(SAMPLE_DEMAND_PAYLOAD, slots=[slot])
    return _read(
        vr.parse_demand, payload, "$.slots[0].start", lambda demand: demand.schedule[0].start
    )


def _attendance_at(text: str) -> Any:
    payload = dict(dump_attendance_event(sample_attendance_events()[0]), at=text)
    return _read(parse_attendance_event, payload, "$.at", attrgetter("at"))


def _package_created(text: str) -> dt.datetime | None:
    """The package's reader refuses the text, or reads it (its digest then disagrees)."""
    payload = dict(vr.dump_transfer_package(sample_transfer_package()), created_at=text)
    try:
        vr.parse_transfer_package(payload)
    except RecordFormatError as error:
        if any(problem.path == "$.created_at" for problem in error.errors):
            return None
    return read_datetime(text)


def _option(read: Callable[[str, str], Any]) -> Callable[[str], Any]:
    def reads(text: str) -> Any:
        try:
            return read(text, "--as-of")
        except ValueError:
            return None

    return reads


DATE_READERS: dict[str, Callable[[str], Any]] = {
    "record date": _record_date,
    "certificate issued_on": _certificate_issued,
    "profile registered_on": _profile_registered,
    "rule set valid_from": _rule_set_valid_from,
    "organization registered_on": _organization_registered,
    "person consent given_on": _person_consent,
    "command-line option": _option(date_option),
}

AWARE_READERS: dict[str, Callable[[str], Any]] = {
    "record recorded_at": _record_entered,
    "demand slot start": _demand_start,
    "attendance at": _attendance_at,
    "package created_at": _package_created,
    "command-line option": _option(datetime_option),
}


def _aware(text: str) -> dt.datetime | None:
    moment = read_datetime(text)
    return moment if moment is not None and moment.utcoffset() is not None else None


@pytest.mark.parametrize("reader", sorted(DATE_READERS))
@given(text=DATE_TEXTS)
@example(text="2026-W26-2")
@example(text="20260630")
@example(text="2026-181")
def test_every_date_reader_reads_exactly_the_record_formats_dates(reader: str, text: str) -> None:
    expected = read_date(text.strip() if reader == "record date" else text)
    assert DATE_READERS[reader](text) == expected


@pytest.mark.parametrize("reader", sorted(AWARE_READERS))
@given(text=DATETIME_TEXTS)
@example(text="2026-06-30 08:00:00+08:00")
@example(text="2026-06-30T08+08:00")
@example(text="2026-W27-2T08:00:00+08:00")
def test_every_date_time_reader_reads_exactly_the_record_formats_date_times(
    reader: str, text: str
) -> None:
    expected = _aware(text.strip() if reader == "record recorded_at" else text)
    if reader == "demand slot start" and expected is not None and expected.microsecond:
        expected = None  # a recurrence starts on a whole second, as RFC 5545's date-times do
    got = AWARE_READERS[reader](text)
    assert got == expected
    if got is not None:
        assert expected is not None
        assert got.utcoffset() == expected.utcoffset()  # the same moment, and the same offset


def test_the_one_reading_refuses_what_fromisoformat_reads_beyond_the_format() -> None:
    assert dt.date.fromisoformat("2026-W26-2") == dt.date(2026, 6, 23)  # what it would mean
    assert [read_date(t) for t in ("2026-W26-2", "20260630", "2026-181")] == [None] * 3
    assert read_date("2026-06-30") == dt.date(2026, 6, 30)
    assert read_date("2026-02-29") is None  # the form, but no such day
    assert read_date(20260630) is None
    assert read_datetime("2026-06-30T08:00+08:00") == dt.datetime(
        2026, 6, 30, 8, tzinfo=dt.timezone(dt.timedelta(hours=8))
    )
    assert read_datetime("2026-06-30T08:00:00Z") == dt.datetime(2026, 6, 30, 8, tzinfo=dt.UTC)
    assert read_datetime("2026-06-30T08:00:00") == dt.datetime(2026, 6, 30, 8)  # naive
    for text in ("2026-06-30 08:00:00+08:00", "2026-06-30T08+08:00", "20260630T080000+0800"):
        assert read_datetime(text) is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["certify", "-", "--rule-set", "cn-national", "--as-of", "2026-W26-2"],
            "--as-of must be a date such as 2026-06-30, not '2026-W26-2'",
        ),
        (["stats", "-", "--as-of", "20260630"], "not '20260630'"),
        (
            ["ledger", "credit", "-", "--policy", "generic", "--as-of", "2026-06-30 09:00+08:00"],
            "--as-of must be a date such as 2026-06-30 or a date-time with a UTC offset",
        ),
        (
            ["transfer", "check", "-", "--as-of", "2026-181"],
            "--as-of must be a date such as 2026-06-30, not '2026-181'",
        ),
    ],
)
def test_commands_refuse_week_and_basic_dates_with_one_message(
    argv: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"")))
    err = io.StringIO()
    with redirect_stderr(err):
        status = main(argv)
    assert status == 2
    assert message in err.getvalue()
