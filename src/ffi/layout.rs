//! Compile-time check of every `#[repr(C)]` mirror against the target interpreter's headers.
//!
//! build.rs probes the headers (include/layout_probe.c) and generates one assertion per size,
//! offset and constant; a mismatch fails the build with an error naming the fact, e.g.
//! `Layout::<field::offset__Py_buffer__len, 16, 17>::CHECK`: mirror value first, header second.

use std::marker::PhantomData;

#[allow(unused_imports)]
use super::buffer::{PyMemoryViewObject, Py_buffer, _PY_MEMORYVIEW_C, _PY_MEMORYVIEW_RELEASED};
#[allow(unused_imports)]
use super::bytearray::PyByteArrayObject;
#[allow(unused_imports)]
use super::bytes::PyBytesObject;
#[allow(unused_imports)]
use super::datetime::{PyDateTime_CAPI, PyDateTime_Date, PyDateTime_DateTime, PyDateTime_Delta, PyDateTime_Time};
#[allow(unused_imports)]
use super::containers::{PyFloatObject, PyListObject, PyTupleObject};
#[allow(unused_imports)]
use super::dict::PyDictObject;
#[allow(unused_imports)]
use super::long::{PyLongObject, PYLONG_SHIFT};
#[cfg(py_3_12)]
use super::long::{_PYLONG_NON_SIZE_BITS, _PYLONG_SIGN_MASK};
#[allow(unused_imports)]
use super::unicode::{PyASCIIObject, PyCompactUnicodeObject, PyUnicodeObject, STATE_ASCII, STATE_COMPACT, STATE_KIND, STATE_NEW_ASCII, STATE_NEW_LATIN1, STATE_NEW_UCS2, STATE_NEW_UCS4};
#[allow(unused_imports)]
use pyo3_ffi::{PyDescrObject, PyHeapTypeObject, PyMemberDef, PyMemberDescrObject, PyObject, PyTypeObject, PyVarObject};
#[cfg(not(py_3_12))]
#[allow(unused_imports, non_camel_case_types)]
use super::unicode::libc_wchar as wchar_t;

/// Whether this crate's refcounting matches a debug (`Py_DEBUG`) interpreter.
const PY_DEBUG: usize = cfg!(py_debug) as usize;

// pyo3-ffi's type flags, under the upper-case names the generated checks use.
const PY_TPFLAGS_LONG_SUBCLASS: std::os::raw::c_ulong = pyo3_ffi::Py_TPFLAGS_LONG_SUBCLASS;
const PY_TPFLAGS_LIST_SUBCLASS: std::os::raw::c_ulong = pyo3_ffi::Py_TPFLAGS_LIST_SUBCLASS;
const PY_TPFLAGS_TUPLE_SUBCLASS: std::os::raw::c_ulong = pyo3_ffi::Py_TPFLAGS_TUPLE_SUBCLASS;
const PY_TPFLAGS_BYTES_SUBCLASS: std::os::raw::c_ulong = pyo3_ffi::Py_TPFLAGS_BYTES_SUBCLASS;
const PY_TPFLAGS_UNICODE_SUBCLASS: std::os::raw::c_ulong = pyo3_ffi::Py_TPFLAGS_UNICODE_SUBCLASS;
const PY_TPFLAGS_DICT_SUBCLASS: std::os::raw::c_ulong = pyo3_ffi::Py_TPFLAGS_DICT_SUBCLASS;
#[cfg(py_3_11)]
const PY_TPFLAGS_MANAGED_DICT: std::os::raw::c_ulong = pyo3_ffi::Py_TPFLAGS_MANAGED_DICT;
#[cfg(py_3_13)]
const PY_TPFLAGS_INLINE_VALUES: std::os::raw::c_ulong = super::instance::Py_TPFLAGS_INLINE_VALUES;

// pyo3-ffi's member constants, likewise.
const PY_T_OBJECT_EX: std::os::raw::c_int = pyo3_ffi::Py_T_OBJECT_EX;
const PY_READONLY: std::os::raw::c_int = pyo3_ffi::Py_READONLY;

/// Carries one probed fact in its type so that a failed check names it in the error.
pub struct Layout<Fact, const RUST_MIRROR: usize, const C_HEADERS: usize>(PhantomData<Fact>);

impl<Fact, const RUST_MIRROR: usize, const C_HEADERS: usize> Layout<Fact, RUST_MIRROR, C_HEADERS> {
    pub const CHECK: () = assert!(
        RUST_MIRROR == C_HEADERS,
        "CPython layout mismatch: a #[repr(C)] mirror in src/ffi disagrees with the target \
         Python's headers. The failing `Layout::<field::KIND__STRUCT__FIELD, MIRROR, HEADERS>` \
         above names the struct and field, the mirror's value, then the headers' value."
    );
}

include!(concat!(env!("OUT_DIR"), "/layout_checks.rs"));
