"""The optional compiled helper of the bulk passes (``volunteer_rules._speedups``).

Whatever it declines (``None``) the Python code decides; with it and without, the results are
the same. (``parse_record`` no longer uses it: it is pure Python.)
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

CST = dt.timezone(dt.timedelta(hours=8))
DAY_DATE = dt.date(2024, 5, 3)


def test_built_where_a_compiler_is_at_hand() -> None:
    """With a C compiler and the Python headers, the install builds the helper and uses it."""
    headers = Path(sysconfig.get_paths()["include"], "Python.h")
    if not (shutil.which("cc") or shutil.which("gcc")) or not headers.exists():
        pytest.skip("no C compiler or Python headers here: the package runs without the helper")
    assert counting_module._COUNT_PASS is not None
    assert certification_module._INSTANCES is not None


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
