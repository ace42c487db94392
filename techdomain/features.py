"""Where tokens become features: word unigrams and bigrams, weighted by sublinear TF-IDF, L2-normalized."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np


def terms(tokens: Sequence[str], ngram: int = 2) -> list[str]:
    """The feature names of one token list: each token, and adjacent pairs joined by a space.

    >>> terms(["量子", "ビット", "誤り"])
    ['量子', 'ビット', '誤り', '量子 ビット', 'ビット 誤り']
    """
    out = list(tokens)
    for n in range(2, ngram + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


class Features:
    """A fitted TF-IDF vocabulary. Built with :meth:`fit`; stored as plain arrays by the model file."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, ngram: int = 2):
        self.vocabulary = list(vocabulary)
        self.index = {t: i for i, t in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram = int(ngram)
        if len(self.vocabulary) != len(self.idf):
            raise ValueError("vocabulary and idf differ in length")

    def __getstate__(self) -> dict:
        # Worker processes rebuild the lookup table; shipping the list alone is several times cheaper.
        return {"vocabulary": self.vocabulary, "idf": self.idf, "ngram": self.ngram}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["vocabulary"], state["idf"], state["ngram"])

    def __len__(self) -> int:
        return len(self.vocabulary)

    @classmethod
    def fit(cls, token_lists: Sequence[Sequence[str]], ngram: int = 2, min_df: int = 1) -> "Features":
        df: Counter[str] = Counter()
        for toks in token_lists:
            df.update(set(terms(toks, ngram)))
        vocabulary = sorted(t for t, c in df.items() if c >= min_df)
        n = len(token_lists)
        counts = np.array([df[t] for t in vocabulary], dtype=np.float64)
        idf = np.log((1.0 + n) / (1.0 + counts)) + 1.0  # smoothed, as scikit-learn's TfidfTransformer
        return cls(vocabulary, idf, ngram)

    def transform(self, token_lists: Iterable[Sequence[str]]):
        """TF-IDF rows as a scipy.sparse CSR matrix (for training)."""
        import scipy.sparse as sp

        indptr, indices, data = self.transform_arrays(token_lists)
        return sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, len(self)))

    def transform_arrays(self, token_lists: Iterable[Sequence[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """TF-IDF rows as CSR arrays (indptr, indices, data), L2-normalized; no scipy needed."""
        get = self.index.get
        ngram = self.ngram
        indptr = [0]
        indices: list[int] = []
        values: list[int] = []
        for toks in token_lists:
            counts = Counter([j for j in map(get, terms(toks, ngram)) if j is not None])
            indices.extend(counts.keys())
            values.extend(counts.values())
            indptr.append(len(indices))
        ind = np.asarray(indices, dtype=np.int32)
        ptr = np.asarray(indptr, dtype=np.int64)
        tf = np.asarray(values, dtype=np.float64)
        data = (1.0 + np.log(tf)) * self.idf[ind] if len(ind) else tf
        lengths = np.diff(ptr)
        filled = np.flatnonzero(lengths)
        if len(filled):
            norms = np.sqrt(np.add.reduceat(data * data, ptr[filled]))
            data /= np.repeat(norms, lengths[filled])
        return ptr, ind, data
