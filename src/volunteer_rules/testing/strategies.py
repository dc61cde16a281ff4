"""Hypothesis strategies for integrators' property-based tests.

Strategies follow Hypothesis' house style: plural nouns, keyword-only arguments, defaults that
generate every valid value, and arguments that take strategies rather than values.

Example:
    >>> from hypothesis import given
    >>> from volunteer_rules.testing import strategies as vst
    >>> isinstance(vst.__all__, list)
    True
"""

from __future__ import annotations

__all__: list[str] = []

# Each area of the library adds its strategies in its own block, from a private module
# ``volunteer_rules.testing._<area>_strategies``. The final list is sorted in __all__ below.

# --- foundation: hours, identifiers, regions, records ---
from volunteer_rules.testing._record_strategies import (
    hours,
    record_payloads,
    region_codes,
    service_records,
    volunteer_ids,
)

__all__ = [*__all__, "hours", "record_payloads", "region_codes", "service_records", "volunteer_ids"]
# --- end foundation ---

# --- profiles and the other record parts ---
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

__all__ += [
    "commendation_payloads",
    "commendations",
    "evaluation_payloads",
    "evaluation_records",
    "organization_codes",
    "profile_payloads",
    "resident_ids",
    "training_payloads",
    "training_records",
    "volunteer_profiles",
]
# --- end profiles ---

# --- rule sets and certification ---
from volunteer_rules.testing._certification_strategies import (  # noqa: E402
    rule_set_mappings,
    rule_sets,
    service_histories,
)

__all__ += ["rule_set_mappings", "rule_sets", "service_histories"]
# --- end certification ---

# --- time bank ledger ---
from volunteer_rules.testing._ledger_strategies import (  # noqa: E402
    ledger_limits,
    ledger_transfers,
    ledgers,
    volunteer_accounts,
)

__all__ += ["ledger_limits", "ledger_transfers", "ledgers", "volunteer_accounts"]
# --- end ledger ---

# --- transfer ---
from volunteer_rules.testing._transfer_strategies import (  # noqa: E402
    TRANSFER_AS_OF,
    TRANSFER_ORGANIZATIONS,
    transfer_histories,
    transfer_packages,
    transfer_records,
)

__all__ += [
    "TRANSFER_AS_OF",
    "TRANSFER_ORGANIZATIONS",
    "transfer_histories",
    "transfer_packages",
    "transfer_records",
]
# --- end transfer ---

# --- registration and matching ---
from volunteer_rules.testing._registration_strategies import (
    demand_payloads,
    demands,
    matching_candidates,
    registration_rule_sets,
)

__all__ += ["demand_payloads", "demands", "matching_candidates", "registration_rule_sets"]
# --- end registration ---

__all__.sort()
