"""Hypothesis profiles for every test the suite runs.

This conftest.py, at the root, reaches tests/, the examples of docs/ and the README, and the
docstrings' examples.

``ci`` (the default where ``CI`` is set) runs more examples; ``dev`` fewer. Neither has a
deadline or the too-slow health check: a shared or loaded machine must not fail a property.
``must-fail`` is ``dev`` without shrinking, for a run that asks only whether properties fail
(``tests/storage/test_broken_stores.py``: shrinking the failures was nine tenths of its time).
Choose one with ``HYPOTHESIS_PROFILE``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "must-fail",
    settings.get_profile("dev"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
