"""Plan and apply on generated projects of 10, 100 and 1,000 specs.

Run: python benchmarks/reconcile/bench_plan.py [--sizes 10 100 1000] [--repeats 3]

Each project has N specs in groups of (problem, dataset, experiment, deployment). Prints the time
of `plan` (load specs + render + observe + diff), the first `apply`, a no-op `apply`, and the
cost per spec, with the ratio of each size's per-spec cost to the smallest size's (the baseline
measured in the same run): a ratio near 1 means cost grows linearly. Goal: plan on 1,000 specs
under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from mlops_gitops.reconcile.apply import apply_plan, compute_plan

GROUP = """\
apiVersion: mlops-gitops/v1
kind: Problem
metadata: {{name: problem-{i}}}
spec:
  question: Question {i}?
  task: regression
  target: y
  metric: r2
  successCriteria: [{{metric: r2, min: 0.1}}]
---
apiVersion: mlops-gitops/v1
kind: Dataset
metadata: {{name: data-{i}}}
spec:
  source: {{path: data/raw/{i}.csv}}
  target: y
  columns:
    a: {{type: number, min: 0, max: 10}}
    b: {{type: integer}}
    c: {{type: category, allowed: [x, y, z]}}
    y: {{type: number}}
  split: {{testSize: 0.2, seed: {i}}}
---
apiVersion: mlops-gitops/v1
kind: Experiment
metadata: {{name: exp-{i}}}
spec:
  problem: problem-{i}
  dataset: data-{i}
  candidates:
    - estimator: ridge
      params: {{alpha: {{low: 0.01, high: 10, log: true}}}}
    - estimator: random_forest
      params: {{n_estimators: [50, 100], max_depth: 4}}
  search: {{strategy: random, trials: 5, cvFolds: 3}}
---
apiVersion: mlops-gitops/v1
kind: Deployment
metadata: {{name: api-{i}}}
spec:
  model: {{experiment: exp-{i}}}
  monitoring: {{driftShare: 0.5, columns: {{a: {{threshold: 0.2}}}}}}
"""


def make_project(root: Path, specs: int) -> None:
    folder = root / "specs"
    folder.mkdir(parents=True)
    for i in range(specs // 4):
        (folder / f"group-{i}.yaml").write_text(GROUP.format(i=i))


def timed(fn: object, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            make_project(root, size)
            fresh_s = timed(lambda root=root: compute_plan(root), args.repeats)
            started = time.perf_counter()
            apply_plan(root)
            apply_s = time.perf_counter() - started
            plan_s = timed(lambda root=root: compute_plan(root), args.repeats)
            noop_s = timed(lambda root=root: apply_plan(root), args.repeats)
            assert not compute_plan(root).has_changes
            dvc_file = root / "dvc.yaml"
            dvc_file.write_text(dvc_file.read_text() + "# a person's note\n")
            edited_s = timed(lambda root=root: compute_plan(root), args.repeats)
            rows.append((size, fresh_s, apply_s, plan_s, noop_s, edited_s))
    base = rows[0]
    print(
        f"{'specs':>6} {'plan new':>9} {'apply':>8} {'plan':>8} {'no-op':>8} {'plan edited':>12}"
        f" {'plan ms/spec':>13} {'vs ' + str(base[0]):>8}"
    )
    for size, fresh_s, apply_s, plan_s, noop_s, edited_s in rows:
        per_spec = plan_s / size * 1000
        ratio = per_spec / (base[3] / base[0] * 1000)
        print(
            f"{size:>6} {fresh_s:>9.3f} {apply_s:>8.3f} {plan_s:>8.3f} {noop_s:>8.3f}"
            f" {edited_s:>12.3f} {per_spec:>13.3f} {ratio:>7.2f}x"
        )
    print("seconds, median of repeats; 'plan edited': dvc.yaml changed by hand, so it is parsed")
    largest = rows[-1]
    verdict = "met" if largest[3] < 1.0 else "NOT met"
    print(f"goal: plan on {largest[0]} applied specs under 1 s: {largest[3]:.3f} s ({verdict})")


if __name__ == "__main__":
    main()
