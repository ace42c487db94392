"""The shipped model on the dev set and on the team's realistic abstracts: regression floors, and
the model card tells the truth."""

import json
import re
from pathlib import Path

import pytest

from techdomain.build import REALISTIC_SETS, measure_dev, measure_realistic
from techdomain.evaluate import evaluate

CARD = Path(__file__).resolve().parent.parent / "models" / "default" / "MODEL_CARD.md"


def _subset(rows, lang):
    sel = [r for r in rows if r["lang"] == lang]
    return [r["text"] for r in sel], [r["labels"] or [0] for r in sel]


def test_japanese_floors(model, dev_rows):
    r = evaluate(model, *_subset(dev_rows, "ja"))
    # Floors a little under what the shipped model measures (0.924 / 0.994 / 0.917 / 0.938 / 0.000;
    # ECE 0.043), so that a change to the tokenizer, features, seeds or calibration that costs
    # accuracy, or makes confidence miss issue 4's target, fails here.
    assert r["top1"] >= 0.90
    assert r["top3"] >= 0.98
    assert r["macro_f1"] >= 0.89
    assert r["none_abstained"] >= 0.75
    assert r["wrongly_abstained"] <= 0.03
    assert r["ece"] <= 0.05


def test_english_floor(model, dev_rows):
    assert evaluate(model, *_subset(dev_rows, "en"))["top1"] >= 0.85


def _card_rows_match(measured: dict) -> None:
    card = CARD.read_text(encoding="utf-8")
    for name in measured:
        row = re.search(rf"^\| {name} \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|", card, re.M)
        assert row, f"no '{name}' row in {CARD.name}"
        n, top1, top1_l, top3, f1 = row.groups()
        r = measured[name]
        assert int(n) == r["n"]
        assert [float(top1), float(top3), float(f1)] == pytest.approx([r["top1"], r["top3"], r["macro_f1"]], abs=6e-4)


def test_model_card_figures_are_current(model, dev_rows):
    _card_rows_match(measure_dev(model))


@pytest.mark.parametrize("name", sorted(REALISTIC_SETS))
def test_realistic_set_is_well_formed(name):
    rows = [json.loads(line) for line in REALISTIC_SETS[name].read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 368
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["lang"] in ("ja", "en") and r["style"] in ("kaken", "patent", "press") and r["text"].strip()
        for field in ("labels", "writer_labels"):
            # main first, at most one second, never 0 ([] means none of the 16), no repeats
            assert len(r[field]) <= 2 and len(set(r[field])) == len(r[field])
            assert all(1 <= d <= 16 for d in r[field])


def test_realistic_floors(model):
    r = measure_realistic(model)
    # A little under what the shipped model measures (set 1: ja 0.953 / 1.000 / 0.958, ECE 0.021,
    # en 0.917; set 2: ja 0.963 / 1.000 / 0.959, ECE 0.006, en 0.986).
    for name in REALISTIC_SETS:
        ja, en = r[f"{name} ja annotators"], r[f"{name} en annotators"]
        assert ja["top1"] >= 0.93 and ja["top3"] >= 0.98 and ja["macro_f1"] >= 0.93, name
        assert ja["wrongly_abstained"] <= 0.03 and ja["ece"] <= 0.05, name
        assert en["top1"] >= 0.85, name


def test_model_card_realistic_figures_are_current(model):
    _card_rows_match(measure_realistic(model))
