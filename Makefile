# rjson: `make test` (build + all tests), `make bench` (benchmark against the peers),
# `make abi` (the whole suite under every CPython 3.9 to 3.15, release and debug builds),
# `make fuzz`, `make memcheck`, `make stress`, `make scaling` (reliability, see README).
PYTHON ?= python3
VENV   := .venv
PY     := $(CURDIR)/$(VENV)/bin/python
export CARGO_TARGET_DIR ?= $(CURDIR)/target
# build.rs probes the headers of the interpreter the module is built for.
export PYO3_PYTHON := $(PY)

.PHONY: all build test test-rust test-python bench bench-natives bench-numpy abi clean fuzz fuzz-ci memcheck memcheck-ci stress scaling

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

# The orjson face's native types through rjson.orjson against orjson (bench/results/natives.md;
# about a minute).
bench-natives: build
	$(PY) bench/orjson_types.py natives

# numpy arrays and scalars through rjson.orjson against orjson (bench/results/numpy.md; a few
# minutes; says so and stops if numpy is not installed).
bench-numpy: build
	$(PY) bench/orjson_types.py numpy

# The ABI matrix: provisions every interpreter (cached in $RJSON_ABI_CACHE, default ~/.cache/rjson-abi),
# builds rjson with `pip install .` for each and runs the whole suite; see tests/abi/matrix.py.
# ABI_ARGS="--only 3.14d,3.9" or "--jobs 1" narrow it down.
abi:
	$(PYTHON) tests/abi/matrix.py $(ABI_ARGS)

# Fuzzing (fuzz/README.md): the cargo-fuzz targets on the pure-Rust parts, then the atheris
# differential targets against json (and orjson), each for FUZZ_SECONDS; FUZZ_TARGETS="scanner
# loads_diff" narrows it down. cargo-fuzz is installed from crates.io on first use.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
SHARED ?= $(CURDIR)/../shared
CARGO_FUZZ := $(CARGO_TARGET_DIR)/tools/bin/cargo-fuzz

$(CARGO_FUZZ):
	cargo install cargo-fuzz --version 0.13.2 --locked --root $(CARGO_TARGET_DIR)/tools

$(VENV)/.fuzz-deps: $(VENV)/.deps fuzz/requirements.txt
	$(PY) -m pip install -q -r fuzz/requirements.txt
	touch $@

fuzz: build $(CARGO_FUZZ) $(VENV)/.fuzz-deps
	PY=$(PY) CARGO_FUZZ=$(CARGO_FUZZ) SHARED=$(SHARED) fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The short run for CI: every target for 15 seconds.
fuzz-ci:
	$(MAKE) fuzz FUZZ_SECONDS=15 FUZZ_TARGETS=

# valgrind memcheck over a representative part of the suite (tests/memcheck/run.py; the
# default list there, or MEMCHECK_FILES="test_loads.py ..."): fails on invalid reads or
# writes or uninitialised memory involving rjson. About 15 minutes.
memcheck: build
	command -v valgrind >/dev/null || (apt-get update && apt-get install -y valgrind)
	$(PY) tests/memcheck/run.py $(MEMCHECK_FILES)

# The short run for CI: the page-edge and malformed-input tests (about 5 minutes).
memcheck-ci:
	$(MAKE) memcheck MEMCHECK_FILES="test_guard_pages.py test_loads_errors.py"

# The concurrency stress of tests/test_stress.py for STRESS_SECONDS per case (the suite runs 2).
STRESS_SECONDS ?= 120
stress: build
	cd tests && RJSON_STRESS_SECONDS=$(STRESS_SECONDS) $(PY) -m pytest -q -p no:cacheprovider test_stress.py

# Time per byte and peak memory from 1 KB to 100 MB (bench/results/scaling.md); a few minutes.
scaling: build
	$(PY) bench/scaling.py $(SCALING_ARGS)

clean:
	cargo clean
	rm -rf $(VENV) .venv-pyrjson build *.egg-info bench/results
