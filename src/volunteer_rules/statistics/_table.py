""":func:`~volunteer_rules.statistics.summary.summarize` over a table of counted records.

The command line's statistics of a big file: the counted records come as a polars table
(:func:`volunteer_rules.tables._whole.counted_frame`: the record columns statistics read and
``counted`` minutes), are grouped in columns, and the rows are written by the same function as
``summarize``'s, so both give the same rows for the same records.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence

import polars as pl

from volunteer_rules.errors import InvalidValueError
from volunteer_rules.records.profile import VolunteerProfile
from volunteer_rules.records.region import RegionCode
from volunteer_rules.statistics.figures import Figures
from volunteer_rules.statistics.summary import (
    _DEPTH,
    RegionLevel,
    _dimensions,
    _Rollup,
    _tally_rows,
)

__all__: list[str] = []


def _key(dim: str) -> pl.Expr:
    day = pl.col("date")
    if dim == "region":
        return pl.col("_region")
    if dim == "organization":
        return pl.col("organization_id")
    if dim == "category":
        return pl.col("service_category")
    if dim == "month":
        return day.dt.strftime("%Y-%m")
    if dim == "quarter":
        return pl.format("{}-Q{}", day.dt.strftime("%Y"), day.dt.quarter())
    return day.dt.strftime("%Y")


def summarize_frame(
    counted: pl.DataFrame,
    *,
    by: Sequence[str] = ("region",),
    region_level: RegionLevel = "city",
    profiles: Iterable[VolunteerProfile] | None = None,
    as_of: _dt.date | None = None,
) -> Figures:
    """``summarize``'s rows for counted records given as a table (arguments as ``summarize``)."""
    dims = _dimensions(by)
    if region_level not in _DEPTH:
        raise InvalidValueError("region_level", "must be 'province', 'city' or 'county'")
    if profiles is not None and "organization" in dims:
        raise InvalidValueError(
            "profiles", "registered volunteers cannot be grouped by organization"
        )
    rollup = _Rollup(region_level)
    names: dict[str, str] = {}
    if "region" in dims:
        codes = counted.get_column("region_code").unique().to_list()
        rolled = {}
        for code in codes:
            region = rollup(RegionCode.parse(code))
            rolled[code] = region.code
            names[region.code] = region.name
        counted = counted.with_columns(
            _region=pl.col("region_code").replace_strict(rolled, return_dtype=pl.String)
        )
    keys = [_key(dim).alias(f"_k{i}") for i, dim in enumerate(dims)]
    grouped = (
        counted.group_by(keys).agg(
            volunteers=pl.col("volunteer_id").n_unique(),
            organizations=pl.col("organization_id").n_unique(),
            records=pl.len(),
            minutes=pl.col("counted").sum(),
        )
        if dims
        else counted.select(
            volunteers=pl.col("volunteer_id").n_unique(),
            organizations=pl.col("organization_id").n_unique(),
            records=pl.len(),
            minutes=pl.col("counted").sum(),
        ).filter(pl.col("records") > 0)
    )
    tallies: dict[tuple[str, ...], list[int]] = {}
    width = len(dims)
    for row in grouped.iter_rows():
        tallies[tuple(row[:width])] = [int(value) for value in row[width:]] + [0]
    return _tally_rows(tallies, dims, rollup, names, profiles, as_of)
