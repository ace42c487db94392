import numpy as np
import pytest

import techdomain
from techdomain.build import train_model, write_card
from techdomain.confidence import MIN_EXAMPLES, fit_map
from techdomain.seeds import load_seeds


@pytest.fixture(scope="module")
def examples() -> tuple[list[str], list[int]]:
    """60 exemplars of six domains, every other one glued to an exemplar of another of them."""
    corpus = load_seeds()
    by_class: dict[int, list[str]] = {}
    for t, y, s in zip(corpus.texts, corpus.labels, corpus.sources):
        if "/examples.ja" in s and y in (1, 4, 7, 11, 12, 16):
            by_class.setdefault(y, []).append(t)
    texts, labels = [], []
    for k, (y, rows) in enumerate(sorted(by_class.items())):
        other = sorted(by_class)[(k + 1) % len(by_class)]
        for i, t in enumerate(rows[:10]):
            texts.append(t + by_class[other][20 + i] if i % 2 else t)
            labels.append(y)
    return texts, labels


def test_retraining_recalibrates_on_the_users_out_of_fold_predictions(examples, tmp_path):
    texts, labels = examples
    model, corpus = train_model(texts, labels, seeds=False)
    assert corpus is None
    cmap = model.confidence_map_
    assert cmap is not None and cmap.n == len(texts)
    # The map is the one fit_confidence would give on those same out-of-fold predictions.
    rows, main, proba = model._oof
    assert (main == np.array(labels)[rows]).all()
    right = model.all_classes_[proba.argmax(axis=1)] == main
    assert 0 < right.mean() < 1
    assert fit_map(proba.max(axis=1), right) == cmap
    model.save(tmp_path / "m.npz")
    write_card(model, tmp_path / "m.md", None, user_file="mine.csv", user_rows=len(texts))
    card = (tmp_path / "m.md").read_text(encoding="utf-8")
    assert f"out-of-fold predictions of the {len(texts)} labelled examples from `mine.csv`" in card
    assert "never trained or tuned" not in card
    assert techdomain.load(tmp_path / "m.npz").confidence_map_ == cmap
    # A label reliability beside a map is recorded, and said not to apply.
    write_card(model.set_params(label_reliability=0.98), tmp_path / "r.md", None, user_file="mine.csv", user_rows=len(texts))
    line = next(x for x in (tmp_path / "r.md").read_text(encoding="utf-8").splitlines() if "label reliability" in x)
    assert "0.98" in line and "not applied" in line


def test_too_few_examples_or_no_calibration_leave_the_confidence_alone(examples):
    texts, labels = examples
    few, _ = train_model(texts[: MIN_EXAMPLES - 1], labels[: MIN_EXAMPLES - 1], seeds=False)
    assert few.confidence_map_ is None
    off, _ = train_model(texts, labels, seeds=False, calibrate=False)
    assert off.confidence_map_ is None and off.temperature_ == 1.0


def test_out_of_fold_predictions_are_not_pickled(examples):
    import pickle

    model, _ = train_model(*examples, seeds=False)
    assert model._oof is not None
    assert "_oof" not in pickle.loads(pickle.dumps(model)).__dict__


def test_the_public_train_is_train_model(examples):
    texts, labels = examples
    model = techdomain.train(texts, labels, seeds=False)
    same, _ = train_model(texts, labels, seeds=False)
    np.testing.assert_allclose(model.predict_proba(texts[:5]), same.predict_proba(texts[:5]))
    assert model.confidence_map_ == same.confidence_map_ is not None


def test_the_C_search_scores_exemplars_only(tiny_model):
    from techdomain.build import _ExemplarAccuracy

    scorer = _ExemplarAccuracy(frozenset({"超伝導量子ビットの誤り訂正", "人工衛星の姿勢制御"}))
    # The two exemplars are labelled right, the term wrong: only the exemplars count.
    assert scorer(tiny_model, ["超伝導量子ビットの誤り訂正", "人工衛星の姿勢制御", "量子ビット"], [12, 16, 1]) == 1.0
    assert scorer(tiny_model, ["超伝導量子ビットの誤り訂正", "人工衛星の姿勢制御", "量子ビット"], [12, 1, 1]) == 0.5


def test_retraining_follows_the_shipped_method_unless_told(examples):
    from techdomain.build import shipped_params

    texts, labels = examples
    shipped = shipped_params()
    assert shipped["method"] == techdomain.load().method == "complement_nb"
    assert shipped["alpha"] == techdomain.load().alpha
    assert techdomain.train(texts, labels, seeds=False).method == "complement_nb"
    lr = techdomain.train(texts, labels, seeds=False, method="logistic")
    assert lr.method == "logistic" and lr.C == shipped["C"]


def test_the_shipped_label_reliability_is_what_the_realistic_sets_give():
    from techdomain.build import label_reliability, shipped_params

    measured = label_reliability()
    if measured is None:
        pytest.skip("the realistic sets are not here (an installed package)")
    assert 0.95 < measured < 1.0
    assert shipped_params()["label_reliability"] == measured  # rebuild with python -m techdomain.build


def test_retraining_with_the_seeds_keeps_the_shipped_label_reliability(examples, monkeypatch):
    from techdomain import build
    from techdomain.seeds import SeedCorpus

    texts, labels = examples
    few = SeedCorpus(texts[::2], labels[::2], ["x"] * len(texts[::2]), "")  # stands in for the seeds: fast
    monkeypatch.setattr(build, "load_seeds", lambda: few)
    with_seeds, _ = train_model(texts[1::2], labels[1::2], seeds=True, calibrate=False)
    without, _ = train_model(texts[1::2], labels[1::2], seeds=False, calibrate=False)
    assert with_seeds.label_reliability == build.shipped_params()["label_reliability"] < 1.0
    assert without.label_reliability == 1.0
