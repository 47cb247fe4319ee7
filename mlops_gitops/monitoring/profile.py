"""The reference profile: what a drift check needs of the training split, computed once.

A profile is a small JSON file beside the model (``models/<experiment>/reference_profile.json``,
a DVC output of the ``reference`` stage). Per column it holds:

* numeric: row, missing and finite-value counts, min, max and standard deviation, the distinct
  levels with their counts (when there are :data:`~mlops_gitops.monitoring.methods.FEW_VALUES`
  or fewer), the reference deciles and the counts between them, counts on a fine equal-width
  grid over ``[min, max]`` (:func:`profile_grid`), and the sorted values themselves when there
  are at most :data:`EXACT_VALUES` of them;
* categorical: the labels in the order the exact engine sees them, their counts, and the
  missing count (and the sorted numeric levels for numbers used as categories).

Accuracy against the exact engine on the same data (each bound is tested):

* category counts, levels, deciles and their counts, row and missing counts, the standard
  deviation: exact, so chi-square, Z-test, Jensen-Shannon and PSI statistics are identical;
* Wasserstein: both samples are placed on the profile's grid (current values outside it enter
  through exact tail sums), so the normalised distance is within ``2 * width / std`` of the
  exact one, at most :data:`GRID_TOLERANCE` (recorded per column as ``wasserstein_error``),
  plus the exact engine's own grid tolerance of 1e-3;
* Kolmogorov-Smirnov: exact (scipy on the raw values) when the profile holds the reference
  values and the window's values fit the current side's buffer; otherwise ``D`` is read off the
  grid, never above the exact ``D`` and below it by at most the largest bin share of either
  side (recorded as ``ks_error`` for the reference), and the p-value is Smirnov's asymptotic
  one with the true sample sizes, which is what scipy itself uses above 10,000 values.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from mlops_gitops.errors import DriftError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.ml.artifact import REFERENCE_PROFILE_FILE
from mlops_gitops.monitoring.methods import FEW_VALUES
from mlops_gitops.monitoring.stats import Grid

if TYPE_CHECKING:
    import pyarrow as pa

    from mlops_gitops.ml.artifact import FeatureInfo

__all__ = [
    "EXACT_VALUES",
    "FORMAT",
    "GRID_TOLERANCE",
    "PROFILE_FILE",
    "CategoricalProfile",
    "NumericProfile",
    "ReferenceProfile",
    "build_profile",
    "profile_grid",
    "read_profile",
    "write_profile",
]

FORMAT = "mlops-gitops/reference-profile/v1"
PROFILE_FILE = REFERENCE_PROFILE_FILE
EXACT_VALUES = 10_000
"""A numeric column with at most this many reference values keeps them (exact KS)."""
GRID_TOLERANCE = 1e-3
"""Wanted Wasserstein error of the grid, in reference standard deviations."""
MIN_BINS = 1 << 14
MAX_BINS = 1 << 16
DECILES = np.linspace(0.1, 0.9, 9)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class NumericProfile:
    name: str
    declared: str
    arrow_type: str
    rows: int
    missing: int
    values: int
    minimum: float
    maximum: float
    std: float
    levels: tuple[tuple[float, int], ...] | None  # None: more than FEW_VALUES distinct
    decile_edges: tuple[float, ...]
    decile_counts: tuple[int, ...]
    grid: Grid
    grid_counts: IntArray = field(compare=False, repr=False)
    sorted_values: FloatArray | None = field(default=None, compare=False, repr=False)

    kind: Literal["numeric"] = "numeric"

    @property
    def wasserstein_error(self) -> float:
        """Largest error of the Wasserstein distance due to this grid (reference std units)."""
        return 2.0 * self.grid.width / max(self.std, 1e-3)

    @property
    def ks_error(self) -> float:
        """The largest share of the reference in one grid bin (KS ``D`` is within it)."""
        return float(self.grid_counts.max()) / self.values if self.values else 0.0


@dataclass(frozen=True)
class CategoricalProfile:
    name: str
    declared: str
    arrow_type: str
    rows: int
    missing: int
    labels: tuple[str, ...]  # as the exact engine orders them (first appearance)
    counts: tuple[int, ...]
    levels: tuple[tuple[float, int], ...] | None = None  # numbers used as categories, sorted

    kind: Literal["categorical"] = "categorical"

    @property
    def numeric(self) -> bool:
        return self.levels is not None


ColumnProfile = NumericProfile | CategoricalProfile


@dataclass(frozen=True)
class ReferenceProfile:
    rows: int
    columns: Mapping[str, ColumnProfile]
    source: str = ""
    target: str | None = None

    def arrow_schema(self) -> pa.Schema:
        """The reference's columns and types (an empty table of it plans the columns)."""
        import pyarrow as pa

        return pa.schema([(c.name, _parse_type(c.arrow_type)) for c in self.columns.values()])

    def renamed(self, old: str, new: str) -> ReferenceProfile:
        from dataclasses import replace

        columns = {
            (new if name == old else name): (replace(c, name=new) if name == old else c)
            for name, c in self.columns.items()
        }
        return replace(self, columns=columns)


def profile_grid(minimum: float, maximum: float, std: float) -> Grid:
    """Equal-width bins over ``[minimum, maximum]``: fine enough for :data:`GRID_TOLERANCE`,
    at least :data:`MIN_BINS` (KS resolution) and at most :data:`MAX_BINS` (a long-tailed
    column then has a coarser grid, its ``wasserstein_error`` says how coarse)."""
    span = maximum - minimum
    if span <= 0.0 or not math.isfinite(span):
        return Grid(minimum, 1.0, 1)
    norm = max(std, 1e-3)
    bins = min(max(math.ceil(2.0 * span / (GRID_TOLERANCE * norm)), MIN_BINS), MAX_BINS)
    return Grid(minimum, span / bins, bins)


def build_profile(
    table: pa.Table,
    features: Sequence[FeatureInfo],
    *,
    target: str | None = None,
    source: str = "",
) -> ReferenceProfile:
    """The profile of ``table`` (the training split, typed by the model's features); the
    ``target`` column is profiled too (a logged prediction is compared with it)."""
    from mlops_gitops.monitoring.columns import plan_columns

    plans, _ = plan_columns(table, table, features, prediction=target)
    columns: dict[str, ColumnProfile] = {}
    for plan in plans:
        if plan.name not in table.column_names or plan.kind == "skipped":
            continue
        column = table.column(plan.name)
        if plan.kind == "numeric":
            columns[plan.name] = _numeric(plan.name, plan.declared, column)
        else:
            columns[plan.name] = _categorical(plan.name, plan.declared, column)
    return ReferenceProfile(table.num_rows, columns, source, target)


def _numeric(name: str, declared: str, column: pa.ChunkedArray) -> NumericProfile:
    from mlops_gitops.monitoring.samples import to_float
    from mlops_gitops.monitoring.stats import grid_counts

    raw = to_float(column)
    values = np.sort(raw[np.isfinite(raw)])
    count = int(values.size)
    if count == 0:
        grid = Grid(0.0, 1.0, 1)
        return NumericProfile(
            name, declared, str(column.type), len(column), len(column), 0, 0.0, 0.0, 0.0,
            None, (), (), grid, np.zeros(1, np.int64),
        )  # fmt: skip
    levels, level_counts = _levels(values)
    std = float(np.std(values))
    edges = np.unique(np.quantile(values, DECILES))
    codes = np.searchsorted(edges, values, side="right")
    decile_counts = np.bincount(codes, minlength=edges.size + 1)
    grid = profile_grid(float(values[0]), float(values[-1]), std)
    counts = grid_counts(values.copy(), grid)
    return NumericProfile(
        name,
        declared,
        str(column.type),
        len(column),
        len(column) - count,
        count,
        float(values[0]),
        float(values[-1]),
        std,
        tuple(zip(levels, level_counts, strict=True)) if levels is not None else None,
        tuple(float(e) for e in edges),
        tuple(int(c) for c in decile_counts),
        grid,
        counts,
        values if count <= EXACT_VALUES else None,
    )


def _levels(values: FloatArray) -> tuple[list[float] | None, list[int]]:
    from mlops_gitops.monitoring.samples import count_distinct_upto

    if count_distinct_upto((values,), FEW_VALUES) > FEW_VALUES:
        return None, []
    levels, counts = np.unique(values, return_counts=True)
    return [float(v) for v in levels], [int(c) for c in counts]


def _categorical(name: str, declared: str, column: pa.ChunkedArray) -> CategoricalProfile:
    from mlops_gitops.monitoring.samples import _is_number, _value_counts, _value_type, to_float

    values, counts = _value_counts(column)
    labels = tuple(str(v) for v in values.to_pylist())
    levels = None
    missing = column.null_count
    if _is_number(_value_type(column.type)):
        raw = to_float(column)
        finite = raw[np.isfinite(raw)]
        found, found_counts = np.unique(finite, return_counts=True)
        levels = tuple((float(v), int(c)) for v, c in zip(found, found_counts, strict=True))
        missing = int(raw.size - finite.size)
    return CategoricalProfile(
        name,
        declared,
        str(column.type),
        len(column),
        missing,
        labels,
        tuple(int(c) for c in counts),
        levels,
    )


# -- storage ------------------------------------------------------------------------------------


def write_profile(profile: ReferenceProfile, path: Path) -> None:
    """Write ``profile`` as JSON, atomically (sorted keys: the same data give the same bytes)."""
    atomic_write_text(path, json.dumps(_to_dict(profile), sort_keys=True, separators=(",", ":")))


def read_profile(path: Path) -> ReferenceProfile:
    """The profile stored at ``path``; a clear error when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"its format is {data.get('format')!r}, not {FORMAT!r}")
        return _from_dict(data)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DriftError(
            f"the reference profile {path} cannot be read: {error}",
            "run `dvc repro` (or `dvc pull`) to rebuild or fetch it",
        ) from None


def _to_dict(profile: ReferenceProfile) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for name, c in profile.columns.items():
        entry: dict[str, Any] = {
            "kind": c.kind,
            "declared": c.declared,
            "arrow_type": c.arrow_type,
            "rows": c.rows,
            "missing": c.missing,
        }
        if isinstance(c, NumericProfile):
            entry |= {
                "values": c.values,
                "min": c.minimum,
                "max": c.maximum,
                "std": c.std,
                "levels": [list(level) for level in c.levels] if c.levels is not None else None,
                "decile_edges": list(c.decile_edges),
                "decile_counts": list(c.decile_counts),
                "grid": {"low": c.grid.low, "width": c.grid.width, "bins": c.grid.bins},
                "grid_counts": _sparse(c.grid_counts),
                "sorted_values": c.sorted_values.tolist() if c.sorted_values is not None else None,
                "wasserstein_error": c.wasserstein_error,
                "ks_error": c.ks_error,
            }
        else:
            entry |= {
                "labels": list(c.labels),
                "counts": list(c.counts),
                "levels": [list(level) for level in c.levels] if c.levels is not None else None,
            }
        columns[name] = entry
    return {
        "format": FORMAT,
        "rows": profile.rows,
        "source": profile.source,
        "target": profile.target,
        "columns": columns,
    }


def _sparse(counts: IntArray) -> dict[str, list[int]]:
    """Non-zero bins only: long-tailed columns leave most bins empty."""
    where = np.flatnonzero(counts)
    return {"index": where.tolist(), "count": counts[where].tolist()}


def _from_dict(data: Mapping[str, Any]) -> ReferenceProfile:
    columns: dict[str, ColumnProfile] = {}
    for name, e in data["columns"].items():
        levels = tuple((float(v), int(n)) for v, n in e["levels"]) if e["levels"] else None
        if e["kind"] == "numeric":
            grid = Grid(float(e["grid"]["low"]), float(e["grid"]["width"]), int(e["grid"]["bins"]))
            counts = np.zeros(grid.bins, dtype=np.int64)
            counts[np.asarray(e["grid_counts"]["index"], dtype=np.int64)] = e["grid_counts"][
                "count"
            ]
            raw = e.get("sorted_values")
            columns[name] = NumericProfile(
                name,
                e["declared"],
                e["arrow_type"],
                int(e["rows"]),
                int(e["missing"]),
                int(e["values"]),
                float(e["min"]),
                float(e["max"]),
                float(e["std"]),
                levels if e["levels"] is not None else None,
                tuple(float(v) for v in e["decile_edges"]),
                tuple(int(v) for v in e["decile_counts"]),
                grid,
                counts,
                np.asarray(raw, dtype=np.float64) if raw is not None else None,
            )
        elif e["kind"] == "categorical":
            columns[name] = CategoricalProfile(
                name,
                e["declared"],
                e["arrow_type"],
                int(e["rows"]),
                int(e["missing"]),
                tuple(str(v) for v in e["labels"]),
                tuple(int(v) for v in e["counts"]),
                levels,
            )
        else:
            raise ValueError(f"column {name!r} has kind {e['kind']!r}")
    return ReferenceProfile(int(data["rows"]), columns, str(data["source"]), data.get("target"))


def _parse_type(text: str) -> pa.DataType:
    """The Arrow type named by ``str(type)`` for the types a conformed table holds."""
    import pyarrow as pa

    simple = {
        "double": pa.float64(),
        "float": pa.float32(),
        "int64": pa.int64(),
        "int32": pa.int32(),
        "bool": pa.bool_(),
        "string": pa.string(),
        "large_string": pa.large_string(),
    }
    if text in simple:
        return simple[text]
    if text.startswith("dictionary<values=string"):
        return pa.dictionary(pa.int32(), pa.string())
    if text.startswith("dictionary<values=large_string"):
        return pa.dictionary(pa.int32(), pa.large_string())
    return pa.string()
