"""Does retraining with labelled examples help? 5-fold cross-validation on the dev set's Japanese items.

    python tests/benchmarks/retrain_cv.py [--folds 5]

For each fold: the shipped default model, and a model trained on the seeds plus the other folds'
labelled items (what `techdomain train labelled.csv -o model.npz` does, each labelled item weighing
5 seed texts), are both scored on the held-out fold. Prints one JSON object. Needs ../shared/data/dev.jsonl.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

import techdomain
from techdomain.build import train_model

DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "dev.jsonl"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--folds", type=int, default=5)
    args = p.parse_args()
    rows = [json.loads(x) for x in DEV.read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = [r for r in rows if r["lang"] == "ja"]
    texts = [r["text"] for r in rows]
    labels = [r["labels"] or [0] for r in rows]
    main_label = np.array([ls[0] for ls in labels])
    default = techdomain.load()
    base, retrained = [], []
    for train, test in StratifiedKFold(args.folds, shuffle=True, random_state=0).split(texts, main_label):
        model, _ = train_model([texts[i] for i in train], [labels[i] for i in train], seeds=True, n_jobs=2)
        test_texts = [texts[i] for i in test]
        base.append(float((default.predict(test_texts) == main_label[test]).mean()))
        retrained.append(float((model.predict(test_texts) == main_label[test]).mean()))
    print(json.dumps({
        "data": f"{DEV} (lang=ja, {len(rows)} items)",
        "folds": args.folds,
        "default_top1": round(float(np.mean(base)), 3),
        "retrained_top1": round(float(np.mean(retrained)), 3),
        "per_fold_default": [round(x, 3) for x in base],
        "per_fold_retrained": [round(x, 3) for x in retrained],
    }, indent=1))


if __name__ == "__main__":
    main()
