# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Both set up .venv first (idempotent: a stamp file skips the install when
# pyproject.toml has not changed).
PYTHON_BOOT ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp
TORCH_VERSION := 2.13.0

# Point the course at the prepared offline data when it sits beside the repo.
ifneq ($(wildcard ../shared/data),)
COURSE_DATA_DIR ?= $(abspath ../shared/data)
endif
export COURSE_DATA_DIR
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup demo test test-fast release bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	@# torch first: the pinned CPU build is installed from the local wheel cache.
	$(PY) -m pip install -q --disable-pip-version-check torch==$(TORCH_VERSION)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[course,test]'
	@touch $(STAMP)

demo: setup
	$(PY) -m grader demo

test: setup
	$(PY) -m pytest -n 2 --dist loadgroup -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

release: setup
	$(PY) -m grader release

bench: setup
	$(PY) benchmarks/bench_grading.py

clean:
	rm -rf build demo_output
