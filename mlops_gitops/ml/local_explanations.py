"""Local explanations by perturbation, and what-if questions on single rows.

A feature's contribution to one prediction is how much the model's output moves when that
feature's value is replaced by values drawn from reference data, averaged over the draws:
``output(row) - mean(output(row with feature := draw))``. The output is the regression
prediction, or the probability of the class predicted for the row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import MlopsError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["explain_row", "parse_assignments", "what_if"]


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _is_classifier(model: Any) -> bool:
    from sklearn.base import is_classifier

    return bool(is_classifier(model))


def _outputs(model: Any, X: pd.DataFrame, class_index: int | None) -> Any:
    """Regression predictions, or the probability of class ``class_index`` per row."""
    import numpy as np

    if class_index is None:
        return np.asarray(model.predict(X), dtype=float)
    if hasattr(model, "predict_proba"):
        return np.asarray(model.predict_proba(X))[:, class_index]
    predicted = np.asarray(model.predict(X))
    return (predicted == model.classes_[class_index]).astype(float)


def explain_row(
    model: Any, row: pd.DataFrame, reference: pd.DataFrame, *, draws: int = 30, seed: int = 42
) -> dict[str, Any]:
    """Per-feature contributions to the prediction for the one-row frame ``row``."""
    import numpy as np
    import pandas as pd

    features = list(row.columns)
    rng = np.random.default_rng(seed)
    picks = reference.iloc[rng.integers(0, len(reference), size=max(1, draws))]
    picks = picks.reset_index(drop=True)
    n = len(picks)
    prediction = model.predict(row)[0]
    class_index = None
    if _is_classifier(model):
        class_index = int(np.flatnonzero(np.asarray(model.classes_) == prediction)[0])
    base = float(_outputs(model, row, class_index)[0])
    blocks = []
    for feature in features:
        block = row.loc[row.index.repeat(n)].reset_index(drop=True)
        block[feature] = picks[feature]
        blocks.append(block)
    perturbed = _outputs(model, pd.concat(blocks, ignore_index=True), class_index)
    means = perturbed.reshape(len(features), n).mean(axis=1)
    contributions = [
        {"feature": f, "value": _plain(row[f].iloc[0]), "contribution": float(base - m)}
        for f, m in zip(features, means, strict=True)
    ]
    contributions.sort(key=lambda c: (-abs(c["contribution"]), c["feature"]))
    output = "prediction" if class_index is None else f"probability of class {prediction!r}"
    return {
        "row": _plain(row.index[0]),
        "prediction": _plain(prediction),
        "output": output,
        "value": base,
        "contributions": contributions,
    }


def what_if(model: Any, row: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The model's answer for ``row``, for ``row`` with ``changes`` applied, and the difference.

    Regression: ``before``/``after`` are predictions and ``delta`` their difference.
    ``by_feature`` holds, per changed column, the answer and delta with that change alone.
    Classification: each side is ``{"prediction": label, "probabilities": {label: p}}`` and
    ``delta`` the change in each class's probability (or whether the label changed, for a model
    without probabilities).
    """
    expected = [str(c) for c in getattr(model, "feature_names_in_", list(row))]
    missing = [c for c in expected if c not in row]
    if missing:
        raise MlopsError(
            f"the row lacks the model's input column(s): {', '.join(missing)}",
            "give every input column in --row (see the model's model.json `features`)",
        )
    unknown = [c for c in changes if c not in expected]
    if unknown:
        raise MlopsError(
            f"cannot change {', '.join(unknown)}: not an input of the model "
            f"(inputs: {', '.join(expected)})",
            "use --set with one of the model's input columns",
        )
    base = {c: row[c] for c in expected}
    before = _answer(model, base)
    after = _answer(model, {**base, **changes})
    # each change alone, so a person sees which feature moves the answer and by how much
    by_feature = []
    for column, value in changes.items():
        alone = _answer(model, {**base, column: value})
        by_feature.append(
            {
                "feature": column,
                "from": base[column],
                "to": value,
                "after": alone,
                "delta": _delta(before, alone),
            }
        )
    return {
        "before": before,
        "after": after,
        "delta": _delta(before, after),
        "by_feature": by_feature,
    }


def _answer(model: Any, row: Mapping[str, Any]) -> Any:
    import pandas as pd

    frame = pd.DataFrame([dict(row)])
    prediction = _plain(model.predict(frame)[0])
    if not _is_classifier(model):
        return float(prediction)
    answer: dict[str, Any] = {"prediction": prediction}
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(frame)[0]
        answer["probabilities"] = {
            str(_plain(c)): float(p) for c, p in zip(model.classes_, proba, strict=True)
        }
    return answer


def _delta(before: Any, after: Any) -> Any:
    if isinstance(before, float):
        return after - before
    if "probabilities" in before:
        return {c: after["probabilities"][c] - p for c, p in before["probabilities"].items()}
    return {"prediction_changed": before["prediction"] != after["prediction"]}


def parse_assignments(items: Sequence[str]) -> dict[str, Any]:
    """``["age=42", "city=Oslo"]`` -> ``{"age": 42, "city": "Oslo"}`` (values parsed as JSON
    when they are JSON, kept as text otherwise)."""
    changes: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise MlopsError(
                f"cannot read {item!r} as a change", "write changes as --set column=value"
            )
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        changes[name.strip()] = value
    return changes
