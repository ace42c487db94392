"""Accuracy figures for a model on labelled texts: the numbers the model card and README quote."""

from __future__ import annotations

from collections.abc import Sequence
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


def evaluate(model: Any, texts: Sequence[str], labels: Sequence[Sequence[int]]) -> dict:
    """Score ``model`` on ``texts`` with true ``labels`` (lists of domain ids, main first; [0] = none).

    Returns a dict: n, top1 (main label, abstention counted as predicting 0), top3 (labelled items:
    main label among the 3 most probable domains), macro_f1 (over the 16 domains),
    per_domain {id: precision, recall, f1, support}, worst_domain_top1, none_abstained,
    wrongly_abstained, ece, the multi-label figures over labelled items (label_set_precision,
    label_set_recall, label_set_f1: micro-averaged over the domains assigned by ``classify`` against
    all true labels; multi_true and multi_assigned: items with two or more), confusion (rows true,
    columns predicted, ids 0-16), and per item: predicted, confidence, correct.
    """
    from sklearn.metrics import precision_recall_fscore_support

    main = np.array([ls[0] if len(ls) else 0 for ls in labels])
    d = model.decide(texts, top_k=3)
    pred, top3 = d.main, d.ranked_ids
    labelled = main != 0
    hit3 = np.array([m in row for m, row in zip(main, top3)])
    ids = list(DOMAIN_IDS)
    prec, rec, f1, sup = precision_recall_fscore_support(main, pred, labels=ids, zero_division=0)
    present = sup > 0
    # Confidence of the decision actually taken (the none class included), for calibration.
    conf = d.confidence
    correct = pred == main
    confusion = np.zeros((17, 17), dtype=int)
    for t, q in zip(main, pred):
        confusion[t, q] += 1
    # Multi-label: the domains classify() assigns against every true label, over labelled items.
    pairs = [(a, t) for a, t in zip(assigned_sets(d), (set(ls) - {0} for ls in labels)) if t]
    label_sets = label_set_figures([a for a, _ in pairs], [t for _, t in pairs])
    per_domain = {
        d: {"precision": float(prec[i]), "recall": float(rec[i]), "f1": float(f1[i]), "support": int(sup[i])}
        for i, d in enumerate(ids)
    }
    return {
        "n": int(len(main)),
        "n_labelled": int(labelled.sum()),
        "n_none": int((~labelled).sum()),
        "top1": float(correct.mean()) if len(main) else float("nan"),
        "top1_labelled": float(correct[labelled].mean()) if labelled.any() else float("nan"),
        "top3": float(hit3[labelled].mean()) if labelled.any() else float("nan"),
        "macro_f1": float(f1[present].mean()) if present.any() else float("nan"),
        "worst_domain_top1": float(rec[present].min()) if present.any() else float("nan"),
        "none_abstained": float((pred[~labelled] == 0).mean()) if (~labelled).any() else float("nan"),
        "wrongly_abstained": float((pred[labelled] == 0).mean()) if labelled.any() else float("nan"),
        "ece": expected_calibration_error(conf, correct),
        **{f"label_set_{k}": v for k, v in label_sets.items() if k in ("precision", "recall", "f1")},
        "multi_true": label_sets["multi_true"],
        "multi_assigned": label_sets["multi_assigned"],
        "per_domain": per_domain,
        "confusion": confusion.tolist(),
        "predicted": pred.tolist(),
        "confidence": conf.tolist(),
        "correct": correct.tolist(),
    }


def assigned_sets(d: Any) -> list[set[int]]:
    """The domains :meth:`~techdomain.DomainClassifier.decide` assigns to each text, as sets of ids."""
    return [set(ids[keep].tolist()) for ids, keep in zip(d.ranked_ids, d.assigned)]


def label_set_figures(assigned: Sequence[set[int]], true: Sequence[set[int]]) -> dict:
    """Micro-averaged precision, recall and F1 of assigned domain sets against true ones, and how
    many texts have two or more of each (multi_assigned, multi_true)."""
    hits = sum(len(a & t) for a, t in zip(assigned, true))
    n_assigned, n_true = sum(map(len, assigned)), sum(map(len, true))
    return {
        "precision": hits / n_assigned if n_assigned else float("nan"),
        "recall": hits / n_true if n_true else float("nan"),
        "f1": 2 * hits / (n_assigned + n_true) if n_assigned + n_true else float("nan"),
        "multi_assigned": sum(len(a) > 1 for a in assigned),
        "multi_true": sum(len(t) > 1 for t in true),
    }


def format_report(results: dict[str, dict]) -> str:
    """A plain-text report of :func:`evaluate` results (one block per subset)."""
    from .taxonomy import DOMAINS

    lines = []
    for name, r in results.items():
        lines.append(f"== {name}: {r['n']} items ({r['n_labelled']} labelled, {r['n_none']} none of the 16)")
        lines.append(
            f"top-1 {r['top1']:.3f}  top-1 (labelled) {r['top1_labelled']:.3f}  top-3 {r['top3']:.3f}  "
            f"macro-F1 {r['macro_f1']:.3f}  worst domain top-1 {r['worst_domain_top1']:.3f}"
        )
        lines.append(
            f"none abstained {r['none_abstained']:.3f}  labelled wrongly abstained {r['wrongly_abstained']:.3f}  "
            f"ECE {r['ece']:.3f}"
        )
        if r["n_labelled"]:
            lines.append(
                f"multi-label: label-set precision {r['label_set_precision']:.3f}  recall {r['label_set_recall']:.3f}  "
                f"F1 {r['label_set_f1']:.3f}  (two or more domains: {r['multi_assigned']} assigned, {r['multi_true']} true)"
            )
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
