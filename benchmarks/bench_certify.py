"""Benchmark: certify 1,000,000 records of 100,000 volunteers with ``certify_many``.

Side by side, on the same in-memory records, in one run:

(a) a bare Python loop that only sums verified minutes per volunteer in a dict;
(b) pandas: a DataFrame built from the same records, filtered, grouped, summed and cut into
    the national star levels;
(b2) pandas doing the same work as (c) from the same objects (see
    :func:`with_pandas_same_work`): the peer the issue's "no slower than pandas doing the same
    work" names; (b) does a fraction of it (verified sums and the cut);
(c) ``certify_many`` under ``cn-national``, doing every check (as_of, status, amendments,
    overlaps, the daily cap, explanations of every exclusion).

Targets: (c) at least as fast as pandas doing the same work, and at most 3x (a); the ratio to
(b) is printed too. The contenders run in turn, one run each per round, for ``--repeat``
rounds, so that a change in the machine's load falls on all of them; each one's median counts,
with the fastest and slowest runs beside it. Wall-clock and CPU (process) times are both
printed; the ratios are of the median wall-clock times, with the CPU-time ratios beside them.

The records are realistic rather than kind: each date-time has its own ``tzinfo`` object, as
``parse_record`` gives them; a third of service days have two records (a
morning and an afternoon, apart), most records have intervals, about 1 % of volunteers have
two more records on one date (overlapping or above the daily cap), 0.5 % are amendments, 3 %
are not verified, and some are dated or entered after ``as_of``.

Run: ``.venv/bin/python benchmarks/bench_certify.py`` (``--quick`` for 100,000 records).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import attrs

from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.certification import certify_many

AS_OF = dt.date(2026, 6, 30)
THRESHOLDS = (0, 6000, 18000, 36000, 60000, 90000)  # national stars, in minutes


def make_records(n_records: int, n_volunteers: int, seed: int = 7) -> list[ServiceRecord]:
    rnd = random.Random(seed)

    # A tzinfo object per date-time, as parse_record reads them (Python compares date-times
    # that share one object several times faster: sharing would suit the code, not the data).
    def cst() -> dt.timezone:
        return dt.timezone(dt.timedelta(hours=8))

    region = RegionCode.parse("211103")
    first = dt.date(2023, 1, 1)
    days = [first + dt.timedelta(days=i) for i in range((AS_OF - first).days + 20)]
    orgs = ("512111005000000154", "51211100MJ00000175", "51211100MJ00000250")
    hours = [Hours.from_minutes(m) for m in range(1441)]
    records: list[ServiceRecord] = []
    per_volunteer = n_records // n_volunteers
    with attrs.validators.disabled():
        for v in range(n_volunteers):
            volunteer = f"PJ{v:07d}"
            # A third of service days with two records: a morning and an afternoon.
            chosen: list[tuple[int, int | None]] = []
            for day_index in rnd.sample(range(len(days)), per_volunteer):
                if len(chosen) >= per_volunteer:
                    break
                if len(chosen) + 2 <= per_volunteer and rnd.random() < 1 / 3:
                    chosen += [(day_index, 8), (day_index, 14)]
                else:
                    chosen.append((day_index, None))
            if rnd.random() < 0.01:  # a clash: two records on one date
                chosen[-1] = (chosen[0][0], None)
            for k, (day_index, hour) in enumerate(chosen):
                day = days[day_index]
                minutes = rnd.choice((60, 120, 180, 240, 330, 480, 600, 720, 900))
                start = end = None
                if hour is not None:  # half of a day with two records: at most 4 hours each
                    minutes = rnd.choice((60, 120, 180, 240))
                    start = dt.datetime(day.year, day.month, day.day, hour, tzinfo=cst())
                    start += dt.timedelta(minutes=30 * rnd.randrange(4))
                    end = start + dt.timedelta(minutes=minutes)
                elif minutes <= 600 and rnd.random() < 0.75:
                    start = dt.datetime(day.year, day.month, day.day, 8, tzinfo=cst())
                    start += dt.timedelta(minutes=30 * rnd.randrange(10))
                    end = start + dt.timedelta(minutes=minutes)
                status = "verified" if rnd.random() < 0.97 else rnd.choice(("submitted", "void"))
                org = orgs[v % 3]
                amends = None
                if k and rnd.random() < 0.005:
                    amends = f"{v}-{k - 1}"
                recorded = dt.datetime(day.year, day.month, day.day, 20, tzinfo=cst())
                recorded += dt.timedelta(days=rnd.randrange(12))
                records.append(
                    ServiceRecord(
                        record_id=f"{v}-{k}",
                        volunteer_id=volunteer,
                        organization_id=org,
                        activity_name="社区服务",
                        service_category="community_service",
                        content="服务",
                        place="兴隆台区",
                        region_code=region,
                        date=day,
                        start=start,
                        end=end,
                        service=hours[minutes],
                        person_in_charge="王芳",
                        recorded_by="李雷",
                        recorded_at=recorded,
                        status=status,
                        amends=amends,
                    )
                )
    rnd.shuffle(records)  # volunteers interleaved, as in a real export
    return records


def bare_loop(records: list[ServiceRecord]) -> dict[str, int]:
    totals: dict[str, int] = {}
    get = totals.get
    for r in records:
        if r.status == "verified":
            v = r.volunteer_id
            totals[v] = get(v, 0) + r.service.minutes
    return totals


def with_pandas(records: list[ServiceRecord]) -> Any:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "volunteer_id": [r.volunteer_id for r in records],
            "status": [r.status for r in records],
            "minutes": [r.service.minutes for r in records],
        }
    )
    verified = frame[frame["status"] == "verified"]
    sums = verified.groupby("volunteer_id")["minutes"].sum()
    return pd.cut(sums, bins=[*THRESHOLDS, 10**12], right=False, labels=range(6))


def with_pandas_same_work(records: list[ServiceRecord]) -> Any:
    """pandas doing what certify_many does for these records, as an analyst would write it.

    From the same objects: repeated keys once, records on record by ``as_of`` (the date, and
    the local date of ``recorded_at``), verified only, records superseded by a verified or
    void amendment on record left out, overlaps (sorted by volunteer and start, a record that
    starts before the previous one ends is dropped), the daily cap (per-date sums clipped at
    1440 minutes), sums and the level. Like the polars query of ``bench_tables.py``, it is
    exact for all but a few volunteers (amendment chains, which of two overlapping records
    counts): certify_many decides those in recorded order.
    """
    import pandas as pd

    frame = pd.DataFrame(
        {
            "volunteer_id": [r.volunteer_id for r in records],
            "organization_id": [r.organization_id for r in records],
            "record_id": [r.record_id for r in records],
            "status": [r.status for r in records],
            "date": pd.to_datetime([r.date for r in records]),
            "entered": pd.to_datetime([r.recorded_at.date() for r in records]),
            "start": pd.to_datetime([r.start for r in records], utc=True),
            "end": pd.to_datetime([r.end for r in records], utc=True),
            "minutes": [r.service.minutes for r in records],
            "amends": [r.amends for r in records],
        }
    )
    as_of = pd.Timestamp(AS_OF)
    key = ["organization_id", "record_id"]
    frame = frame.drop_duplicates(subset=key)
    frame = frame[(frame["date"] <= as_of) & (frame["entered"] <= as_of)]
    superseding = frame.loc[
        frame["amends"].notna() & frame["status"].isin(["verified", "void"]),
        ["organization_id", "amends"],
    ].rename(columns={"amends": "record_id"})
    counting = frame[frame["status"] == "verified"]
    counting = counting.merge(superseding, on=key, how="left", indicator=True)
    counting = counting[counting["_merge"] == "left_only"].sort_values(["volunteer_id", "start"])
    same = counting["volunteer_id"].eq(counting["volunteer_id"].shift(1))
    counting = counting[~(same & (counting["start"] < counting["end"].shift(1)))]
    daily = counting.groupby(["volunteer_id", "date"])["minutes"].sum().clip(upper=1440)
    sums = daily.groupby(level="volunteer_id").sum()
    levels = pd.cut(sums, bins=[*THRESHOLDS, 10**12], right=False, labels=range(6))
    return sums, levels


def ours(records: list[ServiceRecord]) -> Any:
    return certify_many(records, rule_set="cn-national", as_of=AS_OF)


def rounds(
    contenders: list[Callable[[list[ServiceRecord]], Any]],
    records: list[ServiceRecord],
    repeat: int,
) -> list[tuple[list[float], list[float]]]:
    """Each contender's wall-clock and CPU (process) times, one run each per round, in turn."""
    times: list[tuple[list[float], list[float]]] = [([], []) for _ in contenders]
    for _ in range(repeat):
        for fn, (walls, cpus) in zip(contenders, times, strict=True):
            gc.collect()
            cpu = time.process_time()
            start = time.perf_counter()
            fn(records)
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 records of 10,000 volunteers")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    n, v = (100_000, 10_000) if args.quick else (1_000_000, 100_000)
    print("certify_many counts with the rules' own bulk pass (pure Python)")
    print(f"building {n:,} records of {v:,} volunteers...", flush=True)
    records = make_records(n, v)
    gc.collect()
    gc.freeze()  # the records are long-lived input, as they would be after parsing
    result = ours(records)
    levels = dict.fromkeys(range(6), 0)
    for c in result.values():
        levels[c.level.rank] += 1
    excluded = sum(len(c.excluded) for c in result.values())
    print(f"certified {len(result):,} volunteers; levels {levels}; {excluded:,} exclusions")
    sums = with_pandas_same_work(records)[0]
    agree = sum(int(sums.get(v, 0)) == c.counted.minutes for v, c in result.items())
    print(
        f"pandas doing the same work agrees with certify_many on {agree / len(result):.2%} of volunteers"
    )
    measured = rounds([bare_loop, with_pandas, with_pandas_same_work, ours], records, args.repeat)
    (t_bare, c_bare), (t_pandas, c_pandas), (t_same, c_same), (t_ours, c_ours) = (
        (statistics.median(walls), statistics.median(cpus)) for walls, cpus in measured
    )
    print(f"{'':24} {'wall (median)':>13}  {'CPU':>7}  {'wall, fastest-slowest':>21}")
    names = ("(a) bare loop", "(b) pandas", "(b2) pandas, same work", "(c) certify_many")
    for name, (walls, cpus) in zip(names, measured, strict=True):
        t, c = statistics.median(walls), statistics.median(cpus)
        spread = f"{min(walls):.3f}-{max(walls):.3f} s"
        print(f"{name:24} {t:11.3f} s  {c:5.3f} s  {spread:>21}  {n / t:12,.0f} records/s")
    ratio_bare = t_ours / t_bare
    ratio_pandas = t_ours / t_pandas
    ok_bare = ratio_bare <= 3
    ok_pandas = ratio_pandas <= 1
    print(
        f"certify_many / bare loop = {ratio_bare:.2f}x (target <= 3x): {'met' if ok_bare else 'MISSED'}"
        f"  (CPU time: {c_ours / c_bare:.2f}x)"
    )
    print(
        f"certify_many / pandas    = {ratio_pandas:.2f}x (target <= 1x): {'met' if ok_pandas else 'MISSED'}"
        f"  (CPU time: {c_ours / c_pandas:.2f}x)"
    )
    print(
        f"certify_many / pandas doing the same work = {t_ours / t_same:.2f}x"
        f" (target <= 1x): {'met' if t_ours <= t_same else 'MISSED'}"
        f"  (CPU time: {c_ours / c_same:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
