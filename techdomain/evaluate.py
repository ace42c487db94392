"""Accuracy figures for a model on labelled texts: the numbers the model card and README quote."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

import numpy as np

from .taxonomy import DOMAIN_IDS


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by bin size."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    if len(confidence) == 0:
        return float("nan")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            total += sel.sum() * abs(correct[sel].mean() - confidence[sel].mean())
    return float(total / len(confidence))


def evaluate(model: Any, texts: Sequence[str], labels: Sequence[Sequence[int]], intervals: int = 0) -> dict:
    """Score ``model`` on ``texts`` with true ``labels`` (lists of domain ids, main first; [0] = none).

    Returns a dict: n, top1 (main label, abstention counted as predicting 0), top3 (labelled items:
    main label among the 3 most probable domains), macro_f1 (over the 16 domains),
    per_domain {id: precision, recall, f1, support}, worst_domain_top1, none_abstained,
    wrongly_abstained, ece, the multi-label figures over labelled items (label_set_precision,
    label_set_recall, label_set_f1: micro-averaged over the domains assigned by ``classify`` against
    all true labels; multi_true and multi_assigned: items with two or more), confusion (rows true,
    columns predicted, ids 0-16), and per item: predicted, confidence, correct.

    With ``intervals`` > 0 it also holds ``intervals``: for each :data:`WITH_INTERVALS` figure, its 95%
    percentile bootstrap interval over that many resamples of the items (fixed seed, so reruns
    agree). On a couple of hundred items they are several points wide: quote a figure with its
    interval.
    """
    items = _Items.of(model, texts, labels)
    prec, rec, f1, sup = _domain_scores(items.main, items.pred)
    label_sets = _label_set_summary(*items.overlaps)
    confusion = np.zeros((17, 17), dtype=int)
    np.add.at(confusion, (items.main, items.pred), 1)
    out = {
        "n": int(len(items.main)),
        "n_labelled": int((items.main != 0).sum()),
        "n_none": int((items.main == 0).sum()),
        **_summary(items, np.arange(len(items.main)), prec, rec, f1, sup),
        "label_set_precision": label_sets["precision"],
        "label_set_recall": label_sets["recall"],
        "multi_true": label_sets["multi_true"],
        "multi_assigned": label_sets["multi_assigned"],
        "per_domain": {
            d: {"precision": float(prec[i]), "recall": float(rec[i]), "f1": float(f1[i]), "support": int(sup[i])}
            for i, d in enumerate(DOMAIN_IDS)
        },
        "confusion": confusion.tolist(),
        "predicted": items.pred.tolist(),
        "confidence": items.conf.tolist(),
        "correct": (items.pred == items.main).tolist(),
    }
    if intervals > 0:
        out["intervals"] = bootstrap_intervals(items, intervals)
    return out


# The figures that are one number over the whole set.
SUMMARY = ("top1", "top1_labelled", "top3", "macro_f1", "worst_domain_top1", "none_abstained",
           "wrongly_abstained", "ece", "label_set_f1")
# Those given an interval. Not the worst domain's: the bootstrap cannot bound a minimum over
# domains of ten items or so (resamples that thin a domain drag it down, so the interval sits
# below the figure itself).
WITH_INTERVALS = tuple(k for k in SUMMARY if k != "worst_domain_top1")


@dataclass(frozen=True)
class _Items:
    """What each item contributes to the figures, so that a resample is scored without the model."""

    main: np.ndarray  # true main label, 0 = none
    pred: np.ndarray  # decision, 0 = abstained
    conf: np.ndarray  # confidence of the decision (the none class included)
    hit3: np.ndarray  # main label among the 3 most probable domains
    assigned: list[set[int]]  # the domains classify() assigns
    true: list[set[int]]  # every true domain (empty for none)

    @classmethod
    def of(cls, model: Any, texts: Sequence[str], labels: Sequence[Sequence[int]]) -> "_Items":
        main = np.array([ls[0] if len(ls) else 0 for ls in labels], dtype=int)
        d = model.decide(texts, top_k=3)
        return cls(
            main=main, pred=np.asarray(d.main, dtype=int), conf=np.asarray(d.confidence, dtype=float),
            hit3=np.array([m in row for m, row in zip(main, d.ranked_ids)], dtype=bool),
            assigned=assigned_sets(d), true=[set(ls) - {0} for ls in labels],
        )

    @cached_property
    def overlaps(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`_overlap_counts` per item, all 0 for none items, which the label-set figures leave out."""
        hits, n_assigned, n_true = _overlap_counts(self.assigned, self.true)
        return hits, n_assigned * (n_true > 0), n_true


def _summary(items: _Items, idx: np.ndarray, prec, rec, f1, sup) -> dict[str, float]:
    """The :data:`SUMMARY` figures over items ``idx`` (repeats allowed: a bootstrap resample), given
    the per-domain scores of those items."""
    main, pred = items.main[idx], items.pred[idx]
    labelled = main != 0
    correct = pred == main
    present = sup > 0
    hits, n_assigned, n_true = (a[idx] for a in items.overlaps)

    def mean(x: np.ndarray) -> float:
        return float(x.mean()) if len(x) else float("nan")

    return {
        "top1": mean(correct),
        "top1_labelled": mean(correct[labelled]),
        "top3": mean(items.hit3[idx][labelled]),
        "macro_f1": float(f1[present].mean()) if present.any() else float("nan"),
        "worst_domain_top1": float(rec[present].min()) if present.any() else float("nan"),
        "none_abstained": mean(pred[~labelled] == 0),
        "wrongly_abstained": mean(pred[labelled] == 0),
        "ece": expected_calibration_error(items.conf[idx], correct),
        "label_set_f1": float(_micro(hits.sum(), n_assigned.sum(), n_true.sum())["f1"]),
    }


def bootstrap_intervals(items: _Items, resamples: int = 1000, level: float = 0.95, seed: int = 0) -> dict[str, list[float]]:
    """The percentile bootstrap interval of each :data:`WITH_INTERVALS` figure, items drawn with replacement."""
    rng = np.random.default_rng(seed)
    n = len(items.main)
    draws: dict[str, list[float]] = {k: [] for k in WITH_INTERVALS}
    for _ in range(resamples):
        idx = rng.integers(0, n, n)
        figures = _summary(items, idx, *_domain_scores(items.main[idx], items.pred[idx]))
        for k in WITH_INTERVALS:
            draws[k].append(figures[k])
    tail = (1 - level) / 2 * 100
    out = {}
    for k, v in draws.items():
        v = np.asarray(v)
        v = v[~np.isnan(v)]  # a resample without a none item has no none_abstained
        out[k] = [float(x) for x in np.percentile(v, [tail, 100 - tail])] if len(v) else [float("nan")] * 2
    return out


def _domain_scores(main: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1 and support of each of the 16 domains (0 where undefined), as
    scikit-learn's ``precision_recall_fscore_support(..., zero_division=0)`` gives them; counted with
    ``bincount`` so that a thousand bootstrap resamples take milliseconds each, not a second."""
    n = len(DOMAIN_IDS) + 1
    hits = np.bincount(main[main == pred], minlength=n)[1:].astype(float)
    support = np.bincount(main, minlength=n)[1:]
    predicted = np.bincount(pred, minlength=n)[1:]
    prec = np.divide(hits, predicted, out=np.zeros(n - 1), where=predicted > 0)
    rec = np.divide(hits, support, out=np.zeros(n - 1), where=support > 0)
    f1 = np.divide(2 * hits, predicted + support, out=np.zeros(n - 1), where=predicted + support > 0)
    return prec, rec, f1, support


def assigned_sets(d: Any) -> list[set[int]]:
    """The domains :meth:`~techdomain.DomainClassifier.decide` assigns to each text, as sets of ids."""
    return [set(ids[keep].tolist()) for ids, keep in zip(d.ranked_ids, d.assigned)]


def label_set_figures(assigned: Sequence[set[int]], true: Sequence[set[int]]) -> dict:
    """Micro-averaged precision, recall and F1 of assigned domain sets against true ones, and how
    many texts have two or more of each (multi_assigned, multi_true)."""
    return _label_set_summary(*_overlap_counts(assigned, true))


def _label_set_summary(hits: np.ndarray, n_assigned: np.ndarray, n_true: np.ndarray) -> dict:
    return {
        **_micro(hits.sum(), n_assigned.sum(), n_true.sum()),
        "multi_assigned": int((n_assigned > 1).sum()),
        "multi_true": int((n_true > 1).sum()),
    }


def _overlap_counts(assigned: Sequence[set[int]], true: Sequence[set[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per text: assigned domains that are true, domains assigned, true domains."""
    return (np.array([len(a & t) for a, t in zip(assigned, true)], dtype=int),
            np.array([len(a) for a in assigned], dtype=int), np.array([len(t) for t in true], dtype=int))


def _micro(hits: int, n_assigned: int, n_true: int) -> dict[str, float]:
    return {
        "precision": hits / n_assigned if n_assigned else float("nan"),
        "recall": hits / n_true if n_true else float("nan"),
        "f1": 2 * hits / (n_assigned + n_true) if n_assigned + n_true else float("nan"),
    }


def figure_text(r: dict, key: str) -> str:
    """Figure ``key`` of an :func:`evaluate` result as text, with its interval when it has one."""
    span = r.get("intervals", {}).get(key)
    return f"{r[key]:.3f}" if span is None else f"{r[key]:.3f} [{span[0]:.3f}, {span[1]:.3f}]"


def format_report(results: dict[str, dict]) -> str:
    """A plain-text report of :func:`evaluate` results (one block per subset)."""
    from .taxonomy import DOMAINS

    lines = []
    for name, r in results.items():
        lines.append(f"== {name}: {r['n']} items ({r['n_labelled']} labelled, {r['n_none']} none of the 16)")
        f = partial(figure_text, r)
        lines.append(
            f"top-1 {f('top1')}  top-1 (labelled) {f('top1_labelled')}  top-3 {f('top3')}  "
            f"macro-F1 {f('macro_f1')}  worst domain top-1 {f('worst_domain_top1')}"
        )
        lines.append(
            f"none abstained {f('none_abstained')}  labelled wrongly abstained {f('wrongly_abstained')}  "
            f"ECE {f('ece')}"
        )
        if r["n_labelled"]:
            lines.append(
                f"multi-label: label-set precision {r['label_set_precision']:.3f}  recall {r['label_set_recall']:.3f}  "
                f"F1 {f('label_set_f1')}  (two or more domains: {r['multi_assigned']} assigned, {r['multi_true']} true)"
            )
    if any("intervals" in r for r in results.values()):
        lines.append("[ ]: 95% bootstrap interval over the items")
    r = next(iter(results.values()))
    lines.append("")
    lines.append(" id domain                                  prec   rec    F1  support")
    for d in DOMAINS:
        m = r["per_domain"][d.id]
        if m["support"] or m["precision"]:
            lines.append(f"{d.id:>3} {d.slug:<38} {m['precision']:.2f}  {m['recall']:.2f}  {m['f1']:.2f}  {m['support']:>5}")
    lines.append("")
    lines.append("confusion (rows: true, columns: predicted; 0 = none)")
    ids = range(17)
    lines.append("     " + "".join(f"{i:>4}" for i in ids))
    for i in ids:
        row = r["confusion"][i]
        if sum(row):
            lines.append(f"{i:>4} " + "".join(f"{v:>4}" if v else "   ." for v in row))
    return "\n".join(lines)
