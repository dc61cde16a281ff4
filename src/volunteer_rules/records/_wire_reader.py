"""Reading a wire form field by field: types, shapes and problems with their paths.

:class:`Reader` reads one JSON object field by field and collects every problem (path, code,
message, masked as every message is), the error model of the record format. The parts of a
volunteer's record (profile, training, commendation, evaluation), the community's forms
(organization, station, person served, project, attendance event), a demand
(:func:`~volunteer_rules.matching.demand.parse_demand`), a certificate
(:func:`~volunteer_rules.certificates.json_form.parse_certificate`) and a transfer package
(:func:`~volunteer_rules.transfer.package.parse_transfer_package`) are read with it: one set
of reading rules, one wording of each problem. An organization id is judged by the record
format's one rule (:func:`~volunteer_rules.records._fields.organization_id_problem`); dates,
date-times, texts, choices and region codes are read by the record reader's own functions, so every
form reads them as a record does: white space around them dropped, years 1900 to 2999.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any, Final, TypeVar, cast

from volunteer_rules._canonical import present_members
from volunteer_rules.errors import FieldError, RecordFormatError
from volunteer_rules.hours import _MAX_MINUTES
from volunteer_rules.records._fields import (
    Problems,
    canonical_organization_id,
    organization_id_problem,
    read_choice,
    read_date,
    read_datetime,
    read_region,
    read_text,
)
from volunteer_rules.records._json import show, type_name, unknown_field
from volunteer_rules.records._wording import (
    ID_SHAPE,
    WHOLE,
    id_problem,
    out_of_range,
    version_problem,
    volunteer_id_problem,
    wrong_type,
)
from volunteer_rules.records.profile_parts import _ID_PATTERN, PARTS_FORMAT_VERSION
from volunteer_rules.records.region import RegionCode

__all__ = ["ID_SHAPE", "MISSING", "MOST_MINUTES", "Check", "Reader"]

_T = TypeVar("_T")

MOST_MINUTES: Final = _MAX_MINUTES - 1
"""The most minutes an amount of :class:`~volunteer_rules.hours.Hours` may be (in magnitude)."""

Check = Callable[[str], "tuple[str, str] | None"]
"""A further rule for a text of the right shape: ``(code, message)`` of its problem, or ``None``.

The message is a whole sentence about the value and never repeats it (it may be personal)."""

# --- reading payloads ------------------------------------------------------------------------


class Reader:
    """Collects every problem of one payload (or one object inside it), field by field.

    Args:
        payload: the JSON object; anything else is one ``invalid_type`` problem at ``prefix``.
        allowed: the names of its members; any other is ``unknown_field``.
        form: what the form is called in the messages (``"a profile"``).
        prefix: where the object is (``$``, ``$.consent``, ``$.needs[2]``).

    Example:
        >>> read = Reader({"name": " 站 ", "size": True, "colour": 1, "on": "1899-12-31 "},
        ...               ("name", "size", "on"), "a form")
        >>> read.text("name"), read.integer("size", 0, 9), read.date("on")
        ('站', None, None)
        >>> [str(e) for e in read.errors]
        ['$.colour: unknown_field: is not a field of a form (names are case-sensitive)', '$.size: invalid_type: size must be a whole number (a JSON integer), not boolean', '$.on: out_of_range: on must fall in the years 1900 to 2999']
    """

    def __init__(
        self, payload: object, allowed: Collection[str], form: str, prefix: str = "$"
    ) -> None:
        self.errors: list[FieldError] = []
        self.prefix = prefix
        self.data: Mapping[Any, Any] = {}
        if not isinstance(payload, Mapping):
            self.add(prefix, "invalid_type", f"must be a JSON object, not {type_name(payload)}")
            return
        self.data = present_members(payload)
        self.errors.extend(
            unknown_field(prefix, key, form) for key in payload if key not in allowed
        )

    def path(self, key: str) -> str:
        return f"{self.prefix}.{key}"

    def add(self, path: str, code: str, message: str) -> None:
        self.errors.append(FieldError(path, code, message))

    def _member(self, key: str, required: bool) -> tuple[object, Problems]:
        """The member ``key`` as given, and a collector of its problems into this reader's."""
        problems = Problems(self.prefix)
        problems.errors = self.errors
        return self._raw(key, required), problems

    def version(self, supported: int = PARTS_FORMAT_VERSION) -> None:
        """``format_version``: an integer, and the version ``supported`` (the parts' by default)."""
        value = self.data.get("format_version")
        if value is None and not (self.data or not self.errors):
            return  # not an object: its one problem says so
        if (problem := version_problem(value, supported)) is not None:
            self.add(self.path("format_version"), *problem)

    def _raw(self, key: str, required: bool) -> object:
        value = self.data.get(key, MISSING)
        if value is MISSING and required:
            self.add(self.path(key), "missing", f"{key} is required")
        return value

    def _typed(self, key: str, required: bool, kind: type[_T], described: str) -> _T | None:
        """The member ``key`` if it is a ``kind``, else :data:`MISSING` or ``None``.

        :data:`MISSING` when absent (``missing`` when ``required``), ``None`` when of another
        type (``invalid_type``: "``key`` must be ``described``"). An integer is never a
        ``bool``; ``null`` is a member left out, so ``None`` is never a value.
        """
        value = self._raw(key, required)
        if value is MISSING or (type(value) is int if kind is int else isinstance(value, kind)):
            return cast("_T", value)
        self.add(self.path(key), "invalid_type", wrong_type(key, described, value))
        return None

    def text(
        self,
        key: str,
        *,
        required: bool = True,
        max_length: int | None = 200,
        as_given: bool = False,
        blank: bool = False,
    ) -> str | None:
        """A text member, trimmed; ``None`` when absent or refused (:func:`.read_text`).

        ``as_given`` keeps the text as given (white space around it included, and counted in
        its length), for forms whose values keep it; ``blank`` admits a text of white space
        only (then kept as given), else a blank text is ``missing``, even an optional one;
        ``max_length=None`` admits any length.
        """
        value, problems = self._member(key, required)
        if value is MISSING:
            return None
        return read_text(
            value,
            key,
            max_length,
            problems,
            required=required,
            as_given=as_given,
            blank="kept" if blank else "missing",
        )

    def ident(
        self,
        key: str,
        *,
        required: bool = True,
        pattern: re.Pattern[str] = _ID_PATTERN,
        shape: str = ID_SHAPE,
        check: Check | None = None,
    ) -> str | None:
        """An id member, trimmed: a string of ``pattern`` (described as ``shape``), then ``check``.

        The text is read as :meth:`text` reads one (:func:`.read_text`, as the record reader
        reads its ids): white space around it dropped, a blank text ``missing``, a character
        that cannot be stored ``invalid_format``. A ``volunteer_id`` shaped like a resident ID
        number or a mobile number is refused, its number masked.

        Example:
            >>> read = Reader({"a": " V-1 ", "b": "V 1"}, "ab", "a form")
            >>> read.ident("a"), read.ident("b"), read.errors[0].code
            ('V-1', None, 'invalid_format')
        """
        value = self.text(key, required=required, max_length=None)
        if value is None:
            return None
        if not pattern.fullmatch(value):
            self.add(self.path(key), *_shape_problem(key, value, pattern, shape))
            return None
        if key == "volunteer_id" and (problem := volunteer_id_problem(value)) is not None:
            self.add(self.path(key), *problem)
            return None
        if check is not None and (problem := check(value)) is not None:
            self.add(self.path(key), *problem)
            return None
        return value

    def organization_id(
        self, key: str, *, required: bool = True, as_given: bool = False
    ) -> str | None:
        """An organization id member, trimmed (:func:`.organization_id_problem`, the one rule).

        Written back as the record format writes it, a credit code in uppercase
        (:func:`.canonical_organization_id`), so that one organization has one id in every
        form; ``as_given`` keeps it exactly as written (white space and case), for a form
        whose digest covers its text. It is read as a text first (:func:`.read_text`): a
        blank id is ``missing``, as in a record, even an optional one.

        Example:
            >>> read = Reader({"a": " 51211100mj00000175", "b": "G-", "c": "91110000600037342L"},
            ...               "abc", "a form")
            >>> read.organization_id("a"), read.organization_id("b"), read.organization_id("c")
            ('51211100MJ00000175', None, None)
            >>> [str(e) for e in read.errors][1]
            '$.c: checksum: c fails the GB 32100 check: the check character (position 18) is wrong'
        """
        raw, problems = self._member(key, required)
        if raw is MISSING:
            return None
        # Read as a text first, as the record reader reads one: a blank id is ``missing``, a
        # character that cannot be stored ``invalid_format`` in the record's words.
        value = read_text(raw, key, None, problems, as_given=as_given, blank="missing")
        if value is None:
            return None
        if (problem := organization_id_problem(value)) is not None:
            code, message = problem
            self.add(self.path(key), code, f"{key} {message}")
            return None
        return value if as_given else canonical_organization_id(value)

    def organization_ids(self, key: str) -> frozenset[str] | None:
        """A required, non-empty array of organization ids, each as :meth:`organization_id`.

        Example:
            >>> Reader({"ids": ["G-a", "51211100mj00000175"]}, ["ids"], "a form").organization_ids(
            ...     "ids") == {"G-a", "51211100MJ00000175"}
            True
        """
        ids = self.names(key, required=True, pattern=None, check=organization_id_problem)
        return None if ids is None else frozenset(map(canonical_organization_id, ids))

    def region(self, key: str, *, required: bool = True) -> RegionCode | None:
        """A GB/T 2260 region code member, trimmed, read as a record's ``region_code`` is.

        Example:
            >>> read = Reader({"a": " 211103", "b": "211199"}, "ab", "a form")
            >>> read.region("a").name, read.region("b"), read.errors[0].message
            ('兴隆台区', None, 'b 211199 was never assigned in GB/T 2260')
        """
        value, problems = self._member(key, required)
        return None if value is MISSING else read_region(value, problems, key)

    def choice(self, key: str, choices: Collection[str], *, required: bool = True) -> str | None:
        """A member of ``choices``, trimmed, read as a record's ``status`` is."""
        value, problems = self._member(key, required)
        return None if value is MISSING else read_choice(value, key, choices, problems)

    def date(self, key: str, *, required: bool = True) -> _dt.date | None:
        """An ISO date member, trimmed, in the years 1900 to 2999, read as a record's ``date``."""
        value, problems = self._member(key, required)
        return None if value is MISSING else read_date(value, key, problems)

    def moment(self, key: str, *, required: bool = True) -> _dt.datetime | None:
        """A date-time member with its UTC offset, trimmed, read as a record's ``recorded_at``.

        In the years 1900 to 2999, written such as ``2024-06-05T08:55:00+08:00``.
        """
        value, problems = self._member(key, required)
        return None if value is MISSING else read_datetime(value, key, None, problems)

    def boolean(self, key: str, *, default: bool | None = None) -> bool | None:
        value = self._typed(key, default is None, bool, "true or false")
        return default if value is MISSING else value

    def integer(self, key: str, low: int, high: int, *, required: bool = True) -> int | None:
        value = self._typed(key, required, int, WHOLE)
        if value is MISSING or value is None:
            return None
        if not low <= value <= high:
            self.add(self.path(key), "out_of_range", out_of_range(key, low, high, value))
            return None
        return value

    def minutes(self, key: str, *, low: int = 0) -> int | None:
        """An amount of minutes: an integer from ``low`` to the most an :class:`.Hours` holds.

        Example:
            >>> read = Reader({"a": 90, "b": 60 * 10**15}, "ab", "a form")
            >>> read.minutes("a"), read.minutes("b"), read.errors[0].code
            (90, None, 'out_of_range')
        """
        return self.integer(key, low, MOST_MINUTES)

    def names(
        self,
        key: str,
        *,
        vocabulary: Collection[str] | None = None,
        required: bool = False,
        pattern: re.Pattern[str] | None = _ID_PATTERN,
        shape: str = ID_SHAPE,
        check: Check | None = None,
    ) -> frozenset[str] | None:
        """An array of ids, each trimmed, of ``pattern``, then ``check``, from ``vocabulary``.

        ``vocabulary`` applies when given; ``pattern=None`` leaves the shape to ``check``.

        Absent, it is empty (or ``missing`` when ``required``); a required array must not be
        empty.
        """
        value = self._typed(key, required, list, "an array of strings")
        if value is MISSING:
            return None if required else frozenset()
        if value is None:
            return None
        if required and not value:
            self.add(self.path(key), "missing", f"{key} must not be empty")
            return None
        good: set[str] = set()
        ok = True
        for index, item in enumerate(value):
            path = f"{self.path(key)}[{index}]"
            if not isinstance(item, str):
                self.add(path, "invalid_type", wrong_type("", "a string", item))
                ok = False
                continue
            item = item.strip()  # as :meth:`ident` reads an id
            if pattern is not None and not pattern.fullmatch(item):
                code, message = _shape_problem("", item, pattern, shape)
                self.add(path, code, message.lstrip())
                ok = False
            elif vocabulary is not None and item not in vocabulary:
                self.add(path, "unknown_code", f"{show(item)} is not a known code")
                ok = False
            elif check is not None and (problem := check(item)) is not None:
                self.add(path, *problem)
                ok = False
            else:
                good.add(item)
        return frozenset(good) if ok else None

    def array(self, key: str, *, required: bool = False) -> list[Any] | None:
        """An array member as given (its items for the caller to read); ``None`` when absent."""
        value = self._typed(key, required, list, "an array")
        return None if value is MISSING else value

    def member(
        self, key: str, allowed: Collection[str], form: str, *, required: bool = True
    ) -> Reader | None:
        """A reader of the object member ``key``, whose problems are this reader's.

        ``None`` when the member is absent (``missing`` when ``required``) or not an object.
        """
        value = self._raw(key, required)
        if value is MISSING:
            return None
        return self.nested(value, allowed, form, self.path(key))

    def nested(
        self, value: object, allowed: Collection[str], form: str, path: str
    ) -> Reader | None:
        """A reader of the object ``value`` at ``path``, whose problems are this reader's.

        ``None`` (with the problem) when ``value`` is not an object.
        """
        sub = Reader(value, allowed, form, path)
        self.errors.extend(sub.errors)
        sub.errors = self.errors
        return sub if isinstance(value, Mapping) else None

    def fail(self, what: str) -> None:
        if self.errors:
            raise RecordFormatError(self.errors, what=what)


def _shape_problem(key: str, value: str, pattern: re.Pattern[str], shape: str) -> tuple[str, str]:
    """Why an id of the wrong shape is refused, as ``(code, message)`` (:func:`.id_problem`).

    Too long, of the record format's id characters: ``out_of_range``, as a record's ids are;
    of other characters (or empty), or not of another ``pattern``: ``invalid_format``.
    """
    if pattern is _ID_PATTERN:
        return id_problem(key, value)
    return "invalid_format", f"{key} must be {shape}"


MISSING: Final[Any] = object()
"""What :meth:`Reader._raw` gives for a member that is absent (or ``null``)."""
