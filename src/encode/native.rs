//! The types the orjson face serializes natively besides JSON's own (`datetime`, `date`,
//! `time`, `uuid.UUID`, enums, dataclasses, `Fragment`; numpy's are in `numpy`): how each is
//! recognised, and the text of the ones written as strings.

use super::buffer::OutBuf;
use crate::ffi::datetime::{date_fields, datetime_fields, delta_fields, time_fields, Hms, PyDateTime_CAPI, Ymd};
use super::numpy::NumpyTypes;
use crate::ffi::type_of;
use crate::py::Owned;
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
    /// `"_field_type"`, `"utcoffset"`, `"contents"`.
    pub int_name: *mut PyObject,
    pub value_name: *mut PyObject,
    pub dict_name: *mut PyObject,
    pub fields_name: *mut PyObject,
    pub slots_name: *mut PyObject,
    pub field_type_name: *mut PyObject,
    pub utcoffset_name: *mut PyObject,
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
    /// dataclasses (by `__dataclass_fields__` on the type).
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
            } else if dataclasses && PyObject_HasAttr(ty.cast(), self.fields_name) != 0 {
                Native::Dataclass
            } else if type_of(ty.cast()).cast() == self.enum_meta {
                Native::Enum
            } else {
                Native::Unknown
            }
        }
    }
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

/// Appends the RFC 3339 text of a `datetime`, as orjson writes it (no quotes).
///
/// # Safety
/// GIL held; `o` a live exact `datetime.datetime`.
pub unsafe fn write_datetime(out: &mut OutBuf, o: *mut PyObject, types: &NativeTypes, format: TimeFormat) -> Result<(), TimeError> {
    // SAFETY: `o` is a datetime; `utcoffset()` may run Python code and fail.
    unsafe {
        let (date, time, tz) = datetime_fields(o);
        let offset = if tz.is_null() {
            None
        } else {
            // A pytz zone attached directly (not by `localize`) has its first offset ever;
            // orjson asks `tzinfo.normalize(dt)` for the offset then, and so does rjson.
            let normalized = if PyObject_HasAttrString(tz, c"normalize".as_ptr()) == 1 {
                Owned::new(PyObject_CallMethod(tz, c"normalize".as_ptr(), c"O".as_ptr(), o)).ok_or(TimeError::Raised)?
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

/// "00" to "99".
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends the last `N` decimal digits of `v`, leading zeros included (`N` even): the
/// fixed-width fields of dates and times, two digits at a time from a table straight into
/// the output (numbers in general are `itoa`'s).
#[inline(always)]
fn write_pairs<const N: usize>(out: &mut OutBuf, mut v: u32) {
    const { assert!(N.is_multiple_of(2)) };
    // SAFETY: the N bytes are filled two at a time from the last (each pair read inside
    // PAIRS: `v % 100 < 100`).
    unsafe {
        out.put(N, |at| {
            let mut k = N;
            while k > 0 {
                k -= 2;
                std::ptr::copy_nonoverlapping(PAIRS.as_ptr().add((v % 100) as usize * 2), at.add(k), 2);
                v /= 100;
            }
            N
        })
    }
}

/// Appends a `uuid.UUID` as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (no quotes).
///
/// # Safety
/// GIL held; `o` a live `uuid.UUID`.
pub unsafe fn write_uuid(out: &mut OutBuf, o: *mut PyObject, types: &NativeTypes) -> Option<()> {
    // SAFETY: `o.int` is an int below 2**128; new references are owned.
    unsafe {
        let int = Owned::new(PyObject_GetAttr(o, types.int_name))?;
        let shift = Owned::new(PyLong_FromLong(64))?;
        let high = Owned::new(PyNumber_Rshift(int.as_ptr(), shift.as_ptr()))?;
        let hi = PyLong_AsUnsignedLongLongMask(high.as_ptr());
        let lo = PyLong_AsUnsignedLongLongMask(int.as_ptr());
        if !PyErr_Occurred().is_null() {
            return None;
        }
        let hex = format!("{hi:016x}{lo:016x}");
        let hex = hex.as_bytes();
        for (i, range) in [0..8, 8..12, 12..16, 16..20, 20..32].into_iter().enumerate() {
            if i > 0 {
                out.push(b'-');
            }
            out.extend_from_slice(&hex[range]);
        }
        Some(())
    }
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
