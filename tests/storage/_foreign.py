"""Databases of another application, for the conformance kit's ``foreign`` fixture."""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any


def foreign_sqlite_files(
    tmp_path: Path, opener: Callable[..., Any]
) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]]:
    """Fresh files of another application: one table of its own, with a row."""
    numbers = itertools.count()

    def fresh() -> tuple[Callable[[], Any], Callable[[], object]]:
        path = str(tmp_path / f"foreign-{next(numbers)}.sqlite")
        with contextlib.closing(sqlite3.connect(path)) as connection, connection:
            connection.execute("CREATE TABLE t (x)")
            connection.execute("INSERT INTO t VALUES (1)")

        def contents() -> object:
            with contextlib.closing(sqlite3.connect(path)) as connection:
                schema = connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
                return schema, connection.execute("SELECT x FROM t").fetchall()

        return lambda: opener(path), contents

    return fresh
