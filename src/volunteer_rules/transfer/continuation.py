"""Continuation (接续): the volunteer's level before a move and after it.

The level before the move is the package's records under the source's rule set; the level
after it is the whole history (what the destination holds, and each package record whose key
it does not hold) under the destination's rule set, found by region (Taiwan record book Art. 7
[TW-BOOK] and the CYL card [CYL-card]: the record continues across organisations; rule 19).

Example:
    >>> import volunteer_rules as vr
    >>> from datetime import date, datetime, timezone
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> package = vr.create_transfer_package(
    ...     [record], volunteer_id=record.volunteer_id,
    ...     source_organization_id=record.organization_id, source_region_code="211103",
    ...     destination_organization_id="G-b", destination_region_code="110105",
    ...     consent=True, created_at=datetime(2024, 6, 1, tzinfo=timezone.utc))
    >>> vr.transfer_continuation(package, as_of=date(2024, 6, 1)).after.rule_set_id
    'cn-beijing'
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.certification import Certification, certify_many
from volunteer_rules.rules.rule_set import Level, RuleSet
from volunteer_rules.rules.schemes import rule_set_for_region
from volunteer_rules.transfer.holdings import unwrap_record
from volunteer_rules.transfer.package import TransferPackage

__all__ = ["Continuation", "transfer_continuation"]


@masked_repr
@attrs.frozen(kw_only=True)
class Continuation:
    """The volunteer's certification before and after the move (接续).

    Attributes:
        before: the certification of the package's records under the source's rule set.
        after: the certification of the whole history (what the destination holds, and each
            package record whose key it does not hold) under the destination's rule set.

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import date
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> levels = vr.transfer_continuation(sample_transfer_package(), as_of=date(2024, 6, 1))
        >>> levels.before.rule_set_id, levels.after.rule_set_id
        ('cn-national', 'cn-beijing')
    """

    before: Certification
    after: Certification

    @property
    def level_before(self) -> Level:
        """The level before the move (``.rank``, ``.name``).

        Example:
            >>> import volunteer_rules as vr
            >>> from datetime import date
            >>> from volunteer_rules.testing.examples import sample_transfer_package
            >>> levels = vr.transfer_continuation(sample_transfer_package(), as_of=date(2024, 6, 1))
            >>> levels.level_before.rank, levels.level_before.name
            (0, 'none')
        """
        return self.before.level

    @property
    def level_after(self) -> Level:
        """The level after the move.

        Example:
            >>> import volunteer_rules as vr
            >>> from datetime import date
            >>> from volunteer_rules.testing.examples import sample_transfer_package
            >>> levels = vr.transfer_continuation(sample_transfer_package(), as_of=date(2024, 6, 1))
            >>> levels.level_after.rank
            0
        """
        return self.after.level

    @property
    def rank_change(self) -> int:
        """``after.level.rank - before.level.rank`` (different rule sets may rank differently).

        Example:
            >>> import volunteer_rules as vr
            >>> from datetime import date
            >>> from volunteer_rules.testing.examples import sample_transfer_package
            >>> levels = vr.transfer_continuation(sample_transfer_package(), as_of=date(2024, 6, 1))
            >>> levels.rank_change
            0
        """
        return self.after.level.rank - self.before.level.rank


def _rule_set_for(region_code: str | None, as_of: _dt.date) -> RuleSet | None:
    if region_code is None or not RegionCode.is_known(region_code):
        return None
    return rule_set_for_region(region_code, as_of=as_of)


def _certified(
    records: Iterable[ServiceRecord], rule_set: RuleSet | str, as_of: _dt.date, whom: Any
) -> Certification:
    """What ``certify`` gives the volunteer, without listing other volunteers' records."""
    return certify_many(records, rule_set=rule_set, as_of=as_of, volunteers=[whom])[
        getattr(whom, "volunteer_id", whom)
    ]


def transfer_continuation(
    package: TransferPackage,
    *,
    destination_records: Iterable[object] = (),
    as_of: _dt.date,
    rule_set: RuleSet | str | None = None,
    source_rule_set: RuleSet | str | None = None,
) -> Continuation:
    """The volunteer's level before and after the move (接续).

    Before: the package's records under the source's rule set (``source_rule_set``, else
    resolved from ``source_region_code``, else the destination's). After: the whole history
    (what the destination holds, and each package record whose key it does not hold: the
    destination's version of a key wins)
    under the destination's rule set (``rule_set``, else resolved from
    ``destination_region_code`` by region: a county inherits its city's rules, a city its
    province's, a province the national default). Both regions are resolved on ``as_of``: the
    rule set bound there on that day (Hong Kong: ``hk-swd`` until 2021-12-31,
    ``hk-hkv-award`` from 2022-01-01).

    Args:
        package: the package.
        destination_records: what the destination holds (holdings are unwrapped). Both sides
            count as ``certify`` counts: other volunteers' records never count for the
            volunteer, but their amendments apply, and a key given in two versions on one side
            counts for no one.
        as_of: the day of the certification.
        rule_set: the destination's rule set (an id or a ``RuleSet``), to override the region.
        source_rule_set: the source's rule set, to override the region.

    Raises:
        UnknownRuleSetError: an unknown rule set id.
        InvalidValueError: no rule set can be found (an unknown destination region and no
            ``rule_set``).

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import date, datetime, timezone
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> package = vr.create_transfer_package(
        ...     [record], volunteer_id=record.volunteer_id,
        ...     source_organization_id=record.organization_id,
        ...     destination_organization_id="51211100MJ00000175",
        ...     destination_region_code="110105", source_region_code="211103", consent=True,
        ...     created_at=datetime(2024, 6, 1, tzinfo=timezone.utc))
        >>> result = vr.transfer_continuation(package, as_of=date(2024, 6, 1))
        >>> result.after.counted.minutes, result.rank_change
        (120, 0)
    """
    if not isinstance(package, TransferPackage):
        raise InvalidTypeError(
            "package", f"must be a TransferPackage, not {type(package).__name__}"
        )
    after_rule_set: RuleSet | str | None = (
        rule_set if rule_set is not None else _rule_set_for(package.destination_region_code, as_of)
    )
    if after_rule_set is None:
        raise InvalidValueError(
            "destination_region_code",
            f"{package.destination_region_code!r} is not a known region: pass rule_set",
        )
    before_rule_set: RuleSet | str | None = source_rule_set
    if before_rule_set is None:
        before_rule_set = _rule_set_for(package.source_region_code, as_of) or after_rule_set
    if isinstance(destination_records, (str, bytes)):
        raise InvalidTypeError("destination_records", "must be an iterable of records")
    try:
        items = iter(destination_records)
    except TypeError:
        raise InvalidTypeError("destination_records", "must be an iterable of records") from None
    held = [unwrap_record(item) for item in items]
    # The whole history: what the destination holds, and each package record whose key it does
    # not hold. The destination's version of a key wins: a package record it already holds (with
    # other content) is a duplicate_record for check_transfer; here it must not stop the
    # comparison. Everything else is counted as certify counts it (whoever's records: their
    # amendments apply, a key in conflict on one side counts for no one).
    held_keys = {record.key for record in held}
    history = held + [r for r in package.records if r.key not in held_keys]
    volunteer = package.volunteer_id
    profile = package.profile
    whom: Any = profile if getattr(profile, "volunteer_id", None) == volunteer else volunteer
    before = _certified(package.records, before_rule_set, as_of, whom)
    after = _certified(history, after_rule_set, as_of, whom)
    return Continuation(before=before, after=after)
