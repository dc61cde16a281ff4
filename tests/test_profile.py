from __future__ import annotations

import contextlib
import copy
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.cn import ric

import volunteer_rules as vr
from _any_value import ANY_VALUE
from volunteer_rules import (
    Commendation,
    EvaluationRecord,
    Hours,
    IdDocument,
    InvalidIdentifierError,
    InvalidTypeError,
    InvalidValueError,
    RecordFormatError,
    RegionCode,
    TrainingRecord,
    VolunteerProfile,
    VolunteerRulesError,
    age_on,
    dump_commendation,
    dump_evaluation_record,
    dump_profile,
    dump_training,
    mask_contact,
    mask_document_number,
    parse_commendation,
    parse_evaluation_record,
    parse_profile,
    parse_training,
)
from volunteer_rules.testing.profile_examples import (
    SAMPLE_COMMENDATION_PAYLOAD,
    SAMPLE_EVALUATION_PAYLOAD,
    SAMPLE_PROFILE_PAYLOAD,
    SAMPLE_TRAINING_PAYLOAD,
)
from volunteer_rules.testing.strategies import (
    commendation_payloads,
    commendations,
    evaluation_payloads,
    evaluation_records,
    profile_payloads,
    training_payloads,
    training_records,
    volunteer_profiles,
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

PARSERS: list[tuple[Callable[[Any], object], Mapping[str, Any], str]] = [
    (parse_profile, SAMPLE_PROFILE_PAYLOAD, "profile"),
    (parse_training, SAMPLE_TRAINING_PAYLOAD, "training record"),
    (parse_commendation, SAMPLE_COMMENDATION_PAYLOAD, "commendation"),
    (parse_evaluation_record, SAMPLE_EVALUATION_PAYLOAD, "evaluation record"),
]
DUMPERS: list[Callable[[Any], object]] = [
    dump_profile,
    dump_training,
    dump_commendation,
    dump_evaluation_record,
]


def errors_of(parse: Callable[[Any], object], payload: object) -> list[tuple[str, str]]:
    with pytest.raises(RecordFormatError) as raised:
        parse(payload)
    return [(e.path, e.code) for e in raised.value.errors]


def make_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def profile(**changes: Any) -> VolunteerProfile:
    base: dict[str, Any] = {
        "volunteer_id": "V1",
        "name": "张三",
        "sex": "male",
        "birth_date": dt.date(2000, 1, 1),
        "id_document": IdDocument(kind="passport", number="E12345678"),
    }
    base.update(changes)
    return VolunteerProfile(**base)


class TestAgeOn:
    """Age in whole years, on both sides of each birthday."""

    @pytest.mark.parametrize(
        ("birth", "day", "age"),
        [
            (dt.date(2006, 5, 1), dt.date(2024, 4, 30), 17),
            (dt.date(2006, 5, 1), dt.date(2024, 5, 1), 18),
            (dt.date(2006, 5, 1), dt.date(2024, 5, 2), 18),
            (dt.date(2006, 12, 31), dt.date(2024, 12, 30), 17),
            (dt.date(2006, 12, 31), dt.date(2024, 12, 31), 18),
            (dt.date(2006, 1, 1), dt.date(2023, 12, 31), 17),
            (dt.date(2006, 1, 1), dt.date(2024, 1, 1), 18),
            (dt.date(2006, 5, 1), dt.date(2006, 5, 1), 0),
        ],
    )
    def test_birthday_convention(self, birth: dt.date, day: dt.date, age: int) -> None:
        """The day before the birthday is one year less than the birthday itself."""
        assert age_on(birth, day) == age

    @pytest.mark.parametrize(
        ("day", "age"),
        [
            (dt.date(2026, 2, 28), 17),  # common year: not yet 18 on 28 February
            (dt.date(2026, 3, 1), 18),  # common year: 18 on 1 March
            (dt.date(2024, 2, 28), 15),
            (dt.date(2024, 2, 29), 16),  # leap year: on 29 February
            (dt.date(2024, 3, 1), 16),
        ],
    )
    def test_29_february_birthday(self, day: dt.date, age: int) -> None:
        """Born on 29 February: the birthday is 1 March in a common year."""
        assert age_on(dt.date(2008, 2, 29), day) == age

    @pytest.mark.parametrize(
        ("birth", "day", "age"),
        [
            (dt.date(2006, 5, 1), dt.date(2024, 5, 1), 17),
            (dt.date(2006, 5, 1), dt.date(2024, 5, 2), 18),
            (dt.date(2008, 2, 29), dt.date(2024, 2, 29), 15),
            (dt.date(2008, 2, 29), dt.date(2024, 3, 1), 16),
            (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),
            (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),
            (dt.date(2006, 12, 31), dt.date(2024, 12, 31), 17),
            (dt.date(2006, 12, 31), dt.date(2025, 1, 1), 18),
        ],
    )
    def test_day_after_convention(self, birth: dt.date, day: dt.date, age: int) -> None:
        """The judicial count: a year is completed the day after the birthday."""
        assert age_on(birth, day, convention="day_after_birthday") == age

    @given(st.dates(max_value=dt.date(2200, 1, 1)), st.integers(min_value=0, max_value=150))
    def test_birthday_increments(self, birth: dt.date, years: int) -> None:
        """On the n-th birthday the age is n; the day before it is n - 1."""
        assume(not (birth.month == 2 and birth.day == 29))
        birthday = birth.replace(year=birth.year + years)
        assert age_on(birth, birthday) == years
        if years:
            assert age_on(birth, birthday - dt.timedelta(days=1)) == years - 1

    @given(st.lists(st.dates(), min_size=3, max_size=3).map(sorted))
    def test_monotone(self, days: list[dt.date]) -> None:
        """Age never decreases as the day moves on, in either convention."""
        birth, a, b = days
        assert age_on(birth, a) <= age_on(birth, b)
        assert age_on(birth, a, convention="day_after_birthday") <= age_on(
            birth, b, convention="day_after_birthday"
        )
        later = age_on(birth, a, convention="day_after_birthday")
        assert age_on(birth, a) - later in (0, 1)

    def test_errors(self) -> None:
        """Datetimes, non-dates, a day before birth and an unknown convention are refused."""
        with pytest.raises(InvalidTypeError):
            age_on(dt.datetime(2000, 1, 1), dt.date(2020, 1, 1))
        with pytest.raises(InvalidTypeError):
            age_on(dt.date(2000, 1, 1), "2020-01-01")  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError):
            age_on(dt.date(2000, 1, 2), dt.date(2000, 1, 1))
        with pytest.raises(InvalidValueError):
            age_on(dt.date(2000, 1, 1), dt.date(2020, 1, 1), convention="lunar")  # type: ignore[arg-type]


class TestMasking:
    """The masking rules for document numbers and contacts."""

    @pytest.mark.parametrize(
        ("contact", "masked"),
        [
            ("13800138000", "138****8000"),
            ("+8613800138000", "+86*******8000"),
            ("0427-281234", "042****1234"),
            ("2812345", "28***45"),
            ("123456", "******"),
            ("a@b.cn", "a***@b.cn"),
            ("zhang.san@example.org", "z***@example.org"),
        ],
    )
    def test_contact_rules(self, contact: str, masked: str) -> None:
        """Mobile numbers keep 3 + 4, e-mails the first letter and the domain."""
        assert mask_contact(contact) == masked

    @given(st.text(min_size=1, max_size=40))
    def test_contact_never_whole(self, contact: str) -> None:
        """A masked contact never contains the whole contact and shows at most half of it."""
        masked = mask_contact(contact)
        assert contact not in masked or contact == "" or set(contact) <= {"*"}
        assert "*" in masked

    def test_wrong_types(self) -> None:
        """Masking a non-string is InvalidTypeError, not a bare built-in error."""
        with pytest.raises(InvalidTypeError):
            mask_contact(None)  # type: ignore[arg-type]
        with pytest.raises(InvalidTypeError):
            mask_document_number("passport", 12345)  # type: ignore[arg-type]

    def test_document_rules(self) -> None:
        """Resident IDs keep region and check character; others first and last character."""
        assert mask_document_number("resident_id", "11010519491231002X") == "110105***********X"
        assert mask_document_number("passport", "E12345678") == "E*******8"
        assert mask_document_number("other", "12345") == "*****"

    @given(st.text(min_size=1, max_size=64))
    def test_document_never_whole(self, number: str) -> None:
        """A masked number never equals the number (unless it is all stars)."""
        assume(set(number) != {"*"})
        assert mask_document_number("passport", number) != number


class TestIdDocument:
    """ID documents: kinds, resident-ID validation, masking."""

    def test_resident_id_normalised(self) -> None:
        """A lowercase x becomes uppercase and the birth date is read."""
        doc = IdDocument(kind="resident_id", number=" 11010519491231002x ")
        assert doc.number == "11010519491231002X"
        assert doc.birth_date == dt.date(1949, 12, 31)
        assert doc.resident_id is not None
        assert repr(doc) == "IdDocument(kind='resident_id', number='110105***********X')"

    def test_invalid_resident_id(self) -> None:
        """A bad resident ID raises InvalidIdentifierError."""
        with pytest.raises(InvalidIdentifierError):
            IdDocument(kind="resident_id", number="110105194912310021")

    def test_other_kind_kept(self) -> None:
        """Other kinds are kept as given and have no birth date."""
        doc = IdDocument(kind="hk_macao_permit", number="H12345678")
        assert doc.number == "H12345678"
        assert doc.birth_date is None
        assert "12345678" not in repr(doc)

    @pytest.mark.parametrize(
        ("kind", "number", "error"),
        [
            ("id_card", "E1", InvalidValueError),
            ("passport", "", InvalidValueError),
            ("passport", "   ", InvalidValueError),
            ("passport", "E" * 65, InvalidValueError),
            ("passport", 12345, InvalidTypeError),
            (None, "E1", InvalidValueError),
        ],
    )
    def test_errors(self, kind: Any, number: Any, error: type[Exception]) -> None:
        """Unknown kinds, empty, long and non-string numbers are refused."""
        with pytest.raises(error):
            IdDocument(kind=kind, number=number)

    def test_equality(self) -> None:
        """Equal kind and number make equal documents, hashable."""
        a = IdDocument(kind="resident_id", number="11010519491231002x")
        b = IdDocument(kind="resident_id", number="11010519491231002X")
        assert a == b
        assert hash(a) == hash(b)


class TestVolunteerProfile:
    """The constructor's type and consistency checks."""

    def test_resident_id_must_agree(self) -> None:
        """Birth date and sex must agree with the resident ID."""
        doc = IdDocument(kind="resident_id", number="11010519491231002X")
        ok = profile(id_document=doc, birth_date=dt.date(1949, 12, 31), sex="female")
        assert ok.resident_id is not None
        with pytest.raises(InvalidValueError, match="birth_date"):
            profile(id_document=doc, birth_date=dt.date(1949, 12, 30), sex="female")
        with pytest.raises(InvalidValueError, match="sex"):
            profile(id_document=doc, birth_date=dt.date(1949, 12, 31), sex="male")

    def test_registered_on_boundary(self) -> None:
        """Registration on the birth date is allowed; the day before is not."""
        assert profile(registered_on=dt.date(2000, 1, 1)).registered_on == dt.date(2000, 1, 1)
        with pytest.raises(InvalidValueError):
            profile(registered_on=dt.date(1999, 12, 31))

    @pytest.mark.parametrize(
        "changes",
        [
            {"volunteer_id": 1},
            {"volunteer_id": ""},
            {"name": None},
            {"sex": "other"},
            {"birth_date": "2000-01-01"},
            {"birth_date": dt.datetime(2000, 1, 1)},
            {"id_document": "E12345678"},
            {"residence_region": "211103"},
            {"contact": 13800138000},
            {"contact": ""},
            {"skills": "first_aid"},
            {"skills": [1]},
            {"consents": {"a": 1}},
            {"service_categories": 3},
            {"self_supporting": 1},
            {"registered_on": dt.datetime(2020, 1, 1)},
        ],
    )
    def test_bad_fields(self, changes: dict[str, Any]) -> None:
        """Every wrong type or value raises a library error, never a bare built-in."""
        with pytest.raises(VolunteerRulesError):
            profile(**changes)

    def test_collections_become_frozensets(self) -> None:
        """Skills, categories and consents accept any collection of strings."""
        p = profile(skills=["a", "a", "b"], consents=("guardian",), service_categories=set())
        assert p.skills == frozenset({"a", "b"})
        assert p.consents == frozenset({"guardian"})

    def test_age_on_method(self) -> None:
        """The profile's age_on counts from its birth date."""
        assert profile().age_on(dt.date(2017, 12, 31)) == 17
        assert profile().age_on(dt.date(2018, 1, 1)) == 18

    def test_repr_masks(self) -> None:
        """The repr shows neither the ID number nor the contact."""
        p = parse_profile(SAMPLE_PROFILE_PAYLOAD)
        text = repr(p)
        assert "211103199003150246" not in text
        assert "13912345678" not in text
        assert "139****5678" in text
        assert "211103***********6" in text

    @given(volunteer_profiles())
    def test_repr_never_shows_number_or_contact(self, p: VolunteerProfile) -> None:
        """No generated profile's repr or str shows its document number or contact.

        Another field may contain the same text by chance, so the repr is compared with the
        repr of the same profile without the document number and the contact.
        """
        blank = attrs.evolve(p, id_document=IdDocument(kind="other", number="~~~~~~"), contact=None)
        secrets = [p.id_document.number] + ([p.contact] if p.contact else [])
        for secret in secrets:
            if len(secret) >= 6:
                assert repr(p).count(secret) == repr(blank).count(secret)
                assert str(p).count(secret) == str(blank).count(secret)
                assert secret not in repr(p.id_document) or secret != p.id_document.number


class TestTrainingRecord:
    """Training records and their validity period."""

    def training(self, **changes: Any) -> TrainingRecord:
        return parse_training({**SAMPLE_TRAINING_PAYLOAD, **changes})

    def test_validity_boundaries(self) -> None:
        """Valid from the training day through valid_until, both inclusive."""
        t = self.training()
        assert not t.is_valid_on(dt.date(2024, 3, 1))
        assert t.is_valid_on(dt.date(2024, 3, 2))
        assert t.is_valid_on(dt.date(2027, 3, 1))
        assert not t.is_valid_on(dt.date(2027, 3, 2))

    def test_no_expiry(self) -> None:
        """Without valid_until a qualification never expires."""
        payload = dict(SAMPLE_TRAINING_PAYLOAD)
        del payload["valid_until"]
        t = parse_training(payload)
        assert t.is_valid_on(dt.date(9999, 12, 31))
        assert dump_training(t) == payload

    def test_same_day_validity(self) -> None:
        """valid_until equal to date is valid for exactly that day; a day earlier is refused."""
        t = self.training(valid_until="2024-03-02")
        assert t.is_valid_on(dt.date(2024, 3, 2))
        assert not t.is_valid_on(dt.date(2024, 3, 3))
        assert errors_of(
            parse_training, {**SAMPLE_TRAINING_PAYLOAD, "valid_until": "2024-03-01"}
        ) == [("$.valid_until", "inconsistent")]

    def test_constructor_checks(self) -> None:
        """Non-positive hours and valid_until before date raise InvalidValueError."""
        t = self.training()
        with pytest.raises(InvalidValueError):
            TrainingRecord(**{**_fields(t), "hours": Hours.ZERO})
        with pytest.raises(InvalidValueError):
            TrainingRecord(**{**_fields(t), "valid_until": dt.date(2024, 3, 1)})
        with pytest.raises(InvalidTypeError):
            TrainingRecord(**{**_fields(t), "hours": 960})
        with pytest.raises(InvalidTypeError):
            t.is_valid_on("2024-03-02")  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("minutes", "ok"), [(0, False), (1, True), (527040, True), (527041, False)]
    )
    def test_study_minutes_range(self, minutes: int, ok: bool) -> None:
        """study_minutes runs from 1 to 527040 (a leap year) inclusive."""
        payload = {**SAMPLE_TRAINING_PAYLOAD, "study_minutes": minutes}
        if ok:
            assert parse_training(payload).hours.minutes == minutes
        else:
            assert errors_of(parse_training, payload) == [("$.study_minutes", "out_of_range")]

    def test_own_category(self) -> None:
        """An integrator's own category id is accepted."""
        assert self.training(category="drone_pilot").category == "drone_pilot"

    @given(training_records())
    def test_valid_on_its_date(self, t: TrainingRecord) -> None:
        """Every training is valid on its own date and not the day before."""
        assert t.is_valid_on(t.date)
        if t.date > dt.date.min:
            assert not t.is_valid_on(t.date - dt.timedelta(days=1))


class TestCommendationAndEvaluation:
    """Commendation levels and evaluation records."""

    @pytest.mark.parametrize(
        ("level", "government"),
        [
            ("organization", False),
            ("county", True),
            ("city", True),
            ("province", True),
            ("national", True),
        ],
    )
    def test_government_level(self, level: str, government: bool) -> None:
        """County level and above are government awards (MCA2020 Art. 9)."""
        award = parse_commendation({**SAMPLE_COMMENDATION_PAYLOAD, "level": level})
        assert award.government_level is government

    def test_recordable_needs_documents(self) -> None:
        """Only a documented commendation is recordable."""
        award = parse_commendation({**SAMPLE_COMMENDATION_PAYLOAD, "documented": False})
        assert not award.recordable
        assert parse_commendation(SAMPLE_COMMENDATION_PAYLOAD).recordable

    def test_documented_required_in_wire_form(self) -> None:
        """documented must be given explicitly."""
        payload = dict(SAMPLE_COMMENDATION_PAYLOAD)
        del payload["documented"]
        assert errors_of(parse_commendation, payload) == [("$.documented", "missing")]

    def test_evaluation_rating(self) -> None:
        """An unknown rating is unknown_code; a known one parses."""
        assert parse_evaluation_record(SAMPLE_EVALUATION_PAYLOAD).rating == "excellent"
        assert errors_of(
            parse_evaluation_record, {**SAMPLE_EVALUATION_PAYLOAD, "rating": "superb"}
        ) == [("$.rating", "unknown_code")]

    def test_constructors(self) -> None:
        """Wrong values raise library errors."""
        with pytest.raises(InvalidValueError):
            Commendation(name="x", date=dt.date(2024, 1, 1), awarding_body="y", level="galaxy")
        with pytest.raises(InvalidValueError):
            EvaluationRecord(rating="superb", date=dt.date(2024, 1, 1), evaluator="x")
        with pytest.raises(InvalidTypeError):
            EvaluationRecord(rating="good", date="2024-01-01", evaluator="x")  # type: ignore[arg-type]


def _fields(value: Any) -> dict[str, Any]:
    import attrs

    return {a.name: getattr(value, a.name) for a in attrs.fields(type(value)) if a.init}


class TestParseErrors:
    """Every error code of the record format, collected, with paths."""

    def test_samples_round_trip(self) -> None:
        """The sample payloads are canonical."""
        assert dump_profile(parse_profile(SAMPLE_PROFILE_PAYLOAD)) == SAMPLE_PROFILE_PAYLOAD
        assert dump_training(parse_training(SAMPLE_TRAINING_PAYLOAD)) == SAMPLE_TRAINING_PAYLOAD
        assert (
            dump_commendation(parse_commendation(SAMPLE_COMMENDATION_PAYLOAD))
            == SAMPLE_COMMENDATION_PAYLOAD
        )
        assert (
            dump_evaluation_record(parse_evaluation_record(SAMPLE_EVALUATION_PAYLOAD))
            == SAMPLE_EVALUATION_PAYLOAD
        )

    @pytest.mark.parametrize(("parse", "sample", "what"), PARSERS)
    def test_what_and_not_an_object(
        self, parse: Callable[[Any], object], sample: Mapping[str, Any], what: str
    ) -> None:
        """A non-object is one invalid_type at $, and the error names the part."""
        with pytest.raises(RecordFormatError) as raised:
            parse([sample])
        assert raised.value.what == what
        assert [(e.path, e.code) for e in raised.value.errors] == [("$", "invalid_type")]

    def test_a_list_is_named_an_array(self) -> None:
        """Lists are JSON arrays in the messages, as in the record's and the package's."""
        with pytest.raises(RecordFormatError) as raised:
            parse_profile({**SAMPLE_PROFILE_PAYLOAD, "skills": "first_aid"})
        messages = {e.path: e.message for e in raised.value.errors}
        assert messages["$.skills"] == "skills must be an array of strings, not string"

    @pytest.mark.parametrize(("parse", "sample", "what"), PARSERS)
    def test_unknown_field_and_version(
        self, parse: Callable[[Any], object], sample: Mapping[str, Any], what: str
    ) -> None:
        """Unknown fields and other versions are reported together."""
        payload = {**sample, "format_version": 2, "colour": "red"}
        assert errors_of(parse, payload) == [
            ("$.colour", "unknown_field"),
            ("$.format_version", "unsupported_version"),
        ]

    @pytest.mark.parametrize(("parse", "sample", "what"), PARSERS)
    def test_an_unknown_field_named_with_an_id_number_is_masked_in_its_path(
        self, parse: Callable[[Any], object], sample: Mapping[str, Any], what: str
    ) -> None:
        """The path is masked as the record's paths are, whether the name needs quotes or not."""
        payload = {**sample, "v11010519491231002X": 1, "11010519491231002X": 2}
        assert sorted(errors_of(parse, payload)) == [
            ("$.v110105***********X", "unknown_field"),
            ('$["110105***********X"]', "unknown_field"),
        ]

    @pytest.mark.parametrize(("parse", "sample", "what"), PARSERS)
    def test_every_required_field_missing(
        self, parse: Callable[[Any], object], sample: Mapping[str, Any], what: str
    ) -> None:
        """An empty object reports each required field as missing."""
        found = errors_of(parse, {})
        assert found
        assert {code for _, code in found} == {"missing"}
        assert ("$.format_version", "missing") in found

    @pytest.mark.parametrize(("parse", "sample", "what"), PARSERS)
    def test_null_for_a_required_field_is_missing(
        self, parse: Callable[[Any], object], sample: Mapping[str, Any], what: str
    ) -> None:
        """null is read as the field left out, as in the record format (tests/test_wire_nulls.py)."""
        required = {path for path, _ in errors_of(parse, {})}
        for key in sample:
            if f"$.{key}" in required:
                assert errors_of(parse, {**sample, key: None}) == [(f"$.{key}", "missing")]
            else:
                parse({**sample, key: None})

    def test_profile_codes(self) -> None:
        """invalid_format, out_of_range, unknown_code and invalid_type in one profile."""
        payload = {
            **SAMPLE_PROFILE_PAYLOAD,
            "volunteer_id": "V 1",
            "name": "名" * 101,
            "sex": "unknown",
            "birth_date": "1990/03/15",
            "residence_region": "211199",
            "skills": ["ok", 3, "bad id"],
            "service_categories": ["knitting"],
            "self_supporting": "yes",
            "registered_on": "2019-02-30",
        }
        assert errors_of(parse_profile, payload) == [
            ("$.volunteer_id", "invalid_format"),
            ("$.name", "out_of_range"),
            ("$.sex", "unknown_code"),
            ("$.birth_date", "invalid_format"),
            ("$.residence_region", "unknown_code"),
            ("$.skills[1]", "invalid_type"),
            ("$.skills[2]", "invalid_format"),
            ("$.service_categories[0]", "unknown_code"),
            ("$.self_supporting", "invalid_type"),
            ("$.registered_on", "invalid_format"),
        ]

    def test_categories_argument_checked(self) -> None:
        """A categories argument that is not a collection is InvalidTypeError."""
        with pytest.raises(InvalidTypeError):
            parse_profile(SAMPLE_PROFILE_PAYLOAD, categories=None)  # type: ignore[arg-type]

    def test_id_number_as_category_masked(self) -> None:
        """An ID number typed into a list is not echoed in the error."""
        payload = {**SAMPLE_PROFILE_PAYLOAD, "service_categories": ["11010519491231002X"]}
        with pytest.raises(RecordFormatError) as raised:
            parse_profile(payload)
        assert "11010519491231002X" not in str(raised.value)

    def test_own_service_categories(self) -> None:
        """An integrator's vocabulary admits its own categories."""
        payload = {**SAMPLE_PROFILE_PAYLOAD, "service_categories": ["knitting"]}
        assert parse_profile(payload, categories={"knitting"}).service_categories == {"knitting"}

    @pytest.mark.parametrize(
        ("number", "code"),
        [
            ("211103199003150247", "checksum"),
            ("21110319900315024", "invalid_format"),
            ("21110319900315024A", "invalid_format"),
            (make_id("21110319900230024"), "invalid_format"),
            (make_id("21119919900315024"), "unknown_code"),
        ],
    )
    def test_resident_id_codes(self, number: str, code: str) -> None:
        """Resident ID problems map to record-format codes; the number is never echoed."""
        payload = {
            **SAMPLE_PROFILE_PAYLOAD,
            "id_document": {"kind": "resident_id", "number": number},
        }
        with pytest.raises(RecordFormatError) as raised:
            parse_profile(payload)
        assert [(e.path, e.code) for e in raised.value.errors] == [("$.id_document.number", code)]
        assert number not in str(raised.value)
        assert number[6:14] not in str(raised.value)

    def test_id_document_shape(self) -> None:
        """id_document must be an object with known kind and number."""
        assert errors_of(parse_profile, {**SAMPLE_PROFILE_PAYLOAD, "id_document": "x"}) == [
            ("$.id_document", "invalid_type")
        ]
        assert errors_of(
            parse_profile,
            {**SAMPLE_PROFILE_PAYLOAD, "id_document": {"kind": "card", "no": "1"}},
        ) == [
            ("$.id_document.no", "unknown_field"),
            ("$.id_document.kind", "unknown_code"),
            ("$.id_document.number", "missing"),
        ]
        payload = dict(SAMPLE_PROFILE_PAYLOAD)
        del payload["id_document"]
        assert errors_of(parse_profile, payload) == [("$.id_document", "missing")]

    def test_inconsistent_with_resident_id(self) -> None:
        """Birth date and sex that disagree with the resident ID are inconsistent."""
        payload = {**SAMPLE_PROFILE_PAYLOAD, "birth_date": "1990-03-16", "sex": "male"}
        with pytest.raises(RecordFormatError) as raised:
            parse_profile(payload)
        assert [(e.path, e.code) for e in raised.value.errors] == [
            ("$.birth_date", "inconsistent"),
            ("$.sex", "inconsistent"),
        ]
        assert "1990-03-15" not in str(raised.value)

    def test_registered_before_birth(self) -> None:
        """registered_on before birth_date is inconsistent; on it is fine."""
        on_birth = {**SAMPLE_PROFILE_PAYLOAD, "registered_on": "1990-03-15"}
        assert parse_profile(on_birth).registered_on == dt.date(1990, 3, 15)
        before = {**SAMPLE_PROFILE_PAYLOAD, "registered_on": "1990-03-14"}
        assert errors_of(parse_profile, before) == [("$.registered_on", "inconsistent")]

    def test_text_trimmed_and_empty(self) -> None:
        """Text is trimmed; empty text is missing."""
        assert parse_profile({**SAMPLE_PROFILE_PAYLOAD, "name": " 赵敏 "}).name == "赵敏"
        assert errors_of(parse_profile, {**SAMPLE_PROFILE_PAYLOAD, "name": "  "}) == [
            ("$.name", "missing")
        ]

    def test_contact_never_in_errors(self) -> None:
        """A too-long contact is reported without repeating it."""
        contact = "1" * 101
        with pytest.raises(RecordFormatError) as raised:
            parse_profile({**SAMPLE_PROFILE_PAYLOAD, "contact": contact})
        assert contact not in str(raised.value)

    def test_non_string_keys(self) -> None:
        """A non-string key is an unknown field, not a crash."""
        payload: dict[Any, Any] = {**SAMPLE_EVALUATION_PAYLOAD, 1: "x"}
        found = errors_of(parse_evaluation_record, payload)
        assert found == [("$[1]", "unknown_field")]

    def test_odd_keys_quoted_and_masked(self) -> None:
        """Keys that need quoting are quoted; a key that is an ID number is masked."""
        payload = {**SAMPLE_EVALUATION_PAYLOAD, "a b": 1, "11010519491231002X": 2}
        with pytest.raises(RecordFormatError) as raised:
            parse_evaluation_record(payload)
        paths = [e.path for e in raised.value.errors]
        assert paths == ['$["a b"]', '$["110105***********X"]']
        assert "11010519491231002X" not in str(raised.value)

    def test_int_types(self) -> None:
        """Booleans and floats are not integers."""
        for value in (True, 960.0, "960"):
            assert errors_of(
                parse_training, {**SAMPLE_TRAINING_PAYLOAD, "study_minutes": value}
            ) == [("$.study_minutes", "invalid_type")]
        assert errors_of(parse_training, {**SAMPLE_TRAINING_PAYLOAD, "format_version": True}) == [
            ("$.format_version", "invalid_type")
        ]

    @pytest.mark.parametrize("dump", DUMPERS)
    def test_dump_wrong_type(self, dump: Callable[[Any], object]) -> None:
        """Dumping something else is InvalidTypeError."""
        with pytest.raises(InvalidTypeError):
            dump(SAMPLE_PROFILE_PAYLOAD)


class TestProperties:
    """Round trips and robustness over generated values."""

    @given(profile_payloads())
    def test_profile_payload_round_trip(self, payload: dict[str, Any]) -> None:
        """dump(parse(x)) == x for canonical profile payloads."""
        assert dump_profile(parse_profile(payload)) == payload

    @given(volunteer_profiles())
    def test_profile_round_trip(self, p: VolunteerProfile) -> None:
        """parse(dump(p)) == p for generated profiles."""
        assert parse_profile(dump_profile(p)) == p

    @given(training_payloads())
    def test_training_payload_round_trip(self, payload: dict[str, Any]) -> None:
        """dump(parse(x)) == x for training payloads."""
        assert dump_training(parse_training(payload)) == payload

    @given(training_records())
    def test_training_round_trip(self, t: TrainingRecord) -> None:
        """parse(dump(t)) == t."""
        assert parse_training(dump_training(t)) == t

    @given(commendation_payloads(), commendations())
    def test_commendation_round_trips(self, payload: dict[str, Any], c: Commendation) -> None:
        """Both round trips for commendations."""
        assert dump_commendation(parse_commendation(payload)) == payload
        assert parse_commendation(dump_commendation(c)) == c

    @given(evaluation_payloads(), evaluation_records())
    def test_evaluation_round_trips(self, payload: dict[str, Any], e: EvaluationRecord) -> None:
        """Both round trips for evaluation records."""
        assert dump_evaluation_record(parse_evaluation_record(payload)) == payload
        assert parse_evaluation_record(dump_evaluation_record(e)) == e

    @given(JSON)
    def test_arbitrary_json(self, value: object) -> None:
        """Arbitrary JSON values given to every parser raise only RecordFormatError."""
        for parse, _, _ in PARSERS:
            with contextlib.suppress(RecordFormatError):
                parse(value)

    @given(st.sampled_from(PARSERS), st.data())
    def test_mutated_samples(self, parser: Any, data: st.DataObject) -> None:
        """A sample with one field replaced by any JSON value parses or raises RecordFormatError."""
        parse, sample, _ = parser
        payload = copy.deepcopy(dict(sample))
        key = data.draw(st.sampled_from([*sample, "extra"]))
        payload[key] = data.draw(JSON)
        with contextlib.suppress(RecordFormatError):
            parse(payload)

    @given(ANY_VALUE)
    def test_arbitrary_objects(self, value: object) -> None:
        """Arbitrary Python objects raise only library errors, from parsers and dumpers."""
        for parse, _, _ in PARSERS:
            with contextlib.suppress(RecordFormatError):
                parse(value)
        for dump in DUMPERS:
            with contextlib.suppress(InvalidTypeError):
                dump(value)

    @given(volunteer_profiles(document_kinds=st.just("resident_id")), st.integers(0, 17))
    def test_errors_never_show_the_number(self, p: VolunteerProfile, index: int) -> None:
        """An altered resident ID number never appears in the parse error."""
        payload = dump_profile(p)
        number = payload["id_document"]["number"]
        swapped = "7" if number[index] != "7" else "8"
        altered = number[:index] + swapped + number[index + 1 :]
        payload["id_document"]["number"] = altered
        try:
            parse_profile(payload)
        except RecordFormatError as error:
            message = str(error)
        else:
            message = ""
        assert altered not in message
        assert number not in message

    @given(
        volunteer_profiles(
            regions=st.just(RegionCode.parse("211104")),
            document_kinds=st.just("resident_id"),
            consents=st.just(frozenset({"guardian"})),
        )
    )
    def test_strategy_arguments(self, p: VolunteerProfile) -> None:
        """The profile strategy honours its arguments."""
        assert p.resident_id is not None
        assert p.resident_id.region_code == "211104"
        assert p.consents == {"guardian"}

    def test_exports(self) -> None:
        """The public names are exported at the top level."""
        for name in ("VolunteerProfile", "TrainingRecord", "age_on", "parse_profile", "CONSENTS"):
            assert name in vr.__all__
