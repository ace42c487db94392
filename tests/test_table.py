import io

import pytest

from techdomain import InputFormatError
from techdomain.table import defuse, detect_encoding, open_table, pick_text_columns


def _rows(path, **kw):
    with open_table(str(path), **kw) as t:
        return t.header, [(r.cells, r.problem) for r in t.rows], t.encoding


@pytest.mark.parametrize(
    "encoding, expected",
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp932", "cp932"), ("utf-16", "utf-16")],
)
def test_encodings_are_detected(tmp_path, encoding, expected):
    p = tmp_path / "a.csv"
    p.write_bytes("id,要約\n1,量子ビットの制御①\n2,船体構造\n".encode(encoding))
    header, rows, enc = _rows(p)
    assert enc == expected
    assert header == ["id", "要約"]
    assert [c for c, _ in rows] == [["1", "量子ビットの制御①"], ["2", "船体構造"]]


def test_detect_encoding_on_a_cut_multibyte_sample():
    data = "量子".encode("utf-8")
    assert detect_encoding(data[:-1]) == "utf-8"


def test_quoted_newlines_and_commas(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text('id,abstract\n1,"line one,\nline two ""quoted"""\n2,x\n', encoding="utf-8")
    _, rows, _ = _rows(p)
    assert rows[0][0] == ["1", 'line one,\nline two "quoted"']
    assert len(rows) == 2


def test_ragged_rows_are_flagged_not_lost(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("a,b,c\n1,2\n1,2,3,4,5\n", encoding="utf-8")
    _, rows, _ = _rows(p)
    assert rows[0] == (["1", "2", ""], "warning: ragged row, 2 fields for 3 columns")
    assert rows[1][0] == ["1", "2", "3"] and "extra fields: 4 | 5" in rows[1][1]


def test_invalid_bytes_flag_the_row(tmp_path):
    p = tmp_path / "b.csv"
    p.write_bytes(b"id,text\n1,ok\n2,\xff\xfe\xfa bad\n3,fine\n")
    _, rows, _ = _rows(p, encoding="utf-8")
    assert [r[1] for r in rows] == ["", "error: bytes that are not valid utf-8", ""]
    assert "\ufffd" in rows[1][0][1]


def test_nul_bytes(tmp_path):
    p = tmp_path / "n.csv"
    p.write_bytes(b"id,text\n1,ab\x00c\n")
    assert _rows(p)[1] == [(["1", "abc"], "")]


def test_unterminated_quote_is_one_clear_error(tmp_path):
    p = tmp_path / "u.csv"
    p.write_text('id,text\n1,"never closed\n2,x\n', encoding="utf-8")
    with pytest.raises(InputFormatError, match="never closed"):
        _rows(p)


def test_empty_file(tmp_path):
    p = tmp_path / "e.csv"
    p.write_bytes(b"")
    with pytest.raises(InputFormatError, match="no header"):
        _rows(p)


def test_unknown_encoding(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("a\n1\n")
    with pytest.raises(InputFormatError, match="unknown encoding"):
        _rows(p, encoding="klingon")


def test_jsonl(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text('{"id": 1, "text": "量子", "labels": [12]}\nnot json\n\n{"id": 2, "text": null}\n', encoding="utf-8")
    header, rows, _ = _rows(p)
    assert header == ["id", "text", "labels"]
    assert rows[0] == (["1", "量子", "[12]"], "")
    assert rows[1][1].startswith("error: invalid JSON")
    assert rows[2] == (["2", "", ""], "")


@pytest.mark.parametrize(
    "header, wanted, expected",
    [(["id", "Abstract"], None, [1]), (["研究課題名", "研究概要"], None, [1]), (["ID", "ＴＥＸＴ"], None, [1]),
     (["t", "a"], ["a", "t"], [1, 0])],
)  # fmt: skip
def test_pick_text_columns(header, wanted, expected):
    assert pick_text_columns(header, wanted) == expected


def test_missing_column_lists_the_columns():
    with pytest.raises(InputFormatError, match="'id', 'name'"):
        pick_text_columns(["id", "name"], None)
    with pytest.raises(InputFormatError, match="no column named 'abstract'"):
        pick_text_columns(["id", "name"], ["abstract"])


def test_duplicate_column_names_are_ambiguous():
    with pytest.raises(InputFormatError, match="2 columns are named"):
        pick_text_columns(["text", "text"], ["text"])


@pytest.mark.parametrize(
    "cell, expected",
    [("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+2", "'+1+2"), ("@SUM(A1)", "'@SUM(A1)"),
     ("-5", "-5"), ("+81", "+81"), ("3.5%", "3.5%"), ("- 箇条書き", "'- 箇条書き"), ("量子", "量子"), ("", "")],
)  # fmt: skip
def test_defuse_formulas(cell, expected):
    assert defuse(cell) == expected
