"""Top-1 on held-out seed exemplars: the yardstick for knowledge-base passes, with no dev text in it.

    python tests/benchmarks/heldout_seeds.py [--seeds DIR] [--method M] [--C C] [--alpha A] [--chars N]

Trains the shipped model's configuration (its method and C or alpha, no temperature: top-1 does not
need one; options override them) on every
seed text except the held-out lines, and scores those: all `more.*` exemplars (written in a later
pass, in plainer language, so the closest thing the seeds have to unseen abstracts) and every other
line of `boundary.*` (odd line numbers). Prints top-1 for the Japanese and the English held-out
lines. To judge a change to the seeds, run it on a copy with and without the change (``--seeds``).
Takes two to three minutes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from techdomain import DomainClassifier
from techdomain.build import shipped_params
from techdomain.classifier import METHODS
from techdomain.seeds import load_seeds


def held_out(source: str) -> bool:
    name, line = source.rsplit(":", 1)
    return "/more." in name or ("/boundary." in name and int(line) % 2 == 1)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", type=Path, default=None, help="a seeds/ directory (default: the bundled one)")
    p.add_argument("--method", choices=METHODS, default=None, help="default: the shipped model's")
    p.add_argument("--C", type=float, default=None, help="logistic regularisation (default: the shipped model's)")
    p.add_argument("--alpha", type=float, default=None, help="naive Bayes smoothing (default: the shipped model's)")
    p.add_argument("--chars", type=int, default=0, help="also character n-grams of 2 to N characters (default 0: words only)")
    args = p.parse_args()
    corpus = load_seeds(args.seeds)
    held = np.array([held_out(s) for s in corpus.sources])
    lang = np.array([".ja." in s for s in corpus.sources])
    y = np.array(corpus.labels)
    train = np.flatnonzero(~held)
    shipped = shipped_params()  # read from the model file's header, without loading its arrays
    method = args.method or shipped["method"]
    C = args.C or shipped["C"]
    alpha = args.alpha or shipped["alpha"]
    model = DomainClassifier(method=method, C=C, alpha=alpha, calibrate=False, n_jobs=2, chars=args.chars)
    model.fit([corpus.texts[i] for i in train], y[train])
    out = {"seeds": str(args.seeds or "bundled"), "sha256": corpus.sha256, "method": method, "C": C, "alpha": alpha, "chars": args.chars, "trained on": int(len(train))}
    for name, sel in (("ja", held & lang), ("en", held & ~lang)):
        idx = np.flatnonzero(sel)
        pred = model.predict([corpus.texts[i] for i in idx])
        out[f"held-out {name}"] = {"n": int(len(idx)), "top1": round(float((pred == y[idx]).mean()), 3)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
