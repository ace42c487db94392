"""Reading labels the way users write them: ids, slugs, Japanese names, lists, "12;3" or "量子|半導体"."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from .errors import TrainingDataError, UnknownDomainError
from .taxonomy import domain

_SEPARATORS = re.compile(r"[;|；｜]")


def label_ids(value: Any) -> list[int]:
    """Domain ids of one label cell, main label first; ``[0]`` means none of the 16.

    >>> label_ids("12;3"), label_ids(["quantum", "半導体・通信"]), label_ids([]), label_ids(7)
    ([12, 3], [12, 13], [0], [7])
    """
    if isinstance(value, (list, tuple, np.ndarray)):
        parts = list(value)
    elif isinstance(value, str):
        parts = [p for p in (s.strip() for s in _SEPARATORS.split(value)) if p]
    elif value is None or (isinstance(value, float) and math.isnan(value)):
        parts = []
    else:
        parts = [value]
    ids: list[int] = []
    for part in parts:
        if isinstance(part, float) and part.is_integer():
            part = int(part)
        d = domain(part).id
        if d not in ids:
            ids.append(d)
    if len(ids) > 1 and 0 in ids:
        raise UnknownDomainError(f"label {value!r} mixes 'none' with domains; give either domains or none")
    return ids or [0]


def label_matrix(values: Iterable[Any]) -> list[list[int]]:
    """:func:`label_ids` of every cell, with the row number in the error when one is unknown."""
    out = []
    for row, value in enumerate(values):
        try:
            out.append(label_ids(value))
        except UnknownDomainError as e:
            raise TrainingDataError(f"row {row}: {e}") from None
    return out
