"""Tools for integrators' tests: Hypothesis strategies and storage conformance suites.

Needs the ``testing`` extra (``pip install volunteer_rules[testing]``) for
:mod:`volunteer_rules.testing.strategies` and :mod:`volunteer_rules.testing.contracts`;
:mod:`volunteer_rules.testing.examples` (sample payloads) needs nothing.

Example:
    >>> from volunteer_rules.testing import examples
    >>> examples.SAMPLE_RECORD_PAYLOAD["format_version"]
    1
"""

from __future__ import annotations

from volunteer_rules.testing import examples

__all__ = ["examples"]
