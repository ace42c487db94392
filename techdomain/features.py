"""Where tokens become features: word unigrams and bigrams, weighted by sublinear TF-IDF, L2-normalized."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp


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

    def transform(self, token_lists: Iterable[Sequence[str]]) -> sp.csr_matrix:
        index = self.index
        indptr = [0]
        indices: list[int] = []
        values: list[float] = []
        for toks in token_lists:
            counts = Counter(index[t] for t in terms(toks, self.ngram) if t in index)
            indices.extend(counts.keys())
            values.extend(counts.values())
            indptr.append(len(indices))
        ind = np.asarray(indices, dtype=np.int32)
        tf = np.asarray(values, dtype=np.float64)
        data = (1.0 + np.log(tf)) * self.idf[ind] if len(ind) else tf
        X = sp.csr_matrix((data, ind, np.asarray(indptr, dtype=np.int64)), shape=(len(indptr) - 1, len(self)))
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        X.data /= np.repeat(norms, np.diff(X.indptr))
        return X
