//! The types the orjson face serializes natively besides JSON's own (`datetime`, `date`,
//! `time`, `uuid.UUID`, enums, dataclasses, `Fragment`; numpy's are in `numpy`): how each is
//! recognised and read, and a UUID's text (dates' and times' is `time_text`'s).

use super::buffer::OutBuf;
use crate::ffi::datetime::{date_fields, datetime_fields, delta_fields, time_fields, PyDateTime_CAPI};
use super::numpy::NumpyTypes;
use crate::ffi::type_of;
use crate::ffi::long::u128_value;
use crate::ffi::member::{object_slot_offset, slot};
use crate::ffi::unicode::{str_data, StrData};
use super::error::{refuse, refuse_caused, PyErrSet};
use super::options::Orjson;
use super::time_text::{put_datetime_text, put_hms, put_ymd, TimeFormat, TIME_TEXT_MAX};
use crate::py::{raise, Owned};
use std::ptr::null_mut;
use pyo3_ffi::*;

/// The type objects (borrowed from the module state) and interned attribute names the
/// orjson face needs.
#[derive(Clone, Copy)]
pub struct NativeTypes {
    /// NULL where `datetime` has no C API (see `add_face`).
    pub datetime: *const PyDateTime_CAPI,
    pub uuid: *mut PyObject,
    pub enum_meta: *mut PyObject,
    /// `enum.Enum.__dict__["value"]`.
    pub enum_value: *mut PyObject,
    pub fragment: *mut PyObject,
    /// `"int"`, `"value"`, `"__dict__"`, `"__dataclass_fields__"`, `"__slots__"`,
    /// `"_field_type"`, `"dataclasses"`, `"_FIELD"`, `"utcoffset"`, `"normalize"`, `"_value_"`.
    pub int_name: *mut PyObject,
    pub value_name: *mut PyObject,
    pub dict_name: *mut PyObject,
    pub fields_name: *mut PyObject,
    pub slots_name: *mut PyObject,
    pub field_type_name: *mut PyObject,
    pub dataclasses_name: *mut PyObject,
    pub field_marker_name: *mut PyObject,
    pub utcoffset_name: *mut PyObject,
    pub normalize_name: *mut PyObject,
    pub value_field_name: *mut PyObject,
    /// numpy's types (`OPT_SERIALIZE_NUMPY`), NULL without the option or while numpy is
    /// not imported; `"numpy"`, `"__array_struct__"`, `"dtype"`, `"str"`.
    pub numpy: *const NumpyTypes,
    pub numpy_name: *mut PyObject,
    pub array_struct_name: *mut PyObject,
    pub dtype_name: *mut PyObject,
    pub str_name: *mut PyObject,
}

/// The instance layout of `Fragment` (defined by the orjson face): its contents, bytes or str.
#[repr(C)]
pub struct FragmentObject {
    pub ob_base: PyObject,
    pub contents: *mut PyObject,
}

/// What a non-JSON object is to the orjson face.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Native {
    DateTime,
    Date,
    Time,
    Uuid,
    Enum,
    Dataclass,
    Fragment,
    /// For `default`, or an error.
    Unknown,
}

impl NativeTypes {
    /// orjson's checks, in its order: exact types only, except enums (by metaclass) and
    /// dataclasses (by `__dataclass_fields__` in the class's own dict, as orjson looks: a
    /// lookup through the class's bases could run a metaclass `__getattr__`, and a failed
    /// one makes an AttributeError, which cost more than the rest of a value's encoding).
    ///
    /// # Safety
    /// GIL held; `o` live; the types are live (held by the module state).
    pub unsafe fn kind(&self, o: *mut PyObject, datetimes: bool, dataclasses: bool) -> Native {
        // SAFETY: comparing type pointers; the attribute lookup on the type is a plain read;
        // the C API is read only when there is one.
        unsafe {
            let ty = type_of(o);
            let api = if datetimes { self.datetime.as_ref() } else { None };
            if api.is_some_and(|api| ty == api.DateTimeType) {
                Native::DateTime
            } else if ty.cast() == self.uuid {
                Native::Uuid
            } else if ty.cast() == self.fragment {
                Native::Fragment
            } else if api.is_some_and(|api| ty == api.DateType) {
                Native::Date
            } else if api.is_some_and(|api| ty == api.TimeType) {
                Native::Time
            } else if type_of(ty.cast()).cast() == self.enum_meta {
                Native::Enum
            } else if dataclasses && declares(ty, self.fields_name) {
                Native::Dataclass
            } else {
                Native::Unknown
            }
        }
    }
}

/// Whether the class `ty` itself (not a base) defines `name`.
///
/// # Safety
/// GIL held; `ty` a live type; `name` a str.
unsafe fn declares(ty: *mut PyTypeObject, name: *mut PyObject) -> bool {
    // SAFETY: a class's `tp_dict` is a dict (NULL only for static types of 3.12+, which
    // keep theirs per interpreter and are no dataclasses); `name` is hashed (interned).
    unsafe {
        let dict = (*ty).tp_dict;
        !dict.is_null() && PyDict_Contains(dict, name) == 1
    }
}

/// What the class `ty` or its nearest base defining `name` has there (borrowed; NULL if
/// none): a lookup through the MRO's dicts, as `getattr` starts, without the AttributeError a
/// failed `hasattr` makes (which cost more than the rest of a datetime's encoding).
///
/// # Safety
/// GIL held; `ty` a live, ready type; `name` an interned str.
unsafe fn class_attribute(ty: *mut PyTypeObject, name: *mut PyObject) -> *mut PyObject {
    // SAFETY: a ready type's MRO is a tuple of types; each dict is read with the GIL held,
    // its keys compared with a str (no Python code).
    unsafe {
        let mro = (*ty).tp_mro;
        if mro.is_null() {
            return null_mut();
        }
        for i in 0..PyTuple_GET_SIZE(mro) {
            let dict = (*PyTuple_GET_ITEM(mro, i).cast::<PyTypeObject>()).tp_dict;
            if !dict.is_null() {
                let found = PyDict_GetItemWithError(dict, name);
                if !found.is_null() {
                    return found;
                }
            }
        }
        null_mut()
    }
}

/// Whether the instances of `ty` have plain attribute lookup (no `__getattribute__` or
/// `__getattr__` of Python code).
///
/// # Safety
/// `ty` a live type.
unsafe fn plain_getattr(ty: *mut PyTypeObject) -> bool {
    // CPython's own function, one symbol: its address is what the class's slot holds.
    // SAFETY: reading a live type's slot.
    unsafe { (*ty).tp_getattro.is_some_and(|f| std::ptr::fn_addr_eq(f, PyObject_GenericGetAttr as getattrofunc)) }
}

/// Whether `getattr(o, "__dict__")` is the instance dict for the instances `o` of the
/// dataclass `ty`, got with no Python code run: the class has no `__slots__` of its own,
/// plain attribute lookup, and a C `__dict__` descriptor (CPython's own for a class).
///
/// # Safety
/// GIL held; `ty` a live, ready dataclass.
pub unsafe fn has_plain_instance_dict(ty: *mut PyTypeObject, types: &NativeTypes) -> bool {
    // SAFETY: forwarded; the descriptor is borrowed from a class dict.
    unsafe {
        let generic = plain_getattr(ty);
        if declares(ty, types.slots_name) || !generic {
            return false;
        }
        let descriptor = class_attribute(ty, types.dict_name);
        !descriptor.is_null() && type_of(descriptor) == &raw mut PyGetSetDescr_Type
    }
}

/// The fields orjson writes of the slots dataclass `ty` (see `has_plain_instance_dict` for
/// the others): those `__dataclass_fields__` lists as `dataclasses._FIELD`s (not class or
/// init-only variables) whose names do not start with `_`, in its order; each name (borrowed
/// from that dict) and the offset of the `__slots__` entry `getattr` reads it from. `None`
/// where reading one takes more than a slot (or where finding that out would take Python
/// code): those are the general walk's.
///
/// # Safety
/// GIL held; `ty` a live, ready dataclass.
pub unsafe fn slot_fields(ty: *mut PyTypeObject, types: &NativeTypes) -> Option<Vec<(*mut PyObject, Py_ssize_t)>> {
    // SAFETY: GIL held; what the lookups find is borrowed from dicts that no Python code
    // changes meanwhile: the class's, `sys.modules` and `dataclasses`' own.
    unsafe {
        if !plain_getattr(ty) || !declares(ty, types.slots_name) {
            return None;
        }
        let fields = PyDict_GetItemWithError((*ty).tp_dict, types.fields_name);
        // The marker from the module already imported (importing runs Python code).
        let module = PyDict_GetItemWithError(PyImport_GetModuleDict(), types.dataclasses_name);
        if fields.is_null() || Py_TYPE(fields) != &raw mut PyDict_Type || module.is_null() || PyModule_CheckExact(module) == 0 {
            PyErr_Clear();
            return None;
        }
        let marker = PyDict_GetItemWithError(PyModule_GetDict(module), types.field_marker_name);
        if marker.is_null() {
            PyErr_Clear();
            return None;
        }
        let mut out = Vec::new();
        let (mut pos, mut name, mut field) = (0, null_mut(), null_mut());
        while PyDict_Next(fields, &mut pos, &mut name, &mut field) != 0 {
            let field_class = Py_TYPE(field);
            if Py_TYPE(name) != &raw mut PyUnicode_Type || !plain_getattr(field_class) {
                return None;
            }
            let kind = slot(field, object_slot_offset(field_class, class_attribute(field_class, types.field_type_name))?);
            if kind.is_null() {
                return None;
            }
            if kind != marker || is_private(name) {
                continue;
            }
            let offset = object_slot_offset(ty, class_attribute(ty, name))?;
            out.try_reserve(1).ok()?;
            out.push((name, offset));
        }
        Some(out)
    }
}

/// Whether `member.value` is `member._value_` for the members of the enum `ty`, got with no
/// Python code run: the class takes `value` from `enum.Enum` itself (a property returning
/// `_value_`) and has no `_value_` of its own, and plain attribute lookup.
///
/// # Safety
/// GIL held; `ty` a live, ready enum class.
pub unsafe fn has_plain_enum_value(ty: *mut PyTypeObject, types: &NativeTypes) -> bool {
    // SAFETY: forwarded; what the lookups find is borrowed from class dicts.
    unsafe {
        let generic = plain_getattr(ty);
        generic && class_attribute(ty, types.value_name) == types.enum_value && class_attribute(ty, types.value_field_name).is_null()
    }
}

/// The `_value_` of the enum member `o`, of a class [`has_plain_enum_value`] accepts; `None`
/// if it has none, with no exception set. Read by plain attribute lookup, which finds it in
/// the member's own attributes without making a `__dict__` of them (an allocation, which
/// could start a garbage collection that runs finalizers).
///
/// # Safety
/// GIL held; `o` live.
pub unsafe fn plain_enum_value(o: *mut PyObject, types: &NativeTypes) -> Option<Owned> {
    // SAFETY: the class has no `_value_` (checked), so no descriptor runs; a new reference.
    unsafe {
        let value = Owned::new(PyObject_GenericGetAttr(o, types.value_field_name));
        if value.is_none() {
            PyErr_Clear();
        }
        value
    }
}

/// Whether `key` is a str starting with `_`.
///
/// # Safety
/// GIL held; `key` live.
pub unsafe fn is_private(key: *mut PyObject) -> bool {
    // SAFETY: `key` is live.
    unsafe {
        PyUnicode_Check(key) != 0
            && match str_data(key) {
                Some(StrData::Ascii(b) | StrData::Latin1(b)) => b.first() == Some(&b'_'),
                Some(StrData::Ucs2(u)) => u.first() == Some(&0x5f),
                Some(StrData::Ucs4(u)) => u.first() == Some(&0x5f),
                None => {
                    PyErr_Clear();
                    false
                }
            }
    }
}

/// The text of a date, time, datetime or UUID (no quotes).
///
/// # Safety
/// GIL held; `o` live and of the type `native` names.
pub unsafe fn write_native_text(buf: &mut OutBuf, o: *mut PyObject, native: Native, oj: &Orjson) -> super::error::Result<()> {
    let format = oj.time_format();
    // SAFETY: `o` is live and of the type `native` names.
    let written = unsafe {
        match native {
            Native::DateTime => write_datetime(buf, o, &oj.types, format),
            Native::Date => {
                write_date(buf, o);
                Ok(())
            }
            Native::Time => write_time(buf, o, format),
            _ => return write_uuid(buf, o, &oj.types).ok_or(PyErrSet),
        }
    };
    written.map_err(|e| match e {
        // orjson itself crashes here; rjson raises its own error, caused by utcoffset()'s.
        TimeError::Raised => refuse_caused("datetime's tzinfo.utcoffset() raised an exception"),
        TimeError::Refused(msg) => refuse(msg),
    })
}

/// Why a date or time has no text.
pub enum TimeError {
    /// A Python exception is set (from `utcoffset()`).
    Raised,
    /// orjson's message for it.
    Refused(&'static str),
}

/// Appends the RFC 3339 text of a `datetime`, as orjson writes it (no quotes).
///
/// # Safety
/// GIL held; `o` a live exact `datetime.datetime`.
pub unsafe fn write_datetime(out: &mut OutBuf, o: *mut PyObject, types: &NativeTypes, format: TimeFormat) -> Result<(), TimeError> {
    // SAFETY: `o` is a datetime; TIME_TEXT_MAX bytes are reserved for its text.
    unsafe {
        let offset = utc_offset(o, types)?;
        let (date, time, _) = datetime_fields(o);
        out.put(TIME_TEXT_MAX, |at| put_datetime_text(at, date, time, offset, format));
        Ok(())
    }
}

/// The UTC offset of the datetime `o` in seconds, `None` if it is naive (or its tzinfo says
/// so), as orjson finds it. Runs Python code unless the tzinfo is a `datetime.timezone`.
///
/// # Safety
/// GIL held; `o` a live exact `datetime.datetime`.
pub unsafe fn utc_offset(o: *mut PyObject, types: &NativeTypes) -> Result<Option<i32>, TimeError> {
    // SAFETY: `o` is a datetime; `utcoffset()` may run Python code and fail.
    unsafe {
        let tz = datetime_fields(o).2;
        let utc = (*types.datetime).TimeZone_UTC;
        if tz.is_null() {
            return Ok(None);
        } else if tz == utc {
            return Ok(Some(0));
        }
        // A pytz zone attached directly (not by `localize`) has its first offset ever;
        // orjson asks `tzinfo.normalize(dt)` for the offset then, and so does rjson. A
        // fixed `datetime.timezone` has no `normalize`.
        let normalized = if !is_fixed_zone(tz, types) && !class_attribute(type_of(tz), types.normalize_name).is_null() {
            Owned::new(PyObject_CallMethodOneArg(tz, types.normalize_name, o)).ok_or(TimeError::Raised)?
        } else {
            Owned::borrowed(o)
        };
        let delta = Owned::new(PyObject_CallMethodNoArgs(normalized.as_ptr(), types.utcoffset_name)).ok_or(TimeError::Raised)?;
        if delta.as_ptr() == Py_None() {
            Ok(None)
        } else if PyObject_TypeCheck(delta.as_ptr(), (*types.datetime).DeltaType) == 0 {
            Err(TimeError::Refused("datetime.utcoffset() must return a timedelta or None"))
        } else {
            let (days, seconds) = delta_fields(delta.as_ptr());
            Ok(Some(days * 86_400 + seconds))
        }
    }
}

/// Whether the tzinfo `tz` is a `datetime.timezone`: a fixed offset, whose `utcoffset` is C
/// code that runs no Python code and gives the same offset for every datetime.
///
/// # Safety
/// `tz` live; `types.datetime` not NULL.
pub unsafe fn is_fixed_zone(tz: *mut PyObject, types: &NativeTypes) -> bool {
    // SAFETY: the C API's UTC is a live `datetime.timezone`.
    unsafe { type_of(tz) == type_of((*types.datetime).TimeZone_UTC) }
}

/// Appends a `date` as `YYYY-MM-DD`.
///
/// # Safety
/// `o` a live `datetime.date`.
pub unsafe fn write_date(out: &mut OutBuf, o: *mut PyObject) {
    // SAFETY: forwarded; 10 bytes reserved.
    unsafe {
        let date = date_fields(o);
        out.put(10, |at| put_ymd(at, date));
    }
}

/// Appends a naive `time` as `HH:MM:SS[.ffffff]`; orjson refuses aware ones.
///
/// # Safety
/// `o` a live `datetime.time`.
pub unsafe fn write_time(out: &mut OutBuf, o: *mut PyObject, format: TimeFormat) -> Result<(), TimeError> {
    // SAFETY: forwarded; the 16 bytes `put_hms` needs reserved.
    unsafe {
        let (time, tz) = time_fields(o);
        if !tz.is_null() {
            return Err(TimeError::Refused("datetime.time must not have tzinfo set"));
        }
        out.put(16, |at| put_hms(at, time, format.omit_microseconds));
    }
    Ok(())
}

/// Appends a `uuid.UUID` as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (no quotes).
///
/// # Safety
/// GIL held; `o` a live `uuid.UUID`.
pub unsafe fn write_uuid(out: &mut OutBuf, o: *mut PyObject, types: &NativeTypes) -> Option<()> {
    // SAFETY: forwarded; 36 bytes reserved.
    unsafe {
        let value = uuid_value(o, types)?;
        out.put(36, |at| put_uuid(at, value));
    }
    Some(())
}

/// The 128-bit value of a `uuid.UUID` (its `int`); `None` with an exception set.
///
/// # Safety
/// GIL held; `o` a live `uuid.UUID`.
pub unsafe fn uuid_value(o: *mut PyObject, types: &NativeTypes) -> Option<u128> {
    // SAFETY: `o.int` (a slot of UUID, read through its descriptor) is owned here.
    unsafe {
        let int = Owned::new(PyObject_GetAttr(o, types.int_name))?;
        if PyLong_Check(int.as_ptr()) == 0 {
            raise(PyExc_TypeError, "UUID.int is not an int");
            return None;
        }
        let value = u128_value(int.as_ptr());
        if value.is_none() {
            raise(PyExc_ValueError, "UUID.int is not within 128 bits");
        }
        value
    }
}

/// The offset of the slot that `int` of a `uuid.UUID` is read from, if reading it runs no
/// Python code: plain attribute lookup, and `int` a slot (as `uuid` defines it).
///
/// # Safety
/// GIL held; `types.uuid` a live, ready type.
pub unsafe fn uuid_int_slot(types: &NativeTypes) -> Option<Py_ssize_t> {
    // SAFETY: forwarded; the descriptor is borrowed from a class dict.
    unsafe {
        let ty = types.uuid.cast::<PyTypeObject>();
        if !plain_getattr(ty) {
            return None;
        }
        object_slot_offset(ty, class_attribute(ty, types.int_name))
    }
}

/// The 128-bit value of the int `int` (a UUID's `int`, borrowed from its slot: NULL if the
/// slot is empty); `None` if it is not an exact int in `0..2**128`.
///
/// # Safety
/// `int` live or NULL.
#[inline(always)]
pub unsafe fn uuid_int_value(int: *mut PyObject) -> Option<u128> {
    // SAFETY: an exact int is read as one.
    unsafe { (!int.is_null() && PyLong_CheckExact(int) != 0).then(|| u128_value(int)).flatten() }
}

/// Writes a UUID's text at `at`: 36 bytes, 16 pairs of hex digits and 4 dashes.
///
/// # Safety
/// `at` valid for 36 bytes of writes.
#[inline(always)]
pub unsafe fn put_uuid(at: *mut u8, value: u128) -> usize {
    let mut k = 0;
    for (i, byte) in value.to_be_bytes().into_iter().enumerate() {
        // SAFETY: 4 dashes and 16 pairs: 36 bytes.
        unsafe {
            if matches!(i, 4 | 6 | 8 | 10) {
                *at.add(k) = b'-';
                k += 1;
            }
            at.add(k).cast::<[u8; 2]>().write_unaligned(HEX_PAIRS[usize::from(byte)]);
        }
        k += 2;
    }
    k
}

/// The two lowercase hex digits of each byte value.
static HEX_PAIRS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut pairs = [[0; 2]; 256];
    let mut b = 0;
    while b < 256 {
        pairs[b] = [HEX[b >> 4], HEX[b & 15]];
        b += 1;
    }
    pairs
};
