"""What a classified row looks like: the columns appended to every input row, shared by the CLI and dask."""

from __future__ import annotations

from typing import Any

from .classifier import Decisions
from .taxonomy import NONE, domain


def output_columns(top_k: int) -> list[str]:
    """``domain_id, domain_name, tier, confidence, domain_id_2, confidence_2, ..., domains``."""
    cols = ["domain_id", "domain_name", "tier", "confidence"]
    for r in range(2, top_k + 1):
        cols += [f"domain_id_{r}", f"confidence_{r}"]
    return cols + ["domains"]


def row_values(d: Decisions, i: int, top_k: int) -> list[Any]:
    """The :func:`output_columns` values of text ``i`` of ``d``, in that order."""
    main = int(d.main[i])
    dom = domain(main) if main else NONE
    values: list[Any] = [main, dom.name_ja, dom.tier, round(float(d.confidence[i]), 3)]
    for r in range(1, top_k):
        if r < d.ranked_ids.shape[1]:
            values += [int(d.ranked_ids[i, r]), round(float(d.ranked_proba[i, r]), 3)]
        else:
            values += [None, None]
    values.append(";".join(str(int(x)) for x, a in zip(d.ranked_ids[i], d.assigned[i]) if a))
    return values
