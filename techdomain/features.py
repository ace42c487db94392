"""Where tokens become features: word unigrams and bigrams, weighted by sublinear TF-IDF, L2-normalized."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

# Words of research writing that name the activity, not its subject (stop_words="register"). Every
# abstract uses them, in every domain and in none, but seed text written as term lists and humanities
# examples ("...研究", "...を分析した") teaches a model that they mean "none of the 16". Dropping them
# was measured for the shipped model and not adopted (see its card); it stays an option for retraining.
# Lemmas, as tokens() gives them.
REGISTER_WORDS = frozenset(
    "研究 分析 調査 理論 関係 明らか 検討 考察 study studies research analysis theory".split()
)


def stop_word_set(stop_words: str | Iterable[str] | None) -> frozenset[str]:
    """``"register"`` -> :data:`REGISTER_WORDS`; ``None`` -> no stop words; a list of lemmas as given."""
    if stop_words is None:
        return frozenset()
    if isinstance(stop_words, str):
        if stop_words != "register":
            raise ValueError(f"stop_words={stop_words!r}: use 'register', None, or a list of words")
        return REGISTER_WORDS
    return frozenset(stop_words)


def terms(tokens: Sequence[str], ngram: int = 2, stop_words: frozenset[str] = frozenset()) -> list[str]:
    """The feature names of one token list: each token, and adjacent pairs joined by a space.

    Stop words are dropped first, so their neighbours pair up across them.

    >>> terms(["量子", "ビット", "誤り"])
    ['量子', 'ビット', '誤り', '量子 ビット', 'ビット 誤り']
    >>> terms(["量子", "研究", "ビット"], stop_words=REGISTER_WORDS)
    ['量子', 'ビット', '量子 ビット']
    """
    kept = [t for t in tokens if t not in stop_words] if stop_words else tokens
    out = list(kept)
    for n in range(2, ngram + 1):
        out.extend(" ".join(kept[i : i + n]) for i in range(len(kept) - n + 1))
    return out


class Features:
    """A fitted TF-IDF vocabulary. Built with :meth:`fit`; stored as plain arrays by the model file."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, ngram: int = 2, stop_words: Iterable[str] = ()):
        self.vocabulary = list(vocabulary)
        self.stop_words = frozenset(stop_words)
        self.index = {t: i for i, t in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram = int(ngram)
        if len(self.vocabulary) != len(self.idf):
            raise ValueError("vocabulary and idf differ in length")

    def __getstate__(self) -> dict:
        # Worker processes rebuild the lookup table; shipping the list alone is several times cheaper.
        return {"vocabulary": self.vocabulary, "idf": self.idf, "ngram": self.ngram, "stop_words": self.stop_words}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["vocabulary"], state["idf"], state["ngram"], state.get("stop_words", ()))

    def __len__(self) -> int:
        return len(self.vocabulary)

    @classmethod
    def fit(
        cls, token_lists: Sequence[Sequence[str]], ngram: int = 2, min_df: int = 1, stop_words: Iterable[str] = ()
    ) -> "Features":
        stop = frozenset(stop_words)
        df: Counter[str] = Counter()
        for toks in token_lists:
            df.update(set(terms(toks, ngram, stop)))
        vocabulary = sorted(t for t, c in df.items() if c >= min_df)
        counts = np.array([df[t] for t in vocabulary], dtype=np.float64)
        return cls(vocabulary, smoothed_idf(len(token_lists), counts), ngram, stop)

    def transform(self, token_lists: Iterable[Sequence[str]]):
        """TF-IDF rows as a scipy.sparse CSR matrix (for training)."""
        return csr(self.transform_arrays(token_lists), len(self))

    def transform_arrays(self, token_lists: Iterable[Sequence[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """TF-IDF rows as CSR arrays (indptr, indices, data), L2-normalized; no scipy needed."""
        get = self.index.get
        ngram = self.ngram
        stop = self.stop_words
        indptr = [0]
        indices: list[int] = []
        values: list[int] = []
        for toks in token_lists:
            counts = Counter([j for j in map(get, terms(toks, ngram, stop)) if j is not None])
            indices.extend(counts.keys())
            values.extend(counts.values())
            indptr.append(len(indices))
        ind = np.asarray(indices, dtype=np.int32)
        ptr = np.asarray(indptr, dtype=np.int64)
        return ptr, ind, sublinear_tfidf(ptr, ind, np.asarray(values, dtype=np.float64), self.idf)


# The weighting both views share (word features here, character n-grams in techdomain.chars).
def smoothed_idf(n_texts: int, df: np.ndarray) -> np.ndarray:
    """Inverse document frequency, smoothed as scikit-learn's TfidfTransformer does."""
    return np.log((1.0 + n_texts) / (1.0 + df)) + 1.0


def sublinear_tfidf(indptr: np.ndarray, indices: np.ndarray, tf: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """The values of CSR rows of term counts ``tf``, weighted (1 + log tf) * idf and L2-normalized per row."""
    data = (1.0 + np.log(tf)) * idf[indices] if len(indices) else tf.astype(np.float64)
    lengths = np.diff(indptr)
    filled = np.flatnonzero(lengths)
    if len(filled):
        norms = np.sqrt(np.add.reduceat(data * data, indptr[filled]))
        data /= np.repeat(norms, lengths[filled])
    return data


def csr(arrays: tuple[np.ndarray, np.ndarray, np.ndarray], n_columns: int):
    """CSR arrays (indptr, indices, data) as a scipy.sparse matrix, for training."""
    import scipy.sparse as sp

    indptr, indices, data = arrays
    return sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, n_columns))
