"""Every file a command writes: masked as standard output is, and whole or not at all."""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from volunteer_rules.cli import main
from volunteer_rules.cli._output import output_bytes, output_file
from volunteer_rules.cli._tables import tables_installed
from volunteer_rules.testing.examples import SAMPLE_ORGANIZATION_ID
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD

COMMAND = [sys.executable, "-m", "volunteer_rules"]
NUMBER = "11010519491231002X"
OLD_NUMBER = "110105491231002"

needs_tables = pytest.mark.skipif(not tables_installed(), reason="needs the tables extra")


@pytest.fixture
def inputs(sample_records: Path, sample_profiles: Path) -> tuple[Path, Path]:
    return sample_records, sample_profiles


def _certificate(records: Path, profiles: Path, *more: str) -> list[str]:
    return [
        "certificate", str(records), "--profiles", str(profiles), "--volunteer", "V0000001",
        "--issuer", SAMPLE_ORGANIZATION_ID, "--issuer-name", "X", "--responsible", "R",
        "--handler", "H", "--contact", "C", "--as-of", "2024-06-30", *more,
    ]  # fmt: skip


def _transfer(records: Path, *more: str) -> list[str]:
    return [
        "transfer", "create", str(records), "--volunteer", "V0000001",
        "--from", SAMPLE_ORGANIZATION_ID, "--to", "51211100MJ00000175", "--to-region", "110105",
        "--consent", "--created-at", "2024-06-30T09:00:00+08:00", *more,
    ]  # fmt: skip


@pytest.mark.parametrize("form", ["text", "json", "html"])
def test_a_certificate_file_is_masked_as_standard_output(
    inputs: tuple[Path, Path], tmp_path: Path, form: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``certificate -o``: the ID numbers in --remarks masked, as on stdout (the certificate
    masks them when it is issued; an ID number as --number is refused)."""
    more = ["--number", "C-1", "--remarks", f"ID {NUMBER} {OLD_NUMBER}", "--format", form]
    assert main(_certificate(*inputs, *more)) == 0
    shown = capsys.readouterr().out
    out = tmp_path / f"certificate.{form}"
    assert main(_certificate(*inputs, *more, "-o", str(out))) == 0
    written = out.read_text(encoding="utf-8")
    assert written == shown
    assert NUMBER not in written and OLD_NUMBER not in written
    assert "110105***********X" in written


def test_a_report_file_is_masked(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    """``report -o``: a title holding an ID number is masked in <title> and <h1>."""
    out = tmp_path / "report.html"
    args = ["report", str(inputs[0]), "--as-of", "2024-06-30", "--title", f"报告 {NUMBER}"]
    assert main([*args, "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert NUMBER not in page
    assert page.count("报告 110105***********X") >= 2


def test_a_transfer_package_keeps_the_full_number(
    inputs: tuple[Path, Path], tmp_path: Path
) -> None:
    """The one documented exception: a package is for the destination's software."""
    out = tmp_path / "package.json"
    assert main(_transfer(inputs[0], "--profiles", str(inputs[1]), "-o", str(out))) == 0
    number = SAMPLE_PROFILE_PAYLOAD["id_document"]["number"]
    assert json.loads(out.read_text(encoding="utf-8"))["profile"]["id_document"]["number"] == (
        number
    )


def _limited() -> None:  # pragma: no cover - runs in the child
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))


def _outputs(records: Path, profiles: Path, out: Path) -> dict[str, list[str]]:
    certify = ["certify", str(records), "--rule-set", "cn-national", "--as-of", "2024-06-30"]
    return {
        "transfer": _transfer(records, "-o", str(out)),
        "certificate": _certificate(records, profiles, "--number", "N", "-o", str(out)),
        "report": ["report", str(records), "--as-of", "2024-06-30", "-o", str(out)],
        "certify": [*certify, "--format", "json", "-o", str(out)],
        "stats": ["stats", str(records), "--format", "json", "-o", str(out)],
    }


@pytest.mark.skipif(sys.platform == "win32", reason="needs a file size limit (POSIX)")
@pytest.mark.parametrize("command", ["transfer", "certificate", "report"])
def test_a_failed_write_leaves_the_old_file(
    inputs: tuple[Path, Path], tmp_path: Path, command: str
) -> None:
    """A file size limit stops the write: status 2, the old file whole, no temporary file."""
    out = tmp_path / "out" / "result"
    out.parent.mkdir()
    out.write_text("old", encoding="utf-8")
    done = subprocess.run(
        [*COMMAND, *_outputs(*inputs, out)[command]],
        capture_output=True,
        text=True,
        preexec_fn=_limited,
        timeout=600,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"error: cannot write {out}: File too large" in done.stderr
    assert out.read_text(encoding="utf-8") == "old"
    assert os.listdir(out.parent) == ["result"]


@pytest.mark.parametrize(
    ("command", "form"),
    [("certify", "json"), ("certify", "csv"), ("stats", "text"), ("stats", "parquet")],
)
def test_a_write_that_fails_at_the_end_leaves_the_old_file(
    inputs: tuple[Path, Path],
    tmp_path: Path,
    command: str,
    form: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """certify and stats (their temporary Parquet copy of the input would meet a file size
    limit first): the disk fills as the written file is made durable, every format."""
    if form == "parquet" and not tables_installed():
        pytest.skip("needs the tables extra")

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    out = tmp_path / "out" / "result"
    out.parent.mkdir()
    out.write_text("old", encoding="utf-8")
    args = _outputs(*inputs, out)[command]
    args[args.index("json")] = form
    monkeypatch.setattr(os, "fsync", full)
    assert main(args) == 2
    assert f"error: cannot write {out}: No space left on device" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "old"
    assert os.listdir(out.parent) == ["result"]


@pytest.mark.parametrize("command", ["transfer", "certificate", "report", "certify", "stats"])
def test_a_write_error_without_an_errno_is_named(
    inputs: tuple[Path, Path],
    tmp_path: Path,
    command: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An OSError that carries only a message (no errno, no strerror) is reported by it, in
    one wording for every command (``cli._io.cannot_write``), never as ``None``."""

    def gone(descriptor: int) -> None:
        raise OSError("the network share went away")

    out = tmp_path / "result"
    monkeypatch.setattr(os, "fsync", gone)
    assert main(_outputs(*inputs, out)[command]) == 2
    err = capsys.readouterr().err
    assert f"error: cannot write {out}: the network share went away" in err
    assert "None" not in err


@pytest.mark.parametrize("command", ["transfer", "certificate", "report", "certify", "stats"])
def test_a_written_file_replaces_the_old_one(
    inputs: tuple[Path, Path], tmp_path: Path, command: str
) -> None:
    """On success the file is replaced whole, keeps its permissions, and nothing else is left."""
    out = tmp_path / "out" / "result"
    out.parent.mkdir()
    out.write_text("old " * 100_000, encoding="utf-8")
    out.chmod(0o640)
    assert main(_outputs(*inputs, out)[command]) == 0
    assert not out.read_text(encoding="utf-8").startswith("old")
    assert out.stat().st_mode & 0o777 == 0o640
    assert os.listdir(out.parent) == ["result"]


@needs_tables
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", ["certify", "stats"])
@pytest.mark.parametrize("target", ["/dev/full", "/proc/version"])
def test_parquet_that_cannot_be_written_is_a_clean_error(
    inputs: tuple[Path, Path], command: str, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--format parquet -o /dev/full``: status 2 and the reason, as for CSV and text."""
    args = _outputs(*inputs, Path(target))[command]
    args[args.index("json")] = "parquet"
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"volunteer-rules {command}: error: cannot write {target}: ")
    if target == "/dev/full":
        assert "No space left on device" in err


def test_output_file_follows_a_link(tmp_path: Path) -> None:
    """A link to a file: the file it names is replaced, the link stays a link."""
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with output_file(str(link)) as out:
        out.write(f"new {NUMBER}\n")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new 110105***********X\n"


def test_output_file_escapes_a_lone_surrogate(tmp_path: Path) -> None:
    """Text UTF-8 cannot encode is written escaped, as standard output writes it."""
    path = tmp_path / "out.txt"
    with output_file(str(path), mask=False) as out:
        out.write("name \ud800\n")
    assert path.read_text(encoding="utf-8") == "name \\ud800\n"


def test_output_bytes_on_failure_leaves_nothing(tmp_path: Path) -> None:
    """An exception inside the block: no file made, no temporary file left."""
    path = tmp_path / "out.bin"

    def half_written() -> None:
        with output_bytes(str(path)) as out:
            out.write(b"half")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        half_written()
    assert list(tmp_path.iterdir()) == []
