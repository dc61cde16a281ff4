"""A real PostgreSQL server for the storage tests, started from Debian's binaries.

Test modules import the fixtures from here (``from _postgresql import postgresql, ...``).

The ``postgresql`` fixture (session-wide) runs ``initdb`` into a temporary folder and
``pg_ctl start`` on a unix socket there (no TCP port), as the ``postgres`` user when the tests
run as root (``initdb`` refuses root), and stops it at the end. ``postgresql_schemas`` hands
out connection strings, each on a fresh schema. Tests that use them are skipped, with the
reason, only when the PostgreSQL binaries or psycopg are missing.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator

import pytest


def _binaries() -> str | None:
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(folder, "initdb")):
            return folder
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@pytest.fixture(scope="session")
def postgresql() -> Iterator[str]:
    """A running PostgreSQL server; yields a libpq connection string to its ``postgres`` db."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (the postgresql extra)")
    binaries = _binaries()
    if binaries is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    folder = tempfile.mkdtemp(prefix="vr-pg-")
    data = os.path.join(folder, "data")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    os.chmod(folder, 0o755)
    initdb = [
        os.path.join(binaries, "initdb"),
        "-D",
        data,
        "-U",
        "vr",
        "-A",
        "trust",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
    ]
    subprocess.run(_as_server_user(initdb), check=True, capture_output=True, timeout=120)
    options = (
        f"-k {folder} -c listen_addresses='' -c fsync=off -c max_connections=100"
        " -c synchronous_commit=off -c full_page_writes=off"
    )
    pg_ctl = os.path.join(binaries, "pg_ctl")
    subprocess.run(
        _as_server_user(
            [pg_ctl, "-D", data, "-o", options, "-l", os.path.join(folder, "log"), "-w", "start"]
        ),
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        yield f"host={folder} port=5432 user=vr dbname=postgres"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", data, "-m", "fast", "-w", "stop"]),
            capture_output=True,
            timeout=120,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


_SCHEMAS = itertools.count()


@pytest.fixture
def postgresql_schemas(postgresql: str) -> Iterator[Callable[[], str]]:
    """A factory of connection strings, each on a fresh, empty schema (dropped afterwards)."""
    import psycopg

    made: list[str] = []
    admin = psycopg.connect(postgresql, autocommit=True)

    def fresh() -> str:
        name = f"t{os.getpid()}_{next(_SCHEMAS)}"
        admin.execute(f"CREATE SCHEMA {name}")
        made.append(name)
        return f"{postgresql} options=-csearch_path={name}"

    try:
        yield fresh
    finally:
        for name in made:
            admin.execute(f"DROP SCHEMA {name} CASCADE")
        admin.close()
