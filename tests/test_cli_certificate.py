from __future__ import annotations

import json
from pathlib import Path

import pytest

import volunteer_rules as vr
from _cli_helpers import write_lines
from volunteer_rules.cli import main
from volunteer_rules.testing import examples
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD


@pytest.fixture
def files(tmp_path: Path, sample_profiles: Path) -> tuple[Path, Path]:
    bad = dict(examples.SAMPLE_RECORD_PAYLOAD, record_id="r-bad", service_minutes=0)
    other = dict(examples.SAMPLE_RECORD_PAYLOAD, record_id="r-x", organization_id="G-other")
    lines = [examples.SAMPLE_RECORD_PAYLOAD, bad, other]
    return write_lines(tmp_path / "records.jsonl", lines), sample_profiles


def arguments(records: Path, profiles: Path, *more: str) -> list[str]:
    return [
        "certificate",
        str(records),
        "--profiles",
        str(profiles),
        "--volunteer",
        "V0000001",
        "--issuer",
        examples.SAMPLE_ORGANIZATION_ID,
        "--issuer-name",
        "盘锦市兴隆台区青年志愿者协会",
        "--responsible",
        "张伟",
        "--handler",
        "李雷",
        "--contact",
        "0427-2812345",
        "--number",
        "PJ-1",
        "--as-of",
        "2024-06-01",
        *more,
    ]


class TestCertificateCommand:
    def test_text(self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
        """The text certificate goes to stdout, refusals and skipped lines to stderr; the
        skipped line makes the status 1 (0 is for a file whose every line was read)."""
        assert main(arguments(*files)) == 1
        out, err = capsys.readouterr()
        assert "志愿服务记录证明" in out and "2小时" in out
        assert "records.jsonl:2: $.service_minutes: out_of_range: " in err  # FILE:LINE: PATH: CODE
        assert "not certified: 1 records of other organizations" in err

    def test_json_verifies(
        self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The JSON certificate parses and verifies against the records it came from."""
        assert main(arguments(*files, "--format", "json")) == 1  # the bad line 2
        certificate = vr.parse_certificate(json.loads(capsys.readouterr().out))
        record = vr.parse_record(examples.SAMPLE_RECORD_PAYLOAD)
        assert vr.verify_certificate(certificate, [record]).valid

    @pytest.mark.parametrize("contact", ["13812345678", "zhang.san@example.org"])
    def test_json_with_a_personal_contact_prints_it_masked_and_verifies(
        self, contact: str, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The contact is masked in the certificate itself, so what is printed still verifies."""
        args = arguments(*files, "--format", "json")
        args[args.index("--contact") + 1] = contact
        assert main(args) == 1  # the bad line 2
        printed = capsys.readouterr().out
        assert contact not in printed
        certificate = vr.parse_certificate(json.loads(printed))
        record = vr.parse_record(examples.SAMPLE_RECORD_PAYLOAD)
        assert vr.verify_certificate(certificate, [record]).valid

    def test_html_to_file(self, files: tuple[Path, Path], tmp_path: Path) -> None:
        """``-o`` writes the HTML page to a file."""
        out = tmp_path / "c.html"
        assert main(arguments(*files, "--format", "html", "-o", str(out))) == 1  # line 2
        assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

    def test_status_0_only_when_every_line_is_read(
        self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """As every command: 0 when every line was read; a bad line is 1 and still certified."""
        records, profiles = files
        good = [line for line in records.read_text().splitlines() if '"r-bad"' not in line]
        records.write_text("\n".join(good) + "\n")
        assert main(arguments(records, profiles, "--format", "json")) == 0
        clean = capsys.readouterr().out
        records.write_text("\n".join([good[0], "{not json", *good[1:]]) + "\n")
        assert main(arguments(records, profiles, "--format", "json")) == 1
        out, err = capsys.readouterr()
        assert out == clean
        assert "records.jsonl:2: $: invalid_json: " in err
        records.write_text("{not json\n")
        assert main(arguments(records, profiles)) == 1
        assert "holds no record" not in capsys.readouterr().err

    def test_nothing_certifiable(self, files: tuple[Path, Path]) -> None:
        """Exit status 1 when nothing can be certified."""
        assert main(arguments(*files, "--not-volunteer-service", "r-2024-0001")) == 1

    def test_usage_errors(self, files: tuple[Path, Path], tmp_path: Path) -> None:
        """Bad dates, unknown volunteers, missing files and bad issuers are usage errors."""
        records, profiles = files
        assert main(arguments(records, profiles, "--as-of", "2024-13-01")) == 2
        assert main(arguments(records, tmp_path / "none.jsonl")) == 2
        assert main(arguments(tmp_path / "none.jsonl", profiles)) == 2
        args = arguments(records, profiles)
        args[args.index("--volunteer") + 1] = "V404"
        assert main(args) == 2
        args = arguments(records, profiles)
        args[args.index("--issuer") + 1] = "512111005000000155"
        assert main(args) == 2

    @pytest.mark.parametrize(
        "key",
        ["é" * 64, "ab" * 31, "ab" * 33, "zz" * 32, "", "\udcff".encode("utf-8", "surrogatepass")],
        ids=["not-ascii", "short", "long", "not-hex", "empty", "not-utf8"],
    )
    def test_a_bad_signing_key_file_is_named(
        self,
        files: tuple[Path, Path],
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        key: str | bytes,
    ) -> None:
        """A key file that is not 64 hex digits is a usage error naming the file."""
        path = tmp_path / "k.hex"
        path.write_bytes(key if isinstance(key, bytes) else key.encode("utf-8"))
        assert main(arguments(*files, "--signing-key", str(path), "--key-id", "k1")) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert f"--signing-key: {path} must hold 64 hex digits" in err

    def test_a_signing_key_file_of_64_hex_digits_signs(
        self, files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """64 hex digits, with white space around, sign the certificate."""
        path = tmp_path / "k.hex"
        path.write_text(" " + "ab" * 32 + "\n", encoding="ascii")
        args = arguments(*files, "--signing-key", str(path), "--key-id", "k1", "--format", "json")
        assert main(args) == 1  # the bad line 2 is left out; the certificate is signed
        assert json.loads(capsys.readouterr().out)["signature"]


@pytest.mark.parametrize("output", ["text", "json", "html"])
def test_no_level_is_stated_under_a_rule_set_not_in_force(
    output: str, files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """hk-swd was retired after 2021: a certificate of 2024 states no level under it.

    It said ``none (hk-swd, )``, a level under no version; ``certify`` refuses the same day.
    """
    written = tmp_path / "certificate.out"
    argv = arguments(*files, "--rule-set", "hk-swd", "--format", output, "-o", str(written))
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[-1] == (
        "volunteer-rules certificate: hk-swd was retired: its last version applied until"
        " 2021-12-31: no certificate issued"
    )
    assert not written.exists()
    records = str(files[0])
    assert main(["certify", records, "--rule-set", "hk-swd", "--as-of", "2024-06-01"]) == 1
    assert "hk-swd was retired" in capsys.readouterr().err
    assert main(arguments(*files, "--rule-set", "cn-national")) == 1  # the bad line: 1
    assert "(cn-national, 2012-10-23)" in capsys.readouterr().out  # in force: stated


@pytest.mark.parametrize(
    ("more", "said"),
    [
        (["--since", "2024-07-01"], "--since: must not be after --as-of"),
        (["--successor-of", "13812345678"], "--successor-of: must be an 18-character"),
        (["--responsible", "x" * 300], "--responsible: must be at most"),
    ],
)
def test_a_refused_value_is_named_by_its_option(
    more: list[str], said: str, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The option the user typed, not the library's argument (``since``, ``successor_of``)."""
    assert main(arguments(*files, *more)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[-1].startswith(f"volunteer-rules certificate: error: {said}")
    assert "13812345678" not in captured.err


def test_an_issuer_code_that_fails_its_check_is_named_by_the_option(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = arguments(*files)
    argv[argv.index("--issuer") + 1] = "211104196704131008"  # an ID number, not a credit code
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("volunteer-rules certificate: error: --issuer: fails the GB 32100 check")


def test_a_profile_that_is_not_valid_is_named_by_file_and_line(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not "invalid profile: ..." alone: which file, which line, whose profile; status 2."""
    records, _ = files
    other = dict(SAMPLE_PROFILE_PAYLOAD, volunteer_id="V0000002")
    wrong = dict(SAMPLE_PROFILE_PAYLOAD, nickname="x")
    profiles = write_lines(tmp_path / "people.jsonl", [other, wrong])
    assert main(arguments(records, profiles)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"volunteer-rules certificate: error: {profiles}:2: the profile of V0000001 is not"
        " valid: $.nickname: unknown_field: is not a field of a profile (names are"
        " case-sensitive)\n"
    )
