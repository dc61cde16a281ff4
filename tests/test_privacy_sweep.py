"""No resident ID number leaves the command line whole, whatever field, file or option holds it.

Generated 18- and 15-character ID numbers are used as the volunteer id, a record id, in a
file name and as option values, then pushed through every command and output format; nothing
written to standard output, standard error or a file written with ``-o`` for a person may
contain one of them whole. The masking is done at the command line's edge, once: the standard
streams (``cli/_streams.py``) and the files it writes (``cli/_output.py``), never by a command.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from _cli_helpers import write_lines, write_sample_profiles
from volunteer_rules._privacy import mask_identity_numbers
from volunteer_rules.cli import main
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _check_character(body: str) -> str:
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    """A resident ID number: 18 characters (with a valid check character) or 15 digits."""
    region = draw(st.sampled_from(("110105", "211103", "510104", "440305")))
    born = draw(st.dates(dt.date(1930, 1, 1), dt.date(2010, 12, 31)))
    sequence = f"{draw(st.integers(0, 999)):03d}"
    if draw(st.booleans()):
        body = f"{region}{born:%Y%m%d}{sequence}"
        return body + _check_character(body)
    return f"{region}{born:%y%m%d}{sequence}"


def test_the_one_function_masks_both_generations() -> None:
    """The region and the last character stay; masking twice changes nothing."""
    assert mask_identity_numbers("a 11010519491231002X b") == "a 110105***********X b"
    assert mask_identity_numbers("110105491231002") == "110105********2"
    assert mask_identity_numbers("512111005000000154") == "512111005000000154"  # a credit code
    assert mask_identity_numbers("1101051949123100211") == "1101051949123100211"  # 19 digits


def _commands(tmp: Path, number: str) -> list[list[str]]:
    record = {**SAMPLE_RECORD_PAYLOAD, "record_id": number}
    as_volunteer = {**SAMPLE_RECORD_PAYLOAD, "record_id": "r-2", "volunteer_id": number}
    records = write_lines(
        tmp / f"records-{number}.jsonl", [record, as_volunteer, "{oops " + number]
    )
    conflict = write_lines(
        tmp / "conflict.jsonl", [record, {**record, "service_minutes": 30}, record]
    )
    profiles = write_sample_profiles(tmp)
    package = tmp / "package.json"
    main(
        [
            "transfer", "create", str(records), "--volunteer", "V0000001",
            "--from", "512111005000000154", "--to", "51211100MJ00000175",
            "--to-region", "110105", "--created-at", "2024-06-01T09:00:00+08:00",
            "--consent", "-o", str(package),
        ]
    )  # fmt: skip
    out: list[list[str]] = []
    for fmt in ("text", "json"):
        out.append(["check", str(records), "--format", fmt])
        out.append(["check", str(conflict), "--format", fmt])
    for fmt in ("text", "table", "json", "csv"):
        out.append(["certify", str(records), "--rule-set", "cn-national", "--as-of", "2024-12-31",
                    "--format", fmt])  # fmt: skip
        out.append(["certify", str(conflict), "--rule-set", "cn-national", "--as-of",
                    "2024-12-31", "--format", fmt])  # fmt: skip
    out.append(["certify", str(records), "--rule-set", number, "--as-of", "2024-12-31"])
    out.append(["certify", str(records), "--rule-set", "cn-national", "--as-of", number])
    for fmt in ("text", "json", "csv"):
        out.append(["stats", str(records), "--format", fmt])
        out.append(["ledger", "credit", str(records), "--policy", "generic", "--as-of",
                    "2024-12-31", "--format", fmt])  # fmt: skip
        out.append(["ledger", "statement", str(records), "--policy", "generic", "--as-of",
                    "2024-12-31", "--volunteer", "V0000001", "--format", fmt])  # fmt: skip
        out.append(["ledger", "statement", str(records), "--policy", "generic", "--as-of",
                    "2024-12-31", "--volunteer", number, "--format", fmt])  # fmt: skip
    for fmt in ("text", "json"):
        out.append(["transfer", "check", str(package), "--as-of", "2024-06-01", "--format", fmt])
        out.append(["transfer", "check", str(package), "--destination", str(records),
                    "--as-of", "2024-06-01", "--format", fmt])  # fmt: skip
    out.append(["transfer", "create", str(records), "--volunteer", number, "--from",
                "512111005000000154", "--to", "51211100MJ00000175", "--to-region", "110105",
                "--created-at", "2024-06-01T09:00:00+08:00", "-o", str(tmp / "p2.json")])  # fmt: skip
    for fmt in ("text", "json", "html"):
        out.append(["certificate", str(records), "--volunteer", "V0000001", "--profiles",
                    str(profiles), "--issuer", "512111005000000154", "--issuer-name", "X",
                    "--responsible", "R", "--handler", "H", "--contact", "0427-1234567",
                    "--number", "N-1", "--as-of", "2024-12-31", "--format", fmt])  # fmt: skip
    out.append(["certificate", str(records), "--volunteer", number, "--profiles", str(profiles),
                "--issuer", number, "--issuer-name", "X", "--responsible", "R", "--handler",
                "H", "--contact", "0427-1234567", "--number", "N-1", "--as-of", "2024-12-31"])  # fmt: skip
    out.append(["check", str(tmp / f"missing-{number}.jsonl")])
    out.append(["check", str(records), "--db", f"/no/such/dir/{number}.sqlite"])
    out.append(["stats", str(records), "--as-of", number])
    demand = write_lines(tmp / "demand.json", [{**SAMPLE_DEMAND_PAYLOAD, "demand_id": number}])
    bad_profiles = write_lines(
        tmp / f"profiles-{number}.jsonl",
        [
            SAMPLE_PROFILE_PAYLOAD,
            {**SAMPLE_PROFILE_PAYLOAD, "volunteer_id": number},
            {**SAMPLE_PROFILE_PAYLOAD, "volunteer_id": "V2", "contact": number},
            "{oops " + number,
        ],
    )
    for fmt in ("text", "json", "csv"):
        out.append(["match", str(demand), str(bad_profiles), "--records", str(records),
                    "--as-of", "2024-06-01", "--ineligible", "--format", fmt])  # fmt: skip
    out.append(["match", str(tmp / f"missing-{number}.json"), str(profiles), "--as-of",
                "2024-06-01"])  # fmt: skip
    out.append(["report", str(records), str(bad_profiles), "--as-of", "2024-12-31", "-o",
                str(tmp / "written" / "report.html")])  # fmt: skip
    out.append(["report", str(records), "--as-of", number, "-o", str(tmp / "r.html")])
    for fmt in ("text", "table", "json", "csv", "parquet"):
        out.append(["certify", str(records), "--rule-set", "cn-national", "--as-of",
                    "2024-12-31", "--format", fmt, "-o",
                    str(tmp / "written" / f"levels.{fmt}")])  # fmt: skip
    for fmt in ("text", "json", "csv", "parquet"):
        out.append(["stats", str(records), "--format", fmt, "-o",
                    str(tmp / "written" / f"stats.{fmt}")])  # fmt: skip
    for fmt in ("text", "json", "html"):
        out.append(["certificate", str(records), "--volunteer", "V0000001", "--profiles",
                    str(bad_profiles), "--issuer", "512111005000000154", "--issuer-name",
                    number, "--responsible", "R", "--handler", "H", "--contact", number,
                    "--number", "N-1", "--as-of", "2024-12-31", "--format", fmt, "-o",
                    str(tmp / "written" / f"certificate.{fmt}")])  # fmt: skip
    out.append(["db", "check", str(tmp / f"missing-{number}.sqlite")])
    return out


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(number=id_numbers())
def test_no_command_prints_an_id_number_whole(
    number: str, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command, every format, stdout and stderr: the generated number never whole."""
    _never_whole(number, tmp_path_factory.mktemp("sweep"), capsys)


def _never_whole(value: str, tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Run every command of the sweep with ``value`` in it: it never shows whole.

    Not on standard output, not on standard error, and not in a file written with ``-o``
    (``written/``; a transfer package, an artefact for another program, is not among them).
    """
    capsys.readouterr()
    written = tmp / "written"
    written.mkdir(exist_ok=True)
    for args in _commands(tmp, value):
        main(args)
        captured = capsys.readouterr()
        shown = [captured.out, captured.err]
        for path in sorted(written.iterdir()):
            shown.append(_readable(path))
            path.unlink()
        for stream in shown:
            assert value not in stream, (args, stream[:2000])
            assert value[:-1] not in stream, (args, stream[:2000])


def _readable(path: Path) -> str:
    """What a person reads in a written file: its text, or a Parquet table's values."""
    if path.suffix != ".parquet":
        return path.read_text(encoding="utf-8")
    pl = pytest.importorskip("polars")
    return repr(pl.read_parquet(path).to_dicts())


CONTACTS = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True) | st.from_regex(
    r"[a-z]{2,8}\.[a-z]{2,8}@example\.(org|cn)", fullmatch=True
)
"""A mainland mobile number, or an e-mail address (PIPL Art. 4: both personal information)."""


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(contact=CONTACTS)
def test_no_command_prints_a_contact_whole(
    contact: str, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same sweep with a contact where the ID number was: an id, an option, a file name."""
    _never_whole(contact, tmp_path_factory.mktemp("sweep"), capsys)


def test_a_contact_in_a_volunteer_id_is_masked_in_parquet(tmp_path: Path) -> None:
    """A table written as Parquet masks a contact in its text columns, as text output does.

    A volunteer id that is a mobile number is refused; one that holds a mobile number after a
    letter and a '-' is an id, and the number in it is masked."""
    pl = pytest.importorskip("polars")
    records = write_lines(
        tmp_path / "r.jsonl", [{**SAMPLE_RECORD_PAYLOAD, "volunteer_id": "V-13812345678"}]
    )
    out = tmp_path / "levels.parquet"
    argv = ["certify", str(records), "--rule-set", "cn-national", "--as-of", "2024-12-31"]
    assert main([*argv, "--format", "parquet", "-o", str(out)]) == 0
    assert pl.read_parquet(out).get_column("volunteer_id").to_list() == ["V-138****5678"]


def test_errors_mask_every_id_number() -> None:
    """Library errors (str and repr) and store errors never show an ID number whole."""
    number = "11010519491231002X"
    errors: list[Exception] = [
        vr.ConflictError(number, f"record {number} is already stored with different content"),
        vr.NotFoundError(number, f"no record {number}"),
        vr.InvalidValueError(number, f"{number} is wrong"),
    ]
    for error in errors:
        assert number not in str(error) and number not in repr(error)
    store = vr.InMemoryRecordStore()
    store.add([vr.parse_record({**SAMPLE_RECORD_PAYLOAD, "record_id": number})])
    changed = vr.parse_record({**SAMPLE_RECORD_PAYLOAD, "record_id": number, "service_minutes": 30})
    with pytest.raises(vr.ConflictError) as raised:
        store.add([changed])
    assert number not in str(raised.value) and number not in repr(raised.value)
    with pytest.raises(vr.NotFoundError) as missing:
        store.get(SAMPLE_RECORD_PAYLOAD["organization_id"], number[:-1] + "3")
    assert number[:-1] not in str(missing.value)


def test_a_profile_without_the_transfer_consent_is_refused() -> None:
    """A package whose profile lacks ``record_transfer`` is not allowed; with it, it is."""
    import attrs

    record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    profile = vr.parse_profile(SAMPLE_PROFILE_PAYLOAD)
    assert "record_transfer" in profile.consents
    without = attrs.evolve(profile, consents=profile.consents - {"record_transfer"})
    decisions = {}
    for name, sent in (("with", profile), ("without", without)):
        package = vr.create_transfer_package(
            [record], volunteer_id=record.volunteer_id,
            source_organization_id=record.organization_id,
            destination_organization_id="51211100MJ00000175", destination_region_code="110105",
            consent=True, created_at=dt.datetime(2024, 6, 1, 9, tzinfo=dt.UTC),
            profile=sent,
        )  # fmt: skip
        decisions[name] = vr.check_transfer(package, as_of=dt.date(2024, 6, 1))
    assert "profile_consent_missing" not in {v.code for v in decisions["with"].violations}
    assert not decisions["without"].allowed
    assert "profile_consent_missing" in {v.code for v in decisions["without"].violations}


def test_a_profile_refuses_an_id_number_as_volunteer_id() -> None:
    """parse_profile, like parse_record, refuses an ID number (18 or 15) as the volunteer id."""
    for number in ("11010519491231002X", "110105491231002"):
        with pytest.raises(vr.RecordFormatError) as raised:
            vr.parse_profile({**SAMPLE_PROFILE_PAYLOAD, "volunteer_id": number})
        assert [(e.path, e.code) for e in raised.value.errors] == [
            ("$.volunteer_id", "invalid_format")
        ]
        assert number not in str(raised.value)


# --- repr of every public value -----------------------------------------------------------

# Public attrs classes that hold numbers, dates and times only: nothing a person typed.
_NO_TEXT = {"AgeBand", "AttendanceRules", "Interval", "Score", "TimeSlot",
            "TransferSummary"}  # fmt: skip
# Public classes with a repr of their own that shows no text: counts (Ledger, Hours), a
# calendar's settings, an organization's code (not personal data).
_OWN_REPR = {"ChinaWorkingDays", "WeekdaysOnly", "Hours", "Ledger", "OrganizationCode"}


def _public_value_types() -> list[type]:
    import importlib
    import pkgutil

    import attrs

    found: dict[type, None] = {}
    names = ["volunteer_rules"] + [
        m.name
        for m in pkgutil.iter_modules(vr.__path__, "volunteer_rules.")
        if not m.name.rsplit(".", 1)[-1].startswith("_")
    ]
    for name in names:
        module = importlib.import_module(name)
        for public in getattr(module, "__all__", ()):
            value = getattr(module, public)
            if isinstance(value, type) and (
                attrs.has(value)
                or issubclass(value, (dict, tuple, list))
                or ("__repr__" in value.__dict__ and not issubclass(value, BaseException))
            ):
                found[value] = None
    return list(found)


def test_every_public_value_masks_its_repr() -> None:
    """Every public value type's repr goes through the one masking function, or holds no text."""
    import attrs

    types = _public_value_types()
    assert len(types) > 80  # the enumeration found the wings
    for cls in types:
        if cls.__name__ in _OWN_REPR:
            assert not attrs.has(cls)
            continue
        if cls.__name__ in _NO_TEXT:
            assert attrs.has(cls)
            assert not any("str" in str(f.type) for f in attrs.fields(cls)), cls
            continue
        assert getattr(cls.__repr__, "masks_personal_data", False), cls


def _reachable(value: object, seen: dict[int, object]) -> None:
    """Every value inside ``value`` (attrs fields, containers), by identity."""
    import attrs

    if id(value) in seen or isinstance(value, (str, int, float, bytes, dt.date, dt.datetime)):
        return
    seen[id(value)] = value
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):  # type: ignore[arg-type]
            _reachable(getattr(value, field.name), seen)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _reachable(key, seen)
            _reachable(item, seen)
    elif isinstance(value, (tuple, list, set, frozenset)):
        for item in value:
            _reachable(item, seen)


_PHONE = "13812345678"
_MAIL = "li.lei@example.org"


def _values(number: str) -> list[object]:
    """Results of the everyday API, built on records whose ids and text hold personal data."""
    import attrs

    cst = dt.timezone(dt.timedelta(hours=8))
    text = f"王芳 {_PHONE} {_MAIL} {number}"
    base = vr.parse_record({**SAMPLE_RECORD_PAYLOAD, "person_in_charge": text[:100]})
    record = attrs.evolve(base, record_id=number, content=text)
    as_volunteer = attrs.evolve(base, record_id="r-2", volunteer_id=number, place=text)
    conflict = attrs.evolve(record, service=vr.Hours.from_minutes(30))
    records = [record, as_volunteer, conflict]
    profile = vr.parse_profile({**SAMPLE_PROFILE_PAYLOAD, "contact": _PHONE})
    issuer = vr.Issuer(
        organization_id="512111005000000154", name="盘锦市志愿者协会",
        responsible_person="张三", handler="李四", contact=_PHONE,
    )  # fmt: skip
    package = vr.create_transfer_package(
        records, volunteer_id=number, source_organization_id="512111005000000154",
        destination_organization_id="51211100MJ00000175", destination_region_code="110105",
        consent=True, created_at=dt.datetime(2024, 6, 1, 9, tzinfo=cst), profile=profile,
    )  # fmt: skip
    transfer = vr.initiate_transfer(package, at=dt.datetime(2024, 6, 1, 9, tzinfo=cst))
    as_of = dt.date(2024, 12, 31)
    credited = vr.credit_records(
        vr.Ledger(), records, now=dt.datetime(2024, 12, 31, tzinfo=cst), policy="generic"
    )
    return [
        records,
        profile,
        profile.id_document,
        vr.check_records(records),
        vr.certify(records, rule_set="cn-national", as_of=as_of),
        vr.certify_many(records, rule_set="cn-national", as_of=as_of),
        vr.count_records(records, volunteer_id=number, as_of=as_of),
        vr.issue_certificate(
            [base],
            volunteer=profile,
            issuer=issuer,
            as_of=as_of,
            number="N-1",
            remarks=text,
        ),
        package,
        vr.check_transfer(package, as_of=dt.date(2024, 6, 1)),
        vr.accept_transfer(
            transfer,
            destination_records=[],
            at=dt.datetime(2024, 6, 2, tzinfo=cst),
            as_of=dt.date(2024, 6, 2),
        ),
        credited,
        vr.statement(credited.ledger, number),
    ]


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(number=id_numbers())
def test_no_repr_shows_personal_data(number: str) -> None:
    """repr of every value the everyday API returns: no ID number, phone or e-mail whole."""
    seen: dict[int, object] = {}
    for value in _values(number):
        _reachable(value, seen)
    shown = {type(v).__name__ for v in seen.values()}
    assert {"ServiceRecord", "VolunteerProfile", "Certification", "TransferPackage"} <= shown
    for value in seen.values():
        if not type(value).__module__.startswith("volunteer_rules"):
            continue  # a tuple or a dict shows its items; the library's values mask theirs
        text = repr(value)
        for secret in (number, number[:-1], _PHONE, _MAIL, "211103199003150246"):
            assert secret not in text, (type(value).__name__, text[:500])


def test_only_the_edge_masks() -> None:
    """The command line masks at its edge, once: no command module masks text itself.

    The standard streams (``_streams.py``) and the files the commands write (``_output.py``)
    are the one place that masks; a second place would be a second thing to keep in step.
    """
    import volunteer_rules.cli

    folder = Path(volunteer_rules.cli.__file__).parent
    masking = {
        path.name
        for path in folder.glob("*.py")
        if "volunteer_rules._privacy" in path.read_text(encoding="utf-8")
    }
    assert masking == {"_streams.py", "_output.py"}
