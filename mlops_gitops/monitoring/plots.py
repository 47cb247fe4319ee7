"""PNG plots of reference vs current for a column: a histogram (numeric) or bars (categorical).

Uses matplotlib's object API with the Agg canvas: no pyplot, no global backend switch, no GUI.
"""

from __future__ import annotations

import io

from mlops_gitops.monitoring.result import ColumnDrift

__all__ = ["plot_png"]


def plot_png(column: ColumnDrift) -> bytes | None:
    """The plot of ``column``'s histogram as PNG bytes (None when it has none)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    hist = column.histogram
    if hist is None:
        return None
    figure = Figure(figsize=(7.0, 4.0), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if hist.edges:
        widths = [b - a for a, b in zip(hist.edges[:-1], hist.edges[1:], strict=True)]
        for shares, label, colour in (
            (hist.reference, "reference", "#4C72B0"),
            (hist.current, "current", "#DD8452"),
        ):
            axes.bar(
                hist.edges[:-1],
                shares,
                width=widths,
                align="edge",
                alpha=0.55,
                label=label,
                color=colour,
            )
        axes.set_xlabel(column.name)
    else:
        positions = list(range(len(hist.labels)))
        axes.bar(
            [p - 0.2 for p in positions],
            hist.reference,
            width=0.4,
            label="reference",
            color="#4C72B0",
        )
        axes.bar(
            [p + 0.2 for p in positions], hist.current, width=0.4, label="current", color="#DD8452"
        )
        axes.set_xticks(
            positions,
            [_short(label) for label in hist.labels],
            rotation=45 if len(hist.labels) > 5 else 0,
            ha="right",
        )
    axes.set_ylabel("share of rows")
    stat = (
        ""
        if column.statistic is None
        else (f" ({column.method} {column.statistic:.3g}, threshold {column.threshold:.3g})")
    )
    axes.set_title(f"{column.name}: reference vs current{stat}", fontsize=10)
    axes.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _short(label: str, limit: int = 18) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
