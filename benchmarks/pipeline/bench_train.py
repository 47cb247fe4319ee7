"""Overhead of our train-and-evaluate against a plain scikit-learn script doing the same work.

Both sides fit the same pipelines (median imputation + standard scaling, then the estimator),
with the same folds, searchers, seeds and candidate sets, refit the winner on the training split
and compute the same test metrics. Runs alternate (ours, plain, ours, ...) so machine noise hits
both. Each side's time is its best (minimum) wall-clock run, the least disturbed by other work
on the machine (as ``timeit`` does); the median and CPU time are printed too. Goal: at most 10 %
overhead.

    .venv/bin/python benchmarks/pipeline/bench_train.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import numpy as np
import pandas as pd

SEED = 42
FOLDS = 5
TRIALS = 5


def load(name: str) -> tuple[pd.DataFrame, pd.Series, str]:
    from sklearn import datasets

    if name == "diabetes":
        data = datasets.load_diabetes(as_frame=True)
        return data.data, data.target, "regression"
    data = datasets.load_breast_cancer(as_frame=True)
    return data.data, data.target, "classification"


# --------------------------------------------------------------------------- ours


def ours(name: str, X: pd.DataFrame, y: pd.Series, X_test: pd.DataFrame, y_test: pd.Series) -> Any:
    from mlops_gitops.ml.metrics import evaluate_model
    from mlops_gitops.ml.search import run_search
    from mlops_gitops.specs.models import (
        Candidate,
        ColumnSchema,
        Dataset,
        DatasetSource,
        Experiment,
        Metadata,
        Problem,
        Range,
        SearchSettings,
        Source,
    )

    task = "regression" if name == "diabetes" else "classification"
    if task == "regression":
        candidates = (
            Candidate("ridge", "ridge", {"alpha": Range(1e-3, 100.0, log=True)}),
            Candidate("forest", "random_forest", {"n_estimators": 50, "max_depth": (4, 8)}),
            Candidate("mean", "dummy"),
        )
        metric = "rmse"
    else:
        candidates = (
            Candidate("logistic", "logistic_regression", {"C": Range(1e-2, 10.0, log=True)}),
            Candidate("forest", "random_forest", {"n_estimators": 50, "max_depth": (4, 8)}),
            Candidate("prior", "dummy"),
        )
        metric = "roc_auc"
    columns = tuple(ColumnSchema(str(c), "number") for c in X.columns)
    dataset = Dataset(
        Metadata(name), Source("bench"), DatasetSource(sklearn=name), "target", columns
    )
    problem = Problem(Metadata(name), Source("bench"), "bench", task, "target", metric)  # type: ignore[arg-type]
    experiment = Experiment(
        Metadata(name),
        Source("bench"),
        name,
        name,
        candidates,
        search=SearchSettings("random", TRIALS, FOLDS, None, SEED),
    )
    result = run_search(experiment, problem, dataset, X, y, progress=False)
    evaluation = evaluate_model(task, result.best_model, X_test, y_test)  # type: ignore[arg-type]
    return result.best_candidate, result.best.cv_mean, evaluation["metrics"]


# --------------------------------------------------------------------------- plain scikit-learn


def plain(name: str, X: pd.DataFrame, y: pd.Series, X_test: pd.DataFrame, y_test: pd.Series) -> Any:
    from scipy.stats import loguniform
    from sklearn import metrics as skm
    from sklearn.compose import ColumnTransformer
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.model_selection import (
        KFold,
        RandomizedSearchCV,
        StratifiedKFold,
        cross_validate,
    )
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    def pipeline(estimator: Any) -> Pipeline:
        numeric = Pipeline(
            [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
        )
        columns = ColumnTransformer([("numeric", numeric, list(X.columns))], sparse_threshold=0.0)
        return Pipeline([("preprocess", columns), ("model", estimator)])

    if name == "diabetes":
        cv: Any = KFold(FOLDS, shuffle=True, random_state=SEED)
        scoring, sign = "neg_root_mean_squared_error", -1.0
        candidates = [
            ("ridge", Ridge(random_state=SEED), {"model__alpha": loguniform(1e-3, 100.0)}, TRIALS),
            (
                "forest",
                RandomForestRegressor(n_estimators=50, random_state=SEED),
                {"model__max_depth": [4, 8]},
                2,
            ),
            ("mean", DummyRegressor(), None, 0),
        ]
    else:
        cv = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
        scoring, sign = "roc_auc", 1.0
        candidates = [
            (
                "logistic",
                LogisticRegression(random_state=SEED),
                {"model__C": loguniform(1e-2, 10.0)},
                TRIALS,
            ),
            (
                "forest",
                RandomForestClassifier(n_estimators=50, random_state=SEED),
                {"model__max_depth": [4, 8]},
                2,
            ),
            ("prior", DummyClassifier(random_state=SEED), None, 0),
        ]
    scores = []
    for label, estimator, space, n_iter in candidates:
        if space is None:
            out = cross_validate(pipeline(estimator), X, y, cv=cv, scoring=scoring)
            scores.append((sign * out["test_score"].mean(), label, estimator, {}))
            continue
        search = RandomizedSearchCV(
            pipeline(estimator),
            space,
            n_iter=n_iter,
            scoring=scoring,
            cv=cv,
            refit=False,
            random_state=SEED,
        ).fit(X, y)
        best = search.best_index_
        scores.append(
            (
                sign * search.cv_results_["mean_test_score"][best],
                label,
                estimator,
                search.best_params_,
            )
        )
    chosen = max(scores, key=lambda s: sign * s[0])
    model = pipeline(chosen[2]).set_params(**chosen[3]).fit(X, y)
    y_pred = model.predict(X_test)
    if name == "diabetes":
        found = {
            "r2": skm.r2_score(y_test, y_pred),
            "mae": skm.mean_absolute_error(y_test, y_pred),
            "rmse": skm.root_mean_squared_error(y_test, y_pred),
            "mape": skm.mean_absolute_percentage_error(y_test, y_pred),
        }
    else:
        proba = model.predict_proba(X_test)
        found = {
            "accuracy": skm.accuracy_score(y_test, y_pred),
            "balanced_accuracy": skm.balanced_accuracy_score(y_test, y_pred),
            "precision_macro": skm.precision_score(
                y_test, y_pred, average="macro", zero_division=0
            ),
            "recall_macro": skm.recall_score(y_test, y_pred, average="macro", zero_division=0),
            "f1_macro": skm.f1_score(y_test, y_pred, average="macro", zero_division=0),
            "roc_auc": skm.roc_auc_score(y_test, proba[:, 1]),
            "log_loss": skm.log_loss(y_test, proba, labels=model.classes_),
        }
        skm.confusion_matrix(y_test, y_pred, labels=model.classes_)
    return chosen[1], chosen[0], found


# --------------------------------------------------------------------------- run


def main() -> None:
    from sklearn.model_selection import train_test_split

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    totals = {"ours": 0.0, "plain": 0.0}
    print(
        f"{'dataset':<14}{'ours min':>9}{'plain min':>10}{'overhead':>9}"
        f"{'ours med':>10}{'plain med':>10}{'ours cpu':>9}{'plain cpu':>10}  best / cv"
    )
    for name in ("diabetes", "breast_cancer"):
        X, y, task = load(name)
        stratify = y if task == "classification" else None
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.2, random_state=SEED, stratify=stratify
        )
        times: dict[str, list[float]] = {"ours": [], "plain": []}
        cpu: dict[str, list[float]] = {"ours": [], "plain": []}
        answers: dict[str, Any] = {}
        ours(name, X_train, y_train, X_test, y_test)  # warm-up: imports, caches
        plain(name, X_train, y_train, X_test, y_test)
        for _ in range(args.repeats):
            for label, run in (("ours", ours), ("plain", plain)):
                started, started_cpu = time.perf_counter(), time.process_time()
                answers[label] = run(name, X_train, y_train, X_test, y_test)
                times[label].append(time.perf_counter() - started)
                cpu[label].append(time.process_time() - started_cpu)
        same = answers["ours"][0] == answers["plain"][0] and np.isclose(
            answers["ours"][1], answers["plain"][1]
        )
        metrics_equal = all(
            np.isclose(answers["ours"][2][k], v) for k, v in answers["plain"][2].items()
        )
        mine, theirs = min(times["ours"]), min(times["plain"])
        medians = [statistics.median(times[k]) for k in ("ours", "plain")]
        cpus = [statistics.median(cpu[k]) for k in ("ours", "plain")]
        totals["ours"] += mine
        totals["plain"] += theirs
        print(
            f"{name:<14}{mine:>9.3f}{theirs:>10.3f}{(mine / theirs - 1) * 100:>8.1f}%"
            f"{medians[0]:>10.3f}{medians[1]:>10.3f}{cpus[0]:>9.3f}{cpus[1]:>10.3f}  "
            f"{answers['ours'][0]} {answers['ours'][1]:.4f} "
            f"(same best and cv: {same}, same test metrics: {metrics_equal})"
        )
    ratio = totals["ours"] / totals["plain"]
    print(f"{'total':<14}{totals['ours']:>9.3f}{totals['plain']:>10.3f}{(ratio - 1) * 100:>8.1f}%")
    print(f"overhead ratio {ratio:.3f} (goal <= 1.10): {'met' if ratio <= 1.10 else 'NOT met'}")


if __name__ == "__main__":
    main()
