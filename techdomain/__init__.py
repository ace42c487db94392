"""techdomain: which of Japan's 16 important technology domains an abstract belongs to.

>>> import techdomain
>>> model = techdomain.load()
>>> model.predict(["超伝導量子ビットを用いた誤り訂正符号の実証"]).tolist()
[12]
>>> [p.domain.name_ja for p in model.classify("人工衛星の姿勢制御とGNSS測位")]
['宇宙']
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from .classifier import DomainClassifier, Prediction, Term
from .errors import (
    InputFormatError,
    ModelFormatError,
    NotFittedError,
    TechdomainError,
    TrainingDataError,
    UnknownDomainError,
    UnsafeModelError,
)
from .taxonomy import DOMAINS, NONE, Domain, domain

__version__ = "0.1.0"

__all__ = [
    "DOMAINS",
    "NONE",
    "Domain",
    "DomainClassifier",
    "InputFormatError",
    "ModelFormatError",
    "NotFittedError",
    "Prediction",
    "TechdomainError",
    "Term",
    "TrainingDataError",
    "UnknownDomainError",
    "UnsafeModelError",
    "domain",
    "load",
    "train",
]


def load(path: str | os.PathLike | None = None, *, allow_pickle: bool = False) -> DomainClassifier:
    """Load the shipped default model, or the model file at ``path``.

    Model files are data only. A pickle/joblib file is refused with :class:`UnsafeModelError`
    unless ``allow_pickle=True`` (only for files you made yourself: unpickling can run code).

    >>> import techdomain
    >>> model = techdomain.load()
    >>> model.classes_.tolist() == list(range(1, 17))
    True
    """
    from . import modelfile
    from .resources import default_model_dir

    if path is None:
        path = default_model_dir() / "model.npz"
    return modelfile.load(path, allow_pickle=allow_pickle)


def train(
    texts: Sequence[str],
    labels: Sequence,
    *,
    seeds: bool = True,
    user_weight: float | None = None,
    stop_words: str | Sequence[str] | None = None,
    n_jobs: int | None = 1,
    chars: int = 0,
    method: str | None = None,
) -> DomainClassifier:
    """Retrain with your labelled examples, as ``techdomain train`` does.

    Your examples are added to the bundled seed text (``seeds=False``: yours alone), each weighing
    ``user_weight`` seed texts (default 5). With 30 or more examples the confidence is also
    recalibrated to them, on their out-of-fold predictions. Labels are ids, slugs, Japanese names
    or lists (main first). With the seeds this takes under a minute. ``chars=4`` adds character
    n-grams as features; ``method`` is the shipped model's (complement naive Bayes) unless you name
    another (see :class:`DomainClassifier`).

    >>> import techdomain
    >>> model = techdomain.train(my_abstracts, my_labels)  # doctest: +SKIP
    >>> model.save("my_model.npz")  # doctest: +SKIP
    """
    from .build import USER_WEIGHT, train_model

    weight = USER_WEIGHT if user_weight is None else user_weight
    return train_model(
        texts, labels, seeds=seeds, method=method, user_weight=weight, stop_words=stop_words, n_jobs=n_jobs, chars=chars
    )[0]
