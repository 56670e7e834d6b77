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

.PHONY: setup system-packages browser-packages hub-proxy demo test test-browser test-fast \
	release bench clean hub hub-stop

setup: system-packages browser-packages $(STAMP) hub-proxy

# bubblewrap sandboxes the grader's workers; without it grading still works, with a loud
# warning. Installed with apt-get where we can (root on Debian/Ubuntu, as in CI).
system-packages:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing bubblewrap (the grader's sandbox)"; \
	    apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; \
	  else echo "WARNING: install bubblewrap (bwrap) to sandbox the grader's workers" >&2; fi; }

# The browser tests drive Debian's Chromium (Playwright cannot download its own offline) and
# need fonts for the check marks and emoji the notebooks print (a bare Chromium shows boxes).
BROWSER_DEBS := chromium fonts-noto-color-emoji fonts-dejavu-core
browser-packages:
	@missing=""; for p in $(BROWSER_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing (for the browser tests)"; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "WARNING: install$$missing for the browser tests (make test-browser skips them)" >&2; fi; fi

# JupyterHub's proxy, configurable-http-proxy (npm), for `make hub` and the hub test:
# installed into .venv/node_modules (grader.classroom.hub looks there first); node and npm
# from apt-get where we can. Version 5 needs node >= 20 (Debian 12's node is 18: then 4.6).
CHP := $(VENV)/node_modules/.bin/configurable-http-proxy
hub-proxy: $(STAMP)
	@test -x $(CHP) || { \
	  if ! command -v npm >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing node and npm (for JupyterHub's proxy)"; \
	    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; fi; \
	  if command -v npm >/dev/null 2>&1; then \
	    major=$$(node -p 'process.versions.node.split(".")[0]'); \
	    if [ "$$major" -ge 20 ]; then version=5.3.0; else version=4.6.3; fi; \
	    echo "installing configurable-http-proxy@$$version into $(VENV)/node_modules"; \
	    npm install --prefix $(VENV) --no-audit --no-fund --loglevel=error \
	      configurable-http-proxy@$$version >/dev/null \
	    || echo "WARNING: npm could not install configurable-http-proxy: no hub (make hub, its test skips)" >&2; \
	  else echo "WARNING: install node and npm for JupyterHub's proxy (make hub; its test skips)" >&2; fi; }

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	@# torch first: the pinned CPU build is installed from the local wheel cache.
	$(PY) -m pip install -q --disable-pip-version-check torch==$(TORCH_VERSION)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[course,test,hub,browser]'
	@touch $(STAMP)

demo: setup
	$(PY) -m grader demo

# The browser tests are their own target (they would take make test past 20 minutes);
# CI (.ci/run) runs both.
test: setup
	$(PY) -m pytest -n 2 --dist loadgroup -q -m "not browser"

# JupyterLab, the formgrader and the Assignments tab in Chromium (tests/browser); screenshots
# of every step in test-artifacts/browser/
test-browser: setup
	$(PY) -m pytest -n 2 --dist loadgroup -q -rs -m browser tests/browser tests/classroom

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

release: setup
	$(PY) -m grader release

bench: setup
	$(PY) benchmarks/bench_grading.py

# A class on a JupyterHub on this machine to try by hand (root: it creates Unix users):
# prints the URL and every user's password; `make hub-stop` removes users, processes, folders.
hub: setup
	$(PY) -m grader hub start

hub-stop:
	$(PY) -m grader hub stop

clean:
	rm -rf build demo_output
