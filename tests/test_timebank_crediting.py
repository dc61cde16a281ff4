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
from volunteer_rules.rules.counting import count_records
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.strategies import service_histories
from volunteer_rules.timebank.crediting import credit_transfer_id
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


def covered(records: list[vr.ServiceRecord], volunteer_id: str, policy: Any, as_of: dt.date) -> int:
    """What certification counts for the volunteer's records the policy covers (served while
    it was in force), each record as certification counts it over the whole history."""
    served = {r.key: r.date for r in records}
    count = count_records(records, as_of=as_of, volunteer_id=volunteer_id)
    assert count.outcomes is not None
    return sum(o.minutes for o in count.outcomes if policy.in_force_on(served[o.key]))


POLICY_DAYS = st.dates(dt.date(2024, 1, 1), dt.date(2024, 1, 4))  # the histories' days


@given(
    history=service_histories(volunteers=VOLUNTEERS, max_size=12),
    valid_from=st.none() | POLICY_DAYS,
    length=st.none() | st.integers(0, 3),
    now_day=st.dates(dt.date(2023, 12, 30), dt.date(2024, 1, 12)),
    data=st.data(),
)
def test_a_dated_policy_credits_what_certification_counts_for_the_records_it_covers(
    history: list[vr.ServiceRecord],
    valid_from: dt.date | None,
    length: int | None,
    now_day: dt.date,
    data: st.DataObject,
) -> None:
    """In any arrival order, on any day (inside the policy's dates or not): the ledger equals
    certification's count of the records the policy covers (served while it was in force)."""
    start = valid_from or dt.date(2024, 1, 1)
    valid_until = None if length is None else start + dt.timedelta(days=length)
    policy = attrs.evolve(
        get_time_bank_policy("generic"),
        policy_id="x-dated",
        valid_from=valid_from,
        valid_until=valid_until,
    )
    now = dt.datetime.combine(now_day, dt.time(23, 59), CST)
    order = data.draw(st.permutations(history), label="order")
    cuts = sorted(data.draw(st.lists(st.integers(0, len(order)), max_size=3), label="cuts"))
    ledger = Ledger()
    seen: list[vr.ServiceRecord] = []
    for begin, end in itertools.pairwise([0, *cuts, len(order)]):
        seen.extend(order[begin:end])
        result = credit_records(ledger, seen, now=now, policy=policy)
        ledger = result.ledger
        for volunteer in VOLUNTEERS:
            expected = covered(seen, volunteer, policy, now_day)
            assert ledger.balance(volunteer).minutes == expected
        for decision in result.decisions:  # refused exactly when served outside the dates
            served = next(r.date for r in seen if r.key == decision.key)
            if decision.outcome == "policy_not_in_force":
                assert not policy.in_force_on(served)
            elif decision.outcome in ("credited", "already_credited"):
                assert policy.in_force_on(served) or decision.minutes == 0
    if valid_from is not None and now_day < valid_from:  # before it applies: nothing at all
        assert len(ledger) == 0
    if valid_from is None and valid_until is None:  # an undated policy: certify's total
        for volunteer in VOLUNTEERS:
            assert ledger.balance(volunteer).minutes == certified(seen, volunteer, now_day)


NANJING = get_time_bank_policy("cn-nanjing-2019")  # from 2019-08-30, no end
ENDED = attrs.evolve(
    get_time_bank_policy("generic"), policy_id="x-ended", valid_until=dt.date(2024, 5, 1)
)


def served_on(day: dt.date, record_id: str = "r-1") -> vr.ServiceRecord:
    return attrs.evolve(
        parse_record(SAMPLE_RECORD_PAYLOAD),
        record_id=record_id,
        date=day,
        start=None,
        end=None,
        recorded_at=dt.datetime.combine(day, dt.time(22), CST),
    )


class TestPolicyDates:
    """A record served outside the policy's dates, and crediting on a day outside them."""

    @pytest.mark.parametrize(
        ("policy", "day", "outcome"),
        [
            (NANJING, dt.date(2019, 8, 29), "policy_not_in_force"),
            (NANJING, dt.date(2019, 8, 30), "credited"),
            (ENDED, dt.date(2024, 5, 1), "credited"),
            (ENDED, dt.date(2024, 5, 2), "policy_not_in_force"),
        ],
    )
    def test_a_record_is_credited_only_if_served_while_the_policy_applies(
        self, policy: Any, day: dt.date, outcome: str
    ) -> None:
        """Both sides of valid_from and of valid_until (inclusive), credited later on."""
        record = served_on(day)
        result = credit_records(Ledger(), [record], now=LATER, policy=policy)
        [decision] = result.decisions
        assert decision.outcome == outcome
        credited = record.service.minutes if outcome == "credited" else 0
        assert result.ledger.balance(record.volunteer_id).minutes == credited
        if outcome == "policy_not_in_force":
            assert decision.reason is None and decision.transfer_id is None
            assert day.isoformat() in decision.message and policy.policy_id in decision.message

    def test_crediting_on_a_day_before_the_policy_credits_nothing(self) -> None:
        """On 2019-08-29 nothing served by then is covered; from 2019-08-30 that day's is."""
        before, first = served_on(dt.date(2019, 8, 29), "r-0"), served_on(dt.date(2019, 8, 30))
        for day, expected in ((dt.date(2019, 8, 29), 0), (dt.date(2019, 8, 30), 120)):
            now = dt.datetime.combine(day, dt.time(23), CST)
            result = credit_records(Ledger(), [before, first], now=now, policy=NANJING)
            assert result.ledger.balance(first.volunteer_id).minutes == expected

    def test_a_record_moved_outside_the_dates_is_taken_back(self) -> None:
        """Credited, then amended to a day before the policy: adjusted to 0, with the reason."""
        record = served_on(dt.date(2019, 9, 2))
        ledger = credit_records(Ledger(), [record], now=LATER, policy=NANJING).ledger
        moved = attrs.evolve(
            served_on(dt.date(2019, 8, 1), "r-fix"),
            amends=record.record_id,
            recorded_at=dt.datetime(2019, 9, 3, tzinfo=CST),
        )
        result = credit_records(ledger, [record, moved], now=LATER, policy=NANJING)
        assert sorted((d.key[1], d.outcome, d.minutes) for d in result.decisions) == [
            ("r-1", "adjusted", -120),
            ("r-fix", "policy_not_in_force", 0),
        ]
        assert result.ledger.balance(record.volunteer_id).minutes == 0

    def test_a_credit_made_under_another_policy_is_kept(self) -> None:
        """Credited under generic, then crediting the same history under a policy that does not
        cover the day: the credit stays (no volunteer loses hours when a ledger's policy
        changes), and the decision says why this policy does not count the record."""
        record = served_on(dt.date(2019, 8, 1))
        ledger = credit_records(Ledger(), [record], now=LATER, policy="generic").ledger
        result = credit_records(ledger, [record], now=LATER, policy=NANJING)
        [decision] = result.decisions
        assert (decision.outcome, decision.minutes) == ("policy_not_in_force", 0)
        assert decision.transfer_id == credit_transfer_id(*record.key)
        assert "2 h credited before are kept" in decision.message
        assert result.ledger is ledger or len(result.ledger) == len(ledger)
        assert result.ledger.balance(record.volunteer_id).minutes == 120
        again = credit_records(result.ledger, [record], now=LATER, policy="generic")
        assert [d.outcome for d in again.decisions] == ["already_credited"]

    @pytest.mark.parametrize(
        ("policy", "day", "allowed"),
        [
            (NANJING, dt.date(2019, 8, 29), False),
            (NANJING, dt.date(2019, 8, 30), True),
            (ENDED, dt.date(2024, 5, 1), True),
            (ENDED, dt.date(2024, 5, 2), False),
        ],
    )
    def test_credit_hours_is_refused_on_a_day_the_policy_does_not_apply(
        self, policy: Any, day: dt.date, allowed: bool
    ) -> None:
        """Both sides of each date, on the local date of now: a refusal, never an error."""
        result = vr.credit_hours(
            Ledger(),
            transfer_id="open-1",
            volunteer_id="V1",
            hours=vr.Hours.from_hours(2),
            now=dt.datetime.combine(day, dt.time(23, 30), CST),
            policy=policy,
        )
        assert result.allowed is allowed
        assert result.ledger.balance("V1").minutes == (120 if allowed else 0)
        if not allowed:
            assert [v.code for v in result.violations] == ["policy_not_in_force"]
            assert day.isoformat() in result.violations[0].message


@pytest.mark.parametrize("output", ["text", "json"])
def test_the_ledger_command_reports_records_served_before_the_policy(
    tmp_path: Path, capsys: Any, output: str
) -> None:
    """One record the day before cn-nanjing-2019 applies, one on its first day."""
    path = tmp_path / "records.jsonl"
    records = [served_on(dt.date(2019, 8, 29), "r-0"), served_on(dt.date(2019, 8, 30))]
    path.write_text("".join(json.dumps(dump_record(r)) + "\n" for r in records), "utf-8")
    arguments = ["ledger", "credit", str(path), "--policy", "cn-nanjing-2019"]
    assert main([*arguments, "--as-of", "2024-12-31", "--format", output]) == 0
    out, err = capsys.readouterr()
    if output == "json":
        shown = json.loads(out)
        assert shown["outcomes"] == {"credited": 1, "policy_not_in_force": 1}
        assert shown["balances_minutes"]["V0000001"] == 120
    else:
        assert "credited 1\npolicy_not_in_force 1\n" in out
    assert "1 record(s) served outside the policy's dates" in err
    assert "service on 2019-08-29: cn-nanjing-2019 applies only from 2019-08-30" in err
