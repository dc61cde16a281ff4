r"""The progress line a command draws on a terminal while it reads a file.

:class:`Progress` writes ``<label>: <n> lines, <rate>, <time> left`` to standard error every
``every`` lines, overwriting itself with ``\r``, and only when standard error is a terminal
(and not ``--quiet``): pipes, files and CI logs never see it. :func:`add_quiet_argument` gives a
command its ``--quiet`` and :func:`progress_of` the command's progress line.
:mod:`volunteer_rules.cli._io` re-exports all three.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import IO

__all__ = ["Progress", "add_quiet_argument", "progress_of"]


class Progress:
    """A progress line on a terminal: rows read, the rate and the time left, rewritten in place.

    ``<label>: 1,200,000 lines, 48,000 lines/s, 0:21 left``: the time left is estimated from
    the fraction of the input read so far (bytes of the file's size, or rows of a file's rows)
    when the reader knows it (:meth:`tick`'s ``done``). Inactive (writes nothing at all) unless
    ``stream`` is a terminal and ``quiet`` is false, so redirected output and CI logs stay
    clean. Call :meth:`tick` as work is done and :meth:`close` at the end (it clears the line).

    Args:
        label: what is being done (``"check"``).
        every: how many ticks between two updates.
        stream: where to write; default standard error.
        unit: what is counted (``"lines"``, ``"rows"``).
        quiet: never write (``--quiet``).
        clock: seconds, for the rate (default :func:`time.monotonic`).

    Example:
        >>> import io
        >>> progress = Progress("check", every=2, stream=io.StringIO())  # not a terminal
        >>> progress.active
        False
        >>> for _ in range(5):
        ...     progress.tick()
        >>> progress.count
        5
        >>> ticks = iter([0.0, 10.0])
        >>> shown = Progress("certify", unit="rows", clock=lambda: next(ticks))
        >>> shown.tick(250_000, done=0.25)
        >>> shown.line()
        'certify: 250,000 rows, 25,000 rows/s, 0:30 left'
    """

    def __init__(
        self,
        label: str,
        *,
        every: int = 10_000,
        stream: IO[str] | None = None,
        unit: str = "lines",
        quiet: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.every = max(1, every)
        self.stream = sys.stderr if stream is None else stream
        self.unit = unit
        self.count = 0
        self.done: float | None = None
        self._clock = clock
        self._start = clock()
        try:
            self.active = not quiet and bool(self.stream.isatty())
        except (AttributeError, ValueError):  # closed or odd streams
            self.active = False
        self._next = self.every
        self._drawn = False

    def tick(self, n: int = 1, *, done: float | None = None) -> None:
        """Count ``n`` more units of work; redraw the line when a multiple of ``every`` passes.

        Args:
            n: units of work done since the last call.
            done: the fraction of the whole input read so far (0 to 1), if known.

        Example:
            >>> import io
            >>> Progress("x", stream=io.StringIO()).tick(3)
        """
        self.count += n
        if done is not None:
            self.done = done
        if self.active and self.count >= self._next:
            self._next = self.count - self.count % self.every + self.every
            self.stream.write(f"\r{self.line()}\033[K")
            self.stream.flush()
            self._drawn = True

    def line(self) -> str:
        """The progress line as it is drawn now (without the carriage return).

        Example:
            >>> import io
            >>> Progress("x", stream=io.StringIO(), clock=lambda: 0.0).line()
            'x: 0 lines'
        """
        parts = [f"{self.label}: {self.count:,} {self.unit}"]
        elapsed = self._clock() - self._start
        if elapsed > 0:
            parts.append(f"{self.count / elapsed:,.0f} {self.unit}/s")
            done = self.done
            if done is not None and 0 < done < 1:
                left = round(elapsed * (1 - done) / done)
                minutes, seconds = divmod(left, 60)
                hours, minutes = divmod(minutes, 60)
                shown = (
                    f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
                )
                parts.append(f"{shown} left")
        return ", ".join(parts)

    def clear(self) -> None:
        """Wipe the progress line before other output; the next update draws it again.

        Example:
            >>> import io
            >>> Progress("x", stream=io.StringIO()).clear()
        """
        if self.active and self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False

    def close(self) -> None:
        """Clear the progress line (if one was drawn).

        Example:
            >>> import io
            >>> Progress("x", stream=io.StringIO()).close()
        """
        self.clear()


def add_quiet_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--quiet`` (no progress line) to a command that reads a file.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> add_quiet_argument(parser)
        >>> parser.parse_args(["--quiet"]).quiet, parser.parse_args([]).quiet
        (True, False)
    """
    parser.add_argument("--quiet", action="store_true", help="no progress line on standard error")


def progress_of(command: str, args: argparse.Namespace, *, unit: str = "lines") -> Progress:
    """The progress line of ``command`` (``unit`` read: lines, or rows), silent with ``--quiet``.

    Example:
        >>> import argparse
        >>> progress_of("check", argparse.Namespace(quiet=True)).active
        False
        >>> progress_of("stats", argparse.Namespace(), unit="rows").unit
        'rows'
    """
    return Progress(command, unit=unit, quiet=bool(getattr(args, "quiet", False)))
