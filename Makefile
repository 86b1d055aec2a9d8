# rjson: `make test` (build + all tests), `make bench` (benchmark against the peers),
# `make abi` (the whole suite under every CPython 3.9 to 3.15, release and debug builds).
PYTHON ?= python3
VENV   := .venv
PY     := $(CURDIR)/$(VENV)/bin/python
export CARGO_TARGET_DIR ?= $(CURDIR)/target
# build.rs probes the headers of the interpreter the module is built for.
export PYO3_PYTHON := $(PY)

.PHONY: all build test test-rust test-python bench abi clean

all: build

$(VENV)/.deps: tests/requirements.txt bench/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r tests/requirements.txt -r bench/requirements.txt
	touch $@

# Release build, installed into the venv the way a user installs it.
build: $(VENV)/.deps
	$(PY) -m pip install -q --no-build-isolation --no-deps --force-reinstall .

test: build test-rust test-python

# The pure-Rust parts (scanner, escaper, number formatting). Without the extension-module
# feature the test binary links libpython, found through the interpreter's LIBDIR.
test-rust: $(VENV)/.deps
	LD_LIBRARY_PATH="$$($(PY) -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')" \
		cargo test --quiet --lib

test-python: build
	cd tests && $(PY) -m pytest -q -p no:cacheprovider .

bench: build
	$(PY) bench/run.py

# The ABI matrix: provisions every interpreter (cached in $RJSON_ABI_CACHE, default ~/.cache/rjson-abi),
# builds rjson with `pip install .` for each and runs the whole suite; see tests/abi/matrix.py.
# ABI_ARGS="--only 3.14d,3.9" or "--jobs 1" narrow it down.
abi:
	$(PYTHON) tests/abi/matrix.py $(ABI_ARGS)

clean:
	cargo clean
	rm -rf $(VENV) .venv-pyrjson build *.egg-info bench/results
