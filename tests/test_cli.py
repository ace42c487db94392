import csv
import io
import json
import subprocess
import sys

import pytest

import techdomain
from techdomain.cli import main

from .conftest import TINY_LABELS, TINY_TEXTS

ADDED = ["domain_id", "domain_name", "tier", "confidence", "domain_id_2", "confidence_2", "domain_id_3", "confidence_3", "domains", "status"]


def _read(path, encoding="utf-8-sig"):
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.reader(f))


@pytest.fixture()
def abstracts(tmp_path):
    p = tmp_path / "in.csv"
    p.write_bytes(
        "id,title,abstract\n"
        "1,量子,超伝導量子ビットを用いた誤り訂正符号の実証\n"
        '2,船,"船体構造の疲労強度を評価し,\n溶接部のき裂進展を予測する"\n'
        "3,,\n"
        "4,式,=HYPERLINK(\"http://example.com\")\n".encode("cp932")
    )
    return p


def test_classify_keeps_every_row_and_column(abstracts, tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert main(["classify", str(abstracts), "-o", str(out), "--quiet"]) == 0
    rows = _read(out)
    assert rows[0] == ["id", "title", "abstract"] + ADDED
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    assert rows[1][3] == "12" and rows[1][4] == "量子" and rows[1][5] == "national_strategic"
    assert rows[2][2] == "船体構造の疲労強度を評価し,\n溶接部のき裂進展を予測する" and rows[2][3] == "1"
    assert rows[3][3] == "" and rows[3][-1] == "empty"
    assert rows[4][2] == "'=HYPERLINK(\"http://example.com\")"
    assert 0 < float(rows[1][6]) <= 1
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Japanese


def test_column_choice_is_announced(abstracts, tmp_path, capsys):
    main(["classify", str(abstracts), "-o", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert "reading text from column 'abstract'" in err and "4 rows" in err and "flagged" in err


def test_several_text_columns_are_joined(abstracts, tmp_path):
    out = tmp_path / "o.csv"
    main(["classify", str(abstracts), "-o", str(out), "--text-column", "title", "--text-column", "abstract", "--quiet"])
    assert _read(out)[3][-1] == "empty" and _read(out)[1][3] == "12"


def test_missing_column_is_a_clear_error_and_writes_nothing(abstracts, tmp_path, capsys):
    out = tmp_path / "o.csv"
    assert main(["classify", str(abstracts), "-o", str(out), "--text-column", "nope"]) == 1
    assert "no column named 'nope'" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob("*.part"))


def test_header_only_file(tmp_path):
    src = tmp_path / "h.csv"
    src.write_text("id,abstract\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["classify", str(src), "-o", str(out), "--quiet"]) == 0
    assert _read(out) == [["id", "abstract"] + ADDED]


def test_stdin_to_stdout():
    src = "abstract\n人工衛星の姿勢制御\n".encode("utf-8-sig")
    r = subprocess.run([sys.executable, "-m", "techdomain", "classify", "-", "-o", "-", "--quiet"], input=src, capture_output=True, check=True)
    rows = list(csv.reader(io.StringIO(r.stdout.decode("utf-8"))))
    assert rows[0][:2] == ["abstract", "domain_id"] and rows[1][1] == "16"


def test_jsonl_in_and_out(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text('{"id": "x", "text": "量子鍵配送"}\n{"id": "y", "text": ""}\n', encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["classify", str(src), "-o", str(out), "--quiet"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["id"] == "x" and rows[0]["domain_id"] == 12 and rows[1]["status"] == "empty"


def test_interrupted_run_leaves_no_output(abstracts, tmp_path, monkeypatch):
    import techdomain.cli as cli

    out = tmp_path / "o.csv"
    calls = {"n": 0}
    real = cli._classify_chunk

    def boom(*a, **k):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(cli, "CHUNK_ROWS", 2)
    monkeypatch.setattr(cli, "_classify_chunk", boom)
    with pytest.raises(KeyboardInterrupt):
        main(["classify", str(abstracts), "-o", str(out), "--quiet"])
    assert not out.exists() and not list(tmp_path.glob(".o.csv*"))


def test_existing_output_survives_a_failed_run(abstracts, tmp_path):
    out = tmp_path / "o.csv"
    out.write_text("previous result")
    assert main(["classify", str(abstracts), "-o", str(out), "--text-column", "nope"]) == 1
    assert out.read_text() == "previous result"


def _labelled(tmp_path, labels, name="l.csv"):
    p = tmp_path / name
    with open(p, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows(zip(TINY_TEXTS, labels))
    return p


def test_train_then_classify_with_the_model(tmp_path):
    names = {12: "量子;半導体・通信", 16: "space|13", 1: "1", 0: "none"}
    src = _labelled(tmp_path, [names[y] for y in TINY_LABELS])
    model = tmp_path / "m.npz"
    assert main(["train", str(src), "-o", str(model), "--no-seeds"]) == 0
    assert model.exists() and model.with_suffix(".md").exists()
    inp = tmp_path / "in.csv"
    inp.write_text("text\nイオントラップ量子コンピュータの研究\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["classify", str(inp), "-o", str(out), "--model", str(model), "--quiet"]) == 0
    assert _read(out)[1][1] == "12"


def test_train_with_register_stop_words(tmp_path):
    src = _labelled(tmp_path, TINY_LABELS)
    model = tmp_path / "m.npz"
    assert main(["train", str(src), "-o", str(model), "--no-seeds", "--stop-words", "register"]) == 0
    m = techdomain.load(model)
    assert m.stop_words == "register" and "研究" not in m.features_.index and "研究" in m.features_.stop_words


def test_train_with_character_ngrams(tmp_path):
    src = _labelled(tmp_path, TINY_LABELS)
    model = tmp_path / "m.npz"
    assert main(["train", str(src), "-o", str(model), "--no-seeds", "--chars", "3"]) == 0
    m = techdomain.load(model)
    assert m.chars == 3 and (m.chars_.low, m.chars_.high) == (2, 3) and m.header_["format_version"] == 4  # naive Bayes, as shipped
    assert m.label_reliability == 1.0  # no seeds: the temperature is fitted on the user's own labels
    assert "character 2- to 3-grams" in model.with_suffix(".md").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, method, strength", [
    ([], "complement_nb", ("alpha", 0.1)),
    (["--alpha", "0.3"], "complement_nb", ("alpha", 0.3)),
    (["--method", "logistic", "--C", "3"], "logistic", ("C", 3.0)),
])
def test_train_method_and_strength(tmp_path, args, method, strength):
    src = _labelled(tmp_path, TINY_LABELS)
    model = tmp_path / "m.npz"
    assert main(["train", str(src), "-o", str(model), "--no-seeds", *args]) == 0
    m = techdomain.load(model)
    assert m.method == method and getattr(m, strength[0]) == strength[1]
    assert f"- method = {method}" in model.with_suffix(".md").read_text(encoding="utf-8")


def test_train_unknown_label_names_the_row_and_writes_nothing(tmp_path, capsys):
    labels = list(TINY_LABELS)
    labels[4] = "rocketry"
    src = _labelled(tmp_path, labels)
    model = tmp_path / "m.npz"
    assert main(["train", str(src), "-o", str(model), "--no-seeds"]) == 1
    err = capsys.readouterr().err
    assert "row 6" in err and "rocketry" in err and "12/quantum/量子" in err
    assert not model.exists()


def test_evaluate_small_labelled_file(tmp_path, capsys):
    src = _labelled(tmp_path, TINY_LABELS)
    assert main(["evaluate", str(src), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)["all"]
    assert r["n"] == 12 and 0 <= r["top1"] <= 1 and len(r["confusion"]) == 17
    assert main(["evaluate", str(src)]) == 0
    assert "macro-F1" in capsys.readouterr().out
    assert main(["evaluate", str(src), "--intervals", "100", "--json"]) == 0
    lo, hi = json.loads(capsys.readouterr().out)["all"]["intervals"]["top1"]
    assert lo <= r["top1"] <= hi


def test_domains_lists_sixteen(capsys):
    assert main(["domains"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 17 and lines[12].startswith("12\tquantum\t量子")


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit):
        main(["classify", "--help"])
    assert "example:" in capsys.readouterr().out


def test_only_keeps_the_named_columns(abstracts, tmp_path):
    out = tmp_path / "o.csv"
    assert main(["classify", str(abstracts), "-o", str(out), "--quiet", "--only", "id"]) == 0
    rows = _read(out)
    assert rows[0] == ["id"] + ADDED and [r[0] for r in rows[1:]] == ["1", "2", "3", "4"] and rows[1][1] == "12"


def test_calibrate_writes_a_recalibrated_model_and_card(labelled, tmp_path, capsys):
    texts, labels = labelled
    src = tmp_path / "labelled.csv"
    with open(src, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([["abstract", "domain"], *zip(texts, labels)])
    out = tmp_path / "calibrated.npz"
    assert main(["calibrate", str(src), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"On the {len(texts)} rows" in err and "ECE" in err
    m = techdomain.load(out)
    assert m.confidence_map_.n == len(texts)
    assert (m.predict(texts) == techdomain.load().predict(texts)).all()
    card = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "not retrained" in card and f"recalibrated on {len(texts)} labelled texts" in card
    assert "never trained or tuned" not in card  # the user's file could be anything, dev.jsonl included


def test_calibrate_with_too_few_rows_says_how_many_and_writes_nothing(tmp_path, capsys):
    src = _labelled(tmp_path, TINY_LABELS)
    out = tmp_path / "calibrated.npz"
    assert main(["calibrate", str(src), "-o", str(out)]) == 1
    assert "at least 30" in capsys.readouterr().err
    assert not out.exists()
