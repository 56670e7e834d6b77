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

.PHONY: setup system-packages demo test test-fast release bench clean

setup: system-packages $(STAMP)

# bubblewrap sandboxes the grader's workers; without it grading still works, with a loud
# warning. Installed with apt-get where we can (root on Debian/Ubuntu, as in CI).
system-packages:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing bubblewrap (the grader's sandbox)"; \
	    apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; \
	  else echo "WARNING: install bubblewrap (bwrap) to sandbox the grader's workers" >&2; fi; }

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
