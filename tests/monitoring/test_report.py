"""Report files: JSON shape, Markdown table, PNG plots of the drifted columns."""

from __future__ import annotations

import json
import struct

from mlops_gitops.monitoring import DriftSettings, detect_drift, render_text, write_report
from mlops_gitops.monitoring.report import render_markdown
from tests.helpers.drift_data import PLANTED, planted

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_report_folder_holds_json_markdown_and_one_png_per_drifted_column(tmp_path, large):
    result = detect_drift(*large)
    paths = write_report(result, tmp_path / "out")
    names = sorted(str(p.relative_to(tmp_path / "out")) for p in paths)
    assert names == sorted(
        [
            "report.json",
            "report.md",
            "report.html",
            "dvc.yaml",  # the histograms as DVC plots, one CSV per drifted column
            *(f"{c}.png" for c in PLANTED),
            *(f"histograms/{c}.csv" for c in PLANTED),
        ]
    )
    on_disk = sorted(
        str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*") if p.is_file()
    )
    assert on_disk == names  # no temp files left
    for column in PLANTED:
        assert png_size((tmp_path / "out" / f"{column}.png").read_bytes()) == (700, 400)

    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["dataset_drift"] is False
    assert data["drift_share"] == round(4 / 14, 6)
    assert data["number_of_drifted_columns"] == 4
    assert data["number_of_tested_columns"] == 14
    assert data["reference_rows"] == data["current_rows"] == 30_000
    assert data["drifted_columns"] == sorted(PLANTED)
    shift = data["columns"]["shift"]
    assert {"method", "statistic", "threshold", "drifted", "reason"} <= set(shift)
    assert shift["method"] == "wasserstein" and shift["drifted"] is True
    assert shift["comparison"] == "distance >= threshold"
    assert data["columns"]["plan"]["unseen_categories"] == ["premium"]


def test_markdown_has_a_headline_and_a_row_per_column(tmp_path, large):
    result = detect_drift(*large)
    write_report(result, tmp_path)
    text = (tmp_path / "report.md").read_text()
    lines = text.splitlines()
    assert lines[0] == "# Drift report"
    assert lines[2] == (
        "**No dataset drift: 4 of 14 feature column(s) drifted (share 0.29, alarm at 0.50).**"
    )
    header = "| column | test | statistic | threshold | drifted | why this test |"
    table = lines[lines.index(header) :]
    rows = [line for line in table[2:] if line.startswith("| ")]
    assert len(rows) == 14
    assert rows[0].startswith("| [") and "**yes**" in rows[0]  # drifted first, linked to a plot
    assert any(r.startswith("| tiny | wasserstein |") and "| no |" in r for r in rows)
    images = [line for line in lines if line.startswith("![")]
    assert sorted(images) == sorted(f"![{c}]({c}.png)" for c in PLANTED)


def test_reports_of_small_and_skipped_columns_render(tmp_path):
    ref, cur = planted(150, seed=3)
    result = detect_drift(ref, cur.slice(0, 20), settings=DriftSettings())
    paths = write_report(result, tmp_path)
    assert [p.name for p in paths] == ["report.json", "report.md", "report.html"]
    assert "Drift not judged" in (tmp_path / "report.md").read_text()
    assert render_text(result).startswith("Drift not judged: the current data has 20 row(s)")
    assert "| shift | skipped |" in render_markdown(result)


def test_rewriting_a_report_replaces_it(tmp_path, small):
    first = detect_drift(*small)
    write_report(first, tmp_path)
    second = detect_drift(small[0], small[0])
    write_report(second, tmp_path)
    assert json.loads((tmp_path / "report.json").read_text())["number_of_drifted_columns"] == 0
