"""The ``volunteer-rules`` command line: the library for people with a data export and no code.

Each sub-command lives in its own module (``volunteer_rules.cli.<name>``) that defines
``build_parser(parser)`` (adds its arguments to an ``argparse`` parser) and
``run(args) -> int`` (the exit status). Sub-commands are imported only when used, so the
command starts fast.

Exit statuses, shared by every sub-command: ``0`` clean, ``1`` findings (bad lines, violations,
a transfer not allowed), ``2`` usage error (bad arguments, unreadable file).

Example:
    >>> from volunteer_rules.cli import main
    >>> main(["--version"])  # doctest: +ELLIPSIS
    volunteer-rules ...
    0
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any, Final

from volunteer_rules import __version__
from volunteer_rules.cli._io import (
    ArgumentParser,
    ClosedInput,
    ClosedStream,
    MaskedOutput,
    OutputClosed,
    OutputFailed,
)

__all__ = ["COMMANDS", "main"]

COMMANDS: Final[dict[str, str]] = {
    "check": "check service records (JSON Lines) against the record format and each other",
    "certify": "certify star levels of every volunteer in a file of records",
    "ledger": "run the hour exchange (time bank) ledger",
    "transfer": "create and check transfer packages between regions or organizations",
    "match": "match volunteers to a demand (recruitment notice)",
    "stats": "statistics by region, organization, category and period",
    "report": "a printable HTML report for the bureau, with charts",
    "certificate": "issue a service record certificate (志愿服务记录证明)",
    "db": "look after a SQLite database of the library (check it for damage)",
}
"""Sub-command name to one-line description; the module is ``volunteer_rules.cli.<name>``."""


def _top_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="volunteer-rules",
        description="The rules of volunteer service, for a data export.",
        epilog="exit status: 0 clean, 1 findings, 2 usage error",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, summary in COMMANDS.items():
        commands.add_parser(name, help=summary, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Everything a command writes passes through :class:`~volunteer_rules.cli._io.MaskedOutput`
    (no resident ID number or contact appears whole on standard output or standard error). No
    traceback is ever shown: when the reader of the output goes away (``| head``) the command ends
    quietly with status 141 (128 + SIGPIPE, as a shell reports it); when standard output
    cannot be written (a full disk, closed with ``>&-``) it ends with one line on standard
    error naming it and status 2, as for any file that cannot be written; Ctrl-C ends it with
    one line on standard error and status 130 (128 + SIGINT), and ``kill`` (SIGTERM) with one
    line and status 143 (128 + SIGTERM): either way what the command was writing is removed
    (a staged copy, a temporary output file) and a database is left as it was.

    Example:
        >>> main(["no-such-command"])
        2
    """
    out, err, given = sys.stdout, sys.stderr, sys.stdin
    if given is None:  # closed at start-up (<&-): reading "-" fails as a file that cannot be read
        sys.stdin = io.TextIOWrapper(io.BufferedReader(ClosedInput()))
    sys.stdout = MaskedOutput(out or ClosedStream(), name="standard output")  # type: ignore[arg-type]
    sys.stderr = MaskedOutput(err or ClosedStream(), name="standard error")  # type: ignore[arg-type]
    handler = _on_sigterm(_terminate)
    try:
        try:
            status = _dispatch(argv)
        finally:
            try:
                sys.stdout.flush()
            finally:
                sys.stderr.flush()
    except (OutputClosed, BrokenPipeError):
        _silence(out)
        return 141
    except OutputFailed as failure:
        _silence(out if failure.name == "standard output" else err)
        sys.stdout, sys.stderr = out, err
        command = f" {argv_command}" if (argv_command := _command(argv)) else ""
        with contextlib.suppress(OSError, AttributeError):
            err.write(f"volunteer-rules{command}: error: {failure}\n")
            err.flush()
        return 2
    except KeyboardInterrupt as stop:
        sys.stdout, sys.stderr = out, err
        how = "terminated" if isinstance(stop, _Terminated) else "interrupted"
        with contextlib.suppress(OSError, AttributeError):
            err.write(f"volunteer-rules: {how}\n")
            err.flush()
        return 143 if isinstance(stop, _Terminated) else 130
    finally:
        sys.stdout, sys.stderr, sys.stdin = out, err, given
        _on_sigterm(handler)
    return status


class _Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``), raised where the command is so that it stops as on Ctrl-C."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


def _on_sigterm(handler: Any) -> Any:
    """Handle SIGTERM with ``handler``; return the handler it had (``None``: left as it was).

    Only where Python lets a program handle it (the main thread), and only when it would end
    the program (Python's default): a handler a caller of :func:`main` set is left alone.
    """
    if handler is None or not hasattr(signal, "SIGTERM"):
        return None
    try:
        if handler is _terminate and signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
            return None
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        return None


def _command(argv: Sequence[str] | None) -> str | None:
    """The sub-command ``argv`` names, if any."""
    args = list(sys.argv[1:] if argv is None else argv)
    return args[0] if args and args[0] in COMMANDS else None


def _silence(stream: object) -> None:
    """Point a closed standard output at the null device, so that nothing complains at exit."""
    try:
        fileno = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fileno)
    finally:
        os.close(devnull)


def _dispatch(argv: Sequence[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in COMMANDS:
        name = args[0]
        module = importlib.import_module(f"volunteer_rules.cli.{name}")
        parser = ArgumentParser(
            prog=f"volunteer-rules {name}",
            description=COMMANDS[name],
            epilog="exit status: 0 clean, 1 findings, 2 usage error",
        )
        module.build_parser(parser)
        try:
            parsed = parser.parse_args(args[1:])
        except SystemExit as exit_:
            return int(exit_.code or 0)
        status: int = module.run(parsed)
        return status
    parser = _top_parser()
    try:
        parsed = parser.parse_args(args)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if parsed.version:
        print(f"volunteer-rules {__version__}")
        return 0
    parser.print_help(sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
