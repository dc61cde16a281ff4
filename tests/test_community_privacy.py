"""Privacy sweep over people served: name, contact and ID number never appear in full.

Every output a person reads is checked: repr and pretty-printing (Hypothesis' and IPython's
printer), the reasons and offers of matching, the report page, and the command line's output
and error messages, on generated people (names, phone numbers, resident ID numbers).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.vendor.pretty import pretty

from volunteer_rules.cli import main
from volunteer_rules.community import (
    NeedOffer,
    PersonServed,
    dump_person,
    needs_for_volunteer,
    volunteers_for_need,
)
from volunteer_rules.statistics import build_report, render_report_html
from volunteer_rules.testing.community_examples import sample_person
from volunteer_rules.testing.matching_examples import sample_profile
from volunteer_rules.testing.strategies import resident_ids

CST = dt.timezone(dt.timedelta(hours=8))
names = st.text(
    alphabet="王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗桂兰秀英建国明华", min_size=2, max_size=4
)
phones = st.integers(min_value=0, max_value=10**8 - 1).map(lambda n: f"139{n:08d}")
people = st.builds(
    lambda name, phone, rid, consent: sample_person(
        name=name, contact=phone, id_number=str(rid), consent=sample_person().consent if consent else None
    ),
    names,
    phones,
    resident_ids(),
    st.booleans(),
)  # fmt: skip


def _secrets(person: PersonServed) -> list[str]:
    assert person.contact is not None and person.id_number is not None
    return [person.name, person.contact, person.id_number, person.id_number[6:14]]


def _assert_hidden(text: str, person: PersonServed) -> None:
    for secret in _secrets(person):
        assert secret not in text, f"{secret!r} shown in full"


class TestOutputs:
    @given(people)
    def test_repr_and_pretty(self, person: PersonServed) -> None:
        """repr, pretty-printing (alone and inside containers) show masked forms only."""
        for text in (repr(person), pretty(person), pretty([person]), str(person), repr([person])):
            _assert_hidden(text, person)
        assert person.masked_name in repr(person)

    @given(people)
    @settings(max_examples=25)
    def test_matching_reasons_and_offers(self, person: PersonServed) -> None:
        """The consent reason and a volunteer's offers name the person only masked."""
        found = volunteers_for_need(person, person.needs[0], [sample_profile()],
                                    rules="cn-national", as_of=dt.date(2024, 6, 1))  # fmt: skip
        for reason in found.refused:
            _assert_hidden(reason.message, person)
        offers = needs_for_volunteer(
            sample_profile(residence_region="211103"), [person], rules="cn-national",
            as_of=dt.date(2024, 6, 1), since=dt.datetime(2024, 6, 1, tzinfo=CST),
            until=dt.datetime(2024, 6, 30, tzinfo=CST),
        )  # fmt: skip
        assert all(isinstance(o, NeedOffer) for o in offers)
        _assert_hidden(repr(offers) + pretty(offers), person)

    @given(people)
    @settings(max_examples=10)
    def test_report_page(self, person: PersonServed) -> None:
        """The report counts people served and never names them."""
        page = render_report_html(build_report([], as_of=dt.date(2024, 6, 30), people=[person]))
        _assert_hidden(page, person)
        assert ("服务对象" in page) and (person.masked_name not in page)


def test_command_line_output_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The report command's output and its messages about bad lines mask people served."""
    person = sample_person(contact="13800138000", id_number="21110319400101002X")
    bad_id = dict(dump_person(person), person_id="21110319400101002X")
    bad_field = dict(dump_person(person), phone="13800138000")
    not_person = {"note": "刘桂兰 21110319400101002X 13800138000"}
    path = tmp_path / "people.jsonl"
    path.write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n"
                for p in (dump_person(person), bad_id, bad_field, not_person)),
        encoding="utf-8",
    )  # fmt: skip
    out = tmp_path / "report.html"
    assert main(["report", str(path), "--as-of", "2024-06-30", "-o", str(out)]) == 1
    captured = capsys.readouterr()
    for text in (captured.out, captured.err, out.read_text("utf-8")):
        assert "21110319400101002X" not in text
        assert "刘桂兰" not in text
        assert "13800138000" not in text
    assert captured.err.count("people.jsonl:") == 3  # the three bad lines are reported


def test_withdrawn_consent_stops_matching() -> None:
    """From the day a consent is withdrawn, nothing is matched or offered."""
    consent = attrs.evolve(sample_person().consent, withdrawn_on=dt.date(2024, 6, 10))
    person = sample_person(consent=consent)
    before = volunteers_for_need(
        person, person.needs[0], [], rules="cn-national", as_of=dt.date(2024, 6, 9)
    )
    after = volunteers_for_need(
        person, person.needs[0], [], rules="cn-national", as_of=dt.date(2024, 6, 10)
    )
    assert before.refused == () and [r.code for r in after.refused] == ["consent_missing"]
