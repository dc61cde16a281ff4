"""A Griffe extension for the documentation site: docstrings as the site shows them.

- The package's docstrings (Google style) title their doctests ``Example:``, which Griffe's
  Google parser does not know as a section; renamed ``Examples:`` before parsing, the doctests
  are rendered as code (and their brackets are not read as Markdown links).
- Cross-references written as Sphinx roles (``:class:`~volunteer_rules.Hours```) are shown as
  code (``Hours``), without the role.

Used by mkdocs.yml.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE_TITLE = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)
_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|mod|exc|obj|const):`~?([^`]+)`")


def _shown(match: re.Match[str]) -> str:
    target = match.group(1)
    if match.group(0).split("`", 1)[1].startswith("~"):
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


class ExampleSections(griffe.Extension):
    """Rename ``Example:`` sections to ``Examples:``; show Sphinx roles as code."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            text = _EXAMPLE_TITLE.sub(r"\1Examples:", obj.docstring.value)
            obj.docstring.value = _ROLE.sub(_shown, text)
