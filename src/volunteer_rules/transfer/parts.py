"""The other four parts of a volunteer's record inside a transfer package.

MCA Order 67 (2020), Arts. 4-10 [MCA2020], and the national information system's standard
[SYS-2015] describe a volunteer's record in five parts: basic information (基本信息), service
(服务信息), training (培训信息), commendations (表彰奖励信息) and evaluations (评价信息). The
service records are :class:`~volunteer_rules.ServiceRecord` values; the other four come from
:mod:`volunteer_rules.records.profile`. This module is the one place that knows how those parts are
checked, written and read inside a package, so the package format does not change when the
parts gain fields.

Wire members: ``profile`` (an object, omitted when not sent; the full profile, or a masked one
marked ``"masked": true``, :mod:`volunteer_rules.records.masked_profile`), ``training``,
``commendations`` and ``evaluations`` (arrays, always present, possibly empty; sorted by their
canonical JSON text so the digest never depends on the order they were given in).

Example:
    >>> PART_FIELDS
    ('profile', 'training', 'commendations', 'evaluations')
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from volunteer_rules.errors import FieldError, InvalidTypeError, RecordFormatError
from volunteer_rules.records._wire_reader import Reader
from volunteer_rules.records.masked_profile import (
    MaskedProfile,
    dump_masked_profile,
    parse_masked_profile,
)

__all__ = [
    "PART_FIELDS",
    "birth_date_of",
    "check_parts",
    "dump_parts",
    "parse_parts",
    "part_owners",
    "rebase_errors",
]

PART_FIELDS: Final = ("profile", "training", "commendations", "evaluations")
"""The package members that hold the four non-service parts of a volunteer's record."""

# part name -> (class name, dump function, parse function) in volunteer_rules.records.profile
_NAMES: Final[dict[str, tuple[str, str, str]]] = {
    "profile": ("VolunteerProfile", "dump_profile", "parse_profile"),
    "training": ("TrainingRecord", "dump_training", "parse_training"),
    "commendations": ("Commendation", "dump_commendation", "parse_commendation"),
    "evaluations": ("EvaluationRecord", "dump_evaluation_record", "parse_evaluation_record"),
}


def _profile_module() -> Any:
    try:
        return importlib.import_module("volunteer_rules.records.profile")
    except ImportError:  # pragma: no cover - only while the profile module is missing
        return None


def _api(part: str) -> tuple[type, Callable[[Any], Any], Callable[[Any], Any]] | None:
    module = _profile_module()
    if module is None:  # pragma: no cover
        return None
    class_name, dump_name, parse_name = _NAMES[part]
    try:
        return (
            getattr(module, class_name),
            getattr(module, dump_name),
            getattr(module, parse_name),
        )
    except AttributeError:  # pragma: no cover
        return None


def check_parts(
    *, profile: Any, training: Iterable[Any], commendations: Iterable[Any], evaluations: Any
) -> dict[str, Any]:
    """Check the types of the four parts; return them as package fields.

    Raises:
        InvalidTypeError: a part of the wrong type.

    Example:
        >>> check_parts(profile=None, training=[], commendations=(), evaluations=[])
        {'profile': None, 'training': (), 'commendations': (), 'evaluations': ()}
    """
    result: dict[str, Any] = {"profile": None}
    if profile is not None:
        api = _api("profile")
        if api is None or not isinstance(profile, (api[0], MaskedProfile)):
            raise InvalidTypeError(
                "profile",
                "must be a VolunteerProfile, a MaskedProfile or None, not "
                f"{type(profile).__name__}",
            )
        result["profile"] = profile
    for name, values in (
        ("training", training),
        ("commendations", commendations),
        ("evaluations", evaluations),
    ):
        if isinstance(values, (str, bytes, Mapping)):
            raise InvalidTypeError(name, "must be an iterable")
        try:
            iterator = iter(values)
        except TypeError:
            raise InvalidTypeError(name, "must be an iterable") from None
        api = _api(name)
        items = []
        for index, item in enumerate(iterator):
            if api is None or not isinstance(item, api[0]):
                expected = _NAMES[name][0]
                raise InvalidTypeError(
                    f"{name}[{index}]", f"must be a {expected}, not {type(item).__name__}"
                )
            items.append(item)
        result[name] = _in_canonical_order(name, items)
    return result


def _sort_key(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=True, separators=(",", ":"))


def _in_canonical_order(name: str, items: list[Any]) -> tuple[Any, ...]:
    """Items sorted as the wire form (and the digest) lists them: by canonical JSON text."""
    if len(items) < 2:
        return tuple(items)
    api = _api(name)
    assert api is not None
    dump = api[1]
    return tuple(item for _, item in sorted(((_sort_key(dump(i)), i) for i in items), key=_first))


def _first(pair: tuple[str, Any]) -> str:
    return pair[0]


def dump_parts(package: Any) -> dict[str, Any]:
    """The wire members of the four parts of ``package`` (a ``TransferPackage``).

    Example:
        >>> class P:
        ...     profile = None
        ...     training = commendations = evaluations = ()
        >>> dump_parts(P())
        {'training': [], 'commendations': [], 'evaluations': []}
    """
    result: dict[str, Any] = {}
    if isinstance(package.profile, MaskedProfile):
        result["profile"] = dump_masked_profile(package.profile)
    elif package.profile is not None:
        api = _api("profile")
        assert api is not None
        result["profile"] = api[1](package.profile)
    for name in PART_FIELDS[1:]:
        items = getattr(package, name)
        if not items:
            result[name] = []
            continue
        api = _api(name)
        assert api is not None
        result[name] = sorted((api[1](item) for item in items), key=_sort_key)
    return result


def rebase_errors(error: RecordFormatError, prefix: str) -> list[FieldError]:
    """Move a nested payload's error paths under ``prefix`` (``$.date`` -> ``$.records[3].date``).

    Example:
        >>> err = RecordFormatError([FieldError("$.date", "missing", "date is required")])
        >>> [e.path for e in rebase_errors(err, "$.records[3]")]
        ['$.records[3].date']
    """
    return list(error.under(prefix).errors)


def parse_parts(read: Reader) -> dict[str, Any]:
    """Read the four parts with the package's reader; their problems are the reader's.

    ``training``, ``commendations`` and ``evaluations`` absent are read as empty (they are
    optional members); a part's own problems are reported under its place (``$.profile``,
    ``$.training[2]``).

    Example:
        >>> read = Reader({"training": 3}, PART_FIELDS, "a transfer package")
        >>> parse_parts(read)["training"], [str(e) for e in read.errors]
        ((), ['$.training: invalid_type: training must be an array, not number'])
    """
    result: dict[str, Any] = {"profile": None}
    payload = read.data.get("profile")
    if isinstance(payload, Mapping) and "masked" in payload:
        # A masked profile (records.masked_profile): the minimum a transfer needs.
        try:
            result["profile"] = parse_masked_profile(payload)
        except RecordFormatError as error:
            read.errors.extend(rebase_errors(error, "$.profile"))
    elif payload is not None:
        api = _api("profile")
        if api is None:  # pragma: no cover
            read.add("$.profile", "unknown_field", "profiles are not supported")
        else:
            try:
                result["profile"] = api[2](payload)
            except RecordFormatError as error:
                read.errors.extend(rebase_errors(error, "$.profile"))
    for name in PART_FIELDS[1:]:
        result[name] = ()
        values = read.array(name)
        if not values:
            continue
        api = _api(name)
        if api is None:  # pragma: no cover
            read.add(f"$.{name}", "unknown_field", f"{name} are not supported")
            continue
        items = []
        for index, item in enumerate(values):
            try:
                items.append(api[2](item))
            except RecordFormatError as error:
                read.errors.extend(rebase_errors(error, f"$.{name}[{index}]"))
        result[name] = _in_canonical_order(name, items)
    return result


def part_owners(package: Any) -> list[tuple[str, str | None]]:
    """``(part label, volunteer_id)`` for each non-service part of ``package`` that names one.

    Example:
        >>> class P:
        ...     profile = None
        ...     training = commendations = evaluations = ()
        >>> part_owners(P())
        []
    """
    owners: list[tuple[str, str | None]] = []
    if package.profile is not None:
        owners.append(("basic information", getattr(package.profile, "volunteer_id", None)))
    for name in PART_FIELDS[1:]:
        for index, item in enumerate(getattr(package, name)):
            owners.append((f"{name}[{index}]", getattr(item, "volunteer_id", None)))
    return owners


def birth_date_of(profile: Any) -> Any:
    """The birth date a profile states, or ``None`` (no profile, or no birth date in it).

    Example:
        >>> birth_date_of(None) is None
        True
    """
    if profile is None:
        return None
    return getattr(profile, "birth_date", None)
