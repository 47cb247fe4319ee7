"""render_model_card renders every section; "Not measured." wherever nothing was given."""

from __future__ import annotations

import re
from pathlib import Path

from mlops_gitops.registry import render_model_card, write_model_card
from mlops_gitops.registry.model_card import MODEL_CARD_FILE, NOT_MEASURED
from mlops_gitops.specs.models import Criterion, Metadata, Problem, Source

SECTIONS = [
    "Problem",
    "Dataset",
    "Training",
    "Metrics against the success criteria",
    "Processing performance",
    "Serving backend",
    "Interpretation",
    "Fairness",
    "Limitations",
    "Lineage",
]


VERIFIED = {
    "status": "verified",
    "reason": "labels and values match scikit-learn on all 1409 test rows",
    "file": "compiled/model.onnx",
    "sha256": "ab" * 32,
    "tolerances": {"probability": 1e-5, "relative": 1e-5},
    "verification": {
        "rows": 1409.0,
        "label_mismatches": 0.0,
        "max_probability_difference": 2.5e-7,
        "one_row_ms": 0.031,
    },
}


def sections(card: str) -> dict[str, str]:
    parts = re.split(r"^## (.+)$", card, flags=re.MULTILINE)
    return {title: body.strip() for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def full_card() -> str:
    problem = Problem(
        metadata=Metadata("churn-risk"),
        source=Source("specs/problem.yaml"),
        question="Which customers will leave next quarter?",
        task="classification",
        target="churned",
        metric="roc_auc",
        success_criteria=(Criterion("roc_auc", min=0.8),),
        hypotheses=("tenure matters",),
        business_impact="Retention offers go to the right 5% of customers.",
        owner="growth-team",
    )
    return render_model_card(
        experiment="churn",
        problem=problem,
        dataset={
            "name": "customers",
            "source": "data/customers.csv",
            "hash": "sha256:feed",
            "rows": 7043,
            "highlights": ["tenure is skewed right", "2% missing in total_charges"],
        },
        training={
            "candidate": "forest",
            "estimator": "random_forest",
            "params": {"n_estimators": 200, "max_depth": 8},
            "leaderboard": [
                {"rank": i, "candidate": f"c{i}", "roc_auc": 0.9 - i / 100} for i in range(1, 8)
            ],
        },
        metrics={"roc_auc": 0.78, "accuracy": 0.81, "criteria_passed": False},
        criteria=(
            Criterion("roc_auc", min=0.8),
            Criterion("p95_latency_ms", max=50),
            Criterion("f1", min=0.5),
        ),
        performance={"p95_latency_ms": 12.5, "throughput_rows_per_s": 5000.0},
        interpretation={
            "top_features": [{"feature": "tenure", "importance": 0.21}],
            "highlights": ["longer tenure lowers churn risk"],
        },
        fairness={
            "highlights": ["recall differs by 0.07 between genders"],
            "groups": {"gender": {"F": {"recall": 0.7}, "M": {"recall": 0.77}}},
        },
        limitations=["Trained on one region only."],
        lineage={
            "git": {"commit": "0123456789abcdef", "dirty": True},
            "data": {"hash": "sha256:feed", "dvc_version": "9a8b"},
            "python": {"version": "3.11.9"},
            "framework": {"version": "0.1.0"},
            "created": "2025-01-01T00:00:00+00:00",
            "durations_s": {"fit": 1.23456},
            "packages": {"scikit-learn": "1.5.0", "numpy": "2.0.0"},
        },
        compiled=VERIFIED,
    )


def test_every_section_is_rendered_in_order() -> None:
    card = full_card()
    assert card.startswith("# Model card: churn\n")
    assert list(sections(card)) == SECTIONS
    assert NOT_MEASURED not in card


def test_sections_carry_the_facts() -> None:
    s = sections(full_card())
    assert "- **Question:** Which customers will leave next quarter?" in s["Problem"]
    assert "- tenure matters" in s["Problem"]
    assert "- **Rows:** 7043" in s["Dataset"]
    assert "- 2% missing in total_charges" in s["Dataset"]
    assert "| max_depth | 8 |" in s["Training"]
    assert "Search leaderboard (top 5):" in s["Training"]
    assert "| 5 | c5 | 0.85 |" in s["Training"]
    assert "c6" not in s["Training"]
    metrics = s["Metrics against the success criteria"]
    assert "| roc_auc | 0.78 | roc_auc >= 0.8 | FAIL (below by 0.02) |" in metrics
    assert "| p95_latency_ms | 12.5 | p95_latency_ms <= 50 | pass |" in metrics
    assert "| f1 | not measured | f1 >= 0.5 | not measured |" in metrics
    assert "| accuracy | 0.81 |" in metrics
    assert "criteria_passed" not in metrics
    assert "| throughput_rows_per_s | 5000 | rows/s |" in s["Processing performance"]
    assert s["Serving backend"].startswith(
        "Served by ONNX Runtime from `compiled/model.onnx` (sha256 `abababababab...`): labels "
        "and values match scikit-learn on all 1409 test rows."
    )
    assert "| max probability difference | 2.5e-07 |" in s["Serving backend"]
    assert "| label mismatches | 0 |" in s["Serving backend"]
    assert "| tolerance: probability | 1e-05 |" in s["Serving backend"]
    assert "| tenure | 0.21 |" in s["Interpretation"]
    assert "| M | 0.77 |" in s["Fairness"]
    assert s["Limitations"] == "- Trained on one region only."
    assert "- **Git commit:** 0123456789ab (uncommitted changes)" in s["Lineage"]
    assert "- **Durations (s):** fit=1.235" in s["Lineage"]


def test_missing_sections_say_not_measured() -> None:
    card = render_model_card(experiment="churn")
    assert list(sections(card)) == SECTIONS
    assert all(body == NOT_MEASURED for body in sections(card).values())


def test_partial_inputs_mark_what_is_missing() -> None:
    s = sections(
        render_model_card(
            experiment="churn",
            dataset={"source": "sklearn:diabetes"},
            training={"candidate": "ridge"},
            criteria=(Criterion("r2", min=0.3),),
        )
    )
    assert s["Dataset"].endswith(f"Profile highlights: {NOT_MEASURED}")
    assert s["Training"].endswith(f"Search leaderboard: {NOT_MEASURED}")
    metrics = s["Metrics against the success criteria"]
    assert "| r2 | not measured | r2 >= 0.3 | not measured |" in metrics
    assert metrics.endswith(f"Predictive metrics: {NOT_MEASURED}")
    assert s["Processing performance"] == NOT_MEASURED


def test_a_fallback_says_why_scikit_learn_serves() -> None:
    compiled = {"status": "fallback", "reason": "column 'flag' is boolean"}
    s = sections(render_model_card(experiment="churn", compiled=compiled))
    assert s["Serving backend"] == "Served by scikit-learn (fallback): column 'flag' is boolean."


def test_rendering_is_deterministic_and_escapes_pipes(tmp_path: Path) -> None:
    card = render_model_card(
        experiment="x", limitations=["a | b"], training={"params": {"k": "a|b"}}
    )
    assert card == render_model_card(
        experiment="x", limitations=["a | b"], training={"params": {"k": "a|b"}}
    )
    assert "| k | a\\|b |" in card
    path = write_model_card(tmp_path, card)
    assert path == tmp_path / MODEL_CARD_FILE
    assert path.read_text() == card
