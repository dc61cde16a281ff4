"""The errors the library raises on purpose.

Every error is a subclass of :class:`VolunteerRulesError`, mixed into the nearest built-in
exception so that ``except ValueError`` keeps working for callers who do not know the library.
Errors are raised for misuse and bad input only; expected business outcomes (a transfer that is
not allowed, a record that does not count) are returned as values with reasons.

No message ever contains a full ID-card number or contact: values that may be personal data are
masked before they reach an error.

Every error travels: it pickles and unpickles to an error of the same type with the same
message and attributes (``key``, ``code``, ``what``, ``errors``...), so a process pool, a Spark
or a Dask worker can raise one and the caller receives it as raised.

Example:
    >>> import volunteer_rules as vr
    >>> try:
    ...     vr.Hours.from_hours("0.001")
    ... except vr.VolunteerRulesError as error:
    ...     print(type(error).__name__, isinstance(error, ValueError))
    InvalidValueError True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import attrs

from volunteer_rules._privacy import mask_personal_data, masked_repr

__all__ = [
    "FIELD_ERROR_CODES",
    "ConflictError",
    "FieldError",
    "InvalidIdentifierError",
    "InvalidTypeError",
    "InvalidValueError",
    "MissingDependencyError",
    "NotFoundError",
    "RecordFormatError",
    "RuleSetError",
    "StorageError",
    "UnknownRuleSetError",
    "VolunteerRulesError",
]


def _rebuild_error(
    cls: type[VolunteerRulesError], args: tuple[Any, ...], state: dict[str, Any]
) -> VolunteerRulesError:
    """Make an error again from its type, ``args`` and attributes (the inverse of pickling).

    The constructor is not called (the subclasses' constructors take other arguments than
    ``args``, the formatted message), so no subclass has to say how it is pickled.
    """
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class VolunteerRulesError(Exception):
    """Root of every error the library raises on purpose.

    Every subclass pickles as it is: the same type, message (``args``) and attributes come
    back, whatever its constructor takes (the traceback and ``__cause__`` do not travel, as
    with any exception).

    Example:
        >>> import pickle
        >>> issubclass(RecordFormatError, VolunteerRulesError)
        True
        >>> error = pickle.loads(pickle.dumps(ConflictError("t-1", "t-1 exists")))
        >>> type(error).__name__, error.key, str(error)
        ('ConflictError', 't-1', 't-1 exists')
    """

    def __str__(self) -> str:
        """The message, with anything shaped like a resident ID number or a contact masked.

        Ids are opaque to the library: an ID number given as a record id, a volunteer id or a
        file name, or a mobile number or an e-mail address given as a name, never appears
        whole in an error (:mod:`volunteer_rules._privacy`).

        Example:
            >>> str(NotFoundError("11010519491231002X", "no record 11010519491231002X"))
            'no record 110105***********X'
            >>> str(InvalidValueError("name", "'13812345678' is not snake_case"))
            "name: '138****5678' is not snake_case"
        """
        return mask_personal_data(super().__str__())

    def __repr__(self) -> str:
        """``Type('message')``, masked like :meth:`__str__`.

        Example:
            >>> ConflictError("k", "record 110105491231002 differs")
            ConflictError('record 110105********2 differs')
        """
        return mask_personal_data(super().__repr__())

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as type, ``args`` and attributes (see :func:`_rebuild_error`).

        Example:
            >>> import copy
            >>> copy.copy(InvalidValueError("as_of", "must be a date")).what
            'as_of'
        """
        return (_rebuild_error, (type(self), self.args, dict(self.__dict__)))


class InvalidValueError(VolunteerRulesError, ValueError):
    """An argument has the right type but a value the library cannot accept.

    Attributes:
        what: the name of the argument or field that is wrong (``"minutes"``, ``"as_of"``).

    Example:
        >>> error = InvalidValueError("as_of", "must be a date")
        >>> str(error), error.what
        ('as_of: must be a date', 'as_of')
    """

    def __init__(self, what: str, message: str) -> None:
        super().__init__(f"{what}: {message}")
        self.what = what


class InvalidTypeError(VolunteerRulesError, TypeError):
    """An argument has a type the library does not accept (a ``float`` for hours, say).

    Attributes:
        what: the name of the argument or field that is wrong.

    Example:
        >>> error = InvalidTypeError("hours", "float is not exact; use str, int or Decimal")
        >>> isinstance(error, TypeError), error.what
        (True, 'hours')
    """

    def __init__(self, what: str, message: str) -> None:
        super().__init__(f"{what}: {message}")
        self.what = what


class InvalidIdentifierError(VolunteerRulesError, ValueError):
    """An identifier (resident ID, credit code, region code) is not valid.

    Attributes:
        code: why: ``length``, ``invalid_format``, ``checksum``, ``invalid_date`` or
            ``unknown_region``.
        kind: which identifier was being read (``"resident ID"``, ``"region code"``...).

    The message never repeats a full resident ID number.

    Example:
        >>> error = InvalidIdentifierError("checksum", "resident ID", "check character is wrong")
        >>> error.code, str(error)
        ('checksum', 'resident ID: check character is wrong')
    """

    CODES = frozenset({"length", "invalid_format", "checksum", "invalid_date", "unknown_region"})

    def __init__(self, code: str, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.code = code
        self.kind = kind


FIELD_ERROR_CODES: Final = (
    "missing",
    "unknown_field",
    "invalid_type",
    "invalid_format",
    "out_of_range",
    "checksum",
    "unknown_code",
    "inconsistent",
    "unsupported_version",
)
"""The codes of the record format's error model: every wire-form reader gives one of these.

The readers of lines (the command line, :mod:`volunteer_rules.tables`) add their own for a
line as a whole: ``invalid_json``, ``invalid_encoding``, and ``duplicate_record`` for a record
given twice with different content.

Example:
    >>> FIELD_ERROR_CODES[:3]
    ('missing', 'unknown_field', 'invalid_type')
"""


@masked_repr
@attrs.frozen
class FieldError:
    """One problem found in a payload: where, what kind, and a sentence a person can act on.

    Attributes:
        path: where, as ``$.field`` or ``$.evaluation.rating``.
        code: one of :data:`FIELD_ERROR_CODES` (``missing``, ``unknown_field``,
            ``invalid_type``, ``invalid_format``, ``out_of_range``, ``checksum``,
            ``unknown_code``, ``inconsistent``, ``unsupported_version``).
        message: one sentence.

    Example:
        >>> FieldError("$.date", "invalid_format", "date must be an ISO date such as 2019-07-19")
        FieldError(path='$.date', code='invalid_format', message='date must be an ISO date such as 2019-07-19')
    """

    path: str
    code: str
    message: str

    def __str__(self) -> str:
        return mask_personal_data(f"{self.path}: {self.code}: {self.message}")


class RecordFormatError(VolunteerRulesError, ValueError):
    """A payload (a service record, or any other wire form of the library) is malformed.

    Parsing never stops at the first problem: ``errors`` holds every problem found, each a
    :class:`FieldError`. The same error model serves every wire form the library reads
    (service records, profiles, training records, transfer packages).

    Attributes:
        errors: tuple of :class:`FieldError`, in the order the fields were checked.

    Example:
        >>> error = RecordFormatError([FieldError("$.date", "missing", "date is required")])
        >>> [(e.path, e.code) for e in error.errors]
        [('$.date', 'missing')]
        >>> str(error)
        'invalid record: $.date: missing: date is required'
    """

    def __init__(self, errors: Iterable[FieldError], *, what: str = "record") -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        self.what = what
        shown = "; ".join(str(e) for e in self.errors[:5])
        more = f" (+{len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"invalid {what}: {shown}{more}")

    def under(self, prefix: str, *, what: str | None = None) -> RecordFormatError:
        """The same problems with their paths moved under ``prefix``, as a parent reports them.

        A nested payload's ``$.date`` is ``$.records[3].date`` in a package whose fourth record
        it is.

        Args:
            prefix: the nested payload's path in its parent (``$.records[3]``).
            what: what the parent is; by default, what this error says.

        Example:
            >>> error = RecordFormatError([FieldError("$.date", "missing", "date is required")])
            >>> str(error.under("$.records[3]", what="transfer package"))
            'invalid transfer package: $.records[3].date: missing: date is required'
        """
        moved = (
            FieldError(
                prefix + (e.path[1:] if e.path.startswith("$") else f".{e.path}"), e.code, e.message
            )
            for e in self.errors
        )
        return RecordFormatError(moved, what=self.what if what is None else what)


class UnknownRuleSetError(VolunteerRulesError, LookupError):
    """No rule set is registered under the id asked for.

    Attributes:
        rule_set_id: the id that was asked for.

    Example:
        >>> UnknownRuleSetError("xx-nowhere").rule_set_id
        'xx-nowhere'
    """

    def __init__(self, rule_set_id: str, message: str | None = None) -> None:
        super().__init__(message or f"no rule set is registered under the id {rule_set_id!r}")
        self.rule_set_id = rule_set_id


class RuleSetError(VolunteerRulesError, ValueError):
    """A rule set (or time-bank policy) definition is inconsistent.

    Raised when a rule set is built: thresholds not strictly increasing, versions out of
    order, gaps in ranks and the like.

    Attributes:
        rule_set_id: the id of the rule set being built (``""`` if it has none yet).

    Example:
        >>> str(RuleSetError("cn-x", "thresholds must increase"))
        'rule set cn-x: thresholds must increase'
    """

    def __init__(self, rule_set_id: str, message: str) -> None:
        super().__init__(f"rule set {rule_set_id}: {message}")
        self.rule_set_id = rule_set_id


class ConflictError(VolunteerRulesError, ValueError):
    """An id was used again with different content, or a write lost an optimistic-lock race.

    Every id in the library is an idempotency key: the same id with the same content is a
    no-op that returns the original, the same id with different content is this error.

    Attributes:
        key: the id (or key) in conflict.

    Example:
        >>> ConflictError("t-1", "transfer t-1 exists with different content").key
        't-1'
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class StorageError(VolunteerRulesError):
    """A store failed (the backend's own error is chained as ``__cause__``).

    Example:
        >>> issubclass(NotFoundError, StorageError)
        True
    """


class NotFoundError(StorageError, LookupError):
    """A store holds nothing under the key asked for.

    Attributes:
        key: the key that was looked up.

    Example:
        >>> NotFoundError("pkg-1", "no transfer package pkg-1").key
        'pkg-1'
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class MissingDependencyError(VolunteerRulesError, ImportError):
    """An optional dependency a function needs is not installed; the message says what to run.

    Attributes:
        package: the module that could not be imported (``"pyarrow"``, ``"pandas"``...).
        install: the command that installs it (``pip install "volunteer_rules[tables]"``).

    Example:
        >>> error = MissingDependencyError("pyarrow", 'pip install "volunteer_rules[tables]"')
        >>> isinstance(error, ImportError), error.package
        (True, 'pyarrow')
        >>> str(error)
        'this needs pyarrow, which is not installed: pip install "volunteer_rules[tables]"'
    """

    def __init__(self, package: str, install: str) -> None:
        super().__init__(f"this needs {package}, which is not installed: {install}")
        self.package = package
        self.install = install
