//! The types the orjson face serializes natively besides JSON's own (`datetime`, `date`,
//! `time`, `uuid.UUID`, enums, dataclasses, `Fragment`; numpy's are in `numpy`): how each is
//! recognised, and the text of the ones written as strings.

use super::buffer::OutBuf;
use super::integer::put_fixed;
use crate::ffi::datetime::{date_fields, datetime_fields, delta_fields, time_fields, Hms, PyDateTime_CAPI, Ymd};
use super::numpy::NumpyTypes;
use crate::ffi::type_of;
use crate::ffi::long::u128_value;
use crate::ffi::unicode::{str_data, StrData};
use super::error::{refuse, refuse_caused, PyErrSet};
use super::options::Orjson;
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
    pub fragment: *mut PyObject,
    /// `"int"`, `"value"`, `"__dict__"`, `"__dataclass_fields__"`, `"__slots__"`,
    /// `"_field_type"`, `"utcoffset"`, `"normalize"`.
    pub int_name: *mut PyObject,
    pub value_name: *mut PyObject,
    pub dict_name: *mut PyObject,
    pub fields_name: *mut PyObject,
    pub slots_name: *mut PyObject,
    pub field_type_name: *mut PyObject,
    pub utcoffset_name: *mut PyObject,
    pub normalize_name: *mut PyObject,
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

/// Whether `getattr(o, "__dict__")` is the instance dict for the instances `o` of the
/// dataclass `ty`, got with no Python code run: the class has no `__slots__` of its own,
/// plain attribute lookup, and a C `__dict__` descriptor (CPython's own for a class).
///
/// # Safety
/// GIL held; `ty` a live, ready dataclass.
pub unsafe fn has_plain_instance_dict(ty: *mut PyTypeObject, types: &NativeTypes) -> bool {
    // SAFETY: forwarded; the descriptor is borrowed from a class dict.
    unsafe {
        // CPython's own function, one symbol: its address is what the class's slot holds.
        let generic = (*ty).tp_getattro.is_some_and(|f| std::ptr::fn_addr_eq(f, PyObject_GenericGetAttr as getattrofunc));
        if declares(ty, types.slots_name) || !generic {
            return false;
        }
        let descriptor = class_attribute(ty, types.dict_name);
        !descriptor.is_null() && type_of(descriptor) == &raw mut PyGetSetDescr_Type
    }
}

/// The instance dict of `o` (a new reference), of a class [`has_plain_instance_dict`]
/// accepts, if it is an exact dict; `None` otherwise, with no exception set.
///
/// # Safety
/// GIL held; `o` live.
pub unsafe fn instance_dict(o: *mut PyObject) -> Option<Owned> {
    // SAFETY: the dict is a new reference.
    unsafe {
        let Some(dict) = Owned::new(PyObject_GenericGetDict(o, null_mut())) else {
            PyErr_Clear();
            return None;
        };
        (type_of(dict.as_ptr()) == &raw mut PyDict_Type).then_some(dict)
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

/// How dates and times are written (`OPT_NAIVE_UTC`, `OPT_OMIT_MICROSECONDS`, `OPT_UTC_Z`).
#[derive(Clone, Copy)]
pub struct TimeFormat {
    pub naive_utc: bool,
    pub omit_microseconds: bool,
    pub utc_z: bool,
}

/// Why a date or time has no text.
pub enum TimeError {
    /// A Python exception is set (from `utcoffset()`).
    Raised,
    /// orjson's message for it.
    Refused(&'static str),
}

/// Whether [`write_datetime`] runs no Python code for the datetime `o`: it is naive, or its
/// tzinfo is a `datetime.timezone` (a fixed offset, whose `utcoffset` is C code).
///
/// # Safety
/// `o` a live exact `datetime.datetime`; `types.datetime` not NULL.
pub unsafe fn runs_no_python(o: *mut PyObject, types: &NativeTypes) -> bool {
    // SAFETY: forwarded; the C API's UTC is a live `datetime.timezone`.
    unsafe {
        let tz = datetime_fields(o).2;
        tz.is_null() || type_of(tz) == type_of((*types.datetime).TimeZone_UTC)
    }
}

/// Appends the RFC 3339 text of a `datetime`, as orjson writes it (no quotes).
///
/// # Safety
/// GIL held; `o` a live exact `datetime.datetime`.
pub unsafe fn write_datetime(out: &mut OutBuf, o: *mut PyObject, types: &NativeTypes, format: TimeFormat) -> Result<(), TimeError> {
    // SAFETY: `o` is a datetime; `utcoffset()` may run Python code and fail.
    unsafe {
        let (date, time, tz) = datetime_fields(o);
        let utc = (*types.datetime).TimeZone_UTC;
        let offset = if tz.is_null() {
            None
        } else if tz == utc {
            Some(0)
        } else {
            // A pytz zone attached directly (not by `localize`) has its first offset ever;
            // orjson asks `tzinfo.normalize(dt)` for the offset then, and so does rjson. A
            // fixed `datetime.timezone` has no `normalize`.
            let normalized = if type_of(tz) != type_of(utc) && !class_attribute(type_of(tz), types.normalize_name).is_null() {
                Owned::new(PyObject_CallMethodOneArg(tz, types.normalize_name, o)).ok_or(TimeError::Raised)?
            } else {
                Owned::borrowed(o)
            };
            let delta = Owned::new(PyObject_CallMethodNoArgs(normalized.as_ptr(), types.utcoffset_name)).ok_or(TimeError::Raised)?;
            if delta.as_ptr() == Py_None() {
                None
            } else if PyObject_TypeCheck(delta.as_ptr(), (*types.datetime).DeltaType) == 0 {
                return Err(TimeError::Refused("datetime.utcoffset() must return a timedelta or None"));
            } else {
                let (days, seconds) = delta_fields(delta.as_ptr());
                Some(days * 86_400 + seconds)
            }
        };
        write_ymd(out, date);
        out.push(b'T');
        write_hms(out, time, format.omit_microseconds);
        match offset {
            None if format.naive_utc => write_utc(out, format.utc_z),
            None => {}
            Some(0) => write_utc(out, format.utc_z),
            Some(seconds) => write_offset(out, seconds),
        }
        Ok(())
    }
}

/// Appends a `date` as `YYYY-MM-DD`.
///
/// # Safety
/// `o` a live `datetime.date`.
pub unsafe fn write_date(out: &mut OutBuf, o: *mut PyObject) {
    // SAFETY: forwarded.
    write_ymd(out, unsafe { date_fields(o) });
}

/// Appends a naive `time` as `HH:MM:SS[.ffffff]`; orjson refuses aware ones.
///
/// # Safety
/// `o` a live `datetime.time`.
pub unsafe fn write_time(out: &mut OutBuf, o: *mut PyObject, format: TimeFormat) -> Result<(), TimeError> {
    // SAFETY: forwarded.
    let (time, tz) = unsafe { time_fields(o) };
    if !tz.is_null() {
        return Err(TimeError::Refused("datetime.time must not have tzinfo set"));
    }
    write_hms(out, time, format.omit_microseconds);
    Ok(())
}

/// `YYYY-MM-DD` (years 0 to 9999).
pub(super) fn write_ymd(out: &mut OutBuf, d: Ymd) {
    write_pairs::<4>(out, u32::from(d.year));
    out.push(b'-');
    write_pairs::<2>(out, u32::from(d.month));
    out.push(b'-');
    write_pairs::<2>(out, u32::from(d.day));
}

pub(super) fn write_hms(out: &mut OutBuf, t: Hms, omit_microseconds: bool) {
    write_pairs::<2>(out, u32::from(t.hour));
    out.push(b':');
    write_pairs::<2>(out, u32::from(t.minute));
    out.push(b':');
    write_pairs::<2>(out, u32::from(t.second));
    if t.microsecond != 0 && !omit_microseconds {
        out.push(b'.');
        write_pairs::<6>(out, t.microsecond);
    }
}

pub(super) fn write_utc(out: &mut OutBuf, utc_z: bool) {
    out.extend_from_slice(if utc_z { b"Z" } else { b"+00:00" });
}

/// `+HH:MM`, the seconds of an offset rounded to the nearest minute as orjson rounds them
/// (orjson writes `-04:59:30` as `-04:60`, which is not RFC 3339; rjson carries: `-05:00`).
fn write_offset(out: &mut OutBuf, seconds: i32) {
    out.push(if seconds < 0 { b'-' } else { b'+' });
    let seconds = seconds.unsigned_abs();
    let (hours, minutes) = (seconds / 3600, (seconds % 3600 + 30) / 60);
    let (hours, minutes) = if minutes == 60 { (hours + 1, 0) } else { (hours, minutes) };
    write_pairs::<2>(out, hours);
    out.push(b':');
    write_pairs::<2>(out, minutes);
}

/// Appends the last `N` decimal digits of `v`, leading zeros included (`N` even): the
/// fixed-width fields of dates and times.
#[inline(always)]
fn write_pairs<const N: usize>(out: &mut OutBuf, v: u32) {
    // SAFETY: `put_fixed` writes exactly N bytes.
    unsafe {
        out.put(N, |at| {
            put_fixed::<N>(at, v);
            N
        })
    }
}

/// Appends a `uuid.UUID` as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (no quotes).
///
/// # Safety
/// GIL held; `o` a live `uuid.UUID`.
pub unsafe fn write_uuid(out: &mut OutBuf, o: *mut PyObject, types: &NativeTypes) -> Option<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // SAFETY: `o.int` is an int (a slot of UUID, read through its descriptor); owned here.
    let value = unsafe {
        let int = Owned::new(PyObject_GetAttr(o, types.int_name))?;
        if PyLong_Check(int.as_ptr()) == 0 {
            raise(PyExc_TypeError, "UUID.int is not an int");
            return None;
        }
        match u128_value(int.as_ptr()) {
            Some(value) => value,
            None => {
                raise(PyExc_ValueError, "UUID.int is not within 128 bits");
                return None;
            }
        }
    };
    // SAFETY: 36 bytes written: 32 hex digits, from the last, and 4 dashes.
    unsafe {
        out.put(36, |at| {
            let mut v = value;
            for k in (0..36).rev() {
                if matches!(k, 8 | 13 | 18 | 23) {
                    *at.add(k) = b'-';
                } else {
                    *at.add(k) = HEX[(v & 0xf) as usize];
                    v >>= 4;
                }
            }
            36
        });
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_as_orjson() {
        let text = |s| {
            let mut out = OutBuf::default();
            write_offset(&mut out, s);
            String::from_utf8(out.as_slice().to_vec()).unwrap()
        };
        assert_eq!(text(30), "+00:01");
        assert_eq!(text(29), "+00:00");
        assert_eq!(text(-3629), "-01:00");
        assert_eq!(text(-3631), "-01:01");
        assert_eq!(text(-(4 * 3600 + 59 * 60 + 30)), "-05:00");
        assert_eq!(text(5 * 3600 + 45 * 60), "+05:45");
    }

    #[test]
    fn dates_and_times() {
        let mut out = OutBuf::default();
        write_ymd(&mut out, Ymd { year: 1, month: 2, day: 3 });
        out.push(b' ');
        write_hms(&mut out, Hms { hour: 4, minute: 5, second: 6, microsecond: 7 }, false);
        out.push(b' ');
        write_hms(&mut out, Hms { hour: 4, minute: 5, second: 6, microsecond: 7 }, true);
        out.push(b' ');
        write_ymd(&mut out, Ymd { year: 9999, month: 12, day: 31 });
        out.push(b' ');
        write_hms(&mut out, Hms { hour: 23, minute: 59, second: 59, microsecond: 999_990 }, false);
        assert_eq!(out.as_slice(), b"0001-02-03 04:05:06.000007 04:05:06 9999-12-31 23:59:59.999990");
    }
}
