"""The star procedure: every transition, and a state machine proving grant == certify."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import volunteer_rules as vr
from volunteer_rules.errors import ConflictError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.award import (
    AwardProcedure,
    StarAward,
    apply_for_award,
    expire_award,
    grant_award,
    object_to_award,
    procedure_for,
    publish_notice,
    resolve_objection,
    review_award,
    revoke_award,
)

CST = dt.timezone(dt.timedelta(hours=8))
D = dt.date
START = D(2024, 1, 2)

NOTICE = AwardProcedure(
    rule_set_id="cn-national",
    reviewers=("district", "district", "district", "city", "city"),
    notice_working_days=5,
)


def record(record_id: str, day: dt.date, minutes: int) -> ServiceRecord:
    return ServiceRecord(
        record_id=record_id,
        volunteer_id="V1",
        organization_id="512111005000000154",
        activity_name="a",
        service_category="other",
        content="c",
        place="p",
        region_code=RegionCode.parse("440106"),
        date=day,
        start=None,
        end=None,
        service=Hours.from_minutes(minutes),
        person_in_charge="x",
        recorded_by="y",
        recorded_at=dt.datetime(day.year, day.month, day.day, 20, tzinfo=CST),
        status="verified",
    )


def history(hours: int, last: dt.date) -> list[ServiceRecord]:
    return [record(f"h{n}", last - dt.timedelta(days=n), 600) for n in range(hours // 10)]


class TestTransitions:
    def cert(self, records: list[ServiceRecord], day: dt.date) -> vr.Certification:
        return vr.certify(records, rule_set="cn-national", as_of=day)

    def test_nothing_to_apply_for(self) -> None:
        """Without a level, an application is an error."""
        with pytest.raises(InvalidValueError, match="no level"):
            apply_for_award(
                application_id="A", certification=self.cert([], START), on=START, by="volunteer"
            )

    def test_certification_of_another_day(self) -> None:
        """The certification must be of the day of the step."""
        records = history(100, START)
        with pytest.raises(InvalidValueError, match="was made for"):
            apply_for_award(
                application_id="A",
                certification=self.cert(records, START),
                on=START + dt.timedelta(days=1),
                by="volunteer",
            )

    def test_beijing_five_stars_must_be_nominated(self) -> None:
        """Beijing's five stars: a volunteer's own application is refused; a nomination is not."""
        day = D(2024, 6, 3)
        records = history(1500, day)
        cert = vr.certify(
            records,
            rule_set="cn-beijing",
            as_of=day,
            attested={"public_standing_and_deeds", "organization_nomination"},
        )
        assert cert.level.rank == 5
        with pytest.raises(InvalidValueError, match="nominated"):
            apply_for_award(application_id="A", certification=cert, on=day, by="volunteer")
        award = apply_for_award(application_id="A", certification=cert, on=day, by="organization")
        assert award.procedure.reviewer_for(5) == "city"
        with pytest.raises(InvalidValueError, match="reviewed by the city"):
            review_award(award, on=day, reviewer="organization", approve=True)

    def test_longgang_review_bodies(self) -> None:
        """Longgang: stars one to three by the street, four by the district."""
        procedure = procedure_for("cn-shenzhen-longgang")
        assert [procedure.reviewer_for(r) for r in (1, 2, 3, 4)] == [
            "street",
            "street",
            "street",
            "district",
        ]
        assert procedure.notice_working_days == 5

    def test_notice_both_sides(self) -> None:
        """An objection on the notice's last day is allowed, the next day not; a grant on the
        last day is too early, the next day it is made."""
        records = history(300, D(2024, 9, 20))
        award = apply_for_award(
            application_id="A",
            certification=self.cert(records, D(2024, 9, 20)),
            on=D(2024, 9, 20),
            by="volunteer",
            procedure=NOTICE,
        )
        award = review_award(award, on=D(2024, 9, 26), reviewer="district", approve=True)
        with pytest.raises(ConflictError):  # not in notice yet
            object_to_award(award, on=D(2024, 9, 26), by="x", reason="y")
        award = publish_notice(award, on=D(2024, 9, 27))
        assert award.notice_until == D(2024, 10, 10)
        objected = object_to_award(award, on=D(2024, 10, 10), by="x", reason="y")
        assert objected.state == "objected"
        with pytest.raises(InvalidValueError, match="notice ended"):
            object_to_award(award, on=D(2024, 10, 11), by="x", reason="y")
        with pytest.raises(InvalidValueError, match="runs until"):
            grant_award(
                award, on=D(2024, 10, 10), certification=self.cert(records, D(2024, 10, 10))
            )
        granted = grant_award(
            award, on=D(2024, 10, 11), certification=self.cert(records, D(2024, 10, 11))
        )
        assert granted.state == "granted" and granted.level.name == "two_star"
        upheld = resolve_objection(objected, on=D(2024, 10, 12), upheld=True, reason="z")
        assert upheld.state == "rejected"
        with pytest.raises(ConflictError):
            grant_award(
                upheld, on=D(2024, 10, 14), certification=self.cert(records, D(2024, 10, 14))
            )

    def test_explain_masks_what_an_objector_typed(self) -> None:
        """An objector's mobile, ID number and e-mail are masked in explain(), as in the repr;
        the certification's explain() masks a record id or a sanction reason the same way."""
        records = history(300, D(2024, 9, 20))
        award = apply_for_award(
            application_id="A",
            certification=self.cert(records, D(2024, 9, 20)),
            on=D(2024, 9, 20),
            by="volunteer",
            procedure=NOTICE,
        )
        award = review_award(award, on=D(2024, 9, 26), reviewer="district", approve=True)
        award = publish_notice(award, on=D(2024, 9, 27))
        objected = object_to_award(
            award, on=D(2024, 9, 30), by="张三 13812345678", reason="见 11010519491231002X, a@b.cn"
        )
        text = objected.explain()
        assert "objection by 张三 138****5678: 见 110105***********X, a***@b.cn" in text
        for whole in ("13812345678", "11010519491231002X", "a@b.cn"):
            assert whole not in text and whole not in repr(objected)
        late = record("11010519491231002X", D(2024, 9, 21), 60)
        ban = vr.Sanction(date=D(2024, 9, 1), reason="举报 13812345678", ban_until=D(2024, 12, 31))
        certified = vr.certify([*records, late], rule_set="cn-national", as_of=D(2024, 9, 20),
                               sanctions=[ban])  # fmt: skip
        text = certified.explain()
        assert "Not counted: 110105***********X: after_as_of" in text
        assert "举报 138****5678" in text
        assert "13812345678" not in text and "11010519491231002X" not in text

    def test_refused_when_certify_disagrees(self) -> None:
        """A level lost by the grant day (a ban) is refused, with the reason."""
        records = history(300, START)
        award = apply_for_award(
            application_id="A", certification=self.cert(records, START), on=START, by="volunteer"
        )
        award = review_award(award, on=START, reviewer="organization", approve=True)
        ban = vr.Sanction(date=START, reason="falsified_records", ban_until=D(2025, 1, 1))
        cert = vr.certify(records, rule_set="cn-national", as_of=D(2024, 2, 1), sanctions=[ban])
        refused = grant_award(award, on=D(2024, 2, 1), certification=cert)
        assert refused.state == "refused" and "certify gives none" in refused.history[-1].note

    def test_revocation_ban_range_and_expiry(self) -> None:
        """Bans are 1 to 3 years; the ban ends the day before the same date years later."""
        records = history(300, START)
        award = apply_for_award(
            application_id="A", certification=self.cert(records, START), on=START, by="volunteer"
        )
        award = review_award(award, on=START, reviewer="organization", approve=True)
        award = grant_award(award, on=START, certification=self.cert(records, START))
        for years in (0, 4):
            with pytest.raises(InvalidValueError):
                revoke_award(award, on=START, by="city", ban_years=years)
        revoked = revoke_award(award, on=D(2024, 3, 1), by="city", ban_years=3)
        assert revoked.ban_until == D(2027, 2, 28)
        assert revoked.award is None and revoked.sanction is not None
        with pytest.raises(ConflictError):
            expire_award(award, on=D(2030, 1, 1))  # no validity under cn-national
        with pytest.raises(ConflictError):
            revoke_award(revoked, on=D(2024, 3, 2), by="city", ban_years=1)

    def test_honour_card_expires_after_validity(self) -> None:
        """Taiwan's honour card: valid 36 months; it expires the day after its last valid day."""
        day = D(2024, 6, 3)
        records = [record("first", D(2021, 6, 1), 60), *history(300, day)]
        cert = vr.certify(records, rule_set="tw-honour-card", as_of=day)
        award = apply_for_award(application_id="T", certification=cert, on=day, by="volunteer")
        award = review_award(award, on=day, reviewer="organization", approve=True)
        award = grant_award(award, on=day, certification=cert)
        assert award.valid_until == D(2027, 6, 2)
        with pytest.raises(InvalidValueError, match="valid until"):
            expire_award(award, on=D(2027, 6, 2))
        assert expire_award(award, on=D(2027, 6, 3)).state == "expired"


class StarProcedureMachine(RuleBasedStateMachine):
    """Random service, applications and every step; a grant always equals certify that day."""

    def __init__(self) -> None:
        super().__init__()
        self.day = START
        self.records: list[ServiceRecord] = []
        self.award: StarAward | None = None
        self.granted: list[StarAward] = []
        self.bans: list[vr.Sanction] = []
        self.procedure = NOTICE

    def cert(self, day: dt.date) -> vr.Certification:
        return vr.certify(self.records, rule_set="cn-national", as_of=day, sanctions=self.bans)

    @rule(hours=st.integers(1, 400))
    def serve(self, hours: int) -> None:
        self.records.append(record(f"r{len(self.records)}", self.day, hours * 60 // 2))

    @rule(days=st.integers(1, 20))
    def wait(self, days: int) -> None:
        self.day += dt.timedelta(days=days)

    @rule(notice=st.booleans(), by=st.sampled_from(["volunteer", "organization"]))
    def apply(self, notice: bool, by: str) -> None:
        procedure = NOTICE if notice else procedure_for("cn-national")
        cert = self.cert(self.day)
        if self.award is not None and self.award.state not in {
            "rejected",
            "refused",
            "granted",
            "revoked",
            "expired",
        }:
            return
        if cert.level.rank == 0:
            with pytest.raises(InvalidValueError):
                apply_for_award(
                    application_id="A", certification=cert, on=self.day, by=by, procedure=procedure
                )
            return
        self.award = apply_for_award(
            application_id="A", certification=cert, on=self.day, by=by, procedure=procedure
        )
        assert self.award.level == cert.level

    @precondition(lambda self: self.award is not None)
    @rule(right_body=st.booleans(), approve=st.booleans())
    def review(self, right_body: bool, approve: bool) -> None:
        assert self.award is not None
        expected = self.award.procedure.reviewer_for(self.award.level.rank)
        body = expected if right_body else ("province" if expected != "province" else "street")
        if not right_body:
            with pytest.raises(InvalidValueError):
                review_award(self.award, on=self.day, reviewer=body, approve=approve, reason="r")
            return
        if self.award.state != "applied":
            with pytest.raises(ConflictError):
                review_award(self.award, on=self.day, reviewer=body, approve=approve, reason="r")
            return
        self.award = review_award(
            self.award, on=self.day, reviewer=body, approve=approve, reason="r"
        )

    @precondition(lambda self: self.award is not None)
    @rule()
    def notice(self) -> None:
        assert self.award is not None
        if self.award.state != "approved" or not self.award.procedure.notice_working_days:
            with pytest.raises(ConflictError):
                publish_notice(self.award, on=self.day)
            return
        self.award = publish_notice(self.award, on=self.day)
        assert self.award.notice_until is not None and self.award.notice_until > self.day

    @precondition(lambda self: self.award is not None and self.award.state == "in_notice")
    @rule(upheld=st.booleans())
    def objection(self, upheld: bool) -> None:
        assert self.award is not None and self.award.notice_until is not None
        if self.day > self.award.notice_until:
            with pytest.raises(InvalidValueError):
                object_to_award(self.award, on=self.day, by="o", reason="r")
            return
        objected = object_to_award(self.award, on=self.day, by="o", reason="r")
        self.award = resolve_objection(objected, on=self.day, upheld=upheld, reason="r")
        assert self.award.state == ("rejected" if upheld else "in_notice")

    @precondition(lambda self: self.award is not None)
    @rule(stale=st.booleans())
    def grant(self, stale: bool) -> None:
        assert self.award is not None
        if stale:  # a certification of another day is never accepted
            with pytest.raises(InvalidValueError):
                grant_award(
                    self.award,
                    on=self.day,
                    certification=self.cert(self.day - dt.timedelta(days=1)),
                )
            return
        cert = self.cert(self.day)
        award = self.award
        waiting = "in_notice" if award.procedure.notice_working_days else "approved"
        if award.state != waiting:
            with pytest.raises((ConflictError, InvalidValueError)):
                grant_award(award, on=self.day, certification=cert)
            return
        if award.notice_until is not None and self.day <= award.notice_until:
            with pytest.raises(InvalidValueError):
                grant_award(award, on=self.day, certification=cert)
            return
        self.award = grant_award(award, on=self.day, certification=cert)
        if self.award.state == "granted":
            self.granted.append(self.award)
        else:
            assert self.award.state == "refused" and cert.level != award.level

    @precondition(lambda self: self.award is not None and self.award.state == "granted")
    @rule(years=st.integers(1, 3))
    def revoke(self, years: int) -> None:
        assert self.award is not None
        self.award = revoke_award(self.award, on=self.day, by="city", ban_years=years)
        assert self.award.sanction is not None
        self.bans.append(self.award.sanction)

    @invariant()
    def granted_equals_certify(self) -> None:
        """Every grant equals what certify says on the grant day (records entered later, and
        bans decided later, do not change that day's answer)."""
        for award in self.granted:
            assert award.granted_on is not None
            bans = [b for b in self.bans if b.date <= award.granted_on]
            again = vr.certify(
                self.records, rule_set="cn-national", as_of=award.granted_on, sanctions=bans
            )
            assert again.level == award.level

    @invariant()
    def history_explains_every_step(self) -> None:
        if self.award is not None:
            assert self.award.history[-1].state == self.award.state
            days = [e.on for e in self.award.history]
            assert days == sorted(days)


StarProcedureMachine.TestCase.settings = settings(stateful_step_count=25, deadline=None)
TestStarProcedureMachine = StarProcedureMachine.TestCase
