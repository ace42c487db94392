"""scikit-learn's estimator protocol, spoken without importing scikit-learn.

Importing sklearn.base costs about 0.6 s and 85 MB, paid by every ``techdomain classify`` run and
every ``techdomain.load()``, although predicting needs nothing from it. So DomainClassifier speaks
the protocol itself (``get_params``/``set_params``, ``__sklearn_tags__``, ``score``), and scikit-learn
is imported only when something of scikit-learn's asks (``clone``, ``Pipeline``, ``GridSearchCV``)
or when a model is trained.
"""

from __future__ import annotations

import inspect
from typing import Any


class EstimatorProtocol:
    """get_params / set_params / repr / tags / score for a classifier whose ``__init__`` only stores parameters."""

    _estimator_type = "classifier"

    @classmethod
    def _param_names(cls) -> list[str]:
        return [p.name for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any):
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}; valid parameters: {valid}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if v != defaults.get(k)]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags(),
            input_tags=InputTags(one_d_array=True, two_d_array=False, string=True),
        )

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy of :meth:`predict` against the main label of each ``y`` (0 = none)."""
        from sklearn.metrics import accuracy_score

        from .labels import label_matrix

        truth = [ls[0] for ls in label_matrix(y)]
        return float(accuracy_score(truth, self.predict(X), sample_weight=sample_weight))
