"""Hypothesis strategies for identifiers and the volunteer's other record parts.

Re-exported by :mod:`volunteer_rules.testing.strategies`; import them from there.

Example:
    >>> from volunteer_rules.testing.strategies import resident_ids
    >>> resident_ids().example().region.code.isdigit()  # doctest: +SKIP
    True
"""

from __future__ import annotations

import datetime as _dt

from hypothesis import strategies as st
from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc

from volunteer_rules.identifiers import (
    _USCC_ALPHABET,
    _USCC_VALUES_31,
    _VALUES_36,
    OrganizationCode,
    ResidentId,
    _org_check_character,
)
from volunteer_rules.region import RegionCode

__all__ = ["organization_codes", "resident_ids"]

_SEXES = ("male", "female")


@st.composite
def _resident_ids(
    draw: st.DrawFn,
    regions: st.SearchStrategy[RegionCode],
    birth_dates: st.SearchStrategy[_dt.date],
    sexes: st.SearchStrategy[str],
) -> ResidentId:
    region = draw(regions)
    birth = draw(birth_dates)
    sex = draw(sexes)
    sequence = 2 * draw(st.integers(min_value=0, max_value=499)) + (1 if sex == "male" else 0)
    first17 = f"{region.code}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    return ResidentId.parse(first17 + _ric.calc_check_digit(first17 + "0"))


def resident_ids(
    *,
    regions: st.SearchStrategy[RegionCode] | None = None,
    birth_dates: st.SearchStrategy[_dt.date] | None = None,
    sexes: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[ResidentId]:
    """Valid GB 11643 resident ID numbers.

    Args:
        regions: address regions; every known region (abolished ones too) by default.
        birth_dates: birth dates; 1800-01-01 to 9999-12-31 by default (the years the format
            can write and the library accepts).
        sexes: ``"male"`` or ``"female"`` (sets the sequence's parity); both by default.

    Shrinks toward the first region, the earliest date and sequence ``000``/``001``.

    Example:
        >>> from hypothesis import given
        >>> @given(resident_ids(sexes=st.just("female")))
        ... def test(rid):
        ...     assert rid.sex == "female"
        >>> test()
    """
    return _resident_ids(
        regions if regions is not None else st.sampled_from(RegionCode.all()),
        birth_dates
        if birth_dates is not None
        else st.dates(min_value=_dt.date(1800, 1, 1), max_value=_dt.date(9999, 12, 31)),
        sexes if sexes is not None else st.sampled_from(_SEXES),
    )


@st.composite
def _organization_codes(
    draw: st.DrawFn,
    departments: st.SearchStrategy[str],
    entity_types: st.SearchStrategy[str],
    region_codes: st.SearchStrategy[str],
) -> OrganizationCode:
    head = draw(departments) + draw(entity_types) + draw(region_codes)
    body = draw(st.text(alphabet=_USCC_ALPHABET, min_size=8, max_size=8))
    check = _org_check_character(body, draw(st.sampled_from((_USCC_VALUES_31, _VALUES_36))))
    first17 = head + body + check
    return OrganizationCode.parse(first17 + _uscc.calc_check_digit(first17))


def organization_codes(
    *,
    departments: st.SearchStrategy[str] | None = None,
    entity_types: st.SearchStrategy[str] | None = None,
    region_codes: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[OrganizationCode]:
    """Valid GB 32100 unified social credit codes (embedded GB 11714 check included).

    Args:
        departments: position 1, one character of the credit-code alphabet; any by default.
        entity_types: position 2, likewise.
        region_codes: positions 3–8, six digits; any by default (known or not).

    Example:
        >>> from hypothesis import given
        >>> @given(organization_codes(departments=st.just("5")))
        ... def test(org):
        ...     assert org.registration_department_name == "民政"
        >>> test()
    """
    any_char = st.sampled_from(_USCC_ALPHABET)
    return _organization_codes(
        departments if departments is not None else any_char,
        entity_types if entity_types is not None else any_char,
        region_codes
        if region_codes is not None
        else st.text(alphabet="0123456789", min_size=6, max_size=6),
    )
