"""The value classes' constructors raise the library's errors, like its functions.

The contract: any input, however malformed, makes a public function return or raise a
``VolunteerRulesError``, never a bare ``TypeError`` or ``ValueError``. A value class is called
like a function, so each one reachable from the samples is built again with each field given
a value of the wrong type (and a date-time for a date, a naive date-time for an aware one, a
``bool`` for an ``int``); the constructor either takes it or raises a ``VolunteerRulesError``
naming the field. attrs' own validators raise bare errors whose message holds the whole
attribute's definition: none is left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import pytest

import volunteer_rules as vr
from volunteer_rules.community import Roster
from volunteer_rules.errors import VolunteerRulesError
from volunteer_rules.records import mask_profile
from volunteer_rules.testing.community_examples import (
    sample_attendance_events,
    sample_organizations,
    sample_person,
    sample_project,
    sample_roster,
    sample_station,
)
from volunteer_rules.testing.examples import (
    SAMPLE_RECORD_PAYLOAD,
    sample_certificate,
    sample_transfer_package,
)
from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD
from volunteer_rules.testing.profile_examples import (
    SAMPLE_COMMENDATION_PAYLOAD,
    SAMPLE_EVALUATION_PAYLOAD,
    SAMPLE_PROFILE_PAYLOAD,
    SAMPLE_TRAINING_PAYLOAD,
)


def _roots() -> list[object]:
    record = vr.parse_record(
        dict(SAMPLE_RECORD_PAYLOAD, evaluation={"rating": "good", "date": "2024-05-02"})
    )
    profile = vr.parse_profile(SAMPLE_PROFILE_PAYLOAD)
    project = sample_project()
    roots: list[object] = [
        record,
        sample_certificate(),
        sample_transfer_package(),
        profile,
        mask_profile(profile),
        vr.parse_training(SAMPLE_TRAINING_PAYLOAD),
        vr.parse_commendation(SAMPLE_COMMENDATION_PAYLOAD),
        vr.parse_evaluation_record(SAMPLE_EVALUATION_PAYLOAD),
        vr.parse_demand(SAMPLE_DEMAND_PAYLOAD),
        vr.get_rule_set("cn-national"),
        vr.get_rule_set("cn-zhangjiagang"),
        vr.get_time_bank_policy("generic"),
        vr.certify([record], rule_set="cn-national", as_of=dt.date(2026, 6, 30)),
        sample_person(),
        sample_station(),
        sample_organizations(),
        project,
        sample_roster(project),
        *sample_attendance_events(),
    ]
    # Results of the rules, the time bank, matching and transfers.
    now = dt.datetime(2026, 6, 30, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    late = attrs.evolve(record, recorded_at=record.recorded_at + dt.timedelta(days=60))
    ledger = vr.Ledger()
    roots += [
        vr.check_records([late]),
        vr.count_records([record], as_of=dt.date(2026, 6, 30)),
        vr.credit_records(ledger, [record], now=now, policy="generic"),
        ledger,
        vr.default_catalog(),
        vr.get_registration_rules("cn-national"),
        vr.match(
            vr.parse_demand(SAMPLE_DEMAND_PAYLOAD),
            [profile],
            rules="cn-national",
            as_of=dt.date(2024, 5, 30),
        ),
        vr.initiate_transfer(sample_transfer_package(), at=now),
        vr.summarize([record], as_of=dt.date(2026, 6, 30)),
    ]
    return roots


def _walk(value: object, seen: dict[type, object], depth: int = 0) -> None:
    if depth > 6:
        return
    kind: Any = type(value)
    if attrs.has(kind):
        if kind.__module__.startswith("volunteer_rules."):
            seen.setdefault(kind, value)
        for field in attrs.fields(kind):
            _walk(getattr(value, field.name), seen, depth + 1)
    elif isinstance(value, Mapping):
        for item in list(value.values())[:20]:
            _walk(item, seen, depth + 1)
    elif isinstance(value, (tuple, list, frozenset)):
        for item in list(value)[:20]:
            _walk(item, seen, depth + 1)
    elif isinstance(value, vr.Ledger):
        _walk(tuple(value.transfers()), seen, depth + 1)
    elif hasattr(value, "organizations") and not isinstance(value, type):
        _walk(tuple(value.organizations), seen, depth + 1)  # a registry: its organizations


def _samples() -> dict[type, object]:
    seen: dict[type, object] = {}
    for root in _roots():
        _walk(root, seen)
    return seen


SAMPLES = _samples()


def _wrong_values(value: object) -> Iterator[object]:
    """Values of the wrong type for a field that holds ``value``."""
    yield object()
    yield b"bytes"
    if isinstance(value, dt.datetime):
        yield value.replace(tzinfo=None)  # naive
        yield value.date()
    elif isinstance(value, dt.date):
        yield dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    elif isinstance(value, int) and not isinstance(value, bool):
        yield True
    elif isinstance(value, str):
        yield 7


def test_the_samples_reach_the_value_classes() -> None:
    """The walk finds the classes the test is about (so it cannot pass by finding none)."""
    names = {cls.__name__ for cls in SAMPLES}
    assert {
        "ServiceRecord",
        "Evaluation",
        "Certificate",
        "TransferPackage",
        "VolunteerProfile",
        "MaskedProfile",
        "Level",
        "Demand",
        "PersonServed",
        "Finding",
        "LedgerTransfer",
        "Transfer",
        "Count",
        "Project",
        "AttendanceEvent",
    } <= names
    assert Roster in SAMPLES
    assert len(SAMPLES) >= 45


@pytest.mark.parametrize("cls", sorted(SAMPLES, key=str), ids=str)
def test_a_wrong_value_for_any_field_raises_the_librarys_error(cls: Any) -> None:
    sample = SAMPLES[cls]
    for field in attrs.fields(cls):
        if not field.init:
            continue
        for wrong in _wrong_values(getattr(sample, field.name)):
            try:
                attrs.evolve(sample, **{field.alias: wrong})  # type: ignore[misc]
            except VolunteerRulesError:
                pass
            except Exception as error:  # what the test is about
                pytest.fail(
                    f"{cls.__name__}({field.alias}={wrong!r}) raised a bare "
                    f"{type(error).__name__}: {str(error)[:200]}"
                )


def test_the_errors_name_the_field() -> None:
    record: Any = SAMPLES[vr.ServiceRecord]
    with pytest.raises(vr.InvalidTypeError, match=r"^place: must be str, not int$"):
        attrs.evolve(record, place=7)
    with pytest.raises(vr.InvalidValueError, match=r"^recorded_at: must be a time-zone-aware"):
        attrs.evolve(record, recorded_at=record.recorded_at.replace(tzinfo=None))
    with pytest.raises(vr.InvalidTypeError, match=r"^date: must be date, not datetime$"):
        attrs.evolve(record, date=record.recorded_at)
    with pytest.raises(vr.InvalidValueError, match=r"^status: must be one of .*, not 'done'$"):
        attrs.evolve(record, status="done")
