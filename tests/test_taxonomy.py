import pytest

import techdomain
from techdomain import DOMAINS, UnknownDomainError, domain

SLUGS = [
    "shipbuilding", "aviation", "digital_cyber", "agri_food", "energy_gx", "disaster_resilience", "drug_medical",
    "materials", "mobility_logistics", "ocean", "ai_robotics", "quantum", "semicon_comm", "bio_health", "fusion", "space",
]  # fmt: skip


def test_sixteen_domains_with_the_agreed_slugs():
    assert [d.id for d in DOMAINS] == list(range(1, 17))
    assert [d.slug for d in DOMAINS] == SLUGS


def test_tiers_and_tax_credit():
    for d in DOMAINS:
        strategic = d.id >= 11
        assert d.tier == ("national_strategic" if strategic else "emerging_foundational")
        assert d.tax_credit_strategic is strategic


def test_records_are_immutable():
    with pytest.raises(AttributeError):
        DOMAINS[0].slug = "x"


@pytest.mark.parametrize(
    "key, expected",
    [(12, 12), ("12", 12), ("quantum", 12), ("量子", 12), ("宇宙", 16), ("Space", 16), ("ＡＩ・先端ロボット", 11),
     ("農業", 4), ("農業・林業・水産（フードテックを含む）", 4), (" fusion ", 15), (0, 0), ("none", 0)],
)  # fmt: skip
def test_lookup(key, expected):
    assert domain(key).id == expected


@pytest.mark.parametrize("key", [17, -1, "quantam", "", True, None, 3.5])
def test_unknown_domain_is_a_clear_error(key):
    with pytest.raises(UnknownDomainError, match="valid ids and slugs"):
        domain(key)


def test_exported():
    assert techdomain.domain is domain and techdomain.DOMAINS is DOMAINS
