"""Run the served model on checked columns: labels (or values) and class probabilities.

The work is done by a :mod:`backend <mlops_gitops.serving.backends>` (scikit-learn or the
verified ONNX graph); both compute labels the same way. A classifier with ``predict_proba`` is
called once: the labels are ``classes_[argmax]`` of the probabilities, as scikit-learn's own
classifiers compute them, so a request pays for one pass through the pipeline, not two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mlops_gitops.ml.artifact import Columns, ModelInfo
from mlops_gitops.serving.backends import Backend, SklearnBackend
from mlops_gitops.serving.validation import InputError, Problem

__all__ = ["Prediction", "Predictor"]


@dataclass(frozen=True)
class Prediction:
    """``labels``: a class label or a value per row; ``probabilities``: rows x ``classes``."""

    labels: np.ndarray[Any, Any]
    probabilities: np.ndarray[Any, Any] | None


class Predictor:
    def __init__(self, pipeline: Any, info: ModelInfo, backend: Backend | None = None) -> None:
        self.pipeline = pipeline
        self.info = info
        sklearn = SklearnBackend(pipeline, info)
        self.backend: Backend = backend or sklearn
        self.is_classifier = sklearn.is_classifier
        self.classes: tuple[Any, ...] = (
            tuple(sklearn.classes.tolist()) if self.is_classifier else ()
        )
        self.has_proba = sklearn.has_proba

    def predict(self, columns: Columns) -> Prediction:
        try:
            labels, probabilities = self.backend.run(columns)
        except (ValueError, TypeError) as error:
            # Checked input the fitted pipeline still refuses (e.g. a category it cannot encode).
            problem = Problem(None, f"the model could not score this input: {error}")
            raise InputError([problem]) from None
        return Prediction(labels, probabilities)
