//! `rjson.orjson.Fragment(contents)`: already-serialized JSON (bytes or str) that `dumps`
//! writes as it is. A heap type made per module, so each interpreter has its own.

use crate::encode::native::FragmentObject;
use crate::py::{raise, Owned};
use pyo3_ffi::*;
use std::os::raw::{c_int, c_void};
use std::ptr::null_mut;

unsafe extern "C" fn fragment_new(ty: *mut PyTypeObject, args: *mut PyObject, kwargs: *mut PyObject) -> *mut PyObject {
    // SAFETY: called by the type's tp_call with the GIL held; `args` is a tuple.
    unsafe {
        let has_kwargs = !kwargs.is_null() && PyDict_Size(kwargs) != 0;
        if has_kwargs || PyTuple_Size(args) != 1 {
            raise(PyExc_TypeError, "orjson.Fragment() takes exactly 1 positional argument");
            return null_mut();
        }
        let alloc = (*ty).tp_alloc.unwrap_or(PyType_GenericAlloc);
        let obj = alloc(ty, 0);
        if !obj.is_null() {
            let contents = PyTuple_GetItem(args, 0);
            Py_INCREF(contents);
            (*obj.cast::<FragmentObject>()).contents = contents;
        }
        obj
    }
}

unsafe extern "C" fn fragment_dealloc(obj: *mut PyObject) {
    // SAFETY: called once when the last reference goes; the instance owns `contents` and,
    // being of a heap type, a reference to its type.
    unsafe {
        let ty = Py_TYPE(obj);
        Py_XDECREF((*obj.cast::<FragmentObject>()).contents);
        match (*ty).tp_free {
            Some(free) => free(obj.cast()),
            None => PyObject_Free(obj.cast()),
        }
        Py_DECREF(ty.cast());
    }
}

static mut SLOTS: [PyType_Slot; 4] = [
    PyType_Slot { slot: Py_tp_new, pfunc: fragment_new as *mut c_void },
    PyType_Slot { slot: Py_tp_dealloc, pfunc: fragment_dealloc as *mut c_void },
    PyType_Slot {
        slot: Py_tp_doc,
        pfunc: c"Fragment(contents)\n--\n\nAlready-serialized JSON (bytes or str), written by dumps as it is."
            .as_ptr() as *mut c_void,
    },
    PyType_Slot { slot: 0, pfunc: null_mut() },
];

static mut SPEC: PyType_Spec = PyType_Spec {
    name: c"rjson.orjson.Fragment".as_ptr(),
    basicsize: std::mem::size_of::<FragmentObject>() as c_int,
    itemsize: 0,
    flags: Py_TPFLAGS_DEFAULT as _,
    slots: (&raw mut SLOTS).cast(),
};

/// A new `Fragment` type for `module`.
///
/// # Safety
/// GIL held; `module` a live module.
pub unsafe fn new_type(module: *mut PyObject) -> Option<Owned> {
    // SAFETY: SPEC and its slots are 'static and describe FragmentObject.
    unsafe { Owned::new(PyType_FromModuleAndSpec(module, &raw mut SPEC, null_mut())) }
}
