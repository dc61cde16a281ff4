"""Reading a file of service records for the commands: one reader, one rule for conflicts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from volunteer_rules.cli._io import Progress, read_json_lines
from volunteer_rules.errors import RecordFormatError
from volunteer_rules.records.record import ServiceRecord, parse_record
from volunteer_rules.rules.versions import CONFLICT_REASON, same_version

__all__ = ["file_name", "read_records"]


def file_name(path: str) -> str:
    """How reports name an input: its path, or ``<stdin>`` for ``-``.

    Example:
        >>> file_name("-"), file_name("examples/records.jsonl")
        ('<stdin>', 'examples/records.jsonl')
    """
    return "<stdin>" if path == "-" else path


def read_records(
    stream: IO[bytes],
    errors: IO[str],
    bad: list[int],
    *,
    name: str = "<stdin>",
    progress: Progress | None = None,
) -> Iterator[ServiceRecord]:
    r"""Parse each line; report and skip bad lines; report the versions that conflict.

    Every command that reads a file of records uses this reader, so they all count the same
    records.

    The one rule for a key given more than once (:mod:`volunteer_rules.rules.versions`): an
    identical repeat is one record, and the same ``(organization_id, record_id)`` with
    different content is a conflict that counts for no one. Every version of a key in conflict
    is reported (``duplicate_record``) and its line number added to ``bad``; the versions are
    still passed on, so that the library lists the key as ``duplicate_record`` in what it
    returns. This holds one parsed record per distinct version until the file is read.

    Args:
        stream: JSON Lines of record payloads (binary).
        errors: where the problems are reported, one line each.
        bad: receives the number of every line that was skipped or is in conflict.
        name: the file's name, which starts every report (``FILE:LINE: PATH: CODE: MESSAGE``,
            as ``check`` writes them).
        progress: if given, ticked per line read and wiped before each report (closed by the
            caller).

    Example:
        >>> import io, json
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> data = (json.dumps(SAMPLE_RECORD_PAYLOAD) + "\n{oops\n").encode()
        >>> bad: list[int] = []
        >>> [r.record_id for r in read_records(io.BytesIO(data), io.StringIO(), bad)], bad
        (['r-2024-0001'], [2])
    """
    kept: dict[tuple[str, str], list[tuple[int, ServiceRecord]]] = {}
    clear = progress.clear if progress is not None else _nothing
    for line in read_json_lines(stream, progress=progress):
        if line.error is not None:
            clear()
            bad.append(line.number)
            code = "invalid_encoding" if line.error.startswith("not UTF-8") else "invalid_json"
            errors.write(f"{name}:{line.number}: $: {code}: {line.error}\n")
            continue
        try:
            record = parse_record(line.value)
        except RecordFormatError as error:
            clear()
            bad.append(line.number)
            for problem in error.errors:
                errors.write(
                    f"{name}:{line.number}: {problem.path}: {problem.code}: {problem.message}\n"
                )
            continue
        versions = kept.setdefault(record.key, [])
        if not any(same_version(held, record) for _, held in versions):
            versions.append((line.number, record))
    conflicts = []
    for versions in kept.values():
        if len(versions) > 1:
            lines = ", ".join(str(number) for number, _ in versions)
            for number, record in versions:
                conflicts.append((number, record, lines))
    if conflicts:
        clear()
    for number, record, lines in sorted(conflicts, key=lambda c: c[0]):
        bad.append(number)
        errors.write(
            f"{name}:{number}: $.record_id: {CONFLICT_REASON}: record {record.record_id} of"
            f" {record.organization_id} has versions with different content on lines"
            f" {lines}: none of them counts\n"
        )
    for versions in kept.values():
        for _number, record in versions:
            yield record


def _nothing() -> None:
    """No progress line to wipe."""
