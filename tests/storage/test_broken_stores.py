"""The conformance kit fails every deliberately broken store (tests/storage/_broken_stores.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from _broken_stores import BROKEN

HERE = Path(__file__).parent


def test_the_kit_fails_every_broken_store(tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    # (the kit need only fail each of them, not find the smallest failure: no shrinking)
    environment = {**os.environ, "HYPOTHESIS_PROFILE": "must-fail"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(HERE / "_broken_stores.py"),
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            f"--junitxml={report}",
        ],
        cwd=HERE.parent.parent,
        env=environment,
        capture_output=True,
        timeout=600,
        check=False,
    )
    failed: dict[str, list[str]] = {name: [] for name in BROKEN}
    passed: dict[str, int] = dict.fromkeys(BROKEN, 0)
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        name = case.get("classname", "").rsplit(".", 1)[-1].removeprefix("Test")
        if name not in failed:
            continue
        if case.find("failure") is not None or case.find("error") is not None:
            failed[name].append(case.get("name", ""))
        elif case.find("skipped") is None:
            passed[name] += 1
    assert all(passed.values()), passed  # the kit ran on each (most of it passes)
    caught = {name: tests for name, tests in failed.items() if tests}
    assert set(caught) == set(BROKEN), f"not caught: {set(BROKEN) - set(caught)}; {caught}"
