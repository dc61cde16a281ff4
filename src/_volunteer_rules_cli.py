"""The ``volunteer-rules`` program's entry point, kept outside the package on purpose.

Starting the command line imports the whole package (a second or more on a busy machine).
Ctrl-C in that second would stop Python inside an import, with a traceback, before
:func:`volunteer_rules.cli.main` (which ends an interrupted run with one line and status
130) is running. This module imports the package itself, inside the same guard.
"""

from __future__ import annotations

import sys


def main() -> int:
    """Import the command line and run it; Ctrl-C while importing ends as it does later on.

    Example:
        >>> import contextlib, io
        >>> with contextlib.redirect_stdout(io.StringIO()) as out:
        ...     status = main_with(["--version"])
        >>> status, out.getvalue().startswith("volunteer-rules ")
        (0, True)
    """
    return main_with(None)


def main_with(argv: list[str] | None) -> int:
    """:func:`main` with the arguments given (default: ``sys.argv[1:]``).

    Example:
        >>> main_with(["no-such-command"])
        2
    """
    try:
        from volunteer_rules.cli import main as run

        return run(argv)  # which ends Ctrl-C itself; this guard is for the moments around it
    except KeyboardInterrupt:
        try:
            sys.stderr.write("volunteer-rules: interrupted\n")
            sys.stderr.flush()
        except (OSError, AttributeError, ValueError):
            pass
        return 130
