"""Administrative region codes of China (GB/T 2260), with names and the hierarchy.

The table is python-stdnum's ``stdnum/cn/loc.dat`` (compiled from the GB/T 2260 code lists as
published on Wikipedia, with the years each code was in use); :data:`REGION_TABLE_SOURCE` names
the python-stdnum version that supplied it. A code that was assigned at any time is a known
region, including codes since abolished (resident ID numbers issued before a district was
abolished stay valid for life); :attr:`RegionCode.abolished` tells them apart. A six-digit code
that was never assigned is ``unknown_region``.

Example:
    >>> from volunteer_rules import RegionCode
    >>> panjin = RegionCode.parse("211100")
    >>> district = RegionCode.parse("211103")
    >>> district.name, district.level, district.parent == panjin, panjin.contains(district)
    ('兴隆台区', 'county', True, True)
    >>> panjin.parent.name
    '辽宁省'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from typing import Any, Final, Literal

import attrs
import stdnum

from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import InvalidIdentifierError

__all__ = ["REGION_TABLE_SOURCE", "RegionCode", "RegionLevel"]

RegionLevel = Literal["province", "city", "county"]

REGION_TABLE_SOURCE: Final = f"python-stdnum {stdnum.__version__} (stdnum/cn/loc.dat, GB/T 2260)"
"""Which region table the library carries: the installed python-stdnum's ``cn/loc.dat``."""


@masked_repr
@attrs.frozen(repr=False, eq=False)
class RegionCode:
    """A six-digit GB/T 2260 administrative division code known to the library.

    Build one with :meth:`parse`; instances are shared, so ``parse`` is a dictionary look-up.
    Two codes are equal when their digits are equal.

    Attributes:
        code: the six digits.
        name: the Chinese name (the latest one, for a code that was renamed).
        level: ``"province"`` (``xx0000``), ``"city"`` (``xxyy00``) or ``"county"``.
        valid_from: first year the code was in use, or ``None`` if the table does not say.
        valid_until: last year the code was in use, or ``None`` while it is current.
        history: every ``(valid_from, valid_until, name)`` the table records, oldest first.

    Example:
        >>> RegionCode.parse("110105")
        RegionCode('110105', '朝阳区')
        >>> RegionCode.parse("211121").abolished, RegionCode.parse("211121").valid_until
        (True, 2016)
    """

    code: str
    name: str
    level: RegionLevel
    valid_from: int | None
    valid_until: int | None
    history: tuple[tuple[int | None, int | None, str], ...]

    @classmethod
    def parse(cls, text: str) -> RegionCode:
        """Return the region for a six-digit code.

        Args:
            text: six ASCII digits; surrounding white space is ignored.

        Raises:
            InvalidIdentifierError: ``length`` or ``invalid_format`` for text that is not six
                digits, ``unknown_region`` for a code never assigned.

        Example:
            >>> RegionCode.parse("210000").name
            '辽宁省'
            >>> RegionCode.parse("999999")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.InvalidIdentifierError: region code: 999999 was never assigned in GB/T 2260
        """
        found = _REGIONS.get(text) if type(text) is str else None
        if found is not None:
            return found
        if not isinstance(text, str):
            raise InvalidIdentifierError(
                "invalid_format", "region code", f"must be a string, not {type(text).__name__}"
            )
        stripped = text.strip()
        if len(stripped) != 6:
            raise InvalidIdentifierError("length", "region code", "must be 6 digits")
        if not (stripped.isascii() and stripped.isdigit()):
            raise InvalidIdentifierError("invalid_format", "region code", "must be 6 digits")
        found = _REGIONS.get(stripped)
        if found is None:
            raise InvalidIdentifierError(
                "unknown_region", "region code", f"{stripped} was never assigned in GB/T 2260"
            )
        return found

    @classmethod
    def is_known(cls, text: object) -> bool:
        """Whether ``text`` is a six-digit code the library knows.

        Example:
            >>> RegionCode.is_known("211102"), RegionCode.is_known("211199")
            (True, False)
        """
        return isinstance(text, str) and text in _REGIONS

    @classmethod
    def all(cls) -> tuple[RegionCode, ...]:
        """Every known region, sorted by code.

        Example:
            >>> len(RegionCode.all()) > 3000, RegionCode.all()[0].code
            (True, '110000')
        """
        return _ALL

    @property
    def abolished(self) -> bool:
        """Whether the code has gone out of use (it stays a known region).

        Example:
            >>> RegionCode.parse("211104").abolished
            False
        """
        return self.valid_until is not None

    @property
    def parent(self) -> RegionCode | None:
        """The region one level up: a county's city (or province), a city's province.

        Example:
            >>> RegionCode.parse("211102").parent.code, RegionCode.parse("210000").parent
            ('211100', None)
        """
        return _PARENTS.get(self.code)

    @property
    def province(self) -> RegionCode:
        """The province-level region that contains this one (itself for a province).

        Example:
            >>> RegionCode.parse("211102").province.name
            '辽宁省'
        """
        return _REGIONS[self.code[:2] + "0000"]

    def ancestors(self) -> Iterator[RegionCode]:
        """This region, then each region above it, up to the province.

        Example:
            >>> [r.code for r in RegionCode.parse("211102").ancestors()]
            ['211102', '211100', '210000']
        """
        region: RegionCode | None = self
        while region is not None:
            yield region
            region = _PARENTS.get(region.code)

    def contains(self, other: RegionCode) -> bool:
        """Whether ``other`` lies in this region; a region contains itself.

        Example:
            >>> liaoning = RegionCode.parse("210000")
            >>> liaoning.contains(RegionCode.parse("211103")), liaoning.contains(liaoning)
            (True, True)
            >>> liaoning.contains(RegionCode.parse("110105"))
            False
        """
        if not isinstance(other, RegionCode):
            return False
        return any(region.code == self.code for region in other.ancestors())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RegionCode):
            return self.code == other.code
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.code)

    def __lt__(self, other: RegionCode) -> bool:
        if isinstance(other, RegionCode):
            return self.code < other.code
        return NotImplemented

    def __str__(self) -> str:
        return self.code

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis and IPython pretty-print attrs classes field by field, which would
        # bypass the masking repr: print the repr instead.
        printer.text(repr(self))

    def __repr__(self) -> str:
        return f"RegionCode({self.code!r}, {self.name!r})"

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (RegionCode.parse, (self.code,))


_ENTRY = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


def _history(value: str) -> tuple[tuple[int | None, int | None, str], ...]:
    periods: list[tuple[int | None, int | None, str]] = []
    for part in value.split(","):
        match = _ENTRY.match(part)
        if match is None:
            periods.append((None, None, part))
        else:
            start, end, name = match.groups()
            periods.append((int(start) if start else None, int(end) if end else None, name))
    return tuple(periods)


def _level(code: str) -> RegionLevel:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def _load() -> dict[str, RegionCode]:
    text = (resources.files("stdnum") / "cn" / "loc.dat").read_text(encoding="utf-8")
    regions: dict[str, RegionCode] = {}
    prefix = ""
    province_name = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            prefix, _, rest = line.partition(" ")
            province_name = rest.split('"')[1]
            continue
        suffix, _, rest = line.strip().partition(" ")
        value = rest.split('"')[1]
        code = prefix + suffix
        history = _history(value)
        if suffix == "0000":
            # The province line carries the name in everyday use.
            history = tuple((s, e, province_name) for s, e, _ in history)
        starts = [s for s, _, _ in history]
        ends = [e for _, e, _ in history]
        regions[code] = RegionCode(
            code=code,
            name=history[-1][2],
            level=_level(code),
            valid_from=None if None in starts else min(s for s in starts if s is not None),
            valid_until=None if None in ends else max(e for e in ends if e is not None),
            history=history,
        )
    return regions


def _parents(regions: dict[str, RegionCode]) -> dict[str, RegionCode]:
    parents: dict[str, RegionCode] = {}
    for code, region in regions.items():
        if region.level == "province":
            continue
        city = regions.get(code[:4] + "00")
        if region.level == "county" and city is not None:
            parents[code] = city
        else:
            parents[code] = regions[code[:2] + "0000"]
    return parents


_REGIONS: Final[dict[str, RegionCode]] = _load()
_PARENTS: Final[dict[str, RegionCode]] = _parents(_REGIONS)
_ALL: Final[tuple[RegionCode, ...]] = tuple(sorted(_REGIONS.values()))
