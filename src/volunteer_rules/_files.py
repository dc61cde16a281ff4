"""What the package needs to know about an open file, shared by the command line and the tables.

Example:
    >>> import io
    >>> file_size(io.BytesIO(b"abc")) is None  # not a file on disk
    True
"""

from __future__ import annotations

import io
import os
import stat
from typing import IO

__all__ = ["file_size"]


def file_size(stream: IO[bytes]) -> int | None:
    """The size in bytes of a regular file behind ``stream``; ``None`` for a pipe or a buffer.

    Readers use it to say how much of a file is read (the progress line's time left).

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryFile() as file:
        ...     _ = file.write(b"12,3")
        ...     file.flush()
        ...     print(file_size(file))
        4
    """
    try:
        status = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) and status.st_size > 0 else None
