"""Hypothesis entry point: registers the library's types with ``st.from_type``.

Hypothesis calls its entry point (``_volunteer_rules_hypothesis``, a module outside the package,
named in the ``[project.entry-points.hypothesis]`` table of pyproject.toml) when it is imported, in
every program where this package is installed, whether or not the program uses it. So registering
costs nothing unless both are in use: the entry point registers the strategies only when
``volunteer_rules`` is already imported, and ``volunteer_rules`` calls
:func:`register_if_hypothesis_loaded` at the end of its own import, which registers them only when
Hypothesis is already imported. Whichever comes second does the work, once. The strategies module
itself is imported the first time a registered type is asked for.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["register_if_hypothesis_loaded"]

_registered = False


def register_if_hypothesis_loaded() -> None:
    """Register the strategies if Hypothesis is imported; otherwise do nothing.

    Called at the end of ``import volunteer_rules`` when Hypothesis is already imported, and
    by Hypothesis's entry point when ``volunteer_rules`` is. ``st.from_type(Hours)``,
    ``st.from_type(ServiceRecord)`` and the other value types then give valid values, and
    ``st.builds`` fills arguments of those types.

    Example:
        >>> from hypothesis import given, settings, strategies as st
        >>> import volunteer_rules as vr
        >>> register_if_hypothesis_loaded()  # already done by the imports above
        >>> @settings(max_examples=10)
        ... @given(st.from_type(vr.Hours))
        ... def test_hours(hours):
        ...     assert isinstance(hours, vr.Hours)
        >>> test_hours()
    """
    if "hypothesis" in sys.modules:
        _register()


def _register() -> None:
    global _registered
    if _registered:
        return
    _registered = True
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
