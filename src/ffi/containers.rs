//! `PyListObject`, `PyTupleObject`, `PyFloatObject`: items and values by direct struct
//! access, as `PyList_GET_ITEM`, `PyTuple_GET_ITEM` and `PyFloat_AS_DOUBLE` do.

use pyo3_ffi::{PyObject, PyVarObject, Py_ssize_t};

/// Mirror of CPython's `PyListObject` (checked against the headers by `layout`).
#[repr(C)]
pub struct PyListObject {
    pub ob_base: PyVarObject,
    pub ob_item: *mut *mut PyObject,
    pub allocated: Py_ssize_t,
}

/// Mirror of CPython's `PyTupleObject` (checked against the headers by `layout`).
#[repr(C)]
pub struct PyTupleObject {
    pub ob_base: PyVarObject,
    #[cfg(py_3_14)]
    pub ob_hash: pyo3_ffi::Py_hash_t,
    pub ob_item: [*mut PyObject; 1],
}

/// Mirror of CPython's `PyFloatObject` (checked against the headers by `layout`).
#[repr(C)]
pub struct PyFloatObject {
    pub ob_base: PyObject,
    pub ob_fval: f64,
}

/// `Py_SIZE`: the item count of a variable-size object.
///
/// # Safety
/// `obj` must be a live variable-size object (list, tuple, bytes, int...).
#[inline(always)]
pub unsafe fn var_size(obj: *mut PyObject) -> usize {
    // SAFETY: variable-size objects start with a PyVarObject header.
    unsafe { (*obj.cast::<PyVarObject>()).ob_size as usize }
}

/// Borrowed item `i` of a list (`PyList_GET_ITEM`).
///
/// # Safety
/// `obj` must be a live list and `i < var_size(obj)`.
#[inline(always)]
pub unsafe fn list_item(obj: *mut PyObject, i: usize) -> *mut PyObject {
    // SAFETY: `ob_item` holds `ob_size` valid item pointers.
    unsafe { *(*obj.cast::<PyListObject>()).ob_item.add(i) }
}

/// Borrowed item `i` of a tuple (`PyTuple_GET_ITEM`).
///
/// # Safety
/// `obj` must be a live tuple and `i < var_size(obj)`.
#[inline(always)]
pub unsafe fn tuple_item(obj: *mut PyObject, i: usize) -> *mut PyObject {
    // SAFETY: the tuple's items are stored inline after the header, `ob_size` of them.
    unsafe { *(*obj.cast::<PyTupleObject>()).ob_item.as_ptr().add(i) }
}

/// The value of a float (`PyFloat_AS_DOUBLE`).
///
/// # Safety
/// `obj` must be a live float (or subclass instance).
#[inline(always)]
pub unsafe fn float_value(obj: *mut PyObject) -> f64 {
    // SAFETY: float objects store their value in `ob_fval`.
    unsafe { (*obj.cast::<PyFloatObject>()).ob_fval }
}
