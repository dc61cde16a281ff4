"""Hypothesis entry point: registers the library's types with ``st.from_type``.

Hypothesis calls :func:`_hypothesis_setup_hook` when it is imported (the
``[project.entry-points.hypothesis]`` table of pyproject.toml). Keep this module import-light.
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Register strategies for the library's value types."""
    from hypothesis import strategies as st

    from volunteer_rules.hours import Hours
    from volunteer_rules.region import RegionCode

    st.register_type_strategy(
        Hours, st.integers(min_value=-(10**7), max_value=10**7).map(Hours.from_minutes)
    )
    st.register_type_strategy(RegionCode, st.sampled_from(RegionCode.all()))
