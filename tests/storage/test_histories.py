"""Stored histories: what a volunteer's count needs from a store, amendments of anyone included.

A record may be amended under another volunteer (service entered under the wrong volunteer and
corrected). Certification then no longer counts the original; every path that reads a store
(``transfer check --db``, ``ledger credit --db``, ``accept_stored_transfer``) must see that
amendment too, and crediting must take the original's credit back from its owner.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.cli import main
from volunteer_rules.cli._store import credit_stored_ledger, open_stores, stored_records
from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.storage import InMemoryRecordStore
from volunteer_rules.storage.protocols import RecordStore
from volunteer_rules.storage.services import stored_history
from volunteer_rules.storage.sqlite import SQLiteRecordStore
from volunteer_rules.testing.contracts import make_record

ORG = make_record().organization_id
AS_OF = dt.date(2024, 12, 31)
NOW = dt.datetime(2024, 12, 31, 12, tzinfo=dt.UTC)
VOLUNTEERS = ("V0000001", "V0000002", "V0000003")


@pytest.fixture(params=["memory", "sqlite"])
def make_store(request: pytest.FixtureRequest) -> Callable[[], RecordStore]:
    if request.param == "memory":
        return InMemoryRecordStore
    return SQLiteRecordStore


def _ids(records: tuple[vr.ServiceRecord, ...]) -> list[str]:
    return [r.record_id for r in records]


def _chain() -> list[vr.ServiceRecord]:
    """V1's r-1, amended under V2 by r-2 (not verified), itself amended under V3 by r-3."""
    return [
        make_record("r-1", volunteer_id=VOLUNTEERS[0], day=dt.date(2024, 5, 1)),
        make_record(
            "r-2",
            volunteer_id=VOLUNTEERS[1],
            amends="r-1",
            status="submitted",
            day=dt.date(2024, 5, 2),
        ),
        make_record("r-3", volunteer_id=VOLUNTEERS[2], amends="r-2", day=dt.date(2024, 5, 3)),
        make_record("r-4", volunteer_id=VOLUNTEERS[2], day=dt.date(2024, 5, 4)),
    ]


def test_a_history_follows_a_chain_of_amendments_across_volunteers(
    make_store: Callable[[], RecordStore],
) -> None:
    store = make_store()
    store.add(_chain())
    assert _ids(stored_history(store, [VOLUNTEERS[0]])) == ["r-1", "r-2", "r-3"]
    assert _ids(stored_history(store, [VOLUNTEERS[2]])) == ["r-3", "r-4"]
    # r-3 supersedes r-2, which then supersedes r-1: V1 has nothing counted
    held = stored_history(store, [VOLUNTEERS[0]])
    everything = store.find()
    for volunteer in VOLUNTEERS:
        mine = stored_history(store, [volunteer])
        assert _counted(mine, volunteer) == _counted(everything, volunteer)
    assert _counted(held, VOLUNTEERS[0]) == 0


def test_linked_histories_are_whole_for_every_volunteer_in_them(
    make_store: Callable[[], RecordStore],
) -> None:
    store = make_store()
    store.add(_chain())
    everything = _ids(store.find())
    for volunteer in VOLUNTEERS:  # linked both ways: amendments and what they amend
        assert _ids(stored_history(store, [volunteer], linked=True)) == everything
    store.add([make_record("r-9", volunteer_id="V0000009", amends="gone")])
    assert _ids(stored_history(store, ["V0000009"], linked=True)) == ["r-9"]
    assert stored_history(store, [], linked=True) == ()


def test_bad_volunteer_ids_are_library_errors() -> None:
    for bad in ("V1", None, [1]):
        with pytest.raises(InvalidTypeError):
            stored_history(InMemoryRecordStore(), bad)  # type: ignore[arg-type]


def _counted(records: Any, volunteer: str) -> int:
    return vr.certify(
        records, rule_set="cn-national", as_of=AS_OF, volunteer=volunteer
    ).counted.minutes


# --- the command line's --db paths ------------------------------------------------------------


def _write(path: Path, records: list[vr.ServiceRecord]) -> Path:
    path.write_text("".join(json.dumps(vr.dump_record(r)) + "\n" for r in records), "utf-8")
    return path


def _balances(db: Path) -> dict[str, int]:
    with open_stores(db) as stores:
        return {a: h.minutes for a, h in stores.ledger.balances().items() if a.startswith("V")}


def test_credit_takes_back_a_credit_amended_under_another_volunteer(tmp_path: Path) -> None:
    """Run 1 credits V1's r-1; run 2 brings V2's void of it: V1's credit is taken back.

    Before, run 2 credited V2's history only, and V1 kept the 2 h certification no longer
    counts; a third run of V1's records then credited r-1 again.
    """
    db = tmp_path / "bank.sqlite"
    original = make_record("r-1", volunteer_id=VOLUNTEERS[0])
    void = make_record("r-2", volunteer_id=VOLUNTEERS[1], amends="r-1", status="void")
    later = make_record("r-3", volunteer_id=VOLUNTEERS[0], day=dt.date(2024, 6, 1))
    credit_stored_ledger(db, [original], now=NOW, policy="generic")
    assert _balances(db) == {VOLUNTEERS[0]: 120}
    credit_stored_ledger(db, [void], now=NOW, policy="generic")
    assert _balances(db).get(VOLUNTEERS[0], 0) == 0
    credit_stored_ledger(db, [later], now=NOW, policy="generic")
    assert _balances(db).get(VOLUNTEERS[0], 0) == 120 == _counted([original, void, later],
                                                                  VOLUNTEERS[0])  # fmt: skip


def test_ledger_credit_command_with_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "bank.sqlite")
    first = _write(tmp_path / "a.jsonl", [make_record("r-1", volunteer_id=VOLUNTEERS[0])])
    void = make_record("r-2", volunteer_id=VOLUNTEERS[1], amends="r-1", status="void")
    second = _write(tmp_path / "b.jsonl", [void])
    for path in (first, second):
        command = ["ledger", "credit", str(path), "--policy", "generic", "--as-of", "2024-12-31"]
        assert main([*command, "--db", db]) == 0
    capsys.readouterr()
    assert _balances(Path(db)).get(VOLUNTEERS[0], 0) == 0


def test_transfer_check_with_db_honours_an_amendment_under_another_volunteer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The level after the move counts what certification counts on everything held."""
    db = tmp_path / "dest.sqlite"
    held = make_record("r-1", volunteer_id=VOLUNTEERS[0], minutes=600)
    void = make_record("r-2", volunteer_id=VOLUNTEERS[1], amends="r-1", status="void")
    with open_stores(db) as stores:
        stores.records.add([held, void])
    assert _ids(stored_records(db, volunteer_id=VOLUNTEERS[0])) == ["r-1", "r-2"]
    moving = make_record("m-1", organization_id="G-panjin-youth", day=dt.date(2024, 7, 1))
    package = vr.create_transfer_package(
        [moving], volunteer_id=VOLUNTEERS[0], source_organization_id="G-panjin-youth",
        destination_organization_id=ORG, destination_region_code="211103", consent=True,
        created_at=dt.datetime(2024, 8, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    path = tmp_path / "package.json"
    path.write_text(json.dumps(vr.dump_transfer_package(package)), "utf-8")
    main(["transfer", "check", str(path), "--as-of", "2024-12-31", "--db", str(db),
          "--format", "json"])  # fmt: skip
    after = json.loads(capsys.readouterr().out)["continuation"]["after"]
    assert after["counted_minutes"] == 120  # not 720: r-1 is void


# --- the property -----------------------------------------------------------------------------


@st.composite
def amended_histories(draw: st.DrawFn) -> list[vr.ServiceRecord]:
    """Records of three volunteers; some amend earlier ones, often another volunteer's."""
    records: list[vr.ServiceRecord] = []
    for index in range(draw(st.integers(1, 9))):
        day = dt.date(2024, 5, 1) + dt.timedelta(days=draw(st.integers(0, 3)))
        start = dt.datetime.combine(day, dt.time(draw(st.sampled_from([8, 9, 10]))), dt.UTC)
        minutes = draw(st.sampled_from([60, 90, 120]))
        amends = None
        if draw(st.booleans()) and records:
            amends = draw(st.sampled_from(records)).record_id
        records.append(
            make_record(
                f"r-{index}",
                volunteer_id=draw(st.sampled_from(VOLUNTEERS)),
                day=day,
                minutes=minutes,
                start=start,
                end=start + dt.timedelta(minutes=minutes),
                recorded_at=dt.datetime.combine(day, dt.time(20), dt.UTC)
                + dt.timedelta(minutes=index),
                status=draw(st.sampled_from(["verified", "verified", "submitted", "void"])),
                amends=amends,
            )
        )
    return records


def _batches(records: list[vr.ServiceRecord], rnd: Any) -> Iterator[list[vr.ServiceRecord]]:
    shuffled = list(records)
    rnd.shuffle(shuffled)
    while shuffled:
        size = rnd.randint(1, len(shuffled))
        yield shuffled[:size]
        shuffled = shuffled[size:]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(amended_histories(), st.randoms(use_true_random=False))
def test_a_stored_history_counts_as_all_records_do(
    records: list[vr.ServiceRecord], rnd: Any
) -> None:
    """For any records added in any batches, each volunteer's history counts as everything."""
    store = SQLiteRecordStore()
    for batch in _batches(records, rnd):
        store.add(batch)
    for volunteer in VOLUNTEERS:
        for linked in (False, True):
            history = stored_history(store, [volunteer], linked=linked)
            assert _counted(history, volunteer) == _counted(records, volunteer)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(amended_histories(), st.randoms(use_true_random=False))
def test_crediting_in_any_batches_gives_what_certification_counts(
    tmp_path_factory: pytest.TempPathFactory, records: list[vr.ServiceRecord], rnd: Any
) -> None:
    """``ledger credit --db`` runs in any batch order leave each volunteer certify's count."""
    db = tmp_path_factory.mktemp("bank") / "bank.sqlite"
    for batch in _batches(records, rnd):
        credit_stored_ledger(db, batch, now=NOW, policy="generic")
    balances = _balances(db)
    for volunteer in VOLUNTEERS:
        assert balances.get(volunteer, 0) == _counted(records, volunteer), volunteer


def test_a_file_of_schema_version_5_gets_the_amendments_index(tmp_path: Path) -> None:
    """Opening a file of the previous version adds the index; ``check`` finds it sound."""
    import sqlite3

    from volunteer_rules.storage.sqlite import SQLiteDatabase

    path = tmp_path / "old.sqlite"
    with SQLiteDatabase(path) as database:
        SQLiteRecordStore(database).add(_chain())
    with sqlite3.connect(path) as connection:
        connection.execute("DROP INDEX records_amends")
        connection.execute("DELETE FROM schema_version WHERE version = 6")
    connection.close()
    with SQLiteDatabase(path) as database:
        assert database.check() == ()
        store = SQLiteRecordStore(database)
        assert _ids(store.amendments_of([(ORG, "r-1")])) == ["r-2"]
        with database.reading("the plan") as connection:
            plan = connection.execute(
                "EXPLAIN QUERY PLAN SELECT * FROM records"
                " WHERE amends IS NOT NULL AND organization_id = ? AND amends IN (?)",
                (ORG, "r-1"),
            ).fetchall()
    assert "records_amends" in str(plan)
