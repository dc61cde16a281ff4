"""The input files the command-line tests write: JSON Lines, the sample record, the sample profile.

Imported by the tests (``from _cli_helpers import ...``) and by ``tests/conftest.py``, whose
fixtures ``sample_records`` and ``sample_profiles`` write the sample files in ``tmp_path``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD

__all__ = ["write_lines", "write_sample_profiles", "write_sample_records"]


def write_lines(path: Path, lines: Iterable[Any], *, ensure_ascii: bool = False) -> Path:
    """Write JSON Lines (UTF-8): a ``str`` as it is (a broken line, say), anything else as JSON.

    ``ensure_ascii`` as for :func:`json.dumps` (``True``: characters beyond ASCII escaped).
    """
    path.write_text(
        "".join(
            (line if isinstance(line, str) else json.dumps(line, ensure_ascii=ensure_ascii)) + "\n"
            for line in lines
        ),
        encoding="utf-8",
    )
    return path


def write_sample_records(folder: Path, name: str = "records.jsonl") -> Path:
    """``folder/records.jsonl``: the sample record, one line."""
    return write_lines(folder / name, [SAMPLE_RECORD_PAYLOAD], ensure_ascii=True)


def write_sample_profiles(folder: Path, name: str = "profiles.jsonl") -> Path:
    """``folder/profiles.jsonl``: the sample profile, one line."""
    return write_lines(folder / name, [SAMPLE_PROFILE_PAYLOAD], ensure_ascii=True)
