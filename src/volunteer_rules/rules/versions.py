"""One rule for a record given more than once: identical repeats count once, conflicts never.

A service record is known by its key, ``(organization_id, record_id)``. The same key can reach
the library more than once: an export sent twice, a retry, two files that overlap, or an
organization that reused an id for other content. Every path that reads records (the record
checks, counting, ``certify`` and ``certify_many``, the statistics, certificates, the time
bank's crediting and transfers) settles this with :func:`resolve_versions`, so they all give
one answer for the same records, whatever their order:

* **Identical repeats** (the same key with the same content, compared in the canonical record
  format, so even a date-time in another UTC offset is other content) are one record. They
  count once and are not a finding.
* **Conflicting versions** (the same key with different content) are a conflict, never merged
  and never resolved by picking one: *no* version of that key counts, none amends another
  record, none blocks another record as an overlap or under the daily cap. The key is reported
  with the one reason code :data:`CONFLICT_REASON` (``duplicate_record``), in every total's
  list of exclusions and as a finding of the checks. The organization resolves it by
  recording the correct content under a new id that amends the old one (an amendment is a
  different thing: a new key naming the old one in ``amends``).

Only equal versions are merged, and which versions conflict does not depend on their order, so
no result can depend on the order the records are given in.

Example:
    >>> import attrs
    >>> from volunteer_rules.records.record import parse_record
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> a = parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> b = attrs.evolve(a, record_id="r-2")
    >>> b_other = attrs.evolve(b, content="something else")
    >>> versions = resolve_versions([a, b, a, b_other])
    >>> [r.record_id for r in versions.records], versions.conflict_keys, versions.repeats
    (['r-2024-0001'], (('512111005000000154', 'r-2'),), 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

import attrs

from volunteer_rules._canonical import canonical_text
from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import require_iterable
from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.records.record import ServiceRecord, dump_record

__all__ = ["CONFLICT_REASON", "RecordVersions", "resolve_versions", "same_version"]

CONFLICT_REASON: Final = "duplicate_record"
"""The reason code of a key given with conflicting versions, on every path.

It is an exclusion reason of counting and certification, a finding code of the record checks
and a violation code of the transfer checks.
"""

_Key = tuple[str, str]


def _canonical(record: ServiceRecord) -> str:
    return canonical_text(dump_record(record))


def same_version(a: ServiceRecord, b: ServiceRecord) -> bool:
    """Whether two records with one key are the same version (an identical repeat).

    Two records are the same version when their canonical record-format forms are equal: every
    field, a date-time's UTC offset included (``10:00+08:00`` and ``02:00Z`` are one instant but
    not one record: the local dates differ). Keys are not compared: callers group by key first.

    Args:
        a: a service record.
        b: another service record (usually with the same key).

    Returns:
        ``True`` for an identical repeat, ``False`` for a conflicting version.

    Example:
        >>> import attrs
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> a = parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> same_version(a, parse_record(SAMPLE_RECORD_PAYLOAD))
        True
        >>> same_version(a, attrs.evolve(a, place="elsewhere"))
        False
    """
    return a is b or (a == b and _canonical(a) == _canonical(b))


@masked_repr
@attrs.frozen(kw_only=True)
class RecordVersions:
    """The records given, one per key, and the keys given with conflicting versions.

    Attributes:
        records: one record per key that is not in conflict, in the order the keys were first
            given (an identical repeat is left out). These are the records every path counts.
        conflicts: for every key given with conflicting versions, its distinct versions (in
            the order of their canonical form, so not in the input order). None of them counts.
        repeats: how many identical repeats were left out.

    Example:
        >>> versions = resolve_versions([])
        >>> versions.records, versions.conflict_keys, versions.repeats
        ((), (), 0)
    """

    records: tuple[ServiceRecord, ...]
    conflicts: Mapping[_Key, tuple[ServiceRecord, ...]]
    repeats: int

    @property
    def conflict_keys(self) -> tuple[_Key, ...]:
        """The keys in conflict, sorted.

        Example:
            >>> resolve_versions([]).conflict_keys
            ()
        """
        return tuple(sorted(self.conflicts))

    def conflicts_of(self, volunteer_id: str) -> tuple[_Key, ...]:
        """The keys in conflict that have a version naming ``volunteer_id``, sorted.

        A conflict is reported to every volunteer one of its versions names.

        Example:
            >>> resolve_versions([]).conflicts_of("V1")
            ()
        """
        return tuple(
            key
            for key in self.conflict_keys
            if any(v.volunteer_id == volunteer_id for v in self.conflicts[key])
        )


def resolve_versions(records: Iterable[ServiceRecord]) -> RecordVersions:
    """Apply the one rule for repeated keys: identical repeats once, conflicting versions never.

    Args:
        records: service records, in any order, of any volunteers and organizations.

    Returns:
        A :class:`RecordVersions`: the records to count (one per key, without the keys in
        conflict) and the conflicting versions per key. The set of records kept and the
        conflicts do not depend on the input order.

    Raises:
        InvalidTypeError: ``records`` is not an iterable of ``ServiceRecord``.

    Example:
        >>> import attrs
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> a = parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> versions = resolve_versions([a, attrs.evolve(a, content="edited"), a])
        >>> versions.records, versions.conflict_keys
        ((), (('512111005000000154', 'r-2024-0001'),))
        >>> len(versions.conflicts[a.key])
        2
    """
    first: dict[_Key, ServiceRecord] = {}
    others: dict[_Key, list[ServiceRecord]] = {}
    repeats = 0
    for record in require_iterable(records, "records", "must be an iterable of ServiceRecord"):
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError(
                "records", f"must contain ServiceRecord values, not {type(record).__name__}"
            )
        key = (record.organization_id, record.record_id)
        held = first.get(key)
        if held is None:
            first[key] = record
            continue
        versions = others.get(key)
        if versions is None:
            if same_version(held, record):
                repeats += 1
                continue
            others[key] = [record]
        elif same_version(held, record) or any(same_version(v, record) for v in versions):
            repeats += 1
        else:
            versions.append(record)
    conflicts: dict[_Key, tuple[ServiceRecord, ...]] = {}
    for key in sorted(others):
        versions = [first.pop(key), *others[key]]
        conflicts[key] = tuple(sorted(versions, key=_canonical))
    return RecordVersions(
        records=tuple(first.values()),
        conflicts=MappingProxyType(conflicts),
        repeats=repeats,
    )
