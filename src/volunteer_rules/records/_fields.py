"""Reading one field of a service record: the value, or a problem that says what is wrong.

Each ``read_*`` function takes the value as given and a :class:`Problems` collector, and
returns the value the record keeps (trimmed, canonical) or ``None`` after adding the problem
(path, code and message, with any identity number masked). The general reader of
:mod:`volunteer_rules.records.parsing` is made of them. The caches here remember values that
repeat across a batch (organizations, dates, evaluations, volunteer ids).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Collection, Mapping
from typing import Final, Literal

from volunteer_rules._iso import read_date as iso_date
from volunteer_rules._iso import read_datetime as iso_datetime
from volunteer_rules.errors import FieldError, InvalidIdentifierError
from volunteer_rules.records._json import (
    type_name,
    unknown_field,
    unstorable,
)
from volunteer_rules.records._wording import _ID_CHARS_RE as _ID_CHARS_RE
from volunteer_rules.records._wording import (
    DATE_TYPE,
    MOMENT_TYPE,
    WHOLE,
    choice_problem,
    date_problem,
    id_problem,
    moment_problem,
    named,
    out_of_range,
    too_long,
    volunteer_id_problem,
    wrong_type,
)
from volunteer_rules.records._wording import ID_MAX as ID_MAX
from volunteer_rules.records._wording import RESIDENT_ID_RE as RESIDENT_ID_RE
from volunteer_rules.records._wording import blank as blank_message
from volunteer_rules.records.identifiers import OrganizationCode
from volunteer_rules.records.region import RegionCode
from volunteer_rules.records.service_record import (
    MAX_YEAR,
    MIN_YEAR,
    RATINGS,
    Evaluation,
    unchecked_evaluation,
)

NAME_MAX: Final = 200  # activity_name, place, beneficiary
CONTENT_MAX: Final = 2000
PERSON_MAX: Final = 100  # person_in_charge, recorded_by
MAX_MINUTES: Final = 1440

ID_RE: Final = re.compile(r"[A-Za-z0-9._-]{1,64}", re.ASCII)
_EVALUATION_FIELDS: Final = ("rating", "date")
_RATING_SET: Final = frozenset(RATINGS)
_RATING_CANONICAL: Final = {rating: rating for rating in RATINGS}

ORGANIZATIONS: dict[str, str] = {}
"""Organization ids already validated: text as given -> canonical form."""
_ORGANIZATIONS_MAX: Final = 4096
DATES: dict[str, _dt.date] = {}
"""Dates already read: text -> date (dates repeat a lot in a batch)."""
_DATES_MAX: Final = 65536
EVALUATIONS: dict[tuple[object, object], Evaluation] = {}
"""Evaluations already read: ``(rating, date)`` as given -> the evaluation (shared)."""
_EVALUATIONS_MAX: Final = 65536


class Problems:
    """Collects field errors; cheap when nothing goes wrong."""

    __slots__ = ("errors", "prefix")

    def __init__(self, prefix: str) -> None:
        self.errors: list[FieldError] = []
        self.prefix = prefix

    def add(self, field: str, code: str, message: str) -> None:
        path = f"{self.prefix}.{field}" if field else self.prefix
        self.errors.append(FieldError(path, code, message))

    def add_path(self, path: str, code: str, message: str) -> None:
        self.errors.append(FieldError(path, code, message))


Blank = Literal["missing", "absent", "kept"]
"""What a blank text (empty or white space only) is to :func:`read_text`: a ``missing`` problem,
``absent`` (``None``, no problem) or ``kept`` (the text as given)."""


def read_text(
    value: object,
    field: str,
    maximum: int | None,
    problems: Problems,
    *,
    required: bool = True,
    as_given: bool = False,
    blank: Blank | None = None,
) -> str | None:
    """A text member, trimmed: the one reading of a text in every wire form.

    ``None`` is absent (``missing`` when ``required``); anything but a string is
    ``invalid_type``; a text holding what cannot be stored is ``invalid_format``; longer than
    ``maximum`` characters (``None``: any length) is ``out_of_range``. ``as_given`` keeps the
    text as given (white space around it included, and counted in its length); ``blank`` says
    what a blank text is (:data:`Blank`), by default ``missing`` when ``required``, else
    ``absent``. :meth:`.Reader.text` reads with it.

    Example:
        >>> problems = Problems("$")
        >>> read_text(" 站 ", "name", 200, problems), read_text(" ", "note", 9, problems, required=False)
        ('站', None)
        >>> read_text(" 站 ", "name", 3, problems, as_given=True), read_text(7, "name", 200, problems)
        (' 站 ', None)
        >>> [str(e) for e in problems.errors]
        ['$.name: invalid_type: name must be a string, not number']
    """
    if value is None:
        if required:
            problems.add(field, "missing", f"{field} is required")
        return None
    if not isinstance(value, str):
        problems.add(field, "invalid_type", wrong_type(field, "a string", value))
        return None
    text = str.strip(value)
    if not text:
        if blank is None:
            blank = "missing" if required else "absent"
        if blank == "missing":
            problems.add(field, "missing", blank_message(field))
        if blank != "kept":
            return None
    elif (why := unstorable(text)) is not None:
        problems.add(field, "invalid_format", named(field, why))
        return None
    if as_given or not text:
        text = value  # white space only around what was checked: nothing unstorable
    if maximum is not None and len(text) > maximum:
        problems.add(field, "out_of_range", too_long(field, maximum, len(text)))
        return None
    return text


def read_identifier(
    value: object, field: str, problems: Problems, *, required: bool = True
) -> str | None:
    """A trimmed id: 1-64 letters, digits, ``-``, ``_``, ``.``."""
    text = read_text(value, field, None, problems, required=required)
    if text is None:
        return None
    if ID_RE.fullmatch(text):
        return text
    problems.add(field, *id_problem(field, text))
    return None


def read_volunteer_id(value: object, problems: Problems) -> str | None:
    text = read_identifier(value, "volunteer_id", problems)
    if text is not None and (problem := volunteer_id_problem(text)) is not None:
        problems.add("volunteer_id", *problem)
        return None
    return text


ORGANIZATION_ID_SHAPE: Final = (
    "an 18-character unified social credit code (GB 32100) or 'G-' and 1-62 letters, digits, "
    "'-', '_' or '.'"
)
"""How the messages describe an organization id (:func:`organization_id_problem`)."""
GROUP_ID_MAX: Final = ID_MAX - 2
"""The most id characters after ``G-`` in an unregistered group's organization id."""


def organization_id_problem(text: str) -> tuple[str, str] | None:
    """Why ``text`` is no organization id: ``(code, message)`` of the record format, or ``None``.

    The one rule of an organization id (docs/record-format.md), which every reader and the
    community's classes call: ``G-`` and 1 to :data:`GROUP_ID_MAX` id characters (an
    unregistered group's platform id; more is ``out_of_range``), or an 18-character unified
    social credit code (GB 32100, lowercase letters read as uppercase) whose two check
    characters are right (else ``checksum``); anything else, white space around it included,
    is ``invalid_format``. The message follows the member's name and never repeats the id.

    Example:
        >>> organization_id_problem("G-team") is None, organization_id_problem("51211100mj00000175")
        (True, None)
        >>> organization_id_problem("G-" + "a" * 63)
        ('out_of_range', "must be 'G-' and at most 62 id characters, not 63")
        >>> organization_id_problem("91110000600037342L")
        ('checksum', 'fails the GB 32100 check: the check character (position 18) is wrong')
    """
    if text.startswith("G-"):
        rest = text[2:]
        if not rest or not _ID_CHARS_RE.fullmatch(rest):
            return "invalid_format", f"must be {ORGANIZATION_ID_SHAPE}"
        if len(rest) > GROUP_ID_MAX:
            return (
                "out_of_range",
                f"must be 'G-' and at most {GROUP_ID_MAX} id characters, not {len(rest)}",
            )
        return None
    if text != text.strip():  # the credit code's reader would drop it: the text is not the id
        return "invalid_format", f"must be {ORGANIZATION_ID_SHAPE}, without white space around it"
    try:
        OrganizationCode.parse(text)
    except InvalidIdentifierError as error:
        reason = str(error).split(": ", 1)[-1]
        if error.code == "checksum":
            return "checksum", f"fails the GB 32100 check: {reason}"
        return "invalid_format", f"must be {ORGANIZATION_ID_SHAPE}: {reason}"
    return None


def canonical_organization_id(text: str) -> str:
    """An organization id as the record format writes it (one that passes the rule).

    A credit code in uppercase, a group's ``G-`` id as given (:func:`organization_id_problem`
    has passed it).

    Example:
        >>> canonical_organization_id("51211100mj00000175"), canonical_organization_id("G-Team")
        ('51211100MJ00000175', 'G-Team')
    """
    return text if text.startswith("G-") else text.upper()


def read_organization_id(value: object, problems: Problems) -> str | None:
    """A trimmed organization id (:func:`organization_id_problem`), its credit code uppercase."""
    if type(value) is str:
        found = ORGANIZATIONS.get(value)
        if found is not None:
            return found
    text = read_text(value, "organization_id", None, problems)
    if text is None:
        return None
    problem = organization_id_problem(text)
    if problem is not None:
        code, message = problem
        problems.add("organization_id", code, f"organization_id {message}")
        return None
    canonical = canonical_organization_id(text)
    if type(value) is str:
        if len(ORGANIZATIONS) >= _ORGANIZATIONS_MAX:
            ORGANIZATIONS.clear()
        ORGANIZATIONS[value] = canonical
    return canonical


REGION_TYPE: Final = "a string of 6 digits"
"""What a region code member must be (:func:`wrong_type`)."""


def read_region(value: object, problems: Problems, field: str = "region_code") -> RegionCode | None:
    """A trimmed GB/T 2260 region code, assigned at some time: the one reading of every form.

    Example:
        >>> problems = Problems("$")
        >>> read_region(" 211103 ", problems).code, read_region("211199", problems, "region")
        ('211103', None)
        >>> [str(e) for e in problems.errors]
        ['$.region: unknown_code: region 211199 was never assigned in GB/T 2260']
    """
    if value is None:
        problems.add(field, "missing", f"{field} is required")
        return None
    if not isinstance(value, str):
        problems.add(field, "invalid_type", wrong_type(field, REGION_TYPE, value))
        return None
    text = str.strip(value)
    if not text:
        problems.add(field, "missing", blank_message(field))
        return None
    try:
        return RegionCode.parse(text)
    except InvalidIdentifierError as error:
        if error.code == "unknown_region":
            problems.add(field, "unknown_code", f"{field} {text} was never assigned in GB/T 2260")
        else:
            problems.add(
                field, "invalid_format", f"{field} must be a 6-digit GB/T 2260 code such as 211103"
            )
        return None


def read_choice(
    value: object, field: str, allowed: Collection[str], problems: Problems
) -> str | None:
    if value is None:
        problems.add(field, "missing", f"{field} is required")
        return None
    if not isinstance(value, str):
        problems.add(field, "invalid_type", wrong_type(field, "a string", value))
        return None
    text = str.strip(value)
    if not text:
        problems.add(field, "missing", blank_message(field))
        return None
    if text in allowed:
        return str(text)
    problems.add(field, "unknown_code", choice_problem(field, text, allowed))
    return None


YEARS: Final = f"must fall in the years {MIN_YEAR} to {MAX_YEAR}"
"""The format's years, as a message says them after a member's name."""


def years_problem(value: _dt.date) -> str | None:
    """:data:`YEARS` when a date or date-time (in its own offset) is outside them, else ``None``.

    The one year rule of every wire form, and of the values that are written in one (the time
    slots of :mod:`volunteer_rules.matching.schedule`).

    Example:
        >>> years_problem(_dt.date(1900, 1, 1)), years_problem(_dt.date(3000, 1, 1))
        (None, 'must fall in the years 1900 to 2999')
    """
    return None if MIN_YEAR <= value.year <= MAX_YEAR else YEARS


def year_in_range(value: _dt.date, field: str, problems: Problems) -> bool:
    """Whether a date or date-time falls in the format's years (else ``out_of_range``).

    Example:
        >>> problems = Problems("$")
        >>> year_in_range(_dt.date(1900, 1, 1), "date", problems)
        True
        >>> year_in_range(_dt.date(3000, 1, 1), "date", problems), problems.errors[0].message
        (False, 'date must fall in the years 1900 to 2999')
    """
    problem = years_problem(value)
    if problem is None:
        return True
    problems.add(field, "out_of_range", named(field, problem))
    return False


def read_date(value: object, field: str, problems: Problems) -> _dt.date | None:
    if value is None:
        problems.add(field, "missing", f"{field} is required")
        return None
    if not isinstance(value, str):
        problems.add(field, "invalid_type", wrong_type(field, DATE_TYPE, value))
        return None
    text = str.strip(value)
    if not text:
        problems.add(field, "missing", blank_message(field))
        return None
    day = iso_date(text)
    if day is None:
        problems.add(field, "invalid_format", date_problem(field, text))
        return None
    return day if year_in_range(day, field, problems) else None


def read_datetime(
    value: object, field: str, default_tz: _dt.tzinfo | None, problems: Problems
) -> _dt.datetime | None:
    if value is None:
        problems.add(field, "missing", f"{field} is required")
        return None
    if not isinstance(value, str):
        problems.add(field, "invalid_type", wrong_type(field, MOMENT_TYPE, value))
        return None
    text = str.strip(value)
    if not text:
        problems.add(field, "missing", blank_message(field))
        return None
    moment = iso_datetime(text)
    if moment is None or (moment.tzinfo is None and default_tz is None):
        problems.add(field, "invalid_format", moment_problem(field, text))
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_tz)
        try:
            usable = moment.utcoffset() is not None
        except Exception:  # a caller's tzinfo may fail in any way
            usable = False
        if not usable:
            problems.add(field, "invalid_format", f"default_tz gives no UTC offset for {field}")
            return None
    return moment if year_in_range(moment, field, problems) else None


def read_minutes(value: object, problems: Problems) -> int | None:
    if value is None:
        problems.add("service_minutes", "missing", "service_minutes is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add("service_minutes", "invalid_type", wrong_type("service_minutes", WHOLE, value))
        return None
    minutes = int(value)
    if 1 <= minutes <= MAX_MINUTES:
        return minutes
    problems.add(
        "service_minutes", "out_of_range", out_of_range("service_minutes", 1, MAX_MINUTES, minutes)
    )
    return None


def read_evaluation(value: object, problems: Problems) -> Evaluation | None:
    if not isinstance(value, Mapping):
        problems.add(
            "evaluation",
            "invalid_type",
            f"evaluation must be an object with rating and date, not {type_name(value)}",
        )
        return None
    inner = Problems(problems.prefix + ".evaluation")
    try:
        items = list(value.items())
    except Exception:  # a broken mapping given by a caller
        problems.add("evaluation", "invalid_type", "evaluation could not be read as an object")
        return None
    given = dict(items)
    for key in given:
        if key not in _EVALUATION_FIELDS:
            inner.errors.append(unknown_field(inner.prefix, key, "an evaluation (rating, date)"))
    rating = read_choice(given.get("rating"), "rating", _RATING_SET, inner)
    day = read_date(given.get("date"), "date", inner)
    problems.errors.extend(inner.errors)
    if rating is None or day is None or inner.errors:
        return None
    return unchecked_evaluation(rating, day)


def cached_date(text: object) -> _dt.date | None:
    """A valid ISO date (``YYYY-MM-DD``, years in range) through the cache, else ``None``."""
    if type(text) is not str or len(text) != 10 or text[4:8:3] != "--" or not text.isascii():
        return None
    try:
        day = _dt.date.fromisoformat(text)
    except ValueError:
        return None
    if years_problem(day) is not None:
        return None
    if len(DATES) >= _DATES_MAX:
        DATES.clear()
    DATES[text] = day
    return day


def cached_evaluation(key: tuple[object, object]) -> Evaluation | None:
    """The evaluation of a valid ``(rating, date)`` pair through the cache, else ``None``.

    Evaluations are immutable, so records may share one (as they share ``Hours`` values).
    """
    rating = _RATING_CANONICAL.get(key[0])  # type: ignore[call-overload]
    day = DATES.get(key[1]) or cached_date(key[1])  # type: ignore[call-overload]
    if rating is None or day is None:
        return None
    if len(EVALUATIONS) >= _EVALUATIONS_MAX:
        EVALUATIONS.clear()
    evaluation = EVALUATIONS[key] = unchecked_evaluation(rating, day)
    return evaluation
