"""Quality conditions of a level, checked against what was evaluated, sanctioned and attested.

A rule set version can ask, per level, more than hours (:class:`~volunteer_rules.rules.
rule_set.QualityRule`): a minimum average or per-record evaluation rating, a minimum number of
evaluated records, no sanction in a period, attested conditions (who attested, when), and
continuous service. This module turns a volunteer's counted records, sanctions and attestations
on ``as_of`` into :class:`QualityFacts`, and says for each condition whether it is met
(:func:`check_level`). Certification (:func:`~volunteer_rules.certify`) reports met
conditions in ``Certification.met`` and missed ones in ``Certification.unmet``.

What is read, all on ``as_of``:

- evaluations: those of records that count (in the window, on record), given on or before
  ``as_of``; scores are :data:`~volunteer_rules.rules.rule_set.RATING_SCORES`;
- sanctions: those decided on or before ``as_of``; a ban that covers ``as_of`` blocks every
  level;
- attestations: those dated on or before ``as_of`` (a plain name counts as attested).

Example:
    >>> from datetime import date
    >>> from volunteer_rules.rules.rule_set import QualityRule
    >>> facts = QualityFacts(scores=(3, 2), counted_dates=(), sanctions=(), as_of=date(2025, 1, 1))
    >>> [c.met for c in check_quality(QualityRule(min_average_rating="good"), facts, "one_star")]
    [False]
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from fractions import Fraction
from typing import Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules.rule_set import (
    RATING_SCORES,
    Attestation,
    Level,
    QualityRule,
    Sanction,
    add_months,
)

__all__ = [
    "QualityCheck",
    "QualityFacts",
    "attested_on",
    "ban_on",
    "check_quality",
    "continuity",
    "describe_quality",
    "longest_monthly_run",
    "quality_facts",
    "read_sanctions",
]

_SCORE_NAMES: Final = {score: rating for rating, score in RATING_SCORES.items()}


@masked_repr
@attrs.frozen(kw_only=True)
class QualityCheck:
    """One condition of one level, and whether it is met.

    Attributes:
        level: the level's name.
        condition: what the condition asks, in words.
        met: whether it is met.
        detail: what was found (``"average 2.5 over 2 evaluated records"``), or ``None``.

    Example:
        >>> QualityCheck(level="one_star", condition="no ban in force", met=True).met
        True
    """

    level: str
    condition: str
    met: bool
    detail: str | None = None

    def text(self) -> str:
        """The check in one line: ``level: condition`` and, if missed, what was found.

        Example:
            >>> QualityCheck(level="one_star", condition="x", met=False, detail="y").text()
            'one_star: x (y)'
        """
        if self.detail is None:
            return f"{self.level}: {self.condition}"
        return f"{self.level}: {self.condition} ({self.detail})"


@masked_repr
@attrs.frozen(kw_only=True)
class QualityFacts:
    """What quality conditions read for one volunteer on ``as_of``.

    Attributes:
        scores: the scores of the evaluations of counted records (given by ``as_of``).
        counted_dates: the dates of the counted records (for continuity).
        sanctions: the sanctions decided on or before ``as_of``.
        as_of: the day of the certification.

    Example:
        >>> from datetime import date
        >>> QualityFacts(scores=(4,), counted_dates=(), sanctions=(), as_of=date(2025, 1, 1)).scores
        (4,)
    """

    scores: tuple[int, ...]
    counted_dates: tuple[_dt.date, ...]
    sanctions: tuple[Sanction, ...]
    as_of: _dt.date


def quality_facts(
    records: Iterable[ServiceRecord],
    counted: Iterable[tuple[str, str]],
    *,
    as_of: _dt.date,
    sanctions: Iterable[Sanction] = (),
) -> QualityFacts:
    """The facts for one volunteer: ``counted`` is the keys of the records that count.

    Example:
        >>> from datetime import date
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> r = parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> quality_facts([r], [r.key], as_of=date(2025, 1, 1)).counted_dates
        (datetime.date(2024, 5, 1),)
    """
    keys = set(counted)
    scores: list[int] = []
    dates: list[_dt.date] = []
    seen: set[tuple[str, str]] = set()
    for record in records:
        key = record.key
        if key not in keys or key in seen:
            continue
        seen.add(key)
        dates.append(record.date)
        evaluation = record.evaluation
        if evaluation is not None and evaluation.date <= as_of:
            scores.append(RATING_SCORES[evaluation.rating])
    return QualityFacts(
        scores=tuple(scores),
        counted_dates=tuple(sorted(dates)),
        sanctions=tuple(s for s in sanctions if s.date <= as_of),
        as_of=as_of,
    )


def read_sanctions(value: object) -> tuple[Sanction, ...]:
    """Check a ``sanctions=`` argument: ``None`` or an iterable of :class:`Sanction`.

    Example:
        >>> read_sanctions(None)
        ()
    """
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError("sanctions", "must be an iterable of Sanction")
    out = tuple(value)
    for item in out:
        if not isinstance(item, Sanction):
            raise InvalidTypeError("sanctions", f"must contain Sanction, not {type(item).__name__}")
    return out


def attested_on(value: object, as_of: _dt.date) -> frozenset[str]:
    """The conditions attested on ``as_of``: names, or :class:`Attestation` dated by then.

    Example:
        >>> from datetime import date
        >>> a = Attestation(condition="selection", attested_by="团省委", date=date(2025, 6, 1))
        >>> sorted(attested_on(["influence", a], date(2025, 5, 31)))
        ['influence']
    """
    if value is None:
        return frozenset()
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError("attested", "must be an iterable of condition names or Attestation")
    out: set[str] = set()
    for item in value:
        if isinstance(item, Attestation):
            if item.date <= as_of:
                out.add(item.condition)
        elif isinstance(item, str):
            out.add(item)
        else:
            raise InvalidTypeError("attested", "must contain str condition names or Attestation")
    return frozenset(out)


def ban_on(sanctions: Iterable[Sanction], as_of: _dt.date) -> Sanction | None:
    """The sanction whose ban covers ``as_of`` (the one ending last), or ``None``.

    Example:
        >>> from datetime import date
        >>> s = Sanction(date=date(2024, 1, 1), reason="falsified_records", ban_until=date(2025, 12, 31))
        >>> ban_on([s], date(2025, 12, 31)) is s, ban_on([s], date(2026, 1, 1))
        (True, None)
    """
    found: Sanction | None = None
    for sanction in sanctions:
        if sanction.ban_until is None or not sanction.date <= as_of <= sanction.ban_until:
            continue
        if found is None or sanction.ban_until > (found.ban_until or sanction.ban_until):
            found = sanction
    return found


def describe_quality(rule: QualityRule) -> tuple[str, ...]:
    """Each condition of a quality rule in words (the same words in met and missed reports).

    Example:
        >>> describe_quality(QualityRule(min_average_rating="pass", min_evaluated_records=2))
        ('evaluated records average at least pass', 'at least 2 evaluated records')
    """
    out = []
    if rule.min_average_rating is not None:
        out.append(f"evaluated records average at least {rule.min_average_rating}")
    if rule.min_record_rating is not None:
        out.append(f"every evaluated record rated at least {rule.min_record_rating}")
    if rule.min_evaluated_records:
        out.append(f"at least {rule.min_evaluated_records} evaluated records")
    if rule.no_sanction_months is not None:
        out.append(f"no sanction in the {rule.no_sanction_months} months up to the day")
    return tuple(out)


def _average(scores: tuple[int, ...]) -> str:
    mean = Fraction(sum(scores), len(scores))
    return f"average {float(mean):.2f} over {len(scores)} evaluated records"


def check_quality(rule: QualityRule, facts: QualityFacts, level: str) -> list[QualityCheck]:
    """Check every condition of ``rule`` for one level.

    The average is exact (a fraction), compared with the rating's score, inclusive. With no
    evaluated record, the average and per-record conditions are met (nothing was rated below);
    ``min_evaluated_records`` is how a rule set asks for evaluations.

    Example:
        >>> from datetime import date
        >>> facts = QualityFacts(scores=(4, 1), counted_dates=(), sanctions=(),
        ...                      as_of=date(2025, 1, 1))
        >>> [(c.condition, c.met) for c in check_quality(
        ...     QualityRule(min_average_rating="pass", min_record_rating="pass"), facts, "x")]
        [('evaluated records average at least pass', True), ('every evaluated record rated at least pass', False)]
    """
    names = iter(describe_quality(rule))
    checks: list[QualityCheck] = []
    scores = facts.scores
    if rule.min_average_rating is not None:
        need = RATING_SCORES[rule.min_average_rating]
        met = not scores or Fraction(sum(scores), len(scores)) >= need
        checks.append(
            QualityCheck(
                level=level,
                condition=next(names),
                met=met,
                detail=None if met else _average(scores),
            )
        )
    if rule.min_record_rating is not None:
        need = RATING_SCORES[rule.min_record_rating]
        low = [s for s in scores if s < need]
        met = not low
        checks.append(
            QualityCheck(
                level=level,
                condition=next(names),
                met=met,
                detail=None
                if met
                else f"{len(low)} rated below, the lowest {_SCORE_NAMES[min(low)]}",
            )
        )
    if rule.min_evaluated_records:
        met = len(scores) >= rule.min_evaluated_records
        checks.append(
            QualityCheck(
                level=level,
                condition=next(names),
                met=met,
                detail=None if met else f"{len(scores)} evaluated",
            )
        )
    if rule.no_sanction_months is not None:
        start = add_months(facts.as_of, -rule.no_sanction_months) + _dt.timedelta(days=1)
        within = [s for s in facts.sanctions if start <= s.date <= facts.as_of]
        met = not within
        checks.append(
            QualityCheck(
                level=level,
                condition=next(names),
                met=met,
                detail=None
                if met
                else f"sanction of {max(s.date for s in within).isoformat()} ({within[0].reason})",
            )
        )
    return checks


def longest_monthly_run(dates: Iterable[_dt.date], since: _dt.date | None) -> int:
    """The most consecutive calendar months each holding a date on or after ``since``.

    Example:
        >>> from datetime import date
        >>> longest_monthly_run([date(2024, 1, 5), date(2024, 2, 1), date(2024, 4, 1)], None)
        2
    """
    months = sorted({d.year * 12 + d.month - 1 for d in dates if since is None or d >= since})
    best = run = 0
    previous = None
    for month in months:
        run = run + 1 if previous is not None and month == previous + 1 else 1
        best = max(best, run)
        previous = month
    return best


def continuity(level: Level, facts: QualityFacts, since: _dt.date | None) -> QualityCheck:
    """Whether the service was continuous for ``level.min_tenure_months`` months.

    Example:
        >>> from datetime import date
        >>> from volunteer_rules import Hours
        >>> lv = Level(rank=1, name="one_star", label="一星", hours=Hours.from_hours(1),
        ...            min_tenure_months=2, continuous=True)
        >>> f = QualityFacts(scores=(), counted_dates=(date(2024, 1, 5), date(2024, 2, 1)),
        ...                  sanctions=(), as_of=date(2024, 3, 1))
        >>> continuity(lv, f, None).met
        True
    """
    need = level.min_tenure_months
    run = longest_monthly_run(facts.counted_dates, since)
    met = run >= need
    return QualityCheck(
        level=level.name,
        condition=f"{need} consecutive months of service",
        met=met,
        detail=None if met else f"the longest run is {run} months",
    )
