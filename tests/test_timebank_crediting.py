"""Crediting equals certification, whatever order the records arrive in.

After any sequence of ``credit_records`` calls, what a volunteer is credited equals what
``certify`` counts on all the records seen so far: overlaps and the daily cap across calls,
amendments and voids. Amendments after spending post the difference; a take-back that would
cross the floor refuses that volunteer only.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.cli import main
from volunteer_rules.records.record import dump_record, parse_record
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.strategies import service_histories
from volunteer_rules.timebank.ledger import POOL, Ledger, check_ledger
from volunteer_rules.timebank.operations import credit_records, get_time_bank_policy, redeem

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2024, 3, 1, 12, tzinfo=CST)
NOW_DAY = NOW.date()
VOLUNTEERS = ("V1", "V2")


def certified(records: list[vr.ServiceRecord], volunteer_id: str, as_of: dt.date = NOW_DAY) -> int:
    result = vr.certify(records, rule_set="cn-national", as_of=as_of, volunteer=volunteer_id)
    return result.counted.minutes


@given(
    history=service_histories(volunteers=VOLUNTEERS, max_size=12),
    data=st.data(),
)
def test_arrival_order_does_not_change_what_is_credited(
    history: list[vr.ServiceRecord], data: st.DataObject
) -> None:
    """Random batches in random orders: after every call the ledger equals certify."""
    order = data.draw(st.permutations(history), label="order")
    cuts = sorted(data.draw(st.lists(st.integers(0, len(order)), max_size=4), label="cuts"))
    bounds = [0, *cuts, len(order)]
    ledger = Ledger()
    seen: list[vr.ServiceRecord] = []
    for start, end in itertools.pairwise(bounds):
        seen.extend(order[start:end])
        result = credit_records(ledger, seen, now=NOW, policy="generic")
        ledger = result.ledger
        for volunteer in VOLUNTEERS:
            assert ledger.balance(volunteer).minutes == certified(seen, volunteer)
        assert not {d.outcome for d in result.decisions} & {"debt_refused", "history_incomplete"}
    assert check_ledger(ledger) == ()
    again = credit_records(ledger, seen, now=NOW, policy="generic")
    assert len(again.ledger) == len(ledger)  # the same history again posts nothing
    assert {d.outcome for d in again.decisions} <= {"already_credited", "not_counted"}


def sample(record_id: str, start_hour: int, end_hour: int, **changes: Any) -> vr.ServiceRecord:
    record = parse_record(SAMPLE_RECORD_PAYLOAD)
    start = dt.datetime(2024, 5, 1, start_hour, tzinfo=CST)
    end = dt.datetime(2024, 5, 1, end_hour, tzinfo=CST)
    return attrs.evolve(
        record,
        record_id=record_id,
        start=start,
        end=end,
        service=vr.Hours.from_minutes((end_hour - start_hour) * 60),
        recorded_at=dt.datetime(2024, 5, 2, start_hour, tzinfo=CST),
        **changes,
    )


A = sample("r-a", 8, 10)
B = sample("r-b", 9, 11)
LATER = dt.datetime(2024, 12, 31, 12, tzinfo=CST)


def test_overlap_across_calls_counts_once() -> None:
    """The reported case: A (08-10) one day, B (09-11) the next: 2 hours, as certify says."""
    first = credit_records(Ledger(), [A], now=LATER, policy="generic")
    second = credit_records(first.ledger, [A, B], now=LATER, policy="generic")
    assert second.ledger.balance(A.volunteer_id).minutes == 120
    # B alone, without A: refused for that volunteer, never a double credit
    partial = credit_records(first.ledger, [B], now=LATER, policy="generic")
    assert [d.outcome for d in partial.decisions] == ["history_incomplete"]
    assert partial.ledger is first.ledger or len(partial.ledger) == len(first.ledger)


def test_void_of_the_earlier_record_lets_the_overlapping_one_count() -> None:
    ledger = credit_records(Ledger(), [A, B], now=LATER, policy="generic").ledger
    assert ledger.balance(A.volunteer_id).minutes == 120
    void = sample("r-a-void", 8, 10, amends="r-a", status="void")
    result = credit_records(ledger, [A, B, void], now=LATER, policy="generic")
    assert result.ledger.balance(A.volunteer_id).minutes == certified(
        [A, B, void], "V0000001", LATER.date()
    )
    assert sorted((d.key[1], d.outcome) for d in result.decisions) == [
        ("r-a", "adjusted"),
        ("r-a-void", "not_counted"),
        ("r-b", "credited"),
    ]


class TestAmendAfterSpend:
    def test_the_difference_is_posted(self) -> None:
        """120 credited, 60 spent, amended to 90: the net is 90 credited, 30 left."""
        record = parse_record(SAMPLE_RECORD_PAYLOAD)
        volunteer = record.volunteer_id
        ledger = credit_records(Ledger(), [record], now=LATER, policy="generic").ledger
        ledger = redeem(
            ledger,
            transfer_id="x-1",
            volunteer_id=volunteer,
            service_id="home_visit",
            now=LATER,
            policy="generic",
        ).ledger
        amendment = attrs.evolve(
            record,
            record_id="r-fix",
            amends=record.record_id,
            service=vr.Hours.from_minutes(90),
            recorded_at=record.recorded_at + dt.timedelta(days=1),
        )
        other = attrs.evolve(record, record_id="r-other", volunteer_id="V0000002")
        result = credit_records(ledger, [record, amendment, other], now=LATER, policy="generic")
        assert result.ledger.balance(volunteer).minutes == 30
        assert result.ledger.balance("V0000002").minutes == 120  # the others are credited
        outcomes = {d.key[1]: d.outcome for d in result.decisions}
        assert outcomes == {
            record.record_id: "adjusted",
            "r-fix": "credited",
            "r-other": "credited",
        }
        assert check_ledger(result.ledger) == ()
        # every rerun: nothing to post, nothing to correct by hand (no false credit_differs)
        again = credit_records(
            result.ledger, [record, amendment, other], now=LATER, policy="generic"
        )
        assert len(again.ledger) == len(result.ledger)
        assert {d.outcome for d in again.decisions} == {"already_credited"}

    def test_a_debt_refuses_that_volunteer_only(self) -> None:
        """Voided after 60 of 120 were spent: V1 cannot go below zero; V2 is still credited."""
        record = parse_record(SAMPLE_RECORD_PAYLOAD)
        volunteer = record.volunteer_id
        ledger = credit_records(Ledger(), [record], now=LATER, policy="generic").ledger
        ledger = redeem(
            ledger,
            transfer_id="x-1",
            volunteer_id=volunteer,
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
        other = attrs.evolve(record, record_id="r-other", volunteer_id="V0000002")
        result = credit_records(ledger, [record, void, other], now=LATER, policy="generic")
        refused = [d for d in result.decisions if d.outcome == "debt_refused"]
        assert [d.key[1] for d in refused] == [record.record_id]
        assert "1 h short" in refused[0].message
        assert result.ledger.balance(volunteer).minutes == 60
        assert result.ledger.balance("V0000002").minutes == 120
        # once the volunteer has the hours again, the same call posts the take-back
        topped = vr.credit_hours(
            result.ledger,
            transfer_id="gift",
            volunteer_id=volunteer,
            hours=vr.Hours.from_hours(1),
            now=LATER,
            policy="generic",
        ).ledger
        settled = credit_records(topped, [record, void, other], now=LATER, policy="generic")
        assert settled.ledger.balance(volunteer).minutes == 0
        assert check_ledger(settled.ledger) == ()

    def test_group_hours_taken_back_from_the_pool(self) -> None:
        policy = get_time_bank_policy("cn-nanjing-2019")
        record = attrs.evolve(parse_record(SAMPLE_RECORD_PAYLOAD), group_service=True)
        ledger = credit_records(Ledger(limits=policy.limits), [record], now=LATER, policy=policy)
        assert ledger.ledger.balance(POOL).minutes == 120
        shorter = attrs.evolve(
            record,
            record_id="r-fix",
            amends=record.record_id,
            service=vr.Hours.from_minutes(30),
            recorded_at=record.recorded_at + dt.timedelta(days=1),
        )
        result = credit_records(ledger.ledger, [record, shorter], now=LATER, policy=policy)
        assert result.ledger.balance(POOL).minutes == 30


@pytest.mark.parametrize("first_file", ["one", "two"])
def test_command_line_with_db_credits_what_certify_counts(tmp_path: Path, first_file: str) -> None:
    """Two ``ledger credit ... --db`` runs, in either order: A and B overlap and count once."""
    files = {"one": tmp_path / "one.jsonl", "two": tmp_path / "two.jsonl"}
    files["one"].write_text(json.dumps(dump_record(A)) + "\n", encoding="utf-8")
    files["two"].write_text(json.dumps(dump_record(B)) + "\n", encoding="utf-8")
    db = str(tmp_path / "bank.sqlite")
    order = ["one", "two"] if first_file == "one" else ["two", "one"]
    for name in order:
        arguments = ["ledger", "credit", str(files[name]), "--policy", "generic"]
        assert main([*arguments, "--as-of", "2024-12-31", "--db", db, "--format", "json"]) == 0
    with vr.SQLiteDatabase(db) as database:
        store = vr.SQLiteLedgerStore(database)
        assert (
            store.balance(A.volunteer_id).minutes
            == certified([A, B], A.volunteer_id, LATER.date())
            == 120
        )


def test_a_record_credited_by_credit_hours_is_taken_as_credited() -> None:
    """An opening balance booked with the record's key counts as that record's credit."""
    record = parse_record(SAMPLE_RECORD_PAYLOAD)
    ledger = vr.credit_hours(
        Ledger(),
        transfer_id="import-1",
        volunteer_id=record.volunteer_id,
        hours=vr.Hours.from_minutes(100),
        now=LATER,
        policy="generic",
        record_key=record.key,
    ).ledger
    result = credit_records(ledger, [record], now=LATER, policy="generic")
    assert [(d.outcome, d.minutes, d.transfer_id) for d in result.decisions] == [
        ("adjusted", 20, "import-1#1")
    ]
    assert result.ledger.balance(record.volunteer_id).minutes == 120
