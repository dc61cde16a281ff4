"""A Griffe extension for the documentation site: ``Example:`` sections read as ``Examples:``.

The package's docstrings (Google style) title their doctests ``Example:``, which Griffe's
Google parser does not know as a section; renamed before parsing, the doctests are rendered
as code (and their brackets are not read as Markdown links). Used by mkdocs.yml.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE_TITLE = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename each docstring's ``Example:`` section title to ``Examples:``."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE_TITLE.sub(r"\1Examples:", obj.docstring.value)
