"""The whole GitOps loop on the example project, on one machine, in a few minutes.

``python -m mlops_gitops.demo`` (``make demo``) copies the example specs into a throwaway folder
with a local bare git remote and a local DVC remote, then runs what a team would run, each step a
real ``mlops``, ``dvc`` or ``git`` command: validate, plan, apply, ``dvc repro``, register and
promote, deploy locally, send traffic (the second half drifted), check drift, and open the drift
pull request (without a GitHub token the branch is pushed to the bare remote). No network, no
Docker. It prints each step and where its artifacts are.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_gitops.layout import RELATIVE, ProjectLayout

__all__ = ["Streamed", "main", "run_demo", "stream_command"]

DEPLOYMENT = "progression-api"
EXPERIMENT = "progression-linear"
DATASET = "diabetes"
EXAMPLE = ProjectLayout(Path(__file__).resolve().parent.parent).specs_dir()
QUIET_AFTER_S = 5.0
"""A streamed command quiet for this long gets a line saying it still works."""


class DemoFailed(Exception):
    pass


@dataclass(frozen=True)
class Streamed:
    """How a streamed command ended, and the last lines it printed (for the failure message)."""

    returncode: int
    output: str
    tail: tuple[str, ...]


def stream_command(
    args: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    on_line: Callable[[str], None],
    on_quiet: Callable[[float], None] | None = None,
    quiet_after: float = 10.0,
    tail: int = 25,
) -> Streamed:
    """Run ``args`` and hand each line of its output (stdout and stderr, interleaved) to
    ``on_line`` as soon as the command prints it, not when it ends; while it prints nothing,
    call ``on_quiet`` every ``quiet_after`` seconds with how long it has been quiet.

    Python children (DVC and the stages it runs) write through pipes in blocks unless told
    otherwise, so ``PYTHONUNBUFFERED`` is set for them.
    """
    lines: list[str] = []
    last: collections.deque[str] = collections.deque(maxlen=tail)
    arrived: queue.Queue[str | None] = queue.Queue()
    with subprocess.Popen(
        list(args),
        cwd=cwd,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    ) as process:
        output = process.stdout
        assert output is not None  # stdout=PIPE

        def pump() -> None:  # a thread, so that silence can be noticed while a line is awaited
            for raw in output:
                arrived.put(raw.rstrip("\n"))
            arrived.put(None)

        reader = threading.Thread(target=pump, name="demo-output", daemon=True)
        reader.start()
        quiet_since = time.monotonic()
        while True:
            try:
                line = arrived.get(timeout=quiet_after)
            except queue.Empty:
                if on_quiet is not None:
                    on_quiet(time.monotonic() - quiet_since)
                continue
            if line is None:
                break
            quiet_since = time.monotonic()
            lines.append(line)
            last.append(line)
            on_line(line)
        reader.join()
    return Streamed(process.wait(), "\n".join(lines), tuple(last))


class Demo:
    def __init__(self, workdir: Path, *, verbose: bool) -> None:
        self.workdir = workdir
        self.project = workdir / "project"
        self.remote = workdir / "remote.git"
        self.verbose = verbose
        self.env = dict(os.environ)
        self.env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + self.env["PATH"]
        for key in ("GITHUB_TOKEN", "GITHUB_API_URL", "GITHUB_REPOSITORY"):
            self.env.pop(key, None)  # the demo never talks to GitHub
        self.env.setdefault("GIT_AUTHOR_NAME", "mlops demo")
        self.env.setdefault("GIT_AUTHOR_EMAIL", "demo@example.com")
        self.env.setdefault("GIT_COMMITTER_NAME", "mlops demo")
        self.env.setdefault("GIT_COMMITTER_EMAIL", "demo@example.com")
        self.artifacts: list[tuple[str, str]] = []
        self.step_number = 0

    def step(self, title: str) -> None:
        self.step_number += 1
        print(f"\n== {self.step_number}. {title}", flush=True)

    def run(self, *args: str, cwd: Path | None = None, show: int = 12, stream: bool = False) -> str:
        """Run one command and print it with (the head of) its output.

        ``stream`` prints every line as the command prints it (for ``dvc repro``, minutes
        long); a failure repeats the last lines in the error.
        """
        started = time.perf_counter()
        print(f"$ {' '.join(args)}", flush=True)
        if stream:
            return self._run_streamed(args, cwd or self.project, started)
        done = subprocess.run(
            list(args),
            cwd=cwd or self.project,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        output = (done.stdout + done.stderr).rstrip()
        lines = output.splitlines()
        shown = lines if self.verbose or done.returncode else lines[:show]
        for line in shown:
            print(f"  {line}")
        if len(lines) > len(shown):
            print(f"  ... ({len(lines) - len(shown)} more lines)")
        print(f"  ({time.perf_counter() - started:.1f}s)", flush=True)
        if done.returncode != 0:
            raise DemoFailed(f"`{' '.join(args)}` exited {done.returncode}")
        return done.stdout

    def _run_streamed(self, args: Sequence[str], cwd: Path, started: float) -> str:
        """Every line as it comes; after :data:`QUIET_AFTER_S` of silence, a line saying what
        still runs (DVC's current stage), so the demo is never silent for long."""
        running = [" ".join(args[-2:])]  # until DVC names the stage it runs

        def show(line: str) -> None:
            stage = re.fullmatch(r"Running stage '(.+)':", line)
            if stage:
                running[0] = f"stage {stage[1]}"
            print(f"  {line}", flush=True)

        def quiet(seconds: float) -> None:
            print(f"  ... {running[0]}: working, {seconds:.0f}s since its last line", flush=True)

        streamed = stream_command(
            args, cwd=cwd, env=self.env, on_line=show, on_quiet=quiet, quiet_after=QUIET_AFTER_S
        )
        print(f"  ({time.perf_counter() - started:.1f}s)", flush=True)
        if streamed.returncode != 0:
            last = "\n".join(f"  {line}" for line in streamed.tail)
            raise DemoFailed(
                f"`{' '.join(args)}` exited {streamed.returncode}; its last lines:\n{last}"
            )
        return streamed.output

    def artifact(self, what: str, path: str) -> None:
        self.artifacts.append((what, path))
        print(f"  -> {what}: {path}")

    def mlops(self, *args: str, show: int = 12) -> str:
        return self.run(sys.executable, "-m", "mlops_gitops", *args, show=show)


def _free_port() -> int:
    """A port nothing listens on right now (the kernel's pick, so two demos never share one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _use_free_ports(specs: Path) -> list[str]:
    """Point every Deployment of the copied example at a free port: the example's fixed ports
    may be taken on a busy machine (another checkout's demo, a leftover server)."""
    moved = []
    for path in sorted(specs.rglob("*.yaml")):
        text = path.read_text()
        if not re.search(r"^kind: Deployment$", text, flags=re.MULTILINE):
            continue
        port = _free_port()
        path.write_text(re.sub(r"^  port: \d+$", f"  port: {port}", text, flags=re.MULTILINE))
        moved.append(f"{path.relative_to(specs)} -> port {port}")
    return moved


def _git_setup(demo: Demo) -> None:
    demo.step("A project in git, with a bare remote and a local DVC remote")
    demo.project.mkdir(parents=True)
    specs = ProjectLayout(demo.project).specs_dir()
    shutil.copytree(EXAMPLE, specs)
    for line in _use_free_ports(specs):
        print(f"  {line}")
    demo.run("git", "init", "-q", "--bare", str(demo.remote), cwd=demo.workdir)
    demo.run("git", "init", "-q", "-b", "main")
    demo.run("git", "remote", "add", "origin", str(demo.remote))
    demo.run(sys.executable, "-m", "dvc", "init", "-q")
    demo.run(
        *(sys.executable, "-m", "dvc", "remote", "add", "-d", "local"),
        str(demo.workdir / "dvc-remote"),
    )
    ignored = [
        f"{RELATIVE.posix(RELATIVE.run_dir())}/",
        f"{RELATIVE.posix(RELATIVE.request_logs())}/",
        RELATIVE.posix(RELATIVE.lock_file()),
    ]
    (demo.project / ".gitignore").write_text("".join(f"{line}\n" for line in ignored))
    demo.artifact("project", str(demo.project))
    demo.artifact("git remote (bare)", str(demo.remote))


def _reconcile(demo: Demo) -> None:
    demo.step("Validate the specs, see the graph and the plan, apply it")
    demo.mlops("validate")
    demo.mlops("graph")
    demo.mlops("plan", show=6)
    demo.mlops("apply", "--yes", show=3)
    demo.mlops("plan", "--detailed-exitcode")
    demo.run("git", "add", "-A")
    demo.run("git", "commit", "-qm", "specs and the pipeline they render")
    demo.run("git", "push", "-q", "origin", "main")
    demo.artifact("pipeline", "dvc.yaml, params.yaml, .mlops/specs/, .mlops/state.json")


def _train(demo: Demo) -> None:
    demo.step("Run the pipeline: dvc repro (ingest, profile, validate, split, train, ...)")
    demo.run(sys.executable, "-m", "dvc", "repro", stream=True)
    demo.run(sys.executable, "-m", "dvc", "push", "-q")
    demo.run(sys.executable, "-m", "dvc", "metrics", "show", show=30)
    demo.run("git", "add", "-A")
    demo.run("git", "commit", "-qm", "train: dvc repro")
    demo.run("git", "push", "-q", "origin", "main")
    show = RELATIVE.posix
    data, exp = DATASET, EXPERIMENT
    demo.artifact("data", f"{show(RELATIVE.dataset_dir(data))}/ (raw, train, test parquet; DVC)")
    demo.artifact(
        "data profile",
        f"{show(RELATIVE.profile_markdown(data))}, {show(RELATIVE.profile_plots(data))}/",
    )
    demo.artifact("model", f"{show(RELATIVE.model_file(exp))} (+ model.json, lineage.json)")
    demo.artifact("leaderboard", show(RELATIVE.leaderboard_markdown(exp)))
    demo.artifact("model card", show(RELATIVE.model_card(exp)))
    demo.artifact(
        "metrics", f"{show(RELATIVE.metrics_file(exp))}, {show(RELATIVE.performance_file(exp))}"
    )
    demo.artifact("interpretation", f"{show(RELATIVE.interpret_dir(exp))}/")


def _register(demo: Demo) -> None:
    demo.step("Register the model in the git-tag registry and promote it (gated)")
    demo.mlops("models", "register", EXPERIMENT)
    demo.mlops("models", "promote", EXPERIMENT, "--stage", "prod")
    demo.mlops("models", "list")
    demo.run("git", "push", "-q", "--tags", "origin")
    demo.artifact("registry", "git tags progression-linear@v0.1.0, progression-linear#prod#1")


def _post(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


def _deploy_and_send_traffic(demo: Demo) -> None:
    import pandas as pd

    demo.step("Deploy locally and send traffic (the second half drifted: heavier patients)")
    demo.mlops("deploy", DEPLOYMENT)
    status = json.loads(demo.mlops("status", "--format", "json", show=0))
    url = next(s["url"] for s in status if s["name"] == DEPLOYMENT)
    test = pd.read_parquet(ProjectLayout(demo.project).test_split(DATASET))
    train = pd.read_parquet(ProjectLayout(demo.project).train_split(DATASET))
    features = [c for c in test.columns if c != "progression"]
    normal = train[features].sample(150, replace=True, random_state=1)
    drifted = train[features].sample(150, replace=True, random_state=2)
    drifted["bmi"] = (drifted["bmi"] * 1.25).clip(upper=79)
    drifted["s5"] = (drifted["s5"] + 0.5).clip(upper=11.9)
    drifted["bp"] = (drifted["bp"] + 12).clip(upper=249)
    sent = 0
    for frame in (normal, drifted):
        for start in range(0, len(frame), 10):
            rows = frame.iloc[start : start + 10]
            _post(f"{url}/predict", {"instances": json.loads(rows.to_json(orient="records"))})
            sent += len(rows)
    print(f"  sent {sent} rows in {sent // 10} requests to {url}/predict")
    demo.artifact("request log", f"{RELATIVE.posix(RELATIVE.request_log_default(DEPLOYMENT))}/")


def _drift(demo: Demo) -> None:
    demo.step("Check drift against the training split's stored profile, and open the drift PR")
    demo.mlops("undeploy", DEPLOYMENT)  # stops the server, which flushes the request log
    demo.mlops("drift", "check", DEPLOYMENT, show=20)
    demo.mlops("drift", "pr", DEPLOYMENT, show=20)
    branches = demo.run("git", "branch", "--list", "mlops/drift/*", cwd=demo.remote)
    report = RELATIVE.drift_report(DEPLOYMENT, "<window end>") / "report.md"
    demo.artifact("drift report", RELATIVE.posix(report))
    demo.artifact("drift PR branch (in the bare remote)", branches.strip() or "(none)")


def run_demo(workdir: Path, *, verbose: bool = False) -> list[tuple[str, str]]:
    demo = Demo(workdir, verbose=verbose)
    steps = (_git_setup, _reconcile, _train, _register, _deploy_and_send_traffic, _drift)
    started = time.perf_counter()
    try:
        for step in steps:
            step(demo)
    finally:
        subprocess.run(
            [sys.executable, "-m", "mlops_gitops", "undeploy", DEPLOYMENT],
            cwd=demo.project,
            env=demo.env,
            capture_output=True,
            check=False,
        )
    print(f"\n== Done in {time.perf_counter() - started:.0f}s. Where everything is:")
    width = max(len(w) for w, _ in demo.artifacts)
    for what, path in demo.artifacts:
        print(f"  {what.ljust(width)}  {path}")
    return demo.artifacts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlops_gitops.demo", description=__doc__)
    parser.add_argument("--workdir", type=Path, help="where to build the throwaway project")
    parser.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    parser.add_argument("--verbose", action="store_true", help="show every output line")
    args = parser.parse_args(argv)
    if not EXAMPLE.is_dir():
        print(
            f"error: the example specs are not at {EXAMPLE}\n"
            "hint: run the demo from a clone of the mlops-gitops repository (make demo)",
            file=sys.stderr,
        )
        return 1
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="mlops-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        run_demo(workdir, verbose=args.verbose)
    except DemoFailed as error:
        print(f"\ndemo failed: {error}\nthe work folder is kept: {workdir}", file=sys.stderr)
        return 1
    if args.keep or args.workdir:
        print(f"\nThe project is kept in {workdir / 'project'}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
        print("\n(the throwaway folder was removed; pass --keep to look around)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
