"""A generated stand-in for the Palmer penguins data (no network): 344 rows, three imbalanced
species, two categorical columns (island, sex), integer columns, and missing values written as
``NA`` cells the way the public CSV writes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SPECIES = {"Adelie": 152, "Gentoo": 124, "Chinstrap": 68}
ISLANDS = {
    "Adelie": (["Biscoe", "Dream", "Torgersen"], [0.29, 0.37, 0.34]),
    "Gentoo": (["Biscoe"], [1.0]),
    "Chinstrap": (["Dream"], [1.0]),
}
MEASURES = {  # mean, sd per species: bill length, bill depth, flipper length, body mass
    "Adelie": (38.8, 2.7, 18.3, 1.2, 190.0, 6.5, 3700.0, 460.0),
    "Gentoo": (47.5, 3.1, 15.0, 1.0, 217.2, 6.5, 5076.0, 504.0),
    "Chinstrap": (48.8, 3.3, 18.4, 1.1, 195.8, 7.1, 3733.0, 384.0),
}
COLUMNS = (
    "species",
    "island",
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
    "sex",
    "year",
)

DATASET_SPEC = """\
apiVersion: mlops-gitops/v1
kind: Dataset
metadata:
  name: penguins
spec:
  source:
    path: data/penguins.csv
  target: species
  columns:
    species: {type: category, allowed: [Adelie, Chinstrap, Gentoo]}
    island: {type: category, allowed: [Biscoe, Dream, Torgersen]}
    bill_length_mm: {type: number, nullable: true}
    bill_depth_mm: {type: number, nullable: true}
    flipper_length_mm: {type: integer, nullable: true}
    body_mass_g: {type: integer, nullable: true}
    sex: {type: category, nullable: true, allowed: [female, male]}
    year: {type: category, allowed: [2007, 2008, 2009]}
  validation:
    maxMissingFraction: 0.05
"""


def penguins(seed: int = 0) -> pd.DataFrame:
    """344 rows; two rows miss every measurement and sex, nine more miss only sex."""
    rng = np.random.default_rng(seed)
    parts = []
    for species, n in SPECIES.items():
        islands, p = ISLANDS[species]
        bl, bls, bd, bds, fl, fls, bm, bms = MEASURES[species]
        parts.append(
            pd.DataFrame(
                {
                    "species": species,
                    "island": rng.choice(islands, n, p=p),
                    "bill_length_mm": np.round(rng.normal(bl, bls, n), 1),
                    "bill_depth_mm": np.round(rng.normal(bd, bds, n), 1),
                    "flipper_length_mm": pd.array(np.round(rng.normal(fl, fls, n)), dtype="Int64"),
                    "body_mass_g": pd.array(
                        np.round(rng.normal(bm, bms, n) / 25) * 25, dtype="Int64"
                    ),
                    "sex": rng.choice(["female", "male"], n),
                    "year": rng.choice([2007, 2008, 2009], n),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame["sex"] = frame["sex"].astype(object)
    measured = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"]
    frame.loc[[3, 271], measured] = pd.NA
    frame.loc[[8, 9, 10, 11, 47, 178, 218, 256, 268], "sex"] = pd.NA
    return frame


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """As the public file is written: a header, ``NA`` for every missing cell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, na_rep="NA")
    return path


# the specs of a project on the penguins data: problem, experiment and deployment too
SPECS = {
    "specs/penguins/dataset.yaml": DATASET_SPEC,
    "specs/penguins/problem.yaml": """\
apiVersion: mlops-gitops/v1
kind: Problem
metadata:
  name: penguin-species
spec:
  question: Which species is a penguin, from its measurements?
  task: classification
  target: species
  metric: recall_macro
  successCriteria:
    - {metric: recall_macro, min: 0.8}
""",
    "specs/penguins/experiment.yaml": """\
apiVersion: mlops-gitops/v1
kind: Experiment
metadata:
  name: penguin-classifier
spec:
  problem: penguin-species
  dataset: penguins
  candidates:
    - estimator: logistic_regression
""",
    "specs/penguins/deployment.yaml": """\
apiVersion: mlops-gitops/v1
kind: Deployment
metadata:
  name: penguin-api
spec:
  model:
    experiment: penguin-classifier
  runtime: local
  port: 8620
  monitoring:
    window: 7d
    minRows: 50
    driftShare: 0.3
""",
}
