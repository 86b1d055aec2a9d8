use pyo3_ffi::*;
pub unsafe extern "C" fn dumps(_m: *mut PyObject, _a: *const *mut PyObject, _n: Py_ssize_t, _k: *mut PyObject) -> *mut PyObject {
    unsafe { crate::py::raise(PyExc_NotImplementedError, "dumps"); }
    std::ptr::null_mut()
}
