r"""The arguments of every command: text must be UTF-8, a path must not be empty.

:class:`ArgumentParser` is the parser of every command and action (``volunteer_rules.cli``
makes it): an argument given no ``type`` is read by :func:`text_option`, which refuses text
that is not UTF-8 (it could be neither written to a file nor stored: the rule the record
reader applies to a record's text). Every argument that names a file has
``type=path_option``, which refuses an empty path (it names no file: ``--db ""`` kept
nothing, ``db copy SRC ""`` copied nowhere). A file name may hold any bytes the system
allows, so a path is not held to UTF-8.

Example:
    >>> parser = ArgumentParser(prog="check")
    >>> _ = parser.add_argument("--db", type=path_option)
    >>> parser.parse_args(["--db", "bank.sqlite"]).db
    'bank.sqlite'
"""

from __future__ import annotations

import argparse
import re
from typing import Any, Final

__all__ = ["ArgumentParser", "path_option", "text_option"]


def path_option(text: str) -> str:
    """The ``type`` of every argument that names a file (or ``-``): an empty path is refused.

    A file name is kept as the system gave it, bytes that are not UTF-8 included.

    Example:
        >>> path_option("records.jsonl")
        'records.jsonl'
        >>> path_option("")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: an empty path names no file
    """
    if not text:
        raise argparse.ArgumentTypeError("an empty path names no file")
    return text


def text_option(text: str) -> str:
    r"""The ``type`` of every argument that is text (not a path): it must be UTF-8.

    Bytes that are not UTF-8 reach Python as lone surrogates, which no file or database can
    hold: refused as the record reader refuses them, never carried into an output.

    Example:
        >>> text_option("盘锦市志愿者协会")
        '盘锦市志愿者协会'
        >>> text_option("X" + chr(0xDCFF))
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: is not UTF-8 text: X\udcff
    """
    if _SURROGATE.search(text) is not None:
        shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
        raise argparse.ArgumentTypeError(f"is not UTF-8 text: {shown}")
    return text


_SURROGATE: Final = re.compile("[\ud800-\udfff]")


class ArgumentParser(argparse.ArgumentParser):
    """The parser of every command and action: an argument with no ``type`` is a text option.

    Example:
        >>> parser = ArgumentParser(prog="report")
        >>> _ = parser.add_argument("--title")
        >>> parser.parse_args(["--title", "报告"]).title
        '报告'
        >>> parser.parse_args(["--title", "T" + chr(0xDCFF)])
        Traceback (most recent call last):
        ...
        SystemExit: 2
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("type", None, text_option)

    def add_subparsers(self, **kwargs: Any) -> Any:
        """Add sub-parsers (of this class), which read the arguments after the action's name.

        The action itself leaves those arguments as they are (``str``): each is read by the
        sub-parser, with its own type, so that an error is said of the option it belongs to.
        """
        actions = super().add_subparsers(**kwargs)
        actions.type = str
        return actions
