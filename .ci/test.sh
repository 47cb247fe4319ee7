#!/usr/bin/env bash
# The whole test suite. Starts a private Docker engine first when this machine can run one
# (root, apt or an installed dockerd), so container tests run for real; stops it at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
started_docker=0
if [ -z "${DOCKER_HOST:-}" ] && [ -f .ci/docker.sh ] && [ "${MLOPS_SKIP_DOCKER:-0}" != "1" ]; then
  if env_line=$(bash .ci/docker.sh up 2>.ci-docker-up.log | grep '^export DOCKER_HOST='); then
    eval "$env_line"
    started_docker=1
    bash .ci/docker.sh base-image >>.ci-docker-up.log 2>&1 || echo "warning: base image build failed; see .ci-docker-up.log" >&2
    echo "docker engine up at $DOCKER_HOST"
  else
    echo "WARNING: could not start a Docker engine; container tests will be skipped (see .ci-docker-up.log)" >&2
  fi
fi
"$BIN/ruff" check . && "$BIN/mypy"
lint=$?
"$BIN/python" -m pytest "$@"
status=$?
if [ "$started_docker" = 1 ]; then bash .ci/docker.sh down >/dev/null 2>&1 || true; fi
if [ "$status" = 0 ] && [ "$lint" != 0 ]; then echo "lint or type check failed" >&2; status=1; fi
exit "$status"
