//! The scalar writers (str, int, float), shared by the general walk (`encoder`) and the fast
//! walk (`fast`): each writes one value as the configured face writes it, or raises.

use super::error::{refuse, PyErrSet, Result, SURROGATES};
use super::escape::{write_escaped, write_escaped_utf8};
use super::float::{write_float_orjson, write_float_repr};
use super::options::{opt, Options};
use super::buffer::OutBuf;
use super::writer::Output;
use crate::ffi::long::small_value;
use crate::ffi::containers::float_value;
use crate::ffi::unicode::{cached_utf8, str_data, StrData};
use crate::py::{raise, Owned};
use pyo3_ffi::*;

/// A str, escaped as the options say; the orjson face refuses surrogates.
///
/// # Safety
/// GIL held; `o` a live str (or subclass instance).
#[inline(always)]
pub unsafe fn write_str<W: Output>(out: &mut W, o: *mut PyObject, ensure_ascii: bool) -> Result<()> {
    // SAFETY: `o` is a live str.
    match unsafe { str_data(o) }.ok_or(PyErrSet)? {
        ascii @ StrData::Ascii(_) => {
            write_escaped(out, ascii, ensure_ascii);
            Ok(())
        }
        // SAFETY: as above.
        data => unsafe { write_non_ascii_str(out, o, data, ensure_ascii) },
    }
}

/// [`write_str`] for a str with characters above ASCII: out of line, keeping the ASCII path
/// (keys, most values) small where it is inlined.
///
/// # Safety
/// GIL held; `o` a live str whose characters are `data`.
#[inline(never)]
unsafe fn write_non_ascii_str<W: Output>(out: &mut W, o: *mut PyObject, data: StrData<'_>, ensure_ascii: bool) -> Result<()> {
    if !ensure_ascii && W::TAKES_UTF8 {
        // SAFETY: `o` is a live, ready, non-ASCII str.
        if let Some(utf8) = unsafe { cached_utf8(o) } {
            write_escaped_utf8(out, utf8);
            return Ok(());
        }
    }
    write_escaped(out, data, ensure_ascii);
    if out.take_surrogate() {
        return Err(refuse(SURROGATES));
    }
    Ok(())
}

/// An int: its repr for the standard library, within 64 bits for the orjson face.
///
/// # Safety
/// GIL held; `o` a live int (or subclass instance).
#[inline(always)]
pub unsafe fn write_int<W: Output>(out: &mut W, o: *mut PyObject, opts: &Options) -> Result<()> {
    // SAFETY: `o` is a live int.
    if let Some(value) = unsafe { plain_int(o, opts) } {
        out.with_ascii(|buf| buf.push_decimal(value));
        return Ok(());
    }
    // SAFETY: as above.
    unsafe { write_other_int(out, o, opts) }
}

/// The value of an int that is written as it is, without a check or a call: one of at most
/// two digits (below 2**60, most ints), within 53 bits for the orjson face's strict mode.
///
/// # Safety
/// `o` a live int (or subclass instance).
#[inline(always)]
pub unsafe fn plain_int(o: *mut PyObject, opts: &Options) -> Option<i64> {
    // SAFETY: forwarded.
    let value = unsafe { small_value(o) }?;
    opts.orjson.is_none_or(|oj| !oj.has(opt::STRICT_INTEGER) || (-MAX_53..=MAX_53).contains(&value)).then_some(value)
}

/// [`write_int`] for the ints beyond its inlined case.
///
/// # Safety
/// GIL held; `o` a live int (or subclass instance).
#[inline(never)]
unsafe fn write_other_int<W: Output>(out: &mut W, o: *mut PyObject, opts: &Options) -> Result<()> {
    match opts.orjson {
        // SAFETY: `o` is a live int.
        None => out.with_ascii(|buf| unsafe { write_int_repr(buf, o) }),
        // SAFETY: as above.
        Some(oj) => out.with_ascii(|buf| unsafe { write_int_64(buf, o, oj.has(opt::STRICT_INTEGER), "Integer exceeds 64-bit range") }),
    }
}

/// A float: its repr for the standard library (NaN and infinities as `allow_nan` says), the
/// shortest round trip for the orjson face (`null` for what JSON cannot hold).
///
/// # Safety
/// GIL held; `o` a live float (or subclass instance).
#[inline(always)]
pub unsafe fn write_float<W: Output>(out: &mut W, o: *mut PyObject, opts: &Options) -> Result<()> {
    // SAFETY: `o` is a live float.
    let value = unsafe { float_value(o) };
    if opts.orjson.is_some() {
        out.with_ascii(|buf| write_float_orjson(buf, value));
        return Ok(());
    }
    if value.is_finite() {
        out.with_ascii(|buf| write_float_repr(buf, value));
        return Ok(());
    }
    if !opts.allow_nan {
        // SAFETY: `o` is live; GIL held.
        return Err(unsafe { out_of_range_float(o, opts.python_encoder) });
    }
    out.ascii(non_finite(value));
    Ok(())
}

/// The value of a float the fast walk writes at its cursor: any for the orjson face (`null`
/// for what JSON cannot hold), finite ones for the standard library (which raises or writes
/// `NaN` for the rest).
///
/// # Safety
/// `o` a live float (or subclass instance).
#[inline(always)]
pub unsafe fn walk_float(o: *mut PyObject, opts: &Options) -> Option<f64> {
    // SAFETY: forwarded.
    let value = unsafe { float_value(o) };
    (opts.orjson.is_some() || value.is_finite()).then_some(value)
}

/// A non-finite float as the standard library writes it.
pub fn non_finite(value: f64) -> &'static [u8] {
    if value.is_nan() {
        b"NaN"
    } else if value > 0.0 {
        b"Infinity"
    } else {
        b"-Infinity"
    }
}

/// The value of the int `o` if it fits 64 signed bits, else `Err` with the sign of its
/// overflow (1 or -1).
///
/// # Safety
/// GIL held; `o` a live int (or subclass instance).
#[inline(always)]
unsafe fn i64_or_overflow(o: *mut PyObject) -> Result<std::result::Result<i64, std::os::raw::c_int>> {
    // SAFETY: forwarded.
    if let Some(value) = unsafe { small_value(o) } {
        return Ok(Ok(value));
    }
    let mut overflow = 0;
    // SAFETY: forwarded.
    unsafe {
        let value = PyLong_AsLongLongAndOverflow(o, &mut overflow);
        if overflow != 0 {
            return Ok(Err(overflow));
        }
        if value == -1 && !PyErr_Occurred().is_null() {
            return Err(PyErrSet);
        }
        Ok(Ok(value))
    }
}

/// `int.__repr__(o)`: machine-sized values directly, others through CPython (which applies
/// its digit limit).
///
/// # Safety
/// GIL held; `o` a live int (or subclass instance).
pub unsafe fn write_int_repr(out: &mut OutBuf, o: *mut PyObject) -> Result<()> {
    // SAFETY: `o` is a live int (or subclass instance); the repr is owned and released here.
    unsafe {
        if let Ok(value) = i64_or_overflow(o)? {
            out.push_decimal(value);
            return Ok(());
        }
        let repr = (*std::ptr::addr_of!(PyLong_Type)).tp_repr.ok_or(PyErrSet)?;
        let text = Owned::new(repr(o)).ok_or(PyErrSet)?;
        match str_data(text.as_ptr()) {
            Some(crate::ffi::unicode::StrData::Ascii(digits)) => {
                out.extend_from_slice(digits);
                Ok(())
            }
            _ => Err(PyErrSet),
        }
    }
}

/// The standard library's `ValueError` for NaN or infinity with `allow_nan=False`.
unsafe fn out_of_range_float(o: *mut PyObject, python_encoder: bool) -> PyErrSet {
    const MSG: &str = "Out of range float values are not JSON compliant";
    // SAFETY: GIL held; the repr is owned and released here.
    unsafe {
        if !python_encoder && !cfg!(py_3_12) {
            raise(PyExc_ValueError, MSG);
            return PyErrSet;
        }
        let Some(repr) = Owned::new(PyObject_Repr(o)) else {
            return PyErrSet;
        };
        let text = crate::py::str_to_string(repr.as_ptr()).unwrap_or_default();
        raise(PyExc_ValueError, &format!("{MSG}: {text}"));
    }
    PyErrSet
}

/// The largest magnitude `OPT_STRICT_INTEGER` lets through.
const MAX_53: i64 = (1 << 53) - 1;

/// An int as orjson writes it: within 64 bits (signed or unsigned), or 53 with `strict`.
pub unsafe fn write_int_64(out: &mut OutBuf, o: *mut PyObject, strict: bool, range_error: &str) -> Result<()> {
    // SAFETY: `o` is a live int.
    unsafe {
        let overflow = match i64_or_overflow(o)? {
            Ok(value) if strict && !(-MAX_53..=MAX_53).contains(&value) => return Err(refuse("Integer exceeds 53-bit range")),
            Ok(value) => {
                out.push_decimal(value);
                return Ok(());
            }
            Err(overflow) => overflow,
        };
        if overflow > 0 {
            let value = PyLong_AsUnsignedLongLong(o);
            if !(value == u64::MAX && !PyErr_Occurred().is_null()) {
                if strict {
                    return Err(refuse("Integer exceeds 53-bit range"));
                }
                out.push_decimal(value);
                return Ok(());
            }
            PyErr_Clear();
        }
        Err(refuse(range_error))
    }
}
