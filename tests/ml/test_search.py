from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import pandas as pd
import pytest

from mlops_gitops.errors import StageError
from mlops_gitops.ml.search import run_search, write_leaderboard
from mlops_gitops.specs.models import Range
from tests.helpers.spec_objects import candidate, make_dataset, make_experiment, make_problem


def split(frame: pd.DataFrame, target: str = "target") -> tuple[pd.DataFrame, pd.Series]:
    return frame.drop(columns=target), frame[target]


def test_picks_the_clearly_better_candidate_and_refits_it_on_all_rows(
    planted: pd.DataFrame,
) -> None:
    X, y = split(planted)
    experiment = make_experiment(
        candidate("baseline", "dummy", strategy="most_frequent"),
        candidate("linear", "logistic_regression", C=(0.1, 1.0, 10.0)),
        strategy="grid",
    )
    result = run_search(
        experiment,
        make_problem("classification", "target", "accuracy"),
        make_dataset(planted, "target", {"group": "category"}),
        X,
        y,
        progress=False,
    )
    assert result.best_candidate == "linear"
    assert [row.candidate for row in result.leaderboard] == ["linear", "baseline"]
    assert [row.rank for row in result.leaderboard] == [1, 2]
    best, baseline = result.leaderboard
    assert best.cv_mean > 0.9 and baseline.cv_mean < 0.6
    assert best.trials == 3 and baseline.trials == 1
    assert result.best_params == best.params
    assert best.params["C"] in {0.1, 1.0, 10.0} and best.params["random_state"] == 7
    model = result.best_model
    assert best.params["C"] == model.named_steps["model"].C
    assert model.named_steps["model"].n_features_in_ == 4  # signal, noise, group one-hot x2
    assert (model.predict(X) == y).mean() > 0.9


def test_regression_scores_in_natural_units_and_ranks_lower_first(diabetes: pd.DataFrame) -> None:
    X, y = split(diabetes)
    experiment = make_experiment(
        candidate("mean", "dummy"),
        candidate("ridge", "ridge", alpha=Range(0.01, 10.0, log=True)),
        trials=3,
    )
    result = run_search(
        experiment,
        make_problem("regression", "target", "rmse"),
        make_dataset(diabetes, "target"),
        X,
        y,
        progress=False,
    )
    assert not result.greater_is_better
    ridge, mean = result.leaderboard
    assert (ridge.candidate, mean.candidate) == ("ridge", "mean")
    assert 40 < ridge.cv_mean < mean.cv_mean  # positive rmse, not neg_root_mean_squared_error
    assert mean.cv_mean == pytest.approx(y.std(ddof=0), rel=0.05)


@pytest.mark.parametrize(
    ("strategy", "ridge_trials"), [("grid", 5), ("random", 4), ("halving", None)]
)
def test_every_strategy_runs(
    diabetes: pd.DataFrame, strategy: str, ridge_trials: int | None
) -> None:
    X, y = split(diabetes)
    experiment = make_experiment(
        candidate("ridge", "ridge", alpha=Range(0.01, 100.0, log=True)),
        candidate("knn", "knn", n_neighbors=(5, 15), weights="distance"),
        strategy=strategy,
        trials=4,
    )
    result = run_search(
        experiment,
        make_problem("regression", "target", "mae"),
        make_dataset(diabetes, "target"),
        X,
        y,
        progress=False,
    )
    rows = {row.candidate: row for row in result.leaderboard}
    if ridge_trials is not None:
        assert rows["ridge"].trials == ridge_trials
    else:  # halving: 4 candidates, then the best third: 4 + 2
        assert rows["ridge"].trials == 6
    assert rows["knn"].trials == 2 if strategy != "halving" else rows["knn"].trials >= 2
    assert rows["knn"].params["weights"] == "distance"
    assert rows["knn"].params["n_neighbors"] in {5, 15}
    assert all(not row.failed and row.warnings == () for row in result.leaderboard)
    assert result.strategy == strategy


def test_random_search_over_discrete_choices_is_capped_at_their_number(
    planted: pd.DataFrame,
) -> None:
    X, y = split(planted)
    experiment = make_experiment(
        candidate("tree", "decision_tree", max_depth=(1, 2)), strategy="random", trials=10
    )
    result = run_search(
        experiment,
        make_problem("classification", "target", "f1_macro"),
        make_dataset(planted, "target", {"group": "category"}),
        X,
        y,
        progress=False,
    )
    assert result.best.trials == 2
    assert result.best.warnings == ()  # no "space smaller than n_iter" warning


def test_same_seed_same_leaderboard(cancer: pd.DataFrame) -> None:
    X, y = split(cancer)

    def search() -> list[tuple[str, float, dict[str, object]]]:
        experiment = make_experiment(
            candidate(
                "forest", "random_forest", n_estimators=10, max_depth=Range(2, 8, integer=True)
            ),
            trials=3,
        )
        result = run_search(
            experiment,
            make_problem("classification", "target", "roc_auc"),
            make_dataset(cancer, "target"),
            X,
            y,
            progress=False,
        )
        return [(r.candidate, r.cv_mean, dict(r.params)) for r in result.leaderboard]

    assert search() == search()


def test_a_failing_candidate_fails_the_search_unless_failures_are_tolerated(
    planted: pd.DataFrame,
) -> None:
    X, y = split(planted)
    candidates = (
        # passes every type check; scikit-learn refuses the combination when fitting
        candidate("broken", "logistic_regression", penalty="l1", solver="lbfgs"),
        candidate("tree", "decision_tree", max_depth=3),
    )
    with pytest.raises(StageError) as error:
        run_search(
            make_experiment(*candidates),
            make_problem("classification", "target", "accuracy"),
            make_dataset(planted, "target", {"group": "category"}),
            X,
            y,
            progress=False,
        )
    assert error.value.message.startswith(
        "1 of 2 candidates of experiment 'exp' failed to fit: broken: All the 3 fits failed."
    )
    assert error.value.hint == (
        "fix their parameters, or set search.tolerateFailures: true to keep the best of the others"
    )


def test_a_failing_candidate_ranks_last_with_its_error(planted: pd.DataFrame) -> None:
    X, y = split(planted)
    experiment = make_experiment(
        candidate("broken", "svm", kernel="no-such-kernel"),
        candidate("tree", "decision_tree", max_depth=3),
        tolerate_failures=True,
    )
    result = run_search(
        experiment,
        make_problem("classification", "target", "accuracy"),
        make_dataset(planted, "target", {"group": "category"}),
        X,
        y,
        progress=False,
    )
    assert result.best_candidate == "tree"
    broken = result.leaderboard[-1]
    assert broken.failed and math.isnan(broken.cv_mean)
    assert any("no-such-kernel" in line for line in broken.warnings)


def test_every_candidate_failing_is_a_stage_error(planted: pd.DataFrame) -> None:
    X, y = split(planted)
    experiment = make_experiment(candidate("broken", "svm", kernel="no-such-kernel"))
    with pytest.raises(StageError, match="every candidate of experiment 'exp' failed") as error:
        run_search(
            experiment,
            make_problem("classification", "target", "accuracy"),
            make_dataset(planted, "target", {"group": "category"}),
            X,
            y,
            progress=False,
        )
    assert "no-such-kernel" in str(error.value)


def test_configuration_errors_say_what_to_do(planted: pd.DataFrame) -> None:
    X, y = split(planted)
    dataset = make_dataset(planted, "target", {"group": "category"})
    problem = make_problem("classification", "target", "accuracy")
    tree = candidate("tree", "decision_tree")
    with pytest.raises(StageError, match="scores by 'rmse', which is not a classification metric"):
        run_search(make_experiment(tree, scoring="rmse"), problem, dataset, X, y, progress=False)
    with pytest.raises(StageError, match="lacks the dataset's feature column\\(s\\): noise"):
        run_search(make_experiment(tree), problem, dataset, X.drop(columns="noise"), y)
    few = y.copy()
    few.iloc[:] = 0
    few.iloc[:2] = 1
    with pytest.raises(StageError, match="class 1 has 2 training row\\(s\\), fewer than the 3"):
        run_search(make_experiment(tree), problem, dataset, X, few, progress=False)


def test_leaderboard_files(planted: pd.DataFrame, tmp_path: object) -> None:
    from pathlib import Path

    directory = Path(str(tmp_path)) / "models" / "exp"
    X, y = split(planted)
    experiment = make_experiment(
        candidate("baseline", "dummy"), candidate("tree", "decision_tree", max_depth=(2, 4))
    )
    result = run_search(
        experiment,
        make_problem("classification", "target", "log_loss"),
        make_dataset(planted, "target", {"group": "category"}),
        X,
        y,
        progress=False,
    )
    json_path, md_path = write_leaderboard(result, directory)
    data = json.loads(json_path.read_text())
    assert data["best_candidate"] == result.best_candidate
    assert data["metric"] == "log_loss" and data["greater_is_better"] is False
    assert [row["rank"] for row in data["leaderboard"]] == [1, 2]
    assert data["leaderboard"][0]["cv_mean"] > 0  # log loss in natural units
    text = md_path.read_text()
    assert "| 1 | tree | decision_tree |" in text or "| 1 | baseline | dummy |" in text
    assert "(lower is better)" in text
    assert sorted(p.name for p in directory.iterdir()) == ["leaderboard.json", "leaderboard.md"]


def test_plain_progress_lines_per_candidate(
    planted: pd.DataFrame, caplog: pytest.LogCaptureFixture
) -> None:
    X, y = split(planted)
    experiment = make_experiment(candidate("baseline", "dummy"), candidate("tree", "decision_tree"))
    with caplog.at_level(logging.INFO, logger="mlops_gitops.ml.search"):
        run_search(
            experiment,
            make_problem("classification", "target", "accuracy"),
            make_dataset(planted, "target", {"group": "category"}),
            X,
            y,
            progress=False,
        )
    done = [r.getMessage() for r in caplog.records if ": accuracy " in r.getMessage()]
    assert len(done) == 2
    assert done[0].startswith("[1/2] baseline (dummy): accuracy 0.5")


def test_rich_progress_bar_when_asked(
    planted: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    X, y = split(planted)
    experiment = make_experiment(candidate("baseline", "dummy"))
    run_search(
        experiment,
        make_problem("classification", "target", "accuracy"),
        make_dataset(planted, "target", {"group": "category"}),
        X,
        y,
        progress=True,
    )
    err = capsys.readouterr().err
    assert "baseline (dummy): accuracy" in err
    assert "1/1" in err


def test_markdown_leaderboard_rounds_params_for_people_json_keeps_them(
    diabetes: pd.DataFrame, tmp_path: Path
) -> None:
    X, y = split(diabetes)
    experiment = make_experiment(
        candidate("ridge", "ridge", alpha=Range(0.01, 10.0, log=True)), trials=2, folds=2
    )
    result = run_search(
        experiment,
        make_problem("regression", "target", "r2"),
        make_dataset(diabetes, "target"),
        X,
        y,
        progress=False,
    )
    json_path, md_path = write_leaderboard(result, tmp_path)
    alpha = json.loads(json_path.read_text())["leaderboard"][0]["params"]["alpha"]
    assert isinstance(alpha, float) and len(repr(alpha)) > 8  # full precision in JSON
    text = md_path.read_text()
    assert f"alpha={alpha:.4g}, random_state=7 |" in text
    assert repr(alpha) not in text
