"""The 16 technology domains, read from seeds/taxonomy.json."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Union

import numpy as np

from .errors import UnknownDomainError
from .resources import seeds_dir

NATIONAL_STRATEGIC = "national_strategic"
EMERGING_FOUNDATIONAL = "emerging_foundational"


@dataclass(frozen=True)
class Domain:
    """One technology domain.

    >>> import techdomain
    >>> d = techdomain.domain("quantum")
    >>> d.id, d.name_ja, d.tier, d.tax_credit_strategic
    (12, '量子', 'national_strategic', True)
    """

    id: int
    slug: str
    name_ja: str
    name_en: str
    tier: str
    tax_credit_strategic: bool

    def __str__(self) -> str:
        return f"{self.id} {self.name_ja}"


def _read() -> tuple[tuple[Domain, ...], Domain]:
    data = json.loads((seeds_dir() / "taxonomy.json").read_text(encoding="utf-8"))
    domains = tuple(Domain(**d) for d in data["domains"])
    none = Domain(tier="none", tax_credit_strategic=False, **data["none"])
    return domains, none


DOMAINS, NONE = _read()
"""DOMAINS: the 16 domains in id order. NONE: the id-0 record used for 'none of the 16'."""

DOMAIN_IDS: tuple[int, ...] = tuple(d.id for d in DOMAINS)


def _key(text: str) -> str:
    # Users type names with full-width or half-width forms and odd spacing; compare them folded.
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


_BY_KEY: dict[str, Domain] = {}
for _d in DOMAINS + (NONE,):
    for _k in (str(_d.id), _d.slug, _d.name_ja, _d.name_en):
        _BY_KEY[_key(_k)] = _d
# Short Japanese names as people write them: "農業・林業・水産" or just "農業" for
# 農業・林業・水産（フードテックを含む）. No part is shared by two domains.
for _d in DOMAINS:
    _short = _d.name_ja.split("（")[0]
    for _k in [_short, *_short.split("・")]:
        _BY_KEY.setdefault(_key(_k), _d)
_BY_KEY.setdefault(_key("none of the 16"), NONE)
_BY_KEY.setdefault(_key("なし"), NONE)

DomainLike = Union[int, str, Domain]


def domain(x: DomainLike) -> Domain:
    """Find a domain by id (1-16), slug, Japanese or English name; 0 / "none" give ``NONE``.

    >>> import techdomain
    >>> techdomain.domain(12).slug
    'quantum'
    >>> techdomain.domain("宇宙").id
    16
    """
    if isinstance(x, Domain):
        return x
    if isinstance(x, bool):  # bool is an int; True would silently mean domain 1
        raise UnknownDomainError(f"{x!r} is not a domain; valid ids and slugs: 1-16, e.g. 12 or 'quantum'")
    if isinstance(x, np.integer):
        x = int(x)
    found = _BY_KEY.get(_key(str(x))) if isinstance(x, (int, str)) else None
    if found is None:
        valid = ", ".join(f"{d.id}={d.slug}" for d in DOMAINS)
        raise UnknownDomainError(f"unknown domain {x!r}; valid ids and slugs: {valid} (0 or 'none' for none of the 16)")
    return found
