"""Small real data for the ML tests (scikit-learn's bundled sets and a planted signal)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="session")
def diabetes() -> pd.DataFrame:
    from sklearn.datasets import load_diabetes

    return load_diabetes(as_frame=True).frame


@pytest.fixture(scope="session")
def cancer() -> pd.DataFrame:
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    return frame[[*frame.columns[:8], "target"]]


@pytest.fixture(scope="session")
def planted() -> pd.DataFrame:
    """Binary target decided by ``signal``; ``noise`` is pure noise; ``group`` is a category."""
    rng = np.random.default_rng(0)
    n = 400
    signal = rng.normal(size=n)
    return pd.DataFrame(
        {
            "signal": signal,
            "noise": rng.normal(size=n),
            "group": rng.choice(["a", "b"], size=n),
            "target": (signal > 0).astype(int),
        }
    )
