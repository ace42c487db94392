import numpy as np
import pytest

from techdomain.chars import CharGrams, grams, unpack
from techdomain.normalize import normalize

from .conftest import TINY_TEXTS


@pytest.mark.parametrize(
    "texts, low, high, expected",
    [
        (["量子"], 1, 2, [(0, "量"), (0, "子"), (0, "量子")]),
        (["量子ビット"], 3, 3, [(0, "量子ビ"), (0, "子ビッ"), (0, "ビット")]),
        (["ab", "cd"], 2, 2, [(0, "ab"), (1, "cd")]),  # no n-gram straddles two texts
        (["a", "", "b c"], 2, 3, [(2, "b "), (2, " c"), (2, "b c")]),  # spaces belong to n-grams, empty texts add none
        (["abcd"], 4, 4, [(0, "abcd")]),
        (["abc"], 4, 4, []),
    ],
)
def test_grams(texts, low, high, expected):
    docs, keys = grams(texts, low, high)
    assert [(int(d), unpack(int(k))) for d, k in zip(docs, keys)] == expected


def test_characters_beyond_16_bits_share_one_code():
    docs, keys = grams(["\U00020bb7野", "\U0001f600野"], 2, 2)  # a rare kanji and an emoji, each before 野
    assert len(keys) == 2 and keys[0] == keys[1] and unpack(int(keys[0])) == "\uffff野"


@pytest.mark.parametrize("low, high", [(0, 2), (3, 2), (2, 5)])
def test_lengths_out_of_range_are_refused(low, high):
    with pytest.raises(ValueError, match="between 1 and 4"):
        grams(["abc"], low, high)


def test_matches_scikit_learns_character_tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [normalize(t) for t in TINY_TEXTS] * 2 + ["量子ビットと量子ビット", "衛星"]
    ours = CharGrams.fit(texts, 2, 4, min_df=2)
    theirs = TfidfVectorizer(analyzer="char", ngram_range=(2, 4), min_df=2, sublinear_tf=True, lowercase=False).fit(texts)
    assert sorted(ours.vocabulary) == sorted(theirs.vocabulary_)
    columns = [theirs.vocabulary_[g] for g in ours.vocabulary]
    np.testing.assert_allclose(ours.transform(texts).toarray(), theirs.transform(texts)[:, columns].toarray(), atol=1e-12)


def test_min_df_keeps_only_ngrams_seen_often_enough():
    vocab = CharGrams.fit(["量子ビット", "量子鍵", "衛星"], 2, 2, min_df=2).vocabulary
    assert vocab == ["量子"]


def test_unknown_and_empty_texts_give_empty_rows():
    g = CharGrams.fit(["量子ビット", "量子鍵"], 2, 3, min_df=1)
    indptr, indices, data = g.transform_arrays(["", "衛星", "量子"])
    assert indptr.tolist() == [0, 0, 0, 1] and g.vocabulary_at(int(indices[0])) == "量子"
    assert data.tolist() == [1.0]  # one n-gram, L2-normalized


def test_keys_must_be_sorted_and_unique():
    with pytest.raises(ValueError, match="sorted and unique"):
        CharGrams(np.array([5, 3], dtype=np.uint64), np.ones(2))
    with pytest.raises(ValueError, match="differ in length"):
        CharGrams(np.array([3, 5], dtype=np.uint64), np.ones(3))


def test_long_inputs_are_transformed_in_pieces_with_the_same_result():
    g = CharGrams.fit([normalize(t) for t in TINY_TEXTS], 2, 4, min_df=1)
    texts = [normalize(t) for t in TINY_TEXTS] * 7 + ["", "未知"]
    whole, pieces = g.transform_arrays(texts, piece=len(texts)), g.transform_arrays(texts, piece=5)
    for a, b in zip(whole, pieces):
        np.testing.assert_array_equal(a, b)
