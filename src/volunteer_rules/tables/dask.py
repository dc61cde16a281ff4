"""Certification on Dask: a Dask DataFrame of records in, Dask DataFrames of results out.

:func:`certify_dask` takes a Dask DataFrame of service records (format v1 columns, see
:mod:`volunteer_rules.tables.partition`), shuffles it so that each volunteer's records are in
one partition, and certifies every partition with
:func:`~volunteer_rules.tables.partition.certify_partition` (``map_partitions``, result types
declared as ``meta``). The result equals :func:`~volunteer_rules.certify_many` over all the
records, volunteer by volunteer.

Each partition's rows are validated and certified by the table engine
(:func:`~volunteer_rules.tables.results.certify_table`'s). As on Spark, one step runs first:
the rows that can change another volunteer's result are sent to that volunteer's partition
too (the versions of a key two volunteers hold, which is a conflict both results list; the
amendments of another volunteer's record, chains followed). The columns, their types and the
rule set are checked on the client before any task runs.

The result columns use pandas' Arrow-backed types (``pandas.ArrowDtype``): minutes are
``int64``, absent values are nulls, never ``NaN``. Errors raised in the workers (a malformed
record: :class:`~volunteer_rules.RecordFormatError`, naming the record) come back to the
client as the library's own exceptions. ``dask`` is imported only when the function is called.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.rules.rule_set import RuleSet
from volunteer_rules.rules.schemes import RuleSetRegistry
from volunteer_rules.tables.partition import (
    BUCKET,
    EXCLUDED_ORGANIZATIONS,
    _check_driver_arguments,
    _checked_rule_set,
    _keyed_schema,
    _routing_id,
    _routing_organization,
    certify_partition,
    check_record_schema,
    exclusion_schema,
    exclusion_table,
)

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow as pa

__all__ = ["certify_dask"]
_KEY = ["_org", "_id", "_to"]


def _certify_pandas(
    part: pd.DataFrame, rule_set: RuleSet, as_of: _dt.date, registry: RuleSetRegistry | None
) -> pd.DataFrame:
    import pandas as pd
    import pyarrow as pa

    table = pa.Table.from_pandas(part, preserve_index=False)
    result = certify_partition(table, rule_set=rule_set, as_of=as_of, registry=registry, keyed=True)
    return result.to_pandas(types_mapper=pd.ArrowDtype)


def _exclusions_pandas(part: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd
    import pyarrow as pa

    columns = ["volunteer_id", "excluded", EXCLUDED_ORGANIZATIONS]
    table = pa.Table.from_pandas(part[columns], preserve_index=False)
    return exclusion_table(table).to_pandas(types_mapper=pd.ArrowDtype)


def _meta(schema: Any) -> pd.DataFrame:
    import pandas as pd

    return schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)


def _arrow_schema(records: dd.DataFrame) -> pa.Schema:
    """The Arrow schema of a Dask DataFrame's declared columns (its ``meta``)."""
    import pyarrow as pa

    fields = []
    for name, column in records._meta.items():
        try:
            fields.append(pa.field(str(name), pa.Array.from_pandas(column).type))
        except (pa.ArrowException, TypeError, ValueError):
            raise InvalidValueError(
                "records", f"column {name} ({column.dtype}) cannot be read"
            ) from None
    return pa.schema(fields)


_KEYS = {
    "organization_id": "_k_org",
    "record_id": "_k_id",
    "volunteer_id": "_k_vol",
    "amends": "_k_amends",
}
"""The columns routed by, each the id of a column as ``parse_record`` reads it."""


def _with_keys(part: pd.DataFrame) -> pd.DataFrame:
    """The rows with the ids they are routed by (trimmed; a credit code in uppercase)."""
    import pandas as pd

    keys = {}
    for name, key in _KEYS.items():
        if name in part.columns:
            read = _routing_organization if name == "organization_id" else _routing_id
            values = [read(value) for value in part[name].tolist()]
            keys[key] = pd.Series(values, index=part.index, dtype=part[name].dtype)
    return part.assign(**keys)


def _routed(records: dd.DataFrame) -> dd.DataFrame:
    """Own rows under their volunteer, plus every row sent to another volunteer it reaches.

    The rule of :func:`~volunteer_rules.tables.partition.bucket_rows`, with merges: the
    versions of a key held by two volunteers go to both, and amendments go to every volunteer
    whose record they reach (one merge per link of a chain). Ids are compared as
    ``parse_record`` reads them (trimmed; a credit code in uppercase).
    """
    import dask.dataframe as dd

    given = list(records.columns)
    keys = [key for name, key in _KEYS.items() if name in given]
    records = records.map_partitions(_with_keys, meta=_with_keys(records._meta))
    own = records.assign(**{BUCKET: records["_k_vol"]})
    holders = (
        records[["_k_org", "_k_id", "_k_vol"]]
        .rename(columns={"_k_org": "_org", "_k_id": "_id", "_k_vol": "_to"})
        .drop_duplicates()  # after the rename: dask-expr loses the columns the other way round
    )
    # keys held by more than one volunteer: each holder gets every version (a conflict)
    counts = holders.groupby(["_org", "_id"])["_to"].count().rename("_n").reset_index()
    shared_keys = counts[counts["_n"] > 1][["_org", "_id"]].persist()
    found: list[dd.DataFrame] = []
    if len(shared_keys):
        found.append(holders.merge(shared_keys, on=["_org", "_id"])[_KEY])
    if "amends" in given:
        sent = _amendments_sent(records)
        if sent is not None:
            found.append(sent)
    if not found:
        return own[[*given, BUCKET]]
    # renamed before drop_duplicates: dask-expr loses the columns the other way round
    pairs = (
        dd.concat(found)
        .rename(columns={"_org": "_k_org", "_id": "_k_id", "_to": BUCKET})
        .drop_duplicates()
    )
    brought = records.merge(pairs, on=["_k_org", "_k_id"])
    brought = brought[brought["_k_vol"] != brought[BUCKET]]
    return dd.concat([own, brought[list(own.columns)]]).drop(columns=keys)


def _amendments_sent(records: dd.DataFrame) -> dd.DataFrame | None:
    """``(_org, _id, _to)``: amendments sent to a volunteer whose record they reach."""
    import dask.dataframe as dd

    # a few rows in a thousand: held once, so that following a chain reads no more records
    amendments = (
        records[records["_k_amends"].notnull()][["_k_org", "_k_id", "_k_amends", "_k_vol"]]
        .rename(
            columns={
                "_k_org": "_org",
                "_k_id": "_id",
                "_k_amends": "_amends",
                "_k_vol": "_vol",
            }
        )
        .persist()
    )
    if not len(amendments):
        return None

    def step(reached: dd.DataFrame) -> dd.DataFrame:
        # amendments of a record in `reached`, sent where that record is (if not already theirs)
        joined = amendments.merge(reached, on=["_org", "_amends"])
        return joined[joined["_vol"] != joined["_to"]][_KEY].drop_duplicates()

    targets = records[["_k_org", "_k_id", "_k_vol"]].rename(
        columns={"_k_org": "_org", "_k_id": "_amends", "_k_vol": "_to"}
    )
    sent = step(targets).persist()
    if not len(sent):
        return None
    frontier = sent
    while len(frontier):
        following = step(frontier.rename(columns={"_id": "_amends"}))
        seen = sent.assign(_seen=True)
        merged = following.merge(seen, on=_KEY, how="left")
        frontier = merged[merged["_seen"].isnull()][_KEY].persist()
        sent = dd.concat([sent, frontier]).persist()
    return sent


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
        :func:`~volunteer_rules.tables.partition.exclusion_schema` (each record by its key,
        ``organization_id`` and ``record_id``). Both are read out of one certifying pass:
        compute both in one ``dask.compute(certifications, exclusions)`` to certify once.

    Raises:
        UnknownRuleSetError: no rule set under that id.
        InvalidTypeError: ``records`` is not a Dask DataFrame or ``as_of`` not a date.
        InvalidValueError: a column is missing, unknown or of a type no row can be valid in
            (:func:`~volunteer_rules.tables.partition.check_record_schema`, the message names
            it); the rule set has age bands on ``as_of``; ``partitions`` is not positive.

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
        >>> e[["volunteer_id", "organization_id", "record_id", "reason"]].values.tolist()
        [['V2', '512111005000000154', 'r-2', 'not_verified']]
    """
    import dask.dataframe as dd

    if not isinstance(records, dd.DataFrame):
        raise InvalidTypeError("records", "must be a dask.dataframe.DataFrame")
    _check_driver_arguments(as_of, partitions)
    check_record_schema(_arrow_schema(records))
    chosen = _checked_rule_set(rule_set, as_of, registry)
    if BUCKET in records.columns:
        records = records.drop(columns=[BUCKET])
    shuffled = _routed(records).shuffle(on=BUCKET, npartitions=partitions or records.npartitions)
    keyed = shuffled.map_partitions(
        _certify_pandas, chosen, as_of, None, meta=_meta(_keyed_schema())
    )
    certifications = keyed.drop(columns=[EXCLUDED_ORGANIZATIONS])
    exclusions = keyed.map_partitions(_exclusions_pandas, meta=_meta(exclusion_schema()))
    return certifications, exclusions
