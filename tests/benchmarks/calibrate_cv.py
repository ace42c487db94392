"""Does recalibrating confidence on your own labelled abstracts help? Cross-validation on the dev set.

    python tests/benchmarks/calibrate_cv.py [--repeats 20] [--isotonic | --temperature]

For each of 5 folds of ../shared/data/dev.jsonl: ``fit_confidence`` (what ``techdomain calibrate``
does) on ``size`` items drawn from the other folds, then the held-out fold is scored. The folds'
held-out confidences are pooled and the expected calibration error (10 bins, as ``techdomain
evaluate``) computed, per language, for the shipped model and the recalibrated one. Repeated with
new folds and draws; prints one JSON object with the mean and the 10th-90th percentile range.
The shipped model itself is never changed, and decisions are checked to be the same.
``--isotonic`` scores the alternative that was not adopted: an isotonic regression from the top
probability to "right", fitted on the same draws; ``--temperature`` refits the softmax temperature
on them (by log-loss, as training does on the seeds), to show whether a rescaling alone would do.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

import techdomain
from techdomain.errors import TrainingDataError
from techdomain.evaluate import expected_calibration_error

DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "dev.jsonl"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--sizes", type=int, nargs="+", default=[40, 80, 1000], help="labelled items per fit (1000: all of the other folds)")
    p.add_argument("--isotonic", action="store_true", help="an isotonic map instead of fit_confidence's two-number map")
    p.add_argument("--temperature", action="store_true", help="refit the softmax temperature instead")
    args = p.parse_args()
    rows = [json.loads(x) for x in DEV.read_text(encoding="utf-8").splitlines() if x.strip()]
    texts = [r["text"] for r in rows]
    labels = [r["labels"] or [0] for r in rows]
    truth = np.array([ls[0] for ls in labels])
    lang = np.array([r["lang"] for r in rows])
    shipped = techdomain.load()
    base = shipped.decide(texts)
    right = base.main == truth
    logits = shipped._scores(texts)[0] if args.temperature else None
    out: dict = {
        "data": f"{DEV} ({len(rows)} items: {', '.join(f'{v} {int((lang == v).sum())}' for v in sorted(set(lang)))})",
        "metric": "ECE, 10 equal-width bins, of the main decision's confidence (none included), held-out folds pooled",
        "shipped": {v: round(expected_calibration_error(base.confidence[sel], right[sel]), 3)
                    for v, sel in _subsets(lang).items()},
    }
    rng = np.random.default_rng(0)
    model = techdomain.load()
    for size in args.sizes:
        ece: dict[str, list[float]] = {v: [] for v in _subsets(lang)}
        refused = 0
        for rep in range(args.repeats):
            conf = np.full(len(rows), np.nan)
            for train, test in KFold(5, shuffle=True, random_state=rep).split(texts):
                train = rng.choice(train, min(size, len(train)), replace=False)
                if args.isotonic:
                    conf[test] = _isotonic(base.confidence[train], right[train], base.confidence[test])
                    continue
                if args.temperature:
                    conf[test] = _temperature(logits, np.searchsorted(shipped.all_classes_, truth), train, test)
                    continue
                try:
                    model.fit_confidence([texts[i] for i in train], [labels[i] for i in train])
                except TrainingDataError:  # e.g. a draw the model got all right: nothing to fit
                    model.confidence_map_ = None
                    refused += 1
                d = model.decide([texts[i] for i in test])
                assert (d.main == base.main[test]).all(), "recalibration changed a decision"
                conf[test] = d.confidence
            for v, sel in _subsets(lang).items():
                ece[v].append(expected_calibration_error(conf[sel], right[sel]))
        method = "isotonic, " if args.isotonic else "temperature, " if args.temperature else ""
        out[f"{method}recalibrated on {size if size < len(rows) else 'all other-fold'} items"] = {
            v: {"mean": round(float(np.mean(e)), 3), "p10-p90": [round(float(q), 3) for q in np.quantile(e, [0.1, 0.9])]}
            for v, e in ece.items()
        } | {"fits refused": refused}
    print(json.dumps(out, ensure_ascii=False, indent=1))


def _isotonic(conf: np.ndarray, right: np.ndarray, new: np.ndarray) -> np.ndarray:
    from sklearn.isotonic import IsotonicRegression

    return IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(conf, right).predict(new)


def _temperature(logits: np.ndarray, truth: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    from techdomain.classifier import best_temperature, softmax

    return softmax(logits[test] / best_temperature(logits[train], truth[train])).max(axis=1)


def _subsets(lang: np.ndarray) -> dict[str, np.ndarray]:
    return {"all": np.ones(len(lang), bool), **{str(v): lang == v for v in sorted(set(lang))}}


if __name__ == "__main__":
    main()
