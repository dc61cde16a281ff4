"""Benchmark: check a transfer package of 10,000 records against a destination of 100,000.

Side by side in one run:

(a) computing the package digest alone (``compute_package_digest``: every record written in
    record format v1, the canonical JSON, SHA-256), the least any honest check must do;
(b) the full ``check_transfer``: the digest again, the summary, consent, regions, every record
    (volunteer, status, future, the ``late`` warning on China's working-day calendar), the
    destination indexed once (100,000 keys; the volunteer's own records for duplicates of
    service and for overlaps), duplicate and overlap checks by sorting and bisection.

Target: (b) no more than 5 times (a). The destination holds 10,000 volunteers' records, 1,000
of them the moving volunteer's own (at other times, so that the check finds nothing and has
to look at everything). Records are built before the clock starts. Each measurement is the
best of ``--repeat`` runs.

Run: ``.venv/bin/python benchmarks/bench_transfer.py`` (``--quick`` for 1,000 against
10,000).
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

from volunteer_rules import (
    Hours,
    RegionCode,
    ServiceRecord,
    check_transfer,
    compute_package_digest,
    create_transfer_package,
)

TARGET = 5.0
CST = timezone(timedelta(hours=8))
SOURCE = "512111005000000154"
DESTINATION = "51211100MJ00000175"
REGION = RegionCode.parse("211103")


def make_record(
    index: int, volunteer: str, organization: str, day: date, hour: int, minutes: int
) -> ServiceRecord:
    start = datetime(day.year, day.month, day.day, hour, 0, tzinfo=CST)
    end = start + timedelta(minutes=minutes)
    return ServiceRecord(
        record_id=f"r-{index}",
        volunteer_id=volunteer,
        organization_id=organization,
        activity_name="社区助老服务",
        service_category="elderly_and_disabled",
        content="为独居老人打扫卫生、陪伴聊天",
        place="兴隆台区振兴街道幸福社区",
        region_code=REGION,
        date=day,
        start=start,
        end=end,
        service=Hours.from_minutes(minutes),
        person_in_charge="王芳",
        recorded_by="李雷",
        recorded_at=end + timedelta(days=1),
        status="verified",
    )


def make_package_records(n: int) -> list[ServiceRecord]:
    # Four two-hour slots a day (08, 10, 13, 15 h): no overlaps, ~n/4 days.
    first = date(2010, 1, 1)
    slots = (8, 10, 13, 15)
    return [
        make_record(i, "V-MOVING", SOURCE, first + timedelta(days=i // 4), slots[i % 4], 120)
        for i in range(n)
    ]


def make_destination(m: int, own: int) -> list[ServiceRecord]:
    first = date(2010, 1, 1)
    records = [
        # The moving volunteer's own records at the destination, in the evening: no overlap.
        make_record(i, "V-MOVING", DESTINATION, first + timedelta(days=i), 19, 60)
        for i in range(own)
    ]
    for i in range(own, m):
        records.append(
            make_record(
                i, f"V{i % 10_000:05d}", DESTINATION, first + timedelta(days=i % 3000), 9, 90
            )
        )
    return records


def best(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
        gc.enable()
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 against 10,000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, m = (1_000, 10_000) if args.quick else (10_000, 100_000)
    own = m // 100

    started = time.perf_counter()
    package = create_transfer_package(
        make_package_records(n),
        volunteer_id="V-MOVING",
        source_organization_id=SOURCE,
        destination_organization_id=DESTINATION,
        destination_region_code="210100",
        source_region_code="211103",
        consent=True,
        created_at=datetime(2024, 6, 1, 9, 0, tzinfo=CST),
    )
    destination = make_destination(m, own)
    built = time.perf_counter() - started
    as_of = date(2024, 6, 1)

    decision = check_transfer(package, destination_records=destination, as_of=as_of)
    assert decision.allowed, decision.violations[:3]

    digest_time = best(lambda: compute_package_digest(package), args.repeat)
    check_time = best(
        lambda: check_transfer(package, destination_records=destination, as_of=as_of),
        args.repeat,
    )
    ratio = check_time / digest_time
    print(f"package {n:,} records, destination {m:,} records ({own:,} of the volunteer)")
    print(f"built in {built:.2f} s (not timed below)")
    print(f"(a) digest alone     {digest_time * 1000:8.1f} ms  {n / digest_time:12,.0f} records/s")
    print(
        f"(b) check_transfer   {check_time * 1000:8.1f} ms  "
        f"{(n + m) / check_time:12,.0f} records/s (package + destination)"
    )
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(f"ratio (b)/(a) {ratio:.2f}  (target <= {TARGET:.0f}: {verdict})")


if __name__ == "__main__":
    main()
