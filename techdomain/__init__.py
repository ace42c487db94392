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
