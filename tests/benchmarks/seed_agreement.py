"""How often does an independent annotator give a seed exemplar the label its writer gave it?

    python tests/benchmarks/seed_agreement.py

Reads seed_relabels.tsv (510 seed exemplars, 30 per class, relabelled by annotators who saw only
the text and the domain table with its boundary rules) and prints one JSON object:
- agreement between the written and the independent main label, overall and for boundary.* lines;
- how often a second domain was given (about a quarter of real abstracts span two);
- the label-noise floor eps that best explains the independent labels, P = (1 - eps) * p + eps / 17,
  where p comes from a model trained on the seeds without these 510 lines, at the shipped temperature;
- for each multi-label rule (``secondary_ratio`` alone, then with ``secondary_evidence``), the
  label-set micro-F1, precision and recall of that model's ``classify`` against the annotators' main
  and second labels, and how many texts it gives two or more domains: the seeds' own evidence for
  where the thresholds go.

Why it matters: on real abstracts the shipped model is overconfident (dev ECE in the model card).
A floor fitted here would be a way to correct that without touching real abstracts; a floor of 0
means the seeds cannot see the disagreement between real labellers and the seed writers.
Takes about two minutes (one training run).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

import techdomain
from techdomain import DomainClassifier
from techdomain.evaluate import assigned_sets, label_set_figures
from techdomain.seeds import load_seeds

HERE = Path(__file__).resolve().parent
# (secondary_ratio, secondary_evidence): the probability rule alone, then with the evidence rule.
RULES = [(r, None) for r in (0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01)] + [(0.5, e) for e in (0.7, 0.6, 0.5, 0.4, 0.35, 0.3, 0.2)]


def main() -> None:
    rows = [line.split("\t") for line in (HERE / "seed_relabels.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")][1:]
    corpus = load_seeds()
    where = {s: i for i, s in enumerate(corpus.sources)}
    idx, written, main, second, stale, gold = [], [], [], [], [], []
    for source, sha, w, m, s in rows:
        i = where.get(source)
        if i is None or hashlib.sha1(corpus.texts[i].encode()).hexdigest()[:12] != sha:
            stale.append(source)  # the seed line was edited since it was relabelled
            continue
        idx.append(i), written.append(int(w)), main.append(int(m)), second.append(s != "-")
        gold.append({int(m)} - {0} | ({int(s)} if s != "-" else set()))
    written, main, second = np.array(written), np.array(main), np.array(second)
    boundary = np.array(["/boundary." in corpus.sources[i] for i in idx])
    agree = written == main

    shipped = techdomain.load()
    held = set(idx)
    keep = [i for i in range(len(corpus)) if i not in held]
    model = DomainClassifier(method=shipped.method, alpha=shipped.alpha, C=shipped.C, calibrate=False, n_jobs=2).fit(
        [corpus.texts[i] for i in keep], [corpus.labels[i] for i in keep]
    )
    model.temperature_ = shipped.temperature_
    p = model._proba_all([corpus.texts[i] for i in idx])
    p_main = p[np.arange(len(idx)), np.searchsorted(model.all_classes_, main)]
    set_f1 = {}
    for ratio, share in RULES:
        model.set_params(secondary_ratio=ratio, secondary_evidence=share)
        # Every relabelled text counts, 'none' ones too: a domain assigned to them is a false one.
        f = label_set_figures(assigned_sets(model.decide([corpus.texts[i] for i in idx], top_k=3)), gold)
        set_f1[f"ratio {ratio}" + ("" if share is None else f", evidence {share}")] = {
            "micro-F1": round(f["f1"], 3),
            "precision": round(f["precision"], 3),
            "recall": round(f["recall"], 3),
            "texts given 2+ domains": f["multi_assigned"],
        }
    grid = np.linspace(0.0, 0.2, 201)
    loglik = [np.log((1 - e) * p_main + e / p.shape[1]).sum() for e in grid]
    print(json.dumps({
        "relabelled": len(idx),
        "stale (seed line edited since)": stale,
        "agreement, main label": round(float(agree.mean()), 3),
        "agreement, boundary.* lines": round(float(agree[boundary].mean()), 3),
        "agreement, other lines": round(float(agree[~boundary].mean()), 3),
        "disagreements (written -> independent)": [f"{w}->{m}" for w, m in zip(written[~agree], main[~agree])],
        "share given a second domain": round(float(second.mean()), 3),
        "held-out model top-1 against written / independent labels": [
            round(float((model.all_classes_[p.argmax(1)] == written).mean()), 3),
            round(float((model.all_classes_[p.argmax(1)] == main).mean()), 3),
        ],
        "label-noise floor eps (maximum likelihood)": float(grid[int(np.argmax(loglik))]),
        "texts the annotators gave 2 domains": sum(len(g) > 1 for g in gold),
        "label sets by rule": set_f1,
    }, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
