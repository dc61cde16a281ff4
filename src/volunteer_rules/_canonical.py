r"""The library's one canonical JSON serialization, for digests and verification codes.

Keys sorted by code point, no white space, every non-ASCII character escaped as ``\\uXXXX``
(lowercase hex), UTF-8 (hence ASCII) bytes. Stable across Python versions and platforms, and
easy to reproduce in any language.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["canonical_bytes", "canonical_text", "sha256_hex"]


def canonical_text(value: Any) -> str:
    r"""Serialize a JSON-compatible value canonically, as (ASCII) text.

    Raises ``TypeError``/``ValueError`` (from :mod:`json`) for what is not JSON; callers turn
    that into the library's errors.

    Example:
        >>> canonical_text({"b": 1, "a": "盘锦"})
        '{"a":"\\u76d8\\u9526","b":1}'
    """
    return json.dumps(
        value, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False
    )


def canonical_bytes(value: Any) -> bytes:
    r"""Serialize a JSON-compatible value canonically, as bytes.

    Example:
        >>> canonical_bytes({"b": 1, "a": "盘锦"})
        b'{"a":"\\u76d8\\u9526","b":1}'
    """
    return canonical_text(value).encode("ascii")


def sha256_hex(value: Any) -> str:
    """The lowercase hex SHA-256 of :func:`canonical_bytes`.

    Example:
        >>> len(sha256_hex({"a": 1}))
        64
    """
    return hashlib.sha256(canonical_bytes(value)).hexdigest()
