"""The wire form of a volunteer's record parts: ``parse_…`` reads a payload, ``dump_…`` writes one.

Each part is a JSON object (``format_version`` 1). A payload that breaks the format raises one
:class:`~volunteer_rules.RecordFormatError` listing every problem with its path and code.
``dump_x(parse_x(p)) == p`` for every canonical payload ``p`` (booleans and lists always
written, lists sorted and without repeats; absent optional values omitted, never ``null``).

Example:
    >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
    >>> dump_profile(parse_profile(SAMPLE_PROFILE_PAYLOAD)) == SAMPLE_PROFILE_PAYLOAD
    True
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Final

from volunteer_rules.errors import (
    InvalidIdentifierError,
    InvalidTypeError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records._wire_reader import MISSING, Reader
from volunteer_rules.records.profile_parts import (
    _MAX_STUDY_MINUTES,
    COMMENDATION_LEVELS,
    DOCUMENT_KINDS,
    PARTS_FORMAT_VERSION,
    SEXES,
    Commendation,
    EvaluationRecord,
    IdDocument,
    T,
    TrainingRecord,
    VolunteerProfile,
)
from volunteer_rules.records.service_record import RATINGS, SERVICE_CATEGORIES

_PROFILE_FIELDS: Final = frozenset(
    {
        "format_version",
        "volunteer_id",
        "name",
        "sex",
        "birth_date",
        "id_document",
        "residence_region",
        "contact",
        "skills",
        "service_categories",
        "consents",
        "self_supporting",
        "registered_on",
    }
)

__all__ = [
    "dump_commendation",
    "dump_evaluation_record",
    "dump_profile",
    "dump_training",
    "parse_commendation",
    "parse_evaluation_record",
    "parse_profile",
    "parse_training",
]
_DOCUMENT_FIELDS: Final = frozenset({"kind", "number"})

_IDENTIFIER_CODES: Final = {
    "length": "invalid_format",
    "invalid_format": "invalid_format",
    "checksum": "checksum",
    "invalid_date": "invalid_format",
    "unknown_region": "unknown_code",
}


def _read_document(read: Reader) -> IdDocument | None:
    value = read.data.get("id_document", MISSING)
    if value is MISSING:
        read.add("$.id_document", "missing", "id_document is required")
        return None
    sub = Reader(value, _DOCUMENT_FIELDS, "an ID document", "$.id_document")
    if not isinstance(value, Mapping):
        read.errors.extend(sub.errors)
        return None
    kind = sub.choice("kind", DOCUMENT_KINDS)
    number = sub.text("number", max_length=64)
    read.errors.extend(sub.errors)
    if kind is None or number is None or sub.errors:
        return None
    try:
        return IdDocument(kind=kind, number=number)
    except InvalidIdentifierError as error:
        read.add(
            "$.id_document.number",
            _IDENTIFIER_CODES.get(error.code, "invalid_format"),
            f"not a valid resident ID number: {str(error).split(': ', 1)[-1]}",
        )
    return None


def parse_profile(
    payload: Mapping[str, Any], *, categories: Collection[str] = SERVICE_CATEGORIES
) -> VolunteerProfile:
    """Read a volunteer's basic information from its wire form.

    Fields (a JSON object; no other field is allowed):

    ================== ======== ===============================================================
    field              required rule
    ================== ======== ===============================================================
    format_version     yes      ``1``
    volunteer_id       yes      1–64 letters, digits, ``-``, ``_``, ``.``; no ID, no mobile
    name               yes      1–100 characters after trimming
    sex                yes      ``male`` or ``female``; agrees with a resident ID
    birth_date         yes      ISO date; agrees with a resident ID
    id_document        yes      ``{"kind": …, "number": …}``; kind from :data:`DOCUMENT_KINDS`,
                                number 1–64 characters; a resident ID is checked (GB 11643)
    residence_region   no       a known 6-digit GB/T 2260 code
    contact            no       1–100 characters (phone number or e-mail)
    skills             no       list of ids (default empty)
    service_categories no       list of codes from ``categories`` (default empty)
    consents           no       list of ids, :data:`CONSENTS` or an integrator's (default empty)
    self_supporting    no       boolean (default ``false``)
    registered_on      no       ISO date, not before ``birth_date``
    ================== ======== ===============================================================

    Args:
        payload: the JSON object (a mapping).
        categories: the service-category codes accepted (the built-in vocabulary by default;
            pass a larger collection to admit an integrator's own).

    Returns:
        The profile.

    Raises:
        RecordFormatError: with ``what="profile"`` and every problem found. Messages never
            contain the ID number or the contact.

    Example:
        >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
        >>> profile = parse_profile(SAMPLE_PROFILE_PAYLOAD)
        >>> profile.name, profile.sex, profile.residence_region.name
        ('赵敏', 'female', '兴隆台区')
        >>> parse_profile({**SAMPLE_PROFILE_PAYLOAD, "birth_date": "1990-01-02", "nick": "x"})
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RecordFormatError: invalid profile: $.nick: unknown_field: is not a field of a profile (names are case-sensitive); $.birth_date: inconsistent: birth_date does not agree with the birth date in the resident ID number
    """
    if isinstance(categories, (str, bytes)) or not isinstance(categories, Collection):
        raise InvalidTypeError("categories", "must be a collection of category codes")
    read = Reader(payload, _PROFILE_FIELDS, "a profile")
    if read.errors and not read.data:
        read.fail("profile")
    read.version()
    volunteer_id = read.ident("volunteer_id")
    name = read.text("name", max_length=100)
    sex = read.choice("sex", SEXES)
    birth_date = read.date("birth_date")
    document = _read_document(read)
    region = read.region("residence_region", required=False)
    contact = read.text("contact", required=False, max_length=100)
    skills = read.names("skills")
    service_categories = read.names("service_categories", vocabulary=categories)
    consents = read.names("consents")
    self_supporting = read.boolean("self_supporting", default=False)
    registered_on = read.date("registered_on", required=False)
    rid = document.resident_id if document is not None else None
    if rid is not None and birth_date is not None and rid.birth_date != birth_date:
        read.add(
            "$.birth_date",
            "inconsistent",
            "birth_date does not agree with the birth date in the resident ID number",
        )
    if rid is not None and sex is not None and rid.sex != sex:
        read.add("$.sex", "inconsistent", "sex does not agree with the resident ID number")
    if registered_on is not None and birth_date is not None and registered_on < birth_date:
        read.add("$.registered_on", "inconsistent", "registered_on is before birth_date")
    read.fail("profile")
    return VolunteerProfile(
        volunteer_id=_known(volunteer_id),
        name=_known(name),
        sex=_known(sex),
        birth_date=_known(birth_date),
        id_document=_known(document),
        residence_region=region,
        contact=contact,
        skills=_known(skills),
        service_categories=_known(service_categories),
        consents=_known(consents),
        self_supporting=_known(self_supporting),
        registered_on=registered_on,
    )


def _known(value: T | None) -> T:
    # Only called after read.fail(): every required value was read without error.
    assert value is not None
    return value


def dump_profile(profile: VolunteerProfile) -> dict[str, Any]:
    """The canonical wire form of a profile (see :func:`parse_profile`).

    Lists are sorted; ``self_supporting`` and the lists are always written; absent optional
    values are omitted.

    Raises:
        InvalidTypeError: ``profile`` is not a :class:`VolunteerProfile`.

    Example:
        >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
        >>> dump_profile(parse_profile(SAMPLE_PROFILE_PAYLOAD)) == SAMPLE_PROFILE_PAYLOAD
        True
    """
    if not isinstance(profile, VolunteerProfile):
        raise InvalidTypeError(
            "profile", f"must be a VolunteerProfile, not {type(profile).__name__}"
        )
    out: dict[str, Any] = {
        "format_version": PARTS_FORMAT_VERSION,
        "volunteer_id": profile.volunteer_id,
        "name": profile.name,
        "sex": profile.sex,
        "birth_date": profile.birth_date.isoformat(),
        "id_document": {"kind": profile.id_document.kind, "number": profile.id_document.number},
    }
    if profile.residence_region is not None:
        out["residence_region"] = profile.residence_region.code
    if profile.contact is not None:
        out["contact"] = profile.contact
    out["skills"] = sorted(profile.skills)
    out["service_categories"] = sorted(profile.service_categories)
    out["consents"] = sorted(profile.consents)
    out["self_supporting"] = profile.self_supporting
    if profile.registered_on is not None:
        out["registered_on"] = profile.registered_on.isoformat()
    return out


_TRAINING_FIELDS: Final = frozenset(
    {
        "format_version",
        "training_id",
        "volunteer_id",
        "name",
        "category",
        "content",
        "study_minutes",
        "organizer",
        "date",
        "valid_until",
    }
)


def parse_training(payload: Mapping[str, Any]) -> TrainingRecord:
    """Read a training record from its wire form.

    Fields: ``format_version`` (``1``), ``training_id``, ``volunteer_id`` (ids: 1–64 letters,
    digits, ``-``, ``_``, ``.``), ``name`` (1–200 characters), ``category`` (an id: a
    :data:`TRAINING_CATEGORIES` key or an integrator's own), ``content`` (1–2000),
    ``study_minutes`` (学习时长, whole minutes, 1 to 527040, a leap year), ``organizer``
    (1–200), ``date`` (ISO date), optional ``valid_until`` (ISO date, not before ``date``).

    Raises:
        RecordFormatError: with ``what="training record"`` and every problem found.

    Example:
        >>> from volunteer_rules.testing.profile_examples import SAMPLE_TRAINING_PAYLOAD
        >>> training = parse_training(SAMPLE_TRAINING_PAYLOAD)
        >>> training.category, training.hours, training.valid_until
        ('medical_care', Hours(minutes=960), datetime.date(2027, 3, 1))
    """
    read = Reader(payload, _TRAINING_FIELDS, "a training record")
    if read.errors and not read.data:
        read.fail("training record")
    read.version()
    training_id = read.ident("training_id")
    volunteer_id = read.ident("volunteer_id")
    name = read.text("name")
    category = read.ident("category")
    content = read.text("content", max_length=2000)
    minutes = read.integer("study_minutes", 1, _MAX_STUDY_MINUTES)
    organizer = read.text("organizer")
    day = read.date("date")
    valid_until = read.date("valid_until", required=False)
    if valid_until is not None and day is not None and valid_until < day:
        read.add("$.valid_until", "inconsistent", "valid_until is before the training date")
    read.fail("training record")
    return TrainingRecord(
        training_id=_known(training_id),
        volunteer_id=_known(volunteer_id),
        name=_known(name),
        category=_known(category),
        content=_known(content),
        hours=Hours.from_minutes(_known(minutes)),
        organizer=_known(organizer),
        date=_known(day),
        valid_until=valid_until,
    )


def dump_training(training: TrainingRecord) -> dict[str, Any]:
    """The canonical wire form of a training record (see :func:`parse_training`).

    Raises:
        InvalidTypeError: ``training`` is not a :class:`TrainingRecord`.

    Example:
        >>> from volunteer_rules.testing.profile_examples import SAMPLE_TRAINING_PAYLOAD
        >>> dump_training(parse_training(SAMPLE_TRAINING_PAYLOAD)) == SAMPLE_TRAINING_PAYLOAD
        True
    """
    if not isinstance(training, TrainingRecord):
        raise InvalidTypeError(
            "training", f"must be a TrainingRecord, not {type(training).__name__}"
        )
    out: dict[str, Any] = {
        "format_version": PARTS_FORMAT_VERSION,
        "training_id": training.training_id,
        "volunteer_id": training.volunteer_id,
        "name": training.name,
        "category": training.category,
        "content": training.content,
        "study_minutes": training.hours.minutes,
        "organizer": training.organizer,
        "date": training.date.isoformat(),
    }
    if training.valid_until is not None:
        out["valid_until"] = training.valid_until.isoformat()
    return out


_COMMENDATION_FIELDS: Final = frozenset(
    {"format_version", "name", "date", "awarding_body", "level", "documented", "volunteer_id"}
)


def parse_commendation(payload: Mapping[str, Any]) -> Commendation:
    """Read a commendation from its wire form.

    Fields: ``format_version`` (``1``), ``name`` and ``awarding_body`` (1–200 characters),
    ``date`` (ISO date), ``level`` (one of :data:`COMMENDATION_LEVELS`), ``documented``
    (boolean, required), optional ``volunteer_id`` (an id).

    Raises:
        RecordFormatError: with ``what="commendation"`` and every problem found.

    Example:
        >>> payload = {"format_version": 1, "name": "优秀志愿者", "date": "2023-12-05",
        ...     "awarding_body": "盘锦市民政局", "level": "city", "documented": True}
        >>> parse_commendation(payload).government_level
        True
        >>> parse_commendation({**payload, "level": "galactic"})
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RecordFormatError: invalid commendation: $.level: unknown_code: level 'galactic' is not one of organization, county, city, province, national
    """
    read = Reader(payload, _COMMENDATION_FIELDS, "a commendation")
    if read.errors and not read.data:
        read.fail("commendation")
    read.version()
    name = read.text("name")
    day = read.date("date")
    awarding_body = read.text("awarding_body")
    level = read.choice("level", COMMENDATION_LEVELS)
    documented = read.boolean("documented")
    volunteer_id = read.ident("volunteer_id", required=False)
    read.fail("commendation")
    return Commendation(
        name=_known(name),
        date=_known(day),
        awarding_body=_known(awarding_body),
        level=_known(level),
        documented=_known(documented),
        volunteer_id=volunteer_id,
    )


def dump_commendation(commendation: Commendation) -> dict[str, Any]:
    """The canonical wire form of a commendation (see :func:`parse_commendation`).

    Raises:
        InvalidTypeError: ``commendation`` is not a :class:`Commendation`.

    Example:
        >>> from datetime import date
        >>> dump_commendation(Commendation(name="优秀志愿者", date=date(2023, 12, 5),
        ...     awarding_body="盘锦市民政局", level="city", documented=True))["date"]
        '2023-12-05'
    """
    if not isinstance(commendation, Commendation):
        raise InvalidTypeError(
            "commendation", f"must be a Commendation, not {type(commendation).__name__}"
        )
    out: dict[str, Any] = {
        "format_version": PARTS_FORMAT_VERSION,
        "name": commendation.name,
        "date": commendation.date.isoformat(),
        "awarding_body": commendation.awarding_body,
        "level": commendation.level,
        "documented": commendation.documented,
    }
    if commendation.volunteer_id is not None:
        out["volunteer_id"] = commendation.volunteer_id
    return out


_EVALUATION_FIELDS: Final = frozenset(
    {"format_version", "rating", "date", "evaluator", "record_id", "comment", "volunteer_id"}
)


def parse_evaluation_record(payload: Mapping[str, Any]) -> EvaluationRecord:
    """Read an evaluation record from its wire form.

    Fields: ``format_version`` (``1``), ``rating`` (one of :data:`~volunteer_rules.RATINGS`),
    ``date`` (ISO date), ``evaluator`` (1–100 characters), optional ``record_id`` and
    ``volunteer_id`` (ids), optional ``comment`` (1–2000 characters).

    Raises:
        RecordFormatError: with ``what="evaluation record"`` and every problem found.

    Example:
        >>> record = parse_evaluation_record({"format_version": 1, "rating": "good",
        ...     "date": "2024-05-03", "evaluator": "王芳", "record_id": "r-2024-0001"})
        >>> record.rating, record.record_id
        ('good', 'r-2024-0001')
    """
    read = Reader(payload, _EVALUATION_FIELDS, "an evaluation record")
    if read.errors and not read.data:
        read.fail("evaluation record")
    read.version()
    rating = read.choice("rating", RATINGS)
    day = read.date("date")
    evaluator = read.text("evaluator", max_length=100)
    record_id = read.ident("record_id", required=False)
    comment = read.text("comment", required=False, max_length=2000)
    volunteer_id = read.ident("volunteer_id", required=False)
    read.fail("evaluation record")
    return EvaluationRecord(
        rating=_known(rating),
        date=_known(day),
        evaluator=_known(evaluator),
        record_id=record_id,
        comment=comment,
        volunteer_id=volunteer_id,
    )


def dump_evaluation_record(evaluation: EvaluationRecord) -> dict[str, Any]:
    """The canonical wire form of an evaluation record (see :func:`parse_evaluation_record`).

    Raises:
        InvalidTypeError: ``evaluation`` is not an :class:`EvaluationRecord`.

    Example:
        >>> from datetime import date
        >>> dump_evaluation_record(EvaluationRecord(rating="pass", date=date(2024, 5, 3),
        ...     evaluator="王芳"))
        {'format_version': 1, 'rating': 'pass', 'date': '2024-05-03', 'evaluator': '王芳'}
    """
    if not isinstance(evaluation, EvaluationRecord):
        raise InvalidTypeError(
            "evaluation", f"must be an EvaluationRecord, not {type(evaluation).__name__}"
        )
    out: dict[str, Any] = {
        "format_version": PARTS_FORMAT_VERSION,
        "rating": evaluation.rating,
        "date": evaluation.date.isoformat(),
        "evaluator": evaluation.evaluator,
    }
    if evaluation.record_id is not None:
        out["record_id"] = evaluation.record_id
    if evaluation.comment is not None:
        out["comment"] = evaluation.comment
    if evaluation.volunteer_id is not None:
        out["volunteer_id"] = evaluation.volunteer_id
    return out
