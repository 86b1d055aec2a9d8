//! Where an instance keeps its attributes (what its `__dict__` holds), read without making
//! that dict. Since 3.11 the interpreter keeps most instances' attributes as values beside
//! their class's shared keys, and makes a dict of them only when `__dict__` is asked for.
//! Making it allocates, and an allocation can start a garbage collection whose finalizers run
//! Python code, which the fast walk must not run.
//!
//! Where the values and the dict are is internal (pycore_object.h) and differs per version:
//! - 3.11: the values 4 words before the object, the dict 3 words before;
//! - 3.12: one word 3 before the object: a dict, or values (tagged by its low bit);
//! - 3.13+: the values inline after the object's `tp_basicsize` while they are `valid`, the
//!   dict 3 words before the object.
//!
//! [`ATTRIBUTES`] checks at run time that these find a real instance's attributes.

use super::dict::{split_table, LayoutCheck, SplitTable};
#[cfg(py_3_11)]
use super::type_of;
use crate::py::Owned;
use pyo3_ffi::*;
use std::ptr::null_mut;

/// The attributes of an instance.
pub enum Attributes {
    /// Its class's shared keys and its values.
    Split(SplitTable),
    /// Its dict (borrowed), which may be a subclass of dict.
    Dict(*mut PyObject),
    /// None yet.
    Empty,
}

/// The class keeps its instances' attributes inline, after `tp_basicsize` (3.13+; not in
/// pyo3-ffi).
#[cfg(py_3_13)]
#[allow(non_upper_case_globals)] // CPython's name
pub const Py_TPFLAGS_INLINE_VALUES: std::os::raw::c_ulong = 1 << 2;

extern "C" {
    /// Where an instance of a class with a `__dict__` keeps its dict (public, unlisted in
    /// pyo3-ffi); for a class whose dict the interpreter manages (3.11+), it makes the dict.
    fn _PyObject_GetDictPtr(obj: *mut PyObject) -> *mut *mut PyObject;
}

/// Whether [`attributes`] finds instances' attributes: [`attributes_work`], checked once.
pub static ATTRIBUTES: LayoutCheck = LayoutCheck::new(attributes_work);

/// The attributes of `o`, read with no Python code run and nothing allocated; `None` if they
/// are not where this looks.
///
/// # Safety
/// GIL held; `o` live, of a class whose instances have a `__dict__`; [`ATTRIBUTES`] passed.
#[inline(always)]
pub unsafe fn attributes(o: *mut PyObject) -> Option<Attributes> {
    // SAFETY: forwarded; a class that does not manage its instances' dict keeps it where its
    // `tp_dictoffset` says, which `_PyObject_GetDictPtr` reads without making it.
    unsafe {
        #[cfg(py_3_11)]
        if (*type_of(o)).tp_flags & Py_TPFLAGS_MANAGED_DICT != 0 {
            return managed(o, type_of(o));
        }
        let dict = _PyObject_GetDictPtr(o);
        if dict.is_null() {
            return None;
        }
        Some(match *dict {
            d if d.is_null() => Attributes::Empty,
            d => Attributes::Dict(d),
        })
    }
}

/// The shared keys of the instances of `ty`, a class that manages their dict.
///
/// # Safety
/// `ty` a live heap type.
#[cfg(py_3_11)]
unsafe fn cached_keys(ty: *mut PyTypeObject) -> Option<*mut super::dict::PyDictKeysObject> {
    // SAFETY: a class that manages its instances' dicts is a heap type (layout checked).
    let keys: *mut super::dict::PyDictKeysObject = unsafe { (*ty.cast::<PyHeapTypeObject>()).ht_cached_keys.cast() };
    (!keys.is_null()).then_some(keys)
}

/// A dict pointer as [`Attributes`].
#[cfg(py_3_11)]
fn dict_or_empty(dict: *mut PyObject) -> Attributes {
    if dict.is_null() {
        Attributes::Empty
    } else {
        Attributes::Dict(dict)
    }
}

/// # Safety
/// GIL held; `o` a live instance of `ty`, which manages its instances' dict.
#[cfg(py_3_13)]
unsafe fn managed(o: *mut PyObject, ty: *mut PyTypeObject) -> Option<Attributes> {
    use super::dict::PyDictValues;
    // SAFETY: an instance of a class with inline values has them after `tp_basicsize` bytes;
    // a managed dict is 3 words before the object.
    unsafe {
        if (*ty).tp_flags & Py_TPFLAGS_INLINE_VALUES != 0 {
            let values = o.cast::<u8>().add((*ty).tp_basicsize as usize).cast::<PyDictValues>();
            if (*values).valid != 0 {
                return SplitTable::new(cached_keys(ty)?, values.cast()).map(Attributes::Split);
            }
        }
        Some(dict_or_empty(*o.cast::<*mut PyObject>().sub(3)))
    }
}

/// # Safety
/// As above.
#[cfg(all(py_3_12, not(py_3_13)))]
unsafe fn managed(o: *mut PyObject, ty: *mut PyTypeObject) -> Option<Attributes> {
    // SAFETY: the word 3 before the object is a dict, or values 1 byte past it (the values
    // are word-aligned, so the tag is the low bit).
    unsafe {
        let word = *o.cast::<usize>().sub(3);
        if word & 1 != 0 {
            return SplitTable::new(cached_keys(ty)?, (word + 1) as *mut std::os::raw::c_void).map(Attributes::Split);
        }
        Some(dict_or_empty(word as *mut PyObject))
    }
}

/// # Safety
/// As above.
#[cfg(all(py_3_11, not(py_3_12)))]
unsafe fn managed(o: *mut PyObject, ty: *mut PyTypeObject) -> Option<Attributes> {
    // SAFETY: the values are 4 words before the object (NULL once a dict holds them), the
    // dict 3 words before.
    unsafe {
        let values = *o.cast::<*mut std::os::raw::c_void>().sub(4);
        if !values.is_null() {
            return SplitTable::new(cached_keys(ty)?, values).map(Attributes::Split);
        }
        Some(dict_or_empty(*o.cast::<*mut PyObject>().sub(3)))
    }
}

/// The members of `attributes` in order (a dict's as `PyDict_Next` gives them); `None` if a
/// split table names a key or value that is not there.
///
/// # Safety
/// GIL held; what `attributes` names live.
unsafe fn members(attributes: &Attributes) -> Option<Vec<(*mut PyObject, *mut PyObject)>> {
    // SAFETY: forwarded; `i < len`.
    unsafe {
        let table = match *attributes {
            Attributes::Split(table) => Some(table),
            Attributes::Dict(d) => split_table(d),
            Attributes::Empty => return Some(Vec::new()),
        };
        if let Some(table) = table {
            return (0..table.len()).map(|i| table.member(i)).collect();
        }
        let Attributes::Dict(d) = *attributes else { unreachable!() };
        let (mut pos, mut key, mut value, mut found) = (0, null_mut(), null_mut(), Vec::new());
        while PyDict_Next(d, &mut pos, &mut key, &mut value) != 0 {
            found.push((key, value));
        }
        Some(found)
    }
}

/// Whether [`attributes`] finds the attributes of an instance of a new class as it is
/// given them, after its dict is made, and after its dict is replaced: a run-time check of
/// the internal layout.
///
/// # Safety
/// GIL held.
unsafe fn attributes_work() -> bool {
    // SAFETY: new objects, released before returning; every reference taken is owned by an
    // `Owned`; `attributes` is asked only of the live instance.
    unsafe {
        let check = || -> Option<bool> {
            let class = Owned::new(PyObject_CallFunction(
                (&raw mut PyType_Type).cast(),
                c"s(O){}".as_ptr(),
                c"rjson_layout_probe".as_ptr(),
                &raw mut PyBaseObject_Type,
            ))?;
            let o = Owned::new(PyObject_CallNoArgs(class.as_ptr()))?;
            let mut names = Vec::new();
            for name in [c"a", c"b", c"c", c"d", c"e", c"f"] {
                names.push(Owned::new(PyUnicode_InternFromString(name.as_ptr()))?);
            }
            let mut values = Vec::new();
            for (k, name) in names.iter().enumerate() {
                values.push(Owned::new(PyLong_FromLong(1000 + k as std::os::raw::c_long))?);
                (PyObject_SetAttr(o.as_ptr(), name.as_ptr(), values[k].as_ptr()) == 0).then_some(())?;
            }
            // One deleted and set again: last in the order.
            (PyObject_DelAttr(o.as_ptr(), names[1].as_ptr()) == 0).then_some(())?;
            values[1] = Owned::new(PyLong_FromLong(2000))?;
            (PyObject_SetAttr(o.as_ptr(), names[1].as_ptr(), values[1].as_ptr()) == 0).then_some(())?;
            let expected: Vec<_> = [0, 2, 3, 4, 5, 1].iter().map(|&k| (names[k].as_ptr(), values[k].as_ptr())).collect();

            let found = |o: &Owned| attributes(o.as_ptr()).and_then(|a| members(&a).map(|m| (a, m)));
            let (before, members_before) = found(&o)?;
            let inline = matches!(before, Attributes::Split(_)) || !cfg!(py_3_11);
            let dict = Owned::new(PyObject_GenericGetDict(o.as_ptr(), null_mut()))?;
            let (made, members_made) = found(&o)?;
            let made_is_dict = match made {
                Attributes::Dict(d) => d == dict.as_ptr(),
                // 3.13+ keep the values inline, the made dict holding them.
                Attributes::Split(_) => cfg!(py_3_13),
                Attributes::Empty => false,
            };
            let replacement = Owned::new(PyDict_New())?;
            (PyDict_SetItem(replacement.as_ptr(), names[0].as_ptr(), values[0].as_ptr()) == 0).then_some(())?;
            // As `o.__dict__ = replacement` does (3.13's PyObject_GenericSetDict leaves the
            // inline values valid beside the new dict).
            (PyObject_SetAttrString(o.as_ptr(), c"__dict__".as_ptr(), replacement.as_ptr()) == 0).then_some(())?;
            let (replaced, _) = found(&o)?;
            let replaced = matches!(replaced, Attributes::Dict(d) if d == replacement.as_ptr());
            Some(inline && members_before == expected && made_is_dict && members_made == expected && replaced)
        };
        let works = check().unwrap_or(false);
        if !PyErr_Occurred().is_null() {
            PyErr_Clear();
        }
        works
    }
}
