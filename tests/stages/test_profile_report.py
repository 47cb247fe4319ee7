"""profile.md shows its plots inline; the plots have titles and axis labels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mlops_gitops.stages.profile import _markdown, _plots, profile_frame
from tests.helpers.spec_objects import make_dataset


def test_profile_markdown_embeds_the_plots_it_drew(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"size": [1.0, 2.0, 3.5, 4.0, 2.2, 3.3], "label": ["a", "b", "a", "b", "a", "a"]}
    )
    dataset = make_dataset(frame, "label", {"label": "category"})
    report = profile_frame(frame, dataset)
    text = _markdown("toy", report)
    _plots(frame, dataset, tmp_path / "plots")
    embedded = [line for line in text.splitlines() if line.startswith("![")]
    assert embedded == [
        "![histograms of the numeric columns](plots/histograms.png)",
        "![class balance](plots/class_balance.png)",
    ]
    for line in embedded:
        target = line.split("](")[1].rstrip(")")
        assert (tmp_path / target).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
