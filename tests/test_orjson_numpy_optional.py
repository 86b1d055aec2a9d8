"""numpy stays optional for the orjson face: rjson never imports it, finds it once the caller
has, and checks the layout of numpy's objects before reading them (src/ffi/numpy.rs). Each
case runs in a fresh interpreter, with numpy absent, hidden, or faked.

These are about rjson's own lookup (orjson imports numpy itself), so they are skipped when
the subject is orjson.
"""

import importlib.util
import json

import pytest

from orjson_face import run_isolated, skip_if_oracle

pytestmark = skip_if_oracle

HAVE_NUMPY = importlib.util.find_spec("numpy") is not None
needs_numpy = pytest.mark.skipif(not HAVE_NUMPY, reason="numpy is not installed")
# The fake numpy builds its PyArrayInterface capsules with ctypes (absent from some builds).
needs_ctypes = pytest.mark.skipif(importlib.util.find_spec("_ctypes") is None, reason="no ctypes")


def run(code):
    rc, out, err = run_isolated(code + "\nimport json\nprint(json.dumps(RESULT))\n")
    assert rc == 0, f"the child died (exit code {rc}):\n{err[-3000:]}"
    return json.loads(out.strip().splitlines()[-1])


OUTCOME = """
def outcome(obj, **kw):
    try:
        return ["ok", subject.dumps(obj, **kw).decode()]
    except subject.JSONEncodeError as e:
        return ["raise", str(e)]
"""


def test_numpy_is_never_imported():
    result = run(OUTCOME + """
import sys
N = subject.OPT_SERIALIZE_NUMPY
RESULT = [outcome({"a": [1, 2.5, None]}, option=N), outcome(object(), option=N), "numpy" in sys.modules]
""")
    assert result[0] == ["ok", '{"a":[1,2.5,null]}']
    assert result[1] == ["raise", "Type is not JSON serializable: object"]
    assert result[2] is False


@needs_numpy
def test_numpy_imported_after_the_first_call():
    result = run(OUTCOME + """
N = subject.OPT_SERIALIZE_NUMPY
before = outcome([1], option=N)
import numpy as np
RESULT = [before, outcome(np.arange(3), option=N), outcome(np.float32(0.1), option=N)]
""")
    assert result == [["ok", "[1]"], ["ok", "[0,1,2]"], ["ok", "0.1"]]


def test_numpy_hidden_from_sys_modules():
    # `sys.modules["numpy"] = None` is how a program blocks an import: rjson takes it as absent
    result = run(OUTCOME + """
import sys
sys.modules["numpy"] = None
RESULT = [outcome([1.5], option=subject.OPT_SERIALIZE_NUMPY), outcome(object(), option=subject.OPT_SERIALIZE_NUMPY)]
""")
    assert result == [["ok", "[1.5]"], ["raise", "Type is not JSON serializable: object"]]


# A fake numpy module with every name rjson looks up. `zeros` makes probe arrays whose
# __array_struct__ is a real PyArrayInterface capsule (built with ctypes) and whose
# __array_interface__ says what PROBE_DATA_SAYS, so the run-time check can be made to fail.
FAKE_NUMPY = """
import ctypes, sys, types

class Interface(ctypes.Structure):
    _fields_ = [("two", ctypes.c_int), ("nd", ctypes.c_int), ("typekind", ctypes.c_char),
                ("itemsize", ctypes.c_int), ("flags", ctypes.c_int),
                ("shape", ctypes.POINTER(ctypes.c_ssize_t)), ("strides", ctypes.POINTER(ctypes.c_ssize_t)),
                ("data", ctypes.c_void_p), ("descr", ctypes.c_void_p)]

capsule_new = ctypes.pythonapi.PyCapsule_New
capsule_new.restype = ctypes.py_object
capsule_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
DATA = ctypes.create_string_buffer(12)

class ndarray:
    def __init__(self, shape=(2, 3), strides=(6, 2), flags=0x201, two=2):
        self._shape = (ctypes.c_ssize_t * 2)(*shape)
        self._strides = (ctypes.c_ssize_t * 2)(*strides)
        self._iface = Interface(two, 2, b"i", 2, flags, self._shape, self._strides, ctypes.addressof(DATA), None)
        self.shape, self.strides_ = shape, strides
    @property
    def __array_struct__(self):
        return capsule_new(ctypes.addressof(self._iface), None, None)
    @property
    def __array_interface__(self):
        strides = None if self.strides_ == (6, 2) else self.strides_
        return {"shape": self.shape, "strides": strides, "data": (ctypes.addressof(DATA) + PROBE_DATA_SAYS, False),
                "typestr": "<i2", "version": 3}
    @property
    def T(self):
        return ndarray((3, 2), (2, 6), 0x200)

def zeros(shape, dtype):
    return ndarray()

class Scalar:
    __slots__ = ("a", "b")  # room for a value after the object header (read by the probe)
    def __init__(self, *args):
        pass

fake = types.ModuleType("numpy")
fake.ndarray, fake.zeros = ndarray, zeros
for name in ["float64", "float32", "half", "int64", "int32", "int16", "int8", "uint64", "uint32",
             "uint16", "uint8", "bool_", "datetime64"]:
    setattr(fake, name, type(name, (Scalar,), {"__slots__": ()}))
sys.modules["numpy"] = fake
"""


@needs_ctypes
@pytest.mark.parametrize("data_says,why", [
    (8, "numpy's PyArrayInterface does not have the layout rjson reads"),
    (0, "numpy.float64 does not have the layout rjson reads"),
])
def test_a_layout_that_does_not_check_out_is_a_clean_error(data_says, why):
    result = run(f"PROBE_DATA_SAYS = {data_says}\n" + FAKE_NUMPY + OUTCOME + """
N = subject.OPT_SERIALIZE_NUMPY
RESULT = [outcome(fake.ndarray(), option=N), outcome([fake.float64()], option=N),
          outcome(fake.int8(), option=N, default=str), outcome(fake.ndarray()), outcome([1, 2.5], option=N)]
""")
    message = f"rjson cannot read numpy's objects ({why}); OPT_SERIALIZE_NUMPY is unusable with this numpy"
    assert result[:3] == [["raise", message]] * 3
    # without the option they are unknown objects, and everything else still works
    assert result[3] == ["raise", "Type is not JSON serializable: ndarray"]
    assert result[4] == ["ok", "[1,2.5]"]


@needs_numpy
@needs_ctypes
def test_a_malformed_array_interface_is_refused():
    # numpy's own probes pass; an "ndarray" whose capsule's `two` is not 2 is refused as orjson
    # refuses it, without reading further
    result = run("PROBE_DATA_SAYS = 0\n" + FAKE_NUMPY + """
import importlib
del sys.modules["numpy"]
real = importlib.import_module("numpy")
for name in ["zeros", "float64", "float32", "half", "int64", "int32", "int16", "int8", "uint64", "uint32",
             "uint16", "uint8", "bool_", "datetime64"]:
    setattr(fake, name, getattr(real, name))
sys.modules["numpy"] = fake
""" + OUTCOME + """
N = subject.OPT_SERIALIZE_NUMPY
RESULT = [outcome(fake.ndarray(two=3), option=N), outcome(real.float32(1.5), option=N)]
""")
    assert result == [["raise", "numpy array is malformed"], ["ok", "1.5"]]
