"""Hypothesis's entry point for ``volunteer_rules``, kept outside the package on purpose.

Hypothesis imports this module whenever it is imported itself, in every program where
``volunteer_rules`` is installed. Naming a module inside the package here would import the
whole package each time (about a second). This module imports nothing: it registers the
library's strategies only when ``volunteer_rules`` is already imported, and otherwise leaves
the work to ``volunteer_rules``, which registers them at the end of its own import when
Hypothesis is there (``volunteer_rules.testing._hypothesis_hook``).
"""

from __future__ import annotations

import sys


def _hypothesis_setup_hook() -> None:
    """Register the strategies if ``volunteer_rules`` is imported; else do nothing."""
    if "volunteer_rules" in sys.modules:
        from volunteer_rules.testing._hypothesis_hook import register_if_hypothesis_loaded

        register_if_hypothesis_loaded()
