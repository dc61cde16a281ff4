"""What the record checks find: a :class:`Finding` per problem, gathered in a :class:`RecordCheck`.

Every finding has a code (:data:`FINDING_CODES`) and a severity (:data:`FINDING_SEVERITY`);
identity numbers in messages are masked. :func:`~volunteer_rules.rules.checks.check_records`
makes them; :mod:`volunteer_rules.rules.checks` re-exports these names.

Example:
    >>> from volunteer_rules.rules.finding import FINDING_SEVERITY
    >>> FINDING_SEVERITY["overlap"], FINDING_SEVERITY["superseded"]
    ('problem', 'info')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar, Final

import attrs

from volunteer_rules._frames import AsData, Column
from volunteer_rules._privacy import mask_identity_numbers, masked_repr
from volunteer_rules._validate import one_of
from volunteer_rules.errors import InvalidTypeError

__all__ = [
    "FINDING_CODES",
    "FINDING_COLUMNS",
    "FINDING_SEVERITY",
    "Finding",
    "RecordCheck",
]

FINDING_CODES: Final = ("duplicate_record", "superseded", "overlap", "daily_cap", "late")
"""Every finding code :func:`check_records` may return."""

FINDING_SEVERITY: Final[Mapping[str, str]] = MappingProxyType(
    {
        "duplicate_record": "problem",
        "superseded": "info",
        "overlap": "problem",
        "daily_cap": "problem",
        "late": "problem",
    }
)
"""Finding code to severity: ``problem`` (something to fix) or ``info`` (worth knowing)."""


def _masked_message(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError("message", "message must be a str")
    return mask_identity_numbers(value)


@masked_repr
@attrs.frozen(kw_only=True)
class Finding:
    """One thing the record checks found about one record.

    Attributes:
        code: one of :data:`FINDING_CODES`.
        organization_id: the record's organization.
        record_id: the record's id.
        volunteer_id: the volunteer the record belongs to.
        message: one sentence a person can act on. Anything shaped like a resident ID number
            is masked in it, and in the ``repr`` (``211102***********X``).
        related: the keys ``(organization_id, record_id)`` of the other records involved (the
            record it overlaps, the amendment that supersedes it...), sorted.
        line: where the record version came from (a line number), when the caller said so
            (:meth:`RecordChecker.add` with ``line``); ``None`` otherwise.

    Example:
        >>> finding = Finding(code="late", organization_id="G-a", record_id="r-1",
        ...                   volunteer_id="V1", message="entered late")
        >>> finding.key, finding.severity
        (('G-a', 'r-1'), 'problem')
    """

    code: str = attrs.field(validator=one_of(FINDING_CODES))
    organization_id: str
    record_id: str
    volunteer_id: str
    message: str = attrs.field(converter=_masked_message)
    related: tuple[tuple[str, str], ...] = ()
    line: int | None = attrs.field(default=None, eq=False)

    @property
    def key(self) -> tuple[str, str]:
        """``(organization_id, record_id)`` of the record the finding is about.

        Example:
            >>> Finding(code="overlap", organization_id="G-a", record_id="r-2",
            ...         volunteer_id="V1", message="overlaps r-1").key
            ('G-a', 'r-2')
        """
        return (self.organization_id, self.record_id)

    @property
    def severity(self) -> str:
        """``problem`` or ``info`` (see :data:`FINDING_SEVERITY`).

        Example:
            >>> Finding(code="superseded", organization_id="G-a", record_id="r-1",
            ...         volunteer_id="V1", message="amended by r-2").severity
            'info'
        """
        return FINDING_SEVERITY[self.code]

    def sort_key(self) -> tuple[str, str, str, str, tuple[tuple[str, str], ...], str]:
        """The order findings are reported in: volunteer, record, code, related, message.

        Example:
            >>> Finding(code="late", organization_id="G-a", record_id="r-1",
            ...         volunteer_id="V1", message="x").sort_key()[:3]
            ('V1', 'G-a', 'r-1')
        """
        return (
            self.volunteer_id,
            self.organization_id,
            self.record_id,
            self.code,
            self.related,
            self.message,
        )


FINDING_COLUMNS: Final[tuple[Column, ...]] = (
    ("volunteer_id", "string", False),
    ("organization_id", "string", False),
    ("record_id", "string", False),
    ("code", "string", False),
    ("severity", "string", False),
    ("message", "string", False),
    ("related", "list<struct<organization_id: string, record_id: string>>", False),
    ("line", "int64", True),
)
"""The findings table, one row per :class:`Finding`, in the order of
:attr:`RecordCheck.findings` (``severity`` is ``problem`` or ``info``; ``message`` masked)."""


@masked_repr
@attrs.frozen(kw_only=True)
class RecordCheck(AsData):
    """The result of :func:`check_records`: the findings and a few counts.

    ``to_rows()``, ``to_arrow()``, ``to_polars()`` and ``to_pandas()`` give the findings as a
    table (:data:`FINDING_COLUMNS`).

    Attributes:
        findings: every finding, sorted by volunteer, record, then code.
        records: how many records were given (repeats included).
        repeated: how many of them were identical repeats of a record already seen (ignored).
        volunteers: how many distinct volunteers the records belong to.
        calendar_version: the working-day calendar data the ``late`` findings rest on
            (:func:`~volunteer_rules.records.calendar_version`), e.g. ``"holidays 0.109
            (official arrangements 2001-2026)"``; ``None`` for a calendar that does not say.

    Example:
        >>> result = RecordCheck(findings=(), records=3, repeated=1, volunteers=2)
        >>> result.ok, result.counts
        (True, {})
    """

    columns: ClassVar[Sequence[Column]] = FINDING_COLUMNS

    findings: tuple[Finding, ...]
    records: int
    repeated: int
    volunteers: int
    calendar_version: str | None = None

    def to_rows(self) -> list[dict[str, Any]]:
        """One plain row per finding (:data:`FINDING_COLUMNS`), in the findings' order.

        Example:
            >>> finding = Finding(code="late", organization_id="G-a", record_id="r-1",
            ...                   volunteer_id="V1", message="entered late")
            >>> check = RecordCheck(findings=(finding,), records=1, repeated=0, volunteers=1)
            >>> check.to_rows()[0]["severity"], check.to_polars().height
            ('problem', 1)
        """
        return [
            {
                "volunteer_id": f.volunteer_id,
                "organization_id": f.organization_id,
                "record_id": f.record_id,
                "code": f.code,
                "severity": f.severity,
                "message": f.message,
                "related": [{"organization_id": o, "record_id": r} for o, r in f.related],
                "line": f.line,
            }
            for f in self.findings
        ]

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings per code (codes without findings are left out).

        Example:
            >>> RecordCheck(findings=(), records=0, repeated=0, volunteers=0).counts
            {}
        """
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.code] = counts.get(finding.code, 0) + 1
        return counts

    @property
    def ok(self) -> bool:
        """``True`` when no finding has severity ``problem``.

        Example:
            >>> RecordCheck(findings=(), records=0, repeated=0, volunteers=0).ok
            True
        """
        return all(FINDING_SEVERITY[finding.code] != "problem" for finding in self.findings)
