"""What the time bank shows a person masks personal data: a statement's text and the messages
of credit decisions never show a resident ID number, a mobile number or an e-mail whole, even
where one was (wrongly) used as a volunteer, record or transfer id."""

from __future__ import annotations

import datetime as dt

import attrs

import volunteer_rules as vr
from volunteer_rules.records.record import parse_record
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.timebank.ledger import Ledger
from volunteer_rules.timebank.operations import credit_hours, credit_records, redeem

CST = dt.timezone(dt.timedelta(hours=8))
LATER = dt.datetime(2024, 12, 31, 12, tzinfo=CST)
ID_NUMBER = "11010519491231002X"
MOBILE = "13812345678"


def test_statement_text_masks_an_id_number_account_and_a_mobile_in_a_transfer_id() -> None:
    ledger = credit_hours(
        Ledger(),
        transfer_id=f"c-{MOBILE}",
        volunteer_id=ID_NUMBER,
        hours=vr.Hours.from_hours(1),
        now=LATER,
        policy="generic",
    ).ledger
    s = vr.statement(ledger, ID_NUMBER)
    for language in ("en", "zh"):
        text = s.to_text(language)
        assert ID_NUMBER not in text and MOBILE not in text
        assert "110105***********X" in text and "c-138****5678" in text
    # the rows are data: the ids stay whole, to be joined on
    assert s.rows()[0]["transfer_id"] == f"c-{MOBILE}"
    assert s.rows()[0]["account"] == ID_NUMBER


def _debt(volunteer_id: str) -> vr.CreditResult:
    record = attrs.evolve(parse_record(SAMPLE_RECORD_PAYLOAD), volunteer_id=volunteer_id)
    ledger = credit_records(Ledger(), [record], now=LATER, policy="generic").ledger
    ledger = redeem(
        ledger,
        transfer_id="x-1",
        volunteer_id=volunteer_id,
        service_id="home_visit",
        now=LATER,
        policy="generic",
    ).ledger
    void = attrs.evolve(
        record,
        record_id="r-void",
        amends=record.record_id,
        status="void",
        recorded_at=record.recorded_at + dt.timedelta(days=1),
    )
    return credit_records(ledger, [record, void], now=LATER, policy="generic")


def test_a_debt_message_masks_an_id_number_volunteer_id() -> None:
    result = _debt(ID_NUMBER)
    (refused,) = [d for d in result.decisions if d.outcome == "debt_refused"]
    assert ID_NUMBER not in refused.message
    assert refused.message.startswith("110105***********X's credits must go down")
    assert refused.volunteer_id == ID_NUMBER  # the field is data


def test_a_history_message_masks_an_id_number_record_id() -> None:
    record = attrs.evolve(parse_record(SAMPLE_RECORD_PAYLOAD), record_id=ID_NUMBER)
    later = attrs.evolve(
        record,
        record_id="r-2",
        date=record.date + dt.timedelta(days=1),
        start=None,
        end=None,
        recorded_at=record.recorded_at + dt.timedelta(days=1),
    )
    ledger = credit_records(Ledger(), [record], now=LATER, policy="generic").ledger
    result = credit_records(ledger, [later], now=LATER, policy="generic")
    (decision,) = result.decisions
    assert decision.outcome == "history_incomplete"
    assert ID_NUMBER not in decision.message and "110105***********X" in decision.message
