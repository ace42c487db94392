import dataclasses

import numpy as np
import pytest

from techdomain.classifier import Decisions
from techdomain.evaluate import evaluate, expected_calibration_error, format_report, label_set_figures


class _Fixed:
    """A stand-in model whose decisions are given, so the figures can be worked out by hand."""

    def __init__(self, decisions: Decisions):
        self.decisions = decisions

    def decide(self, texts, top_k=3):
        return self.decisions


def _model():
    # Four texts: one right with the right second domain, one right with a wrong second domain,
    # one wrong, one 'none' text abstained.
    return _Fixed(Decisions(
        main=np.array([7, 12, 5, 0]),
        confidence=np.array([0.9, 0.8, 0.6, 0.7]),
        ranked_ids=np.array([[7, 11, 14], [12, 13, 3], [5, 8, 1], [4, 6, 9]]),
        ranked_proba=np.array([[0.6, 0.3, 0.1], [0.7, 0.2, 0.1], [0.5, 0.4, 0.1], [0.4, 0.3, 0.3]]),
        assigned=np.array([[True, True, False], [True, True, False], [True, False, False], [False, False, False]]),
    ))


def test_single_label_figures():
    r = evaluate(_model(), ["a", "b", "c", "d"], [[7, 11], [12], [8, 5], [0]])
    assert r["top1"] == 0.75 and r["top1_labelled"] == pytest.approx(2 / 3)
    assert r["top3"] == 1.0  # 8 is ranked second for the third text
    assert r["none_abstained"] == 1.0 and r["wrongly_abstained"] == 0.0


def test_label_set_figures_count_every_assigned_and_every_true_domain():
    r = evaluate(_model(), ["a", "b", "c", "d"], [[7, 11], [12], [8, 5], [0]])
    # Assigned {7, 11}, {12, 13}, {5}; true {7, 11}, {12}, {8, 5}: 4 hits of 5 assigned and 5 true.
    assert r["label_set_precision"] == pytest.approx(4 / 5)
    assert r["label_set_recall"] == pytest.approx(4 / 5)
    assert r["label_set_f1"] == pytest.approx(0.8)
    assert (r["multi_assigned"], r["multi_true"]) == (2, 2)
    assert "label-set precision 0.800" in format_report({"all": r})
    # The same from the sets alone, as the seed-agreement benchmark calls it.
    direct = label_set_figures([{7, 11}, {12, 13}, {5}], [{7, 11}, {12}, {8, 5}])
    assert direct == {"precision": 0.8, "recall": 0.8, "f1": 0.8, "multi_assigned": 2, "multi_true": 2}


@pytest.mark.parametrize(
    "confidence, correct, expected",
    [([0.95, 0.95], [True, False], 0.45), ([0.55, 0.55, 0.95, 0.95], [True, False, True, True], 0.05)],
)
def test_expected_calibration_error(confidence, correct, expected):
    assert expected_calibration_error(np.array(confidence), np.array(correct)) == pytest.approx(expected)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_domain_scores_match_scikit_learn(seed):
    from sklearn.metrics import precision_recall_fscore_support

    from techdomain.evaluate import _domain_scores

    rng = np.random.default_rng(seed)
    main, pred = rng.integers(0, 17, 60), rng.integers(0, 17, 60)  # 0 (none) in both, some domains absent
    ours = _domain_scores(main, pred)
    theirs = precision_recall_fscore_support(main, pred, labels=list(range(1, 17)), zero_division=0)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b)


def _repeated(k: int) -> tuple[_Fixed, list[str], list[list[int]]]:
    """The four-text model's decisions repeated k times."""
    d = _model().decisions
    rep = Decisions(**{f.name: np.concatenate([getattr(d, f.name)] * k) for f in dataclasses.fields(d)})
    return _Fixed(rep), ["x"] * (4 * k), [[7, 11], [12], [8, 5], [0]] * k


def test_intervals_bracket_the_figure_and_narrow_with_more_items():
    small = evaluate(*_repeated(5), intervals=300)
    large = evaluate(*_repeated(50), intervals=300)
    for r in (small, large):
        lo, hi = r["intervals"]["top1"]
        assert lo <= r["top1"] <= hi and lo < hi
    width = large["intervals"]["top1"][1] - large["intervals"]["top1"][0]
    assert width < 0.5 * (small["intervals"]["top1"][1] - small["intervals"]["top1"][0])
    assert "worst_domain_top1" not in small["intervals"]  # no honest bootstrap interval for a minimum
    assert evaluate(*_repeated(5), intervals=300)["intervals"] == small["intervals"]  # fixed seed


def test_intervals_collapse_when_every_item_agrees():
    r = evaluate(*_repeated(5), intervals=200)
    assert r["intervals"]["wrongly_abstained"] == [0.0, 0.0]  # no labelled text is ever abstained
    assert r["intervals"]["top3"] == [1.0, 1.0]


def test_report_shows_intervals_only_when_asked():
    with_ = format_report({"all": evaluate(*_repeated(5), intervals=200)})
    without = format_report({"all": evaluate(*_repeated(5))})
    assert "top-1 0.750 [" in with_ and "95% bootstrap interval" in with_
    assert "[" not in without.split("\n\n")[0]
