"""Identifiers of people and organizations: resident ID numbers and unified social credit codes.

:class:`ResidentId` reads a GB 11643-1999 citizen identity number (公民身份号码) and
:class:`OrganizationCode` a GB 32100-2015 unified social credit code (统一社会信用代码),
including the GB 11714-1997 organization code embedded in it (docs/sources.md).
The check-character algorithms are python-stdnum's (``stdnum.cn.ric.calc_check_digit``,
``stdnum.cn.uscc.calc_check_digit``); the region rule is the library's own (see below).

Region rule. python-stdnum's ``ric.validate`` requires the address code to have been in use in
the holder's birth year, which rejects real numbers (a Panjin resident born in 1970 carries
211102, a code in use since 1986: codes are assigned when the number is issued, not at birth),
and raises a bare ``KeyError`` for some codes. Here a code that was assigned at any time is a
known region (:meth:`RegionCode.is_known`), abolished codes included, since a number issued
before a district was abolished stays valid for life; a code that was never assigned is
``unknown_region``.

Masking. A resident ID number is personal data: ``str()`` gives the full number (you asked for
it), but ``repr()``, :meth:`ResidentId.masked` and every error message never show the birth
date or the sequence digits. The contract's rule ("never show birth date or sequence
digits") wins over its example ``110105********002X``, which still shows the sequence
``002``: the sequence's last digit is the holder's sex and, with the region, it narrows the
holder down. What is shown is the six region digits (the place, which
:attr:`ResidentId.region` exposes anyway) and the check character: ``110105***********X``.
A credit code identifies an organization, not a person: it is not personal data and its
``repr`` shows it in full.

Example:
    >>> from volunteer_rules import OrganizationCode, ResidentId
    >>> rid = ResidentId.parse("11010519491231002x")
    >>> rid
    ResidentId('110105***********X')
    >>> rid.birth_date, rid.sex, rid.region.name
    (datetime.date(1949, 12, 31), 'female', '朝阳区')
    >>> org = OrganizationCode.parse("512111005000000154")
    >>> org.registration_department_name, org.entity_type_name, org.region.name
    ('民政', '社会团体', '盘锦市')
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any, Final, Literal

from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc

from volunteer_rules._privacy import mask_resident_id, masked_repr
from volunteer_rules.errors import InvalidIdentifierError
from volunteer_rules.records.region import RegionCode

__all__ = [
    "ORGANIZATION_ENTITY_TYPES",
    "REGISTRATION_DEPARTMENTS",
    "OrganizationCode",
    "ResidentId",
    "Sex",
]

Sex = Literal["male", "female"]

_RID_KIND: Final = "resident ID"
_ORG_KIND: Final = "credit code"
_DIGITS: Final = frozenset("0123456789")
_RID_LAST: Final = frozenset("0123456789Xx")
_MIN_BIRTH_YEAR: Final = 1800
"""GB 11643 writes the full year; the oldest numbers in use carry 18xx (docs/sources.md)."""

_USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_SET: Final = frozenset(_USCC_ALPHABET)
_USCC_VALUES_31: Final = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_VALUES_36: Final = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)

REGISTRATION_DEPARTMENTS: Final[Mapping[str, str]] = {
    "1": "机构编制",
    "5": "民政",
    "9": "工商",
    "Y": "其他",
}
"""GB 32100 position 1, the registration department, for the codes docs/sources.md lists."""

ORGANIZATION_ENTITY_TYPES: Final[Mapping[str, Mapping[str, str]]] = {
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
}
"""GB 32100 position 2 (entity type) by registration department, as docs/sources.md lists.

Civil affairs (``5``) is where volunteer organizations register; other departments' types are
not named here (``entity_type_name`` is ``None`` for them).
"""


@masked_repr
class ResidentId:
    """A valid GB 11643-1999 resident ID number (公民身份号码), 18 characters.

    Build one with :meth:`parse`. Values are immutable and hashable; two are equal when their
    numbers are. Structure (docs/sources.md): six address digits (GB/T 2260), the birth
    date as ``YYYYMMDD``, a three-digit sequence (odd for men, even for women) and an ISO 7064
    MOD 11-2 check character (``0``–``9`` or ``X``).

    ``str()`` gives the full number; ``repr()`` and :meth:`masked` show only the region digits
    and the check character.

    Example:
        >>> rid = ResidentId.parse("440524188001010014")
        >>> rid.birth_date.isoformat(), rid.sex, rid.region.code
        ('1880-01-01', 'male', '440524')
        >>> str(rid), repr(rid)
        ('440524188001010014', "ResidentId('440524***********4')")
    """

    __slots__ = ("_number",)
    _number: str

    def __init__(self, text: str) -> None:
        object.__setattr__(self, "_number", _check_resident_id(text))

    @classmethod
    def parse(cls, text: str) -> ResidentId:
        """Read and validate a resident ID number.

        Surrounding white space is ignored and a lowercase ``x`` check character is
        normalised to ``X``. Checks run in this order: type and length, format (17 digits then
        a digit or ``X``), the check character, the birth date, the region.

        Args:
            text: the number.

        Returns:
            The validated number.

        Raises:
            InvalidIdentifierError: with ``code`` ``length`` (not 18 characters; a 15-digit
                first-generation number too), ``invalid_format`` (not a string, or a character
                out of place), ``checksum`` (the check character is wrong), ``invalid_date``
                (no such day, or a year before 1800) or ``unknown_region`` (an address code
                never assigned). The message never repeats the number.

        Example:
            >>> ResidentId.parse(" 513101198201130014 ").masked()
            '513101***********4'
            >>> ResidentId.parse("110105194912310021")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.InvalidIdentifierError: resident ID: the check character is wrong (expected per ISO 7064 MOD 11-2)
        """
        return cls(text)

    @classmethod
    def is_valid(cls, text: object) -> bool:
        """Whether :meth:`parse` would accept ``text``.

        Example:
            >>> ResidentId.is_valid("11010519491231002X"), ResidentId.is_valid(42)
            (True, False)
        """
        try:
            _check_resident_id(text)
        except InvalidIdentifierError:
            return False
        return True

    @property
    def number(self) -> str:
        """The full 18-character number (uppercase ``X``).

        Example:
            >>> ResidentId.parse("11010519491231002x").number
            '11010519491231002X'
        """
        return self._number

    @property
    def region_code(self) -> str:
        """The six address digits (GB/T 2260), as text.

        Example:
            >>> ResidentId.parse("211102197001010017").region_code
            '211102'
        """
        return self._number[:6]

    @property
    def region(self) -> RegionCode:
        """The region of the address code (possibly abolished since the number was issued).

        Example:
            >>> ResidentId.parse("211102197001010017").region.name
            '双台子区'
        """
        return RegionCode.parse(self._number[:6])

    @property
    def birth_date(self) -> _dt.date:
        """The birth date written in the number.

        Example:
            >>> ResidentId.parse("11010519491231002X").birth_date
            datetime.date(1949, 12, 31)
        """
        n = self._number
        return _dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))

    @property
    def sex(self) -> Sex:
        """``"male"`` for an odd sequence number, ``"female"`` for an even one (§8a).

        Example:
            >>> ResidentId.parse("11010519491231002X").sex
            'female'
        """
        return "male" if int(self._number[16]) % 2 else "female"

    def masked(self) -> str:
        """The number with birth date and sequence replaced by ``*``.

        Example:
            >>> ResidentId.parse("11010519491231002X").masked()
            '110105***********X'
        """
        return mask_resident_id(self._number)

    def __str__(self) -> str:
        return self._number

    def __repr__(self) -> str:
        return f"ResidentId({mask_resident_id(self._number)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ResidentId):
            return self._number == other._number
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("ResidentId", self._number))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ResidentId is immutable; cannot set {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"ResidentId is immutable; cannot delete {name}")

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (ResidentId.parse, (self._number,))


def _check_resident_id(text: object) -> str:
    if not isinstance(text, str):
        raise InvalidIdentifierError(
            "invalid_format", _RID_KIND, f"must be a string, not {type(text).__name__}"
        )
    number = text.strip()
    if len(number) != 18:
        raise InvalidIdentifierError(
            "length", _RID_KIND, f"must be 18 characters, not {len(number)}"
        )
    if not (_DIGITS.issuperset(number[:17]) and number[17] in _RID_LAST):
        raise InvalidIdentifierError(
            "invalid_format",
            _RID_KIND,
            "must be 17 digits followed by a digit or X",
        )
    number = number[:17] + number[17].upper()
    if _ric.calc_check_digit(number) != number[17]:
        raise InvalidIdentifierError(
            "checksum", _RID_KIND, "the check character is wrong (expected per ISO 7064 MOD 11-2)"
        )
    year = int(number[6:10])
    try:
        _dt.date(year, int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentifierError(
            "invalid_date", _RID_KIND, "the birth date digits are not a calendar date"
        ) from None
    if year < _MIN_BIRTH_YEAR:
        raise InvalidIdentifierError(
            "invalid_date", _RID_KIND, f"the birth year must be {_MIN_BIRTH_YEAR} or later"
        )
    if not RegionCode.is_known(number[:6]):
        raise InvalidIdentifierError(
            "unknown_region",
            _RID_KIND,
            f"address code {number[:6]} was never assigned in GB/T 2260",
        )
    return number


def _org_check_character(body: str, values: Mapping[str, int]) -> str:
    remainder = 11 - sum(values[c] * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    if remainder == 10:
        return "X"
    if remainder == 11:
        return "0"
    return str(remainder)


class OrganizationCode:
    """A valid GB 32100-2015 unified social credit code (统一社会信用代码).

    Build one with :meth:`parse`. Values are immutable and hashable; two are equal when their
    codes are. Structure (docs/sources.md): position 1 the registration department
    (``5`` = civil affairs), 2 the entity type, 3–8 the division code of the registering
    authority, 9–17 the GB 11714 organization code, 18 the check character.

    Two checks are made: the code's own (GB 32100, modulo 31 over the alphabet
    ``0123456789ABCDEFGHJKLMNPQRTUWXY``) and the embedded organization code's (GB 11714,
    modulo 11, weights 3 7 9 10 5 8 4 2, §8c). GB 11714's value of a letter is disputed
    (docs/sources.md: ``A``–``Z`` as 10–35, or the credit-code alphabet's 10–30); the two
    agree on every all-digit code, and a code whose organization part contains letters is
    accepted when its check character is right under either valuation, so no real code is
    rejected over a question the sources cannot settle.

    A credit code identifies an organization, not a person: ``repr`` shows it in full.

    Example:
        >>> org = OrganizationCode.parse("91110000600037341L")
        >>> org.registration_department, org.entity_type, org.region_code, org.organization_code
        ('9', '1', '110000', '600037341')
        >>> org
        OrganizationCode('91110000600037341L')
    """

    __slots__ = ("_code",)
    _code: str

    def __init__(self, text: str) -> None:
        object.__setattr__(self, "_code", _check_organization_code(text))

    @classmethod
    def parse(cls, text: str) -> OrganizationCode:
        """Read and validate a unified social credit code.

        Surrounding white space is ignored and lowercase letters are normalised to uppercase.
        Parsed codes are cached (organizations are few and their codes repeat in every
        record), so parsing a code seen before is one dictionary look-up.

        Args:
            text: the 18-character code.

        Returns:
            The validated code.

        Raises:
            InvalidIdentifierError: ``length`` (not 18 characters), ``invalid_format`` (not a
                string; a character outside the alphabet; positions 3–8 not digits) or
                ``checksum`` (the code's check character, or the embedded organization code's).

        Example:
            >>> OrganizationCode.parse("51211100mj00000175").code
            '51211100MJ00000175'
            >>> OrganizationCode.parse("91110000600037342L")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.InvalidIdentifierError: credit code: the check character (position 18) is wrong
        """
        if type(text) is str:
            found = _ORG_CACHE.get(text)
            if found is not None:
                return found
        value = cls(text)
        if len(_ORG_CACHE) >= _ORG_CACHE_MAX:
            _ORG_CACHE.clear()
        _ORG_CACHE[text] = value
        return value

    @classmethod
    def is_valid(cls, text: object) -> bool:
        """Whether :meth:`parse` would accept ``text``.

        Example:
            >>> OrganizationCode.is_valid("91110108551385082Q"), OrganizationCode.is_valid("")
            (True, False)
        """
        if type(text) is str and text in _ORG_CACHE:
            return True
        try:
            _check_organization_code(text)
        except InvalidIdentifierError:
            return False
        return True

    @property
    def code(self) -> str:
        """The full 18-character code (uppercase).

        Example:
            >>> OrganizationCode.parse("512111005000000154").code
            '512111005000000154'
        """
        return self._code

    @property
    def registration_department(self) -> str:
        """Position 1: the registration department (``5`` = civil affairs, 民政).

        Example:
            >>> OrganizationCode.parse("512111005000000154").registration_department
            '5'
        """
        return self._code[0]

    @property
    def registration_department_name(self) -> str | None:
        """The department's Chinese name, where :data:`REGISTRATION_DEPARTMENTS` has it.

        Example:
            >>> OrganizationCode.parse("91110000600037341L").registration_department_name
            '工商'
        """
        return REGISTRATION_DEPARTMENTS.get(self._code[0])

    @property
    def entity_type(self) -> str:
        """Position 2: the entity type within the department (``5``/``1`` = 社会团体).

        Example:
            >>> OrganizationCode.parse("512111005000000154").entity_type
            '1'
        """
        return self._code[1]

    @property
    def entity_type_name(self) -> str | None:
        """The entity type's Chinese name, where :data:`ORGANIZATION_ENTITY_TYPES` has it.

        Example:
            >>> OrganizationCode.parse("512111005000000154").entity_type_name
            '社会团体'
        """
        return ORGANIZATION_ENTITY_TYPES.get(self._code[0], {}).get(self._code[1])

    @property
    def region_code(self) -> str:
        """Positions 3–8: the registering authority's division code, as text.

        National bodies carry ``100000``, which is not a GB/T 2260 region; a code may also
        have been abolished since registration (a credit code never changes).

        Example:
            >>> OrganizationCode.parse("512111005000000154").region_code
            '211100'
        """
        return self._code[2:8]

    @property
    def region(self) -> RegionCode | None:
        """The region of :attr:`region_code`, or ``None`` when the library does not know it.

        Example:
            >>> OrganizationCode.parse("512111005000000154").region
            RegionCode('211100', '盘锦市')
        """
        code = self._code[2:8]
        return RegionCode.parse(code) if RegionCode.is_known(code) else None

    @property
    def organization_code(self) -> str:
        """Positions 9–17: the GB 11714 organization code (8 characters plus its check).

        Example:
            >>> OrganizationCode.parse("91110108551385082Q").organization_code
            '551385082'
        """
        return self._code[8:17]

    def __str__(self) -> str:
        return self._code

    def __repr__(self) -> str:
        return f"OrganizationCode({self._code!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OrganizationCode):
            return self._code == other._code
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("OrganizationCode", self._code))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"OrganizationCode is immutable; cannot set {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"OrganizationCode is immutable; cannot delete {name}")

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (OrganizationCode.parse, (self._code,))


_ORG_CACHE: Final[dict[str, OrganizationCode]] = {}
_ORG_CACHE_MAX: Final = 65536


def _check_organization_code(text: object) -> str:
    if not isinstance(text, str):
        raise InvalidIdentifierError(
            "invalid_format", _ORG_KIND, f"must be a string, not {type(text).__name__}"
        )
    code = text.strip().upper()
    if len(code) != 18:
        raise InvalidIdentifierError("length", _ORG_KIND, f"must be 18 characters, not {len(code)}")
    if not (_USCC_SET.issuperset(code) and _DIGITS.issuperset(code[2:8])):
        raise InvalidIdentifierError(
            "invalid_format",
            _ORG_KIND,
            "must use only 0-9 and A-Y without I, O, S, V, Z, with digits in positions 3-8",
        )
    if _uscc.calc_check_digit(code[:17]) != code[17]:
        raise InvalidIdentifierError(
            "checksum", _ORG_KIND, "the check character (position 18) is wrong"
        )
    body, check = code[8:16], code[16]
    if check != _org_check_character(body, _USCC_VALUES_31) and check != _org_check_character(
        body, _VALUES_36
    ):
        raise InvalidIdentifierError(
            "checksum",
            _ORG_KIND,
            "the embedded organization code's check character (position 17, GB 11714) is wrong",
        )
    return code
