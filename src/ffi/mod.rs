//! Thin typed views over the CPython structs that rjson reads directly.
//!
//! Each file mirrors one object layout as a `#[repr(C)]` struct and offers the accessors the
//! rest of the crate uses; `layout` checks every mirror against the target interpreter's
//! headers at compile time (see build.rs).

pub mod buffer;
pub mod bytearray;
pub mod bytes;
pub mod containers;
#[allow(non_snake_case, non_camel_case_types)]
pub mod datetime;
pub mod dict;
pub mod instance;
mod layout;
pub mod long;
pub mod member;
pub mod numpy;
pub mod unicode;

use pyo3_ffi::PyObject;

/// The type object of `obj`, read from the object header.
///
/// # Safety
/// `obj` must point to a live Python object.
#[inline(always)]
pub unsafe fn type_of(obj: *mut PyObject) -> *mut pyo3_ffi::PyTypeObject {
    // SAFETY: every Python object starts with a PyObject header (layout checked in `layout`).
    unsafe { (*obj).ob_type }
}

/// Whether `obj`'s type has `flag` in `tp_flags` (`PyType_FastSubclass` for built-in bases).
///
/// # Safety
/// `obj` must point to a live Python object.
#[inline(always)]
pub unsafe fn has_type_flag(obj: *mut PyObject, flag: std::os::raw::c_ulong) -> bool {
    // SAFETY: the type object of a live object is live; `tp_flags` is a plain field.
    unsafe { ((*type_of(obj)).tp_flags & flag) != 0 }
}
