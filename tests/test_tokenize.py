"""Token tables made with unidic-lite 1.0.8 (pinned in pyproject.toml): a new dictionary changes them."""

from importlib import metadata

import pytest

from techdomain.tokenize import UNIDIC_LITE_VERSION, tokens, tokens_with_surface


def test_dictionary_version_is_the_pinned_one():
    assert metadata.version("unidic-lite") == UNIDIC_LITE_VERSION


@pytest.mark.parametrize(
    "text, expected",
    [
        ("超伝導量子ビットを用いた誤り訂正符号の実証", ["超", "伝導", "量子", "ビット", "用いる", "誤り", "訂正", "符号", "実証"]),
        # single-kanji words carry domain meaning and are kept
        ("船と海と薬と核", ["船", "海", "薬", "核"]),
        # full-width letters and digits: NFKC first, numbers dropped, acronyms keep their case
        ("ＡＩとＩｏＴで２０２５年", ["AI", "IoT", "年"]),
        ("GNSSとEUVリソグラフィ", ["GNSS", "EUV", "リソ", "グラフ"]),
        # loanword variants meet at one lemma
        ("コンピュータとコンピューター", ["コンピューター", "コンピューター"]),
        # English: lower-cased, stop words dropped, acronyms kept
        ("Deep learning for the mRNA vaccine", ["deep", "learning", "mRNA", "vaccine"]),
        # patent markers are not words of the text
        ("【課題】船体の軽量化【解決手段】高張力鋼", ["船体", "軽量", "化", "高", "張力", "鋼"]),
        # light verbs say nothing about a domain
        ("評価することができる", ["評価"]),
        ("", []),
        ("   ", []),
        ("12345 ... !!!", []),
    ],
)
def test_tokens(text, expected):
    assert tokens(text) == expected


def test_surface_forms_are_kept_for_explanations():
    assert tokens_with_surface("量子ビットを用いた") == [("量子", "量子"), ("ビット", "ビット"), ("用いる", "用い")]


def test_tagger_is_not_part_of_a_pickled_model(tiny_model):
    import pickle

    clone = pickle.loads(pickle.dumps(tiny_model))
    assert clone.predict(["量子ビット"]).tolist() == tiny_model.predict(["量子ビット"]).tolist()
