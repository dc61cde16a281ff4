"""Certification on Dask: a Dask DataFrame of records in, Dask DataFrames of results out.

:func:`certify_dask` takes a Dask DataFrame of service records (format v1 columns, see
:mod:`volunteer_rules.tables.partition`), shuffles it so that each volunteer's records are in
one partition, and certifies every partition with
:func:`~volunteer_rules.tables.partition.certify_partition` (``map_partitions``, result types
declared as ``meta``). The result equals :func:`~volunteer_rules.certify_many` over all the
records, volunteer by volunteer.

As on Spark, two small steps run first: a check that no ``(organization_id, record_id)`` is
used by two volunteers (:class:`~volunteer_rules.ConflictError`, as the single-process engine
raises), and, when some amendment names another volunteer's record, the chains of such
amendments are followed so that each reaches the partition of the volunteer it amends.

The result columns use pandas' Arrow-backed types (``pandas.ArrowDtype``): minutes are
``int64``, absent values are nulls, never ``NaN``. Errors raised in the workers (a malformed
record: :class:`~volunteer_rules.RecordFormatError`, naming the record) come back to the
client as the library's own exceptions. ``dask`` is imported only when the function is called.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from volunteer_rules.errors import ConflictError, InvalidTypeError, InvalidValueError
from volunteer_rules.rules.certification import _rule_set
from volunteer_rules.rules.rule_set import RuleSet
from volunteer_rules.rules.schemes import RuleSetRegistry
from volunteer_rules.tables.partition import (
    BUCKET,
    certification_schema,
    certify_partition,
    exclusion_batches,
    exclusion_schema,
)

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

__all__ = ["certify_dask"]

_REQUIRED = ("record_id", "volunteer_id", "organization_id")
_KEY = ["_org", "_id", "_to"]


def _certify_pandas(
    part: pd.DataFrame, rule_set: RuleSet, as_of: _dt.date, registry: RuleSetRegistry | None
) -> pd.DataFrame:
    import pandas as pd
    import pyarrow as pa

    table = pa.Table.from_pandas(part, preserve_index=False)
    result = certify_partition(table, rule_set=rule_set, as_of=as_of, registry=registry)
    return result.to_pandas(types_mapper=pd.ArrowDtype)


def _exclusions_pandas(part: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd
    import pyarrow as pa

    table = pa.Table.from_pandas(part[["volunteer_id", "excluded"]], preserve_index=False)
    batches = list(exclusion_batches(table.to_batches()))
    out = pa.Table.from_batches(batches, schema=exclusion_schema())
    return out.to_pandas(types_mapper=pd.ArrowDtype)


def _meta(schema: Any) -> pd.DataFrame:
    import pandas as pd

    return schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)


def _check_conflicts(records: dd.DataFrame) -> None:
    """Raise ConflictError when one record key is used by two volunteers."""
    keys = records[["organization_id", "record_id", "volunteer_id"]].drop_duplicates()
    counts = keys.groupby(["organization_id", "record_id"]).size()
    clash = counts[counts > 1].head(1, npartitions=-1)
    if len(clash):
        org, record_id = clash.index[0]
        raise ConflictError(
            f"{org}/{record_id}",
            f"record {record_id} of organization {org} was given twice with different content",
        )


def _bucketed(records: dd.DataFrame) -> dd.DataFrame:
    """Own rows under their volunteer, plus amendments sent to the volunteers they reach."""
    import dask.dataframe as dd

    own = records.assign(**{BUCKET: records["volunteer_id"]})
    if "amends" not in records.columns:
        return own
    amendments = records[records["amends"].notnull()][
        ["organization_id", "record_id", "amends", "volunteer_id"]
    ].rename(
        columns={
            "organization_id": "_org",
            "record_id": "_id",
            "amends": "_amends",
            "volunteer_id": "_vol",
        }
    )
    targets = records[["organization_id", "record_id", "volunteer_id"]].rename(
        columns={"organization_id": "_org", "record_id": "_amends", "volunteer_id": "_to"}
    )

    def step(reached: dd.DataFrame) -> dd.DataFrame:
        # amendments of a record in `reached`, sent where that record is (if not already theirs)
        joined = amendments.merge(reached, on=["_org", "_amends"])
        return joined[joined["_vol"] != joined["_to"]][_KEY].drop_duplicates()

    sent = step(targets).persist()
    frontier = sent
    while len(frontier):
        following = step(frontier.rename(columns={"_id": "_amends"}))
        seen = sent.assign(_seen=True)
        merged = following.merge(seen, on=_KEY, how="left")
        frontier = merged[merged["_seen"].isnull()][_KEY].persist()
        sent = dd.concat([sent, frontier]).persist()
    brought = records.merge(
        sent.rename(columns={"_org": "organization_id", "_id": "record_id", "_to": BUCKET}),
        on=["organization_id", "record_id"],
    )
    return dd.concat([own, brought[list(own.columns)]])


def certify_dask(
    records: dd.DataFrame,
    *,
    rule_set: RuleSet | str,
    as_of: _dt.date,
    partitions: int | None = None,
    registry: RuleSetRegistry | None = None,
) -> tuple[dd.DataFrame, dd.DataFrame]:
    """Certify every volunteer of a Dask DataFrame of records.

    Args:
        records: service records, one column per field of record format v1 (at least
            ``record_id``, ``volunteer_id``, ``organization_id``; see
            :mod:`volunteer_rules.tables.partition` for the column types).
        rule_set: a rule set id or a ``RuleSet``.
        as_of: the day of the certification.
        partitions: how many partitions to certify in (default: as many as ``records`` has).
        registry: where to look the rule set id up.

    Returns:
        ``(certifications, exclusions)``: lazy Dask DataFrames whose columns are
        :func:`~volunteer_rules.tables.partition.certification_schema` and
        :func:`~volunteer_rules.tables.partition.exclusion_schema`. Compute both in one
        ``dask.compute(certifications, exclusions)`` to certify once.

    Raises:
        ConflictError: two volunteers' records share one ``(organization_id, record_id)``.
        UnknownRuleSetError: no rule set under that id.
        InvalidTypeError: ``records`` is not a Dask DataFrame or ``as_of`` not a date.
        InvalidValueError: a required column is missing, or ``partitions`` is not positive.

    Example:
        >>> import datetime as dt
        >>> import dask
        >>> import dask.dataframe as dd
        >>> import pandas as pd
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD as P
        >>> rows = [P, dict(P, record_id="r-2", volunteer_id="V2", status="void")]
        >>> records = dd.from_pandas(pd.DataFrame(rows), npartitions=2)
        >>> certs, excl = certify_dask(records, rule_set="cn-national", as_of=dt.date(2025, 1, 1))
        >>> with dask.config.set(scheduler="sync"):
        ...     c, e = dask.compute(certs, excl)
        >>> sorted(zip(c["volunteer_id"], c["counted_minutes"]))
        [('V0000001', 120), ('V2', 0)]
        >>> e[["volunteer_id", "record_id", "reason"]].values.tolist()
        [['V2', 'r-2', 'not_verified']]
    """
    import dask.dataframe as dd

    if not isinstance(records, dd.DataFrame):
        raise InvalidTypeError("records", "must be a dask.dataframe.DataFrame")
    if not isinstance(as_of, _dt.date) or isinstance(as_of, _dt.datetime):
        raise InvalidTypeError("as_of", "must be a datetime.date")
    if partitions is not None and (not isinstance(partitions, int) or partitions < 1):
        raise InvalidValueError("partitions", "must be a positive int")
    missing = [c for c in _REQUIRED if c not in records.columns]
    if missing:
        raise InvalidValueError("records", f"missing column(s): {', '.join(missing)}")
    chosen = _rule_set(rule_set, registry)
    _check_conflicts(records)
    shuffled = _bucketed(records).shuffle(on=BUCKET, npartitions=partitions or records.npartitions)
    certifications = shuffled.map_partitions(
        _certify_pandas, chosen, as_of, None, meta=_meta(certification_schema())
    )
    exclusions = certifications.map_partitions(_exclusions_pandas, meta=_meta(exclusion_schema()))
    return certifications, exclusions
