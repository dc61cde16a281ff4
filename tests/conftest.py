"""Fixtures of the command-line tests: the sample input files, written in ``tmp_path``."""

from __future__ import annotations

from pathlib import Path

import pytest

from _cli_helpers import write_sample_profiles, write_sample_records


@pytest.fixture
def sample_records(tmp_path: Path) -> Path:
    """``tmp_path/records.jsonl``: the sample record (``SAMPLE_RECORD_PAYLOAD``), one line."""
    return write_sample_records(tmp_path)


@pytest.fixture
def sample_profiles(tmp_path: Path) -> Path:
    """``tmp_path/profiles.jsonl``: the sample profile (``SAMPLE_PROFILE_PAYLOAD``), one line."""
    return write_sample_profiles(tmp_path)
