"""Any value at all, for the misuse tests: ``st.from_type(object)`` without endless iterables.

``st.from_type(object)`` draws values of every type Hypothesis knows, among them ranges and IP
networks with up to 2**128 members (``range(-4129773415030484099, -127)``,
``IPv6Network('::/0')``). A function given an iterable reads it before it can say what is
wrong with it, as Python's own ``tuple()`` does, so such a value takes all the memory there is
(a CI run was killed so). Those are left out; every other value, iterables of any reasonable
size included, stays.
"""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

__all__ = ["ANY_VALUE"]

_MOST: int = 100_000
"""The most members an iterable drawn here may have."""


def _bounded(value: object) -> bool:
    if isinstance(value, range):
        try:
            return len(value) <= _MOST
        except OverflowError:  # more members than a C integer holds
            return False
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value.num_addresses <= _MOST
    return True


ANY_VALUE = st.from_type(object).filter(_bounded)
"""Any value ``st.from_type(object)`` draws, but a range or network of more than 100,000."""
