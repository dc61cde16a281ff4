"""Benchmark: what installing volunteer_rules costs every program that imports Hypothesis.

Run:  .venv/bin/python benchmarks/bench_import.py [--runs N]

Hypothesis loads the entry points of every installed plug-in when it is imported, so a plug-in
that imports its whole package makes ``import hypothesis`` slower for everyone. This times
``python -c "import hypothesis"`` in fresh processes, alternating runs with the plug-ins on and
off (``HYPOTHESIS_NO_PLUGINS=1``), and prints the medians and their difference. Target: the
difference is under 50 ms. It also checks that the import loads nothing of volunteer_rules.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def _once(plugins: bool) -> float:
    env = dict(os.environ)
    env.pop("HYPOTHESIS_NO_PLUGINS", None)
    if not plugins:
        env["HYPOTHESIS_NO_PLUGINS"] = "1"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import hypothesis"], env=env, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, hypothesis; print(sum(m.startswith('volunteer_rules') for m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    _once(True), _once(False)  # warm the file cache
    on, off = [], []
    for _ in range(runs):
        on.append(_once(True))
        off.append(_once(False))
    with_plugin, without = statistics.median(on), statistics.median(off)
    print(f"volunteer_rules modules loaded by `import hypothesis`: {loaded}")
    print(f"import hypothesis, plug-ins on : median {with_plugin * 1000:7.1f} ms ({runs} runs)")
    print(f"import hypothesis, plug-ins off: median {without * 1000:7.1f} ms ({runs} runs)")
    print(
        f"cost of the plug-ins           : {(with_plugin - without) * 1000:7.1f} ms (target < 50)"
    )


if __name__ == "__main__":
    main()
