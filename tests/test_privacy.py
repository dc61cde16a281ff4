"""ID-card numbers and contacts never appear in full in repr, pretty-printing or errors."""

from __future__ import annotations

import hashlib
import uuid

from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.vendor.pretty import pretty

import volunteer_rules as vr
from volunteer_rules._privacy import mask_identity_numbers, mask_message_text, mask_personal_data
from volunteer_rules.testing.strategies import resident_ids, volunteer_profiles


class TestPrettyPrinting:
    @given(volunteer_profiles(document_kinds=st.just("resident_id")))
    def test_profiles(self, profile: vr.VolunteerProfile) -> None:
        """Hypothesis' and IPython's pretty printer shows the masked forms only."""
        number = profile.id_document.number
        for text in (repr(profile), pretty(profile), pretty([profile.id_document])):
            assert number not in text
            if profile.contact is not None and len(profile.contact) >= 7:
                assert profile.contact not in text

    @given(resident_ids())
    def test_resident_ids(self, rid: vr.ResidentId) -> None:
        """A resident ID's repr and pretty form never show birth date or sequence digits."""
        for text in (repr(rid), pretty(rid), rid.masked()):
            assert str(rid) not in text
            assert str(rid)[6:17] not in text

    @given(resident_ids())
    @example(vr.ResidentId.parse("110000210001010018"))  # born in 2100: a year ResidentId takes
    @example(vr.ResidentId.parse("110000180001010013"))  # the first year it takes
    def test_one_mask_for_an_id_number(self, rid: vr.ResidentId) -> None:
        """The value, the document and free text mask an ID number by one rule."""
        number = str(rid)
        masked = rid.masked()
        assert vr.mask_document_number("resident_id", number) == masked
        assert mask_identity_numbers(f"id {number}.") == f"id {masked}."
        assert masked[:6] + masked[-1] == number[:6] + number[-1]
        assert set(masked[6:17]) == {"*"}

    def test_issuer_contact(self) -> None:
        """An issuer's contact is masked when pretty-printed."""
        issuer = vr.Issuer(
            organization_id="512111005000000154",
            name="协会",
            responsible_person="张伟",
            handler="李雷",
            contact="13812345678",
        )
        assert "13812345678" not in pretty(issuer)
        assert "13812345678" not in repr(issuer)


class TestMobileNumbersWithSeparators:
    """A mobile number as people write it, 3-4-4 digits apart, is masked as one written whole."""

    @given(
        number=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
        separator=st.sampled_from(["-", " "]),
        before=st.sampled_from(["", "手机 ", "tel: ", "联系电话：", "(", "\t"]),
        after=st.sampled_from(["", " ", "；", ")", "\n", " 张三"]),
    )
    @example(number="13812345678", separator="-", before="", after="")
    def test_the_middle_digits_never_show(
        self, number: str, separator: str, before: str, after: str
    ) -> None:
        written = separator.join((number[:3], number[3:7], number[7:]))
        masked = mask_personal_data(before + written + after)

        def digits(text: str) -> str:
            return "".join(char for char in text if char.isdigit())

        assert digits(masked) == digits(before) + number[:3] + number[-4:] + digits(after)
        assert masked.startswith(before) and masked.endswith(number[-4:] + after)
        assert mask_personal_data(masked) == masked  # masking twice changes nothing


_WIDE = str.maketrans("0123456789Xx+- ", "０１２３４５６７８９Ｘｘ＋－\u3000")
"""ASCII digits, ``X``, ``+``, ``-`` and space as an input method's full-width mode types them."""


class TestNumbersTypedInFullWidth:
    """A number typed in full-width digits is masked as the same number in ASCII is."""

    def test_a_mobile_and_an_id_number_typed_in_full_width(self) -> None:
        assert (
            mask_personal_data("联系电话：１３８－１２３４－５６７８")
            == "联系电话：１３８******５６７８"
        )
        assert mask_personal_data("身份证１１０１０５１９４９１２３１００２Ｘ") == (
            "身份证１１０１０５***********Ｘ"
        )
        assert mask_message_text("账号６２２２０２０２００１１２２３３４４５") == (
            "账号６２２２０２************５"
        )

    @given(
        text=st.lists(
            st.sampled_from(
                [*"0123456789Xx+- ab.电话：\u3000", "1381234567", "110105194912310", "86"]
            ),
            max_size=20,
        ).map("".join)
    )
    @example(text="tel 13812345678 id 11010519491231002X")
    def test_masked_in_the_same_places(self, text: str) -> None:
        """Typed wide, the same characters are masked, the others kept as typed."""
        wide = text.translate(_WIDE)
        for mask in (mask_personal_data, mask_message_text):
            masked = mask(wide)
            assert masked == mask(text).translate(_WIDE)
            assert mask(masked) == masked  # masking twice changes nothing


class TestCountryCode:
    """A mobile number after the country code, written +86, 0086 or 86, is masked."""

    @given(
        number=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
        code=st.sampled_from(["+86", "0086", "86", "+86 ", "0086 ", "86-", "(+86)"]),
        before=st.sampled_from(["", "手机", "tel: ", "\t"]),
    )
    @example(number="13812345678", code="86", before="电话")
    def test_the_middle_digits_never_show(self, number: str, code: str, before: str) -> None:
        masked = mask_personal_data(before + code + number)
        at = len(before + code)  # masks keep the length
        assert masked[at + 3 : at + 7] == "****", masked
        assert masked.startswith(before) and len(masked) == at + len(number)
        assert mask_personal_data(masked) == masked


class TestMobileNumbersAgainstLetters:
    """A mobile number glued to a name or a prefix (``V13812345678``) is masked."""

    @given(
        number=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
        before=st.from_regex(r"[A-Za-z0-9]{0,6}[A-Za-z]|", fullmatch=True),
        after=st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,6}|", fullmatch=True),
    )
    @example(number="13812345678", before="V", after="")
    @example(number="13812345678", before="zhang", after="")
    @example(number="13812345678", before="", after="V")
    @example(number="13812345678", before="ab", after="c")  # hexadecimal, but no digest
    def test_the_middle_digits_never_show(self, number: str, before: str, after: str) -> None:
        masked = mask_personal_data(before + number + after)
        assert masked == before + number[:3] + "****" + number[-4:] + after
        assert mask_personal_data(masked) == masked

    def test_the_letter_of_an_escape_is_no_part_of_the_number(self) -> None:
        """``\\b`` and ``\\u0001`` before a number (a repr, a JSON text) are escapes."""
        assert mask_personal_data("\\b13812345678") == "\\b138****5678"
        assert mask_personal_data("\\u000113812345678") == "\\u0001138****5678"


class TestDigestsAndUuids:
    """A hexadecimal digest or a UUID is shown whole, though digits shaped like a person's
    number fall into some by chance; the same digits glued to any other letter are masked."""

    def test_sha256_digests_stay_whole(self) -> None:
        """Digits shaped like an ID number fall into about one digest in 4,000, a mobile
        number's into one in 300, a run of ten digits into one in six."""
        changed = 0
        for n in range(20_000):
            digest = hashlib.sha256(str(n).encode()).hexdigest()
            for shown in (digest, digest.upper(), "sha256:" + digest, f"({digest[:32]})"):
                assert mask_message_text(shown) == shown
            changed += mask_message_text("V" + digest) != "V" + digest
        assert changed > 1_000  # the runs are there: glued to a V, they are masked

    def test_uuids_stay_whole(self) -> None:
        changed = 0
        for n in range(20_000):
            value = str(uuid.UUID(bytes=hashlib.md5(str(n).encode()).digest()))
            assert mask_message_text(f"record {value}:") == f"record {value}:"
            changed += mask_message_text(value.replace("-", "g")) != value.replace("-", "g")
        assert changed > 50

    @given(
        number=st.sampled_from(["13812345678", "11010519491231002X", "110105491231002"]),
        before=st.from_regex(r"[0-9a-f]{0,40}", fullmatch=True),
        after=st.from_regex(r"[0-9a-f]{0,40}", fullmatch=True),
    )
    def test_a_number_in_a_digest_stays_and_out_of_one_is_masked(
        self, number: str, before: str, after: str
    ) -> None:
        assume(not before[-1:].isdigit() and not after[:1].isdigit())  # else no such number
        text = before + number + after
        digest = len(text) >= 32 and number[-1] != "X" and any(c.isalpha() for c in text)
        assert (mask_personal_data(text) == text) == digest
