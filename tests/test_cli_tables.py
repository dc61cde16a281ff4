"""``certify`` and ``stats`` on JSON Lines, CSV and Parquet, run as the installed command.

One answer whatever the format; bad rows in the one format; ``--format parquet`` only into a
file; the progress line only on a terminal; without the ``tables`` extra, JSON Lines still
work and CSV and Parquet say what to install.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

pl = pytest.importorskip("polars")

from volunteer_rules.tables import io as tio  # noqa: E402

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "records.jsonl"
COMMAND = [sys.executable, "-m", "volunteer_rules"]
CERTIFY = ["--rule-set", "cn-national", "--as-of", "2026-06-30"]
# The command with polars and pyarrow made impossible to import: as without the extra.
WITHOUT_TABLES = [
    sys.executable,
    "-c",
    "import sys; sys.modules['polars'] = sys.modules['pyarrow'] = None;"
    " from volunteer_rules.cli import main; sys.exit(main(sys.argv[1:]))",
]


def _run(*args: str, command: list[str] = COMMAND) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample's valid records as JSON Lines, CSV and Parquet (the library's writers)."""
    folder = tmp_path_factory.mktemp("sample")
    table = tio.read_json_lines(SAMPLE)
    files = {
        "jsonl": folder / "records.jsonl",
        "csv": folder / "records.csv",
        "parquet": folder / "records.parquet",
    }
    tio.write_json_lines(table, files["jsonl"])
    tio.write_csv(table, files["csv"])
    tio.write_parquet(table, files["parquet"])
    return files


@pytest.mark.parametrize(
    "args",
    [
        ["certify", *CERTIFY, "--format", "json"],
        ["certify", *CERTIFY],
        ["stats", "--by", "region", "month", "--format", "json"],
        ["stats", "--by", "organization", "--as-of", "2025-01-01", "--format", "csv"],
    ],
    ids=["certify-json", "certify-text", "stats-json", "stats-csv"],
)
def test_one_output_whatever_the_format(sample_files: dict[str, Path], args: list[str]) -> None:
    """The sample as JSON Lines, CSV and Parquet: the same result, byte for byte."""
    outputs = {}
    for kind, path in sample_files.items():
        done = _run(args[0], str(path), *args[1:])
        assert done.returncode == 1, done.stderr  # the sample's conflicting versions
        assert "duplicate_record" in done.stderr and "Traceback" not in done.stderr
        outputs[kind] = done.stdout
    assert outputs["jsonl"] == outputs["csv"] == outputs["parquet"]
    # and the same as the bundled file, whose bad lines are skipped
    original = _run(args[0], str(SAMPLE), *args[1:]).stdout
    if args[0] == "stats":
        assert original == outputs["jsonl"]
    elif "json" in args:
        assert (
            json.loads(original)["certifications"] == json.loads(outputs["csv"])["certifications"]
        )


def test_the_input_format_can_be_given(sample_files: dict[str, Path], tmp_path: Path) -> None:
    """A name without the extension: ``--input-format`` says what the file is."""
    export = tmp_path / "export.dat"
    export.write_bytes(sample_files["parquet"].read_bytes())
    given = _run("stats", str(export), "--input-format", "parquet", "--by")
    assert given.returncode == 1 and "records" in given.stdout
    assumed = _run("stats", str(export), "--by")  # taken for JSON Lines: its first bytes say not
    assert assumed.returncode == 2 and "it is a Parquet file, not JSON Lines" in assumed.stderr


def test_bad_rows_in_the_one_format(tmp_path: Path) -> None:
    """``FILE:ROW: PATH: CODE: MESSAGE`` for a bad row of CSV and of Parquet."""
    frame = pl.DataFrame(
        [
            {k: str(v) for k, v in SAMPLE_RECORD_PAYLOAD.items()},
            {**{k: str(v) for k, v in SAMPLE_RECORD_PAYLOAD.items()}, "record_id": "r-2",
             "service_minutes": "0"},
        ]
    )  # fmt: skip
    csv_path, parquet_path = tmp_path / "r.csv", tmp_path / "r.parquet"
    frame.write_csv(csv_path)
    frame.with_columns(pl.col("service_minutes", "format_version").cast(pl.Int64)).write_parquet(
        parquet_path
    )
    for path in (csv_path, parquet_path):
        for command in (["certify", str(path), *CERTIFY], ["stats", str(path)]):
            done = _run(*command)
            assert done.returncode == 1
            assert f"{path}:2: $.service_minutes: out_of_range: " in done.stderr, done.stderr
            assert "Traceback" not in done.stderr


def test_parquet_output_only_into_a_file(sample_files: dict[str, Path], tmp_path: Path) -> None:
    """``--format parquet`` needs ``--output``; the tables hold minutes as integers."""
    refused = _run("certify", str(SAMPLE), *CERTIFY, "--format", "parquet")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "--output" in refused.stderr
    out = tmp_path / "levels.parquet"
    done = _run(
        "certify", str(sample_files["csv"]), *CERTIFY, "--format", "parquet", "-o", str(out)
    )
    assert done.returncode == 1 and done.stdout == ""
    levels = pl.read_parquet(out)
    assert levels.schema["counted_minutes"] == pl.Int64
    assert levels.schema["not_counted"] == pl.Int64
    shown = json.loads(_run("certify", str(SAMPLE), *CERTIFY, "--format", "json").stdout)
    assert levels.height == shown["volunteers"]
    mine = levels.filter(pl.col("volunteer_id") == "PJ00190").row(0, named=True)
    listed = next(c for c in shown["certifications"] if c["volunteer"] == "PJ00190")
    assert mine["counted_minutes"] == round(float(listed["counted_h"]) * 60)
    assert mine["not_counted"] == len(listed["excluded"])
    figures = tmp_path / "stats.parquet"
    assert (
        _run("stats", str(SAMPLE), "--by", "--format", "parquet", "-o", str(figures)).stdout == ""
    )
    total = pl.read_parquet(figures)
    assert total.schema["minutes"] == pl.Int64
    stats = json.loads(_run("stats", str(SAMPLE), "--by", "--format", "json").stdout)
    assert total.get_column("minutes").to_list() == [stats[0]["minutes"]]


def test_without_the_tables_extra(sample_files: dict[str, Path]) -> None:
    """JSON Lines still work (the same answer); CSV and Parquet are a usage error naming the
    extra."""
    plain = _run("certify", str(SAMPLE), *CERTIFY, "--format", "json", command=WITHOUT_TABLES)
    assert plain.returncode == 1, plain.stderr
    with_extra = _run("certify", str(SAMPLE), *CERTIFY, "--format", "json")
    assert plain.stdout == with_extra.stdout and plain.stderr == with_extra.stderr
    stats = _run("stats", str(SAMPLE), "--by", "region", command=WITHOUT_TABLES)
    assert stats.stdout == _run("stats", str(SAMPLE), "--by", "region").stdout
    for kind in ("csv", "parquet"):
        refused = _run("stats", str(sample_files[kind]), command=WITHOUT_TABLES)
        assert refused.returncode == 2 and refused.stdout == ""
        assert 'pip install "volunteer_rules[tables]"' in refused.stderr


def _big_file(tmp_path: Path, copies: int) -> Path:
    """The sample's valid records ``copies`` times over (new record ids): a longer file."""
    table = tio.read_json_lines(SAMPLE).records
    frames = [table.with_columns(record_id=pl.col("record_id") + f"-{n}") for n in range(copies)]
    path = tmp_path / "big.jsonl"
    tio.write_json_lines(pl.concat(frames), path)
    return path


def _on_a_terminal(*args: str) -> tuple[int, str]:
    """Run with standard error a terminal (a pty); standard output is not one."""
    main, other = pty.openpty()
    try:
        with subprocess.Popen(
            [*COMMAND, *args], stdout=subprocess.DEVNULL, stderr=other
        ) as process:
            os.close(other)
            other = -1
            seen = b""
            while select.select([main], [], [], 600)[0]:
                try:
                    data = os.read(main, 65536)
                except OSError:  # the other end closed
                    break
                if not data:
                    break
                seen += data
            status = process.wait(timeout=600)
    finally:
        os.close(main)
        if other >= 0:
            os.close(other)
    return status, seen.decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_progress_only_on_a_terminal(tmp_path: Path) -> None:
    """Rows read and the rate on a terminal, wiped at the end; nothing when piped or quiet."""
    path = _big_file(tmp_path, 5)
    status, shown = _on_a_terminal("certify", str(path), *CERTIFY)
    assert status == 1  # the sample's conflicting versions, five times
    assert "\rcertify: " in shown and " lines/s" in shown
    assert shown.rstrip("\r\n").endswith("\r\x1b[K") or "\r\x1b[K" in shown
    quiet_status, quiet = _on_a_terminal("certify", str(path), *CERTIFY, "--quiet")
    assert quiet_status == 1 and "lines/s" not in quiet
    piped = _run("stats", str(path))
    assert "\r" not in piped.stderr and "lines/s" not in piped.stderr


_PROFILES = SAMPLE.parent / "profiles.jsonl"
_READERS = {
    "check": ["check", "{file}"],
    "certificate": ["certificate", "{file}", "--volunteer", "PJ00050", "--profiles",
                    str(_PROFILES), "--issuer", "52211102MJ0000114B", "--issuer-name", "X",
                    "--responsible", "R", "--handler", "H", "--contact", "0427-1234567",
                    "--number", "N-1", "--as-of", "2026-06-30", "-o", "{out}"],
    "ledger": ["ledger", "credit", "{file}", "--policy", "generic", "--as-of", "2026-06-30"],
    "transfer": ["transfer", "create", "{file}", "--volunteer", "PJ00050", "--from",
                 "52211102MJ0000114B", "--to", "51211100MJ00000175", "--to-region", "110105",
                 "--created-at", "2026-06-01T09:00:00+08:00", "-o", "{out}"],
    "report": ["report", "{file}", "--as-of", "2026-06-30", "-o", "{out}"],
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("label", sorted(_READERS))
def test_every_reader_shows_progress_on_a_terminal(tmp_path: Path, label: str) -> None:
    """Every command that reads a file of records draws lines read, rate and time left on a
    terminal, and nothing with ``--quiet``."""
    path = _big_file(tmp_path, 3)  # more lines than one progress step (10,000)
    args = [a.format(file=path, out=tmp_path / "out") for a in _READERS[label]]
    _status, shown = _on_a_terminal(*args)
    assert f"\r{label}: 10,000 lines, " in shown, shown[-500:]
    assert " lines/s, " in shown and " left" in shown
    assert "Traceback" not in shown
    _status, quiet = _on_a_terminal(*args, "--quiet")
    assert "lines/s" not in quiet and "\r" not in quiet.replace("\r\n", "\n")


@pytest.mark.parametrize(
    "args", [["certify", *CERTIFY], ["stats", "--as-of", "2026-06-30"]], ids=["certify", "stats"]
)
def test_big_files_are_counted_from_a_temporary_parquet_file_removed_after(
    sample_files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """The valid rows wait in a Parquet file in the temporary folder, gone when the command is
    done; the output is the one of the record-by-record path."""
    import tempfile

    from volunteer_rules.cli import _tables, main

    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    written: list[Path] = []
    write = _tables._Spool.write

    def spy(self: Any, frame: Any) -> None:
        write(self, frame)
        written.append(Path(self.path))
        assert Path(self.path).is_file() and spool in Path(self.path).parents

    monkeypatch.setattr(_tables._Spool, "write", spy)
    out = tmp_path / "out.txt"
    status = main([*args, "--quiet", "-o", str(out), str(sample_files["jsonl"])])
    assert written
    assert list(spool.iterdir()) == []
    plain = _run(*args, str(sample_files["jsonl"]), command=WITHOUT_TABLES)
    assert (status, out.read_text(encoding="utf-8")) == (plain.returncode, plain.stdout)


@pytest.mark.parametrize(
    "args", [["certify", *CERTIFY], ["stats", "--as-of", "2026-06-30"]], ids=["certify", "stats"]
)
def test_no_room_for_the_temporary_file_is_said_as_such(
    sample_files: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    """A full temporary folder is a usage error that names it and TMPDIR, not "cannot read"
    the input nor "not JSON Lines"; nothing is written and nothing is left behind."""
    import errno
    import tempfile

    from volunteer_rules.cli import main

    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))

    def full(self: Any, frame: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    import pyarrow.parquet as pq

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full)
    out = tmp_path / "out.txt"
    status = main([*args, "--quiet", "-o", str(out), str(sample_files["jsonl"])])
    err = capsys.readouterr().err
    assert status == 2
    assert f"cannot write the valid rows to a temporary file in {spool}" in err
    assert os.strerror(errno.ENOSPC) in err and "TMPDIR" in err
    assert "cannot read" not in err and "is not JSON Lines" not in err and "Traceback" not in err
    assert not out.exists()
    assert list(spool.iterdir()) == []


@pytest.mark.parametrize("asked", [False, True], ids=["everyone", "profiles"])
def test_a_big_file_counted_in_parts_gives_the_one_answer(
    sample_files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, asked: bool
) -> None:
    """``certify`` on a file of more rows than a part counts it in parts of volunteers, with
    every amendment in each part: the same output as in one pass, for every volunteer or for
    those of ``--profiles`` (one of them without records)."""
    from volunteer_rules.cli import main
    from volunteer_rules.tables import results

    args = ["certify", *CERTIFY, "--format", "json", "--quiet", str(sample_files["jsonl"])]
    if asked:
        lines = _PROFILES.read_text(encoding="utf-8").splitlines()
        some = tmp_path / "some.jsonl"
        some.write_text("\n".join(lines[::7]) + "\n", encoding="utf-8")
        args += ["--profiles", str(some)]
    whole = tmp_path / "whole.json"
    status = main([*args, "-o", str(whole)])
    counted = results.count_parts
    parts: list[int] = []

    def spy(source: Any, part_count: int, *rest: Any, **options: Any) -> Any:
        parts.append(part_count)
        return counted(source, part_count, *rest, **options)

    monkeypatch.setattr(results, "count_parts", spy)
    monkeypatch.setattr(results, "PART_ROWS", 1_500)  # the sample's 4,612 rows: four parts
    in_parts = tmp_path / "parts.json"
    assert main([*args, "-o", str(in_parts)]) == status
    assert parts == [4]
    assert in_parts.read_text(encoding="utf-8") == whole.read_text(encoding="utf-8")
    shown = json.loads(whole.read_text(encoding="utf-8"))
    assert shown["volunteers"] == (len(lines[::7]) if asked else shown["volunteers"])
    assert any(c["counted_h"] != "0" and c["excluded"] for c in shown["certifications"])


@pytest.mark.skipif(not os.path.isdir("/dev/fd"), reason="a pipe named by /dev/fd/N")
@pytest.mark.parametrize("kind", ["jsonl", "csv"])
@pytest.mark.parametrize("command", ["stats", "certify"])
def test_a_pipe_given_by_its_name_is_read_once_and_whole(
    kind: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``stats <(gunzip -c export.jsonl.gz)``: the shell names a pipe, ``/dev/fd/63``.

    Its first bytes were looked at through one opening and the rows read through another,
    so what the look took from the pipe was lost: 2 of 6 records counted, and a bad line
    reported that the export does not hold.
    """
    import threading

    from volunteer_rules.cli import main

    records = [
        {**SAMPLE_RECORD_PAYLOAD, "record_id": f"r-{n}", "volunteer_id": f"V{n % 2:07d}"}
        for n in range(400)
    ]
    plain = tmp_path / f"records.{kind}"
    if kind == "csv":
        tio.write_csv(tio.read_frame(pl.DataFrame(records)).records, plain)
    else:
        plain.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    argv = {
        "stats": ["stats", "--by", "--format", "json"],
        "certify": ["certify", "--rule-set", "cn-national", "--as-of", "2024-06-30", "--format", "json"],
    }[command]  # fmt: skip
    assert main([*argv, str(plain)]) == 0
    expected = capsys.readouterr().out
    read_end, write_end = os.pipe()

    def feed() -> None:
        with os.fdopen(write_end, "wb") as writer:
            writer.write(plain.read_bytes())

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        status = main([*argv, f"/dev/fd/{read_end}", "--input-format", kind])
    finally:
        os.close(read_end)
        feeder.join(timeout=60)
    captured = capsys.readouterr()
    assert (status, captured.err) == (0, "")
    assert captured.out == expected
