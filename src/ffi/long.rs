//! `PyLongObject`: the value of an int of at most two digits (or of a UUID's 128 bits) read
//! from its digits, as CPython's own compact-int fast paths do (3.12+
//! `_PyLong_CompactValue`), without a call.

use pyo3_ffi::PyObject;
#[cfg(not(py_3_12))]
use pyo3_ffi::PyVarObject;

/// Bits per digit (`PyLong_SHIFT`; checked against the headers by `layout`).
pub const PYLONG_SHIFT: u32 = 30;

/// 3.12+: `lv_tag`'s bits below the digit count, and those of them that hold the sign
/// (checked against the headers by `layout`).
#[cfg(py_3_12)]
pub const _PYLONG_NON_SIZE_BITS: usize = 3;
#[cfg(py_3_12)]
pub const _PYLONG_SIGN_MASK: usize = 3;

/// Mirror of CPython's `PyLongObject` (checked against the headers by `layout`). Up to 3.11
/// the signed digit count is `ob_size`; from 3.12 `lv_tag` holds the count above three flag
/// bits, the lowest two the sign (0 positive, 1 zero, 2 negative).
#[repr(C)]
pub struct PyLongObject {
    #[cfg(not(py_3_12))]
    pub ob_base: PyVarObject,
    #[cfg(py_3_12)]
    pub ob_base: PyObject,
    #[cfg(py_3_12)]
    pub lv_tag: usize,
    pub ob_digit: [u32; 1],
}

/// The digit count, sign (-1, 0 or 1) and digits of the int `o`.
///
/// # Safety
/// `o` must be a live int (or subclass instance); the digits are valid while it is.
#[inline(always)]
unsafe fn digits(o: *mut PyObject) -> (usize, i64, *const u32) {
    let long = o.cast::<PyLongObject>();
    // SAFETY: `o` is an int: its header is a PyLongObject's.
    unsafe {
        let digits = std::ptr::addr_of!((*long).ob_digit).cast::<u32>();
        #[cfg(py_3_12)]
        let (count, sign) = {
            let tag = (*long).lv_tag;
            (tag >> _PYLONG_NON_SIZE_BITS, 1 - (tag & _PYLONG_SIGN_MASK) as i64)
        };
        #[cfg(not(py_3_12))]
        let (count, sign) = {
            let size = (*long).ob_base.ob_size;
            (size.unsigned_abs(), size.signum() as i64)
        };
        (count, sign, digits)
    }
}

/// The value of the int `o` if it has at most two digits (below 2**60 in magnitude).
///
/// # Safety
/// `o` must be a live int (or subclass instance).
#[inline(always)]
pub unsafe fn small_value(o: *mut PyObject) -> Option<i64> {
    // SAFETY: an int's header says how many digits follow it; only those are read.
    unsafe {
        let (count, sign, digits) = digits(o);
        match count {
            0 => Some(0),
            1 => Some(sign * i64::from(*digits)),
            2 => Some(sign * (i64::from(*digits) | i64::from(*digits.add(1)) << PYLONG_SHIFT)),
            _ => None,
        }
    }
}

/// The value of the int `o` if it is in `0..2**128` (a UUID's).
///
/// # Safety
/// `o` must be a live int (or subclass instance).
pub unsafe fn u128_value(o: *mut PyObject) -> Option<u128> {
    // SAFETY: an int's header says how many digits follow it; only those are read.
    unsafe {
        let (count, sign, digits) = digits(o);
        if sign < 0 || count as u32 * PYLONG_SHIFT >= 128 + PYLONG_SHIFT {
            return None;
        }
        let mut value = 0u128;
        for k in (0..count).rev() {
            // The top digit may hold bits past 128: then the value does not fit.
            if value >> (128 - PYLONG_SHIFT) != 0 {
                return None;
            }
            value = value << PYLONG_SHIFT | u128::from(*digits.add(k));
        }
        Some(value)
    }
}
