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
    from volunteer_rules.record import ServiceRecord
    from volunteer_rules.region import RegionCode

    def lazily(name: str) -> Any:
        def resolve(_type: type) -> st.SearchStrategy[Any]:
            from volunteer_rules.testing import strategies

            return getattr(strategies, name)()  # type: ignore[no-any-return]

        return resolve

    st.register_type_strategy(Hours, lazily("hours"))
    st.register_type_strategy(RegionCode, lazily("region_codes"))
    st.register_type_strategy(ServiceRecord, lazily("service_records"))
    try:
        from volunteer_rules.identifiers import OrganizationCode, ResidentId
    except ImportError:  # pragma: no cover - the identifiers ship with the package
        return
    st.register_type_strategy(ResidentId, lazily("resident_ids"))
    st.register_type_strategy(OrganizationCode, lazily("organization_codes"))
