r"""The one way the command line writes a file: whole, masked, or not at all.

Every file a command writes (``report -o``, ``certificate -o``, ``transfer create -o``, and
``certify``/``stats`` ``--output`` in every format, Parquet included) goes through
:func:`output_file` or :func:`output_bytes`:

- **Whole or not at all.** The text goes to a temporary file beside the target (same folder,
  so the rename cannot cross file systems), which is renamed over the target only once
  everything is written and flushed to disk. A write that fails (a full disk, a file size
  limit, Ctrl-C) leaves the old file as it was and no temporary file behind. A target that is
  not a regular file (``/dev/stdout``, a named pipe, a device) is written in place: it cannot
  be replaced, and replacing it would be wrong; so are ``/dev/stdout`` and the files of
  ``/proc``.
- **Masked.** Text passes through :class:`~volunteer_rules.cli._streams.MaskedOutput`, the
  masking of standard output, and a Parquet table's text columns through the same function
  (:func:`output_parquet`), so a file written for a person never shows an ID number or a
  contact whole. The commands themselves mask nothing: this module and
  :mod:`~volunteer_rules.cli._streams` are the one place.
  The one exception is an artefact for another program (a transfer package for the
  destination's software, docs/transfer.md): ``mask=False``.
- **Never a crash on text.** Text UTF-8 cannot encode (a lone surrogate) is written escaped
  (``\ud800``), as standard output writes it.

Example:
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "out.txt")
    ...     with output_file(path) as out:
    ...         _ = out.write("id 11010519491231002X\n")
    ...     with open(path, encoding="utf-8") as file:
    ...         print(file.read(), end="")
    ...     os.listdir(folder)
    id 110105***********X
    ['out.txt']
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import stat
from collections.abc import Iterator
from typing import IO, Any, Final

from volunteer_rules._privacy import mask_personal_data
from volunteer_rules.cli._streams import MaskedOutput

__all__ = ["output_bytes", "output_file", "output_parquet"]


@contextlib.contextmanager
def output_file(path: str, *, mask: bool = True) -> Iterator[IO[str]]:
    r"""Write the text file ``path`` whole or not at all, ID numbers and contacts masked.

    Args:
        path: the file to write.
        mask: ``False`` only for an artefact another program reads (a transfer package).

    Yields:
        a text stream (UTF-8, ``\n`` line ends); the file is in place when the block ends
        without an exception, and untouched when it ends with one.

    Raises:
        OSError: the file cannot be written (the old file, if any, is left as it was).

    Example:
        >>> import os, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "out.txt")
        ...     with open(path, "w") as file:
        ...         _ = file.write("old")
        ...     try:
        ...         with output_file(path) as out:
        ...             _ = out.write("new, half written")
        ...             raise OSError(28, "No space left on device")
        ...     except OSError:
        ...         pass
        ...     with open(path) as file:
        ...         file.read(), os.listdir(folder)
        ('old', ['out.txt'])
    """
    with output_bytes(path) as binary:
        # A lone surrogate is escaped, as standard output writes it.
        text = io.TextIOWrapper(binary, encoding="utf-8", errors="backslashreplace", newline="")
        stream: Any = MaskedOutput(text) if mask else text
        try:
            yield stream
            stream.flush()
        finally:
            text.detach()  # the binary file is output_bytes' to close


@contextlib.contextmanager
def output_bytes(path: str) -> Iterator[IO[bytes]]:
    """Write the binary file ``path`` whole or not at all (a temporary file, then a rename).

    Example:
        >>> import os, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "out.bin")
        ...     with output_bytes(path) as out:
        ...         _ = out.write(b"PAR1")
        ...     os.path.getsize(path)
        4
    """
    if _in_place(path):
        with open(path, "wb") as stream:
            yield stream
        return
    target = os.path.realpath(path)  # a link is followed: the file it names is replaced
    temporary, descriptor = _beside(target)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def output_parquet(frame: Any, path: str) -> None:
    """Write a polars DataFrame as the Parquet file ``path``, ID numbers and contacts masked.

    Every text column is masked value by value (:func:`mask_personal_data`, as standard output
    masks text). The table is made in memory and written by :func:`output_bytes` (whole or not
    at all), so that a failed write is an ``OSError`` with its reason, as for every other file,
    never polars' own error.

    Example:
        >>> import os, tempfile
        >>> import polars as pl
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "out.parquet")
        ...     output_parquet(pl.DataFrame({"contact": ["13812345678", None]}), path)
        ...     pl.read_parquet(path).get_column("contact").to_list()
        ['138****5678', None]
    """
    import polars as pl

    masked = {}
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            values = frame.get_column(name).drop_nulls().unique().to_list()
            changed = {v: m for v in values if (m := mask_personal_data(v)) != v}
            if changed:
                masked[name] = pl.col(name).replace(changed)
    table = io.BytesIO()
    (frame.with_columns(**masked) if masked else frame).write_parquet(table)
    with output_bytes(path) as file:
        file.write(table.getbuffer())


def _in_place(path: str) -> bool:
    """Whether ``path`` is written where it is, never replaced.

    So it is for what exists and is not a regular file (a device, a named pipe), and for the
    system's pseudo-files (``/dev/stdout`` names whatever standard output is, which a rename
    would replace rather than write to; nothing in ``/proc`` can be replaced).
    """
    if os.path.abspath(path).startswith(_PSEUDO):
        return True
    try:
        status = os.stat(path)
    except OSError:
        return False
    return not stat.S_ISREG(status.st_mode)


_PSEUDO: Final = ("/proc/", "/dev/fd/", "/dev/stdout", "/dev/stderr")


def _beside(target: str) -> tuple[str, int]:
    """A new temporary file in the folder of ``target`` (its name and open descriptor).

    It has the permissions of the file it replaces, or those a new file gets (0666 less the
    umask), not the 0600 of ``tempfile``.
    """
    folder, name = os.path.split(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            descriptor = os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        if mode is not None:
            with contextlib.suppress(OSError):
                os.chmod(temporary, mode)
        return temporary, descriptor
    raise FileExistsError(f"no free temporary name beside {target}")  # pragma: no cover
