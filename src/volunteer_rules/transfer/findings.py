"""What the destination's check finds: a transfer's violations, warnings and decision.

:func:`~volunteer_rules.check_transfer` reports each reason a transfer may not go ahead as a
:class:`TransferFinding` with a code of :data:`TRANSFER_VIOLATION_CODES` (a note that does not
stop it has a code of :data:`TRANSFER_WARNING_CODES`), and returns them all in a
:class:`TransferDecision`.

Example:
    >>> finding = TransferFinding(code="overlap", message="record r-2 overlaps record r-1")
    >>> decision = TransferDecision(allowed=False, violations=(finding,), warnings=(), digest="")
    >>> decision.codes
    ('overlap',)
"""

from __future__ import annotations

from typing import Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import masked_message
from volunteer_rules.transfer.continuation import Continuation

__all__ = [
    "TRANSFER_VIOLATION_CODES",
    "TRANSFER_WARNING_CODES",
    "TransferDecision",
    "TransferFinding",
]

TRANSFER_VIOLATION_CODES: Final = (
    "consent_missing",
    "profile_consent_missing",
    "digest_mismatch",
    "summary_mismatch",
    "same_place",
    "unknown_region",
    "other_volunteer",
    "not_verified",
    "future_record",
    "duplicate_record",
    "overlap",
)
"""Every violation code :func:`~volunteer_rules.check_transfer` can report, in the order it reports them."""

TRANSFER_WARNING_CODES: Final = ("late",)
"""Every warning code :func:`~volunteer_rules.check_transfer` can report (warnings never stop a move)."""


@masked_repr
@attrs.frozen(kw_only=True)
class TransferFinding:
    """One reason a transfer may not go ahead (a violation), or a note that does not stop it.

    Attributes:
        code: a code from :data:`TRANSFER_VIOLATION_CODES` or :data:`TRANSFER_WARNING_CODES`.
        message: one sentence a person can act on. An ID number or a personal contact in it
            (a volunteer id or record id that is one, wrongly) is masked
            (``211103***********6``); ``record_key`` keeps the key as given.
        record_key: ``(organization_id, record_id)`` of the record concerned, if one is.

    Example:
        >>> TransferFinding(code="same_place", message="source and destination are the same")
        TransferFinding(code='same_place', message='source and destination are the same', record_key=None)
        >>> TransferFinding(code="other_volunteer", message="volunteer 211103199003150246").message
        'volunteer 211103***********6'
    """

    code: str
    message: str = attrs.field(converter=masked_message)
    record_key: tuple[str, str] | None = None


@masked_repr
@attrs.frozen(kw_only=True)
class TransferDecision:
    """What :func:`~volunteer_rules.check_transfer` decided: allowed or not, and why.

    Attributes:
        allowed: ``True`` when there is no violation (warnings do not count).
        violations: every :class:`TransferFinding` that stops the move, in the order of
            :data:`TRANSFER_VIOLATION_CODES`, then by record key.
        warnings: findings that do not stop it (``late``).
        digest: the digest computed from the package's content (compare with
            ``package.digest``).
        continuation: the certification level before and after the move (a
            :class:`~volunteer_rules.Continuation`), when asked for.
        calendar_version: the working-day calendar data the ``late`` warnings rest on
            (:func:`~volunteer_rules.records.calendar_version`); ``None`` for a calendar that
            does not say.

    Example:
        >>> decision = TransferDecision(allowed=True, violations=(), warnings=(), digest="0" * 64)
        >>> decision.allowed, decision.codes
        (True, ())
    """

    allowed: bool
    violations: tuple[TransferFinding, ...]
    warnings: tuple[TransferFinding, ...]
    digest: str
    continuation: Continuation | None = None
    calendar_version: str | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        """The distinct violation codes, in report order.

        Example:
            >>> TransferDecision(
            ...     allowed=False, digest="",
            ...     violations=(TransferFinding(code="overlap", message="x"),) * 2, warnings=(),
            ... ).codes
            ('overlap',)
        """
        return tuple(dict.fromkeys(v.code for v in self.violations))


def _short(key: tuple[str, str]) -> str:
    return f"{key[1]} ({key[0]})"


def _finding_order(finding: TransferFinding) -> tuple[tuple[str, str], str]:
    return (finding.record_key or ("", ""), finding.message)
