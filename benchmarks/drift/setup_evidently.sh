#!/usr/bin/env bash
# Create the benchmark's own interpreter for Evidently (kept apart from the project's venv:
# Evidently 0.7.23 does not import with pandas 3, which the project uses).
#   bash benchmarks/drift/setup_evidently.sh   -> benchmarks/drift/.venv-evidently
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-evidently"
python="${PYTHON:-python3.11}"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "evidently==0.7.23" "pandas<3" "pyarrow>=16"
"$venv/bin/python" -c "import evidently, pandas; print('evidently', evidently.__version__, 'pandas', pandas.__version__)"
