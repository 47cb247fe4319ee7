"""A drift report as one self-contained HTML file (``report.html``), the kind people share.

One file, nothing fetched: the style is inline, each column's distribution plot is a ``data:``
URI, and a Content-Security-Policy forbids loading anything else (``default-src 'none'``), so a
browser shows it the same offline, from an e-mail attachment or a CI artefact. It holds the
verdict, the window, the per-column table (test, statistic, threshold and where it came from,
drifted or not, why) and the plots. A few lines of inline script mark ``<body>`` with
``data-images-loaded`` once every plot decoded (the browser test reads it).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from html import escape

from mlops_gitops.monitoring.result import ColumnDrift, DriftResult

__all__ = ["render_html"]

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;
color:#1f2328;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}
.verdict{font-size:1.2rem;font-weight:600;padding:.6rem 1rem;border-radius:6px;margin:1rem 0}
.verdict.drift{background:#ffebe9;border:1px solid #ff8182}
.verdict.ok{background:#dafbe1;border:1px solid #4ac26b}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.92rem}
th,td{border:1px solid #d0d7de;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
tr.drifted td{background:#fff5f5}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(22rem,1fr));gap:1rem}
figure{margin:0;border:1px solid #d0d7de;border-radius:6px;padding:.5rem}
figure img{width:100%;height:auto}
figcaption{font-size:.9rem;color:#59636e}
.muted{color:#59636e}
"""

# data: images only; inline style and this one inline script; nothing from any network
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
_SCRIPT = """
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var decoded = images.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute("data-images-loaded", decoded.length + "/" + images.length);
});
"""


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def _drifted(column: ColumnDrift) -> str:
    if column.data_quality is not None:
        return "yes (data quality)"
    text = "yes" if column.drifted else "no"
    if column.missing_drifted:
        text += f" (missing {column.missing_reference:.1%} → {column.missing_current:.1%})"
    return text


def _why(column: ColumnDrift) -> str:
    if column.data_quality is not None:
        return f"data-quality failure: {column.data_quality}"
    why = column.skipped if column.skipped else column.reason
    if column.unseen_categories:
        why += f"; new categories in current ({column.unseen_share:.1%} of rows): " + ", ".join(
            column.unseen_categories
        )
    return why


def _row(column: ColumnDrift) -> str:
    name = column.name + (" (prediction)" if column.role == "prediction" else "")
    method = column.method or ("data quality" if column.data_quality else "skipped")
    cells = [
        f"<td>{escape(name)}</td>",
        f"<td>{escape(method)}</td>",
        f'<td class="num">{_number(column.statistic)}</td>',
        f'<td class="num">{_number(column.threshold)}</td>',
        f"<td>{escape(column.threshold_source or '')}</td>",
        f"<td>{escape(_drifted(column))}</td>",
        f"<td>{escape(_why(column))}</td>",
    ]
    drifted = column.drifted or column.data_quality is not None
    return (
        f'<tr data-column="{escape(column.name)}"{" class=drifted" if drifted else ""}>'
        + "".join(cells)
        + "</tr>"
    )


def _figure(column: ColumnDrift, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    caption = f"{column.name}: reference vs current" + (" (drifted)" if column.drifted else "")
    return (
        f'<figure data-column="{escape(column.name)}">'
        f'<img alt="{escape(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def render_html(result: DriftResult, plots: Mapping[str, bytes]) -> str:
    """The report page; ``plots`` maps a column name to its PNG (columns without one: no plot)."""
    title = f"Drift report: {result.deployment}" if result.deployment else "Drift report"
    verdict = "drift" if result.dataset_drift else "ok"
    ordered = sorted(result.columns, key=lambda c: (not c.drifted, c.skipped is not None))
    window = (
        f"<p>Window: {escape(result.window_start)} to {escape(result.window_end)}.</p>"
        if result.window_start and result.window_end
        else ""
    )
    notes = "".join(f"<li>{escape(note)}</li>" for note in result.notes)
    figures = "".join(_figure(c, plots[c.name]) for c in ordered if c.name in plots)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{escape(title)}</h1>
<div class="verdict {verdict}" id="verdict">{escape(result.headline())}</div>
{window}
<p>Reference: {result.reference_rows} rows; current: {result.current_rows} rows.
Share of drifted feature columns: {result.drift_share:.1%} (dataset drift at
{result.drift_share_threshold:.1%}).</p>
<p class="muted">P-value tests (ks, chisquare, ztest) flag drift when the statistic is below the
threshold; distances (wasserstein, jensenshannon, psi) when it is at or above it.</p>
<table id="columns">
<thead><tr><th>column</th><th>test</th><th>statistic</th><th>threshold</th>
<th>threshold from</th><th>drifted</th><th>why this test</th></tr></thead>
<tbody>
{"".join(_row(c) for c in ordered)}
</tbody>
</table>
{f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""}
<h2>Distributions</h2>
<div class="plots">{figures or '<p class="muted">No column has a plot.</p>'}</div>
<script>{_SCRIPT}</script>
</body>
</html>
"""
