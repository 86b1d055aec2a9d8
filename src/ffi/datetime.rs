//! `datetime`'s C structs (`PyDateTime_Date`, `PyDateTime_DateTime`, `PyDateTime_Time`,
//! `PyDateTime_Delta`) and its C API capsule: fields read directly, as the `PyDateTime_GET_*`
//! macros read them.

use pyo3_ffi::{PyObject, PyTypeObject, Py_hash_t};
use std::os::raw::{c_char, c_int, c_uchar};

/// Mirror of `PyDateTime_CAPI`'s leading type pointers (checked against the headers by `layout`).
#[repr(C)]
pub struct PyDateTime_CAPI {
    pub DateType: *mut PyTypeObject,
    pub DateTimeType: *mut PyTypeObject,
    pub TimeType: *mut PyTypeObject,
    pub DeltaType: *mut PyTypeObject,
    pub TZInfoType: *mut PyTypeObject,
    /// `datetime.timezone.utc`.
    pub TimeZone_UTC: *mut PyObject,
}

/// Mirror of `PyDateTime_Date`.
#[repr(C)]
pub struct PyDateTime_Date {
    pub ob_base: PyObject,
    pub hashcode: Py_hash_t,
    pub hastzinfo: c_char,
    pub data: [c_uchar; 4],
}

/// Mirror of `PyDateTime_DateTime` (an aware one: `tzinfo` is there only if `hastzinfo`).
#[repr(C)]
pub struct PyDateTime_DateTime {
    pub ob_base: PyObject,
    pub hashcode: Py_hash_t,
    pub hastzinfo: c_char,
    pub data: [c_uchar; 10],
    pub fold: c_uchar,
    pub tzinfo: *mut PyObject,
}

/// Mirror of `PyDateTime_Time` (`tzinfo` as for datetimes).
#[repr(C)]
pub struct PyDateTime_Time {
    pub ob_base: PyObject,
    pub hashcode: Py_hash_t,
    pub hastzinfo: c_char,
    pub data: [c_uchar; 6],
    pub fold: c_uchar,
    pub tzinfo: *mut PyObject,
}

/// Mirror of `PyDateTime_Delta`.
#[repr(C)]
pub struct PyDateTime_Delta {
    pub ob_base: PyObject,
    pub hashcode: Py_hash_t,
    pub days: c_int,
    pub seconds: c_int,
    pub microseconds: c_int,
}

/// A date's fields (datetimes share the first four bytes' layout).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ymd {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// A time of day's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hms {
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub microsecond: u32,
}

fn ymd(data: &[c_uchar]) -> Ymd {
    Ymd { year: u16::from_be_bytes([data[0], data[1]]), month: data[2], day: data[3] }
}

fn hms(data: &[c_uchar]) -> Hms {
    Hms {
        hour: data[0],
        minute: data[1],
        second: data[2],
        microsecond: u32::from_be_bytes([0, data[3], data[4], data[5]]),
    }
}

/// # Safety
/// `obj` must be a live `datetime.date` (or subclass instance, datetimes included).
pub unsafe fn date_fields(obj: *mut PyObject) -> Ymd {
    // SAFETY: a date object has the PyDateTime_Date layout.
    ymd(unsafe { &(*obj.cast::<PyDateTime_Date>()).data })
}

/// The date, the time and the tzinfo (NULL if naive) of a datetime.
///
/// # Safety
/// `obj` must be a live `datetime.datetime` (or subclass instance).
pub unsafe fn datetime_fields(obj: *mut PyObject) -> (Ymd, Hms, *mut PyObject) {
    // SAFETY: a datetime has the PyDateTime_DateTime layout; `tzinfo` exists if `hastzinfo`.
    unsafe {
        let dt = &*obj.cast::<PyDateTime_DateTime>();
        let tz = if dt.hastzinfo != 0 { dt.tzinfo } else { std::ptr::null_mut() };
        (ymd(&dt.data[..4]), hms(&dt.data[4..]), tz)
    }
}

/// The time and the tzinfo (NULL if naive) of a time.
///
/// # Safety
/// `obj` must be a live `datetime.time` (or subclass instance).
pub unsafe fn time_fields(obj: *mut PyObject) -> (Hms, *mut PyObject) {
    // SAFETY: a time has the PyDateTime_Time layout; `tzinfo` exists if `hastzinfo`.
    unsafe {
        let t = &*obj.cast::<PyDateTime_Time>();
        let tz = if t.hastzinfo != 0 { t.tzinfo } else { std::ptr::null_mut() };
        (hms(&t.data), tz)
    }
}

/// A timedelta's (days, seconds), as normalised by `datetime` (0 <= seconds < 86400).
///
/// # Safety
/// `obj` must be a live `datetime.timedelta`.
pub unsafe fn delta_fields(obj: *mut PyObject) -> (i32, i32) {
    // SAFETY: a timedelta has the PyDateTime_Delta layout.
    unsafe {
        let d = &*obj.cast::<PyDateTime_Delta>();
        (d.days, d.seconds)
    }
}
