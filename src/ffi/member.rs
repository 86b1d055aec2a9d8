//! Member descriptors: what a class's `__slots__` entry is. `getattr(o, name)` on a class
//! whose lookup finds one reads an object pointer at a fixed offset inside `o`, so that read
//! is all it takes (no Python code runs, nothing is allocated).

use super::type_of;
use pyo3_ffi::{PyMemberDef, PyMemberDescr_Type, PyMemberDescrObject, PyObject, PyTypeObject, PyType_IsSubtype, Py_ssize_t, Py_T_OBJECT_EX, Py_READONLY};

/// The offset of the object slot that `descriptor`, found on the class `ty`, reads, if it
/// is a member descriptor whose read is just that: of an object member (`__slots__` entries
/// are), read as stored (no audit hook, offset from the start of the object), defined by `ty`
/// or a base (a descriptor copied into an unrelated class refuses its instances).
///
/// # Safety
/// GIL held; `ty` live; `descriptor` live or NULL.
pub unsafe fn object_slot_offset(ty: *mut PyTypeObject, descriptor: *mut PyObject) -> Option<Py_ssize_t> {
    // SAFETY: a member descriptor has the PyMemberDescrObject layout (checked by `layout`)
    // and points at its class's member definition, which lives as long as the class.
    unsafe {
        if descriptor.is_null() || type_of(descriptor) != &raw mut PyMemberDescr_Type {
            return None;
        }
        let descriptor = descriptor.cast::<PyMemberDescrObject>();
        let member: *const PyMemberDef = (*descriptor).d_member.cast();
        let plain = (*member).type_code == Py_T_OBJECT_EX && (*member).flags & !Py_READONLY == 0;
        (plain && PyType_IsSubtype(ty, (*descriptor).d_common.d_type) != 0).then_some((*member).offset)
    }
}

/// The object in the slot at `offset` of `o` (borrowed), NULL if the slot is empty (never
/// set, or deleted: `getattr` raises AttributeError there).
///
/// # Safety
/// GIL held; `o` live, an instance of the class whose member descriptor gave `offset`.
#[inline(always)]
pub unsafe fn slot(o: *mut PyObject, offset: Py_ssize_t) -> *mut PyObject {
    // SAFETY: the member lies inside every instance of the class and its subclasses.
    unsafe { *o.cast::<u8>().offset(offset).cast::<*mut PyObject>() }
}
