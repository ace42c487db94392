import pytest

from techdomain.normalize import normalize


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ＡＩロボット", "AIロボット"),
        ("１０〜２０ｋｍ", "10~20km"),
        ("10～20", "10~20"),
        ("Si‐Ge—系", "Si-Ge-系"),
        ("【課題】船体の軽量化。【解決手段】高張力鋼を用いる。", "船体の軽量化。 高張力鋼を用いる。"),
        ("a\u200bb\x00c\ufeff", "a b c"),
        ("  \t\n ", ""),
        ("ｶﾀｶﾅ", "カタカナ"),
        ("e\u0301", "é"),
        ("x\ud800y", "x y"),
        ("コンピューター", "コンピューター"),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected
