//! numpy's array interface (`PyArrayInterface`, in the capsule of an array's `__array_struct__`)
//! and the instance layout of its scalars, read directly as orjson reads them.
//!
//! numpy's headers are not there when rjson is built, so build.rs cannot check these mirrors.
//! They are checked at run time instead: every interface by its `two` field, and the whole
//! once per interpreter by [`check_array_layout`] (and the scalar probes of
//! `encode::numpy`), against what numpy itself says at the Python level. A mismatch makes
//! numpy objects a clean error rather than memory misread.

use crate::py::Owned;
use pyo3_ffi::*;
use std::os::raw::{c_char, c_int, c_void};
use std::ptr::NonNull;

/// Mirror of `PyArrayInterface` (numpy's `ndarraytypes.h`; "The array interface protocol").
#[repr(C)]
pub struct PyArrayInterface {
    /// Always 2: numpy's own sanity check of the struct.
    pub two: c_int,
    pub nd: c_int,
    /// `b'b'` bool, `b'i'` signed, `b'u'` unsigned, `b'f'` float, `b'M'` datetime64, ...
    pub typekind: c_char,
    pub itemsize: c_int,
    pub flags: c_int,
    pub shape: *mut Py_intptr_t,
    pub strides: *mut Py_intptr_t,
    pub data: *mut c_void,
    pub descr: *mut PyObject,
}

/// `flags` bits (`NPY_ARRAY_C_CONTIGUOUS`, `NPY_ARRAY_NOTSWAPPED`).
pub const C_CONTIGUOUS: c_int = 0x1;
pub const NOTSWAPPED: c_int = 0x200;

/// Mirror of numpy's scalar objects (`PyDoubleScalarObject`, `PyInt32ScalarObject`,
/// `PyBoolScalarObject`, `PyDatetimeScalarObject`, ...): the object header, then the value.
#[repr(C)]
pub struct ScalarObject<T> {
    pub ob_base: PyObject,
    pub value: T,
}

/// Where a numpy scalar of value type `T` keeps its value.
///
/// # Safety
/// `o` must be a live numpy scalar whose value is a `T` (its type checked by the caller, the
/// layout by the probe of `encode::numpy`).
pub unsafe fn scalar_value<T>(o: *mut PyObject) -> *const T {
    // SAFETY: forwarded: `o` has the `ScalarObject<T>` layout.
    unsafe { std::ptr::addr_of!((*o.cast::<ScalarObject<T>>()).value) }
}

/// What an array's `__array_struct__` is.
pub enum Interface {
    Read(ArrayStruct),
    /// Not a capsule holding a `PyArrayInterface` whose `two` is 2.
    Malformed,
}

/// An array's interface, from its `__array_struct__` capsule (held, so the struct stays).
pub struct ArrayStruct {
    _capsule: Owned,
    iface: NonNull<PyArrayInterface>,
}

impl ArrayStruct {
    /// The interface of `array` (`name`: `"__array_struct__"`); `None` with a Python
    /// exception set if the attribute lookup failed.
    ///
    /// # Safety
    /// GIL held; `array` live.
    pub unsafe fn of(array: *mut PyObject, name: *mut PyObject) -> Option<Interface> {
        // SAFETY: a new reference, owned; the capsule's pointer is read through the C API
        // and dereferenced only when non-NULL (numpy's capsules have no name).
        unsafe {
            let capsule = Owned::new(PyObject_GetAttr(array, name))?;
            if PyCapsule_CheckExact(capsule.as_ptr()) == 0 {
                return Some(Interface::Malformed);
            }
            let Some(iface) = NonNull::new(PyCapsule_GetPointer(capsule.as_ptr(), std::ptr::null()).cast::<PyArrayInterface>()) else {
                PyErr_Clear();
                return Some(Interface::Malformed);
            };
            if iface.as_ref().two != 2 {
                return Some(Interface::Malformed);
            }
            Some(Interface::Read(ArrayStruct { _capsule: capsule, iface }))
        }
    }

    fn get(&self) -> &PyArrayInterface {
        // SAFETY: the capsule, held, owns the struct (checked by `two`).
        unsafe { self.iface.as_ref() }
    }

    pub fn flags(&self) -> c_int {
        self.get().flags
    }

    pub fn typekind(&self) -> u8 {
        self.get().typekind as u8
    }

    pub fn itemsize(&self) -> usize {
        self.get().itemsize.max(0) as usize
    }

    pub fn data(&self) -> *const u8 {
        self.get().data.cast_const().cast()
    }

    /// The size of each dimension (none for a 0-d array).
    pub fn shape(&self) -> &[isize] {
        // SAFETY: numpy's `shape` holds `nd` sizes (and may be NULL when `nd` is 0).
        unsafe { dims(self.get().shape, self.get().nd) }
    }

    pub fn strides(&self) -> &[isize] {
        // SAFETY: as for `shape`.
        unsafe { dims(self.get().strides, self.get().nd) }
    }
}

/// # Safety
/// `ptr` must hold `nd` values (or `nd` be at most 0).
unsafe fn dims<'a>(ptr: *const Py_intptr_t, nd: c_int) -> &'a [isize] {
    if nd <= 0 || ptr.is_null() {
        return &[];
    }
    // SAFETY: forwarded.
    unsafe { std::slice::from_raw_parts(ptr, nd as usize) }
}

/// Checks the [`PyArrayInterface`] mirror against numpy's Python-level
/// `__array_interface__`, on a C-contiguous int16 array (2, 3) and its transpose (not
/// contiguous). `Err` says what differs (no exception is left set).
///
/// # Safety
/// GIL held; `numpy` the live numpy module; `name` the interned `"__array_struct__"`.
pub unsafe fn check_array_layout(numpy: *mut PyObject, name: *mut PyObject) -> Result<(), String> {
    // SAFETY: Python calls with owned results; interfaces read through `ArrayStruct`.
    unsafe {
        let result = probe_arrays(numpy, name);
        PyErr_Clear();
        result
    }
}

unsafe fn probe_arrays(numpy: *mut PyObject, name: *mut PyObject) -> Result<(), String> {
    let failed = |what: &str| format!("numpy's {what} could not be read");
    // SAFETY: GIL held; every new reference is owned.
    unsafe {
        let zeros = Owned::new(PyObject_GetAttrString(numpy, c"zeros".as_ptr())).ok_or_else(|| failed("zeros"))?;
        let int16 = Owned::new(PyObject_GetAttrString(numpy, c"int16".as_ptr())).ok_or_else(|| failed("int16"))?;
        let array = Owned::new(PyObject_CallFunction(zeros.as_ptr(), c"(ii)O".as_ptr(), 2, 3, int16.as_ptr()))
            .ok_or_else(|| failed("zeros((2, 3), int16)"))?;
        let transposed = Owned::new(PyObject_GetAttrString(array.as_ptr(), c"T".as_ptr())).ok_or_else(|| failed("ndarray.T"))?;
        for (probe, contiguous) in [(&array, true), (&transposed, false)] {
            let Some(Interface::Read(iface)) = ArrayStruct::of(probe.as_ptr(), name) else {
                return Err("numpy's __array_struct__ is not a PyArrayInterface capsule".to_owned());
            };
            let said = Owned::new(PyObject_GetAttrString(probe.as_ptr(), c"__array_interface__".as_ptr()))
                .ok_or_else(|| failed("__array_interface__"))?;
            let item = |key: &std::ffi::CStr| {
                let v = PyDict_GetItemString(said.as_ptr(), key.as_ptr());
                if v.is_null() { Err(failed("__array_interface__")) } else { Ok(v) }
            };
            let shape = int_tuple(item(c"shape")?).ok_or_else(|| failed("__array_interface__['shape']"))?;
            let strides = match item(c"strides")? {
                // None: C-contiguous, strides implied by the shape.
                s if s == Py_None() => vec![2 * shape[1], 2],
                s => int_tuple(s).ok_or_else(|| failed("__array_interface__['strides']"))?,
            };
            let data = PyLong_AsVoidPtr(PyTuple_GetItem(item(c"data")?, 0));
            let (flags, want) = (iface.flags(), C_CONTIGUOUS | NOTSWAPPED);
            let agrees = iface.typekind() == b'i'
                && iface.itemsize() == 2
                && iface.shape() == shape.as_slice()
                && iface.strides() == strides.as_slice()
                && iface.data() == data.cast_const().cast()
                && (flags & want == want) == contiguous
                && flags & NOTSWAPPED != 0;
            if !agrees {
                return Err("numpy's PyArrayInterface does not have the layout rjson reads".to_owned());
            }
        }
        Ok(())
    }
}

/// A tuple of ints as `isize`s.
unsafe fn int_tuple(t: *mut PyObject) -> Option<Vec<isize>> {
    // SAFETY: `t` is live; items are borrowed from it.
    unsafe {
        if PyTuple_Check(t) == 0 {
            return None;
        }
        (0..PyTuple_Size(t))
            .map(|i| {
                let v = PyLong_AsSsize_t(PyTuple_GetItem(t, i));
                (v != -1 || PyErr_Occurred().is_null()).then_some(v)
            })
            .collect()
    }
}
