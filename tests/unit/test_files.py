"""Uploaded files as node inputs: the reference in a graph, its encoding, and the local
file a runner makes of it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec
import pytest

from psynapse_common import codec, files
from psynapse_common.blobs import files_in, names_in
from psynapse_common.conversion import ConversionError, convert

DATA = b"name,count\na,1\n"
SHA = hashlib.sha256(DATA).hexdigest()
REF = {"psynapse_file": SHA, "name": "table.csv", "size": len(DATA)}


def test_a_reference_travels_as_a_file_and_shows_as_the_reference():
    raw = codec.encode_given(REF)
    assert codec.show(raw) == REF
    assert [ref.psynapse_file for ref in files_in(raw)] == [SHA]
    assert names_in(raw) == []  # not a value blob: only runners fetch it, never the gateway
    assert codec.encode_given({"a": 1}) == codec.encode({"a": 1})


@pytest.mark.parametrize(
    "value",
    [
        {**REF, "extra": 1},
        {**REF, "psynapse_file": "not-a-hash"},
        {**REF, "size": -1},
        {**REF, "size": True},
        {"psynapse_file": SHA, "name": "x"},
    ],
)
def test_only_an_exact_reference_is_a_file(value):
    assert files.as_ref(value) is None
    assert codec.show(codec.encode_given(value)) == value


def test_a_runner_gets_a_local_read_only_file(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "root", lambda: tmp_path)
    path = codec.decode(codec.encode_given(REF), {SHA: DATA})
    assert isinstance(path, Path)
    assert path == tmp_path / SHA / "table.csv"
    assert path.read_bytes() == DATA
    assert not path.stat().st_mode & 0o222
    assert codec.decode(codec.encode_given(REF), {SHA: DATA}) == path  # written once, then shared
    assert [p.name for p in (tmp_path / SHA).iterdir()] == ["table.csv"]
    # Only a whole input is a file: a reference inside other JSON stays JSON.
    assert codec.decode(codec.encode_given({"x": REF})) == {"x": REF}


def test_a_file_gone_from_the_store_is_an_error_that_says_what_to_do():
    raw = codec.encode_given(REF)
    for blobs in ({}, {"other": b""}):
        with pytest.raises(ValueError, match="'table.csv' is no longer in the object store.*upload it again"):
            codec.decode(raw, blobs)


@pytest.mark.parametrize(
    ("filename", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\data.csv", "data.csv"),
        ("..", "upload"),
        ("a b;c.txt", "a b_c.txt"),
    ],
)
def test_file_names_cannot_leave_their_folder(filename, safe):
    assert files.safe_name(filename) == safe


def test_path_inputs_convert_text_and_refuse_other_values(tmp_path):
    assert convert(str(tmp_path), Path) == tmp_path
    assert convert(tmp_path, Path) is tmp_path
    assert convert(None, Path | None) is None
    assert convert("x.txt", Path | None) == Path("x.txt")
    assert convert(tmp_path, str) == str(tmp_path)
    with pytest.raises(ConversionError, match="expected a file"):
        convert(3, Path)
    with pytest.raises(ConversionError, match="expected a file"):
        convert("", Path)


def test_the_reference_struct_is_what_post_files_answers():
    ref = files.FileRef(psynapse_file=SHA, name="table.csv", size=len(DATA))
    assert msgspec.json.decode(msgspec.json.encode(ref)) == REF == ref.jsonable()
