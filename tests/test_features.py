"""Where tokens become features: n-gram names, register stop words, TF-IDF rows."""

from __future__ import annotations

import numpy as np
import pytest

from techdomain import DomainClassifier
from techdomain.features import REGISTER_WORDS, Features, stop_word_set, terms
from techdomain.tokenize import tokens

from .conftest import TINY_LABELS, TINY_TEXTS


@pytest.mark.parametrize(
    "toks, stop, expected",
    [
        (["量子", "ビット"], frozenset(), ["量子", "ビット", "量子 ビット"]),
        (["量子", "研究", "ビット"], REGISTER_WORDS, ["量子", "ビット", "量子 ビット"]),
        (["research", "on", "qubits"], REGISTER_WORDS, ["on", "qubits", "on qubits"]),
        (["研究", "分析"], REGISTER_WORDS, []),
        ([], REGISTER_WORDS, []),
    ],
)
def test_terms_drop_stop_words_before_pairing(toks, stop, expected):
    assert terms(toks, 2, stop) == expected


def test_register_words_are_lemmas_the_tokenizer_produces():
    # A stop word the tokenizer never emits would silently do nothing.
    produced = set(tokens("本研究では調査と分析に基づき理論的な関係を明らかにし、検討と考察を行った。"))
    produced |= set(tokens("This research presents studies, a study, an analysis and a theory."))
    assert REGISTER_WORDS <= produced


@pytest.mark.parametrize("given, expected", [("register", REGISTER_WORDS), (None, frozenset()), (["a", "b"], {"a", "b"})])
def test_stop_word_set(given, expected):
    assert stop_word_set(given) == expected


def test_unknown_stop_word_name_is_a_clear_error():
    with pytest.raises(ValueError, match="register"):
        stop_word_set("english")


def test_rows_are_l2_normalised_and_ignore_stop_words():
    docs = [["量子", "ビット"], ["衛星", "軌道"], ["量子", "研究"]]
    f = Features.fit(docs, stop_words=REGISTER_WORDS)
    assert "研究" not in f.index
    ptr, ind, data = f.transform_arrays([["量子", "研究", "ビット"], ["研究"]])
    assert np.isclose(np.sum(data[ptr[0] : ptr[1]] ** 2), 1.0)
    assert ptr[2] == ptr[1]  # a text of register words only has no features
    # Dropping 研究 makes the first text the same row as one that never had it.
    same = f.transform_arrays([["量子", "ビット"]])
    assert np.array_equal(ind[ptr[0] : ptr[1]], same[1]) and np.allclose(data[ptr[0] : ptr[1]], same[2])


def test_register_words_move_no_prediction():
    # The tiny corpus' 'none' texts say 研究 and 調査; with the register stop words that must not
    # make research language itself a sign of 'none of the 16'.
    m = DomainClassifier(calibrate=False, stop_words="register").fit(TINY_TEXTS, TINY_LABELS)
    text = "超伝導量子ビットの誤り訂正"
    wordy = "本研究では" + text + "について調査・分析し検討した"
    assert np.allclose(m.predict_proba([text]), m.predict_proba([wordy]), atol=0.02)
    assert m.predict([wordy]).tolist() == [12]


def test_default_keeps_every_word(tiny_model):
    assert tiny_model.stop_words is None and "研究" in tiny_model.features_.index
