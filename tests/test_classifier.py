import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from techdomain import DomainClassifier, NotFittedError, Prediction, TrainingDataError

from .conftest import TINY_LABELS, TINY_TEXTS


def test_init_only_stores_parameters():
    clf = DomainClassifier(C=3.0, ngram=1)
    assert clf.get_params()["C"] == 3.0 and clf.get_params()["ngram"] == 1
    assert not [k for k in vars(clf) if k.endswith("_")]


def test_clone_is_unfitted_with_the_same_parameters(tiny_model):
    c = clone(tiny_model)
    assert c.get_params() == tiny_model.get_params()
    with pytest.raises(NotFittedError):
        c.predict(["量子"])


def test_fit_returns_self_and_sets_learned_state():
    clf = DomainClassifier(calibrate=False)
    assert clf.fit(TINY_TEXTS, TINY_LABELS) is clf
    assert clf.classes_.tolist() == [1, 12, 16]
    assert clf.all_classes_.tolist() == [0, 1, 12, 16]


def test_shapes_and_probabilities(tiny_model):
    X = ["量子ビットの制御", "ロケットの燃焼", "", "文学"]
    p = tiny_model.predict_proba(X)
    assert p.shape == (4, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert tiny_model.decision_function(X).shape == (4, 3)
    assert tiny_model.predict(X).tolist()[:2] == [12, 16]
    assert tiny_model.predict([""]).tolist() == [0]  # nothing to read: abstain


def test_proba_columns_follow_classes(tiny_model):
    p = tiny_model.predict_proba(["イオントラップ量子コンピュータ"])[0]
    assert tiny_model.classes_[p.argmax()] == 12


def test_labels_as_slugs_and_names_give_the_same_model(tiny_model):
    names = {12: "量子", 16: "space", 1: "造船", 0: "none"}
    other = DomainClassifier(calibrate=False).fit(TINY_TEXTS, [names[y] for y in TINY_LABELS])
    np.testing.assert_allclose(other.predict_proba(TINY_TEXTS), tiny_model.predict_proba(TINY_TEXTS))


def test_pipeline_and_cross_val_score():
    pipe = Pipeline([("strip", FunctionTransformer(lambda xs: [x.strip() for x in xs])), ("clf", DomainClassifier(calibrate=False))])
    scores = cross_val_score(pipe, TINY_TEXTS * 2, TINY_LABELS * 2, cv=2)
    assert scores.shape == (2,) and (scores >= 0.5).all()


def test_calibration_fits_a_temperature():
    clf = DomainClassifier().fit(TINY_TEXTS * 3, TINY_LABELS * 3)
    assert 0.05 <= clf.temperature_ <= 5.0


def test_classify_and_rank(tiny_model):
    preds = tiny_model.classify("超伝導量子ビットの誤り訂正")
    assert isinstance(preds[0], Prediction) and preds[0].domain.id == 12
    assert 0 < preds[0].score <= 1
    ranked = tiny_model.rank("超伝導量子ビットの誤り訂正", 3)
    assert [p.domain.id for p in ranked][0] == 12 and len(ranked) == 3
    assert tiny_model.classify("") == []


def test_classify_many_matches_classify(tiny_model):
    texts = ["量子鍵配送", "人工衛星", "史料"]
    assert tiny_model.classify_many(texts) == [tiny_model.classify(t) for t in texts]


def test_multilabel_secondary_domains(tiny_model):
    clf = clone(tiny_model).set_params(secondary_ratio=0.0, secondary_evidence=None)
    clf.fit(TINY_TEXTS, TINY_LABELS)
    assert len(clf.classify("量子ビットを人工衛星に搭載", top_k=3)) == 3
    clf.set_params(secondary_ratio=1.0)
    assert len(clf.classify("量子ビットを人工衛星に搭載", top_k=3)) == 1


def test_evidence_is_the_sum_of_the_terms_speaking_for_a_domain(tiny_model):
    text = "量子ビットを人工衛星に搭載する造船所"
    _, order, evidence = tiny_model._decide_chunk([text], top_k=3)
    x = tiny_model.features_.transform([tiny_model._tokenize([text])[0]]).toarray()[0]
    cols = tiny_model._domain_cols[order[0]]
    expected = [(x * np.maximum(tiny_model.coef_[c], 0)).sum() for c in cols]
    np.testing.assert_allclose(evidence[0], expected, rtol=1e-5)
    assert (evidence[0] > 0).all()


def test_the_evidence_rule_adds_a_domain_the_probability_rule_misses(tiny_model):
    text = "量子ビットを人工衛星に搭載"
    clf = clone(tiny_model).set_params(secondary_ratio=1.0, secondary_evidence=None).fit(TINY_TEXTS, TINY_LABELS)
    assert len(clf.classify(text)) == 1
    _, _, evidence = clf.set_params(secondary_evidence=1.0)._decide_chunk([text], top_k=2)  # weighed only when on
    share = evidence[0, 1] / evidence[0, 0]
    assert 0 < share < 1
    clf.set_params(secondary_evidence=share * 0.99)
    assert [p.domain for p in clf.classify(text, top_k=2)] == [p.domain for p in clf.rank(text, 2)]
    clf.set_params(secondary_evidence=share * 1.01)
    assert len(clf.classify(text, top_k=2)) == 1


def test_explain_shows_surface_forms(tiny_model):
    terms = tiny_model.explain("超伝導量子ビットを用いた誤り訂正", domain="quantum", n=5)
    assert terms and all(t.weight > 0 for t in terms)
    assert any("量子ビット" in t.term or "誤り訂正" in t.term for t in terms)
    assert [t.weight for t in terms] == sorted((t.weight for t in terms), reverse=True)


def test_long_text_is_cut(tiny_model):
    clf = clone(tiny_model).set_params(max_chars=5).fit(TINY_TEXTS, TINY_LABELS)
    # only the first five characters are read, so the quantum words at the end do not count
    assert clf.predict(["史料の調査" + "量子ビット" * 100]).tolist() == clf.predict(["史料の調査"]).tolist()


@pytest.mark.parametrize(
    "texts, labels, match",
    [
        (["a", "b"], ["quantum", "nonsense"], "row 1: unknown domain"),
        (["", " "], [12, 16], "none of the training texts"),
        (["量子", "量子ビット"], [12, 12], "at least two classes"),
        (["史料", "文学"], [0, 0], "at least one domain"),
        (["量子"], [12, 16], "1 texts but 2 labels"),
    ],
)
def test_bad_training_data(texts, labels, match):
    with pytest.raises(TrainingDataError, match=match):
        DomainClassifier(calibrate=False).fit(texts, labels)


def test_single_example_domain_trains_without_calibration_folds():
    clf = DomainClassifier().fit(TINY_TEXTS + ["ブランケットのトリチウム回収"], TINY_LABELS + [15])
    assert 15 in clf.classes_ and clf.temperature_ == 1.0


def test_parallel_predictions_equal_serial(tiny_model):
    texts = (TINY_TEXTS * 30)[:300]
    par = clone(tiny_model).set_params(n_jobs=2).fit(TINY_TEXTS, TINY_LABELS)
    np.testing.assert_allclose(par.predict_proba(texts), tiny_model.predict_proba(texts))
    assert par.classify_many(texts) == tiny_model.classify_many(texts)  # decide() goes through workers too


# ---- character n-grams (chars=) ---------------------------------------------------------------
CHAR_TEXTS = TINY_TEXTS + ["ザルモキシン合成の経路", "ザルモキシン誘導体の薬効", "ザルモキシン投与の臨床試験"]
CHAR_LABELS = TINY_LABELS + [7, 7, 7]


@pytest.fixture(scope="module")
def char_model() -> DomainClassifier:
    return DomainClassifier(calibrate=False, chars=4, char_min_df=1).fit(CHAR_TEXTS, CHAR_LABELS)


def test_character_ngrams_read_a_word_the_vocabulary_lacks(char_model):
    words = DomainClassifier(calibrate=False).fit(CHAR_TEXTS, CHAR_LABELS)
    unseen = "ザルモキシナーゼ"  # one unknown token, never seen whole in training
    assert words.predict([unseen]).tolist() == [0]  # nothing recognised: the uniform row abstains
    assert char_model.predict([unseen]).tolist() == [7]
    assert char_model.predict(["", "!!!"]).tolist() == [0, 0]  # still nothing to read


def test_character_ngrams_explain_as_whole_words(char_model):
    terms = char_model.explain("ザルモキシナーゼの阻害", domain=7)
    assert terms and terms[0].term == "ザルモキシナーゼ" and terms[0].weight > 0
    assert all(t.term in "ザルモキシナーゼの阻害" and len(t.term) > 1 for t in terms)


def test_character_ngrams_are_a_searchable_parameter(char_model):
    assert clone(char_model).get_params()["chars"] == 4
    assert char_model.coef_.shape[1] == len(char_model.features_) + len(char_model.chars_)
    assert DomainClassifier(calibrate=False).fit(TINY_TEXTS, TINY_LABELS).chars_ is None


def test_character_ngrams_with_temperature_and_jobs():
    m = DomainClassifier(chars=3, char_min_df=1, n_jobs=2).fit(CHAR_TEXTS * 2, CHAR_LABELS * 2)
    assert 0.05 <= m.temperature_ <= 5.0
    texts = CHAR_TEXTS * 20  # enough rows for the worker processes
    two = m.predict_proba(texts)
    m.n_jobs = 1
    np.testing.assert_allclose(two, m.predict_proba(texts))
    assert m.predict(texts).tolist() == CHAR_LABELS * 20


@pytest.mark.parametrize("block", [1, 3, 7, 1 << 18])
def test_the_sparse_product_is_the_same_in_any_block_size(block):
    from techdomain.classifier import _linear

    rng = np.random.default_rng(0)
    lengths = np.array([0, 4, 1, 0, 9, 2, 0])
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = rng.integers(0, 11, indptr[-1]).astype(np.int32)
    data = rng.random(indptr[-1])
    coef_t, intercept = rng.standard_normal((11, 3)).astype(np.float32), rng.standard_normal(3)
    dense = np.zeros((len(lengths), 11))
    for r in range(len(lengths)):
        np.add.at(dense[r], indices[indptr[r] : indptr[r + 1]], data[indptr[r] : indptr[r + 1]])
    expected = dense @ coef_t.astype(np.float64) + intercept
    np.testing.assert_allclose(_linear((indptr, indices, data), coef_t, intercept, block=block), expected, rtol=1e-5, atol=1e-5)


def test_complement_nb_gives_scikit_learns_probabilities():
    from sklearn.naive_bayes import ComplementNB

    clf = DomainClassifier(method="complement_nb", alpha=0.3, calibrate=False).fit(TINY_TEXTS, TINY_LABELS)
    toks = clf._tokenize(TINY_TEXTS)
    X = clf.features_.transform(toks)
    nb = ComplementNB(alpha=0.3).fit(X, TINY_LABELS)
    probe = ["超伝導量子ビットの制御", "ロケットの燃焼", "写本の調査"]
    ours = clf._proba_all(probe)
    np.testing.assert_allclose(ours, nb.predict_proba(clf.features_.transform(clf._tokenize(probe))), rtol=1e-5)
    # The weights are centred per feature, so they read as for and against like logistic regression's.
    np.testing.assert_allclose(clf.coef_.sum(axis=0), 0.0, atol=1e-4)


def test_complement_nb_learns_from_sample_weights():
    # Naive Bayes weighs a class's texts against each other (scaling a whole class changes nothing),
    # so the test moves weight between two texts of one class.
    texts, labels = ["量子ビット", "イオントラップ", "人工衛星", "写本"], [12, 12, 16, 0]
    fit = lambda w: DomainClassifier(method="complement_nb", calibrate=False).fit(texts, labels, sample_weight=w)  # noqa: E731
    qubit, ion = fit([20, 1, 1, 1]), fit([1, 20, 1, 1])
    assert qubit.predict_proba(["量子ビット"])[0, 0] > ion.predict_proba(["量子ビット"])[0, 0]
    assert ion.predict_proba(["イオントラップ"])[0, 0] > qubit.predict_proba(["イオントラップ"])[0, 0]


def test_an_unknown_method_is_refused_before_any_work():
    with pytest.raises(ValueError, match="complement_nb"):
        DomainClassifier(method="svm").fit(TINY_TEXTS, TINY_LABELS)


def test_label_reliability_mixes_every_probability_and_changes_no_decision(tiny_model):
    probe = ["量子ビットの制御", "ロケットの燃焼", "", "文学", "量子ビットと衛星"]
    mixed = clone(tiny_model).set_params(label_reliability=0.9).fit(TINY_TEXTS, TINY_LABELS)
    p, q = tiny_model._proba_all(probe), mixed._proba_all(probe)
    np.testing.assert_allclose(q, 0.9 * p + 0.1 / p.shape[1])  # the same fit, so the same p underneath
    np.testing.assert_allclose(q.sum(axis=1), 1.0)
    assert mixed.predict(probe).tolist() == tiny_model.predict(probe).tolist()  # '' still abstains
    assert [mixed.classify(t) for t in probe] != [tiny_model.classify(t) for t in probe]  # confidences moved
    assert q.max() <= 0.9 + 0.1 / p.shape[1] + 1e-12  # never surer than the labels are


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5])
def test_label_reliability_outside_a_probability_is_refused(bad):
    with pytest.raises(ValueError, match="label_reliability"):
        DomainClassifier(label_reliability=bad).fit(TINY_TEXTS, TINY_LABELS)
