"""A throw-away PostgreSQL server for the benchmarks (initdb + pg_ctl on a unix socket).

Used when no ``--dsn`` is given; needs PostgreSQL's server binaries (Debian: ``postgresql``).
As root the server runs as the ``postgres`` user (``initdb`` refuses root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator


def _binaries() -> str:
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(folder, "initdb")):
            return folder
    initdb = shutil.which("initdb")
    if initdb is None:
        raise SystemExit("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    return os.path.dirname(initdb)


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def temporary_server() -> Iterator[str]:
    """Start a server with durable defaults (fsync on); yield a connection string."""
    binaries = _binaries()
    folder = tempfile.mkdtemp(prefix="vr-bench-pg-")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    os.chmod(folder, 0o755)
    data = os.path.join(folder, "data")
    subprocess.run(
        _as_server_user(
            [
                os.path.join(binaries, "initdb"),
                "-D",
                data,
                "-U",
                "vr",
                "-A",
                "trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    pg_ctl = os.path.join(binaries, "pg_ctl")
    subprocess.run(
        _as_server_user(
            [
                pg_ctl,
                "-D",
                data,
                "-o",
                f"-k {folder} -c listen_addresses=''",
                "-l",
                os.path.join(folder, "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"host={folder} user=vr dbname=postgres"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", data, "-m", "fast", "-w", "stop"]),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)
