"""The Hypothesis plug-in: cheap when unused, registered whichever package is imported first."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_hypothesis_does_not_import_the_package() -> None:
    out = _run(
        "import sys, hypothesis.strategies\n"
        "print(sorted(m for m in sys.modules if m.startswith('volunteer_rules')))"
    )
    assert out == "[]"


@pytest.mark.parametrize(
    "imports",
    [
        "import volunteer_rules as vr\nimport hypothesis.strategies as st",
        "import hypothesis.strategies as st\nimport volunteer_rules as vr",
    ],
    ids=["package-first", "hypothesis-first"],
)
def test_types_are_registered_in_either_order(imports: str) -> None:
    out = _run(
        imports + "\n"
        "from hypothesis import HealthCheck, given, settings\n"
        "seen = []\n"
        "@settings(max_examples=5, database=None, suppress_health_check=list(HealthCheck))\n"
        "@given(st.from_type(vr.Hours), st.from_type(vr.ServiceRecord))\n"
        "def probe(hours, record):\n"
        "    seen.append((type(hours).__name__, type(record).__name__))\n"
        "probe()\n"
        "print(sorted(set(seen)))"
    )
    assert out == "[('Hours', 'ServiceRecord')]"


def test_the_entry_point_module_imports_nothing_of_the_package() -> None:
    out = _run(
        "import sys, _volunteer_rules_hypothesis as hook\n"
        "hook._hypothesis_setup_hook()\n"
        "print(sorted(m for m in sys.modules if m.startswith('volunteer_rules')))"
    )
    assert out == "[]"
