import numpy as np
import pytest
from sklearn.base import clone

import techdomain
from techdomain import TrainingDataError
from techdomain.confidence import MIN_EXAMPLES, ConfidenceMap, apply_map, fit_map
from techdomain.evaluate import expected_calibration_error
from techdomain.modelfile import read_header

from .conftest import TINY_LABELS, TINY_TEXTS


def _random_rows(rng, n=500, k=17):
    p = rng.dirichlet(np.full(k, 0.3), size=n)
    p[:5] = 1.0 / k  # rows where nothing was recognised
    return p


@pytest.mark.parametrize("slope,intercept", [(0.5, -1.0), (1.0, 0.0), (2.0, 1.5), (0.05, -4.0), (8.0, 3.0)])
def test_apply_map_keeps_decisions_and_sums(slope, intercept):
    p = _random_rows(np.random.default_rng(0))
    q = apply_map(p, ConfidenceMap(slope, intercept, 100))
    np.testing.assert_allclose(q.sum(axis=1), 1.0, atol=1e-9)
    assert (q >= 0).all()
    assert (q[5:].argmax(axis=1) == p[5:].argmax(axis=1)).all()
    np.testing.assert_array_equal(q[:5], p[:5])


def test_apply_map_gives_the_fitted_curve_when_the_runner_up_is_far_behind():
    p = np.array([[0.9, 0.06, 0.04], [0.6, 0.25, 0.15]])
    q = apply_map(p, ConfidenceMap(1.0, -0.5, 100))
    logit = np.log(p[:, 0] / (1 - p[:, 0]))
    np.testing.assert_allclose(q[:, 0], 1 / (1 + np.exp(-(logit - 0.5))))
    # The rest keep their proportions.
    np.testing.assert_allclose(q[:, 1] / q[:, 2], p[:, 1] / p[:, 2])


def test_fit_map_recovers_a_known_curve():
    rng = np.random.default_rng(1)
    conf = rng.uniform(0.2, 0.999, 20000)
    logit = np.log(conf / (1 - conf))
    right = rng.random(len(conf)) < 1 / (1 + np.exp(-(0.7 * logit - 0.5)))
    cmap = fit_map(conf, right)
    assert cmap.slope == pytest.approx(0.7, abs=0.05)
    assert cmap.intercept == pytest.approx(-0.5, abs=0.08)
    assert cmap.n == len(conf)


@pytest.mark.parametrize(
    "conf,right,message",
    [
        (np.full(MIN_EXAMPLES - 1, 0.9), np.arange(MIN_EXAMPLES - 1) % 2 == 0, "too few"),
        (np.linspace(0.5, 0.99, 40), np.ones(40, bool), "every"),
        (np.linspace(0.5, 0.99, 40), np.zeros(40, bool), "none"),
        (np.linspace(0.5, 0.99, 40), np.arange(40) < 20, "upside down"),
    ],
)
def test_fit_map_refuses_what_cannot_calibrate(conf, right, message):
    with pytest.raises(TrainingDataError, match=message):
        fit_map(conf, right)


def test_fit_confidence_makes_mean_confidence_match_accuracy(model, labelled):
    texts, labels = labelled
    # A copy of its own (these tests change it), with confidence as trained on the seeds: what the map is fitted to.
    m = techdomain.load().set_params(label_reliability=1.0)
    before = m.decide(texts)
    right = before.main == np.array(labels)
    assert before.confidence.mean() - right.mean() > 0.1  # overconfident, as built
    m.fit_confidence(texts, labels)
    after = m.decide(texts)
    assert (after.main == before.main).all()
    # The fitted curve matches accuracy in the large (a property of the logistic fit's optimum) ...
    cmap = m.confidence_map_
    c = np.clip(before.confidence, 1e-9, 1 - 1e-9)  # as the map clips: naive Bayes gives 1 - 1e-12 and beyond
    curve = 1 / (1 + np.exp(-(cmap.slope * np.log(c / (1 - c)) + cmap.intercept)))
    assert curve.mean() == pytest.approx(right.mean(), abs=0.005)
    # ... and a row departs from it only upwards, where the runner-up would otherwise overtake the top.
    assert (after.confidence >= curve - 1e-9).all()
    assert abs(after.confidence.mean() - right.mean()) < 0.25 * (before.confidence.mean() - right.mean())
    assert expected_calibration_error(after.confidence, right) < expected_calibration_error(before.confidence, right)
    # Refitting starts from the model as trained, not from the map just fitted.
    again = m.fit_confidence(texts, labels).confidence_map_
    assert again == m.confidence_map_ and again.n == len(texts)


def test_failed_fit_confidence_keeps_the_earlier_map(model, labelled):
    texts, labels = labelled
    m = techdomain.load()  # a copy of its own: these tests change it
    m.fit_confidence(texts, labels)
    kept = m.confidence_map_
    with pytest.raises(TrainingDataError, match="too few"):
        m.fit_confidence(texts[:5], labels[:5])
    assert m.confidence_map_ == kept


def test_refitting_forgets_the_map(tiny_model):
    m = clone(tiny_model).fit(TINY_TEXTS, TINY_LABELS)
    m.confidence_map_ = ConfidenceMap(0.5, 0.0, 50)
    assert m.fit(TINY_TEXTS, TINY_LABELS).confidence_map_ is None


def test_the_map_round_trips_and_marks_the_file(tiny_model, tmp_path):
    m = clone(tiny_model).fit(["量子ビット", "ロケット", "史料"] * 2, [12, 16, 0] * 2)
    m.save(tmp_path / "plain.npz")
    m.confidence_map_ = ConfidenceMap(0.6, -0.3, 77)
    m.save(tmp_path / "mapped.npz")
    assert read_header(tmp_path / "mapped.npz")["confidence_map"] == {"slope": 0.6, "intercept": -0.3, "n": 77}
    back = techdomain.load(tmp_path / "mapped.npz")
    assert back.confidence_map_ == ConfidenceMap(0.6, -0.3, 77)
    texts = ["量子ビットの研究", "ロケットの燃焼", "史料の調査"]
    np.testing.assert_allclose(back.predict_proba(texts), m.predict_proba(texts), rtol=1e-5)
    assert techdomain.load(tmp_path / "plain.npz").confidence_map_ is None


def test_calibrating_on_half_the_dev_set_lowers_ece_on_the_other_half(dev_rows):
    texts = [r["text"] for r in dev_rows]
    labels = [r["labels"] or [0] for r in dev_rows]
    # Confidence as fitted on seed text (label_reliability 1), which runs high on abstracts.
    seed_fitted = techdomain.load().set_params(label_reliability=1.0)
    m = techdomain.load().set_params(label_reliability=1.0).fit_confidence(texts[0::2], labels[0::2])
    truth = np.array([ls[0] for ls in labels[1::2]])
    before, after = seed_fitted.decide(texts[1::2]), m.decide(texts[1::2])
    assert (before.main == after.main).all()
    ece_before = expected_calibration_error(before.confidence, before.main == truth)
    ece_after = expected_calibration_error(after.confidence, after.main == truth)
    assert ece_after < ece_before


def test_a_map_replaces_the_label_reliability_mix(labelled):
    texts, labels = labelled
    shipped = techdomain.load()
    assert shipped.label_reliability < 1.0
    as_trained = techdomain.load().set_params(label_reliability=1.0)
    # Fitted to the probabilities as trained, so the same map either way ...
    assert shipped.fit_confidence(texts, labels).confidence_map_ == as_trained.fit_confidence(texts, labels).confidence_map_
    # ... and applied to them instead of the mix.
    np.testing.assert_allclose(shipped.predict_proba(texts), as_trained.predict_proba(texts))
