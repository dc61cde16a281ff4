from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import pkgutil
import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules.rules.schemes as rulesets_package
from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
    RecordFormatError,
    RuleSetError,
    UnknownRuleSetError,
    VolunteerRulesError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.certification import certify
from volunteer_rules.rules.rule_set import (
    Award,
    Level,
    RuleSet,
    RuleSetVersion,
    dump_rule_set,
    rule_set_from_mapping,
)
from volunteer_rules.rules.schemes import (
    BUILTIN_MODULES,
    DEFAULT_REGISTRY,
    REGION_BINDINGS,
    RegionBinding,
    RuleSetRegistry,
    get_rule_set,
    rule_set_for_region,
    rule_set_ids,
)
from volunteer_rules.testing._certification_strategies import rule_set_mappings

CONTRACT_IDS = {
    "cn-national",
    "cn-cyl",
    "cn-beijing",
    "cn-shenzhen-longgang",
    "cn-maanshan",
    "cn-sichuan",
    "cn-zhangjiagang",
    "tw-honour-card",
    "tw-awards",
    "hk-swd",
    "hk-hkv-award",
    "uk-millennium-volunteers",
    "us-pvsa",
}
AS_OF = dt.date(2026, 6, 30)
CST = dt.timezone(dt.timedelta(hours=8))
DOCS = Path(__file__).resolve().parent.parent / "docs" / "rule-sets.md"

REGISTERED = rule_set_from_mapping(
    {
        "id": "cn-panjin-example",
        "name": "Panjin example",
        "name_zh": "盘锦示例",
        "references": [{"key": "example", "document": "an integrator's own rules"}],
        "versions": [
            {
                "valid_from": "2020-01-01",
                "levels": [
                    {"rank": 1, "name": "one_star", "label": "一星", "hours": 50},
                    {"rank": 2, "name": "two_star", "label": "二星", "hours": "150.5"},
                ],
            },
            {
                "valid_from": "2025-01-01",
                "window": "calendar_year",
                "levels": [
                    {"rank": 1, "name": "one_star", "label": "一星", "hours": 40},
                    {"rank": 2, "name": "two_star", "label": "二星", "hours": 80},
                ],
            },
        ],
    }
)
ALL_RULE_SETS = [get_rule_set(i) for i in rule_set_ids()] + [REGISTERED]


def records_totalling(
    minutes: int,
    as_of: dt.date,
    *,
    first: dt.date | None = None,
    volunteer: str = "V1",
    monthly: int = 0,
) -> list[ServiceRecord]:
    """Verified records summing to ``minutes``: whole days back from as_of, plus ``first``.

    With ``monthly``, one minute on the first day of each of the ``monthly`` months before
    ``as_of``'s month and in it (continuous service), taken from the total.
    """
    records = []
    day = as_of
    n = 0
    left = minutes
    if first is not None and left:
        records.append(_record(f"f{volunteer}", volunteer, first, 1))
        left -= 1
    for k in range(1, monthly):
        if left <= 0:
            break
        month = (as_of - relativedelta(months=k)).replace(day=1)
        records.append(_record(f"m{k}{volunteer}", volunteer, month, 1))
        left -= 1
    while left > 0:
        take = min(left, 1440)
        records.append(_record(f"r{n}{volunteer}", volunteer, day, take))
        left -= take
        day -= dt.timedelta(days=1)
        n += 1
    return records


def _record(record_id: str, volunteer: str, day: dt.date, minutes: int) -> ServiceRecord:
    fields: dict[str, Any] = {
        "record_id": record_id,
        "volunteer_id": volunteer,
        "organization_id": "512111005000000154",
        "activity_name": "a",
        "service_category": "other",
        "content": "c",
        "place": "p",
        "region_code": RegionCode.parse("211103"),
        "date": day,
        "start": None,
        "end": None,
        "service": Hours.from_minutes(minutes),
        "person_in_charge": "x",
        "recorded_by": "y",
        "recorded_at": dt.datetime(day.year, day.month, day.day, 20, tzinfo=CST),
        "status": "verified",
    }
    return ServiceRecord(**fields)


@attrs.frozen
class Person:
    volunteer_id: str
    birth_date: dt.date
    registered_on: dt.date | None = None


def as_of_for(rule_set: RuleSet, version: RuleSetVersion) -> dt.date:
    """A day inside ``version``: AS_OF, or the version's last day if it ends before."""
    end = rule_set.end_of(version)
    return AS_OF if end is None else min(AS_OF, end)


def _cases(rule_set: RuleSet) -> list[tuple[Any, Level, Hours, Person | None]]:
    """Every (version, level, threshold, volunteer) to test a boundary of."""
    cases: list[tuple[Any, Level, Hours, Person | None]] = []
    for version in rule_set.versions:
        if version.age_bands:
            for band in version.age_bands:
                birth = as_of_for(rule_set, version) - relativedelta(years=band.min_age)
                for level, hours in zip(version.levels, band.hours, strict=True):
                    cases.append((version, level, hours, Person("V1", birth)))
        else:
            for level in version.levels:
                cases.append((version, level, level.hours, None))
    return cases


@pytest.fixture(params=ALL_RULE_SETS, ids=lambda rs: rs.id)
def rule_set(request: pytest.FixtureRequest) -> RuleSet:
    value: RuleSet = request.param
    return value


class TestCommonRuleSet:
    """What every rule set, built-in or registered, must satisfy."""

    def test_versions_ordered_and_levels_ranked(self, rule_set: RuleSet) -> None:
        """Versions strictly increase; ranks are 1..n; thresholds strictly increase."""
        dates = [v.valid_from for v in rule_set.versions]
        assert dates == sorted(set(dates))
        for version in rule_set.versions:
            assert [lv.rank for lv in version.levels] == list(range(1, len(version.levels) + 1))
            hours = [lv.hours for lv in version.levels]
            assert all(a < b for a, b in itertools.pairwise(hours))

    def test_has_references(self, rule_set: RuleSet) -> None:
        """Every rule set names at least one source."""
        assert rule_set.references
        assert all(ref.key and ref.document for ref in rule_set.references)

    def test_mapping_round_trip(self, rule_set: RuleSet) -> None:
        """dump_rule_set and rule_set_from_mapping are inverse."""
        assert rule_set_from_mapping(dump_rule_set(rule_set)) == rule_set

    def test_registers(self, rule_set: RuleSet) -> None:
        """It can be registered and found again."""
        registry = DEFAULT_REGISTRY.with_rule_set(rule_set)
        assert registry.get(rule_set.id) == rule_set
        assert rule_set.id in registry.ids()

    def test_nothing_gives_no_level(self, rule_set: RuleSet) -> None:
        """No record: rank 0, next level is the first, shortfall its threshold."""
        for version, level, hours, person in _cases(rule_set):
            if level.rank != 1:
                continue
            result = certify(
                [], rule_set=rule_set, as_of=as_of_for(rule_set, version), volunteer=person
            )
            assert result.level.rank == 0
            assert result.counted == Hours.ZERO
            if rule_set.status_on(result.as_of).version == version:
                assert result.next_level == level
                assert result.shortfall == hours

    def test_both_sides_of_every_threshold(self, rule_set: RuleSet) -> None:
        """At the threshold the level is reached; one minute less it is not."""
        for version, level, hours, person in _cases(rule_set):
            as_of = as_of_for(rule_set, version)
            first = None
            monthly = level.min_tenure_months if level.continuous else 0
            if level.min_tenure_months and version.tenure_from == "registration":
                registered = as_of - relativedelta(months=level.min_tenure_months)
                person = Person("V1", dt.date(2000, 1, 1), registered)
            elif level.min_tenure_months:
                first = as_of - relativedelta(months=level.min_tenure_months)
            awarded = [Award(rank=r, date=dt.date(2000, 1, 1)) for r in range(1, level.rank)]
            if version.validity_months is not None:
                awarded = []
            attested = {a for lv in version.levels for a in lv.attestations}
            for minutes, expected in (
                (hours.minutes, level.rank),
                (hours.minutes - 1, level.rank - 1),
            ):
                records = records_totalling(minutes, as_of, first=first, monthly=monthly)
                result = certify(
                    records,
                    rule_set=rule_set,
                    as_of=as_of,
                    volunteer=person,
                    awarded=awarded,
                    attested=attested,
                )
                assert result.counted.minutes == minutes, (rule_set.id, level.name)
                assert result.level.rank == expected, (rule_set.id, level.name, minutes)
                assert result.rule_set_version == version.valid_from.isoformat()
                if expected < level.rank:
                    assert result.next_level == level
                    assert result.shortfall == Hours.from_minutes(1)

    def test_certify_many_agrees(self, rule_set: RuleSet) -> None:
        """certify_many gives each volunteer what certify gives."""
        from volunteer_rules.rules.certification import certify_many

        people = [Person(f"V{n}", dt.date(2000, 1, 1)) for n in range(3)]
        records = []
        for n, person in enumerate(people):
            records += records_totalling(60 * 120 * (n + 1), AS_OF, volunteer=person.volunteer_id)
        many = certify_many(records, rule_set=rule_set, as_of=AS_OF, volunteers=people)
        for person in people:
            one = certify(records, rule_set=rule_set, as_of=AS_OF, volunteer=person)
            expected = attrs.evolve(
                one, excluded=tuple(e for e in one.excluded if e[1] != "other_volunteer")
            )
            assert many[person.volunteer_id] == expected


class TestRegistry:
    def test_contract_ids(self) -> None:
        """The built-in ids are the contract's, plus the PVSA Lifetime award."""
        assert set(rule_set_ids()) == CONTRACT_IDS | {"us-pvsa-lifetime"}

    def test_modules_match_registry(self) -> None:
        """Every module of the package is a built-in, and every built-in has a module."""
        found = {
            m.name
            for m in pkgutil.iter_modules(rulesets_package.__path__)
            if not m.name.startswith("_")
        }
        assert found == set(BUILTIN_MODULES)
        ids = {
            __import__(f"volunteer_rules.rules.schemes.{m}", fromlist=["RULE_SET"]).RULE_SET.id
            for m in BUILTIN_MODULES
        }
        assert ids == set(rule_set_ids())
        for m in BUILTIN_MODULES:
            module = __import__(f"volunteer_rules.rules.schemes.{m}", fromlist=["RULE_SET"])
            assert "References (see ``docs/sources.md``):" in (module.__doc__ or "")
            assert module.RULE_SET.id.replace("-", "_") == m

    def test_docs_table_matches_registry(self) -> None:
        """docs/rule-sets.md lists exactly the built-in rule sets."""
        text = DOCS.read_text(encoding="utf-8")
        listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", text, flags=re.MULTILINE))
        assert listed == set(rule_set_ids())

    def test_unknown_id(self) -> None:
        """An unknown id is UnknownRuleSetError, carrying the id."""
        with pytest.raises(UnknownRuleSetError) as info:
            get_rule_set("xx-none")
        assert info.value.rule_set_id == "xx-none"
        with pytest.raises(UnknownRuleSetError):
            certify([], rule_set="xx-none", as_of=AS_OF)

    def test_conflicting_registration(self) -> None:
        """Another rule set under a taken id is a conflict unless replacing."""
        other = attrs.evolve(get_rule_set("hk-swd"), name="Another")
        with pytest.raises(ConflictError):
            DEFAULT_REGISTRY.with_rule_set(other)
        assert DEFAULT_REGISTRY.with_rule_set(other, replace=True).get("hk-swd").name == "Another"

    def test_region_resolution(self) -> None:
        """County -> city -> province -> national default, unless bound more specifically."""
        assert rule_set_for_region("440307").id == "cn-shenzhen-longgang"  # bound county
        assert rule_set_for_region("440304").id == "cn-national"  # sibling county
        assert rule_set_for_region("340503").id == "cn-maanshan"  # county of a bound city
        assert rule_set_for_region("510104").id == "cn-national"  # cn-sichuan is not bound
        assert rule_set_for_region("110105").id == "cn-beijing"
        assert rule_set_for_region(RegionCode.parse("211103")).id == "cn-national"
        registry = DEFAULT_REGISTRY.with_rule_set(REGISTERED).with_binding("211100", REGISTERED.id)
        assert registry.for_region("211103").id == REGISTERED.id
        assert registry.for_region("210100").id == "cn-national"

    def test_bad_region(self) -> None:
        """An unknown region is a library error."""
        with pytest.raises(VolunteerRulesError):
            rule_set_for_region("999999")
        with pytest.raises(VolunteerRulesError):
            rule_set_for_region(211103)  # type: ignore[arg-type]


class TestDatedBindings:
    """A region is bound to the rule set in force on the day asked (as_of)."""

    def test_hong_kong_moves_from_swd_to_the_volunteer_award(self) -> None:
        """hk-swd up to 2021-12-31 (retired in 2021), hk-hkv-award from 2022-01-01 (first run)."""
        on = {d: rule_set_for_region("810000", as_of=d).id for d in (D_SWD_LAST, D_HKV_FIRST)}
        assert on == {D_SWD_LAST: "hk-swd", D_HKV_FIRST: "hk-hkv-award"}
        assert rule_set_for_region("810000", as_of=dt.date(1990, 1, 1)).id == "hk-swd"
        # the binding follows the rule sets' own dates: each is in force on its side
        assert get_rule_set("hk-swd").status_on(D_SWD_LAST).version is not None
        assert get_rule_set("hk-swd").status_on(D_HKV_FIRST).version is None
        assert get_rule_set("hk-hkv-award").status_on(D_HKV_FIRST).version is not None

    def test_certifying_hong_kong_by_region_in_2023_uses_the_scheme_in_force(self) -> None:
        """The bug: by region, a 2023 certification said 'retired' (hk-swd)."""
        as_of = dt.date(2023, 6, 30)
        result = certify([], rule_set=rule_set_for_region("810000", as_of=as_of), as_of=as_of)
        assert (result.rule_set_id, result.outcome) == ("hk-hkv-award", "certified")

    def test_as_of_may_be_left_out_only_where_the_answer_never_changes(self) -> None:
        """Beijing has one binding: no day needed. Hong Kong has two: leaving it out is misuse."""
        assert rule_set_for_region("110105").id == "cn-beijing"
        with pytest.raises(InvalidValueError, match="as_of"):
            rule_set_for_region("810000")
        later = DEFAULT_REGISTRY.with_binding("211100", "cn-cyl", valid_from=dt.date(2025, 1, 1))
        with pytest.raises(InvalidValueError, match="cn-cyl, cn-national"):
            later.for_region("211103")  # before 2025 it inherits cn-national
        same = DEFAULT_REGISTRY.with_binding("211100", "cn-national", valid_from=D_HKV_FIRST)
        assert same.for_region("211103").id == "cn-national"  # the same answer on every day
        with pytest.raises(InvalidTypeError):
            rule_set_for_region("110105", as_of=dt.datetime(2024, 1, 1))

    def test_a_dated_binding_starts_on_its_day_and_inherits_before(self) -> None:
        """Both sides of a binding's valid_from; a later binding ends the earlier one."""
        first, second = dt.date(2025, 1, 1), dt.date(2026, 7, 1)
        registry = (
            DEFAULT_REGISTRY.with_rule_set(REGISTERED)
            .with_binding("211100", "cn-cyl", valid_from=first)
            .with_binding("211100", REGISTERED.id, valid_from=second)
        )
        day = dt.timedelta(days=1)
        picked = [registry.for_region("211103", as_of=d).id for d in (first - day, first)]
        assert picked == ["cn-national", "cn-cyl"]
        picked = [registry.for_region("211103", as_of=d).id for d in (second - day, second)]
        assert picked == ["cn-cyl", REGISTERED.id]
        # one from the same day replaces; one without a day replaces them all
        again = registry.with_binding("211100", "cn-beijing", valid_from=first)
        assert again.for_region("211103", as_of=first).id == "cn-beijing"
        assert len(again.bindings["211100"]) == 2
        assert registry.with_binding("211100", "cn-cyl").bindings["211100"] == (
            RegionBinding(rule_set_id="cn-cyl"),
        )

    def test_bindings_are_validated(self) -> None:
        """A plain id is a binding from the start; two bindings from one day are refused."""
        rule_sets = DEFAULT_REGISTRY.rule_sets
        plain = RuleSetRegistry(rule_sets=rule_sets, bindings={"211100": "cn-cyl"})
        assert plain.bindings["211100"] == (RegionBinding(rule_set_id="cn-cyl"),)
        twice = (RegionBinding(rule_set_id="cn-cyl"), RegionBinding(rule_set_id="cn-beijing"))
        with pytest.raises(InvalidValueError):
            RuleSetRegistry(rule_sets=rule_sets, bindings={"211100": twice})
        with pytest.raises(UnknownRuleSetError):
            RuleSetRegistry(rule_sets=rule_sets, bindings={"211100": "xx-none"})
        for bad in ((), (1,), 5):
            with pytest.raises(InvalidTypeError):
                RuleSetRegistry(rule_sets=rule_sets, bindings={"211100": bad})
        with pytest.raises(InvalidTypeError):
            RegionBinding(rule_set_id="cn-cyl", valid_from="2024-01-01")  # type: ignore[arg-type]
        assert DEFAULT_REGISTRY.bindings == REGION_BINDINGS

    @given(
        timelines=st.fixed_dictionaries(
            {
                code: st.lists(
                    st.tuples(
                        st.sampled_from(("cn-cyl", "cn-beijing", "hk-swd")),
                        st.none() | st.dates(dt.date(2020, 1, 1), dt.date(2024, 12, 31)),
                    ),
                    max_size=3,
                    unique_by=lambda pair: pair[1],
                )
                for code in ("210000", "211100", "211103")
            }
        ),
        day=st.dates(dt.date(2019, 1, 1), dt.date(2025, 12, 31)),
    )
    def test_the_binding_in_force_that_day_or_inherited_or_the_default(
        self, timelines: dict[str, list[tuple[str, dt.date | None]]], day: dt.date
    ) -> None:
        """For any day: the region's binding in force (started, and no later start by then),
        else its parent's, else the default."""
        bindings = {
            code: tuple(RegionBinding(rule_set_id=i, valid_from=f) for i, f in pairs)
            for code, pairs in timelines.items()
            if pairs
        }
        registry = RuleSetRegistry(rule_sets=DEFAULT_REGISTRY.rule_sets, bindings=bindings)
        expected = registry.default_id
        for code in ("210000", "211100", "211103"):  # the most specific in force wins
            started = [
                b for b in bindings.get(code, ()) if b.valid_from is None or b.valid_from <= day
            ]
            in_force = [
                b
                for b in started
                if not any(
                    o.valid_from is not None
                    and (b.valid_from is None or o.valid_from > b.valid_from)
                    for o in started
                )
            ]
            assert len(in_force) <= 1
            if in_force:
                expected = in_force[0].rule_set_id
        assert registry.for_region("211103", as_of=day).id == expected
        assert rule_set_for_region("211103", as_of=day, registry=registry).id == expected


D_SWD_LAST = dt.date(2021, 12, 31)
D_HKV_FIRST = dt.date(2022, 1, 1)


def _version(*hours: int, **kw: Any) -> RuleSetVersion:
    levels = tuple(
        Level(rank=n, name=f"l{n}", label=f"级{n}", hours=Hours.from_hours(h))
        for n, h in enumerate(hours, start=1)
    )
    return RuleSetVersion(valid_from=kw.pop("valid_from", dt.date(2020, 1, 1)), levels=levels, **kw)


class TestValidation:
    def test_thresholds_strictly_increasing(self) -> None:
        """Equal or decreasing thresholds are refused."""
        with pytest.raises(RuleSetError):
            RuleSet(id="xx-a", name="a", name_zh="甲", references=(), versions=(_version(10, 10),))

    def test_rank_gap(self) -> None:
        """Ranks must be 1..n."""
        version = _version(10, 20)
        levels = (version.levels[0], attrs.evolve(version.levels[1], rank=3))
        with pytest.raises(RuleSetError):
            RuleSet(
                id="xx-a",
                name="a",
                name_zh="甲",
                references=(),
                versions=(attrs.evolve(version, levels=levels),),
            )

    def test_versions_ordered(self) -> None:
        """Versions must be in strictly increasing valid_from."""
        with pytest.raises(RuleSetError):
            RuleSet(
                id="xx-a",
                name="a",
                name_zh="甲",
                references=(),
                versions=(_version(10, valid_from=dt.date(2021, 1, 1)), _version(10)),
            )

    def test_bad_id(self) -> None:
        """Ids are lowercase words joined by '-'."""
        with pytest.raises(RuleSetError):
            RuleSet(id="Bad Id", name="a", name_zh="甲", references=(), versions=(_version(1),))

    def test_version_in_force(self) -> None:
        """The version with the latest valid_from on or before as_of applies; both sides."""
        assert REGISTERED.version_on(dt.date(2024, 12, 31)).valid_from == dt.date(2020, 1, 1)
        assert REGISTERED.version_on(dt.date(2025, 1, 1)).valid_from == dt.date(2025, 1, 1)
        with pytest.raises(InvalidValueError):
            REGISTERED.version_on(dt.date(2019, 12, 31))

    def test_mapping_errors_collected(self) -> None:
        """Structural problems are all reported, with paths."""
        with pytest.raises(RecordFormatError) as info:
            rule_set_from_mapping(
                {
                    "id": "xx-a",
                    "name": "a",
                    "name_zh": "甲",
                    "references": [],
                    "versions": [{"valid_from": "no", "levels": [{"rank": 1}], "extra": 1}],
                }
            )
        paths = {e.path for e in info.value.errors}
        assert "$.versions[0].valid_from" in paths
        assert "$.versions[0].extra" in paths
        assert "$.versions[0].levels[0].hours" in paths

    @pytest.mark.parametrize(
        ("member", "value", "code"),
        [
            ("name", 7, "invalid_type"),
            ("name", "  ", "missing"),
            ("rank", "1", "invalid_type"),
            ("rank", -1, "out_of_range"),
            ("rank", 1_000_001, "out_of_range"),
            ("hours", [], "invalid_type"),
            ("hours", True, "invalid_type"),
            ("hours", "ten", "invalid_format"),
            ("once", "yes", "invalid_type"),
        ],
    )
    def test_a_level_member_gets_the_record_formats_code(
        self, member: str, value: object, code: str
    ) -> None:
        """The codes of the record format's error model, as every wire form gives them: a
        value of the wrong JSON type is invalid_type, a blank text missing, a number outside
        its range out_of_range, a text of the wrong shape invalid_format."""
        mapping = dump_rule_set(REGISTERED)
        mapping["versions"][0]["levels"][0][member] = value
        with pytest.raises(RecordFormatError) as info:
            rule_set_from_mapping(mapping)
        assert [(e.path, e.code) for e in info.value.errors] == [
            (f"$.versions[0].levels[0].{member}", code)
        ]

    @pytest.mark.parametrize(
        ("member", "value", "code"),
        [
            ("valid_from", 20200101, "invalid_type"),
            ("valid_from", "2020-13-01", "invalid_format"),
            ("window", 1, "invalid_type"),
            ("window", "fortnight", "unknown_code"),
        ],
    )
    def test_a_version_member_gets_the_record_formats_code(
        self, member: str, value: object, code: str
    ) -> None:
        """A date given as a number is of the wrong type; a choice given as a number too."""
        mapping = dump_rule_set(REGISTERED)
        mapping["versions"][0][member] = value
        with pytest.raises(RecordFormatError) as info:
            rule_set_from_mapping(mapping)
        assert (f"$.versions[0].{member}", code) in [(e.path, e.code) for e in info.value.errors]

    def test_mapping_semantic_error(self) -> None:
        """A well-formed mapping with contradictory rules is a RuleSetError."""
        mapping = dump_rule_set(REGISTERED)
        mapping["versions"][0]["levels"][1]["hours"] = 1
        with pytest.raises(RuleSetError):
            rule_set_from_mapping(mapping)

    @given(
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(),
            lambda c: st.lists(c) | st.dictionaries(st.text(), c),
            max_leaves=20,
        )
    )
    def test_any_json_is_a_library_error(self, value: object) -> None:
        """Any JSON value either builds a rule set or raises a library error."""
        with contextlib.suppress(VolunteerRulesError):
            rule_set_from_mapping(value)  # type: ignore[arg-type]

    @given(rule_set_mappings())
    def test_generated_rule_sets(self, mapping: dict[str, Any]) -> None:
        """Generated rule sets build, round-trip, and certify without error."""
        built = rule_set_from_mapping(mapping)
        assert rule_set_from_mapping(dump_rule_set(built)) == built
        result = certify(records_totalling(6000, AS_OF), rule_set=built, as_of=AS_OF)
        assert result.counted.minutes == 6000

    @given(
        name=st.text(alphabet="名a ", min_size=1, max_size=40).filter(str.strip),
        n=st.integers(1, 400),
    )
    def test_a_text_member_has_no_length_limit(self, name: str, n: int) -> None:
        """A rule set's text is read trimmed, at any length (no limit in the mapping)."""
        long_name = f" {name * n} "
        built = rule_set_from_mapping({**dump_rule_set(REGISTERED), "name": long_name})
        assert built.name == long_name.strip()
