"""Build-level properties of the installed extension and of the crate.

- ``rjson.__built_for__`` names the interpreter the module was compiled for, and the file
  imported was built for this interpreter (its EXT_SUFFIX; debug reference counting exactly
  on debug builds). tests/abi/matrix.py requires both tests to pass on every interpreter.
- The extension does not link libpython (it gets the symbols from the interpreter).
- build.rs really checks the ``#[repr(C)]`` mirrors against the headers:
  ``RJSON_LAYOUT_PERTURB=Py_buffer.len`` makes ``cargo check`` fail naming the
  fact and both values, and the same check passes without it.
"""

import ctypes
import importlib.machinery
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

import rjson
from conftest import REPO_DIR


def test_built_for_running_python():
    assert isinstance(rjson.__built_for__, tuple)
    assert len(rjson.__built_for__) == 2 and all(type(x) is int for x in rjson.__built_for__)
    assert rjson.__built_for__ == tuple(sys.version_info[:2])


def test_is_an_extension_module():
    assert rjson.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), rjson.__file__


# Symbols that only a module compiled for a debug (Py_DEBUG, hence Py_REF_DEBUG) interpreter
# imports: its inline Py_INCREF/Py_DECREF keep the total reference count and check for
# negative counts. A release interpreter does not export them (3.13+ cannot even load such a
# module), while Debian's debug interpreters do load release modules: only this tells. For
# debug interpreters before 3.12, pyo3-ffi calls the interpreter's _Py_IncRef/_Py_DecRef
# instead of inlining (a release module inlines them).
DEBUG_REFCOUNT_SYMBOLS = {"_Py_NegativeRefcount", "_Py_RefTotal", "_Py_INCREF_IncRefTotal",
                          "_Py_DECREF_DecRefTotal", "_Py_IncRefTotal", "_Py_DecRefTotal",
                          "_Py_IncRef", "_Py_DecRef"}


def _undefined_symbols(path):
    proc = subprocess.run(["readelf", "--dyn-syms", "-W", path], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    names = set()
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[6] == "UND":
            names.add(parts[7].split("@")[0])
    return names


@pytest.mark.skipif(shutil.which("readelf") is None, reason="readelf is not installed")
def test_extension_matches_interpreter():
    """The imported file was built for this very interpreter: named with its EXT_SUFFIX
    (``.cpython-314d-...`` on a debug build), and with debug reference counting exactly when
    the interpreter is a debug build."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    assert rjson.__file__.endswith(suffix), (rjson.__file__, suffix)
    debug_symbols = _undefined_symbols(rjson.__file__) & DEBUG_REFCOUNT_SYMBOLS
    if hasattr(sys, "gettotalrefcount"):
        assert debug_symbols, f"{rjson.__file__} was not compiled for a debug interpreter (Py_DEBUG)"
    else:
        assert not debug_symbols, f"{rjson.__file__} was compiled for a debug interpreter: {debug_symbols}"


@pytest.mark.skipif(shutil.which("readelf") is None, reason="readelf is not installed")
def test_does_not_link_libpython():
    proc = subprocess.run(["readelf", "-d", rjson.__file__], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Dynamic section" in proc.stdout, proc.stdout
    needed = [line for line in proc.stdout.splitlines() if "(NEEDED)" in line]
    assert not [line for line in needed if "libpython" in line], needed


# A fixed directory, so that the dependencies are compiled once and reused by later runs.
LAYOUT_TARGET_DIR = Path(tempfile.gettempdir()) / "rjson-test-layout-check-target"


def _cargo_check(perturb):
    env = dict(os.environ)
    env.pop("RJSON_LAYOUT_PERTURB", None)
    if perturb:
        env["RJSON_LAYOUT_PERTURB"] = perturb
    env["CARGO_TARGET_DIR"] = str(LAYOUT_TARGET_DIR)
    env["PYO3_PYTHON"] = sys.executable
    return subprocess.run(["cargo", "check", "--lib", "--color", "never"], cwd=str(REPO_DIR), env=env,
                          capture_output=True, text=True, timeout=1200)


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not on PATH")
def test_layout_perturbation_fails_the_build():
    bad = _cargo_check("Py_buffer.len")
    out = bad.stdout + bad.stderr
    assert bad.returncode != 0, "cargo check succeeded although RJSON_LAYOUT_PERTURB=Py_buffer.len\n" + out[-4000:]
    assert "offset__Py_buffer__len" in out, out[-4000:]
    # Py_buffer is {void *buf; PyObject *obj; Py_ssize_t len; ...}: len follows two pointers.
    mirror = 2 * ctypes.sizeof(ctypes.c_void_p)
    m = re.search(r"offset__Py_buffer__len\s*,\s*(\d+)\s*,\s*(\d+)", out)
    assert m, out[-4000:]
    assert (int(m.group(1)), int(m.group(2))) == (mirror, mirror + 1), m.group(0)

    good = _cargo_check(None)
    assert good.returncode == 0, "cargo check failed without RJSON_LAYOUT_PERTURB\n" + (good.stdout + good.stderr)[-4000:]


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not on PATH")
def test_layout_perturbation_of_unknown_fact_fails():
    bad = _cargo_check("Py_buffer.no_such_field")
    out = bad.stdout + bad.stderr
    assert bad.returncode != 0, out[-4000:]
    assert "names no probed fact" in out, out[-4000:]
