//! The types the orjson face serializes natively besides JSON's own (`datetime`, `date`,
//! `time`, `uuid.UUID`, enums, dataclasses, `Fragment`; numpy's are in `numpy`): how each is
//! recognised, and the text of the ones written as strings.

use super::buffer::OutBuf;
use crate::ffi::datetime::{date_fields, datetime_fields, delta_fields, time_fields, Hms, PyDateTime_CAPI, Ymd};
use super::numpy::NumpyTypes;
use crate::ffi::type_of;
use crate::ffi::long::u128_value;
use crate::ffi::member::{object_slot_offset, slot};
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

/// The longest text of a date, time or datetime: `YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM`.
pub const TIME_TEXT_MAX: usize = 32;

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

/// Writes the RFC 3339 text of a datetime at `at` as orjson writes it (no quotes); `offset`
/// is its UTC offset in seconds, `None` if naive. Returns its length.
///
/// # Safety
/// `at` valid for [`TIME_TEXT_MAX`] bytes of writes.
#[inline(always)]
pub unsafe fn put_datetime_text(at: *mut u8, date: Ymd, time: Hms, offset: Option<i32>, format: TimeFormat) -> usize {
    // SAFETY: 10 + 1 + 15 + 6 bytes at most.
    unsafe {
        let mut n = put_ymd(at, date);
        *at.add(n) = b'T';
        n += 1;
        n += put_hms(at.add(n), time, format.omit_microseconds);
        n + match offset {
            None if !format.naive_utc => 0,
            None | Some(0) => put_utc(at.add(n), format.utc_z),
            Some(seconds) => put_offset(at.add(n), seconds),
        }
    }
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
    // SAFETY: forwarded; 15 bytes reserved.
    unsafe {
        let (time, tz) = time_fields(o);
        if !tz.is_null() {
            return Err(TimeError::Refused("datetime.time must not have tzinfo set"));
        }
        out.put(15, |at| put_hms(at, time, format.omit_microseconds));
    }
    Ok(())
}

/// Writes `YYYY-MM-DD` (years 0 to 9999) at `at`: 10 bytes.
///
/// # Safety
/// `at` valid for 10 bytes of writes.
#[inline(always)]
pub unsafe fn put_ymd(at: *mut u8, d: Ymd) -> usize {
    let year = u64::from(d.year);
    let digits = digit_pairs(year / 100 | (year % 100) << 16 | u64::from(d.month) << 32 | u64::from(d.day) << 48);
    // `YYYY` `-` `MM` `-`, then `DD`.
    let head = digits & 0xffff_ffff | u64::from(b'-') << 32 | (digits >> 32 & 0xffff) << 40 | u64::from(b'-') << 56;
    // SAFETY: 8 + 2 bytes.
    unsafe {
        at.cast::<u64>().write_unaligned(head.to_le());
        at.add(8).cast::<u16>().write_unaligned(((digits >> 48) as u16).to_le());
    }
    10
}

/// Writes `HH:MM:SS`, and `.ffffff` unless there are no microseconds or they are omitted,
/// at `at`: 8 or 15 bytes.
///
/// # Safety
/// `at` valid for 15 bytes of writes.
#[inline(always)]
pub unsafe fn put_hms(at: *mut u8, t: Hms, omit_microseconds: bool) -> usize {
    let digits = digit_pairs(u64::from(t.hour) | u64::from(t.minute) << 16 | u64::from(t.second) << 32);
    let hms = digits & 0xffff | u64::from(b':') << 16 | (digits >> 16 & 0xffff) << 24 | u64::from(b':') << 40 | (digits >> 32 & 0xffff) << 48;
    // SAFETY: 8 bytes, then 1 + 4 + 2.
    unsafe {
        at.cast::<u64>().write_unaligned(hms.to_le());
        if t.microsecond == 0 || omit_microseconds {
            return 8;
        }
        let us = u64::from(t.microsecond);
        let digits = digit_pairs(us / 10_000 | (us / 100 % 100) << 16 | (us % 100) << 32);
        *at.add(8) = b'.';
        at.add(9).cast::<u32>().write_unaligned((digits as u32).to_le());
        at.add(13).cast::<u16>().write_unaligned(((digits >> 32) as u16).to_le());
    }
    15
}

/// The decimal digits of the four 16-bit lanes of `lanes` (each below 100) in ASCII, tens
/// in each lane's low byte: in little-endian order, each lane's two bytes read as its number.
/// Dates and times write all their fields with it at once.
#[inline(always)]
fn digit_pairs(lanes: u64) -> u64 {
    // `v * 103 >> 10` is `v / 10` for every v below 100 (and 99 * 103 fits its lane).
    let tens = (lanes.wrapping_mul(103) >> 10) & 0x000f_000f_000f_000f;
    let ones = lanes - tens * 10;
    tens | ones << 8 | 0x3030_3030_3030_3030
}

/// Writes UTC's offset (`Z` or `+00:00`) at `at`; returns its length.
///
/// # Safety
/// `at` valid for 6 bytes of writes.
#[inline(always)]
unsafe fn put_utc(at: *mut u8, utc_z: bool) -> usize {
    let text: &[u8] = if utc_z { b"Z" } else { b"+00:00" };
    // SAFETY: at most 6 bytes.
    unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), at, text.len()) };
    text.len()
}

/// Writes `+HH:MM` at `at` (6 bytes): the seconds of an offset rounded to the nearest minute
/// as orjson rounds them (orjson writes `-04:59:30` as `-04:60`, which is not RFC 3339; rjson
/// carries: `-05:00`).
///
/// # Safety
/// `at` valid for 6 bytes of writes.
unsafe fn put_offset(at: *mut u8, seconds: i32) -> usize {
    let sign = if seconds < 0 { b'-' } else { b'+' };
    let seconds = seconds.unsigned_abs();
    let (hours, minutes) = (seconds / 3600, (seconds % 3600 + 30) / 60);
    let (hours, minutes) = if minutes == 60 { (hours + 1, 0) } else { (hours, minutes) };
    let digits = digit_pairs(u64::from(hours) | u64::from(minutes) << 16);
    // SAFETY: 1 + 2 + 1 + 2 bytes.
    unsafe {
        *at = sign;
        at.add(1).cast::<u16>().write_unaligned((digits as u16).to_le());
        *at.add(3) = b':';
        at.add(4).cast::<u16>().write_unaligned(((digits >> 16) as u16).to_le());
    }
    6
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

/// Whether reading `int` of a `uuid.UUID` runs no Python code: plain attribute lookup, and
/// `int` a slot (as `uuid` defines it).
///
/// # Safety
/// GIL held; `types.uuid` a live, ready type.
pub unsafe fn has_plain_uuid_int(types: &NativeTypes) -> bool {
    // SAFETY: forwarded; the descriptor is borrowed from a class dict.
    unsafe {
        let ty = types.uuid.cast::<PyTypeObject>();
        let generic = plain_getattr(ty);
        let descriptor = class_attribute(ty, types.int_name);
        generic && !descriptor.is_null() && type_of(descriptor) == &raw mut PyMemberDescr_Type
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_as_orjson() {
        let text = |s| {
            let mut out = [0u8; 6];
            // SAFETY: 6 bytes.
            let len = unsafe { put_offset(out.as_mut_ptr(), s) };
            String::from_utf8(out[..len].to_vec()).unwrap()
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
        let text = |date, time, offset, omit_microseconds, utc_z| {
            let mut out = [0u8; TIME_TEXT_MAX];
            let format = TimeFormat { naive_utc: true, omit_microseconds, utc_z };
            // SAFETY: TIME_TEXT_MAX bytes.
            let len = unsafe { put_datetime_text(out.as_mut_ptr(), date, time, offset, format) };
            String::from_utf8(out[..len].to_vec()).unwrap()
        };
        let (early, late) = (Ymd { year: 1, month: 2, day: 3 }, Ymd { year: 9999, month: 12, day: 31 });
        let (small, big) = (Hms { hour: 4, minute: 5, second: 6, microsecond: 7 }, Hms { hour: 23, minute: 59, second: 59, microsecond: 999_990 });
        assert_eq!(text(early, small, None, false, false), "0001-02-03T04:05:06.000007+00:00");
        assert_eq!(text(early, small, Some(0), true, true), "0001-02-03T04:05:06Z");
        assert_eq!(text(late, big, Some(-(4 * 3600 + 59 * 60 + 30)), false, false), "9999-12-31T23:59:59.999990-05:00");
        assert_eq!(text(late, Hms { microsecond: 0, ..big }, Some(3600), false, false), "9999-12-31T23:59:59+01:00");
        assert_eq!(text(Ymd { year: 1970, month: 10, day: 9 }, Hms { hour: 0, minute: 10, second: 19, microsecond: 100_001 }, Some(-(23 * 3600 + 59 * 60)), false, false), "1970-10-09T00:10:19.100001-23:59");
        // Every field value a date or time has, in every lane.
        for v in 0..100u64 {
            let text = digit_pairs(v | v << 16 | v << 32 | v << 48).to_le_bytes();
            let want = format!("{v:02}").repeat(4);
            assert_eq!(&text[..], want.as_bytes());
        }
    }
}
