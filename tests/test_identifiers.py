from __future__ import annotations

import contextlib
import datetime as dt
import pickle
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

import volunteer_rules as vr
from volunteer_rules import InvalidIdentifierError, OrganizationCode, RegionCode, ResidentId
from volunteer_rules.testing.strategies import organization_codes, resident_ids

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=10,
)

ID_VECTORS = ["11010519491231002X", "440524188001010014", "513101198201130014"]


def make_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def parse_error(parse: Callable[[Any], object], text: object) -> InvalidIdentifierError | None:
    try:
        parse(text)
    except InvalidIdentifierError as error:
        return error
    return None


def code_of(error: pytest.ExceptionInfo[InvalidIdentifierError]) -> str:
    return error.value.code


class TestResidentIdVectors:
    """The published test vectors of regulations.md §8a."""

    @pytest.mark.parametrize("number", ID_VECTORS)
    def test_vector_parses(self, number: str) -> None:
        """Each published vector is accepted and reads back unchanged."""
        assert str(ResidentId.parse(number)) == number

    def test_vector_with_never_assigned_region(self) -> None:
        """34052419800101001X has a right check character, but 340524 was never assigned."""
        number = "34052419800101001X"
        assert ric.calc_check_digit(number) == "X"
        with pytest.raises(InvalidIdentifierError) as error:
            ResidentId.parse(number)
        assert code_of(error) == "unknown_region"

    @pytest.mark.parametrize("number", [*ID_VECTORS, "34052419800101001X"])
    def test_altered_check_character_fails_with_checksum(self, number: str) -> None:
        """Every other check character is refused with ``checksum``."""
        for other in "0123456789X":
            if other == number[-1]:
                continue
            with pytest.raises(InvalidIdentifierError) as error:
                ResidentId.parse(number[:-1] + other)
            assert code_of(error) == "checksum"

    def test_fields_of_vector(self) -> None:
        """Birth date, sex and region come out of the number."""
        rid = ResidentId.parse("11010519491231002X")
        assert rid.birth_date == dt.date(1949, 12, 31)
        assert rid.sex == "female"
        assert rid.region == RegionCode.parse("110105")
        assert rid.region_code == "110105"
        assert ResidentId.parse("440524188001010014").sex == "male"


class TestResidentIdRules:
    """Normalisation, each error code and the region rule."""

    def test_lowercase_x_is_normalised(self) -> None:
        """A lowercase x is accepted and written uppercase."""
        rid = ResidentId.parse("11010519491231002x")
        assert str(rid) == "11010519491231002X"
        assert rid == ResidentId.parse("11010519491231002X")

    def test_surrounding_space_is_ignored(self) -> None:
        """Surrounding white space is trimmed."""
        assert str(ResidentId.parse(" 11010519491231002X\n")) == "11010519491231002X"

    @pytest.mark.parametrize(
        "text", ["", "11010519491231002", "11010519491231002XX", "110105491231002"]
    )
    def test_length(self, text: str) -> None:
        """17, 19, 15 (first generation) and 0 characters are ``length``."""
        with pytest.raises(InvalidIdentifierError) as error:
            ResidentId.parse(text)
        assert code_of(error) == "length"

    @pytest.mark.parametrize(
        "text",
        ["1101051949123100XX", "A1010519491231002X", "11010519491231002Y", "１１010519491231002X"],
    )
    def test_invalid_format(self, text: str) -> None:
        """A letter out of place or a non-ASCII digit is ``invalid_format``."""
        with pytest.raises(InvalidIdentifierError) as error:
            ResidentId.parse(text)
        assert code_of(error) == "invalid_format"

    @pytest.mark.parametrize("value", [None, 11010519491231002, b"11010519491231002X", ["x"]])
    def test_not_a_string(self, value: Any) -> None:
        """A value that is not a string is ``invalid_format``."""
        with pytest.raises(InvalidIdentifierError) as error:
            ResidentId.parse(value)
        assert code_of(error) == "invalid_format"

    @pytest.mark.parametrize(
        "birth", ["19490230", "19491301", "19490001", "19490100", "19000229", "17991231"]
    )
    def test_invalid_date(self, birth: str) -> None:
        """No such day, or a year before 1800, is ``invalid_date``."""
        with pytest.raises(InvalidIdentifierError) as error:
            ResidentId.parse(make_id("110105" + birth + "002"))
        assert code_of(error) == "invalid_date"

    @pytest.mark.parametrize("birth", ["20000229", "18000101", "20991231"])
    def test_valid_date_edges(self, birth: str) -> None:
        """29 February of a leap year and the year 1800 are accepted."""
        assert (
            ResidentId.parse(make_id("110105" + birth + "002")).birth_date.strftime("%Y%m%d")
            == birth
        )

    def test_code_in_use_after_birth_is_known(self) -> None:
        """A Panjin resident born in 1970 with 211102 (in use since 1986) is accepted."""
        assert ResidentId.parse(make_id("21110219700101001")).region.name == "双台子区"

    def test_abolished_code_is_known(self) -> None:
        """211121 大洼县, abolished in 2016, stays a valid address code."""
        rid = ResidentId.parse(make_id("21112119800101001"))
        assert rid.region.abolished

    def test_code_never_assigned_is_unknown_region(self) -> None:
        """211199 was never assigned."""
        with pytest.raises(InvalidIdentifierError) as error:
            ResidentId.parse(make_id("21119919800101001"))
        assert code_of(error) == "unknown_region"

    def test_stdnum_rejects_what_we_accept(self) -> None:
        """python-stdnum's own validation rejects the 1970 Panjin number (why we do not use it)."""
        assert not ric.is_valid(make_id("21110219700101001"))

    def test_sex_boundary(self) -> None:
        """Sequence 001 is male, 002 female."""
        assert ResidentId.parse(make_id("11010519800101001")).sex == "male"
        assert ResidentId.parse(make_id("11010519800101002")).sex == "female"

    def test_immutable_and_picklable(self) -> None:
        """Attributes cannot be set; pickling round-trips."""
        rid = ResidentId.parse(ID_VECTORS[0])
        with pytest.raises(AttributeError):
            rid._number = "x"
        assert pickle.loads(pickle.dumps(rid)) == rid
        assert hash(rid) == hash(ResidentId.parse(ID_VECTORS[0]))
        assert rid != ID_VECTORS[0]

    def test_is_valid(self) -> None:
        """``is_valid`` answers without raising."""
        assert ResidentId.is_valid(ID_VECTORS[0])
        assert not ResidentId.is_valid(object())


class TestResidentIdMasking:
    """No birth date or sequence digit ever shows outside ``str``."""

    def test_masked_form(self) -> None:
        """Region digits, eleven stars and the check character."""
        rid = ResidentId.parse("11010519491231002X")
        assert rid.masked() == "110105***********X"
        assert repr(rid) == "ResidentId('110105***********X')"

    @given(resident_ids())
    def test_repr_never_shows_number(self, rid: ResidentId) -> None:
        """Neither repr nor masked contains the birth date or the sequence."""
        number = str(rid)
        masked = rid.masked()
        assert masked == number[:6] + "*" * 11 + number[17]
        assert repr(rid) == f"ResidentId({masked!r})"
        assert number not in repr(rid)

    @given(resident_ids(), st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
    def test_errors_never_show_number(self, rid: ResidentId, index: int, char: str) -> None:
        """An altered number's error message does not contain its birth date or the number."""
        number = str(rid)
        altered = number[:index] + char + number[index + 1 :]
        error = parse_error(ResidentId.parse, altered)
        if error is not None:
            assert altered not in str(error)
            assert altered[6:14] not in str(error)
            assert error.code in InvalidIdentifierError.CODES


class TestResidentIdProperties:
    """Properties over generated numbers."""

    @given(resident_ids())
    def test_round_trip(self, rid: ResidentId) -> None:
        """Parsing the full number gives an equal value."""
        assert ResidentId.parse(str(rid)) == rid

    @given(
        resident_ids(
            regions=st.just(RegionCode.parse("211103")),
            birth_dates=st.just(dt.date(2008, 2, 29)),
            sexes=st.just("female"),
        )
    )
    def test_strategy_arguments(self, rid: ResidentId) -> None:
        """The strategy honours its arguments."""
        assert rid.region_code == "211103"
        assert rid.birth_date == dt.date(2008, 2, 29)
        assert rid.sex == "female"

    @given(JSON)
    def test_any_json_raises_only_library_errors(self, value: object) -> None:
        """Arbitrary JSON values either parse or raise InvalidIdentifierError."""
        with contextlib.suppress(InvalidIdentifierError):
            ResidentId.parse(value)  # type: ignore[arg-type]

    @given(st.from_type(object))
    def test_any_object_raises_only_library_errors(self, value: object) -> None:
        """Arbitrary objects raise InvalidIdentifierError."""
        with pytest.raises(InvalidIdentifierError):
            ResidentId.parse(value)  # type: ignore[arg-type]
        with pytest.raises(InvalidIdentifierError):
            OrganizationCode.parse(value)  # type: ignore[arg-type]

    @given(st.text(alphabet="0123456789Xx ", min_size=15, max_size=20))
    def test_digit_strings_raise_only_library_errors(self, text: str) -> None:
        """Near-miss digit strings parse or raise InvalidIdentifierError with a known code."""
        error = parse_error(ResidentId.parse, text)
        assert error is None or error.code in InvalidIdentifierError.CODES


ORG_VECTORS = [
    "91110000600037341L",
    "91110108551385082Q",
    "512111005000000154",
    "51211100MJ00000175",
    "51211100MJ00000250",
    "51211100MJ0000033T",
]


class TestOrganizationCode:
    """GB 32100 credit codes with the embedded GB 11714 check."""

    @pytest.mark.parametrize("code", ORG_VECTORS)
    def test_vectors(self, code: str) -> None:
        """Published vectors (§8b) and the sample codes parse."""
        assert OrganizationCode.parse(code).code == code

    @pytest.mark.parametrize("code", ORG_VECTORS)
    def test_altered_check_character_fails(self, code: str) -> None:
        """Any other 18th character is ``checksum``."""
        for other in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if other != code[-1]:
                with pytest.raises(InvalidIdentifierError) as error:
                    OrganizationCode.parse(code[:-1] + other)
                assert code_of(error) == "checksum"

    def test_embedded_organization_code_vectors(self) -> None:
        """The §8c vectors are the organization codes inside the §8b vectors."""
        assert OrganizationCode.parse("91110000600037341L").organization_code == "600037341"
        assert OrganizationCode.parse("91110108551385082Q").organization_code == "551385082"

    def test_embedded_check_failure(self) -> None:
        """A code whose own check is right but whose organization code is wrong is refused."""
        first17 = "9111000060003734" + "2"
        code = first17 + uscc.calc_check_digit(first17)
        assert uscc.is_valid(code)
        with pytest.raises(InvalidIdentifierError) as error:
            OrganizationCode.parse(code)
        assert code_of(error) == "checksum"
        assert "GB 11714" in str(error.value)

    def test_letters_valued_either_way(self) -> None:
        """An organization code with letters passes under either letter valuation (§12)."""
        body = "MJ000001"
        for check in ("7", "8"):  # 31-alphabet and A=10..Z=35 valuations
            first17 = "51211100" + body + check
            code = first17 + uscc.calc_check_digit(first17)
            assert OrganizationCode.is_valid(code)
        first17 = "51211100" + body + "9"
        assert not OrganizationCode.is_valid(first17 + uscc.calc_check_digit(first17))

    def test_parts(self) -> None:
        """Department, type, division and their names."""
        org = OrganizationCode.parse("512111005000000154")
        assert (org.registration_department, org.entity_type) == ("5", "1")
        assert (org.registration_department_name, org.entity_type_name) == ("民政", "社会团体")
        assert org.region_code == "211100"
        assert org.region == RegionCode.parse("211100")

    def test_national_division_is_not_a_region(self) -> None:
        """100000 (national bodies) is exposed as text, with no region."""
        first17 = "51100000500000" + "01"
        first17 += "0"
        body = first17[8:16]
        values = {c: i for i, c in enumerate("0123456789")}
        weights = (3, 7, 9, 10, 5, 8, 4, 2)
        rem = 11 - sum(values[c] * w for c, w in zip(body, weights, strict=True)) % 11
        check = {10: "X", 11: "0"}.get(rem, str(rem))
        first17 = first17[:16] + check
        org = OrganizationCode.parse(first17 + uscc.calc_check_digit(first17))
        assert org.region_code == "100000"
        assert org.region is None
        assert org.entity_type_name == "社会团体"

    def test_lowercase_and_space(self) -> None:
        """Lowercase letters and surrounding space are normalised."""
        assert OrganizationCode.parse(" 51211100mj00000175 ").code == "51211100MJ00000175"

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("", "length"),
            ("91110000600037341", "length"),
            ("91110000600037341LL", "length"),
            ("91110000600037341I", "invalid_format"),
            ("911100O0600037341L", "invalid_format"),
            ("9111A000600037341L", "invalid_format"),
            ("91110000600037341-", "invalid_format"),
        ],
    )
    def test_errors(self, text: str, code: str) -> None:
        """Length and format errors."""
        with pytest.raises(InvalidIdentifierError) as error:
            OrganizationCode.parse(text)
        assert code_of(error) == code

    def test_letter_department(self) -> None:
        """Department Y (other) is a letter and accepted."""
        first17 = "Y1110000600037341"
        org = OrganizationCode.parse(first17 + uscc.calc_check_digit(first17))
        assert org.registration_department_name == "其他"
        assert org.entity_type_name is None

    def test_cache_returns_equal_values(self) -> None:
        """A cached parse returns the same value."""
        a = OrganizationCode.parse("512111005000000154")
        assert OrganizationCode.parse("512111005000000154") is a
        assert pickle.loads(pickle.dumps(a)) == a
        assert repr(a) == "OrganizationCode('512111005000000154')"
        assert str(a) == "512111005000000154"
        with pytest.raises(AttributeError):
            a._code = "x"

    @given(organization_codes())
    def test_round_trip(self, org: OrganizationCode) -> None:
        """Generated codes parse back equal and pass python-stdnum's check."""
        assert OrganizationCode.parse(str(org)) == org
        assert uscc.calc_check_digit(str(org)[:17]) == str(org)[17]

    @given(
        organization_codes(),
        st.integers(min_value=0, max_value=17),
        st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUWXY"),
    )
    def test_single_substitution_detected(
        self, org: OrganizationCode, index: int, char: str
    ) -> None:
        """Changing one character is always detected (mod 31 catches every substitution)."""
        code = str(org)
        if code[index] == char:
            return
        altered = code[:index] + char + code[index + 1 :]
        assert not OrganizationCode.is_valid(altered)

    @given(JSON)
    def test_any_json(self, value: object) -> None:
        """Arbitrary JSON values parse or raise InvalidIdentifierError."""
        with contextlib.suppress(InvalidIdentifierError):
            OrganizationCode.parse(value)  # type: ignore[arg-type]

    def test_exported(self) -> None:
        """The names are exported at the top level."""
        assert vr.ResidentId is ResidentId
        assert vr.OrganizationCode is OrganizationCode
