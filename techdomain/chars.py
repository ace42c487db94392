"""Where text becomes character n-grams: a second TF-IDF view that needs no dictionary.

Word lemmas miss what the dictionary splits or does not know: new katakana coinages, compounds
cut at odd places (ペロブスカイト, 全固体電池, eVTOL), misspellings and English inflections.
Character 2- to 4-grams of the normalized text catch those. Each n-gram is packed into one
64-bit integer (16 bits a character), so looking a text's n-grams up is a vectorized binary search
over a sorted array, not a Python dictionary lookup per n-gram: it keeps the hot path fast.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .features import csr, smoothed_idf, sublinear_tfidf

# The values of the --chars option (techdomain train, python -m techdomain.build): 0 for words only,
# else the longest n-gram, 2 to 4 (four 16-bit characters fill the 64-bit key).
CHARS_CHOICES = (0, 2, 3, 4)
_WIDE = 0xFFFF  # characters beyond 16 bits (rare kanji, emoji) share one code so four fit in 64 bits


def _code_points(texts: Sequence[str]) -> np.ndarray:
    """The texts' characters as uint64 codes, texts separated by 0 (which normalized text never holds)."""
    joined = "\x00".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint64)
    codes[codes > _WIDE] = _WIDE
    return codes


def grams(texts: Sequence[str], low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """Every character n-gram (``low`` <= n <= ``high``) of every text, as (text number, packed n-gram).

    >>> docs, keys = grams(["量子", "AB"], 1, 2)
    >>> docs.tolist(), [unpack(int(k)) for k in keys]
    ([0, 0, 1, 1, 0, 1], ['量', '子', 'A', 'B', '量子', 'AB'])
    """
    if not 1 <= low <= high <= 4:
        raise ValueError(f"character n-grams from {low} to {high}: use lengths between 1 and 4")
    codes = _code_points(texts)
    doc_of = np.cumsum(codes == 0)
    doc_parts, key_parts = [], []
    key, ok = codes, codes != 0
    for n in range(1, high + 1):
        if n > 1:  # extend the (n-1)-grams by one character: one shift and one or per length
            key = (key[:-1] << np.uint64(16)) | codes[n - 1 :]
            ok = ok[:-1] & (codes[n - 1 :] != 0)
        if n >= low:
            at = np.flatnonzero(ok)
            doc_parts.append(doc_of[at])
            key_parts.append(key[at])
    if not key_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    return np.concatenate(doc_parts).astype(np.int64), np.concatenate(key_parts)


def unpack(key: int) -> str:
    """The characters of a packed n-gram (the inverse of the packing in :func:`grams`)."""
    out = []
    while key:
        out.append(chr(key & 0xFFFF))
        key >>= 16
    return "".join(reversed(out))


class CharGrams:
    """A fitted character n-gram TF-IDF vocabulary: sorted packed n-grams and their idf weights."""

    def __init__(self, keys: np.ndarray, idf: np.ndarray, low: int = 2, high: int = 4):
        self.keys = np.asarray(keys, dtype=np.uint64)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.low, self.high = int(low), int(high)
        if len(self.keys) != len(self.idf):
            raise ValueError("n-gram keys and idf differ in length")
        if len(self.keys) > 1 and not bool(np.all(self.keys[1:] > self.keys[:-1])):
            raise ValueError("n-gram keys must be sorted and unique")

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def vocabulary(self) -> list[str]:
        return [unpack(int(k)) for k in self.keys]

    def vocabulary_at(self, j: int) -> str:
        return unpack(int(self.keys[j]))

    @classmethod
    def fit(cls, texts: Sequence[str], low: int = 2, high: int = 4, min_df: int = 5, chunk: int = 2000) -> "CharGrams":
        """Keep the n-grams found in at least ``min_df`` of ``texts`` (normalized text)."""
        seen = []
        for start in range(0, len(texts), chunk):
            docs, keys = grams(texts[start : start + chunk], low, high)
            order = np.lexsort((docs, keys))
            docs, keys = docs[order], keys[order]
            first = np.ones(len(keys), dtype=bool)
            first[1:] = (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])
            seen.append(keys[first])  # each n-gram once per text: document frequency
        all_keys = np.concatenate(seen) if seen else np.zeros(0, dtype=np.uint64)
        vocab, df = np.unique(all_keys, return_counts=True)
        keep = df >= min_df
        return cls(vocab[keep], smoothed_idf(len(texts), df[keep]), low, high)

    def transform_arrays(self, texts: Sequence[str], piece: int = 500) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sublinear TF-IDF rows as CSR arrays (indptr, indices, data), L2-normalized."""
        if len(texts) > piece:  # a text's n-grams take ~30 bytes each in flight: bound that, not the row count
            parts = [self._transform(texts[i : i + piece]) for i in range(0, len(texts), piece)]
            ends = np.cumsum([0] + [p[0][-1] for p in parts[:-1]])
            indptr = np.concatenate([[0]] + [p[0][1:] + e for p, e in zip(parts, ends)])
            return indptr, np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts])
        return self._transform(texts)

    def _transform(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = len(texts)
        docs, keys = grams(texts, self.low, self.high)
        size = max(len(self.keys), 1)
        at = np.searchsorted(self.keys, keys)
        found = self.keys[np.minimum(at, size - 1)] == keys if len(self.keys) else np.zeros(len(keys), dtype=bool)
        pairs, tf = np.unique(docs[found] * size + at[found], return_counts=True)  # (text, n-gram) -> count
        row, col = np.divmod(pairs, size)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
        return indptr, col.astype(np.int32), sublinear_tfidf(indptr, col, tf, self.idf)

    def transform(self, texts: Sequence[str]):
        """TF-IDF rows as a scipy.sparse CSR matrix (for training)."""
        return csr(self.transform_arrays(texts), len(self))
