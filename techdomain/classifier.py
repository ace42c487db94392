"""Where features become a domain: the DomainClassifier estimator."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from .chars import CharGrams
from .confidence import apply_map, fit_map
from .errors import NotFittedError, TrainingDataError
from .estimator import EstimatorProtocol
from .features import Features, stop_word_set
from .labels import label_matrix
from .normalize import normalize
from .taxonomy import NONE, Domain, DomainLike, domain
from .tokenize import tokens, tokens_of_normalized, tokens_with_surface

METHODS = ("logistic", "complement_nb")


@dataclass(frozen=True)
class Prediction:
    """One domain the model assigns to a text, with its probability."""

    domain: Domain
    score: float

    def __repr__(self) -> str:
        return f"Prediction({self.domain.id} {self.domain.slug}, {self.score:.3f})"


@dataclass(frozen=True)
class Term:
    """One term of an explanation: as written in the text, and how much it pushed towards the domain."""

    term: str
    weight: float


@dataclass(frozen=True)
class Decisions:
    """The model's decisions for n texts.

    Probabilities are over 17 outcomes (the 16 domains and 'none of the 16'), so a confidence of
    0.8 means that decisions at that level are right about 8 times in 10 (see the model card).
    """

    main: np.ndarray  # (n,) main domain id, 0 = none of the 16
    confidence: np.ndarray  # (n,) probability of the main decision (of 'none' when main is 0)
    ranked_ids: np.ndarray  # (n, k) the k most probable domains
    ranked_proba: np.ndarray  # (n, k) their probabilities
    assigned: np.ndarray  # (n, k) bool: which ranked domains the model assigns (multi-label)


def _text(x: Any) -> str:
    # Spreadsheets hand us None, NaN and numbers in text columns; they are empty or plain text, not errors.
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and math.isnan(x)) or type(x).__name__ in ("NAType", "NaTType"):
        return ""  # pandas' missing values included, without importing pandas
    return str(x)


class DomainClassifier(EstimatorProtocol):
    """Classify abstracts into the 16 technology domains (or 0: none of them).

    A scikit-learn estimator (``clone``, ``Pipeline``, ``GridSearchCV``, ``cross_val_score``), though
    predicting never imports scikit-learn (see :mod:`techdomain.estimator`). Word-lemma uni+bigram TF-IDF features and a linear
    model (complement naive Bayes or multinomial logistic regression) whose classes are the domains
    seen in training plus, when examples labelled none/0 are given, a 'none of the 16' class that
    lets the model abstain.

    Parameters
    ----------
    method : ``"complement_nb"`` (scikit-learn's ComplementNB; ``alpha`` applies) or ``"logistic"``
        (multinomial LogisticRegression; ``C`` and ``class_weight`` apply). Both are linear in the
        features, so model files, explanations and speed are the same. The shipped model's choice and
        why: its model card.
    alpha : additive smoothing of complement naive Bayes.
    C : inverse regularisation strength of the logistic regression.
    ngram : longest word n-gram used as a feature.
    min_df : drop features seen in fewer training texts.
    class_weight : passed to LogisticRegression; "balanced" evens out domains with more text.
    secondary_ratio : :meth:`classify` also returns a further domain whose probability is at least
        this fraction of the top one (multi-label).
    secondary_evidence : ... or whose evidence is at least this fraction of the main domain's: the
        sum of the text's terms' contributions for the domain, counting only those that speak for
        it (what :meth:`explain` lists). Naive Bayes gives the runner-up so little probability that
        the ratio alone seldom assigns one. ``None`` turns this rule off.
    max_chars : texts are cut to this many characters before tokenizing (a 1 MB cell must not take minutes).
    calibrate : fit a softmax temperature on out-of-fold predictions (5-fold cross-validation of the
        training texts), so that probabilities are neither over- nor under-confident. Costs 5 extra fits.
        Skipped (temperature 1) when some class has a single example: there is no held-out estimate.
    label_reliability : how often the labels that confidence is to be measured against give the
        text's true outcome. The temperature is fitted on the training labels; if the texts you
        classify would be labelled less reliably (two people disagree on the main domain of a few
        abstracts in a hundred), every probability p becomes ``label_reliability * p + (1 -
        label_reliability) / K`` over the K outcomes: the chance that such a labeller gives that
        outcome when a wrong label is equally likely to be any other. The ranking, and so every
        decision, is unchanged. 1 (default) leaves the probabilities as fitted; the shipped model's
        value and how it was measured: its model card. A confidence map (:meth:`fit_confidence`)
        replaces it: fitted on your own labels, the map already accounts for how reliable they are.
    n_jobs : worker processes for tokenizing in fit and predict (joblib semantics; -1 = all cores).
    stop_words : words left out of the features: ``None`` (default) keeps every word; ``"register"``
        drops the words of research writing that every abstract uses whatever its subject (研究, 分析,
        調査, study, research ...; :data:`techdomain.features.REGISTER_WORDS`); or a list of lemmas.
    chars : also use character n-grams of 2 to ``chars`` characters (at most 4) as features, beside
        the words (:mod:`techdomain.chars`); 0 (default) uses words only. More accurate on held-out
        seed text, slower to predict: see the README's "Character n-grams".
    char_min_df : keep character n-grams seen in at least this many training texts.

    >>> import techdomain
    >>> clf = techdomain.DomainClassifier().fit(
    ...     ["量子ビットの誤り訂正", "人工衛星の姿勢制御", "歴史学の史料調査"], ["quantum", 16, "none"])
    >>> clf.classes_.tolist(), clf.predict(["超伝導量子ビットの制御"]).tolist()
    ([12, 16], [12])
    """

    def __init__(
        self,
        method: str = "complement_nb",
        alpha: float = 0.1,
        C: float = 10.0,
        ngram: int = 2,
        min_df: int = 1,
        class_weight: str | dict | None = "balanced",
        secondary_ratio: float = 0.5,
        secondary_evidence: float | None = 0.4,
        max_chars: int = 20000,
        calibrate: bool = True,
        n_jobs: int | None = None,
        stop_words: str | Sequence[str] | None = None,
        chars: int = 0,
        char_min_df: int = 5,
        label_reliability: float = 1.0,
    ):
        self.method = method
        self.alpha = alpha
        self.C = C
        self.ngram = ngram
        self.min_df = min_df
        self.class_weight = class_weight
        self.secondary_ratio = secondary_ratio
        self.secondary_evidence = secondary_evidence
        self.max_chars = max_chars
        self.calibrate = calibrate
        self.n_jobs = n_jobs
        self.stop_words = stop_words
        self.chars = chars
        self.char_min_df = char_min_df
        self.label_reliability = label_reliability

    # ---- training -------------------------------------------------------------------------
    def fit(self, X: Iterable[Any], y: Iterable[Any], sample_weight: Sequence[float] | None = None) -> "DomainClassifier":
        """Train on texts ``X`` and labels ``y`` (ids, slugs, Japanese names, or lists with the main label first)."""
        if self.method not in METHODS:
            raise ValueError(f"method={self.method!r} is not known; use one of {', '.join(map(repr, METHODS))}")
        if not 0 < self.label_reliability <= 1:
            raise ValueError(f"label_reliability={self.label_reliability!r}: give a probability above 0 and at most 1")
        texts = [_text(x) for x in X]
        labels = label_matrix(y)
        if len(texts) != len(labels):
            raise TrainingDataError(f"{len(texts)} texts but {len(labels)} labels; give one label per text")
        toks = self._tokenize(texts)
        keep = [i for i, t in enumerate(toks) if t]
        if not keep:
            raise TrainingDataError("none of the training texts has any word the tokenizer could read")
        main = np.array([labels[i][0] for i in keep])
        domains = sorted(set(main.tolist()) - {0})
        if not domains:
            raise TrainingDataError("no training text is labelled with a domain; at least one domain label is needed")
        if len(set(main.tolist())) < 2:
            raise TrainingDataError(
                f"every training text has the same label ({main[0]}); a classifier needs at least two classes, "
                "for example add the bundled seeds (techdomain train without --no-seeds)"
            )
        kept = [toks[i] for i in keep]
        # Character n-grams read the same normalized text the tokenizer reads.
        norms = [normalize(texts[i][: self.max_chars]) for i in keep] if self.chars else None
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)[keep]
        self.features_, self.chars_, self.all_classes_, self.coef_, self.intercept_ = self._fit_linear(
            kept, norms, main, weights
        )
        self.classes_ = np.array(domains)
        self.temperature_, oof = self._fit_temperature(kept, norms, main, weights) if self.calibrate else (1.0, None)
        self.confidence_map_ = None  # a map fitted to the old weights would not fit the new ones
        # Row numbers in X, main labels and out-of-fold probabilities of the training rows, for
        # techdomain.build.train_model to recalibrate on the user's examples. Not saved or pickled.
        self._oof = None if oof is None else (np.array(keep), main, softmax(oof / self.temperature_))
        return self

    def fit_confidence(self, X: Iterable[Any], y: Iterable[Any]) -> "DomainClassifier":
        """Recalibrate confidence on labelled texts drawn like the ones you will classify.

        Fits two numbers (:mod:`techdomain.confidence`) so that a confidence of 0.8 means right 8
        times in 10 on texts like ``X``. Decisions do not change, only how sure the model says it is.
        Use texts the model was not trained on; at least 30, better 80 or more. ``fit`` forgets the map.

        >>> import techdomain
        >>> m = techdomain.load()
        >>> m = m.fit_confidence(my_abstracts, my_labels)  # doctest: +SKIP
        >>> m.save("calibrated.npz")  # doctest: +SKIP
        """
        self._check()
        texts = [_text(x) for x in X]
        truth = np.array([ls[0] for ls in label_matrix(y)])
        if len(truth) != len(texts):
            raise TrainingDataError(f"{len(texts)} texts but {len(truth)} labels; give one label per text")
        earlier = getattr(self, "confidence_map_", None)
        self.confidence_map_ = None
        try:
            # The map is fitted to the probabilities as trained: no earlier map, and not mixed for
            # label_reliability, which the map replaces (mixing flattens the top of the scale, where
            # the map needs to tell 0.999 from 0.99999).
            p = self._proba_all(texts, calibrated=False)
            self.confidence_map_ = fit_map(p.max(axis=1), self._decide(p) == truth)
        except BaseException:
            self.confidence_map_ = earlier  # a failed recalibration leaves the model as it was
            raise
        return self

    def _fit_linear(self, toks: list[list[str]], norms: list[str] | None, y: np.ndarray, weights: np.ndarray | None):
        from sklearn.linear_model import LogisticRegression

        feats = Features.fit(toks, ngram=self.ngram, min_df=self.min_df, stop_words=stop_word_set(self.stop_words))
        X = feats.transform(toks)
        grams = None
        if self.chars:
            import scipy.sparse as sp

            grams = CharGrams.fit(norms, 2, self.chars, self.char_min_df)
            X = sp.hstack([X, grams.transform(norms)], format="csr")  # columns: words, then n-grams
        if self.method == "complement_nb":
            from sklearn.naive_bayes import ComplementNB

            nb = ComplementNB(alpha=self.alpha).fit(X, y, sample_weight=weights)
            # Its scores are X @ feature_log_prob_.T, no intercept. Subtracting each feature's mean
            # over the classes shifts every class's score alike (probabilities unchanged) and makes
            # the weights read like logistic regression's: positive for a class, negative against.
            w = nb.feature_log_prob_
            coef, intercept, classes = w - w.mean(axis=0), np.zeros(len(nb.classes_)), nb.classes_
        else:
            lr = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=3000)
            lr.fit(X, y, sample_weight=weights)
            classes = lr.classes_
            if len(classes) == 2:  # binary LR keeps one row; spell out both so every class has a row
                coef, intercept = np.vstack([-lr.coef_, lr.coef_]), np.array([-lr.intercept_[0], lr.intercept_[0]])
            else:
                coef, intercept = lr.coef_, lr.intercept_
        return feats, grams, classes.astype(int), coef.astype(np.float32), intercept.astype(np.float64)

    def _fit_temperature(
        self, toks: list[list[str]], norms: list[str] | None, y: np.ndarray, weights: np.ndarray | None
    ) -> tuple[float, np.ndarray | None]:
        """The softmax temperature that minimises the log-loss of out-of-fold predictions, and those logits."""
        from joblib import Parallel, delayed
        from sklearn.model_selection import StratifiedKFold

        folds = min(5, int(np.bincount(np.unique(y, return_inverse=True)[1]).min()))
        if folds < 2:
            return 1.0, None  # a class with one example: no honest out-of-fold estimate
        splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(np.zeros(len(y)), y))
        parts = Parallel(n_jobs=self.n_jobs)(
            delayed(self._fold_logits)(toks, norms, y, weights, train, test) for train, test in splits
        )
        logits = np.full((len(y), len(self.all_classes_)), -np.inf)
        for (_, test), (classes, part) in zip(splits, parts):
            logits[np.ix_(test, np.searchsorted(self.all_classes_, classes))] = part
        return best_temperature(logits, np.searchsorted(self.all_classes_, y)), logits

    def _fold_logits(self, toks, norms, y, weights, train, test):
        part = None if norms is None else [norms[i] for i in train]
        feats, grams, classes, coef, intercept = self._fit_linear(
            [toks[i] for i in train], part, y[train], None if weights is None else weights[train]
        )
        words = feats.transform_arrays(toks[i] for i in test)
        ngrams = None if grams is None else grams.transform_arrays([norms[i] for i in test])
        return classes, _logits(words, ngrams, coef.T.copy(), intercept, len(feats))[0]

    # ---- the core computation ----------------------------------------------------------------
    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("this DomainClassifier is not trained yet; call fit() or use techdomain.load()")

    def _tokenize(self, texts: list[str]) -> list[list[str]]:
        cut = [t[: self.max_chars] for t in texts]
        return [t for part in _map_chunks(_tokens_of, cut, self.n_jobs) for t in part]

    def _views(self, texts: list[str]) -> tuple[_Arrays, _Arrays | None]:
        """The TF-IDF rows of the texts: words, and character n-grams when the model has them."""
        grams = getattr(self, "chars_", None)
        if grams is None:
            return self.features_.transform_arrays(tokens(t[: self.max_chars]) for t in texts), None
        norms = [normalize(t[: self.max_chars]) for t in texts]  # normalize once for both views
        return self.features_.transform_arrays(tokens_of_normalized(t) for t in norms), grams.transform_arrays(norms)

    def _scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Logits over ``all_classes_`` and a mask of texts with no known word (or n-gram)."""
        return _logits(*self._views(texts), self._coef_t, self.intercept_, len(self.features_))

    @property
    def _coef_t(self) -> np.ndarray:
        # Rows gathered per feature: the (n_features, n_classes) layout makes the gather contiguous.
        cached = self.__dict__.get("_coef_t_cache")
        if cached is None or cached.shape[::-1] != self.coef_.shape:
            cached = self.__dict__["_coef_t_cache"] = np.ascontiguousarray(self.coef_.T)
        return cached

    def _proba_all(self, X: Iterable[Any], calibrated: bool = True) -> np.ndarray:
        """Probabilities over ``all_classes_``; texts with no known word get the uniform row.
        ``calibrated=False``: as the temperature gives them, without a confidence map or the mix."""
        self._check()
        return np.vstack(_map_chunks(partial(self._proba_chunk, calibrated=calibrated), [_text(x) for x in X], self.n_jobs))

    def _proba_chunk(self, texts: list[str], calibrated: bool = True) -> np.ndarray:
        return self._proba_of(*self._scores(texts), calibrated=calibrated)

    def _proba_of(self, logits: np.ndarray, empty: np.ndarray, calibrated: bool = True) -> np.ndarray:
        """Probabilities from logits: the temperature, then (``calibrated``) the user's confidence
        map if there is one, else the label-reliability mix."""
        p = softmax(logits / self.temperature_)
        p[empty] = 1.0 / p.shape[1]
        if not calibrated:
            return p
        cmap = getattr(self, "confidence_map_", None)
        if cmap is not None:
            return apply_map(p, cmap)
        return mix_for_labellers(p, getattr(self, "label_reliability", 1.0))

    # ---- scikit-learn API --------------------------------------------------------------------
    def decision_function(self, X: Iterable[Any]) -> np.ndarray:
        """Raw scores (logits), shape (n, len(classes_)), columns in ``classes_`` order."""
        self._check()
        logits, _ = self._scores([_text(x) for x in X])
        return logits[:, self._domain_cols]

    def predict_proba(self, X: Iterable[Any]) -> np.ndarray:
        """P(domain | text belongs to one of the domains), shape (n, len(classes_)), rows sum to 1."""
        p = self._proba_all(X)[:, self._domain_cols]
        return p / p.sum(axis=1, keepdims=True)

    def predict_proba_none(self, X: Iterable[Any]) -> np.ndarray:
        """P(none of the 16) for each text (zeros if the model was trained without 'none' examples)."""
        p = self._proba_all(X)
        return p[:, 0] if self.all_classes_[0] == 0 else np.zeros(len(p))

    def predict(self, X: Iterable[Any]) -> np.ndarray:
        """The main domain id of each text, or 0 when no domain fits (the model abstains)."""
        return self._decide(self._proba_all(X))

    def _decide(self, p: np.ndarray) -> np.ndarray:
        out = self.all_classes_[p.argmax(axis=1)].copy()
        out[np.ptp(p, axis=1) == 0] = 0  # uniform row: nothing in the text was recognised
        return out

    @property
    def _domain_cols(self) -> np.ndarray:
        return np.flatnonzero(self.all_classes_ != 0)

    # ---- convenience ---------------------------------------------------------------------------
    def classify(self, text: str, top_k: int = 3) -> list[Prediction]:
        """The domains this text belongs to, main first (empty list: none of the 16).

        The main domain is the most probable one unless 'none' is more probable. Each further
        domain among the ``top_k`` most probable is added when its probability is at least
        ``secondary_ratio`` times the main one's, or its evidence (the weight of the terms speaking
        for it, as :meth:`explain` lists them) at least ``secondary_evidence`` times the main one's.
        A further domain's score is still its probability, which may be small.

        >>> import techdomain
        >>> m = techdomain.load()
        >>> [p.domain.slug for p in m.classify("衛星リモートセンシングによる漁場予測")]  # doctest: +SKIP
        ['space', 'agri_food']
        """
        return self.classify_many([text], top_k=top_k)[0]

    def classify_many(self, texts: Iterable[Any], top_k: int = 3) -> list[list[Prediction]]:
        """:meth:`classify` for many texts at once (faster than one by one; honours ``n_jobs``)."""
        d = self.decide(texts, top_k)
        return [
            [Prediction(domain(int(i)), float(q)) for i, q, a in zip(ids, probs, keep) if a]
            for ids, probs, keep in zip(d.ranked_ids, d.ranked_proba, d.assigned)
        ]

    def decide(self, texts: Iterable[Any], top_k: int = 3) -> "Decisions":
        """Everything the CSV output needs, for many texts in one pass (see :class:`Decisions`)."""
        self._check()
        k = min(top_k, len(self._domain_cols))
        parts = _map_chunks(partial(self._decide_chunk, top_k=k), [_text(x) for x in texts], self.n_jobs)
        p_all, order, evidence = (np.vstack([part[i] for part in parts]) for i in range(3))
        main = self._decide(p_all)
        top_p = np.take_along_axis(p_all[:, self._domain_cols], order, axis=1)
        # Multi-label: the main domain, then every ranked domain within secondary_ratio of it in
        # probability or within secondary_evidence of it in evidence.
        keep = top_p >= self.secondary_ratio * top_p[:, :1]
        if getattr(self, "secondary_evidence", None) is not None:
            keep |= (evidence >= self.secondary_evidence * evidence[:, :1]) & (evidence[:, :1] > 0)
        keep[:, 0] = True
        keep &= (main != 0)[:, None]
        return Decisions(main, p_all.max(axis=1), self.classes_[order], top_p, keep)

    def _decide_chunk(self, texts: list[str], top_k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Probabilities, the ``top_k`` domain columns by probability, and those domains' evidence."""
        words, ngrams = self._views(texts)
        n_words = len(self.features_)
        p = self._proba_of(*_logits(words, ngrams, self._coef_t, self.intercept_, n_words))
        order = np.argsort(-p[:, self._domain_cols], axis=1, kind="stable")[:, :top_k]
        if getattr(self, "secondary_evidence", None) is None:  # the rule is off: nothing to weigh
            return p, order, np.zeros(order.shape)
        cols = self._domain_cols[order]
        evidence = _evidence(words, self._coef_t[:n_words], cols)
        if ngrams is not None:
            evidence += _evidence(ngrams, self._coef_t[n_words:], cols)
        return p, order, evidence

    def rank(self, text: str, k: int = 3) -> list[Prediction]:
        """The ``k`` most probable domains, whether or not the model would assign them.

        Scores are the same probabilities as :meth:`classify` gives (over the 16 domains and 'none').
        """
        d = self.decide([text], k)
        return [Prediction(domain(int(i)), float(q)) for i, q in zip(d.ranked_ids[0], d.ranked_proba[0])]

    def explain(self, text: str, domain: DomainLike | None = None, n: int = 10) -> list[Term]:
        """The terms of ``text`` that pushed it most towards ``domain`` (default: the predicted one).

        Weights are each term's share of the domain's score against the average class, so a word
        that every domain shares counts for nothing. Terms are shown as written in the text.

        >>> import techdomain
        >>> m = techdomain.load()
        >>> [t.term for t in m.explain("超伝導量子ビットを用いた誤り訂正符号の実証", n=3)]  # doctest: +SKIP
        ['量子ビット', '誤り訂正', '超伝導']
        """
        self._check()
        stop = self.features_.stop_words
        pairs = [p for p in tokens_with_surface(_text(text)[: self.max_chars]) if p[0] not in stop]
        arrays = self.features_.transform_arrays([[lemma for lemma, _ in pairs]])
        grams = getattr(self, "chars_", None)
        ngrams = None if grams is None else grams.transform_arrays([normalize(_text(text)[: self.max_chars])])
        if domain is None:
            logits = _logits(arrays, ngrams, self._coef_t, self.intercept_, len(self.features_))[0][0]
            cols = self._domain_cols
            target = int(self.all_classes_[cols[int(np.argmax(logits[cols]))]])
        else:
            target = _domain_of(domain).id
        if target not in self.all_classes_:
            raise NotFittedError(f"this model was not trained on domain {target}")
        row = int(np.flatnonzero(self.all_classes_ == target)[0])
        w = self.coef_[row] - self.coef_.mean(axis=0)
        vocab = self.features_.vocabulary
        _, indices, data = arrays
        contrib: dict[str, float] = {vocab[j]: float(v * w[j]) for j, v in zip(indices, data)}
        surface = _surfaces(pairs, self.features_.ngram)
        if grams is not None:
            _fold_in_grams(contrib, surface, grams, ngrams, w[len(vocab) :])
        best = sorted(((c, name) for name, c in contrib.items() if c > 0), reverse=True)[:n]
        return [Term(surface.get(name, name), round(c, 4)) for c, name in best]

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_coef_t_cache", None)  # derived; workers rebuild it
        state.pop("_oof", None)  # only train_model needs it, right after fit
        return state

    # ---- persistence ----------------------------------------------------------------------------
    def save(self, path: str) -> None:
        """Write the model as one data-only file (arrays + JSON; see :mod:`techdomain.modelfile`)."""
        from .modelfile import save

        save(self, path)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def mix_for_labellers(p: np.ndarray, reliability: float) -> np.ndarray:
    """Rows of probabilities as the chance that a labeller who is right with probability
    ``reliability``, and otherwise picks any outcome, gives each one."""
    return p if reliability == 1.0 else reliability * p + (1.0 - reliability) / p.shape[1]


def best_temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature (on a log grid from 0.05 to 5) minimising the log-loss of column ``truth``."""
    grid = np.exp(np.linspace(np.log(0.05), np.log(5.0), 121))
    rows = np.arange(len(truth))
    nll = [-np.log(softmax(logits / t)[rows, truth] + 1e-12).mean() for t in grid]
    return float(grid[int(np.argmin(nll))])


_Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]  # CSR rows: indptr, indices, data


def _logits(
    words: _Arrays, ngrams: _Arrays | None, coef_t: np.ndarray, intercept: np.ndarray, n_words: int
) -> tuple[np.ndarray, np.ndarray]:
    """Logits of the word-feature rows (the first ``n_words`` rows of ``coef_t``) plus the n-gram rows
    (the rest), and a mask of texts in which neither view found anything it knows."""
    out = _linear(words, coef_t[:n_words], intercept)
    empty = np.diff(words[0]) == 0
    if ngrams is not None:
        out += _linear(ngrams, coef_t[n_words:], np.zeros_like(intercept))
        empty &= np.diff(ngrams[0]) == 0
    return out, empty


def _linear(
    arrays: _Arrays, coef_t: np.ndarray, intercept: np.ndarray, block: int = 1 << 18
) -> np.ndarray:
    """Logits of TF-IDF rows given as CSR arrays: a sparse-dense product in plain numpy.

    Rows go in blocks of about ``block`` nonzeros, because the gathered coefficients take
    (nonzeros x classes) floats: a 5,000-row CSV chunk with character n-grams would need 370 MB.
    """
    indptr, indices, data = arrays
    n = len(indptr) - 1
    out = np.tile(np.asarray(intercept, dtype=np.float64), (n, 1))
    start = 0
    while start < n:
        stop = min(n, max(start + 1, int(np.searchsorted(indptr, indptr[start] + block, side="right")) - 1))
        ptr = indptr[start : stop + 1]
        filled = np.flatnonzero(np.diff(ptr) > 0)
        if len(filled):
            lo, hi = ptr[0], ptr[-1]
            weighted = np.take(coef_t, indices[lo:hi], axis=0) * data[lo:hi].astype(coef_t.dtype)[:, None]
            out[start + filled] += np.add.reduceat(weighted, ptr[filled] - lo, axis=0)
        start = stop
    return out


def _evidence(arrays: _Arrays, coef_t: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """For each row and each of its columns ``cols[row]``, the sum of the row's positive contributions."""
    indptr, indices, data = arrays
    n = len(indptr) - 1
    rows = np.repeat(np.arange(n), np.diff(indptr))
    out = np.zeros(cols.shape)
    for j in range(cols.shape[1]):
        w = coef_t[indices, cols[rows, j]]
        out[:, j] = np.bincount(rows, weights=data * np.maximum(w, 0), minlength=n)
    return out


def _domain_of(x: DomainLike) -> Domain:
    return NONE if x in (0, "none") else domain(x)


def _map_chunks(fn, items: list, n_jobs: int | None) -> list:
    """``fn`` over ``items``: one call, or one call per worker process when ``n_jobs`` asks for several.

    One task per worker, because each task carries a copy of ``fn``'s model, which costs about as
    much as tokenizing a few hundred abstracts.
    """
    if (n_jobs or 1) == 1 or len(items) < 200:
        return [fn(items)]
    from joblib import Parallel, delayed, effective_n_jobs

    workers = effective_n_jobs(n_jobs)
    return Parallel(n_jobs=workers)(delayed(fn)(chunk) for chunk in _chunks(items, workers))


def _tokens_of(texts: list[str]) -> list[list[str]]:
    return [tokens(t) for t in texts]


def _chunks(items: list, n: int) -> list[list]:
    size = max(1, math.ceil(len(items) / max(1, n)))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _fold_in_grams(
    contrib: dict[str, float], surface: dict[str, str], grams: CharGrams, ngrams: _Arrays, w: np.ndarray
) -> None:
    """Add each character n-gram's contribution to the shortest words (or word pairs) holding it.

    An expert reads "全固体電池", not its n-grams "全固", "固体電", ...; an n-gram that no word holds
    (one that straddles a particle) is left out of the explanation, as particles are.
    """
    _, indices, data = ngrams
    names = sorted(surface, key=lambda k: len(surface[k]))
    for j, v in zip(indices.tolist(), data.tolist()):
        gram = grams.vocabulary_at(j)
        holders = [k for k in names if gram in surface[k]]
        if not holders:
            continue
        shortest = [k for k in holders if len(surface[k]) == len(surface[holders[0]])]
        for k in shortest:
            contrib[k] = contrib.get(k, 0.0) + v * float(w[j]) / len(shortest)


def _surfaces(pairs: list[tuple[str, str]], ngram: int) -> dict[str, str]:
    """Feature name -> how it was written in the text (n-grams joined as they stood)."""
    out: dict[str, str] = {}
    lemmas = [p[0] for p in pairs]
    surfs = [p[1] for p in pairs]
    for n in range(ngram, 0, -1):
        for i in range(len(pairs) - n + 1):
            key = " ".join(lemmas[i : i + n])
            parts = surfs[i : i + n]
            sep = " " if all(s.isascii() for s in parts) else ""
            out.setdefault(key, sep.join(parts))
    return out
