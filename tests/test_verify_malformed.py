"""`verify` on malformed packs: whatever the ZIP holds, one line per problem and exit 1, never a
traceback; memory bounded; what it prints escaped (a forged pack cannot print "verified")."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.cli import main
from lib.evidence import MANIFEST_NAME, MAX_MANIFEST_BYTES, PACK_FORMAT, printable, verify_pack

DATA = b"lead_id,value\n1,x\n"


def manifest(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "format": PACK_FORMAT,
        "version": 1,
        "lead_id": 1,
        "generated_at": "2026-01-01T00:00:00Z",
        "generated_by": {"email": "a@b.example", "name": "A", "role": "analyst"},
        "source": "Sandbox",
        "files": [{"name": "data.csv", "sha256": hashlib.sha256(DATA).hexdigest(), "bytes": 18}],
    }
    body.update(changes)
    return body


def pack(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def good_pack(**changes: Any) -> bytes:
    return pack([(MANIFEST_NAME, json.dumps(manifest(**changes)).encode()), ("data.csv", DATA)])


def verify_cli(
    data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    path = tmp_path / "pack.zip"
    path.write_bytes(data)
    code = main(["verify", str(path)], env={})
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_failure(code: int, out: str, err: str) -> None:
    assert code == 1, (out, err)
    assert out == ""
    assert err and "Traceback" not in err and "unexpected" not in err
    for line in err.splitlines():
        assert line == printable(line), line


def _set_member_field(data: bytes, name: str, offset: int, value: int, size: str) -> bytes:
    """Patch one field (`size` a struct code) of `name`'s local header and its central entry."""
    raw = bytearray(data)
    encoded = name.encode()
    for signature, field_offset in ((b"PK\x03\x04", offset), (b"PK\x01\x02", offset + 2)):
        start = 0
        while (at := raw.find(signature, start)) != -1:
            header_len = 30 if signature == b"PK\x03\x04" else 46
            name_len = struct.unpack_from("<H", raw, at + (26 if header_len == 30 else 28))[0]
            if bytes(raw[at + header_len : at + header_len + name_len]) == encoded:
                struct.pack_into(size, raw, at + field_offset, value)
            start = at + 4
    return bytes(raw)


def test_a_good_pack_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = verify_cli(good_pack(), tmp_path, capsys)
    assert (code, err) == (0, "") and out.startswith("verified: ") and out.count("\n") == 1


def test_a_manifest_nested_very_deep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    code, out, err = verify_cli(pack([(MANIFEST_NAME, deep)]), tmp_path, capsys)
    assert_one_line_failure(code, out, err)
    assert "nested too deeply" in err


def test_a_corrupt_compressed_member(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray(good_pack())
    at = data.find(b"PK\x03\x04", data.find(b"PK\x03\x04") + 4)  # the second member's header
    start = at + 30 + len("data.csv")
    data[start : start + 4] = b"\xff\xff\xff\xff"
    code, out, err = verify_cli(bytes(data), tmp_path, capsys)
    assert_one_line_failure(code, out, err)


@pytest.mark.parametrize("target", [MANIFEST_NAME, "data.csv"])
def test_an_unknown_compression_method(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    data = _set_member_field(good_pack(), target, 8, 99, "<H")  # method 99: AE-x, unknown here
    code, out, err = verify_cli(data, tmp_path, capsys)
    assert_one_line_failure(code, out, err)
    assert target in err


@pytest.mark.parametrize("target", [MANIFEST_NAME, "data.csv"])
def test_an_encrypted_member(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    data = _set_member_field(good_pack(), target, 6, 0x1, "<H")  # general purpose bit 0
    code, out, err = verify_cli(data, tmp_path, capsys)
    assert_one_line_failure(code, out, err)
    assert target in err


def test_a_huge_manifest_is_refused_without_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 200 MiB of spaces compress to a few hundred KiB: reading it whole would take 200 MiB.
    huge = pack([(MANIFEST_NAME, b" " * (200 * 1024 * 1024))])
    tracemalloc.start()
    try:
        result = verify_pack(huge)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not result.ok and "at most" in str(result.problems[0])
    assert peak < 2 * MAX_MANIFEST_BYTES + len(huge) + 16 * 1024 * 1024
    code, out, err = verify_cli(huge, tmp_path, capsys)
    assert_one_line_failure(code, out, err)


def test_a_manifest_understating_its_size_is_still_bounded() -> None:
    data = pack([(MANIFEST_NAME, b" " * (MAX_MANIFEST_BYTES * 3))])
    lied = _set_member_field(data, MANIFEST_NAME, 22, 10, "<I")  # uncompressed size: 10
    result = verify_pack(lied)
    assert not result.ok


def test_control_characters_are_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    forged = "x\nverified: evil.zip: 9 files match\x1b[2K\r\u202e"
    members = [
        (MANIFEST_NAME, json.dumps(manifest(source=forged)).encode()),
        ("data.csv", DATA),
        (f"extra{forged}.csv", b"1"),
    ]
    code, out, err = verify_cli(pack(members), tmp_path, capsys)
    assert_one_line_failure(code, out, err)
    assert err.count("\n") == 1 and "\\x1b" in err and "\\n" in err
    # A pack that verifies prints its forged fields escaped, on one line.
    code, out, err = verify_cli(good_pack(source=forged), tmp_path, capsys)
    assert code == 0 and out.count("\n") == 1 and out.count("verified:") == 2
    assert out.startswith("verified: ") and "\x1b" not in out and "\\x1b" in out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.binary(max_size=4096)
    | st.builds(
        lambda pos, junk: good_pack()[:pos] + junk + good_pack()[pos + len(junk) :],
        st.integers(0, 700),
        st.binary(min_size=1, max_size=16),
    )
    | st.builds(
        lambda value: good_pack(files=value),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=8), inner, max_size=4)
            ),
            max_leaves=12,
        ),
    )
)
def test_verify_never_raises_and_says_one_line_per_problem(data: bytes) -> None:
    result = verify_pack(data)
    for problem in result.problems:
        text = str(problem)
        assert "\n" not in text and "\r" not in text and text == printable(text)
