"""Where confidence is recalibrated to the user's own labelled abstracts.

The shipped model's temperature is fitted on seed text, and its confidence is then mixed for labels
as reliable as people's (``label_reliability``, see the model card): right on average, not for
every user's texts and labellers. A user with a few dozen labelled abstracts of their own can fit
it to them: :func:`fit_map` fits a logistic curve from the logit of the top probability (as
trained, before any mix) to "was the decision right" (Platt scaling of the top label), and
:func:`apply_map` rescales each row's top probability by it, in place of the mix. Two numbers, so
it needs far fewer examples than retraining. On the dev set it beat an isotonic map and a refitted
temperature at every size tried (40, 80, about 150 examples) for the shipped naive Bayes model,
and the isotonic map at every size for logistic regression
(``tests/benchmarks/calibrate_cv.py --isotonic`` / ``--temperature``; figures in the README).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import TrainingDataError

MIN_EXAMPLES = 30  # below this the two numbers swing with every item added


@dataclass(frozen=True)
class ConfidenceMap:
    """calibrated top probability = sigmoid(slope * logit(p) + intercept), fitted on ``n`` labelled texts."""

    slope: float
    intercept: float
    n: int

    def to_json(self) -> dict:
        return {"slope": self.slope, "intercept": self.intercept, "n": self.n}

    @classmethod
    def from_json(cls, d: dict) -> "ConfidenceMap":
        return cls(float(d["slope"]), float(d["intercept"]), int(d["n"]))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p) - np.log1p(-p)


def fit_map(confidence: np.ndarray, correct: np.ndarray) -> ConfidenceMap:
    """The map from top probability to the chance of being right, fitted by maximum likelihood."""
    from sklearn.linear_model import LogisticRegression

    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=bool)
    n = len(confidence)
    if n < MIN_EXAMPLES:
        raise TrainingDataError(
            f"{n} labelled texts are too few to calibrate confidence; give at least {MIN_EXAMPLES} "
            "(80 or more is better), drawn like the texts you will classify"
        )
    if correct.all() or not correct.any():
        raise TrainingDataError(
            f"the model got {'every' if correct.all() else 'none'} of the {n} labelled texts right, so there is "
            "nothing to calibrate against; add labelled texts of the kind it gets wrong (or right)"
        )
    # Effectively unregularised: two parameters on dozens of points need no shrinking.
    lr = LogisticRegression(C=1e4).fit(_logit(confidence)[:, None], correct)
    slope, intercept = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    if slope <= 0:
        raise TrainingDataError(
            f"on these {n} labelled texts the model is no more often right when it is more confident; "
            "calibrating would turn confidence upside down. Check the labels, or add more labelled texts"
        )
    return ConfidenceMap(slope, intercept, n)


def apply_map(p: np.ndarray, cmap: ConfidenceMap) -> np.ndarray:
    """Rows of probabilities with the top one recalibrated and the rest rescaled to sum to 1.

    The top outcome stays on top (so no decision changes): its new value is kept at least as high
    as the runner-up after rescaling.
    """
    p = np.asarray(p, dtype=float)
    rows = np.arange(len(p))
    top = p.argmax(axis=1)
    p1 = p[rows, top]
    p2 = np.partition(p, -2, axis=1)[:, -2] if p.shape[1] > 1 else np.zeros(len(p))
    new = 1.0 / (1.0 + np.exp(-(cmap.slope * _logit(p1) + cmap.intercept)))
    # At new = p2 / (1 - p1 + p2) the rescaled runner-up equals the top; stay just above, so that
    # argmax (which takes the first of equals) cannot switch to it.
    new = np.minimum(np.maximum(new, p2 / np.maximum(1.0 - p1 + p2, 1e-12) + 1e-9), 1.0)
    rest = 1.0 - p1
    scale = np.divide(1.0 - new, rest, out=np.zeros_like(rest), where=rest > 0)
    out = p * scale[:, None]
    out[rows, top] = np.where(rest > 0, new, 1.0)
    flat = np.ptp(p, axis=1) == 0  # a uniform row means nothing was recognised: leave it uniform
    out[flat] = p[flat]
    return out
