#!/usr/bin/env bash
# The one lint set: what `make lint` runs and what .ci/test.sh (so CI) runs before the tests.
# Every check runs even when an earlier one fails, so one run shows every problem; the exit
# status is non-zero when any failed. Add a new check here, as one line in the list below.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PATH="$PWD/$BIN:$PATH"
failed=()
check() {
  echo "lint: $*"
  "$@" || failed+=("$*")
}
check "$BIN/ruff" check .
check "$BIN/ruff" format --check .
check "$BIN/mypy"
# the package layering: the import-linter contracts in pyproject.toml ([tool.importlinter])
check "$BIN/lint-imports" --no-cache
# what is generated from the JSON Schemas and the CLI's help must be current
check "$BIN/python" -m mlops_gitops.specs.compile_schemas --check
check "$BIN/python" -m mlops_gitops.docsgen --check
if ((${#failed[@]})); then
  printf 'lint failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "lint: all checks passed"
