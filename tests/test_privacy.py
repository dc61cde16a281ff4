"""ID-card numbers and contacts never appear in full in repr, pretty-printing or errors."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from hypothesis.vendor.pretty import pretty

import volunteer_rules as vr
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
