"""JSON nested too deeply for Python is bad input, reported by the library, in every reader.

``json.loads`` raises ``RecursionError`` for a thousand ``[`` or so; the library's one JSON
reading (``_canonical.read_json``) turns that into a ``ValueError``
(:class:`~volunteer_rules._canonical.JsonNestingError`), so every caller that reports text that
is not JSON reports this too: a usage error, a bad line or row with its path, never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
from pathlib import Path

import pytest

from volunteer_rules._canonical import JsonNestingError, read_json
from volunteer_rules.cli import main
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DEEP = "[" * 100_000
TOO_DEEP = "$.extensions: out_of_range: extensions may nest at most 32 levels deep"


@pytest.mark.parametrize(
    "text",
    [DEEP, DEEP + "]" * 100_000, '{"a": ' + DEEP, "[" * 100_000 + "1" * 5000],
    ids=["unclosed", "closed", "in-object", "with-a-huge-number"],
)
def test_read_json_refuses_deep_nesting_as_a_value_error(text: str) -> None:
    with pytest.raises(JsonNestingError, match="nested too deeply") as raised:
        read_json(text)
    assert isinstance(raised.value, ValueError)
    assert str(pickle.loads(pickle.dumps(raised.value))) == "nested too deeply"


def test_read_json_still_reads_nesting_python_can_read() -> None:
    assert read_json("[" * 200 + "]" * 200 + "\n") == json.loads("[" * 200 + "]" * 200)
    assert read_json(b"[" * 200 + b"]" * 200) == json.loads("[" * 200 + "]" * 200)


def test_match_refuses_a_deep_demand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demand = tmp_path / "deep.json"
    demand.write_text(DEEP, encoding="utf-8")
    status = main(["match", str(demand), str(EXAMPLES / "profiles.jsonl"), "--as-of", "2026-06-30"])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert f"the demand {demand} is not valid JSON: nested too deeply" in err


def test_transfer_check_reports_a_deep_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "pkg.json"
    package.write_text(DEEP, encoding="utf-8")
    status = main(["transfer", "check", str(package), "--as-of", "2026-06-30"])
    out, _ = capsys.readouterr()
    assert status == 1
    assert f"{package}: $: invalid_json: not valid JSON: nested too deeply" in out


def _csv_with_extensions(extensions: str) -> str:
    """The sample record as CSV, with ``extensions`` as its extensions cell."""
    row = {**{k: str(v) for k, v in SAMPLE_RECORD_PAYLOAD.items()}, "extensions": extensions}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    return buffer.getvalue()


@pytest.mark.parametrize("extensions", [DEEP, DEEP + "]" * 100_000], ids=["unclosed", "closed"])
def test_a_deep_extensions_cell_is_a_row_error(extensions: str) -> None:
    """CSV: ``out_of_range`` at ``$.extensions``, as parse_record says of nesting too deep."""
    tio = pytest.importorskip("volunteer_rules.tables.io")
    table = tio.read_csv(io.BytesIO(_csv_with_extensions(extensions).encode()))
    assert table.records.height == 0
    assert table.errors.rows() == [
        (1, "$.extensions", "out_of_range", "extensions may nest at most 32 levels deep")
    ]


def test_parse_record_says_the_same_of_deep_extensions() -> None:
    """The CSV row error above is the one parse_record gives for extensions too deep."""
    import volunteer_rules as vr

    deep: object = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(vr.RecordFormatError) as raised:
        vr.parse_record(dict(SAMPLE_RECORD_PAYLOAD, extensions={"a": deep}))
    ((path, code, message),) = [(e.path, e.code, e.message) for e in raised.value.errors]
    assert path.startswith("$.extensions") and code == "out_of_range"
    assert TOO_DEEP.endswith(message)


@pytest.mark.parametrize(
    "command",
    [["certify", "--rule-set", "cn-national", "--as-of", "2026-06-30"], ["stats"]],
    ids=["certify", "stats"],
)
def test_certify_and_stats_report_a_deep_extensions_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    pytest.importorskip("polars")
    path = tmp_path / "deep_ext.csv"
    path.write_text(_csv_with_extensions(DEEP), encoding="utf-8")
    status = main([command[0], str(path), *command[1:]])
    _, err = capsys.readouterr()
    assert status == 1
    assert f"{path}:1: {TOO_DEEP}" in err


def test_a_deep_qr_statement_is_an_invalid_signature() -> None:
    import base64
    import zlib

    from volunteer_rules.certificates.render import check_qr_payload
    from volunteer_rules.certificates.signing import InMemoryKeyRegistry

    packed = base64.urlsafe_b64encode(zlib.compress(DEEP.encode())).decode().rstrip("=")
    check = check_qr_payload(f"VR-CERT2:{packed}.AAAA", InMemoryKeyRegistry())
    assert check.signature == "signature_invalid"


def test_a_deep_stored_payload_is_a_storage_error() -> None:
    import volunteer_rules as vr
    from volunteer_rules.storage._sqlite_rows import _parse_package, _parse_payload

    for parse in (_parse_payload, _parse_package):
        with pytest.raises(vr.StorageError, match="nested too deeply"):
            parse(DEEP)
