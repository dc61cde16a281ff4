"""The optional compiled helper (``parse_record``, ``count_many``); the rest is in pyproject.toml.

``volunteer_rules._speedups`` is built when a C compiler and the Python headers are at hand and
skipped (with a warning) otherwise: ``optional=True``. The package behaves the same either way,
only slower without it (``docs/benchmarks.md``).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "volunteer_rules._speedups",
            sources=["src/volunteer_rules/_speedups.c"],
            optional=True,
        )
    ]
)
