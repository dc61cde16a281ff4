"""Reading a file of service records for the commands: one reader, one rule for conflicts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from volunteer_rules.cli._io import mask_identity_numbers, read_json_lines
from volunteer_rules.errors import RecordFormatError
from volunteer_rules.records.record import ServiceRecord, parse_record
from volunteer_rules.rules.checks import version_order

__all__ = ["file_name", "read_records"]


def file_name(path: str) -> str:
    """How reports name an input: its path, or ``<stdin>`` for ``-``.

    Example:
        >>> file_name("-"), file_name("examples/records.jsonl")
        ('<stdin>', 'examples/records.jsonl')
    """
    return "<stdin>" if path == "-" else path


def read_records(
    stream: IO[bytes], errors: IO[str], bad: list[int], *, name: str = "<stdin>"
) -> Iterator[ServiceRecord]:
    r"""Parse each line; report and skip bad lines and versions that conflict with another.

    Every command that reads a file of records uses this reader, so they all count the same
    records.

    The same ``(organization_id, record_id)`` with different content is never silently merged:
    like ``check``, the version first by :func:`~volunteer_rules.rules.checks.version_order` is
    kept (so the result does not depend on line order) and every other version is reported
    and skipped. This holds one parsed record per distinct key until the file is read.

    Args:
        stream: JSON Lines of record payloads (binary).
        errors: where the problems are reported, one line each.
        bad: receives the number of every line that was skipped.
        name: the file's name, which starts every report (``FILE:LINE: PATH: CODE: MESSAGE``,
            as ``check`` writes them).

    Example:
        >>> import io, json
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> data = (json.dumps(SAMPLE_RECORD_PAYLOAD) + "\n{oops\n").encode()
        >>> bad: list[int] = []
        >>> [r.record_id for r in read_records(io.BytesIO(data), io.StringIO(), bad)], bad
        (['r-2024-0001'], [2])
    """
    kept: dict[tuple[str, str], tuple[tuple[Any, ...], int, int, ServiceRecord]] = {}
    conflicts: list[tuple[int, ServiceRecord, int]] = []
    for line in read_json_lines(stream):
        if line.error is not None:
            bad.append(line.number)
            code = "invalid_encoding" if line.error.startswith("not UTF-8") else "invalid_json"
            errors.write(mask_identity_numbers(f"{name}:{line.number}: $: {code}: {line.error}\n"))
            continue
        try:
            record = parse_record(line.value)
        except RecordFormatError as error:
            bad.append(line.number)
            for problem in error.errors:
                message = mask_identity_numbers(problem.message)
                errors.write(f"{name}:{line.number}: {problem.path}: {problem.code}: {message}\n")
            continue
        fingerprint = hash(record)
        entry = (version_order(record), fingerprint, line.number, record)
        first = kept.setdefault(record.key, entry)
        if first[1] == fingerprint:
            continue
        if entry[0] < first[0]:
            kept[record.key] = entry
            conflicts.append((first[2], first[3], line.number))
        else:
            conflicts.append((line.number, record, first[2]))
    for number, record, other in sorted(conflicts, key=lambda c: c[0]):
        bad.append(number)
        errors.write(
            f"{name}:{number}: $.record_id: conflict: record {record.record_id} of"
            f" {record.organization_id} differs from line {other}, which is kept; skipped\n"
        )
    for _order, _fingerprint, _number, record in kept.values():
        yield record
