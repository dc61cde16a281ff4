"""Award procedures as data: who reviews each level, the public notice, nominations and bans.

One :class:`AwardProcedure` per rule set (:data:`PROCEDURES`); :func:`procedure_for` gives a
rule set's own or the default (the recording organization reviews, no notice). The star
procedure of :mod:`volunteer_rules.rules.award` follows them; it re-exports these names.

Example:
    >>> procedure_for("cn-shenzhen-longgang").notice_working_days
    5
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of
from volunteer_rules.errors import InvalidTypeError, InvalidValueError

__all__ = ["PROCEDURES", "REVIEW_BODIES", "AwardProcedure", "procedure_for"]

REVIEW_BODIES: Final = ("organization", "street", "county", "district", "city", "province")
"""Bodies that may review a level: the recording organization, or a level of government (or
its volunteer federation)."""


@masked_repr
@attrs.frozen(kw_only=True)
class AwardProcedure:
    """How a scheme's levels are granted: who reviews each, the notice, nominations, bans.

    Attributes:
        rule_set_id: the rule set it belongs to.
        reviewers: the reviewing body per rank (``reviewers[0]`` for rank 1...); a rank beyond
            the tuple uses the last body.
        notice_working_days: working days of public notice (公示) before a grant; ``0``: none.
        nomination_ranks: ranks that must be nominated by the organization.
        ban_years: the shortest and longest ban, in whole years, for falsified records.
        sources: where the procedure comes from (keys of ``docs/sources.md``), or that it is the
            library's default.

    Example:
        >>> procedure_for("cn-shenzhen-longgang").reviewer_for(4)
        'district'
    """

    rule_set_id: str = attrs.field(validator=instance_of(str))
    reviewers: tuple[str, ...] = attrs.field()
    notice_working_days: int = attrs.field(default=0)
    nomination_ranks: frozenset[int] = attrs.field(default=frozenset())
    ban_years: tuple[int, int] = attrs.field(default=(1, 3))
    sources: str = attrs.field(default="the library's default: the recording organization reviews")

    def __attrs_post_init__(self) -> None:
        if not self.reviewers or not all(r in REVIEW_BODIES for r in self.reviewers):
            raise InvalidValueError("reviewers", f"must be bodies among {REVIEW_BODIES}")
        if type(self.notice_working_days) is not int or self.notice_working_days < 0:
            raise InvalidValueError("notice_working_days", "must be an int, 0 or more")
        low, high = self.ban_years
        if not (type(low) is int and type(high) is int and 1 <= low <= high):
            raise InvalidValueError(
                "ban_years", "must be (shortest, longest) whole years, 1 or more"
            )

    def reviewer_for(self, rank: int) -> str:
        """The body that reviews the level of ``rank``.

        Example:
            >>> procedure_for("cn-national").reviewer_for(5)
            'organization'
        """
        return self.reviewers[min(rank, len(self.reviewers)) - 1]


PROCEDURES: Final[Mapping[str, AwardProcedure]] = MappingProxyType(
    {
        "cn-shenzhen-longgang": AwardProcedure(
            rule_set_id="cn-shenzhen-longgang",
            reviewers=("street", "street", "street", "district"),
            notice_working_days=5,
            sources="[SZ-LG] (1-3 stars by the street, 4 by the district); [GD-STAR] (at least"
            " 5 working days of public notice; a ban of 1-3 years for falsified hours)",
        ),
        "cn-beijing": AwardProcedure(
            rule_set_id="cn-beijing",
            reviewers=("organization", "organization", "organization", "organization", "city"),
            nomination_ranks=frozenset({5}),
            sources="[BJ-2015]: five stars by organizational nomination and a city review;"
            " other levels by the recording organization (the library's default)",
        ),
    }
)
"""The built-in procedures; a rule set without one uses :func:`procedure_for`'s default."""


def procedure_for(rule_set_id: str) -> AwardProcedure:
    """The procedure of a rule set: its own, or the default (the organization reviews, no notice).

    Example:
        >>> procedure_for("cn-beijing").nomination_ranks
        frozenset({5})
        >>> procedure_for("cn-maanshan").notice_working_days
        0
    """
    if not isinstance(rule_set_id, str):
        raise InvalidTypeError("rule_set_id", "must be a str")
    found = PROCEDURES.get(rule_set_id)
    if found is not None:
        return found
    return AwardProcedure(rule_set_id=rule_set_id, reviewers=("organization",))
