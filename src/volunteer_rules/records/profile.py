"""The volunteer's record beyond service entries: basic information, training, commendations, evaluations.

MCA Order 67 (志愿服务记录与证明出具办法（试行）, 2020) [MCA2020] Art. 4 divides a volunteer's
record into five parts: basic information, service, training, commendations and evaluations
(State Council 志愿服务条例 [REG2017] Art. 19 lists the same five). Service entries are
:class:`~volunteer_rules.ServiceRecord`; this module gathers the other four, defined in
:mod:`~volunteer_rules.records.profile_parts` (the values), read and written by
:mod:`~volunteer_rules.records.profile_payloads`, with the personal-data helpers of
:mod:`~volunteer_rules.records.personal`:

- :class:`VolunteerProfile`: the basic information of Art. 5 (name, sex, birth date, ID
  document, residence area, contact, skills, service categories) plus the consents the rules
  ask for (:data:`CONSENTS`);
- :class:`TrainingRecord`: Art. 8 (name, content, 学习时长 study time, organizer, date), with a
  category and an optional validity period;
- :class:`Commendation`: Art. 9 (name, date, awarding body);
- :class:`EvaluationRecord`: Art. 10 (a quality rating and a date);
- :class:`MaskedProfile`: the basic information with the name, ID number and contact masked,
  what a transfer package carries when the full profile is not necessary
  (:mod:`~volunteer_rules.records.masked_profile`).

Each has a wire form (a JSON object, ``format_version`` 1) read by a ``parse_…`` function and
written by a ``dump_…`` function, with the error model of the record format: one
:class:`~volunteer_rules.RecordFormatError` listing every problem with its path and code.
``dump_x(parse_x(p)) == p`` for every canonical payload ``p`` (booleans and lists always
written, lists sorted and without repeats; absent optional values omitted, never ``null``).

Privacy: the ``repr`` of anything holding an ID-document number or a contact masks them
(:func:`mask_document_number`, :func:`mask_contact`), and no error message contains either.

Example:
    >>> from datetime import date
    >>> from volunteer_rules import IdDocument, VolunteerProfile, age_on
    >>> profile = VolunteerProfile(
    ...     volunteer_id="V0001", name="李娜", sex="female", birth_date=date(1949, 12, 31),
    ...     id_document=IdDocument(kind="resident_id", number="11010519491231002X"),
    ...     contact="13800138000",
    ... )
    >>> profile.id_document, profile.masked_contact
    (IdDocument(kind='resident_id', number='110105***********X'), '138****8000')
    >>> age_on(profile.birth_date, date(2024, 12, 30)), age_on(profile.birth_date, date(2024, 12, 31))
    (74, 75)
"""

from __future__ import annotations

from volunteer_rules.records.masked_profile import (
    MASKED_PROFILE_FIELDS,
    MaskedProfile,
    dump_masked_profile,
    mask_profile,
    parse_masked_profile,
)
from volunteer_rules.records.personal import (
    age_on,
    mask_contact,
    mask_document_number,
)
from volunteer_rules.records.profile_parts import (
    COMMENDATION_LEVELS,
    CONSENTS,
    DOCUMENT_KINDS,
    GOVERNMENT_LEVELS,
    PARTS_FORMAT_VERSION,
    SEXES,
    TRAINING_CATEGORIES,
    Commendation,
    EvaluationRecord,
    IdDocument,
    TrainingRecord,
    VolunteerProfile,
)
from volunteer_rules.records.profile_payloads import (
    dump_commendation,
    dump_evaluation_record,
    dump_profile,
    dump_training,
    parse_commendation,
    parse_evaluation_record,
    parse_profile,
    parse_training,
)

__all__ = [
    "COMMENDATION_LEVELS",
    "CONSENTS",
    "DOCUMENT_KINDS",
    "GOVERNMENT_LEVELS",
    "MASKED_PROFILE_FIELDS",
    "PARTS_FORMAT_VERSION",
    "SEXES",
    "TRAINING_CATEGORIES",
    "Commendation",
    "EvaluationRecord",
    "IdDocument",
    "MaskedProfile",
    "TrainingRecord",
    "VolunteerProfile",
    "age_on",
    "dump_commendation",
    "dump_evaluation_record",
    "dump_masked_profile",
    "dump_profile",
    "dump_training",
    "mask_contact",
    "mask_document_number",
    "mask_profile",
    "parse_commendation",
    "parse_evaluation_record",
    "parse_masked_profile",
    "parse_profile",
    "parse_training",
]
