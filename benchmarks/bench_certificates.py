"""Benchmark: verify 10,000 signed certificates against their records.

Each certificate is issued from its volunteer's records (5 records each, one issuer), signed
with the issuer's Ed25519 key, then verified with ``verify_certificate(certificate, records,
keys=registry)``: the content against its code, the signature against the registry, and every
printed figure recomputed from the records (counting, activities, period, star level under
``cn-national``). Issuing and signing happen before the clock starts.

Floor, in the same run: the Ed25519 signature check alone (``PublicKey.verify`` on the same
signed statements), i.e. what no verification can go below; the ratio says how much the
recomputation from the records adds.

Times are CPU time (``time.process_time``); the script runs ``--repeat`` interleaved rounds
and reports the median (and the range) per side.

Run: ``.venv/bin/python benchmarks/bench_certificates.py`` (``--quick`` for 1,000).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import attrs

import volunteer_rules as vr
from volunteer_rules.certificates import signing
from volunteer_rules.testing import examples
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD

CST = dt.timezone(dt.timedelta(hours=8))


def build(n: int) -> list[tuple[vr.Certificate, list[vr.ServiceRecord]]]:
    base = vr.parse_record(examples.SAMPLE_RECORD_PAYLOAD)
    profile = vr.parse_profile(SAMPLE_PROFILE_PAYLOAD)
    issuer = examples.sample_issuer()
    key = vr.SigningKey.from_seed(
        bytes(range(32)), key_id="bench", organization_id=issuer.organization_id
    )
    cases = []
    for i in range(n):
        volunteer = f"V{i:07d}"
        records = []
        for day in range(1, 6):
            start = dt.datetime(2024, 5, day, 8, 0, tzinfo=CST)
            minutes = 60 + 15 * ((i + day) % 5)
            records.append(
                attrs.evolve(
                    base,
                    record_id=f"r-{i}-{day}",
                    volunteer_id=volunteer,
                    date=start.date(),
                    start=start,
                    end=start + dt.timedelta(minutes=minutes),
                    service=vr.Hours.from_minutes(minutes),
                    recorded_at=start + dt.timedelta(days=1),
                    service_category=("elderly_and_disabled", "education")[day % 2],
                )
            )
        issued = vr.issue_certificate(
            records,
            volunteer=attrs.evolve(profile, volunteer_id=volunteer),
            issuer=issuer,
            as_of=dt.date(2024, 6, 1),
            number=f"B-{i}",
            rule_set="cn-national",
            signing_key=key,
        )
        assert issued.certificate is not None
        cases.append((issued.certificate, records))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 certificates")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n = 1_000 if args.quick else 10_000
    started = time.process_time()
    cases = build(n)
    print(f"issued and signed {n:,} certificates in {time.process_time() - started:.1f} s CPU")
    issuer_id = cases[0][0].issuer.organization_id
    key = vr.SigningKey.from_seed(bytes(range(32)), key_id="bench", organization_id=issuer_id)
    public = key.public_key(valid_from=dt.date(2024, 1, 1))
    keys = vr.InMemoryKeyRegistry().add(public)
    messages = [
        (
            signing._message(signing.signed_statement(c, "bench")),
            signing._unb64(c.signature or ""),
        )
        for c, _ in cases
    ]

    def ours() -> float:
        start = time.process_time()
        for certificate, records in cases:
            result = vr.verify_certificate(certificate, records, keys=keys)
            assert result.proven
        return time.process_time() - start

    def floor() -> float:
        start = time.process_time()
        for message, signature in messages:
            assert public.verify(message, signature)
        return time.process_time() - start

    ours_times, floor_times = [], []
    for _ in range(args.repeat):
        ours_times.append(ours())
        floor_times.append(floor())
    mine, base = statistics.median(ours_times), statistics.median(floor_times)
    print(
        f"verify_certificate (records + signature): median {mine:.2f} s "
        f"[{min(ours_times):.2f}-{max(ours_times):.2f}] = {n / mine:,.0f} certificates/s"
    )
    print(
        f"Ed25519 check alone (floor):             median {base:.2f} s "
        f"[{min(floor_times):.2f}-{max(floor_times):.2f}] = {n / base:,.0f} certificates/s"
    )
    print(f"ratio: {mine / base:.1f}x the signature check alone")


if __name__ == "__main__":
    main()
