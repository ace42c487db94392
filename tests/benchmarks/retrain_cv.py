"""Does retraining with labelled examples help? 5-fold cross-validation on the dev set's Japanese items.

    python tests/benchmarks/retrain_cv.py [--folds 5] [--chars N]

For each fold: the shipped default model, and a model trained on the seeds plus the other folds'
labelled items (what `techdomain train labelled.csv -o model.npz` does, each labelled item weighing
5 seed texts), are both scored on the held-out fold. Also the expected calibration error (10 bins)
of the held-out folds' pooled confidences: shipped, retrained, and retrained without the confidence
map that training fits on the out-of-fold predictions of the labelled items. Prints one JSON object.
With ``--chars N`` the retrained model also uses character n-grams (``techdomain train --chars N``).
Needs ../shared/data/dev.jsonl.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

import techdomain
from techdomain.build import train_model
from techdomain.evaluate import expected_calibration_error

DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "dev.jsonl"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--chars", type=int, default=0, help="retrain with character n-grams of 2 to N characters")
    args = p.parse_args()
    rows = [json.loads(x) for x in DEV.read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = [r for r in rows if r["lang"] == "ja"]
    texts = [r["text"] for r in rows]
    labels = [r["labels"] or [0] for r in rows]
    main_label = np.array([ls[0] for ls in labels])
    default = techdomain.load()
    base, retrained = [], []
    conf = {k: np.zeros(len(rows)) for k in ("shipped", "retrained", "retrained, no map")}
    right = {k: np.zeros(len(rows), bool) for k in conf}
    for train, test in StratifiedKFold(args.folds, shuffle=True, random_state=0).split(texts, main_label):
        model, _ = train_model([texts[i] for i in train], [labels[i] for i in train], seeds=True, n_jobs=2, chars=args.chars)
        test_texts = [texts[i] for i in test]
        for name, m in (("shipped", default), ("retrained", model)):
            d = m.decide(test_texts)
            conf[name][test], right[name][test] = d.confidence, d.main == main_label[test]
        cmap, model.confidence_map_ = model.confidence_map_, None
        d = model.decide(test_texts)
        conf["retrained, no map"][test], right["retrained, no map"][test] = d.confidence, d.main == main_label[test]
        print(f"fold done; map {cmap}", file=sys.stderr)
        base.append(float(right["shipped"][test].mean()))
        retrained.append(float(right["retrained"][test].mean()))
    print(json.dumps({
        "data": f"{DEV} (lang=ja, {len(rows)} items)",
        "folds": args.folds,
        "chars": args.chars,
        "default_top1": round(float(np.mean(base)), 3),
        "retrained_top1": round(float(np.mean(retrained)), 3),
        "per_fold_default": [round(x, 3) for x in base],
        "per_fold_retrained": [round(x, 3) for x in retrained],
        "worst_domain_top1": {k: round(_worst(right[k], main_label), 3) for k in ("shipped", "retrained")},
        "ece": {k: round(expected_calibration_error(conf[k], right[k]), 3) for k in conf},
    }, indent=1))


def _worst(right: np.ndarray, truth: np.ndarray) -> float:
    """The lowest per-domain top-1 over the pooled held-out folds ('none' items excluded)."""
    return min(float(right[truth == d].mean()) for d in np.unique(truth) if d != 0)


if __name__ == "__main__":
    main()
