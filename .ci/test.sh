#!/usr/bin/env bash
# The whole test suite (what `make test` runs). Starts a private Docker engine first when this
# machine can run one (root + apt, or an installed dockerd), builds the local base image the
# container tests build FROM, and stops the engine at the end. Container tests skip, loudly,
# only when no daemon can be reached.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PATH="$PWD/$BIN:$PATH"
export MLOPS_BASE_IMAGE="${MLOPS_BASE_IMAGE:-mlops-gitops/python-base:bookworm}"
started_docker=0
stop_docker() {
  if [ "$started_docker" = 1 ]; then bash .ci/docker.sh down >/dev/null 2>&1 || true; fi
}
trap stop_docker EXIT
if [ -z "${DOCKER_HOST:-}" ] && [ "${MLOPS_SKIP_DOCKER:-0}" != "1" ]; then
  if env_line=$(bash .ci/docker.sh up 2>.ci-docker-up.log | grep '^export DOCKER_HOST='); then
    eval "$env_line"
    started_docker=1
    echo "docker engine up at $DOCKER_HOST"
    if ! bash .ci/docker.sh base-image >>.ci-docker-up.log 2>&1; then
      echo "WARNING: base image build failed; see .ci-docker-up.log" >&2
      tail -20 .ci-docker-up.log >&2
    fi
  else
    echo "WARNING: could not start a Docker engine; container tests will be SKIPPED" >&2
    tail -20 .ci-docker-up.log >&2
  fi
fi
# Tools the tests drive for real: promtool (Debian's `prometheus`) checks and unit-tests the
# rendered alert rules; headless chromium opens the HTML drift report. Installed like the Docker
# engine when this machine can (root + apt); the tests that need them skip loudly otherwise.
missing_tools=()
command -v promtool >/dev/null 2>&1 || missing_tools+=(prometheus)
command -v chromium >/dev/null 2>&1 || missing_tools+=(chromium)
# the shells whose completion scripts `mlops completion` writes (bash is always there)
command -v zsh >/dev/null 2>&1 || missing_tools+=(zsh)
command -v fish >/dev/null 2>&1 || missing_tools+=(fish)
if ((${#missing_tools[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing_tools[*]} (test tools)"
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
          "${missing_tools[@]}"; } >.ci-test-tools.log 2>&1 \
      || { echo "WARNING: could not install ${missing_tools[*]}; see .ci-test-tools.log" >&2
           tail -5 .ci-test-tools.log >&2; }
  else
    echo "WARNING: ${missing_tools[*]} missing and not installable here: those tests SKIP" >&2
  fi
fi
# the same lint set as `make lint` (one list, in .ci/lint.sh)
lint=0
bash .ci/lint.sh || lint=1
# The release artefacts, as release.yml builds them: a wheel and an sdist whose metadata PyPI
# accepts. Built into a temporary folder so the tree keeps no dist/.
dist=$(mktemp -d)
if "$BIN/python" -m build --outdir "$dist/out" . >"$dist/build.log" 2>&1; then
  "$BIN/twine" check --strict "$dist/out"/* || lint=1
else
  echo "python -m build failed:" >&2
  tail -20 "$dist/build.log" >&2
  lint=1
fi
rm -rf "$dist"
# --durations: the slowest tests in every run's log, to keep the suite under its 20-minute budget
"$BIN/python" -m pytest --durations=40 "$@"
status=$?
if [ "$status" = 0 ] && [ "$lint" != 0 ]; then
  echo "lint, format, type check, import layering, generated docs or the package build failed (see above)" >&2
  status=1
fi
exit "$status"
