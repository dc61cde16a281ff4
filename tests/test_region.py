"""RegionCode: GB/T 2260 codes known to the library, with names and the hierarchy."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules import RegionCode
from volunteer_rules.testing import strategies as vst

PANJIN = RegionCode.parse("211100")
LIAONING = RegionCode.parse("210000")


class TestParse:
    @pytest.mark.parametrize(
        ("code", "name", "level"),
        [
            ("210000", "辽宁省", "province"),
            ("211100", "盘锦市", "city"),
            ("211102", "双台子区", "county"),
            ("211103", "兴隆台区", "county"),
            ("211104", "大洼区", "county"),
            ("211122", "盘山县", "county"),
            ("110105", "朝阳区", "county"),
        ],
    )
    def test_known_codes(self, code: str, name: str, level: str) -> None:
        """Known codes give their Chinese name and level."""
        region = RegionCode.parse(code)
        assert (region.code, region.name, region.level) == (code, name, level)
        assert str(region) == code

    def test_interned(self) -> None:
        """Parsing the same code twice gives the same instance."""
        assert RegionCode.parse("211103") is RegionCode.parse(" 211103 ")

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("21110", "length"),
            ("2111000", "length"),
            ("", "length"),
            ("21110a", "invalid_format"),
            ("２１１１００", "invalid_format"),
            ("211199", "unknown_region"),
            ("999999", "unknown_region"),
            ("000000", "unknown_region"),
        ],
    )
    def test_bad_text(self, text: str, code: str) -> None:
        """Bad text is an InvalidIdentifierError with the matching code."""
        with pytest.raises(vr.InvalidIdentifierError) as info:
            RegionCode.parse(text)
        assert info.value.code == code

    @pytest.mark.parametrize("value", [211100, None, b"211100", ["211100"], {"a": 1}])
    def test_not_a_string(self, value: Any) -> None:
        """Values that are not strings (even unhashable ones) are invalid_format errors."""
        with pytest.raises(vr.InvalidIdentifierError) as info:
            RegionCode.parse(value)
        assert info.value.code == "invalid_format"

    @given(st.text(max_size=8) | st.from_type(object))
    def test_anything(self, value: Any) -> None:
        """Any value parses or raises an InvalidIdentifierError, nothing else."""
        try:
            region = RegionCode.parse(value)
        except vr.InvalidIdentifierError:
            assert not RegionCode.is_known(value)
        else:
            assert RegionCode.is_known(region.code)

    def test_is_known(self) -> None:
        """is_known is true for known six-digit strings only."""
        assert RegionCode.is_known("211102")
        assert not RegionCode.is_known("211199")
        assert not RegionCode.is_known(211102)
        assert not RegionCode.is_known([1])


class TestAbolished:
    def test_abolished_code_still_known(self) -> None:
        """大洼县 (211121), abolished in 2016, is still a known region."""
        county = RegionCode.parse("211121")
        assert county.abolished
        assert county.valid_until == 2016
        assert county.parent == PANJIN

    def test_successor_current(self) -> None:
        """大洼区 (211104) replaced it and is current."""
        district = RegionCode.parse("211104")
        assert not district.abolished
        assert district.valid_from == 2016

    def test_history_oldest_first(self) -> None:
        """history lists the periods of use, oldest first, the last one being name's."""
        for region in RegionCode.all():
            assert region.history
            assert region.history[-1][2] == region.name


class TestHierarchy:
    def test_parent_chain(self) -> None:
        """A county's parent is its city, a city's is its province, a province has none."""
        district = RegionCode.parse("211103")
        assert district.parent == PANJIN
        assert PANJIN.parent == LIAONING
        assert LIAONING.parent is None
        assert [r.code for r in district.ancestors()] == ["211103", "211100", "210000"]
        assert district.province == LIAONING
        assert LIAONING.province == LIAONING

    def test_contains(self) -> None:
        """contains follows the hierarchy; a region contains itself; others are not inside."""
        district = RegionCode.parse("211103")
        assert LIAONING.contains(district)
        assert PANJIN.contains(district)
        assert district.contains(district)
        assert not district.contains(PANJIN)
        assert not PANJIN.contains(RegionCode.parse("110105"))
        assert not PANJIN.contains("211103")  # type: ignore[arg-type]

    @given(vst.region_codes())
    def test_every_region_in_its_province(self, region: RegionCode) -> None:
        """Every region lies in its province and in each of its ancestors."""
        assert region.province.contains(region)
        for ancestor in region.ancestors():
            assert ancestor.contains(region)
            assert ancestor.code[:2] == region.code[:2]

    @given(vst.region_codes(level="county", within=PANJIN))
    def test_strategy_within(self, region: RegionCode) -> None:
        """region_codes(level=..., within=...) gives counties of that area."""
        assert region.level == "county"
        assert PANJIN.contains(region)

    def test_levels_by_shape(self) -> None:
        """Level follows the code's shape: xx0000 province, xxyy00 city, otherwise county."""
        for region in RegionCode.all():
            if region.code.endswith("0000"):
                assert region.level == "province"
            elif region.code.endswith("00"):
                assert region.level == "city"
            else:
                assert region.level == "county"


class TestValue:
    def test_equality_and_hash(self) -> None:
        """Equal codes are equal regions with equal hashes; regions never equal strings."""
        assert RegionCode.parse("211100") == PANJIN
        assert hash(RegionCode.parse("211100")) == hash(PANJIN)
        assert PANJIN != "211100"

    def test_order(self) -> None:
        """Regions sort by code; all() is sorted and complete."""
        everything = RegionCode.all()
        assert list(everything) == sorted(everything)
        assert len(everything) > 3000
        assert len({r.code for r in everything}) == len(everything)

    def test_pickle_and_copy(self) -> None:
        """Pickling and copying give the interned instance back."""
        assert pickle.loads(pickle.dumps(PANJIN)) is PANJIN
        assert copy.deepcopy(PANJIN) == PANJIN

    def test_repr(self) -> None:
        """repr shows code and name."""
        assert repr(PANJIN) == "RegionCode('211100', '盘锦市')"

    def test_table_source_named(self) -> None:
        """The table's source and version are documented."""
        assert "python-stdnum" in vr.REGION_TABLE_SOURCE


class TestStrategy:
    def test_bad_arguments(self) -> None:
        """Bad level or within, or an empty selection, are InvalidArgument."""
        from hypothesis.errors import InvalidArgument

        for strategy in (
            vst.region_codes(level="village"),
            vst.region_codes(within="211100"),  # type: ignore[arg-type]
            vst.region_codes(level="province", within=PANJIN),
        ):
            with pytest.raises(InvalidArgument):
                strategy.validate()
