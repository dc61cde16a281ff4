r"""The command line's standard streams: masked, and failures said as the command line says them.

:class:`MaskedOutput` masks resident ID numbers in whatever passes through it;
:func:`volunteer_rules.cli.main` wraps standard output and standard error in one each (named,
so that a failed write is :class:`OutputFailed`, said once), and every file a command writes
passes through one too (:mod:`volunteer_rules.cli._output`). A reader gone (``| head``) is
:class:`OutputClosed`; a stream closed from the start (``>&-``) is a :class:`ClosedStream`.
:func:`raw_output` is standard output unmasked, for an artefact another program reads.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> _ = MaskedOutput(out).write("id 11010519491231002X\n")
    >>> out.getvalue()
    'id 110105***********X\n'
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import sys
from collections.abc import Iterator
from typing import IO, Any, Final

from volunteer_rules._privacy import mask_personal_data

__all__ = [
    "ClosedInput",
    "ClosedStream",
    "MaskedOutput",
    "OutputClosed",
    "OutputFailed",
    "raw_output",
]


_SURROGATE: Final = re.compile("[\ud800-\udfff]")
"""A lone surrogate: how Python holds a byte of a name that is not UTF-8."""


class OutputClosed(Exception):
    """The reader of an output went away (``| head``): the command stops quietly.

    Not an ``OSError``, so that no command's handler for unreadable input mistakes it for one.
    """


class OutputFailed(Exception):
    """A standard stream could not be written (a full disk, a closed descriptor).

    Not an ``OSError``, so that no command's handler for its input or its ``-o`` file takes
    it for one: :func:`volunteer_rules.cli.main` says so once, naming the stream.

    Example:
        >>> OutputFailed("standard output", "No space left on device").reason
        'No space left on device'
    """

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"cannot write {name}: {reason}")
        self.name = name
        self.reason = reason


class ClosedStream:
    """What a standard stream closed at start-up (``>&-``) is: every write fails, as then.

    Example:
        >>> ClosedStream().write("x")
        Traceback (most recent call last):
        ...
        OSError: [Errno 9] Bad file descriptor
    """

    encoding = "utf-8"

    def write(self, text: str) -> int:
        """Fail: the stream is closed."""
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    def flush(self) -> None:
        """Nothing to flush."""

    def isatty(self) -> bool:
        """Not a terminal."""
        return False


class ClosedInput(io.RawIOBase):
    """What standard input closed at start-up (``<&-``) is: every read fails, as then.

    Wrapped as ``sys.stdin`` by :func:`volunteer_rules.cli.main`, so that a command reading
    ``-`` reports that it cannot read standard input, as for a file it cannot read.

    Example:
        >>> stdin = io.TextIOWrapper(io.BufferedReader(ClosedInput()))
        >>> stdin.buffer.read()
        Traceback (most recent call last):
        ...
        OSError: [Errno 9] Bad file descriptor
    """

    def readable(self) -> bool:
        """A stream to read (whose reads fail)."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fail: the stream is closed."""
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


class MaskedOutput(io.TextIOBase):
    r"""A text stream that masks resident ID numbers and contacts in whatever passes through it.

    Every command writes through one of these (standard output and standard error are wrapped by
    :func:`volunteer_rules.cli.main`), so no output of the command line, whatever its format, shows
    an ID-shaped number, a mainland mobile number or an e-mail address whole:
    :func:`mask_personal_data` is applied line by line (text is held until its line ends, so a
    number written in two pieces is still seen whole). Artefacts meant for another program rather
    than a person (a transfer package written to standard output) go to :attr:`raw` instead.

    Example:
        >>> out = io.StringIO()
        >>> masked = MaskedOutput(out)
        >>> _ = masked.write("volunteer 1101051949"); _ = masked.write("1231002X, 13812345678\n")
        >>> out.getvalue()
        'volunteer 110105***********X, 138****5678\n'
    """

    def __init__(self, raw: IO[str], *, name: str | None = None, mask: bool = True) -> None:
        super().__init__()
        self.raw = raw
        self.name = name
        self._mask = mask
        self._pending = ""

    def writable(self) -> bool:
        """Always writable.

        Example:
            >>> MaskedOutput(io.StringIO()).writable()
            True
        """
        return True

    def write(self, text: str) -> int:
        """Write ``text``, masked once its line is complete.

        Example:
            >>> MaskedOutput(io.StringIO()).write("abc")
            3
        """
        if not self._mask:
            self._put(text)
            return len(text)
        data = self._pending + text
        cut = data.rfind("\n") + 1
        if cut:
            self._put(mask_personal_data(data[:cut]))
        self._pending = data[cut:]
        return len(text)

    def _put(self, text: str) -> None:
        if _SURROGATE.search(text) is not None:
            # A byte of a name that is not UTF-8 (a file name from a GBK archive): escaped,
            # whatever the stream's own errors handler. Under the C locale Python would write
            # the byte back, and a JSON or CSV output would not be UTF-8.
            text = text.encode("utf-8", "backslashreplace").decode("utf-8")
        with self._failing():
            try:
                self.raw.write(text)
            except UnicodeEncodeError:  # a character the stream cannot encode (ASCII): escaped
                encoding = self.encoding
                self.raw.write(text.encode(encoding, "backslashreplace").decode(encoding))

    @contextlib.contextmanager
    def _failing(self) -> Iterator[None]:
        """Turn a failed write into what the command line says of it.

        A reader gone is :class:`OutputClosed`; a standard stream that fails otherwise
        (``name`` given) is :class:`OutputFailed`; a file's ``OSError`` is left to its caller.
        """
        try:
            yield
        except BrokenPipeError:
            raise OutputClosed from None
        except OSError as error:
            if self.name is None:
                raise
            raise OutputFailed(self.name, error.strerror or str(error)) from None

    def flush(self) -> None:
        """Write what is held (masked) and flush the stream below.

        Example:
            >>> out = io.StringIO()
            >>> masked = MaskedOutput(out)
            >>> _ = masked.write("no newline"); masked.flush(); out.getvalue()
            'no newline'
        """
        if self._pending:
            pending, self._pending = self._pending, ""
            self._put(mask_personal_data(pending))
        with self._failing():
            self.raw.flush()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The encoding of the stream below.

        Example:
            >>> MaskedOutput(io.StringIO()).encoding
            'utf-8'
        """
        return getattr(self.raw, "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        """Whether the stream below is a terminal.

        Example:
            >>> MaskedOutput(io.StringIO()).isatty()
            False
        """
        return self.raw.isatty()

    def fileno(self) -> int:
        """The file descriptor of the stream below.

        Example:
            >>> import sys
            >>> MaskedOutput(sys.__stderr__).fileno() == sys.__stderr__.fileno()
            True
        """
        return self.raw.fileno()


def raw_output() -> IO[str]:
    """Standard output without masking, for an artefact another program reads (a package).

    A failed write is said as every failed write of standard output is (:class:`OutputFailed`).

    Example:
        >>> import sys
        >>> raw_output() is sys.stdout or isinstance(sys.stdout, MaskedOutput)
        True
    """
    stdout = sys.stdout
    if isinstance(stdout, MaskedOutput):
        stdout.flush()
        return MaskedOutput(stdout.raw, name=stdout.name, mask=False)  # type: ignore[return-value]
    return stdout
