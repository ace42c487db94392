import pytest

from techdomain import TrainingDataError, UnknownDomainError
from techdomain.labels import label_ids, label_matrix


@pytest.mark.parametrize(
    "value, expected",
    [
        (12, [12]), ("12", [12]), (12.0, [12]), ("quantum", [12]), ("量子", [12]),
        ("12;3", [12, 3]), ("量子|半導体・通信", [12, 13]), (["space", 4], [16, 4]), ([], [0]),
        ("", [0]), (None, [0]), (float("nan"), [0]), ("none", [0]), ("12; 12", [12]), ("宇宙；農業", [16, 4]),
    ],
)  # fmt: skip
def test_label_ids(value, expected):
    assert label_ids(value) == expected


def test_unknown_label():
    with pytest.raises(UnknownDomainError):
        label_ids("quantam")


def test_none_mixed_with_a_domain_is_refused():
    with pytest.raises(UnknownDomainError, match="mixes"):
        label_ids("none;12")


def test_row_number_in_errors():
    with pytest.raises(TrainingDataError, match="row 2"):
        label_matrix([1, 2, "bogus"])
