"""Where features become a domain: the DomainClassifier estimator."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from .errors import NotFittedError, TrainingDataError
from .features import Features
from .labels import label_matrix
from .taxonomy import NONE, Domain, DomainLike, domain
from .tokenize import tokens, tokens_with_surface


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


def _text(x: Any) -> str:
    # Spreadsheets hand us None, NaN and numbers in text columns; they are empty or plain text, not errors.
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return x if isinstance(x, str) else str(x)


class DomainClassifier(ClassifierMixin, BaseEstimator):
    """Classify abstracts into the 16 technology domains (or 0: none of them).

    A scikit-learn estimator: word-lemma uni+bigram TF-IDF features and a multinomial logistic
    regression whose classes are the domains seen in training plus, when examples labelled
    none/0 are given, a 'none of the 16' class that lets the model abstain.

    Parameters
    ----------
    C : inverse regularisation strength of the logistic regression.
    ngram : longest word n-gram used as a feature.
    min_df : drop features seen in fewer training texts.
    class_weight : passed to LogisticRegression; "balanced" evens out domains with more text.
    secondary_ratio : :meth:`classify` also returns a further domain whose probability is at least
        this fraction of the top one (multi-label).
    max_chars : texts are cut to this many characters before tokenizing (a 1 MB cell must not take minutes).
    n_jobs : worker processes for tokenizing in fit and predict (joblib semantics; -1 = all cores).

    >>> import techdomain
    >>> clf = techdomain.DomainClassifier().fit(
    ...     ["量子ビットの誤り訂正", "人工衛星の姿勢制御", "歴史学の史料調査"], ["quantum", 16, "none"])
    >>> clf.classes_.tolist(), clf.predict(["超伝導量子ビットの制御"]).tolist()
    ([12, 16], [12])
    """

    def __init__(
        self,
        C: float = 10.0,
        ngram: int = 2,
        min_df: int = 1,
        class_weight: str | dict | None = "balanced",
        secondary_ratio: float = 0.5,
        max_chars: int = 20000,
        n_jobs: int | None = None,
    ):
        self.C = C
        self.ngram = ngram
        self.min_df = min_df
        self.class_weight = class_weight
        self.secondary_ratio = secondary_ratio
        self.max_chars = max_chars
        self.n_jobs = n_jobs

    # ---- training -------------------------------------------------------------------------
    def fit(self, X: Iterable[Any], y: Iterable[Any], sample_weight: Sequence[float] | None = None) -> "DomainClassifier":
        """Train on texts ``X`` and labels ``y`` (ids, slugs, Japanese names, or lists with the main label first)."""
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
        feats = Features.fit([toks[i] for i in keep], ngram=self.ngram, min_df=self.min_df)
        Xm = feats.transform(toks[i] for i in keep)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)[keep]
        lr = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=3000)
        lr.fit(Xm, main, sample_weight=weights)
        self.features_ = feats
        self.classes_ = np.array(domains)
        self.all_classes_ = lr.classes_.astype(int)  # domains and, if trained with it, 0 = none
        self.coef_ = lr.coef_.astype(np.float32) if len(lr.classes_) > 2 else np.vstack([-lr.coef_, lr.coef_]).astype(np.float32)
        self.intercept_ = lr.intercept_ if len(lr.classes_) > 2 else np.array([-lr.intercept_[0], lr.intercept_[0]])
        self.n_features_in_ = 1
        return self

    # ---- the core computation ----------------------------------------------------------------
    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("this DomainClassifier is not trained yet; call fit() or use techdomain.load()")

    def _tokenize(self, texts: list[str]) -> list[list[str]]:
        cut = [t[: self.max_chars] for t in texts]
        n_jobs = self.n_jobs or 1
        if n_jobs == 1 or len(cut) < 200:
            return [tokens(t) for t in cut]
        chunks = _chunks(cut, n_jobs)
        parts = Parallel(n_jobs=n_jobs)(delayed(_tokens_of)(c) for c in chunks)
        return [t for part in parts for t in part]

    def _scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Logits over ``all_classes_`` and a mask of texts with no known word."""
        toks = [tokens(t[: self.max_chars]) for t in texts]
        Xm = self.features_.transform(toks)
        empty = np.diff(Xm.indptr) == 0
        return np.asarray(Xm @ self.coef_.T) + self.intercept_, empty

    def _proba_all(self, X: Iterable[Any]) -> np.ndarray:
        """Probabilities over ``all_classes_``; texts with no known word get the uniform row."""
        self._check()
        texts = [_text(x) for x in X]
        n_jobs = self.n_jobs or 1
        if n_jobs == 1 or len(texts) < 200:
            return self._proba_chunk(texts)
        parts = Parallel(n_jobs=n_jobs)(delayed(self._proba_chunk)(c) for c in _chunks(texts, n_jobs * 4))
        return np.vstack(parts) if parts else np.zeros((0, len(self.all_classes_)))

    def _proba_chunk(self, texts: list[str]) -> np.ndarray:
        logits, empty = self._scores(texts)
        p = softmax(logits, axis=1)
        p[empty] = 1.0 / p.shape[1]
        return p

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

        The main domain is the most probable one unless 'none' is more probable. A further domain
        is added while its probability is at least ``secondary_ratio`` times the main one's, up to
        ``top_k`` domains in all.

        >>> import techdomain
        >>> m = techdomain.load()
        >>> [p.domain.slug for p in m.classify("衛星リモートセンシングによる漁場予測")]  # doctest: +SKIP
        ['space', 'agri_food']
        """
        return self.classify_many([text], top_k=top_k)[0]

    def classify_many(self, texts: Iterable[Any], top_k: int = 3) -> list[list[Prediction]]:
        """:meth:`classify` for many texts at once (faster than one by one; honours ``n_jobs``)."""
        p_all = self._proba_all(texts)
        main = self._decide(p_all)
        cols = self._domain_cols
        p = p_all[:, cols]
        p = p / p.sum(axis=1, keepdims=True)
        out = []
        for row, m in zip(p, main):
            if m == 0:
                out.append([])
                continue
            order = np.argsort(-row, kind="stable")[:top_k]
            top = row[order[0]]
            picks = [Prediction(domain(int(self.classes_[order[0]])), float(top))]
            for j in order[1:]:
                if row[j] >= self.secondary_ratio * top:
                    picks.append(Prediction(domain(int(self.classes_[j])), float(row[j])))
            out.append(picks)
        return out

    def rank(self, text: str, k: int = 3) -> list[Prediction]:
        """The ``k`` most probable domains, whether or not the model would assign them."""
        row = self.predict_proba([text])[0]
        order = np.argsort(-row, kind="stable")[:k]
        return [Prediction(domain(int(self.classes_[j])), float(row[j])) for j in order]

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
        if domain is None:
            ranked = self.rank(text, 1)
            target = ranked[0].domain.id
        else:
            target = _domain_of(domain).id
        if target not in self.all_classes_:
            raise NotFittedError(f"this model was not trained on domain {target}")
        row = int(np.flatnonzero(self.all_classes_ == target)[0])
        pairs = tokens_with_surface(_text(text)[: self.max_chars])
        lemmas = [p[0] for p in pairs]
        X = self.features_.transform([lemmas])
        w = self.coef_[row] - self.coef_.mean(axis=0)
        contrib = {int(j): float(v * w[j]) for j, v in zip(X.indices, X.data)}
        surface = _surfaces(pairs, self.features_.ngram)
        best = sorted((c, j) for j, c in contrib.items() if c > 0)[::-1][:n]
        return [Term(surface.get(self.features_.vocabulary[j], self.features_.vocabulary[j]), round(c, 4)) for c, j in best]

    # ---- persistence ----------------------------------------------------------------------------
    def save(self, path: str) -> None:
        """Write the model as one data-only file (arrays + JSON; see :mod:`techdomain.modelfile`)."""
        from .modelfile import save

        save(self, path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def _domain_of(x: DomainLike) -> Domain:
    return NONE if x in (0, "none") else domain(x)


def _tokens_of(texts: list[str]) -> list[list[str]]:
    return [tokens(t) for t in texts]


def _chunks(items: list, n: int) -> list[list]:
    size = max(1, math.ceil(len(items) / max(1, n)))
    return [items[i : i + size] for i in range(0, len(items), size)]


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
