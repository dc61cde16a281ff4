"""Hypothesis strategies for integrators' property-based tests.

Strategies follow Hypothesis' house style: plural nouns, keyword-only arguments, defaults that
generate every valid value, and arguments that take strategies rather than values.

The strategies cover every value of the library: hours, region codes and identifiers; service
records (including intervals that cross midnight and records of several volunteers) and their
canonical payloads (``record_payloads(malformed=True)`` for error paths); profiles, training,
commendations and evaluations; rule sets and service histories; ledgers and ledger transfers;
transfer packages and histories; demands and matching candidates.

The library's types are also registered with Hypothesis (through its entry point), so
``st.from_type(ServiceRecord)`` and ``st.builds`` work without importing this module.

Example:
    >>> from hypothesis import given, settings
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.testing import strategies as vst
    >>> @settings(max_examples=20)
    ... @given(vst.record_payloads())
    ... def test_round_trip(payload):
    ...     assert vr.dump_record(vr.parse_record(payload)) == payload
    >>> test_round_trip()
"""

from __future__ import annotations

from volunteer_rules.testing._certification_strategies import (
    rule_set_mappings,
    rule_sets,
    service_histories,
)
from volunteer_rules.testing._identifier_strategies import (
    commendation_payloads,
    commendations,
    evaluation_payloads,
    evaluation_records,
    organization_codes,
    profile_payloads,
    resident_ids,
    training_payloads,
    training_records,
    volunteer_profiles,
)
from volunteer_rules.testing._ledger_strategies import (
    ledger_limits,
    ledger_transfers,
    ledgers,
    volunteer_accounts,
)
from volunteer_rules.testing._record_strategies import (
    hours,
    record_payloads,
    region_codes,
    service_records,
    volunteer_ids,
)
from volunteer_rules.testing._registration_strategies import (
    demand_payloads,
    demands,
    matching_candidates,
    registration_rule_sets,
)
from volunteer_rules.testing._transfer_strategies import (
    TRANSFER_AS_OF,
    TRANSFER_ORGANIZATIONS,
    transfer_histories,
    transfer_packages,
    transfer_records,
)

__all__ = [
    "TRANSFER_AS_OF",
    "TRANSFER_ORGANIZATIONS",
    "commendation_payloads",
    "commendations",
    "demand_payloads",
    "demands",
    "evaluation_payloads",
    "evaluation_records",
    "hours",
    "ledger_limits",
    "ledger_transfers",
    "ledgers",
    "matching_candidates",
    "organization_codes",
    "profile_payloads",
    "record_payloads",
    "region_codes",
    "registration_rule_sets",
    "resident_ids",
    "rule_set_mappings",
    "rule_sets",
    "service_histories",
    "service_records",
    "training_payloads",
    "training_records",
    "transfer_histories",
    "transfer_packages",
    "transfer_records",
    "volunteer_accounts",
    "volunteer_ids",
    "volunteer_profiles",
]
