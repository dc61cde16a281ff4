"""Hypothesis entry point: registers the library's types with ``st.from_type``.

Hypothesis calls :func:`_hypothesis_setup_hook` when it is imported (the
``[project.entry-points.hypothesis]`` table of pyproject.toml). Keep this module import-light:
it imports only the value classes; the strategies module is imported the first time a
registered type is asked for.
"""

from __future__ import annotations

from typing import Any


def _hypothesis_setup_hook() -> None:
    """Register strategies for the library's value types.

    ``st.from_type(Hours)``, ``st.from_type(RegionCode)``, ``st.from_type(ServiceRecord)``
    (and the identifiers, when their module is present) then give valid values, and
    ``st.builds`` fills arguments of those types.
    """
    from hypothesis import strategies as st

    from volunteer_rules.hours import Hours
    from volunteer_rules.matching.demand import Demand
    from volunteer_rules.records.identifiers import OrganizationCode, ResidentId
    from volunteer_rules.records.profile import (
        Commendation,
        EvaluationRecord,
        TrainingRecord,
        VolunteerProfile,
    )
    from volunteer_rules.records.record import ServiceRecord
    from volunteer_rules.records.region import RegionCode
    from volunteer_rules.rules.rule_set import RuleSet
    from volunteer_rules.timebank.ledger import Ledger, LedgerLimits, LedgerTransfer
    from volunteer_rules.transfer.package import TransferPackage

    def lazily(name: str) -> Any:
        def resolve(_type: type) -> st.SearchStrategy[Any]:
            from volunteer_rules.testing import strategies

            return getattr(strategies, name)()  # type: ignore[no-any-return]

        return resolve

    for kind, name in (
        (Hours, "hours"),
        (RegionCode, "region_codes"),
        (ServiceRecord, "service_records"),
        (ResidentId, "resident_ids"),
        (OrganizationCode, "organization_codes"),
        (VolunteerProfile, "volunteer_profiles"),
        (TrainingRecord, "training_records"),
        (Commendation, "commendations"),
        (EvaluationRecord, "evaluation_records"),
        (RuleSet, "rule_sets"),
        (Ledger, "ledgers"),
        (LedgerLimits, "ledger_limits"),
        (LedgerTransfer, "ledger_transfers"),
        (TransferPackage, "transfer_packages"),
        (Demand, "demands"),
    ):
        st.register_type_strategy(kind, lazily(name))
