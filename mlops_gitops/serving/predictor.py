"""Run the loaded pipeline on checked columns: labels (or values) and class probabilities.

A classifier with ``predict_proba`` is called once: the labels are ``classes_[argmax]`` of the
probabilities, as scikit-learn's own classifiers compute them, so a request pays for one pass
through the pipeline, not two. The pipeline's ColumnTransformer selects columns by name, so the
columns go in as a DataFrame (built from the numpy arrays without copying).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlops_gitops.ml.artifact import ModelInfo
from mlops_gitops.serving.validation import Columns, InputError, Problem

__all__ = ["Prediction", "Predictor"]


@dataclass(frozen=True)
class Prediction:
    """``labels``: a class label or a value per row; ``probabilities``: rows x ``classes``."""

    labels: np.ndarray[Any, Any]
    probabilities: np.ndarray[Any, Any] | None


class Predictor:
    def __init__(self, pipeline: Any, info: ModelInfo) -> None:
        self.pipeline = pipeline
        self.info = info
        self.is_classifier = info.task == "classification"
        fitted_classes = getattr(pipeline, "classes_", None)
        self._classes = (
            np.asarray(fitted_classes) if fitted_classes is not None else np.asarray(info.classes)
        )
        self.classes: tuple[Any, ...] = tuple(self._classes.tolist()) if self.is_classifier else ()
        self.has_proba = self.is_classifier and hasattr(pipeline, "predict_proba")

    def predict(self, columns: Columns) -> Prediction:
        frame = pd.DataFrame(columns, copy=False)
        try:
            if self.has_proba:
                probabilities = np.asarray(self.pipeline.predict_proba(frame), dtype=np.float64)
                labels = self._classes[probabilities.argmax(axis=1)]
                return Prediction(labels, probabilities)
            labels = np.asarray(self.pipeline.predict(frame))
            if not self.is_classifier:
                labels = labels.astype(np.float64, copy=False).ravel()
            return Prediction(labels, None)
        except (ValueError, TypeError) as error:
            # Checked input the fitted pipeline still refuses (e.g. a category it cannot encode).
            problem = Problem(None, f"the model could not score this input: {error}")
            raise InputError([problem]) from None
