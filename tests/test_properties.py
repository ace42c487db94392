"""Property-based tests over arbitrary Unicode: nothing escapes, probabilities stay probabilities."""

import unicodedata

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techdomain.normalize import normalize
from techdomain.tokenize import tokens

# Every code point, lone surrogates and control characters included, plus pieces that real input
# mixes: Japanese, half-width katakana, emoji, zero-width and combining marks.
pieces = st.sampled_from(["量子ビット", "ｶﾀｶﾅ", "🚀", "\u200b", "\u0301", "\x00", "\ud800", "【課題】", "AI", "５Ｇ", " ", "\n", "123"])
texts = st.lists(st.one_of(st.text(st.characters(codec=None), max_size=20), pieces), max_size=12).map("".join)
common = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@common
@given(texts)
def test_tokenizer_never_raises(text):
    out = tokens(text)
    assert all(isinstance(t, str) and t and not t.isspace() for t in out)


@common
@given(texts)
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@common
@given(texts)
def test_probabilities_are_probabilities(model, text):
    p = model.predict_proba([text])
    assert p.shape == (1, 16)
    assert np.isfinite(p).all() and (p >= 0).all() and (p <= 1).all()
    np.testing.assert_allclose(p.sum(), 1.0, rtol=1e-6)
    assert model.predict([text])[0] in range(17)


@common
@given(texts)
def test_same_text_same_answer_and_nfkc_equivalents_agree(model, text):
    a = model.predict_proba([text, text])
    np.testing.assert_array_equal(a[0], a[1])
    b = model.predict_proba([unicodedata.normalize("NFKC", text)])
    np.testing.assert_allclose(a[0], b[0], rtol=1e-6, atol=1e-9)


@common
@given(texts)
def test_classify_and_explain_never_raise(model, text):
    preds = model.classify(text)
    assert all(0 < p.score <= 1 for p in preds)
    for t in model.explain(text, n=5):
        assert t.weight > 0 and t.term


def test_one_megabyte_cell_is_cut(model):
    # Only the first max_chars (20,000 by default) characters are read, so the work is bounded:
    # the quantum text after them changes nothing.
    head = "江戸時代の史料。" * 2500
    assert len(head) == model.max_chars
    text = head + "量子ビットの誤り訂正。" * 100_000  # ~1.1 M characters
    np.testing.assert_array_equal(model.predict_proba([text]), model.predict_proba([head]))
