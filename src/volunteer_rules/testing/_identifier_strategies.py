"""Hypothesis strategies for identifiers and the volunteer's other record parts.

Re-exported by :mod:`volunteer_rules.testing.strategies`; import them from there.

Example:
    >>> from volunteer_rules.testing.strategies import resident_ids
    >>> resident_ids().example().region.code.isdigit()  # doctest: +SKIP
    True
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from hypothesis import strategies as st
from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc

from volunteer_rules.hours import Hours
from volunteer_rules.records._json import UNSTORABLE
from volunteer_rules.records._wording import volunteer_id_problem
from volunteer_rules.records.identifiers import (
    _USCC_ALPHABET,
    _USCC_VALUES_31,
    _VALUES_36,
    OrganizationCode,
    ResidentId,
    _org_check_character,
)
from volunteer_rules.records.profile import (
    COMMENDATION_LEVELS,
    CONSENTS,
    DOCUMENT_KINDS,
    TRAINING_CATEGORIES,
    Commendation,
    EvaluationRecord,
    IdDocument,
    TrainingRecord,
    VolunteerProfile,
    dump_commendation,
    dump_evaluation_record,
    dump_profile,
    dump_training,
)
from volunteer_rules.records.profile_parts import _MAX_STUDY_MINUTES
from volunteer_rules.records.record import RATINGS, SERVICE_CATEGORIES
from volunteer_rules.records.region import RegionCode

__all__ = [
    "commendation_payloads",
    "commendations",
    "evaluation_payloads",
    "evaluation_records",
    "organization_codes",
    "profile_payloads",
    "resident_ids",
    "training_payloads",
    "training_records",
    "volunteer_profiles",
]

_SEXES = ("male", "female")


@st.composite
def _resident_ids(
    draw: st.DrawFn,
    regions: st.SearchStrategy[RegionCode],
    birth_dates: st.SearchStrategy[_dt.date],
    sexes: st.SearchStrategy[str],
) -> ResidentId:
    region = draw(regions)
    birth = draw(birth_dates)
    sex = draw(sexes)
    sequence = 2 * draw(st.integers(min_value=0, max_value=499)) + (1 if sex == "male" else 0)
    first17 = f"{region.code}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    return ResidentId.parse(first17 + _ric.calc_check_digit(first17 + "0"))


def resident_ids(
    *,
    regions: st.SearchStrategy[RegionCode] | None = None,
    birth_dates: st.SearchStrategy[_dt.date] | None = None,
    sexes: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[ResidentId]:
    """Valid GB 11643 resident ID numbers.

    Args:
        regions: address regions; every known region (abolished ones too) by default.
        birth_dates: birth dates; 1800-01-01 to 9999-12-31 by default (the years the format
            can write and the library accepts).
        sexes: ``"male"`` or ``"female"`` (sets the sequence's parity); both by default.

    Shrinks toward the first region, the earliest date and sequence ``000``/``001``.

    Example:
        >>> from hypothesis import given
        >>> @given(resident_ids(sexes=st.just("female")))
        ... def test(rid):
        ...     assert rid.sex == "female"
        >>> test()
    """
    return _resident_ids(
        regions if regions is not None else st.sampled_from(RegionCode.all()),
        birth_dates
        if birth_dates is not None
        else st.dates(min_value=_dt.date(1800, 1, 1), max_value=_dt.date(9999, 12, 31)),
        sexes if sexes is not None else st.sampled_from(_SEXES),
    )


@st.composite
def _organization_codes(
    draw: st.DrawFn,
    departments: st.SearchStrategy[str],
    entity_types: st.SearchStrategy[str],
    region_codes: st.SearchStrategy[str],
) -> OrganizationCode:
    head = draw(departments) + draw(entity_types) + draw(region_codes)
    body = draw(st.text(alphabet=_USCC_ALPHABET, min_size=8, max_size=8))
    check = _org_check_character(body, draw(st.sampled_from((_USCC_VALUES_31, _VALUES_36))))
    first17 = head + body + check
    return OrganizationCode.parse(first17 + _uscc.calc_check_digit(first17))


def organization_codes(
    *,
    departments: st.SearchStrategy[str] | None = None,
    entity_types: st.SearchStrategy[str] | None = None,
    region_codes: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[OrganizationCode]:
    """Valid GB 32100 unified social credit codes (embedded GB 11714 check included).

    Args:
        departments: position 1, one character of the credit-code alphabet; any by default.
        entity_types: position 2, likewise.
        region_codes: positions 3–8, six digits; any by default (known or not).

    Example:
        >>> from hypothesis import given
        >>> @given(organization_codes(departments=st.just("5")))
        ... def test(org):
        ...     assert org.registration_department_name == "民政"
        >>> test()
    """
    any_char = st.sampled_from(_USCC_ALPHABET)
    return _organization_codes(
        departments if departments is not None else any_char,
        entity_types if entity_types is not None else any_char,
        region_codes
        if region_codes is not None
        else st.text(alphabet="0123456789", min_size=6, max_size=6),
    )


# --- profiles and the other record parts -----------------------------------------------------

_TEXT_CHARS = st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")).filter(
    lambda c: not UNSTORABLE.match(c)
)
"""Text a profile's part may hold: printable, and storable (no non-characters such as U+FFFE,
which every reader refuses, by the one rule of ``records._json.UNSTORABLE``)."""
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_IDS = st.builds(
    str.__add__,
    st.sampled_from(_ALNUM),
    st.text(alphabet=_ALNUM + "._-", max_size=15),
)
_VOLUNTEER_IDS = st.one_of(_IDS, st.from_regex(r"1[0-9]{9,11}", fullmatch=True)).filter(
    lambda text: volunteer_id_problem(text) is None
)
"""Short volunteer ids: never shaped like a resident ID number or a mobile number, which every
reader refuses as a ``volunteer_id`` (the record format's one rule); digits from ``1`` drawn
often, the valid side of the mobile rule."""
_SKILL_IDS = st.builds(
    str.__add__,
    st.sampled_from(_LOWER),
    st.text(alphabet=_LOWER + "0123456789_", max_size=15),
)
_DOCUMENT_NUMBERS = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=20)


def _texts(max_size: int = 30) -> st.SearchStrategy[str]:
    return st.text(_TEXT_CHARS, min_size=1, max_size=max_size)


_PHONES = st.integers(min_value=13000000000, max_value=19999999999).map(str)
_EMAILS = st.builds(
    "{}@{}.example".format,
    st.text(alphabet=_LOWER + "0123456789.", min_size=1, max_size=12),
    st.text(alphabet=_LOWER, min_size=1, max_size=10),
)
_CONTACTS = _PHONES | _EMAILS


@st.composite
def _id_documents(
    draw: st.DrawFn,
    birth_date: _dt.date,
    sex: str,
    regions: st.SearchStrategy[RegionCode],
    kinds: st.SearchStrategy[str],
) -> IdDocument:
    kind = draw(kinds)
    if kind == "resident_id":
        region = draw(regions)
        sequence = 2 * draw(st.integers(min_value=0, max_value=499)) + (sex == "male")
        b = birth_date
        first17 = f"{region.code}{b.year:04d}{b.month:02d}{b.day:02d}{sequence:03d}"
        return IdDocument(kind=kind, number=first17 + _ric.calc_check_digit(first17 + "0"))
    return IdDocument(kind=kind, number=draw(_DOCUMENT_NUMBERS))


@st.composite
def _volunteer_profiles(
    draw: st.DrawFn,
    volunteer_ids: st.SearchStrategy[str],
    birth_dates: st.SearchStrategy[_dt.date],
    regions: st.SearchStrategy[RegionCode],
    document_kinds: st.SearchStrategy[str],
    consents: st.SearchStrategy[frozenset[str]],
    skills: st.SearchStrategy[frozenset[str]],
    service_categories: st.SearchStrategy[frozenset[str]],
) -> VolunteerProfile:
    birth = draw(birth_dates)
    sex = draw(st.sampled_from(_SEXES))
    registered = draw(
        st.none() | st.dates(min_value=birth, max_value=max(birth, _dt.date(2099, 12, 31)))
    )
    return VolunteerProfile(
        volunteer_id=draw(volunteer_ids),
        name=draw(_texts()),
        sex=sex,
        birth_date=birth,
        id_document=draw(_id_documents(birth, sex, regions, document_kinds)),
        residence_region=draw(st.none() | regions),
        contact=draw(st.none() | _CONTACTS),
        skills=draw(skills),
        service_categories=draw(service_categories),
        consents=draw(consents),
        self_supporting=draw(st.booleans()),
        registered_on=registered,
    )


def volunteer_profiles(
    *,
    volunteer_ids: st.SearchStrategy[str] | None = None,
    birth_dates: st.SearchStrategy[_dt.date] | None = None,
    regions: st.SearchStrategy[RegionCode] | None = None,
    document_kinds: st.SearchStrategy[str] | None = None,
    consents: st.SearchStrategy[frozenset[str]] | None = None,
    skills: st.SearchStrategy[frozenset[str]] | None = None,
    service_categories: st.SearchStrategy[frozenset[str]] | None = None,
) -> st.SearchStrategy[VolunteerProfile]:
    """Valid volunteer profiles (basic information), consistent with their resident IDs.

    Args:
        volunteer_ids: volunteer ids; short ids of the record format's alphabet by default.
        birth_dates: birth dates; 1900-01-01 to 2030-12-31 by default.
        regions: regions for the resident ID's address code and the residence; every known
            region by default.
        document_kinds: kinds of ID document; every :data:`~volunteer_rules.DOCUMENT_KINDS`
            kind by default (a ``resident_id`` is generated to match birth date and sex).
        consents: consent sets; any subset of :data:`~volunteer_rules.CONSENTS` by default.
        skills: skill sets; up to four short ids by default.
        service_categories: category sets; any subset of up to four built-in categories.

    Example:
        >>> from hypothesis import given
        >>> @given(volunteer_profiles(document_kinds=st.just("resident_id")))
        ... def test(profile):
        ...     assert profile.resident_id.birth_date == profile.birth_date
        >>> test()
    """
    return _volunteer_profiles(
        volunteer_ids if volunteer_ids is not None else _VOLUNTEER_IDS,
        birth_dates
        if birth_dates is not None
        else st.dates(min_value=_dt.date(1900, 1, 1), max_value=_dt.date(2030, 12, 31)),
        regions if regions is not None else st.sampled_from(RegionCode.all()),
        document_kinds if document_kinds is not None else st.sampled_from(list(DOCUMENT_KINDS)),
        consents if consents is not None else st.frozensets(st.sampled_from(list(CONSENTS))),
        skills if skills is not None else st.frozensets(_SKILL_IDS, max_size=4),
        service_categories
        if service_categories is not None
        else st.frozensets(st.sampled_from(list(SERVICE_CATEGORIES)), max_size=4),
    )


@st.composite
def _training_records(
    draw: st.DrawFn,
    volunteer_ids: st.SearchStrategy[str],
    categories: st.SearchStrategy[str],
    dates: st.SearchStrategy[_dt.date],
) -> TrainingRecord:
    day = draw(dates)
    valid_until = draw(
        st.none()
        | st.integers(min_value=0, max_value=3653).map(
            lambda n: min(day + _dt.timedelta(days=n), _dt.date.max)
        )
    )
    return TrainingRecord(
        training_id=draw(_IDS),
        volunteer_id=draw(volunteer_ids),
        name=draw(_texts()),
        category=draw(categories),
        content=draw(_texts(60)),
        hours=Hours.from_minutes(draw(st.integers(min_value=1, max_value=_MAX_STUDY_MINUTES))),
        organizer=draw(_texts()),
        date=day,
        valid_until=valid_until,
    )


def training_records(
    *,
    volunteer_ids: st.SearchStrategy[str] | None = None,
    categories: st.SearchStrategy[str] | None = None,
    dates: st.SearchStrategy[_dt.date] | None = None,
) -> st.SearchStrategy[TrainingRecord]:
    """Valid training records.

    Args:
        volunteer_ids: volunteer ids; short ids by default.
        categories: training categories; the built-in ones or short ids by default.
        dates: training dates; 2000-01-01 to 2030-12-31 by default. ``valid_until`` is absent
            or up to ten years after.

    Example:
        >>> from hypothesis import given
        >>> @given(training_records(categories=st.just("legal_aid")))
        ... def test(training):
        ...     assert training.is_valid_on(training.date)
        >>> test()
    """
    return _training_records(
        volunteer_ids if volunteer_ids is not None else _VOLUNTEER_IDS,
        categories
        if categories is not None
        else st.sampled_from(list(TRAINING_CATEGORIES)) | _SKILL_IDS,
        dates
        if dates is not None
        else st.dates(min_value=_dt.date(2000, 1, 1), max_value=_dt.date(2030, 12, 31)),
    )


def commendations(
    *, levels: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Commendation]:
    """Valid commendations.

    Args:
        levels: award levels; every :data:`~volunteer_rules.COMMENDATION_LEVELS` by default.

    Example:
        >>> from hypothesis import given
        >>> @given(commendations(levels=st.just("national")))
        ... def test(award):
        ...     assert award.government_level
        >>> test()
    """
    return st.builds(
        Commendation,
        name=_texts(),
        date=st.dates(min_value=_dt.date(1950, 1, 1), max_value=_dt.date(2030, 12, 31)),
        awarding_body=_texts(),
        level=levels if levels is not None else st.sampled_from(COMMENDATION_LEVELS),
        documented=st.booleans(),
        volunteer_id=st.none() | _VOLUNTEER_IDS,
    )


def evaluation_records(
    *, ratings: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[EvaluationRecord]:
    """Valid evaluation records.

    Args:
        ratings: ratings; every :data:`~volunteer_rules.RATINGS` value by default.

    Example:
        >>> from hypothesis import given
        >>> @given(evaluation_records(ratings=st.just("good")))
        ... def test(evaluation):
        ...     assert evaluation.rating == "good"
        >>> test()
    """
    return st.builds(
        EvaluationRecord,
        rating=ratings if ratings is not None else st.sampled_from(RATINGS),
        date=st.dates(min_value=_dt.date(2000, 1, 1), max_value=_dt.date(2030, 12, 31)),
        evaluator=_texts(),
        record_id=st.none() | _IDS,
        comment=st.none() | _texts(60),
        volunteer_id=st.none() | _VOLUNTEER_IDS,
    )


def profile_payloads(**kwargs: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Canonical profile payloads (``dump_profile`` of :func:`volunteer_profiles`).

    Takes the keyword arguments of :func:`volunteer_profiles`.

    Example:
        >>> from hypothesis import given
        >>> from volunteer_rules import dump_profile, parse_profile
        >>> @given(profile_payloads())
        ... def test(payload):
        ...     assert dump_profile(parse_profile(payload)) == payload
        >>> test()
    """
    return volunteer_profiles(**kwargs).map(dump_profile)


def training_payloads(**kwargs: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Canonical training-record payloads; takes :func:`training_records`' arguments.

    Example:
        >>> from hypothesis import given
        >>> from volunteer_rules import dump_training, parse_training
        >>> @given(training_payloads())
        ... def test(payload):
        ...     assert dump_training(parse_training(payload)) == payload
        >>> test()
    """
    return training_records(**kwargs).map(dump_training)


def commendation_payloads(**kwargs: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Canonical commendation payloads; takes :func:`commendations`' arguments.

    Example:
        >>> from hypothesis import given
        >>> from volunteer_rules import dump_commendation, parse_commendation
        >>> @given(commendation_payloads())
        ... def test(payload):
        ...     assert dump_commendation(parse_commendation(payload)) == payload
        >>> test()
    """
    return commendations(**kwargs).map(dump_commendation)


def evaluation_payloads(**kwargs: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Canonical evaluation-record payloads; takes :func:`evaluation_records`' arguments.

    Example:
        >>> from hypothesis import given
        >>> from volunteer_rules import dump_evaluation_record, parse_evaluation_record
        >>> @given(evaluation_payloads())
        ... def test(payload):
        ...     assert dump_evaluation_record(parse_evaluation_record(payload)) == payload
        >>> test()
    """
    return evaluation_records(**kwargs).map(dump_evaluation_record)
