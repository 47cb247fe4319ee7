"""`mlops explain` prints the change per feature as a table (JSON keeps every number)."""

from __future__ import annotations

import pandas as pd
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression

from mlops_gitops.cli._tables import human_number, text_table
from mlops_gitops.cli.explain import render_what_if
from mlops_gitops.ml.local_explanations import what_if


def test_regression_table_has_one_row_per_change_then_all_changes() -> None:
    frame = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [0.0, 0.0, 1.0, 1.0]})
    model = LinearRegression().fit(frame, 2 * frame["a"] + 10 * frame["b"] + 1)
    answer = what_if(model, {"a": 1.0, "b": 0.0}, {"a": 2.0, "b": 1.0})
    assert [f["feature"] for f in answer["by_feature"]] == ["a", "b"]
    assert abs(answer["by_feature"][0]["delta"] - 2.0) < 1e-9  # JSON keeps the full number
    lines = render_what_if(answer).splitlines()
    assert lines[0].split() == ["feature", "from", "to", "prediction", "change"]
    assert lines[2].split() == ["a", "1", "2", "3", "->", "5", "+2"]
    assert lines[3].split() == ["b", "0", "1", "3", "->", "13", "+10"]
    assert lines[4].split() == ["all", "changes", "3", "->", "15", "+12"]


def test_classification_table_shows_label_and_probability_changes() -> None:
    X, y = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=1000).fit(X, y)
    row = X.iloc[0].to_dict()
    answer = what_if(model, row, {"petal length (cm)": 5.5})
    [only] = answer["by_feature"]
    text = render_what_if(answer)
    delta = only["delta"]
    expected = ", ".join(f"P({label}) {change:+.3f}" for label, change in delta.items())
    assert expected in text
    assert f"{answer['before']['prediction']} -> {answer['after']['prediction']}" in text
    assert "petal length (cm)  " in text and "all changes" in text


def test_numbers_are_rounded_for_people_and_tables_align() -> None:
    assert human_number(0.13292918943162169) == "0.1329"
    assert human_number(12345.678) == "1.235e+04"
    assert human_number(3) == "3" and human_number(True) == "True"
    assert text_table(["name", "value"], [["a", "1.5"], ["long name", "10"]]) == (
        "name       value\n---------  -----\na            1.5\nlong name     10\n"
    )
