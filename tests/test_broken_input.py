"""Broken CSVs: each gives flagged rows with the row count kept, or one clear error and no output."""

import csv

import pytest

from techdomain.cli import main


def _run(tmp_path, data: bytes, *extra):
    src = tmp_path / "in.csv"
    src.write_bytes(data)
    out = tmp_path / "out.csv"
    rc = main(["classify", str(src), "-o", str(out), "--quiet", *extra])
    rows = list(csv.reader(open(out, encoding="utf-8-sig", newline=""))) if out.exists() else None
    return rc, rows


CP932 = "id,abstract\n1,量子ビットの制御\n2,船体構造の疲労\n".encode("cp932")


@pytest.mark.parametrize(
    "name, data, extra, n_rows, statuses",
    [
        ("wrong encoding declared", CP932, ["--encoding", "utf-8"], 2, ["error: bytes that are not valid utf-8"] * 2),
        ("bytes invalid in every encoding", b"id,abstract\n1,\x80\x81\xff\xfe\n2,ok text\n", [], 2,
         ["error: bytes that are not valid utf-8", ""]),
        ("ragged rows", "id,abstract\n1\n2,量子,extra\n".encode(), [], 2,
         ["empty; warning: ragged row, 1 fields for 2 columns", "error: ragged row, 3 fields for 2 columns; extra fields: extra"]),
        ("NUL byte", b"id,abstract\n1,\xe9\x87\x8f\xe5\xad\x90\x00\xe3\x83\x93\xe3\x83\x83\xe3\x83\x88\n", [], 1, [""]),
        ("header only", b"id,abstract\n", [], 0, []),
        ("row of 100,000 empty fields", b"id,abstract\n" + b"," * 99_999 + b"\n", [], 1, None),
        ("field over 128 KiB", ("id,abstract\n1," + "量子" * 70_000 + "\n").encode(), [], 1, ["truncated: 140000 characters, first 20000 classified"]),
        ("blank lines", b"id,abstract\n\n1,x\n\n", [], 3, ["empty", "", "empty"]),
    ],
)  # fmt: skip
def test_flagged_rows_keep_the_count(tmp_path, name, data, extra, n_rows, statuses):
    rc, rows = _run(tmp_path, data, *extra)
    assert rc == 0, name
    assert len(rows) == n_rows + 1
    if statuses is not None:
        assert [r[-1] for r in rows[1:]] == statuses
    else:
        assert rows[1][-1].startswith("error: ragged row, 100000 fields")


@pytest.mark.parametrize(
    "name, data, extra, message",
    [
        ("unterminated quote", b'id,abstract\n1,"never closed\n2,x\n', [], "never closed"),
        ("empty file", b"", [], "no header row"),
        ("undecodable header", "研究,要約\n".encode("cp932"), ["--encoding", "utf-8"], "header row does not decode"),
        ("duplicate column names", b"abstract,abstract\nx,y\n", ["--text-column", "abstract"], "2 columns are named"),
        ("unknown encoding", b"a\n", ["--encoding", "nope"], "unknown encoding"),
    ],
)
def test_one_clear_error_and_no_output(tmp_path, capsys, name, data, extra, message):
    rc, rows = _run(tmp_path, data, *extra)
    assert rc == 1 and rows is None, name
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob(".out.csv*"))


def test_duplicate_column_names_are_kept_in_the_output(tmp_path):
    rc, rows = _run(tmp_path, b"note,abstract,note\na,\xe9\x87\x8f\xe5\xad\x90,b\n")
    assert rc == 0 and rows[0][:3] == ["note", "abstract", "note"] and rows[1][:3] == ["a", "量子", "b"]


def test_formula_cells_are_defused_unless_asked(tmp_path):
    data = b'id,abstract\n=1+2,"=HYPERLINK(""http://x"",""y"")"\n'
    assert _run(tmp_path, data)[1][1][:2] == ["'=1+2", "'=HYPERLINK(\"http://x\",\"y\")"]
    assert _run(tmp_path, data, "--keep-formulas")[1][1][:2] == ["=1+2", "=HYPERLINK(\"http://x\",\"y\")"]


def test_rerunning_on_an_output_file_prefixes_the_new_columns(tmp_path):
    rc, rows = _run(tmp_path, "abstract\n量子ビット\n".encode())
    src2 = tmp_path / "again.csv"
    src2.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    out2 = tmp_path / "out2.csv"
    assert main(["classify", str(src2), "-o", str(out2), "--quiet", "--text-column", "abstract"]) == 0
    header = next(csv.reader(open(out2, encoding="utf-8-sig")))
    assert header.count("domain_id") == 1 and "td_domain_id" in header
