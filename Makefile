# DefectLab — `make run` runs the main job, `make test` installs everything and runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
SWIFT ?= swift
PYTHON3 ?= python3

# The framework venv lives outside the clone, keyed by the hash of the pinned requirements: a fresh clone
# reuses it, a changed pin builds a new one.
REQUIREMENTS := Data/python/requirements.txt
REQUIREMENTS_NODEPS := Data/python/requirements-nodeps.txt
VENV_ROOT ?= $(HOME)/.cache/defectlab/venvs
VENV_KEY := $(shell cat $(REQUIREMENTS) $(REQUIREMENTS_NODEPS) | sha256sum | cut -c1-16)
VENV := $(VENV_ROOT)/$(VENV_KEY)
VENV_PYTHON := $(VENV)/bin/python
# python3-venv: Debian's python3 makes no venv without it; curl: `make bench` drives the tracker simulator with it.
APT_PACKAGES := libcurl4-openssl-dev libxml2-dev libncurses-dev libsqlite3-dev libopenblas-dev pkg-config tmux chromium openssl \
	python3 python3-venv curl

BIN_DIR = $(shell $(SWIFT) build --show-bin-path)
DEFECTLAB = $(BIN_DIR)/defectlab
RUN_DB ?= Data/defectlab.sqlite

.PHONY: all setup setup-system setup-python venv-python build test run bench clean

all: build

setup: setup-system setup-python

## System dev packages (installed when missing and running as root; otherwise says what to install).
setup-system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "setup: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "setup: missing system packages:$$missing; run: sudo apt-get install$$missing" >&2; exit 1; fi; \
	fi

## The Python venv with the frameworks (idempotent; built under a lock, marked complete only at the end).
setup-python:
	@mkdir -p $(VENV_ROOT)
	@exec 9>$(VENV_ROOT)/.lock; flock 9; \
	if [ ! -f $(VENV)/.complete ] || ! $(VENV_PYTHON) -c 'import sys' 2>/dev/null; then \
	  if ! $(PYTHON3) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
	    echo "setup: the pinned frameworks need CPython 3.11, and $(PYTHON3) is $$($(PYTHON3) --version 2>&1 || echo missing): install it and run with PYTHON3=python3.11" >&2; exit 1; \
	  fi; \
	  echo "setup: building the framework venv in $(VENV) (several GB; minutes)"; \
	  rm -rf $(VENV); \
	  $(PYTHON3) -m venv $(VENV); \
	  $(VENV_PYTHON) -m pip install -q --upgrade pip; \
	  $(VENV_PYTHON) -m pip install -q -r $(REQUIREMENTS); \
	  $(VENV_PYTHON) -m pip install -q --no-deps -r $(REQUIREMENTS_NODEPS); \
	  problems=$$($(VENV_PYTHON) -m pip check | grep -v -i -E '^irrcac .* (scipy|coverage)' | grep -v '^No broken' || true); \
	  if [ -n "$$problems" ]; then echo "$$problems" >&2; exit 1; fi; \
	  touch $(VENV)/.complete; \
	else echo "setup: reusing the framework venv $(VENV)"; fi
	@echo "$(VENV_PYTHON)" > Data/python/venv-python.path

## Prints the venv interpreter's path (used by tests and the acceptance checks).
venv-python:
	@echo $(VENV_PYTHON)

build: setup-system
	$(SWIFT) build --product defectlab

test: setup build
	DEFECTLAB_PYTHON=$(VENV_PYTHON) DEFECTLAB_BIN=$(DEFECTLAB) $(SWIFT) test

## The main job on the embedded default (SQLite, CPU frameworks). It grows with the project.
run: setup build
	@echo "== doctor"; DEFECTLAB_PYTHON=$(VENV_PYTHON) $(DEFECTLAB) doctor
	@echo "== taxonomy"; $(DEFECTLAB) taxonomy
	@echo "== store"; $(DEFECTLAB) db info --db $(RUN_DB)
	@echo "== frameworks"; DEFECTLAB_PYTHON=$(VENV_PYTHON) $(DEFECTLAB) frameworks
	@echo "== diff over the seed zoo (all frameworks; report in Reports/diff-seeds.md)"; mkdir -p Reports; \
	  DEFECTLAB_PYTHON=$(VENV_PYTHON) $(DEFECTLAB) diff --all-seeds --frameworks all --repeats 1 --db $(RUN_DB) --report Reports/diff-seeds.md > /dev/null; \
	  sed -n '/^## Findings/,$$p' Reports/diff-seeds.md
	@echo "== fuzz: a short campaign on a handful of seeds, every installed framework"
	$(DEFECTLAB) fuzz --seeds lenet5,alexnet,vgg16,resnet50,mobilenetv2 --frameworks all --budget 2m --guidance mcmc --seed 1 --db $(RUN_DB)

bench: setup
	$(SWIFT) build -c release --product defectlab
	$(SWIFT) build -c release --product agreement-bench
	@echo "== agreement: Fleiss' kappa vs statsmodels"
	$$($(SWIFT) build -c release --show-bin-path)/agreement-bench --python $(VENV_PYTHON) --script Data/python/bench/fleiss_statsmodels.py
	$(SWIFT) build -c release --product tracker-sim
	@bash Data/bench/bench-crawl.sh "$$($(SWIFT) build -c release --show-bin-path)"
	$(SWIFT) build -c release --product fuzz-bench
	@echo "== workers: protocol overhead vs native in-process Python, worker start-up vs bare import"
	$(PYTHON3) Data/python/bench/workers_bench.py $$($(SWIFT) build -c release --show-bin-path)/defectlab $(VENV_PYTHON) \
	  $$($(SWIFT) build -c release --show-bin-path)/DefectLab_Workers.resources/python
	@echo "== labelling screen: keystroke to finished redraw, 64 KB bodies"
	$$($(SWIFT) build -c release --show-bin-path)/defectlab bench-label
	$$($(SWIFT) build -c release --show-bin-path)/fuzz-bench --python $(VENV_PYTHON)

clean:
	rm -rf .build
