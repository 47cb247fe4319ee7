# The commands of the README. Each sets itself up: a virtualenv in .venv with the
# package and its dev extra. `make test` also starts a private Docker engine when it can
# (.ci/docker.sh), so the container tests run for real, and stops it afterwards.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint docs docker-up docker-down clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m mlops_gitops.demo

test: $(STAMP)
	bash .ci/test.sh

# the one lint set, the same CI runs (.ci/test.sh calls it too)
lint: $(STAMP)
	bash .ci/lint.sh

# the fast loop: everything but the real DVC pipeline runs and the container tests
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not docker" -q

# after editing a JSON Schema or a command's help: regenerate what is derived from them
docs: $(STAMP)
	$(BIN)/python -m mlops_gitops.specs.compile_schemas
	$(BIN)/python -m mlops_gitops.docsgen

docker-up:
	bash .ci/docker.sh up

docker-down:
	bash .ci/docker.sh down

clean:
	rm -rf $(VENV) .ci-work .pytest_cache .mypy_cache .ruff_cache
